import cv2
import numpy as np
import pytest

from explorer.sources import SourceError, SyntheticSource, open_source
from explorer.sources.files import ImagesSource, VideoSource


def test_synthetic_is_deterministic_per_seed_and_moves():
    a, b = SyntheticSource(seed=4), SyntheticSource(seed=4)
    assert np.array_equal(a.frame_at(10), b.frame_at(10))
    assert not np.array_equal(a.frame_at(10), a.frame_at(40))
    assert not np.array_equal(SyntheticSource(seed=5).frame_at(10), a.frame_at(10))
    frame = a.read()
    assert frame.dtype == np.uint8 and frame.shape == (480, 640, 3) and frame.flags.c_contiguous


def test_synthetic_scenes_differ_in_colour():
    means = [SyntheticSource(scene=s).frame_at(0).reshape(-1, 3).mean(axis=0) for s in range(4)]
    for i in range(4):
        for j in range(i + 1, 4):
            assert np.abs(means[i] - means[j]).max() > 20
    with pytest.raises(SourceError, match="scene"):
        SyntheticSource(scene=9)


def test_video_loops_and_images_slideshow(tmp_path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for i in range(5):
        writer.write(np.full((48, 64, 3), i * 40, np.uint8))
    writer.release()
    video = open_source(str(path))
    assert isinstance(video, VideoSource) and video.fps == pytest.approx(10)
    frames = [video.read() for _ in range(12)]  # more than the file holds: it loops
    assert frames[0].shape == (48, 64, 3)
    assert abs(int(frames[5].mean()) - int(frames[0].mean())) < 5
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i, colour in enumerate([(255, 0, 0), (0, 255, 0)]):
        cv2.imwrite(str(folder / f"{i}.png"), np.full((20, 30, 3), colour, np.uint8))
    (folder / "readme.txt").write_text("not an image")
    images = open_source(str(folder))
    assert isinstance(images, ImagesSource) and len(images.files) == 2
    assert images.current(0)[0, 0].tolist() == [0, 0, 255]  # BGR red on disk -> RGB
    assert images.current(1)[0, 0].tolist() == [0, 255, 0]


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("", "no source"),
        ("camera:x", "expected a number"),
        ("camera:0@big", "resolution must look like"),
        ("camera:0@1x1", "out of range"),
        ("camera:-1", ">= 0"),
        ("synthetic:7", "scene"),
        ("/definitely/missing", "no such file"),
    ],
)
def test_bad_source_texts_are_explained(text, fragment):
    with pytest.raises(SourceError, match=fragment):
        open_source(text)


class AbsentCamera:
    """cv2.VideoCapture for an index with no device behind it (whatever this machine has)."""

    def __init__(self, index):
        self.index = index

    def isOpened(self):  # noqa: N802 (OpenCV naming)
        return False

    def release(self):
        pass


def test_a_missing_camera_is_explained(monkeypatch):
    from explorer.sources import camera

    monkeypatch.setattr(camera.cv2, "VideoCapture", AbsentCamera)
    with pytest.raises(SourceError, match="camera 3 could not be opened"):
        open_source("camera:3")


class StandInPicamera2:
    """Picamera2's API as the source uses it, delivering B, G, R frames (no hardware here)."""

    instances = []

    def __init__(self):
        self.started = self.closed = False
        self.frames = 0
        StandInPicamera2.instances.append(self)

    def create_video_configuration(self, main):
        self.size = main["size"]
        return {"main": main}

    def configure(self, config):
        self.config = config

    def start(self):
        self.started = True

    def capture_array(self, stream="main"):
        import time

        time.sleep(0.005)
        self.frames += 1
        width, height = self.size
        frame = np.zeros((height, width, 4), np.uint8)  # XBGR8888-like: 4 bytes a pixel
        frame[:, :, 0] = 200  # blue first in memory, as libcamera's "RGB888"
        return frame

    def stop(self):
        self.started = False

    def close(self):
        self.closed = True


def test_picamera_source_reads_rgb_frames_through_picamera2(monkeypatch):
    import types

    monkeypatch.setitem(__import__("sys").modules, "picamera2", types.SimpleNamespace(Picamera2=StandInPicamera2))
    source = open_source("picamera@320x240")
    try:
        frame = source.read()
        assert frame.shape == (240, 320, 3) and frame.flags["C_CONTIGUOUS"]
        assert frame[0, 0].tolist() == [0, 0, 200]  # blue, in RGB order
        assert source.live and "Pi camera" in source.describe()
        second = source.read()  # the newest frame, never a stale one twice
        assert second is not frame or StandInPicamera2.instances[-1].frames >= 2
    finally:
        source.close()
    assert StandInPicamera2.instances[-1].closed


def test_picamera_without_picamera2_names_the_package(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "picamera2", None)  # import fails as on any non-Pi machine
    with pytest.raises(SourceError, match="python3-picamera2"):
        open_source("picamera")


def test_a_latest_frame_device_that_fails_says_why_on_the_next_read():
    from explorer.sources.latest import LatestFrameSource

    class Flaky(LatestFrameSource):
        name = "flaky device"

        def __init__(self):
            self.left = 2
            self._start_reader()

        def _grab(self):
            if self.left == 0:
                raise SourceError("flaky device unplugged")
            self.left -= 1
            return np.full((4, 4, 3), self.left, np.uint8)

    source = Flaky()
    try:
        with pytest.raises(SourceError, match="flaky device unplugged"):
            for _ in range(5):
                source.read()
    finally:
        source.close()


def test_cameras_are_named_from_sysfs_without_their_metadata_nodes(tmp_path, monkeypatch):
    from explorer.sources import camera

    for node, name, index in (("video0", "HD Webcam", "0"), ("video1", "HD Webcam", "1"), ("video2", "USB Cam", None)):
        (tmp_path / node).mkdir()
        (tmp_path / node / "name").write_text(name + "\n")
        if index is not None:
            (tmp_path / node / "index").write_text(index + "\n")
    assert camera.camera_names(tmp_path) == {0: "HD Webcam", 2: "USB Cam"}

    class OpensOnlyTwo(AbsentCamera):  # only /dev/video2 answers, with 320x240 frames
        def isOpened(self):  # noqa: N802
            return self.index == 2

        def read(self):
            return True, np.zeros((240, 320, 3), np.uint8)

    monkeypatch.setattr(camera.cv2, "VideoCapture", OpensOnlyTwo)
    found = camera.probe_cameras(devices=tmp_path)
    assert [(c.index, c.name, c.size) for c in found] == [(2, "USB Cam", (320, 240))]
    assert found[0].label == "camera:2 (USB Cam, 320x240)"
    # no sysfs (macOS, Windows): indices 0..5 are tried and named by number
    assert [c.label for c in camera.probe_cameras(devices=tmp_path / "absent")] == ["camera:2 (camera 2, 320x240)"]
