"""`explorer export` and examples/pi_classify.py: the deployment path, checked on this machine."""

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pytest
import torch

from explorer.cli import main
from explorer.engine.bundles import load_bundle
from explorer.engine.config import RunConfig
from explorer.engine.export import read_metadata
from explorer.engine.pipeline import InferencePipeline, to_input
from explorer.models import ModelSpec, build_model
from tests.weights.megvii_reference import randomise

ROOT = Path(__file__).resolve().parent.parent
SPEC = ModelSpec.create("v2", scale=0.5, input_size=128)


@pytest.fixture
def checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "v2half.pth"
    torch.save(randomise(build_model(SPEC), seed=3).state_dict(), path)
    return path


def export_v2(checkpoint, out, *extra) -> int:
    """`explorer export` of the test's V2 0.5x @128 checkpoint to ``out``; its exit code."""
    argv = ["export", "--arch", "v2", "--scale", "0.5", "--input-size", "128", "--weights", str(checkpoint)]
    return main([*argv, *extra, "--out", str(out)])


def scene(seed=0):
    rng = np.random.default_rng(seed)
    image = cv2.GaussianBlur(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8), (0, 0), 5)
    return np.ascontiguousarray(image)


def test_export_round_trip_gives_the_apps_top5_and_carries_its_metadata(tmp_path, checkpoint, capsys):
    out = tmp_path / "model.onnx"
    assert export_v2(checkpoint, out, "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert (
        summary["trained"]
        and summary["agreement"]["top1_agreement"] == 1.0
        and summary["agreement"]["max_abs_diff"] < 1e-3
    )
    meta = read_metadata(out)
    assert ModelSpec.from_dict(meta["spec"]) == SPEC and len(meta["labels"]) == 1000 and meta["recipe"]["crop"] == 128
    bundle = load_bundle(RunConfig(SPEC, str(checkpoint), backend="eager"), check_agreement=False)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    for seed in range(3):
        frame = scene(seed)
        app = InferencePipeline(bundle).run(frame)
        logits = session.run(["logits"], {"input": to_input(frame, SPEC, bundle.recipe).numpy()})[0][0]
        assert list(np.argsort(-logits)[:5]) == [p.index for p in app.top]


def test_ncnn_export_writes_param_bin_and_metadata_that_agree_with_eager(tmp_path, checkpoint, capsys):
    stem = tmp_path / "v2half"
    assert export_v2(checkpoint, stem, "--format", "ncnn", "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["files"] == [str(stem) + ".param", str(stem) + ".bin"]
    assert summary["trained"] and summary["agreement"]["top1_agreement"] == 1.0
    assert summary["agreement"]["max_abs_diff"] < 1e-3
    meta = read_metadata(stem.with_suffix(".param"))
    assert meta["format"] == "shufflenet-explorer/ncnn/1" and ModelSpec.from_dict(meta["spec"]) == SPEC
    assert meta["recipe"]["crop"] == 128 and meta["input"] == "in0" and meta["output"] == "out0"


def test_int8_export_reports_its_agreement(tmp_path, checkpoint, capsys):
    out = tmp_path / "int8.onnx"
    assert export_v2(checkpoint, out, "--int8", "--calibrate", "synthetic:1", "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["int8"] and summary["int8_engine"] in ("x86", "qnnpack")
    check = summary["agreement"]
    assert check["calibration"] == "synthetic:1" and check["frames"] == 8 and 0 <= check["top1_agreement"] <= 1
    assert read_metadata(out)["agreement"] == check


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (["--out", "OUT/missing/x.onnx"], "does not exist"),
        (["--out", "OUT/x.txt"], ".onnx"),
        (["--calibrate", "synthetic", "--out", "OUT/x.onnx"], "goes with --int8"),
        (["--int8", "--calibrate", "/no/such.mp4", "--out", "OUT/x.onnx"], "bad --calibrate source"),
        (["--weights", "/no/such.pth", "--out", "OUT/x.onnx"], "weights not loaded"),
        (["--groups", "5", "--arch", "v1", "--out", "OUT/x.onnx"], "V1 groups"),
        (["--format", "ncnn", "--int8", "--out", "OUT/x.param"], "--int8 writes ONNX only"),
        (["--format", "ncnn", "--out", "OUT/missing/x.param"], "does not exist"),
    ],
)
def test_export_bad_input_exits_2_with_one_line(tmp_path, capsys, argv, fragment):
    argv = [a.replace("OUT", str(tmp_path)) for a in argv]
    assert main(["export", "--input-size", "96", *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("file_format,name", [("onnx", "model.onnx"), ("ncnn", "model.param")])
def test_pi_classify_runs_an_exported_model_on_a_video(tmp_path, checkpoint, file_format, name):
    out = tmp_path / name
    assert export_v2(checkpoint, out, "--format", file_format) == 0
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    frames = [scene(seed) for seed in range(6)]
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "pi_classify.py"),
            str(out),
            "--source",
            str(video),
            "--json",
            "--threads",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["frames"] == 6 and result["trained"] and result["fps"] > 0
    # the same top-1 as the app on the last decoded frame (MJPG is lossy: decode it as pi_classify does)
    capture = cv2.VideoCapture(str(video))
    last = None
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        last = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    bundle = load_bundle(RunConfig(SPEC, str(checkpoint), backend="eager"), check_agreement=False)
    assert result["top1"]["index"] == InferencePipeline(bundle).run(last).top[0].index


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["MISSING"], "not a loadable ONNX model"),
        (["PLAIN"], "no shufflenet_explorer metadata"),
        (["EXPORTED", "--source", "/no/such.mp4"], "cannot open source"),
        (["NCNN_WITHOUT_METADATA"], "no readable metadata beside the ncnn files"),
    ],
)
def test_pi_classify_bad_input_exits_2_with_one_line(tmp_path, checkpoint, args, fragment):
    plain, exported = tmp_path / "plain.onnx", tmp_path / "exported.onnx"
    torch.onnx.export(
        build_model(SPEC),
        (torch.zeros(1, 3, 128, 128),),
        str(plain),
        dynamo=False,
        input_names=["input"],
        output_names=["logits"],
    )
    assert export_v2(checkpoint, exported) == 0
    lone_param = tmp_path / "lone.param"
    lone_param.write_text("7767517\n")
    names = {
        "MISSING": str(tmp_path / "missing.onnx"),
        "PLAIN": str(plain),
        "EXPORTED": str(exported),
        "NCNN_WITHOUT_METADATA": str(lone_param),
    }
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "pi_classify.py"), *[names.get(a, a) for a in args]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and fragment in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_pi_classify_plain_output_warns_when_the_exported_model_is_untrained(tmp_path):
    out = tmp_path / "untrained.onnx"
    assert main(["export", "--arch", "v2", "--scale", "0.5", "--input-size", "96", "--out", str(out)]) == 0
    image = tmp_path / "frame.png"
    cv2.imwrite(str(image), scene(1))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "pi_classify.py"), str(out), "--source", str(image), "--threads", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "untrained weights" in proc.stderr and "random classes" in proc.stdout
