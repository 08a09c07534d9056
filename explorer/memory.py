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


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
LARGE_BLOCK = 4 << 20  # blocks this large get pages of their own, handed back when freed
ARENAS = 2
TRIM_AT = 64 << 20


def bound_native_heap() -> bool:
    """Keep glibc's heap from holding freed memory for good (call before threads start).

    glibc raises its mmap threshold every time a large block is freed (up to 32 MB), so a
    lesson's or a training's tensors, once freed, land in the heap and stay there in fragments;
    and every thread may get an arena of its own (8 per core) that keeps its free memory.  The
    soak measured it: glibc's free-but-kept memory went 386 -> 1,100 MB in 13 minutes of random use
    while the memory in use stayed 280-600 MB.  A fixed threshold sends blocks >= 4 MB (batches,
    not a live frame's activations) to mmap, returned on free; two arenas bound the rest.
    EXPLORER_HEAP_BOUND=0 leaves glibc's defaults (for comparison).  False where not glibc."""
    import os

    if os.environ.get("EXPLORER_HEAP_BOUND", "1") == "0":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    # a fixed mmap threshold also freezes the trim threshold at 128 KB: the heap's top would be handed
    # back and faulted in again on every frame (measured: torch eager 6-40 % slower); the explicit
    # trims after each job (release_freed_memory) hand it back instead
    return all(
        mallopt(option, value)
        for option, value in ((M_MMAP_THRESHOLD, LARGE_BLOCK), (M_TRIM_THRESHOLD, TRIM_AT), (M_ARENA_MAX, ARENAS))
    )
