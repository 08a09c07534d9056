"""Raspberry Pi CSI cameras through Picamera2 (OpenCV has no libcamera backend).

Picamera2 ships with Raspberry Pi OS; it is imported only when this source is asked for. Like
the webcam source, a reader thread keeps only the newest frame.  Picamera2's "RGB888" format is
libcamera's name for B, G, R bytes in memory, so frames are swapped to RGB here.
"""
from __future__ import annotations

import importlib
import threading

import numpy as np

from explorer.sources.base import FrameSource, SourceError

NO_FRAME_TIMEOUT_S = 3.0
PICAMERA_FIX = ("Raspberry Pi CSI cameras need Picamera2, which ships with Raspberry Pi OS: `sudo apt install python3-picamera2`, "
                "and create the venv with --system-site-packages so it is visible; USB webcams work without it as camera:0")


class PicameraSource(FrameSource):
    kind = "camera"
    live = True

    def __init__(self, resolution: tuple[int, int] = (640, 480)) -> None:
        try:
            picamera2 = importlib.import_module("picamera2")
        except Exception as exc:  # ImportError, or libcamera failing to load
            raise SourceError(f"picamera: {type(exc).__name__}: {exc}. {PICAMERA_FIX}") from None
        self.name = f"Pi camera {resolution[0]}x{resolution[1]}"
        try:
            self._camera = picamera2.Picamera2()
            config = self._camera.create_video_configuration(main={"size": tuple(resolution), "format": "RGB888"})
            self._camera.configure(config)
            self._camera.start()
        except Exception as exc:
            raise SourceError(f"the Pi camera could not be started ({exc}): is it connected, enabled and not in use by another app?") from None
        self._latest: np.ndarray | None = None
        self._seq = self._read_seq = 0
        self._failed: str | None = None
        self._cond = threading.Condition()
        self._running = True
        self._thread = threading.Thread(target=self._reader, name="picamera", daemon=True)
        self._thread.start()

    def _reader(self) -> None:
        while self._running:
            try:
                bgr = self._camera.capture_array("main")
            except Exception as exc:
                with self._cond:
                    self._failed = f"the Pi camera stopped delivering frames ({exc})"
                    self._cond.notify_all()
                return
            rgb = np.ascontiguousarray(bgr[:, :, 2::-1])  # drop a padding/alpha channel if present
            with self._cond:
                self._latest = rgb
                self._seq += 1
                self._cond.notify_all()

    def read(self) -> np.ndarray:
        with self._cond:
            if not self._cond.wait_for(lambda: self._failed or self._seq > self._read_seq, timeout=NO_FRAME_TIMEOUT_S):
                raise SourceError(f"the Pi camera delivered no frame for {NO_FRAME_TIMEOUT_S:.0f} s")
            if self._failed:
                raise SourceError(self._failed)
            self._read_seq = self._seq
            return self._latest  # type: ignore[return-value]

    def close(self) -> None:
        self._running = False
        self._thread.join(timeout=2)
        try:
            self._camera.stop()
            self._camera.close()
        except Exception:
            pass
