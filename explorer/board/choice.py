"""When a start takes the board path: asked for (--board), or a small machine's window start."""

from __future__ import annotations

from explorer.memory import total_memory_mb

LOW_MEMORY_MB = 2048  # below this a window start prefers the board path (a Pi 3B+, a Zero 2 W, a 2 GB Pi 4)


def low_memory() -> bool:
    memory = total_memory_mb()
    return memory is not None and memory < LOW_MEMORY_MB


def wants_board(argv: list[str]) -> bool:
    """--board, or a window start (no command) on a low-memory machine without --full."""
    if "--board" in argv:
        return True
    window_start = not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help"))
    return window_start and "--full" not in argv and low_memory()
