import json
import subprocess
import sys

import pytest

from explorer.analysis.complexity import analyze
from explorer.cli import main
from explorer.lessons.base import BUSY_SPREAD
from explorer.models import ModelSpec, shuffle_permutation


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_info_json_has_the_documented_schema_with_integers(capsys):
    code, out, _ = run(capsys, "info", "--arch", "v1", "--groups", "8", "--scale", "0.5", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"spec", "totals", "layers"}
    assert data["spec"]["groups"] == 8 and data["spec"]["scale"] == 0.5
    assert set(data["totals"]) == {"params", "madds", "madds_conv", "madds_fc", "mac"}
    assert all(isinstance(v, int) for v in data["totals"].values())
    expected = analyze(ModelSpec.create("v1", groups=8, scale=0.5)).totals
    assert data["totals"]["madds"] == expected.madds and data["totals"]["params"] == expected.params
    row = data["layers"][0]
    assert set(row) == {"name", "type", "out_shape", "params", "madds", "mac"}
    assert isinstance(row["out_shape"], list) and isinstance(row["madds"], int)


def test_info_no_shuffle_and_compact_input_size(capsys):
    code, out, _ = run(capsys, "info", "--arch", "compact", "--input-size", "64x3", "--no-shuffle", "--json")
    data = json.loads(out)
    assert code == 0 and data["spec"]["input_size"] == [64, 3] and data["spec"]["shuffle"] is False


def test_info_text_states_the_convention_and_totals(capsys):
    code, out, _ = run(capsys, "info", "--arch", "v2", "--scale", "1.0")
    assert code == 0
    assert "multiply-adds" in out and "2,278,604" in out and "stage3.0.shuffle" in out


def test_shuffle_json_and_picture(capsys):
    code, out, _ = run(capsys, "shuffle", "--channels", "12", "--groups", "3", "--json")
    assert json.loads(out) == {"channels": 12, "groups": 3, "permutation": shuffle_permutation(12, 3)}
    code, out, _ = run(capsys, "shuffle", "-c", "8", "-g", "2")
    assert code == 0 and "reshape to (g=2, n=4)" in out and "in:  0 4 1 5 2 6 3 7" in out


def test_bench_json_rows_and_speedups(capsys, tmp_path):
    csv_path = tmp_path / "bench.csv"
    code, out, _ = run(
        capsys,
        "bench",
        "--arch",
        "v2",
        "--scale",
        "0.5",
        "1.0",
        "--runs",
        "2",
        "--warmup",
        "1",
        "--threads",
        "1",
        "--json",
        "--csv",
        str(csv_path),
    )
    assert code == 0
    data = json.loads(out)
    assert data["threads"] == 1 and len(data["rows"]) == 2
    first, second = data["rows"]
    assert set(first) == {
        "arch",
        "groups",
        "scale",
        "params",
        "madds",
        "mac",
        "median_ms",
        "p90_ms",
        "speedup_theoretical",
        "speedup_actual",
        "spread",
        "runs",
    }
    assert first["spread"] == pytest.approx(first["p90_ms"] / first["median_ms"], abs=0.01) and first["runs"] == 2
    assert data["busy"] == (max(r["spread"] for r in data["rows"]) > BUSY_SPREAD)
    assert first["speedup_theoretical"] == 1.0 and first["speedup_actual"] == 1.0
    assert second["speedup_theoretical"] == pytest.approx(first["madds"] / second["madds"], abs=1e-3)
    assert csv_path.read_text().splitlines()[0].startswith("arch,groups,scale")


def test_bench_default_sweep_is_the_papers_tables():
    from explorer.engine.measure import default_sweep

    labels = [(s.arch, s.groups, s.scale) for s in default_sweep()]
    assert labels[:5] == [("v1", g, 1.0) for g in (1, 2, 3, 4, 8)]
    assert ("v1", 3, 0.25) in labels and ("v2", 2, 2.0) in labels and len(labels) == 13


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (["info", "--arch", "v3"], "invalid choice"),
        (["info", "--arch", "v1", "--groups", "5"], "V1 groups"),
        (["info", "--arch", "v1", "--scale", "0.7"], "V1 scale"),
        (["info", "--arch", "v1", "--groups", "three"], "whole number"),
        (["info", "--input-size", "16"], ">= 32"),
        (["info", "--input-size", "big"], "input size"),
        (["shuffle", "--channels", "10", "--groups", "3"], "divisible"),
        (["shuffle", "--channels", "10"], "required"),
        (["bench", "--arch", "v1", "--groups", "7"], "V1 groups"),
        (
            ["bench", "--arch", "v2", "--scale", "0.5", "--runs", "1", "--csv", "/nonexistent/dir/x.csv"],
            "cannot write CSV",
        ),
        (["frobnicate"], "invalid choice"),
        (["diagram", "--arch", "v1", "--out", "d.pdf"], ".svg or .png"),
        (["diagram", "--arch", "v1", "-g", "6", "--out", "d.svg"], "V1 groups"),
        (["diagram", "--level", "deep", "--out", "d.svg"], "invalid choice"),
        (["diagram", "--quantity", "speed", "--out", "d.svg"], "invalid choice"),
        (["diagram", "--out", "/nonexistent/dir/d.svg"], "does not exist"),
        (["diagram", "--arch", "v2"], "required"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_python_dash_m_and_main_py_are_the_same_entry_point():
    for entry in (["-m", "explorer"], ["main.py"]):
        proc = subprocess.run(
            [sys.executable, *entry, "shuffle", "-c", "4", "-g", "2", "--json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["permutation"] == [0, 2, 1, 3]
    proc = subprocess.run(
        [sys.executable, "-m", "explorer", "info", "--arch", "v1", "-g", "6"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_diagram_writes_searchable_svg_and_a_png_without_a_window(capsys, tmp_path):
    svg = tmp_path / "v1.svg"
    code, out, _ = run(
        capsys, "diagram", "--arch", "v1", "--groups", "3", "--level", "layers", "--out", str(svg), "--json"
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["boxes"] > 16 * 5 and summary["level"] == "layers"
    text = svg.read_text()
    assert (
        text.count("Channel Shuffle") == 16 and "g = 3" in text and "AVG Pool (stride = 2)" in text and "Concat" in text
    )
    off = tmp_path / "off.svg"
    assert (
        run(capsys, "diagram", "--arch", "v1", "--groups", "3", "--no-shuffle", "--level", "layers", "--out", str(off))[
            0
        ]
        == 0
    )
    assert off.read_text().count("Channel Shuffle (off)") == 16
    png = tmp_path / "v2.png"
    assert run(capsys, "diagram", "--arch", "v2", "--level", "stages", "--quantity", "mac", "--out", str(png))[0] == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bench_times_at_the_windows_thread_count_by_default(capsys):
    from explorer.engine.worker import default_live_threads

    code, out, _ = run(
        capsys,
        "bench",
        "--arch",
        "v2",
        "--scale",
        "0.5",
        "--input-size",
        "64",
        "--runs",
        "2",
        "--warmup",
        "1",
        "--json",
    )
    assert code == 0 and json.loads(out)["threads"] == default_live_threads()


def test_help_lists_the_commands_and_the_windows_own_options(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "doctor" in out and "lesson" in out  # the commands
    assert "Window options" in out and "--present" in out and "--large-fonts" in out and "--source" in out
