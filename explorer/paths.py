"""Where the app keeps what it makes between runs (EXPLORER_CACHE moves all of it)."""
from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    return Path(os.environ.get("EXPLORER_CACHE", Path.home() / ".cache" / "shufflenet-explorer"))
