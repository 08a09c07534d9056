"""Where the app keeps what it makes between runs (EXPLORER_CACHE moves all of it), and how it
writes any file: atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import deque
from collections.abc import Iterator
from pathlib import Path


def cache_root() -> Path:
    return Path(os.environ.get("EXPLORER_CACHE", Path.home() / ".cache" / "shufflenet-explorer"))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; on success it replaces ``path`` in one step,
    so a crash or a kill mid-write leaves the old file or the new one, never half a file."""
    target = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    try:
        yield Path(temp)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_atomically(path: str | os.PathLike, data: bytes | str) -> Path:
    with atomic_path(path) as temp:
        if isinstance(data, str):
            temp.write_text(data)
        else:
            temp.write_bytes(data)
    return Path(path)


_HEALED: deque[str] = deque(maxlen=20)  # what was found damaged in the cache and mended, not yet said


def note_healed(text: str) -> None:
    """Record that a damaged saved file was ignored and mended (the window says it once)."""
    _HEALED.append(text)


def take_healed() -> list[str]:
    """The mending notes since the last call (each is said once)."""
    taken = []
    while _HEALED:
        taken.append(_HEALED.popleft())
    return taken
