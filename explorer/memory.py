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


def total_memory_mb() -> float | None:
    """This machine's memory (Linux /proc/meminfo; None elsewhere)."""
    return _meminfo("MemTotal")


def available_memory_mb() -> float | None:
    return _meminfo("MemAvailable")


def _meminfo(key: str) -> float | None:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
