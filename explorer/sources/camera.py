"""Webcam through OpenCV, read in its own thread so only the newest frame is ever used.

On macOS the first open triggers the camera permission prompt; Raspberry Pi CSI cameras need
Picamera2 (OpenCV has no libcamera backend) - USB webcams work through V4L2.
"""

from __future__ import annotations

import cv2
import numpy as np

from explorer.sources.base import SourceError
from explorer.sources.latest import LatestFrameSource

PROBE_LIMIT = 6  # indices are often sparse (/dev/video0, /dev/video2, ...); stop after a few

try:  # OpenCV warns on stderr for every index it cannot open; probing makes that noise
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
except AttributeError:
    pass


def probe_cameras(limit: int = PROBE_LIMIT) -> list[int]:
    """Indices 0..limit-1 that open and deliver a frame."""
    found = []
    for index in range(limit):
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened() and capture.read()[0]:
                found.append(index)
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
