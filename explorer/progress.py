"""The one shape long work reports progress in, and the one way it says it was cancelled.

Every long job (download, export, calibration, sweep, fit, training) takes an optional
``progress(fraction, text)`` callback, fraction in 0..1, and a ``threading.Event`` to cancel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Progress = Callable[[float, str], None]


class Cancelled(Exception):
    """Raised by long work whose cancel event was set; nothing half-done is kept."""


def check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()


def tqdm_progress(bar) -> Progress:
    """A progress(fraction, text) callback drawing a tqdm bar (the commands' progress on the terminal)."""

    def progress(fraction: float, text: str) -> None:
        bar.n = round(fraction * bar.total, 3)
        bar.set_postfix_str(text, refresh=False)
        bar.refresh()

    return progress
