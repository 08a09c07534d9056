"""Turn what a user types (synthetic, camera, camera:1, a path) into an open FrameSource."""

from __future__ import annotations

from pathlib import Path

from explorer.sources.base import FrameSource, SourceError
from explorer.sources.camera import CameraSource
from explorer.sources.files import IMAGE_SUFFIXES, VIDEO_SUFFIXES, ImagesSource, VideoSource
from explorer.sources.network import NetworkCameraSource, is_network_address
from explorer.sources.picamera import PicameraSource
from explorer.sources.signal_stream import DEFAULT_HOP, file_signal_source, synthetic_signal_source
from explorer.sources.synthetic import SyntheticSource

SOURCE_HELP = (
    "synthetic, synthetic:SCENE, camera, camera:INDEX[@WIDTHxHEIGHT], picamera[@WIDTHxHEIGHT], a video file, "
    "an image file or a folder of images, a network camera (http://...mjpg, rtsp://...); for the compact net signal:synthetic[:SEED][@HOP] or a .csv/.npy recording[@HOP]"
)
SIGNAL_SUFFIXES = (".csv", ".npy")


def open_source(text: str) -> FrameSource:
    """Open the source ``text`` names; SourceError with a clear message if it cannot be."""
    text = (text or "").strip()
    if not text:
        raise SourceError(f"no source given; use {SOURCE_HELP}")
    source = _open(text)
    source.text = text
    return source


def is_signal_source(text: str) -> bool:
    """Whether ``text`` names a sensor-signal source (without opening it)."""
    return is_signal_text(_split_hop((text or "").strip())[0])


def recording_path(text: str) -> str | None:
    """The file a signal source text plays ('signal:walk.csv@10' -> 'walk.csv'), None for the synthetic stream."""
    text = _split_hop((text or "").strip())[0]
    if not is_signal_text(text):
        return None
    text = text[len("signal:") :] if text.lower().startswith("signal:") else text
    return None if text.lower() == "synthetic" or text.lower().startswith("synthetic:") else text


def _split_hop(text: str) -> tuple[str, int | None]:
    """'X@10' -> ('X', 10): a signal source's hop in samples (only digits count: paths may hold '@')."""
    head, at, tail = text.rpartition("@")
    return (head, int(tail)) if at and tail.isdigit() and is_signal_text(head) else (text, None)


def is_signal_text(text: str) -> bool:
    return text.lower().startswith("signal:") or Path(text).suffix.lower() in SIGNAL_SUFFIXES


def _open_signal(text: str) -> FrameSource:
    text, hop = _split_hop(text)
    hop = DEFAULT_HOP if hop is None else hop
    if text.lower().startswith("signal:"):
        text = text[len("signal:") :]
    if text.lower() == "synthetic" or text.lower().startswith("synthetic:"):
        seed = _suffix_int(text, "signal:synthetic") if ":" in text else 0
        return synthetic_signal_source(seed, hop)
    path = Path(text).expanduser()
    if path.suffix.lower() not in SIGNAL_SUFFIXES:
        raise SourceError(f"signal:{text} - a signal source is signal:synthetic[:SEED] or a .csv/.npy recording")
    return file_signal_source(path, hop)


def _open(text: str) -> FrameSource:
    if is_signal_source(text):
        return _open_signal(text)
    lowered = text.lower()
    if lowered == "synthetic" or lowered.startswith("synthetic:"):
        scene = _suffix_int(text, "synthetic") if ":" in text else None
        return SyntheticSource(scene=scene)
    if is_network_address(text):
        return NetworkCameraSource(text)
    if lowered == "picamera" or lowered.startswith("picamera@"):
        _, _, size = text.partition("@")
        return PicameraSource(_resolution(size) if size else (640, 480))
    if lowered == "camera" or lowered.startswith("camera:") or lowered.startswith("camera@"):
        text = text.split(" (", 1)[0].strip()  # "camera:0 (HD Webcam, 640x480)": the name is for people
        text, _, size = text.partition("@")
        resolution = _resolution(size) if size else (640, 480)
        return CameraSource(_suffix_int(text, "camera") if ":" in text else 0, resolution)
    path = Path(text).expanduser()
    if not path.exists():
        raise SourceError(f"{text!r} is not a source: no such file or folder (sources: {SOURCE_HELP})")
    if path.is_dir():
        return ImagesSource(path)
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return VideoSource(path)
    if suffix in IMAGE_SUFFIXES:
        return ImagesSource(path)
    # unknown extension: try as an image, then as a video, then say what it is not
    try:
        return ImagesSource(path)
    except SourceError:
        pass
    try:
        return VideoSource(path)
    except SourceError:
        raise SourceError(f"{path.name} is neither an image nor a video OpenCV can read") from None


def _resolution(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SourceError(f"camera resolution must look like 1280x720, got {text!r}") from None
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise SourceError(f"camera resolution {width}x{height} is out of range")
    return width, height


def _suffix_int(text: str, prefix: str) -> int:
    value = text.split(":", 1)[1]
    try:
        number = int(value)
    except ValueError:
        raise SourceError(f"{prefix}:{value} - expected a number after '{prefix}:', e.g. {prefix}:0") from None
    if number < 0:
        raise SourceError(f"{prefix} index must be >= 0, got {number}")
    return number
