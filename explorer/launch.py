"""The first module run: the board path when it is asked for (or the machine is small), else the
full command line.  Imports nothing heavy itself, so a board start never pays for torch."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from explorer.board.choice import wants_board


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if wants_board(argv):
        from explorer.board_app import run_board

        code = run_board(argv)
        if code is not None:
            return code
    from explorer.cli import main as cli_main

    return cli_main(argv)
