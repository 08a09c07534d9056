"""Webcam through OpenCV, read in its own thread so only the newest frame is ever used.

On macOS the first open triggers the camera permission prompt; Raspberry Pi CSI cameras need
Picamera2 (OpenCV has no libcamera backend) - USB webcams work through V4L2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from explorer.sources.base import SourceError
from explorer.sources.latest import LatestFrameSource

PROBE_LIMIT = 6  # indices are often sparse (/dev/video0, /dev/video2, ...); stop after a few

try:  # OpenCV warns on stderr for every index it cannot open; probing makes that noise
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
except AttributeError:
    pass


V4L2_DEVICES = Path("/sys/class/video4linux")


@dataclass(frozen=True)
class Camera:
    index: int
    name: str
    size: tuple[int, int] | None = None  # what it delivers when opened

    @property
    def text(self) -> str:
        return f"camera:{self.index}"

    @property
    def label(self) -> str:
        """What the source box lists: "camera:0 (HD Webcam, 640x480)" (the part in brackets is ignored when opened)."""
        size = f", {self.size[0]}x{self.size[1]}" if self.size else ""
        return f"{self.text} ({self.name}{size})"


def camera_names(devices: Path = V4L2_DEVICES) -> dict[int, str]:
    """Linux: each capture device's index and name from sysfs (a webcam's second, metadata node has
    index 1 and is left out).  Empty elsewhere."""
    names = {}
    for node in devices.glob("video*"):
        number = node.name.removeprefix("video")
        try:
            index_file = node / "index"
            if not number.isdigit() or (index_file.is_file() and int(index_file.read_text()) != 0):
                continue
            names[int(number)] = (node / "name").read_text().strip() or f"camera {number}"
        except (OSError, ValueError):
            continue
    return dict(sorted(names.items()))


def probe_cameras(limit: int = PROBE_LIMIT, devices: Path = V4L2_DEVICES) -> list[Camera]:
    """The cameras that open and deliver a frame, with their names and frame size: the devices Linux
    lists, else indices 0..limit-1 (often sparse: /dev/video0, /dev/video2, ...)."""
    names = camera_names(devices)
    found = []
    for index in names or range(limit):
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened():
                ok, frame = capture.read()
                if ok and frame is not None:
                    size = (frame.shape[1], frame.shape[0])
                    found.append(Camera(index, names.get(index, f"camera {index}"), size))
        finally:
            capture.release()
    return found


class CameraSource(LatestFrameSource):
    kind = "camera"

    def __init__(self, index: int = 0, resolution: tuple[int, int] | None = (640, 480)) -> None:
        self.index = index
        self.name = f"camera {index}"
        self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceError(
                f"camera {index} could not be opened: is it connected and not in use by another app? "
                f"(on macOS allow camera access; a Raspberry Pi CSI camera is --source picamera)"
            )
        if resolution:
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, resolution[0])
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, resolution[1])
        self.fps = self._capture.get(cv2.CAP_PROP_FPS) or 30.0
        self._start_reader()

    def _grab(self) -> np.ndarray | None:
        ok, frame = self._capture.read()
        return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB) if ok and frame is not None else None

    def _release(self) -> None:
        self._capture.release()
