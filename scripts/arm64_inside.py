"""The checks scripts/arm64_check.sh runs inside the arm64 root (or on a real aarch64 board).

    python scripts/arm64_inside.py [--quick] --out summary.json [--screenshot window.png]

Correctness, install and memory on aarch64: doctor, info, predict against torchvision on the
same checkpoint, every backend's agreement with fp32 eager, the int8 preset, a pytest subset and
the window offscreen (both skipped by --quick), peak RSS of predict and of the window.  Timings
under emulation mean nothing; the summary says so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# quick enough under emulation (minutes, not hours): the pure parts and the CLI; the window is
# checked by running it, not by the pytest-qt suite
TEST_SUBSET = [
    "tests/models",
    "tests/analysis",
    "tests/runtime",
    "tests/weights",
    "tests/test_cli.py",
    "tests/test_export.py",
]


LOGS = Path(tempfile.gettempdir()) / "arm64-logs"  # every child's stdout and stderr, one file each (--logs)


def set_logs(folder: Path) -> None:
    global LOGS
    LOGS = folder


def keep_log(argv, code, stdout: str, stderr: str) -> None:
    """Write a child's whole output to LOGS (the summary keeps only the last lines of a failure)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    words = [Path(a).stem if "/" in a else a for a in argv[1:4] if not a.startswith("-")]
    # A `python -c SNIPPET` child would put its code in the name: keep only plain words.
    words = [w for w in words if re.fullmatch(r"[\w.]+", w)]
    name = f"{len(list(LOGS.iterdir())) + 1:02d}-{'-'.join(words) or 'child'}.log"
    (LOGS / name).write_text(f"$ {' '.join(map(str, argv))}\nexit {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}")


def run(argv, timeout=3600, env=None):
    """(exit code, stdout, stderr); the whole output also goes to LOGS."""
    proc = subprocess.run(
        argv, capture_output=True, text=True, cwd=ROOT, timeout=timeout, env={**os.environ, **(env or {})}
    )
    keep_log(argv, proc.returncode, proc.stdout, proc.stderr)
    return proc.returncode, proc.stdout, proc.stderr


def explorer(*args, **kw):
    return run([sys.executable, "-m", "explorer", *args], **kw)


def peak_rss(argv, env=None) -> tuple[int, float, str]:
    """Run ``argv`` and read its own peak RSS (ru_maxrss via wait4: this child only)."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **(env or {})}
    )
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    keep_log(argv, os.waitstatus_to_exitcode(status), output, "(merged into stdout)")
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, output


EMULATOR_PROBE = """
import re, torch, torchvision
torchvision.models.shufflenet_v2_x0_5().eval()(torch.zeros(1, 3, 96, 96))
mb = 0
for block in re.split(r"\\n(?=[0-9a-f]+-[0-9a-f]+ )", open("/proc/self/smaps").read()):
    head = block.split("\\n", 1)[0].split()
    rss = re.search(r"^Rss:\\s+(\\d+) kB", block, re.M)
    # QEMU's translated-code cache (one rwx anonymous mapping) and QEMU's own brk heap
    if rss and ((head[1] == "rwxp" and len(head) == 5) or head[-1] == "[heap]"):
        mb += int(rss.group(1)) / 1024
print(round(mb))
"""


def emulator_overhead_mb() -> int | None:
    """Resident MB that belong to QEMU, not to the program (none on a real board): its
    translated-code cache and its heap, read from a torch process's /proc/self/smaps."""
    code, out, _ = run([sys.executable, "-c", EMULATOR_PROBE], timeout=600)
    return int(out.strip().splitlines()[-1]) if code == 0 and out.strip() else None


def versions() -> dict:
    import numpy
    import onnxruntime
    import PySide6
    import torch

    return {
        "machine": platform.machine(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
        "pyside6": PySide6.__version__,
        "numpy": numpy.__version__,
    }


def spread_weights(model):
    """Random weights and BN statistics large enough that the logits spread out (an untrained
    net's near-equal logits would make top-k and agreement meaningless)."""
    import torch

    with torch.no_grad():  # drawn from the generator the caller seeded before building the model
        for name, t in model.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand_like(t) + 0.5 if "running_var" in name else torch.randn_like(t) * 0.3)
    return model.eval()


