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
import urllib.request
from pathlib import Path
from typing import Callable

import torch

CHUNK = 1 << 16


class DownloadError(Exception):
    pass


class DownloadCancelled(DownloadError):
    pass


def checkpoint_dir() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints"


def download(url: str, destination: Path, hash_prefix: str | None = None,
             progress: Callable[[int, int], None] | None = None, cancel: threading.Event | None = None,
             timeout: float = 30.0) -> Path:
    """Fetch ``url`` to ``destination``; progress(done_bytes, total_bytes or 0)."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temp_name = tempfile.mkstemp(dir=destination.parent, prefix=destination.name, suffix=".partial")
    try:
        try:
            response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (https/http from our catalogue or the user)
        except Exception as exc:
            raise DownloadError(f"cannot download {url}: {exc} (offline? copy the file into {destination.parent} or pass --weights PATH)") from None
        total = int(response.headers.get("Content-Length") or 0)
        done = 0
        with os.fdopen(handle, "wb") as out, response:
            while True:
                if cancel is not None and cancel.is_set():
                    raise DownloadCancelled("download cancelled")
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if total and done != total:
            raise DownloadError(f"download of {url} stopped at {done} of {total} bytes")
        if hash_prefix and not digest.hexdigest().startswith(hash_prefix):
            raise DownloadError(f"hash mismatch for {url}: expected sha256 {hash_prefix}..., got {digest.hexdigest()[:len(hash_prefix)]}...")
        os.replace(temp_name, destination)
        return destination
    finally:
        if os.path.exists(temp_name):
            os.remove(temp_name)
