"""The board window: live frames and feature maps from the cached export; a torch view opens the
full window, loaded off the UI thread while the video goes on."""

import threading

import pytest

from explorer.board.runner import load_board_model
from explorer.board_app import FullWindowUpgrade
from explorer.engine.board_export import write_board_export
from explorer.engine.config import RunConfig
from explorer.models.spec import ModelSpec
from explorer.runtime import registry
from explorer.sources import open_source
from explorer.ui.window.board_window import MORE_VIEWS, BoardWindow


@pytest.fixture
def board_window(qtbot):
    opened = []

    def open_window(**spec):
        window = _board_window(qtbot, **spec)
        opened.append(window)
        return window

    yield open_window
    for window in opened:
        window.stop()  # no loop thread outlives its test


def _board_window(qtbot, **spec):
    config = RunConfig(
        ModelSpec.create("v1", scale=0.5, input_size=96, **spec), backend=registry.reference().name, threads=1
    )
    export = write_board_export(config, config.backend)
    window = BoardWindow(export, load_board_model(export, threads=1), open_source("synthetic"))
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def test_the_feature_maps_tab_shows_the_tap_the_user_picks_with_the_models_own_permutation(qtbot, board_window):
    window = board_window(groups=3)
    qtbot.waitUntil(lambda: window.rendered >= 2)
    assert "1 thread" in window.path_line.text() and window.export.label in window.path_line.text()
    after = next(i for i, t in enumerate(window.export.taps) if t["name"].endswith("after_shuffle"))
    window.tabs.setCurrentIndex(1)
    window.tap_box.setCurrentIndex(after)
    qtbot.waitUntil(lambda: "after the shuffle" in window.maps_note.text())
    tap = window.export.taps[after]
    assert f"{tap['channels']} channels of {tap['name']}" in window.maps_note.text()
    assert tap["permutation"] and sorted(tap["permutation"]) == list(range(tap["channels"]))
    window.tabs.setCurrentIndex(0)
    assert window.loop.tap is None  # the live tab runs the lean model again


def test_without_the_shuffle_the_feature_maps_say_no_shuffle_happened(qtbot, board_window):
    window = board_window(groups=3, shuffle=False)
    after = next(i for i, t in enumerate(window.export.taps) if t["name"].endswith("after_shuffle"))
    window.tabs.setCurrentIndex(1)
    window.tap_box.setCurrentIndex(after)
    qtbot.waitUntil(lambda: "channels of" in window.maps_note.text())
    assert "shuffle is off" in window.maps_note.text()  # asked of the model: its permutation is the identity


def test_opening_a_torch_view_loads_it_off_the_ui_thread_while_the_video_goes_on(qtbot, board_window):
    window = board_window(groups=3)
    upgrade = FullWindowUpgrade(window)
    release, loaders = threading.Event(), []

    def load(progress, cancel):
        loaders.append(threading.current_thread())
        assert release.wait(120), "the test never released the load"
        return upgrade.load(progress, cancel)

    window.load_full, window.open_full = load, upgrade.open
    qtbot.waitUntil(lambda: window.rendered >= 2)
    window.tabs.setCurrentIndex(window.tabs.count() - 1)
    assert window.tabs.tabText(window.tabs.currentIndex()) == MORE_VIEWS
    assert window.loader.running and window.more_progress.isVisible()
    assert "loading torch" in window.path_line.text()
    before = window.rendered
    qtbot.waitUntil(lambda: window.rendered >= before + 5)  # frames keep coming while the load runs
    release.set()
    qtbot.waitUntil(lambda: upgrade.run is not None, timeout=120_000)
    run = upgrade.run
    try:
        assert loaders[0] is not threading.main_thread()
        assert not window.isVisible() and run.window.isVisible()
        assert run.engine.bundle.spec.label == window.export.label  # the same model, now with torch
        assert run.engine.source is window.source  # the same camera, not reopened
        assert run.window.current_tab() == "shuffle"
        qtbot.waitUntil(lambda: run.window.rendered >= 1, timeout=60_000)
    finally:
        run.engine.stop()
        run.window.close()
