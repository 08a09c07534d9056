"""Download a checkpoint into the torch hub cache with progress, cancel and a hash check.

Same conventions as torch.hub.download_url_to_file (cache under torch.hub.get_dir(), which
respects TORCH_HOME; sha256 prefix from the file name; write to a temp file, rename when
verified), plus what a GUI needs and torch.hub has no hook for: a progress callback and a
cancel event.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import torch

from explorer.progress import Progress

CHUNK = 1 << 16
POLL_S = 0.25


class DownloadError(Exception):
    pass


class DownloadCancelled(DownloadError):
    pass


def checkpoint_dir() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints"


def download_text(done: int, total: int) -> str:
    of = f" of {total / 1e6:.1f}" if total else ""
    return f"downloading {done / 1e6:.1f}{of} MB"


def download(
    url: str,
    destination: Path,
    hash_prefix: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    timeout: float = 30.0,
) -> Path:
    """Fetch ``url`` to ``destination``; progress(fraction, "downloading 1.2 of 8.8 MB")."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temp_name = tempfile.mkstemp(dir=destination.parent, prefix=destination.name, suffix=".partial")
    try:
        try:
            # a short socket timeout is a poll interval: Cancel is honoured within it even when the
            # network stalls mid-file; only `timeout` seconds without any data is an error
            response = urllib.request.urlopen(url, timeout=POLL_S)  # noqa: S310 (https/http from our catalogue or the user)
        except Exception as exc:
            raise DownloadError(
                f"cannot download {url}: {exc} (offline? copy the file into {destination.parent} or pass --weights PATH)"
            ) from None
        total = int(response.headers.get("Content-Length") or 0)
        done, last_data = 0, time.monotonic()
        with os.fdopen(handle, "wb") as out, response:
            while True:
                if cancel is not None and cancel.is_set():
                    raise DownloadCancelled("download cancelled")
                try:
                    chunk = response.read1(CHUNK)  # whatever has arrived: a timeout loses nothing
                except TimeoutError:
                    if time.monotonic() - last_data > timeout:
                        raise DownloadError(f"download of {url} stalled for {timeout:.0f} s at {done} bytes") from None
                    continue
                if not chunk:
                    break
                last_data = time.monotonic()
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done / total if total else 0.0, download_text(done, total))
        if total and done != total:
            raise DownloadError(f"download of {url} stopped at {done} of {total} bytes")
        if hash_prefix and not digest.hexdigest().startswith(hash_prefix):
            raise DownloadError(
                f"hash mismatch for {url}: expected sha256 {hash_prefix}..., got {digest.hexdigest()[: len(hash_prefix)]}..."
            )
        os.replace(temp_name, destination)
        return destination
    finally:
        if os.path.exists(temp_name):
            os.remove(temp_name)
