"""The app's log file: where a failure's traceback goes, so a user's report can be acted on.

One rotating file in the cache folder (EXPLORER_CACHE moves it), two old copies kept: a window
left running for days cannot fill the disk.  Set up once by the window; headless commands print
their errors instead.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from explorer.paths import cache_root

MAX_BYTES = 1_000_000
BACKUPS = 2


def log_file() -> Path:
    return cache_root() / "logs" / "explorer.log"


def start_logging() -> Path | None:
    """Send warnings and errors of every ``explorer`` logger to the log file (None: not writable)."""
    path = log_file()
    logger = logging.getLogger("explorer")
    if any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS)
    except OSError:
        return None  # an unwritable cache: the banner still shows the message and Copy the traceback
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path
