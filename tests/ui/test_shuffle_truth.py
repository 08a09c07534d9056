"""Views ask the model: with the shuffle off, every view that draws or names a permutation shows
the identity and says so; with it on, the paper's order.  The truth each view is checked against
is the model's own channel order, found by pushing one-hot inputs through its shuffle modules."""

import pytest
import torch

from explorer.analysis.complexity import spec_tables
from explorer.analysis.diagram import build_diagram
from explorer.models import ModelSpec
from explorer.models.registry import build_model
from explorer.models.shuffle import shuffle_permutation
from tests.ui.test_window import WAIT


def one_hot_order(module, channels: int) -> list[int]:
    """Output position k -> the input channel it holds: input i is the i-th one-hot vector."""
    basis = torch.eye(channels).reshape(channels, channels, 1, 1)
    with torch.no_grad():
        out = module(basis).reshape(channels, channels)  # out[i, k] = 1 where input i landed
    return out.argmax(dim=0).tolist()


@pytest.mark.parametrize("arch,groups", [("v1", 8), ("v1", 3), ("v2", None)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_every_after_shuffle_tap_carries_the_models_own_order(arch, groups, shuffle):
    spec = ModelSpec.create(arch, groups=groups, scale=0.5, input_size=64, shuffle=shuffle)
    model = build_model(spec, seed=0)
    modules = dict(model.named_modules())
    taps = [t for t in spec_tables(spec)[1] if t.point.kind == "after_shuffle"]
    assert taps
    for tap in taps:
        truth = one_hot_order(modules[tap.point.module], tap.channels)
        assert list(tap.permutation) == truth
        expected = shuffle_permutation(tap.channels, tap.point.groups) if shuffle else list(range(tap.channels))
        assert truth == expected


def test_the_diagram_draws_a_shuffle_as_on_only_where_the_model_permutes():
    for shuffle in (True, False):
        spec = ModelSpec.create("v1", groups=8, scale=0.5, input_size=64, shuffle=shuffle)
        model = build_model(spec, seed=0)
        modules = dict(model.named_modules())
        nodes = [n for s in build_diagram(spec).stages for u in s.units for n in u.nodes() if n.kind == "shuffle"]
        assert nodes
        for node in nodes:
            channels = next(t.channels for t in spec_tables(spec)[1] if t.point.module == node.id)
            permutes = one_hot_order(modules[node.id], channels) != list(range(channels))
            assert node.enabled == permutes == shuffle
            assert ("(off)" in node.label) == (not shuffle)


@pytest.mark.parametrize("shuffle", [True, False])
def test_feature_view_after_grid_follows_the_running_models_shuffle(make_window, qtbot, shuffle):
    spec = ModelSpec.create("v1", groups=8, scale=0.5, input_size=96, shuffle=shuffle)
    window = make_window(spec)
    view = window.pages["features"]
    window.set_tab("features")
    assert view.select_tap("stage3.0.after_shuffle")
    qtbot.waitUntil(lambda: view.layout_after is not None and view.drawn_tap == "stage3.0.after_shuffle", timeout=WAIT)
    channels = view.layout_after.channels
    module = dict(window.engine.state.bundle.model.named_modules())["stage3.0.shuffle"]
    truth = one_hot_order(module, channels)
    caption = view.after_title.text()
    assert ("the groups interleave" in caption) == shuffle
    assert ("OFF" in caption) == (not shuffle)
    layout = view.layout_after
    view._select(layout, layout.cell_width * 1.5, layout.cell_height * 0.5, after=True)
    large = view.large_title.text()
    if shuffle:
        assert f"came from channel {truth[1]}," in large and truth[1] != 1
    else:
        assert "came from" not in large and "the same channel" in large and truth[1] == 1


def test_shuffle_tab_reports_a_switched_off_model_and_draws_its_identity(make_window):
    window = make_window(ModelSpec.create("v1", groups=8, scale=0.5, input_size=96, shuffle=False))
    view = window.pages["shuffle"]
    assert "OFF" in view.model_state.text() and "never mix" in view.model_state.text()
    view.model_pairs.setCurrentIndex(0)
    view._pick_model_pair()
    channels, groups = view.model_pairs.currentData()
    assert view.diagram.permutation() == list(range(channels))
    assert "OFF" in view.message.text()


def test_shuffle_tab_draws_a_running_models_shuffle_in_the_papers_order(make_window):
    window = make_window(ModelSpec.create("v1", groups=8, scale=0.5, input_size=96))
    view = window.pages["shuffle"]
    assert "permute the channels" in view.model_state.text()
    view.model_pairs.setCurrentIndex(view.model_pairs.count() - 1)
    view._pick_model_pair()
    channels, groups = view.model_pairs.currentData()
    assert view.diagram.permutation() == shuffle_permutation(channels, groups)
