"""The GUI entry point (the window arrives with the live-explorer issue)."""
from __future__ import annotations

import sys


def run_gui(argv: list[str]) -> int:
    print("explorer: the window is not built yet; use a command: info, shuffle, bench, doctor (see --help)", file=sys.stderr)
    return 2
