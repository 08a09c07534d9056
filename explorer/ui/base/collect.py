"""Garbage collection for a Qt window fed by worker threads (the full window and the board's)."""

from __future__ import annotations

import gc
import threading

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QObject, QTimer

from explorer.memory import release_freed_memory
from explorer.ui.base.background import BackgroundTask

TRIM_EVERY_MS = 30_000


def settle_after_startup():
    """Move everything alive after start-up out of the cyclic GC's reach, and collect garbage
    on the UI thread only.

    torch, Qt and numpy leave millions of long-lived objects; without the freeze, every full
    collection traverses them all and freezes the UI thread for 100-240 ms (measured while
    switching models).  And a collection that a worker thread happens to trigger may destroy
    Qt objects (a closed widget's wrappers in a reference cycle) off the UI thread, which
    deadlocks Qt: pyqtgraph's GarbageCollector turns automatic collection off and collects on a
    UI-thread timer instead.  Keep the returned objects alive (with them, the idle trim below).
    """
    gc.collect()
    gc.freeze()
    return GarbageCollector(interval=0.5), IdleTrim()


class IdleTrim(QObject):
    """Every 30 s with no background job running, hand the pages glibc keeps for freed memory
    back to the system, on a short-lived thread (the trim takes the heap's locks: 10 ms measured on
    a 1 GB process: never on the UI thread).  A job's end trims already, but what its results held
    is freed later, on the UI thread, when a view replaces them: in a random-use soak a trim at each
    minute's end handed back 50-127 MB."""

    def __init__(self, every_ms: int = TRIM_EVERY_MS) -> None:
        super().__init__()
        self.trims = 0
        self._thread: threading.Thread | None = None
        self._timer = QTimer(self, interval=every_ms, timeout=self.trim_if_idle)
        self._timer.start()

    def trim_if_idle(self) -> bool:
        """Start a trim unless a job is running or the last trim is still going (True when started)."""
        if BackgroundTask.any_running():
            return False
        if self._thread is not None and self._thread.is_alive():
            return False
        self._thread = threading.Thread(target=release_freed_memory, name="idle-trim", daemon=True)
        self._thread.start()
        self.trims += 1
        return True
