"""Start-up and memory: the full window against the board path, from the same cached model.

    QT_QPA_PLATFORM=offscreen python benchmarks/board_start.py [--starts 5] [--frames 60] [-- MODEL SWITCHES]

A private home and cache; one full start first (it caches the model for the board, as a user's
first start does), then --starts pairs, full and board in turn, each `main.py --frames N --source
synthetic`.  Each start's own summary gives the seconds from process start to the first frame
drawn, the fps after it, and the process's peak RSS.  Prints median, min-max and the pair-by-pair
ratio board/full beside the issue's targets (first frame <= 0.4x, peak RSS <= 0.45x).  A spread
wider than the difference would say "inconclusive".  Asserts nothing: the machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {
    "first frame s": re.compile(r"first frame ([\d.]+) s"),
    "fps": re.compile(r"fps ([\d.]+)"),
    "peak RSS MB": re.compile(r"peak RSS (\d+) MB"),
}
TARGETS = {"first frame s": 0.4, "peak RSS MB": 0.45}


def start(args: list[str], env: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, env=env, timeout=600
    )
    line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if proc.returncode != 0 or "frames" not in line:
        raise SystemExit(f"main.py {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    if "--board" in args and "path board" not in line:
        raise SystemExit(f"the board start did not take the board path: {proc.stderr.strip()[-400:]}")
    figures = {name: float(pattern.search(line).group(1)) for name, pattern in FIGURES.items()}
    figures["line"] = line
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("model", nargs="*", help="model switches after --, e.g. -- --arch v1 --groups 3")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="board-start-")
    env = {
        **os.environ,
        "HOME": home,
        "EXPLORER_CACHE": f"{home}/cache",
        "EXPLORER_SETTINGS": f"{home}/settings.ini",
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "EXPLORER_BOARD_CACHE": "1",
    }
    common = [*args.model, "--frames", str(args.frames), "--source", "synthetic"]
    first = start(["--full", *common], env)  # builds the board cache
    print(f"first start (caches the model): {first['line']}")
    runs: dict[str, list[dict]] = {"full": [], "board": []}
    for _ in range(args.starts):
        runs["full"].append(start(["--full", *common], env))
        runs["board"].append(start(["--board", *common], env))
    print(f"\n{args.starts} starts each, interleaved; model {' '.join(args.model) or 'the default (V2 1x @224)'}")
    print(
        f"{'figure':<15}{'full median (min-max)':>26}{'board median (min-max)':>26}{'ratio median (min-max)':>26}  target"
    )
    for name in FIGURES:
        full = [r[name] for r in runs["full"]]
        board = [r[name] for r in runs["board"]]
        ratios = [b / f for b, f in zip(board, full) if f]
        target = f"<= {TARGETS[name]}x" if name in TARGETS else ""
        verdict = ""
        if name in TARGETS:
            verdict = (
                "met" if max(ratios) <= TARGETS[name] else "missed" if min(ratios) > TARGETS[name] else "inconclusive"
            )
        print(
            f"{name:<15}{statistics.median(full):>12.2f} ({min(full):.2f}-{max(full):.2f})"
            f"{statistics.median(board):>14.2f} ({min(board):.2f}-{max(board):.2f})"
            f"{statistics.median(ratios):>14.2f} ({min(ratios):.2f}-{max(ratios):.2f})  {target} {verdict}"
        )
    print(f"\nlast full:  {runs['full'][-1]['line']}\nlast board: {runs['board'][-1]['line']}")


if __name__ == "__main__":
    main()
