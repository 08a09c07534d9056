"""The ncnn backend against fp32 eager: logits and every feature tap within 1e-3, on every kind of network."""

import pytest
import torch

from explorer.models import FeatureTaps, ModelSpec, build_model
from explorer.paths import take_healed
from explorer.runtime import ncnn_backend, registry
from explorer.runtime.registry import make_runner
from tests.runtime.test_backends import randomised

SPECS = [
    ModelSpec.create("v2", scale=0.5, input_size=128),
    ModelSpec.create("v1", groups=3, scale=0.5, input_size=128),
    ModelSpec.create("v1", groups=8, scale=0.5, input_size=128, shuffle=False),
    ModelSpec.create("compact"),
    ModelSpec.create("mobilenet_v1", scale=0.25, input_size=128),
]

pytestmark = pytest.mark.skipif(not registry.get("ncnn").available, reason="ncnn or pnnx not installed")


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.label)
def test_ncnn_logits_and_taps_equal_eager(spec):
    model = randomised(spec)
    runner = make_runner("ncnn", randomised(spec), spec, threads=1)
    names = tuple(p.name for p in model.tap_points())
    x = torch.randn(1, *spec.input_shape)
    with FeatureTaps(model, names) as taps, torch.no_grad():
        expected = model(x)
    logits, features = runner(x, names, embedding=True)
    assert (logits - expected).abs().max() <= registry.get("ncnn").tolerance
    assert set(features) == {*names, "embedding"}
    for name in names:
        want = taps.features[name][0].numpy()
        assert features[name].shape == want.shape, name
        assert abs(features[name] - want).max() <= 1e-3, name


def test_the_rivals_from_torchvision_convert_too(torchvision_models):
    spec = ModelSpec.create("mobilenet_v3_small", input_size=128)
    model = randomised(spec)
    runner = make_runner("ncnn", model, spec, threads=1)
    x = torch.randn(1, *spec.input_shape)
    with torch.no_grad():
        assert (runner(x)[0] - model(x)).abs().max() <= 1e-3


def test_threads_are_honoured_and_conversions_are_cached(monkeypatch):
    spec = SPECS[3]
    model = build_model(spec)
    assert make_runner("ncnn", model, spec, threads=1).net.opt.num_threads == 1

    def no_conversion(*_args):
        raise AssertionError("converted again although the cache holds it")

    monkeypatch.setattr(ncnn_backend, "_convert", no_conversion)
    assert make_runner("ncnn", model, spec, threads=2).net.opt.num_threads == 2


def test_the_taps_come_later_when_deferred_and_the_frames_go_on():
    spec = SPECS[0]
    model = randomised(spec)
    runner = make_runner("ncnn", model, spec, threads=1, defer_taps=True)
    tap = model.tap_points()[-1].name
    x = torch.randn(1, *spec.input_shape)
    logits, features = runner(x, (tap,), embedding=True)
    assert set(features) == {"embedding"} and runner.taps_pending  # the logits went on without the taps
    runner.build_taps(model, spec)
    _, features = runner(x, (tap,))
    assert not runner.taps_pending and tap in features


def test_a_damaged_cached_model_is_set_aside_said_and_converted_again():
    spec = SPECS[3]
    model = build_model(spec)
    param, weights = ncnn_backend.export_ncnn(model, spec, tapped=False)
    weights.write_bytes(weights.read_bytes()[:100])  # truncated, as by a full disk
    take_healed()
    param, weights = ncnn_backend.export_ncnn(model, spec, tapped=False)
    notes = take_healed()
    assert any("ncnn model" in n and "converted again" in n for n in notes)
    assert weights.with_name(weights.name + ".bad").is_file()
    x = torch.randn(1, *spec.input_shape)
    runner = ncnn_backend.NcnnRunner(model, 1, lean=(param, weights))
    with torch.no_grad():
        assert (runner(x)[0] - model(x)).abs().max() <= 1e-3


def test_without_ncnn_the_backend_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(ncnn_backend, "pnnx_executable", lambda: None)
    ncnn_backend._status.cache_clear()
    try:
        info = registry.get("ncnn").status()
        assert not info.available and "pip install ncnn pnnx" in info.reason
    finally:
        ncnn_backend._status.cache_clear()
