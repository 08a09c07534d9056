"""The lean ONNX model (logits and embedding): cut out of the tapped export, or exported alone with the taps
left for later (the window's way)."""

import os
import subprocess
import sys

import numpy as np
import torch

from explorer.models import ModelSpec
from explorer.models.registry import build_model
from explorer.runtime.onnx_backend import export_onnx, session, untapped
from explorer.runtime.registry import make_runner
from explorer.runtime.torch_backends import EagerRunner


def test_the_lean_model_cut_from_the_tapped_export_gives_the_same_logits_and_embedding(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path))
    spec = ModelSpec.create("v1", groups=3, scale=0.5, input_size=96)
    model = build_model(spec, seed=2)
    tapped = export_onnx(model, spec)
    lean = untapped(tapped)
    exported = export_onnx(model, spec, tapped=False)
    x = np.random.default_rng(0).normal(size=(1, 3, 96, 96)).astype(np.float32)
    cut, direct = session(lean, 1), session(exported, 1)
    assert [o.name for o in cut.get_outputs()] == ["logits", "embedding"]
    assert len(session(tapped, 1).get_outputs()) > 10
    for got, expected in zip(cut.run(None, {"input": x}), direct.run(None, {"input": x})):
        np.testing.assert_array_equal(got, expected)


def test_a_deferred_runner_gives_the_logits_first_and_the_taps_once_attached(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path))
    spec = ModelSpec.create("v2", scale=0.5, input_size=64)
    model = build_model(spec, seed=3)
    tap = model.tap_points()[-2].name
    runner = make_runner("onnxruntime", model, spec, threads=1, defer_taps=True)
    x = torch.from_numpy(np.random.default_rng(1).normal(size=(1, 3, 64, 64)).astype(np.float32))
    expected_logits, expected = EagerRunner(model)(x, (tap,), embedding=True)
    logits, features = runner(x, embedding=True)
    assert set(features) == {"embedding"} and not runner.taps_wanted  # teach mode needs no taps
    np.testing.assert_allclose(features["embedding"], expected["embedding"], atol=1e-4)
    logits, features = runner(x, (tap,), embedding=True)
    assert set(features) == {"embedding"} and runner.taps_wanted and not runner.taps_ready
    np.testing.assert_allclose(logits.numpy(), expected_logits.numpy(), atol=1e-4)
    assert len(list(tmp_path.glob("onnx/*.onnx"))) == 1  # the lean model only
    runner.attach_tapped(export_onnx(model, spec, tapped=True))
    logits, features = runner(x, (tap,), embedding=True)
    assert runner.taps_ready and set(features) == {tap, "embedding"}
    np.testing.assert_allclose(features[tap], expected[tap], atol=1e-4)
    np.testing.assert_allclose(features["embedding"], expected["embedding"], atol=1e-4)


LATER_START = """
import sys
from explorer.models import ModelSpec
from explorer.models.registry import build_model
from explorer.runtime.registry import make_runner
spec = ModelSpec.create("v2", scale=0.5, input_size=64)
make_runner("onnxruntime", build_model(spec, seed=3), spec, threads=1, defer_taps=True)
print("onnx" in sys.modules, "torch.onnx" in sys.modules)
"""


def test_a_later_start_reads_the_lean_model_from_disk_without_the_exporter_or_onnx(tmp_path):
    """The first start exports; every later one only reads the file: neither torch's exporter
    nor the onnx package is loaded (each costs tens of MB on a board)."""
    env = {**os.environ, "EXPLORER_CACHE": str(tmp_path)}
    runs = [
        subprocess.run([sys.executable, "-c", LATER_START], env=env, capture_output=True, text=True, timeout=300)
        for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    assert runs[0].stdout.split()[1] == "True"  # the first start did export
    assert runs[1].stdout.split() == ["False", "False"]
    assert len(list(tmp_path.glob("onnx/*.onnx"))) == 1
