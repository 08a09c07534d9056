"""Every registered architecture and backend, the tests' fakes included, does what the app asks of
an entry: build, run, taps, complexity, published figures that name a buildable variant, export
where a backend deploys.  A new entry is tested by being registered (timm's tests run the same way
over every registered model)."""

import inspect
import typing

import numpy as np
import pytest
import torch

from explorer.analysis.complexity import spec_tables
from explorer.lessons import LESSONS
from explorer.lessons.base import Lesson
from explorer.models import FeatureTaps, ModelSpec, build_model
from explorer.models.architecture import architectures
from explorer.optional import torchvision_status
from explorer.runtime import registry
from explorer.runtime.base import BackendUnavailable
from explorer.runtime.registry import make_runner
from tests.conformance.conftest import register_fakes, unregister_fakes

_fakes = register_fakes()  # collected with the fakes so they are parametrized like every other entry
ARCHS = [a.name for a in architectures()]
unregister_fakes(_fakes)
BACKENDS = list(registry.names())


@pytest.fixture(autouse=True)
def with_fakes(fake_archs):
    return fake_archs


def small_spec(name: str) -> ModelSpec:
    entry = next(a for a in architectures() if a.name == name)
    if entry.needs_torchvision and not torchvision_status().available:
        pytest.fail(f"{name} needs torchvision, which is unusable here: {torchvision_status().error}")
    size = None if entry.input_kind != "image" else 96
    return ModelSpec.create(name, scale=min(entry.scales), input_size=size)


@pytest.mark.parametrize("name", ARCHS)
def test_an_architecture_builds_runs_taps_and_counts(name):
    spec = small_spec(name)
    model = build_model(spec, seed=0).eval()
    x = torch.randn(1, *spec.input_shape)
    points = model.tap_points()
    assert points and len({p.name for p in points}) == len(points), "tap names are unique"
    with FeatureTaps(model, [p.name for p in points]) as taps, torch.no_grad():
        logits = model(x)
    assert logits.shape == (1, spec.num_classes) and torch.isfinite(logits).all()
    assert set(taps.features) == {p.name for p in points}, "every tap point is reached by a forward pass"
    report, tap_rows = spec_tables(spec)
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    assert report.totals.madds > 0 and len(tap_rows) == len(points)


@pytest.mark.parametrize("name", ARCHS)
def test_an_architectures_published_figures_name_variants_it_builds(name):
    entry = next(a for a in architectures() if a.name == name)
    for spec in entry.published_specs():
        figures = entry.figures(spec)
        assert figures is not None and figures.source, spec.label
        assert figures.madds_m is None or figures.madds_m > 0
        assert spec.groups in (entry.group_choices or (entry.default_groups,))
    if entry.group_choices:
        assert entry.default_groups in entry.group_choices


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["tinyshuffle", "tinynet"])
def test_every_backend_runs_every_fake_architecture_as_eager_does(backend, name, tmp_path):
    entry = registry.get(backend)
    if not entry.available:
        pytest.fail(f"backend {backend} is not usable here: {entry.status().reason}")
    spec = small_spec(name)
    model = build_model(spec, seed=0).eval()
    reference = build_model(spec, seed=0).eval()
    frames = [np.random.default_rng(i).random((1, *spec.input_shape), dtype=np.float32) for i in range(4)]
    try:
        runner = make_runner(backend, model, spec, threads=1, calibration=frames if entry.needs_calibration else None)
    except BackendUnavailable as exc:  # reduced precision may refuse a network it breaks, saying what to use
        assert entry.reduced_precision and "non-finite" in str(exc) and "use " in str(exc), exc
        return
    x = torch.from_numpy(frames[0])
    with torch.no_grad():
        expected = reference(x)
    got, _ = runner(x)
    assert got.shape == expected.shape
    if entry.reduced_precision:  # judged by what it is for: the same class, logits near
        spread = float(expected.max() - expected.min())
        assert float((got - expected).abs().max()) < 0.25 * spread
    else:
        assert float((got - expected).abs().max()) <= entry.tolerance
    if entry.deploy is not None:
        deployment = entry.deploy(model, spec, tmp_path / f"{name}-{backend}", False)
        assert deployment.files and all(path.is_file() and path.stat().st_size for path in deployment.files)


@pytest.mark.parametrize("name", list(LESSONS))
def test_every_lesson_module_defines_the_lesson_protocol(name):
    module = LESSONS[name]
    for attribute, kind in typing.get_type_hints(Lesson).items():
        assert isinstance(getattr(module, attribute), typing.get_origin(kind) or kind), (name, attribute)
    parameters = inspect.signature(module.run).parameters
    assert list(parameters) == list(inspect.signature(Lesson.run).parameters)[1:], name
