"""Fit to a frame rate: the decision, from a given table of measurements (timings never asserted)."""

import json

import pytest

from explorer.analysis.complexity import analyze
from explorer.cli import main
from explorer.engine import fit
from explorer.engine.measure import Candidate
from explorer.models import ModelSpec


def candidate(scale, size, backend, ms, agreement=1.0):
    spec = ModelSpec.create("v2", scale=scale, input_size=size)
    return Candidate(spec, backend, analyze(spec).totals.madds, ms, agreement)


TABLE = [
    candidate(2.0, 224, "onnxruntime", 40.0),  # 25 fps: too slow for 30
    candidate(1.5, 224, "onnxruntime", 30.0),  # 33 fps: the largest that passes
    candidate(1.5, 224, "channels_last", 60.0),
    candidate(1.0, 224, "onnxruntime", 10.0),  # faster, but smaller
    candidate(2.0, 224, "int8", 20.0, agreement=0.9),  # fast enough, but disagrees too often
]


def test_fit_chooses_the_largest_candidate_that_reaches_the_target():
    chosen = fit.choose(TABLE, 30)
    assert (chosen.spec.scale, chosen.backend) == (1.5, "onnxruntime")
    assert fit.choose(TABLE, 100).spec.scale == 1.0  # only the 1x at 100 fps
    assert fit.choose(TABLE, 1000) is None


def test_int8_counts_only_when_it_agrees_with_fp32():
    agreeing = TABLE[:-1] + [candidate(2.0, 224, "int8", 20.0, agreement=0.99)]
    chosen = fit.choose(agreeing, 30)
    assert (chosen.spec.scale, chosen.backend) == (2.0, "int8")


def test_fit_keeps_the_architecture_and_groups_and_measures_every_candidate():
    spec = ModelSpec.create("v1", groups=8, shuffle=False)
    specs = fit.fit_specs(spec)
    assert {(s.arch, s.groups, s.shuffle) for s in specs} == {("v1", 8, False)}
    assert {s.input_size for s in specs} == {224, 192, 160, 128}
    assert len(specs) == 5 * 4  # five V1 scales x four sizes
    measured = []

    def fake_measure(s, backend, threads, runs):
        measured.append((s, backend))
        return Candidate(s, backend, analyze(s).totals.madds, 2.0 if backend == "onnxruntime" else 50.0)

    result = fit.run_fit(spec, 30, threads=1, measure=fake_measure)
    assert len(result.candidates) == len(measured) == len(specs) * len(fit.fp32_backends())
    assert (
        result.chosen.spec == max(specs, key=lambda s: analyze(s).totals.madds)
        and result.chosen.backend == "onnxruntime"
    )
    data = result.to_dict()
    assert (
        data["target_fps"] == 30
        and data["chosen"]["backend"] == "onnxruntime"
        and len(data["candidates"]) == len(measured)
    )


@pytest.mark.parametrize("value", ["0", "-5", "fast", "nan", "inf"])
def test_bad_fps_values_exit_2_with_one_line(capsys, value):
    assert main(["fit", "--fps", value]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--fps" in err


def test_fit_json_on_a_tiny_table(capsys, monkeypatch):
    spec_sizes = fit.FIT_SIZES
    monkeypatch.setattr(fit, "FIT_SIZES", (64,))
    monkeypatch.setattr(fit, "fp32_backends", lambda: ["channels_last"])
    monkeypatch.setattr(fit, "reduced_backends", lambda: [])
    assert main(["fit", "--arch", "v2", "--fps", "1", "--runs", "1", "--threads", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["target_fps"] == 1 and len(data["candidates"]) == 4  # four V2 scales at 64 px
    assert data["chosen"]["spec"]["scale"] == 2.0  # at 1 fps the largest passes
    assert {"spec", "backend", "median_ms", "fps"} <= set(data["chosen"])
    assert spec_sizes == (224, 192, 160, 128)
