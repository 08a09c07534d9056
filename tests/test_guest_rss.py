"""scripts/guest_rss.py: the memory figure the arm64 check reports, checked natively (where the
guest's ranges are all ranges, so the program's own RSS equals the process's)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOCATE = """
import sys, time
import numpy as np
block = np.ones(200 * 2**20 // 8)  # 200 MB, touched
time.sleep(0.5)
sys.exit(int(sys.argv[1]))
"""


def run(tmp_path, *target):
    out = tmp_path / "rss.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "guest_rss.py"), "--out", str(out), "--every", "0.1", "--", *target],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc, json.loads(out.read_text())


def test_it_sees_what_the_program_allocates_and_passes_its_exit_code_on(tmp_path):
    script = tmp_path / "allocate.py"
    script.write_text(ALLOCATE)
    proc, rss = run(tmp_path, str(script), "3")
    assert proc.returncode == 3, proc.stderr
    assert rss["guest_anonymous_peak_mb"] >= 200 and rss["guest_peak_mb"] >= rss["guest_anonymous_peak_mb"]
    assert rss["guest_peak_mb"] == rss["peak_mb"] and rss["emulator_at_guest_peak_mb"] == 0  # native: nothing is QEMU's
    assert rss["samples"] >= 3


def test_it_runs_a_module_with_its_arguments(tmp_path):
    proc, rss = run(tmp_path, "-m", "json.tool", "--help")
    assert proc.returncode == 0 and "usage" in proc.stdout.lower()
    assert 0 < rss["guest_peak_mb"] < 200
