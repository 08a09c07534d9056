"""Hand memory back to the system after a backend's one-off work (exports, checks)."""

from __future__ import annotations

import ctypes


def release_freed_memory() -> None:
    """Hand memory the exporter freed back to the system (glibc keeps it otherwise): on a 1-2 GB
    board the first start's peak is what matters.  No gc.collect() here: this runs off the UI
    thread, where a collection may destroy Qt objects (the app collects on the UI thread only)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to hand back this way
        pass
