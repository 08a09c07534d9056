"""Qt's messages on stderr, less the one the offscreen plugin prints on every run."""

from __future__ import annotations

import sys

from PySide6.QtCore import qInstallMessageHandler


def quiet_qt_messages() -> None:
    """Drop the one warning Qt's offscreen plugin prints on every run (headless runs must print
    only their summary); every other Qt message still reaches stderr."""

    def handler(_mode, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)
