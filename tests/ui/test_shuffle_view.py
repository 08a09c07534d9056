"""The Channel shuffle tab with the compact net: its own (C, g) pairs and why its shuffles change nothing."""

from explorer.models import ModelSpec
from explorer.models.shuffle import shuffle_permutation


def test_the_shuffle_tab_lists_the_compact_nets_pairs_and_shows_the_absorption(make_window):
    window = make_window(ModelSpec.create("compact"))
    view = window.pages["shuffle"]
    pairs = [view.model_pairs.itemData(i) for i in range(view.model_pairs.count())]
    assert pairs == [(64, 8), (128, 8), (256, 16), (512, 16)]
    view.model_pairs.setCurrentIndex(3)
    view._pick_model_pair()
    assert view.diagram.permutation() == shuffle_permutation(512, 16)
    assert not view.absorbed.isHidden() and "same outputs" in view.absorbed.text()
    difference = float(view.absorbed.text().split("max |Δ| = ")[1].split(" ")[0])
    assert difference < 1e-4


def test_turning_the_spin_boxes_redraws_the_papers_shuffle_for_that_c_and_g(make_window):
    window = make_window()
    view = window.pages["shuffle"]
    view.groups_spin.setValue(4)
    view.channels_spin.setValue(16)  # as a user turns them: each sends its value
    assert (view.diagram.channels, view.diagram.groups) == (16, 4)
    assert view.diagram.permutation() == shuffle_permutation(16, 4)
    assert "(k mod 4)·4 + k div 4" in view.message.text()
