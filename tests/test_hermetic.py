"""The suite leaves the user's home alone: run a slice of it that exports ONNX, starts ONNX
Runtime, opens the window and writes settings, with HOME pointed at an empty folder, and find the
folder still empty afterwards."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLICE = [
    "tests/runtime/test_lean_model.py",
    "tests/ui/test_startup.py",
    "tests/test_export.py::test_export_round_trip_gives_the_apps_top5_and_carries_its_metadata",
]


def test_a_slice_of_the_suite_leaves_an_empty_home_empty(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXPLORER_", "TORCH_HOME", "XDG_"))}
    env["HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SLICE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == []
