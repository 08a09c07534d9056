"""A backend and an architecture added as one module each: listed, selectable, run by the engine, drawn."""

import importlib
import sys

import pytest

from explorer.models.architecture import unregister_architecture
from explorer.runtime import registry


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
    assert "backend: counting, 1 thread" in window.live.backend_label.text()
    window.set_tab("diagram")  # drawn
    window.diagram.ensure_current()
    assert window.diagram.scene.diagram.spec.arch == arch.name and len(window.diagram.scene.node_boxes()) >= 4


def registry_choices_of(window) -> list[str]:
    box = window.controls.model_box.arch
    return [box.itemData(i) for i in range(box.count())]
