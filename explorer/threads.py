"""How many threads inference gets (no torch here: the board path asks too)."""

from __future__ import annotations

import os


def default_live_threads() -> int:
    """Inference threads for the live view: all cores but one.

    The UI thread and frame capture need a core of their own.  With every core given to
    torch, its OpenMP workers stall at barriers whenever the UI thread preempts one of them:
    measured on a 2-core machine, 2 threads gave 18 fps and 1 thread 39 fps (V2 1x, 224).
    """
    return max(1, (os.cpu_count() or 1) - 1)
