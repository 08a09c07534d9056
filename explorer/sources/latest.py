"""A device read on its own thread, handing out only the newest frame (webcam, Pi camera).

Devices keep a queue of buffers (V4L2 about 4): reading on demand would hand out frames that
are already stale.  The reader thread drains the device continuously and keeps the latest.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from explorer.sources.base import FrameSource, SourceError, SourceInterrupted

NO_FRAME_TIMEOUT_S = 3.0


class LatestFrameSource(FrameSource):
    """Subclasses open the device, then call ``_start_reader``; they implement ``_grab`` (an RGB
    frame, None when the device has none yet, SourceError when it failed) and ``_release``."""

    live = True

    def _grab(self) -> np.ndarray | None:
        raise NotImplementedError

    def _release(self) -> None:
        pass

    def _start_reader(self) -> None:
        self._latest: np.ndarray | None = None
        self._seq = self._read_seq = 0
        self._failed: str | None = None
        self._interrupted: str | None = None  # a recovering device (a network stream reconnecting) says why
        self._said: str | None = None  # the interruption read() last raised
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._running = True
        self._thread = threading.Thread(target=self._reader, name=f"reader-{self.name}", daemon=True)
        self._thread.start()

    def _set_interrupted(self, message: str | None) -> None:
        with self._cond:
            self._interrupted = message
            self._cond.notify_all()

    def _fail(self, message: str) -> None:
        with self._cond:
            self._failed = message
            self._cond.notify_all()

    def _reader(self) -> None:
        last_ok = time.monotonic()
        while self._running:
            try:
                frame = self._grab()
            except SourceError as exc:
                self._fail(str(exc))
                return
            if frame is None:
                if self._interrupted:  # recovering, not dead: the subclass gives up on its own terms
                    last_ok = time.monotonic()
                if time.monotonic() - last_ok > NO_FRAME_TIMEOUT_S:
                    self._fail(f"{self.name} stopped delivering frames (unplugged?)")
                    return
                time.sleep(0.01)
                continue
            last_ok = time.monotonic()
            with self._cond:
                self._latest = frame
                self._seq += 1
                self._cond.notify_all()

    def read(self) -> np.ndarray:
        """The newest frame.  While the device recovers, SourceInterrupted: at once when its message
        is new, else after waiting for a frame (so a caller retrying in a loop is not a busy loop)."""
        with self._cond:
            fresh = lambda: self._seq > self._read_seq  # noqa: E731
            news = lambda: self._interrupted and self._interrupted != self._said  # noqa: E731
            self._cond.wait_for(lambda: self._failed or fresh() or news(), timeout=NO_FRAME_TIMEOUT_S)
            if self._failed:
                raise SourceError(self._failed)
            if not fresh():
                if self._interrupted:
                    self._said = self._interrupted
                    raise SourceInterrupted(self._interrupted)
                raise SourceError(f"{self.name} delivered no frame for {NO_FRAME_TIMEOUT_S:.0f} s")
            self._said = None
            self._read_seq = self._seq
            assert self._latest is not None  # a sequence number was counted with it
            return self._latest

    def close(self) -> None:
        self._running = False
        self._stopping.set()
        self._thread.join(timeout=2)
        self._release()
