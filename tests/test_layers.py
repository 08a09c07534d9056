"""The package's layers point one way and nothing below the UI imports Qt (import-linter,
configured in pyproject.toml; it sees imports inside functions too, so none can hide a cycle)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    command = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    proc = subprocess.run(
        [sys.executable, "-c", command, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # layers, ui rooms, registries only, no Qt below the UI, no torch on the board path
    assert "5 kept, 0 broken" in proc.stdout
