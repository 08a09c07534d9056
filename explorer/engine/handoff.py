"""What the engine's helper threads hand to the frame loop: generation tokens, recent frames, pending swaps.

Every request takes a new generation; work finished for an older one is dropped (the user asked
for something newer meanwhile).  Threads wait on events here, never by polling.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque


class Generations:
    """One counter, a current token per kind of request ("bundle", "source")."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._current = {"bundle": 0, "source": 0}

    def new(self, kind: str) -> int:
        token = self._current[kind] = next(self._counter)
        return token

    def current(self, kind: str) -> int:
        return self._current[kind]

    def is_current(self, kind: str, token: int) -> bool:
        return self._current[kind] == token


class RecentFrames:
    """The last captured frames (calibration, agreement checks), with a wait for "at least n"."""

    def __init__(self, size: int = 32) -> None:
        self._frames: deque = deque(maxlen=size)
        self._changed = threading.Condition()

    def append(self, frame) -> None:
        with self._changed:
            self._frames.append(frame)
            self._changed.notify_all()

    def clear(self) -> None:
        with self._changed:
            self._frames.clear()

    def latest(self, count: int | None = None) -> list:
        with self._changed:
            frames = list(self._frames)
        return frames if count is None else frames[-count:]

    def __len__(self) -> int:
        return len(self._frames)

    def wait_for(self, count: int, timeout: float, stop: threading.Event) -> bool:
        """Block until ``count`` frames are here (True), the timeout passes or ``stop`` is set (False)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._frames) >= count or stop.is_set(), timeout)
            return len(self._frames) >= count and not stop.is_set()

    def release(self) -> None:
        """Wake every waiter (the engine is stopping)."""
        with self._changed:
            self._changed.notify_all()


class PendingSwap:
    """The next bundle and source, taken by the frame loop between two frames."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bundle = None
        self._source = None

    def offer(self, bundle=None, source=None) -> None:
        with self._lock:
            if bundle is not None:
                self._bundle = bundle
            if source is not None:
                self._source = source

    def pending_source(self):
        with self._lock:
            return self._source

    def take(self):
        """(bundle, source), either None when nothing waits."""
        with self._lock:
            taken = self._bundle, self._source
            self._bundle = self._source = None
        return taken
