"""Garbage collection for a Qt window fed by worker threads (the full window and the board's)."""

from __future__ import annotations

import gc

from pyqtgraph.util.garbage_collector import GarbageCollector


def settle_after_startup():
    """Move everything alive after start-up out of the cyclic GC's reach, and collect garbage
    on the UI thread only.

    torch, Qt and numpy leave millions of long-lived objects; without the freeze, every full
    collection traverses them all and freezes the UI thread for 100-240 ms (measured while
    switching models).  And a collection that a worker thread happens to trigger may destroy
    Qt objects (a closed widget's wrappers in a reference cycle) off the UI thread, which
    deadlocks Qt: pyqtgraph's GarbageCollector turns automatic collection off and collects on a
    UI-thread timer instead.  Keep the returned object alive.
    """
    gc.collect()
    gc.freeze()
    return GarbageCollector(interval=0.5)
