"""Raspberry Pi CSI cameras through Picamera2 (OpenCV has no libcamera backend).

Picamera2 ships with Raspberry Pi OS; it is imported only when this source is asked for (an
optional dependency that exists only there).  Like the webcam source, a reader thread keeps
only the newest frame.  Picamera2's "RGB888" format is
libcamera's name for B, G, R bytes in memory, so frames are swapped to RGB here.
"""

from __future__ import annotations

import importlib

import numpy as np

from explorer.sources.base import SourceError
from explorer.sources.latest import LatestFrameSource

PICAMERA_FIX = (
    "Raspberry Pi CSI cameras need Picamera2, which ships with Raspberry Pi OS: `sudo apt install python3-picamera2`, "
    "and create the venv with --system-site-packages so it is visible; USB webcams work without it as camera:0"
)


class PicameraSource(LatestFrameSource):
    kind = "camera"

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
            raise SourceError(
                f"the Pi camera could not be started ({exc}): is it connected, enabled and not in use by another app?"
            ) from None
        self._start_reader()

    def _grab(self) -> np.ndarray:
        try:
            bgr = self._camera.capture_array("main")
        except Exception as exc:
            raise SourceError(f"the Pi camera stopped delivering frames ({exc})") from None
        return np.ascontiguousarray(bgr[:, :, 2::-1])  # B, G, R(, X) -> R, G, B

    def _release(self) -> None:
        try:
            self._camera.stop()
            self._camera.close()
        except Exception:
            pass
