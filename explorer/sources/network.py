"""Network cameras (http:// MJPEG, rtsp://) through OpenCV's FFmpeg backend: phones running an
IP-camera app, RTSP cameras beside a Pi.

Read on its own thread so only the newest frame is used (a stream queues frames as a webcam
does).  Opening has a timeout, so an unreachable address fails in seconds, not after FFmpeg's
default of half a minute or more.  When the stream drops, the reader reconnects on its own; until
a frame arrives again ``read()`` raises SourceInterrupted (the window shows "reconnecting"
and keeps the source), and after RECONNECT_GIVE_UP_S without success, SourceError.
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit, urlunsplit

import cv2
import numpy as np

from explorer.sources.base import SourceError
from explorer.sources.latest import LatestFrameSource

# FFmpeg logs every dropped connection and refused address on stderr; the app says it in one line instead
# (read by OpenCV when it first uses FFmpeg)
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

SCHEMES = ("http", "https", "rtsp", "rtsps")
OPEN_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 5.0
RECONNECT_GIVE_UP_S = 60.0
RETRY_EVERY_S = 1.0


def is_network_address(text: str) -> bool:
    return urlsplit(text.strip()).scheme.lower() in SCHEMES


def shown_address(url: str) -> str:
    """The address without a password (what messages and the source box show)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _open(url: str) -> cv2.VideoCapture:
    capture = cv2.VideoCapture(
        url,
        cv2.CAP_FFMPEG,
        [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(OPEN_TIMEOUT_S * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(READ_TIMEOUT_S * 1000),
        ],
    )
    capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of old ones
    return capture


class NetworkCameraSource(LatestFrameSource):
    kind = "network"

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = shown_address(url)
        self.reconnects = 0
        self._capture = _open(url)
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceError(
                f"{self.name} could not be opened (refused, or no answer within {OPEN_TIMEOUT_S:.0f} s): check the "
                "address, that the camera app is streaming, and that this machine can reach it (same network, no firewall)"
            )
        self.fps = self._capture.get(cv2.CAP_PROP_FPS) or 25.0
        if not 1 <= self.fps <= 120:  # MJPEG over HTTP often reports nothing useful
            self.fps = 25.0
        self._start_reader()

    def _grab(self) -> np.ndarray | None:
        ok, frame = self._capture.read()
        if ok and frame is not None:
            if self._interrupted:
                self.reconnects += 1
                self._set_interrupted(None)
            return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        self._reconnect()
        return None

    def _reconnect(self) -> None:
        """Reopen the stream until it answers; SourceError after RECONNECT_GIVE_UP_S."""
        dropped = time.monotonic()
        attempt = 0
        while self._running:
            attempt += 1
            self._set_interrupted(f"{self.name}: the stream dropped; reconnecting (attempt {attempt})…")
            self._capture.release()
            self._capture = _open(self.url)
            if self._capture.isOpened():
                return
            if time.monotonic() - dropped > RECONNECT_GIVE_UP_S:
                raise SourceError(
                    f"{self.name} has been unreachable for {RECONNECT_GIVE_UP_S:.0f} s: check the camera and the network"
                )
            self._stopping.wait(RETRY_EVERY_S)

    def close(self) -> None:
        """Wait for a read or an open in progress to time out before releasing: releasing the capture
        under FFmpeg's feet from another thread can crash it."""
        self._running = False
        self._stopping.set()
        self._thread.join(timeout=OPEN_TIMEOUT_S + READ_TIMEOUT_S)
        if not self._thread.is_alive():
            self._capture.release()
