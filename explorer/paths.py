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


EXPORT_FOLDER_LIMIT_MB = 512  # per export folder (onnx/, ncnn/): dozens of variants, and a board's SD card survives


def mark_used(path: Path) -> None:
    """A cached file was just used: it is the last the trim below would remove."""
    with contextlib.suppress(OSError):
        os.utime(path)


def trim_folder(folder: Path, limit_mb: float = EXPORT_FOLDER_LIMIT_MB) -> list[str]:
    """Remove the least recently used entries of ``folder`` (the files sharing a stem: an export, its
    weights, its checksum) until it holds at most ``limit_mb``; returns the stems removed."""
    entries: dict[str, list[Path]] = {}
    for path in folder.glob("*"):
        if path.is_file():
            entries.setdefault(path.name.split(".", 1)[0], []).append(path)

    def stat(paths):
        sizes = [p.stat() for p in paths if p.exists()]
        return sum(s.st_size for s in sizes), max((s.st_mtime for s in sizes), default=0.0)

    sized = {stem: stat(paths) for stem, paths in entries.items()}
    total = sum(size for size, _ in sized.values())
    removed = []
    for stem in sorted(sized, key=lambda s: sized[s][1]):  # oldest use first
        if total <= limit_mb * 2**20:
            break
        for path in entries[stem]:
            with contextlib.suppress(OSError):
                path.unlink()
        total -= sized[stem][0]
        removed.append(stem)
    return removed
