"""Every backend against fp32 eager.  Tolerances (max |logit difference| on random inputs):
channels_last and ONNX Runtime fp32 1e-3 (same maths, other summation order); int8 is judged by
top-1 agreement on real frames and a logit error small against the logits' spread."""

import hashlib
import json

import numpy as np
import pytest
import torch

from explorer import optional
from explorer.cli import main
from explorer.engine.bundle_request import BundleRequest, build_bundle
from explorer.engine.pipeline import synthetic_inputs
from explorer.models import FeatureTaps, ModelSpec, build_model
from explorer.runtime import onnx_backend, registry
from explorer.runtime.base import BackendUnavailable
from explorer.runtime.registry import available_backends, make_runner

SPECS = [
    ModelSpec.create("v2", scale=0.5, input_size=128),
    ModelSpec.create("v1", groups=8, scale=0.5, input_size=128),
    ModelSpec.create("compact"),
]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path / "cache"))
    onnx_backend._MEMORY.clear()


def randomised(spec):
    torch.manual_seed(1)
    model = build_model(spec)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand_like(t) + 0.5 if "running_var" in name else torch.randn_like(t) * 0.3)
    return model.eval()


@pytest.mark.parametrize("backend", ["channels_last", "onnxruntime"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.arch)
def test_fp32_backends_match_eager_on_random_inputs(spec, backend):
    model = randomised(spec)
    reference = randomised(spec)
    runner = make_runner(backend, model, spec, threads=1)
    for _ in range(3):
        x = torch.randn(1, *spec.input_shape)
        with torch.no_grad():
            expected = reference(x)
        got, _ = runner(x)
        assert (got - expected).abs().max() <= registry.get(backend).tolerance


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.arch)
def test_onnx_runtime_taps_equal_the_eager_taps(spec):
    model = randomised(spec)
    names = [p.name for p in model.tap_points()]
    runner = make_runner("onnxruntime", randomised(spec), spec, threads=1)
    x = torch.randn(1, *spec.input_shape)
    with FeatureTaps(model, names) as taps, torch.no_grad():
        model(x)
    _, features = runner(x, tuple(names), embedding=True)
    assert set(names) <= set(features) and features["embedding"].ndim == 1
    for name in names:
        np.testing.assert_allclose(features[name], taps.features[name][0].numpy(), atol=1e-4, rtol=1e-4, err_msg=name)


def test_int8_calibrates_on_synthetic_frames_and_agrees_with_eager():
    spec = SPECS[0]
    from explorer.sources import SyntheticSource

    frames = [SyntheticSource(seed=3).frame_at(i * 5) for i in range(12)]
    bundle = build_bundle(
        BundleRequest.of(spec, model=randomised(spec), backend="int8", calibration=frames, threads=1, engine="x86")
    )
    check = bundle.agreement
    assert check.frames == 8
    assert check.top1_agreement >= 0.75
    reference = randomised(spec)
    x = torch.from_numpy(synthetic_inputs(spec, 1)[0])
    with torch.no_grad():
        expected = reference(x)
    got, _ = bundle.runner(x)
    spread = float(expected.max() - expected.min())
    assert float((got - expected).abs().max()) < 0.1 * spread
    with pytest.raises(ValueError, match="qnnpack or x86"):
        onnx_backend.quantize(b"", [np.zeros(1)], "tpu")
    with pytest.raises(ValueError, match="calibration"):
        make_runner("int8", randomised(spec), spec, calibration=[])


def test_exports_are_cached_by_spec_and_weights(tmp_path):
    spec = SPECS[0]
    model = randomised(spec)
    first = onnx_backend.export_onnx(model, spec)
    assert len(list((tmp_path / "cache" / "onnx").glob("*.onnx"))) == 1  # the tapped export only
    onnx_backend._MEMORY.clear()
    cached = next((tmp_path / "cache" / "onnx").glob("*.onnx"))
    cached.write_bytes(b"marker: read from disk")  # a deterministic re-export could not return this
    cached.with_suffix(".sha256").write_text(hashlib.sha256(b"marker: read from disk").hexdigest())  # as if intact
    assert onnx_backend.export_onnx(model, spec) == b"marker: read from disk"
    cached.write_bytes(first)
    cached.with_suffix(".sha256").write_text(hashlib.sha256(first).hexdigest())
    other = build_model(spec)  # other weights: another export
    assert onnx_backend.export_onnx(other, spec) != first


def test_one_thread_setting_reaches_onnx_runtime():
    runner = make_runner("onnxruntime", build_model(SPECS[2]), SPECS[2], threads=1)
    assert runner.session.get_session_options().intra_op_num_threads == 1


def test_unavailable_onnxruntime_is_reported_with_the_install_hint(monkeypatch, capsys):
    broken = optional.Availability(
        "onnxruntime",
        False,
        None,
        "ModuleNotFoundError: No module named 'onnxruntime'",
        "the ONNX Runtime backend",
        "pip install onnxruntime onnx",
    )
    monkeypatch.setattr("explorer.runtime.onnx_backend.onnxruntime_status", lambda: broken)
    infos = {i.name: i for i in available_backends()}
    assert infos["eager"].available and not infos["onnxruntime"].available and not infos["int8"].available
    assert "pip install onnxruntime" in infos["int8"].reason
    with pytest.raises(BackendUnavailable, match="pip install onnxruntime"):
        make_runner("onnxruntime", build_model(SPECS[2]), SPECS[2])
    assert main(["bench", "--arch", "compact", "--backend", "onnxruntime", "--runs", "1"]) == 2
    err = capsys.readouterr().err
    assert "pip install onnxruntime" in err and len(err.strip().splitlines()) == 1
    # everything else keeps working
    assert main(["bench", "--arch", "compact", "--backend", "all", "--runs", "1", "--warmup", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["backend"] for r in rows] == [b.name for b in registry.all_backends() if b.runtime != "onnxruntime"]


def test_bench_rows_carry_backend_and_agreement(capsys):
    assert (
        main(
            [
                "bench",
                "--arch",
                "v2",
                "--scale",
                "0.5",
                "--input-size",
                "96",
                "--backend",
                "eager",
                "--backend",
                "onnxruntime",
                "--runs",
                "2",
                "--warmup",
                "1",
                "--threads",
                "1",
                "--json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["backend"] for r in rows] == ["eager", "onnxruntime"]
    assert all({"backend", "top1_agreement", "max_abs_diff"} <= set(r) for r in rows)
    assert rows[1]["top1_agreement"] == 1.0 and rows[1]["max_abs_diff"] < 1e-3
    assert main(["bench", "--backend", "tpu"]) == 2


@pytest.mark.parametrize(
    "machine,engine", [("aarch64", "qnnpack"), ("arm64", "qnnpack"), ("x86_64", "x86"), ("AMD64", "x86")]
)
def test_the_int8_preset_follows_the_cpu(monkeypatch, machine, engine):
    monkeypatch.setattr(onnx_backend.platform, "machine", lambda: machine)
    assert onnx_backend.default_int8_engine() == engine


class _NaNRunner:
    taps_pending = False

    def __call__(self, x, taps=(), embedding=False):
        return torch.full((1, 10), float("nan")), {}

    def build_taps(self, model, spec):
        pass


def test_a_backend_returning_nan_never_reads_as_agreeing():
    spec = SPECS[2].with_changes(num_classes=10)
    reference = build_model(spec)
    check = registry.agreement(reference, _NaNRunner(), [torch.randn(1, *spec.input_shape).numpy()])
    assert check.max_abs_diff == float("inf") and not check.agrees(1e-3)
