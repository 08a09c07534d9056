"""How frames arrive: their rate, and when they stop (so the Live tab never shows a frozen frame as live).

A network camera that drops keeps its last frame on screen; without this the fps and the top-5
of that frame would stay up as if nothing happened.  The watch is told of every frame; twice a
second it checks the gap and, past STALE_AFTER_S (and not paused: a paused view is still on
purpose), says how long the view has been without frames.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

STALE_AFTER_S = 2.0  # several frames of even a slow camera (5 fps), well under a reconnect's wait
CHECK_EVERY_MS = 500


class FrameCounter:
    """Counts events and reports the rate once a second (None in between)."""

    def __init__(self, clock=time.perf_counter) -> None:
        self._clock = clock
        self._start = clock()
        self._count = 0
        self.fps = 0.0

    def tick(self) -> float | None:
        self._count += 1
        now = self._clock()
        if now - self._start >= 1.0:
            self.fps = self._count / (now - self._start)
            self._start, self._count = now, 0
            return self.fps
        return None


class FrameWatch(QObject):
    stale = Signal(float)  # seconds since the last frame, repeated while none arrives
    live_again = Signal()

    def __init__(
        self, paused: Callable[[], bool], clock: Callable[[], float] = time.monotonic, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._paused = paused
        self._clock = clock
        self._last = clock()
        self.stale_for: float | None = None  # None while frames arrive
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(CHECK_EVERY_MS)

    def frame(self) -> None:
        self._last = self._clock()
        if self.stale_for is not None:
            self.stale_for = None
            self.live_again.emit()

    def check(self) -> None:
        if self._paused():
            self._last = self._clock()  # the gap counts from the resume, not from the pause
            return
        gap = self._clock() - self._last
        if gap >= STALE_AFTER_S:
            self.stale_for = gap
            self.stale.emit(gap)
