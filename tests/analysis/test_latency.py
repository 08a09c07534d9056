import pytest
import torch

from explorer.analysis.latency import measure_layers, measure_model, percentile, time_callable, torch_threads
from explorer.models import ModelSpec, build_model


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 90) == 5
    assert percentile(list(range(11)), 90) == 9
    assert percentile([4, 1, 3, 2], 90) == pytest.approx(3.7)  # unsorted input, linear between 3 and 4
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_time_callable_reports_runs_threads_and_ordered_statistics():
    calls = []
    result, samples = time_callable(lambda: calls.append(1), runs=7, warmup=3, threads=1)
    assert len(calls) == 10 and len(samples) == 7
    assert result.runs == 7 and result.warmup == 3 and result.threads == 1
    assert result.min_ms <= result.median_ms <= result.p90_ms


def test_thread_setting_is_restored():
    before = torch.get_num_threads()
    with torch_threads(1) as used:
        assert used == 1 == torch.get_num_threads()
    assert torch.get_num_threads() == before


def test_measure_model_runs_the_model_warmup_plus_runs_times_on_its_input_shape():
    spec = ModelSpec.create("v2", scale=0.5, input_size=64)
    model = build_model(spec)
    shapes = []
    model.register_forward_pre_hook(lambda _m, args: shapes.append(tuple(args[0].shape)))
    result = measure_model(model, spec.input_shape, runs=5, warmup=2, threads=1, batch=3)
    assert shapes == [(3, *spec.input_shape)] * 7
    assert (result.runs, result.warmup, result.threads) == (5, 2, 1) and result.median_ms > 0


def test_per_layer_latency_covers_every_leaf_module_in_call_order():
    spec = ModelSpec.create("compact")
    model = build_model(spec)
    layers = measure_layers(model, spec.input_shape, runs=3, warmup=1)
    assert [layer.name for layer in layers][:3] == ["blocks.0.dwconv", "blocks.0.pwconv", "blocks.0.bn"]
    assert layers[-1].name == "fc" and all(layer.median_ms >= 0 for layer in layers)
    assert len(layers) == 23
