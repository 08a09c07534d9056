"""Run main.py as a user would, in a child process, offscreen (or on a given Qt platform)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_main(*args: str, env_extra: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "main.py", *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT
    )
