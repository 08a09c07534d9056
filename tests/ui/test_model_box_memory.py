"""Switching architecture never carries a flag one architecture lacks to the next (#33.1), and the
hint under the box says what the running model's shuffles really do."""

import itertools

import pytest

from explorer.engine.config import RunConfig
from explorer.engine.state import AppState
from explorer.models import ModelSpec
from explorer.models.architecture import architecture, architectures
from explorer.ui.base.bridge import QtState
from explorer.ui.controls.model_box import ModelBox
from tests.ui.test_window import WAIT

IMAGE_ARCHS = [a.name for a in architectures() if a.input_kind == "image"]


def flags(entry) -> set[str]:
    """The choices an architecture's box offers."""
    return {
        name
        for name, offered in (
            ("shuffle", entry.has_shuffle),
            ("groups", bool(entry.group_choices)),
            ("scale", len(entry.scales) > 1),
        )
        if offered
    }


def pick(box: ModelBox, arch: str) -> None:
    box.arch.setCurrentIndex(box.arch.findData(arch))  # as a user picks it


@pytest.fixture
def model_box(qtbot):
    state = AppState(RunConfig(ModelSpec.create("v2")))  # no engine: requests are recorded, nothing is built
    bridge = QtState(state)
    box = ModelBox(bridge)
    qtbot.addWidget(box)
    yield box
    del bridge  # the bridge lives as long as the box: its Qt signals carry the state's to the box


@pytest.mark.parametrize(
    "first, second",
    [
        (a, b)
        for a, b in itertools.permutations(IMAGE_ARCHS, 2)
        if flags(architecture(a)) - flags(architecture(b))  # ``second`` disables a flag ``first`` has
    ],
)
def test_a_flag_the_next_architecture_lacks_is_not_carried_back(model_box, first, second):
    pick(model_box, first)
    chosen = model_box.state.config.spec
    assert chosen.arch == first and (chosen.shuffle or not architecture(first).has_shuffle)
    pick(model_box, second)
    assert model_box.state.config.spec.arch == second
    pick(model_box, first)
    assert model_box.state.config.spec == chosen  # its own choices back, shuffle included
    assert model_box.shuffle.isChecked() == (chosen.shuffle and architecture(first).has_shuffle)


def test_what_the_user_chose_for_an_architecture_comes_back_with_it(model_box):
    pick(model_box, "v1")
    model_box.groups.setCurrentIndex(model_box.groups.findData(8))
    model_box.shuffle.setChecked(False)  # the paper's ablation, on V1
    pick(model_box, "mobilenet_v1")
    pick(model_box, "v2")
    assert model_box.state.config.spec.shuffle  # V2 never got V1's "off"
    pick(model_box, "v1")
    spec = model_box.state.config.spec
    assert (spec.groups, spec.shuffle) == (8, False) and not model_box.shuffle.isChecked()


def test_the_hint_says_what_the_running_models_shuffles_do(make_window, qtbot):
    window = make_window()
    box = window.controls.model_box
    pick(box, "v1")
    qtbot.waitUntil(
        lambda: window.engine.bundle.spec.arch == "v1" and "Running:" in box.explanation.text(), timeout=WAIT
    )
    assert "shuffles permute the channels" in box.explanation.text()
    box.shuffle.setChecked(False)
    qtbot.waitUntil(lambda: "OFF" in box.explanation.text(), timeout=WAIT)
    assert window.engine.bundle.spec.shuffle is False  # said only once the model without it runs
