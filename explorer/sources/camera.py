"""Webcam through OpenCV, read in its own thread so only the newest frame is ever used.

V4L2 keeps a queue of ~4 buffers: reading on demand would hand out frames that are already
stale.  The reader thread drains the device continuously and keeps the latest frame.
On macOS the first open triggers the camera permission prompt; Raspberry Pi CSI cameras need
Picamera2 (OpenCV has no libcamera backend) - USB webcams work through V4L2.
"""
from __future__ import annotations

import threading
import time

import cv2
import numpy as np

from explorer.sources.base import FrameSource, SourceError

PROBE_LIMIT = 6  # indices are often sparse (/dev/video0, /dev/video2, ...); stop after a few
NO_FRAME_TIMEOUT_S = 3.0

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


class CameraSource(FrameSource):
    kind = "camera"
    live = True

    def __init__(self, index: int = 0, resolution: tuple[int, int] | None = (640, 480)) -> None:
        self.index = index
        self.name = f"camera {index}"
        self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceError(
                f"camera {index} could not be opened: is it connected and not in use by another app? "
                f"(on macOS allow camera access; on a Raspberry Pi CSI camera use a USB webcam or Picamera2)"
            )
        if resolution:
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, resolution[0])
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, resolution[1])
        self.fps = self._capture.get(cv2.CAP_PROP_FPS) or 30.0
        self._latest: np.ndarray | None = None
        self._seq = 0
        self._read_seq = 0
        self._failed: str | None = None
        self._cond = threading.Condition()
        self._running = True
        self._thread = threading.Thread(target=self._reader, name=f"camera-{index}", daemon=True)
        self._thread.start()

    def _reader(self) -> None:
        last_ok = time.monotonic()
        while self._running:
            ok, frame = self._capture.read()
            if ok and frame is not None:
                last_ok = time.monotonic()
                rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                with self._cond:
                    self._latest = rgb
                    self._seq += 1
                    self._cond.notify_all()
            elif time.monotonic() - last_ok > NO_FRAME_TIMEOUT_S:
                with self._cond:
                    self._failed = f"camera {self.index} stopped delivering frames (unplugged?)"
                    self._cond.notify_all()
                return
            else:
                time.sleep(0.01)

    def read(self) -> np.ndarray:
        with self._cond:
            if not self._cond.wait_for(lambda: self._failed or self._seq > self._read_seq, timeout=NO_FRAME_TIMEOUT_S):
                raise SourceError(f"camera {self.index} delivered no frame for {NO_FRAME_TIMEOUT_S:.0f} s")
            if self._failed:
                raise SourceError(self._failed)
            self._read_seq = self._seq
            return self._latest  # type: ignore[return-value]

    def close(self) -> None:
        self._running = False
        self._thread.join(timeout=2)
        self._capture.release()
