"""A backend and an architecture added as one module each: listed, selectable, run by the engine, drawn."""

import importlib
import sys

import pytest

from explorer.models.architecture import unregister_architecture
from explorer.runtime import registry


@pytest.fixture
def fake_archs():
    """Both fake architectures (a rival without figures, a ShuffleNet-like one with them)."""
    from tests.conformance.conftest import register_fakes, unregister_fakes

    modules = register_fakes()
    yield [m.FAKE for m in modules]
    unregister_fakes(modules)


@pytest.fixture
def fakes():
    """The fake backend and architecture, each registered by importing its one module."""
    modules = [importlib.import_module(f"tests.fakes.{name}") for name in ("fake_backend", "fake_arch")]
    yield modules
    registry.unregister(modules[0].FAKE.name)
    unregister_architecture(modules[1].FAKE.name)
    for module in modules:
        sys.modules.pop(module.__name__, None)


def test_a_fake_backend_and_architecture_are_listed_selected_run_and_drawn(fakes, make_window, qtbot):
    backend, arch = fakes[0].FAKE, fakes[1].FAKE
    window = make_window()
    model_box, run_box = window.controls.model_box, window.controls.run_box
    assert model_box.arch.findData(arch.name) >= 0 and run_box.backend.findData(backend.name) >= 0  # listed
    assert arch.name in registry_choices_of(window)
    model_box.arch.setCurrentIndex(model_box.arch.findData(arch.name))  # selected, as a user picks it
    qtbot.waitUntil(lambda: window.engine.bundle.spec.arch == arch.name, timeout=60_000)
    assert model_box.explanation.text() == arch.hint and not model_box.groups.isEnabled()
    run_box.backend.setCurrentIndex(run_box.backend.findData(backend.name))
    run_box.backend.activated.emit(run_box.backend.currentIndex())
    qtbot.waitUntil(lambda: window.engine.bundle.backend == backend.name, timeout=60_000)
    ran = fakes[0].CountingRunner.frames
    qtbot.waitUntil(lambda: fakes[0].CountingRunner.frames > ran + 3, timeout=60_000)  # run by the engine
    assert "backend: counting, 1 thread" in window.pages["live"].backend_label.text()
    window.set_tab("diagram")  # drawn
    window.pages["diagram"].ensure_current()
    assert (
        window.pages["diagram"].scene.diagram.spec.arch == arch.name
        and len(window.pages["diagram"].scene.node_boxes()) >= 4
    )


def registry_choices_of(window) -> list[str]:
    box = window.controls.model_box.arch
    return [box.itemData(i) for i in range(box.count())]


def _all_arch_names() -> list[str]:
    from tests.conformance.conftest import register_fakes, unregister_fakes

    fakes = register_fakes()
    from explorer.models.architecture import architectures

    names = [a.name for a in architectures() if a.input_kind == "image"]
    unregister_fakes(fakes)
    return names


@pytest.mark.parametrize("name", _all_arch_names())
def test_the_window_shows_every_registered_image_architecture(fake_archs, name, make_window, qtbot):
    from explorer.models.architecture import architecture
    from explorer.weights.source import offered_kinds

    entry = architecture(name)
    window = make_window()
    box = window.controls.model_box.arch
    box.setCurrentIndex(box.findData(name))  # as a user picks it
    qtbot.waitUntil(lambda: window.engine.bundle.spec.arch == name, timeout=120_000)
    spec = window.engine.bundle.spec
    assert window.controls.model_box.groups.isEnabled() == bool(entry.group_choices)
    weights = window.controls.weights_box.weights
    assert [weights.itemData(i) for i in range(weights.count())] == list(offered_kinds(spec))
    frames = window.rendered
    qtbot.waitUntil(lambda: window.rendered > frames + 1, timeout=60_000)  # frames run on it
    window.set_tab("diagram")
    window.pages["diagram"].ensure_current()
    assert window.pages["diagram"].scene.diagram.spec == spec and window.pages["diagram"].scene.node_boxes()