def check_predict(work: Path, rss: dict) -> dict:
    """predict on a torchvision-format checkpoint made here against torchvision's own model on the same
    file and input; its peak RSS (process and, sampled, the guest's own) goes into ``rss``."""
    import cv2
    import torch
    import torchvision

    from explorer.engine.preprocess import preprocess_image
    from explorer.models.recipe import Recipe
    from explorer.sources import SyntheticSource

    torch.manual_seed(0)
    reference = spread_weights(torchvision.models.shufflenet_v2_x1_0())
    checkpoint = work / "shufflenetv2_x1_test.pth"
    torch.save(reference.state_dict(), checkpoint)
    frame = SyntheticSource(seed=5).frame_at(3)
    image = work / "frame.png"
    cv2.imwrite(str(image), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    sampled = work / "predict-rss.json"
    code, rss["cli_predict"], output = peak_rss(
        [
            sys.executable,
            "scripts/guest_rss.py",
            "--out",
            str(sampled),
            "--every",
            "0.5",
            "--",
            "-m",
            "explorer",
            "predict",
            str(image),
            "--arch",
            "v2",
            "--weights",
            str(checkpoint),
            "--json",
        ]
    )
    if sampled.is_file():
        rss["cli_predict_guest"] = json.loads(sampled.read_text())["guest_peak_mb"]
    ours = json.loads(output.strip().splitlines()[-1]) if code == 0 else {}
    with torch.no_grad():
        expected = reference(preprocess_image(frame, Recipe.imagenet(224)))[0].topk(5).indices.tolist()
    got = [p["index"] for p in ours.get("top", [])]
    return {
        "exit": code,
        "top5": got,
        "torchvision_top5": expected,
        "equal": got == expected,
        "trained": ours.get("trained"),
    }


def check_deployment(work: Path) -> dict:
    """The board's path: `explorer export` of the checkpoint check_predict made (ONNX fp32 and int8,
    ncnn fp32), then examples/pi_classify.py (its runtime, numpy, OpenCV only) on a short video
    with the ONNX file and with the ncnn files."""
    import cv2

    from explorer.sources import SyntheticSource

    result = {}
    exports = {
        "export_fp32": ("export_fp32.onnx", []),
        "export_int8": ("export_int8.onnx", ["--int8"]),
        "export_ncnn": ("export_ncnn.param", ["--format", "ncnn"]),
    }
    for name, (file_name, extra) in exports.items():
        out = work / file_name
        code, stdout, err = explorer(
            "export",
            "--arch",
            "v2",
            "--weights",
            str(work / "shufflenetv2_x1_test.pth"),
            *extra,
            "--out",
            str(out),
            "--json",
        )
        report = json.loads(stdout.strip().splitlines()[-1]) if code == 0 else {}
        result[name] = {
            "exit": code,
            "agreement": report.get("agreement"),
            "int8_engine": report.get("int8_engine"),
            **({} if code == 0 else {"error": err.strip()[-300:]}),
        }
    video = work / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for i in range(8):
        writer.write(cv2.cvtColor(cv2.resize(SyntheticSource(seed=4).frame_at(i * 3), (320, 240)), cv2.COLOR_RGB2BGR))
    writer.release()
    for name, model in (("pi_classify", "export_fp32.onnx"), ("pi_classify_ncnn", "export_ncnn.param")):
        code, stdout, err = run(
            [sys.executable, "examples/pi_classify.py", str(work / model), "--source", str(video), "--json"]
            + ["--threads", "2"],
            timeout=1800,
        )
        result[name] = {
            "exit": code,
            **(json.loads(stdout.strip().splitlines()[-1]) if code == 0 else {"error": err.strip()[-300:]}),
        }
    return result


def check_ncnn_taps() -> dict:
    """ncnn's feature taps against fp32 eager's on V2 1x and V1 g=3 with spread-out weights: what the
    Feature maps tab shows on this backend (max |difference| over every tap)."""
    import torch

    from explorer.models import FeatureTaps, ModelSpec, build_model
    from explorer.runtime.registry import make_runner

    result = {}
    for spec in (ModelSpec.create("v2"), ModelSpec.create("v1", groups=3)):
        torch.manual_seed(2)
        model = spread_weights(build_model(spec))
        runner = make_runner("ncnn", model, spec, threads=2)
        names = tuple(p.name for p in model.tap_points())
        x = torch.randn(1, *spec.input_shape)
        with FeatureTaps(model, names) as taps, torch.no_grad():
            expected = model(x)
        logits, features = runner(x, names)
        result[spec.label] = {
            "taps": len(names),
            "taps_max_abs_diff": max(float(abs(features[n] - taps.features[n][0].numpy()).max()) for n in names),
            "logits_max_abs_diff": float((logits - expected).abs().max()),
        }
    return result


def check_int8() -> dict:
    import torch

    from explorer.engine.bundle_request import BundleRequest, build_bundle
    from explorer.models import ModelSpec, build_model
    from explorer.runtime.onnx_backend import default_int8_engine
    from explorer.sources import SyntheticSource

    spec = ModelSpec.create("v2")
    torch.manual_seed(1)
    model = spread_weights(build_model(spec))
    frames = [SyntheticSource(seed=3).frame_at(i * 5) for i in range(32)]
    bundle = build_bundle(BundleRequest.of(spec, model=model, backend="int8", calibration=frames, threads=2))
    return {"preset": default_int8_engine(), **bundle.agreement.to_dict()}


# enough frames (~2 s each under emulation) for backend auto to build, check and swap in ONNX
# Runtime before the run ends: the peak must include it, as it does on a board after a minute
WINDOW_FRAMES = 80


def measure_window(screenshot: str, rss: dict) -> dict:
    """The window offscreen, V2 1x on the synthetic scene with the default backend (auto), twice
    with one fresh cache: the first start exports the model to ONNX, every later start reads the
    export from the cache; then a third start on the board path (--board: the cached export on
    ONNX Runtime, no torch).  Peak RSS of each: the process's (wait4), the app's own (printed at
    its end), and the guest's own sampled by guest_rss.py (what a board would hold: without
    QEMU's share, which grows with the code the run executes)."""
    runs = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {
            "QT_QPA_PLATFORM": "offscreen",
            "EXPLORER_SETTINGS": str(Path(cache) / "arm64.ini"),
            "EXPLORER_CACHE": cache,
        }
        # the third start takes the board path: the cached export the second one wrote at its end, no torch
        for name in ("window_first_run", "window", "window_board"):
            sampled = Path(cache) / f"{name}-rss.json"
            code, rss[name], output = peak_rss(
                [
                    sys.executable,
                    "scripts/guest_rss.py",
                    "--out",
                    str(sampled),
                    "--every",
                    "2",
                    "--",
                    "main.py",
                    "--source",
                    "synthetic",
                    "--frames",
                    str(WINDOW_FRAMES),
                    "--threads",
                    "2",
                    "--timeout",
                    "1800",
                    "--screenshot",
                    str(
                        Path(screenshot)
                        .resolve()
                        .with_stem(Path(screenshot).stem + ("-board" if name == "window_board" else ""))
                    ),
                    *(["--board"] if name == "window_board" else []),
                ],
                env=env,
            )
            summary = output.strip().splitlines()[-1] if output.strip() else ""
            runs[name] = {"exit": code, "summary": summary}
            # the app's own peak, printed at the end of its run; the process maximum (wait4) also
            # counts the interpreter's teardown after it, a moment the user never sees
            app_peak = re.search(r"peak RSS (\d+) MB", summary)
            rss[f"{name}_process_incl_exit"] = rss[name]
            if app_peak:
                rss[name] = float(app_peak.group(1))
            if sampled.is_file():
                guest = json.loads(sampled.read_text())
                rss[f"{name}_guest"] = guest["guest_peak_mb"]
                rss[f"{name}_emulator_at_guest_peak"] = guest["emulator_at_guest_peak_mb"]
                rss[f"{name}_guest_anonymous"] = guest["guest_anonymous_peak_mb"]
    return {
        "exit": max(r["exit"] for r in runs.values()),
        "frames": WINDOW_FRAMES if all(r["exit"] == 0 for r in runs.values()) else None,
        "screenshot": str(Path(screenshot).resolve()),
        "summary": runs["window"]["summary"],
        "first_run_summary": runs["window_first_run"]["summary"],
        "board_summary": runs["window_board"]["summary"],
        "board_path": "path board (torch not loaded)" in runs["window_board"]["summary"],
    }


def named_rss(rss: dict[str, float], overhead: int | None) -> dict:
    """Peak RSS in MB, named for who holds it: "board" is the program's own memory, what a Raspberry Pi
    would hold (sampled inside the guest without QEMU's share); "under_qemu" are the emulated
    process's figures, QEMU's own memory included (on a real board these equal "board")."""
    board = {k.removesuffix("_guest"): round(v) for k, v in rss.items() if k.endswith("_guest")}
    named = {
        "board": board,
        "board_anonymous": {k.removesuffix("_guest_anonymous"): round(v) for k, v in rss.items() if "_anonymous" in k},
        "under_qemu": {k: round(v) for k, v in rss.items() if not k.endswith(("_guest", "_guest_anonymous"))},
    }
    if overhead is not None:
        named["under_qemu"]["qemu_in_a_small_torch_process"] = overhead
    named["note"] = (
        "board: the program's own peak RSS without QEMU's share (sampled every 0.5-2 s), what a board holds; "
        "board_anonymous: its heap and buffers (no library pages); under_qemu: the emulated process's peaks "
        "(wait4, or the app's own report) with QEMU's memory included, and QEMU's share at the board peak"
    )
    return named


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the pytest subset and the window")
    parser.add_argument("--out", default="arm64-summary.json")
    parser.add_argument(
        "--emulated",
        action="store_true",
        help="running under QEMU (arm64_check.sh): also report the emulator's share of RSS",
    )
    parser.add_argument("--screenshot", default="arm64-window.png")
    parser.add_argument("--window-only", action="store_true", help="only the window's two runs and their peak RSS")
    parser.add_argument("--logs", default=str(LOGS), help="folder for every child's whole output")
    args = parser.parse_args()
    set_logs(Path(args.logs))
    seconds: dict[str, float] = {}
    summary: dict = {
        "mode": "quick" if args.quick else "window" if args.window_only else "full",
        "note": "QEMU user-mode emulation: proves correctness, installs and memory; its timings mean nothing",
    }
    t = time.perf_counter()
    summary.update(versions())
    seconds["import_torch_and_versions"] = round(time.perf_counter() - t, 1)

    rss: dict[str, float] = {}
    cli: dict = {}
    if not args.window_only:
        t = time.perf_counter()
        code, out, err = explorer("doctor", "--json")
        cli["doctor"] = {
            "exit": code,
            **({k: v["ok"] for k, v in json.loads(out).items()} if code == 0 else {"error": err.strip()[-300:]}),
        }
        for name, argv in (
            ("info_v1_g3", ["--arch", "v1", "--groups", "3"]),
            ("info_v2_1x", ["--arch", "v2", "--scale", "1.0"]),
        ):
            code, out, err = explorer("info", *argv, "--json")
            cli[name] = {
                "exit": code,
                "mflops": round(json.loads(out)["totals"]["madds"] / 1e6, 2) if code == 0 else None,
            }
        seconds["doctor_info"] = round(time.perf_counter() - t, 1)
        with tempfile.TemporaryDirectory() as folder:
            t = time.perf_counter()
            cli["predict"] = check_predict(Path(folder), rss)
            seconds["predict"] = round(time.perf_counter() - t, 1)
            t = time.perf_counter()
            summary["deployment"] = check_deployment(Path(folder))
            seconds["deployment"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        code, out, err = explorer(
            "bench",
            "--arch",
            "v2",
            "--scale",
            "1.0",
            "--backend",
            "all",
            "--runs",
            "3",
            "--warmup",
            "1",
            "--threads",
            "2",
            "--json",
        )
        rows = json.loads(out)["rows"] if code == 0 else []
        summary["backends"] = {
            r["backend"]: {"top1_agreement": r["top1_agreement"], "max_abs_diff": r["max_abs_diff"]} for r in rows
        }
        cli["bench_exit"] = code
        seconds["bench_all_backends"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        int8 = check_int8()
        summary["int8_preset"] = int8.pop("preset")
        summary["int8_calibration_agreement"] = int8
        seconds["int8"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        summary["ncnn_taps"] = check_ncnn_taps()
        seconds["ncnn_taps"] = round(time.perf_counter() - t, 1)
        summary["cli"] = cli

    if not args.quick and not args.window_only:
        t = time.perf_counter()
        code, out, err = run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-W",
                "ignore",
                "-rf",
                "--tb=line",
                *TEST_SUBSET,
            ],
            timeout=4 * 3600,
        )
        counts = {
            key: int(n)
            for n, key in re.findall(
                r"(\d+) (passed|failed|skipped|errors?)", out.strip().splitlines()[-1] if out.strip() else ""
            )
        }
        summary["tests"] = {
            "subset": TEST_SUBSET,
            "passed": counts.get("passed", 0),
            "failed": counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0),
            "skipped": counts.get("skipped", 0),
            "exit": code,
            "failures": [line[len("FAILED ") :] for line in out.splitlines() if line.startswith("FAILED ")],
        }
        seconds["tests"] = round(time.perf_counter() - t, 1)
    if not args.quick:
        t = time.perf_counter()
        summary["window"] = measure_window(args.screenshot, rss)
        seconds["window"] = round(time.perf_counter() - t, 1)
    summary["rss_mb"] = named_rss(rss, emulator_overhead_mb() if args.emulated else None)
    summary["seconds"] = seconds
    Path(args.out).write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    if args.window_only:
        return 0 if summary["window"]["exit"] == 0 else 1
    ok = (
        cli["predict"]["equal"]
        and all(c.get("exit") == 0 for c in cli.values() if isinstance(c, dict))
        and all(step["exit"] == 0 for step in summary["deployment"].values())
        and all(v["taps_max_abs_diff"] <= 1e-3 for v in summary["ncnn_taps"].values())
        and summary["backends"].get("ncnn", {}).get("top1_agreement") == 1.0
        and summary["int8_preset"] == ("qnnpack" if summary["machine"] in ("aarch64", "arm64") else "x86")
        and (args.quick or (summary["tests"]["failed"] == 0 and summary["window"]["exit"] == 0))
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
