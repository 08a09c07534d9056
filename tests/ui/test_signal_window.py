"""The window with the compact net on sensor signals: the scrolling channels, the running
accuracy, heat-strip feature maps, training in the Teach tab, sources of the right kind."""

import os
import re

import numpy as np
import pytest
from PySide6.QtGui import QImage

from explorer.engine.pipeline import FrameResult, Prediction
from explorer.models import ModelSpec
from explorer.sources import inertial
from explorer.sources.signal_stream import SignalSource
from explorer.teach.signal_trainer import train_signals
from explorer.ui.controls.run_box import SOURCE_PRESETS
from explorer.ui.views.live_view import RunningAccuracy
from explorer.weights import load_weights
from tests.ui.main_py import run_main

COMPACT = ModelSpec.create("compact")
WAIT = 60_000


def test_the_live_tab_scrolls_every_channel_with_the_models_window_shaded(make_window, qtbot):
    window = make_window(COMPACT, pace=True)
    qtbot.waitUntil(lambda: window.rendered >= 3, timeout=WAIT)
    live = window.pages["live"]
    assert live.display.currentWidget() is live.signal_plot and live.title.text() == "Activity, top-5"
    plot = live.signal_plot
    assert len(plot.curves) == 9
    for channel in range(9):  # each channel stays in its own lane
        lane = plot.lane_data(channel)
        assert len(lane) == 512 and np.all(np.abs(lane + channel) <= 0.5 + 1e-6) and lane.std() > 0
    low, high = plot.region.getRegion()
    assert (low, high) == pytest.approx((-127 / 50, 0.0))  # the last 128 samples at 50 Hz
    ticks = [name for _, name in plot.getAxis("left")._tickLevels[0]]
    assert ticks == list(inertial.CHANNELS)
    qtbot.waitUntil(lambda: "true activity:" in live.truth_label.text(), timeout=WAIT)
    assert "untrained" in live.truth_label.text()
    assert "Teach tab" in live.notice.text()
    assert window.controls.run_box.source.currentText() == "signal:synthetic"


def make_result(window, top_label, trained=True):
    return FrameResult(window, [Prediction(0, top_label, 0.9)], {}, {}, trained, COMPACT)


def test_running_accuracy_counts_against_the_recordings_labels():
    labels = np.repeat([0, 1], 300)
    source = SignalSource(
        np.random.default_rng(0).normal(size=(600, 9)).astype(np.float32),
        inertial.CHANNELS,
        hop=10,
        labels=labels,
        classes=("walking", "sitting"),
    )
    accuracy = RunningAccuracy()
    window = source.read()  # ends at sample 512: the centre of its last 128 samples is labelled sitting
    assert window.label(128) == "sitting"
    accuracy.count(make_result(window, "sitting"), ["walking", "sitting"])
    accuracy.count(make_result(window, "walking"), ["walking", "sitting"])
    assert (accuracy.right, accuracy.seen) == (1, 2) and "running accuracy 50.0 % over 2 windows" in accuracy.text()
    accuracy.count(make_result(window, "class 0", trained=False), ["class 0", "class 1"])
    assert accuracy.seen == 2 and "untrained" in accuracy.text()
    accuracy.count(make_result(window, "a"), ["a", "b"])
    assert accuracy.seen == 2 and "not the recording's" in accuracy.text()
    unlabelled = SignalSource(source.signals, inertial.CHANNELS).read()
    accuracy.count(make_result(unlabelled, "sitting"), ["walking", "sitting"])
    assert "no labels" in accuracy.text()


@pytest.fixture(scope="module")
def trained_checkpoint(tmp_path_factory):
    train = inertial.windows(inertial.generate(300, seed=0), 128, 32)
    val = inertial.windows(inertial.generate(120, seed=1), 128, 64)
    path = tmp_path_factory.mktemp("signals") / "compact.pt"
    train_signals(train, val, inertial.ACTIVITIES, inertial.CHANNELS, epochs=2).save(path)
    return path


def test_a_trained_model_is_scored_on_every_window_whichever_tab_shows(make_window, qtbot, trained_checkpoint):
    window = make_window(COMPACT)
    window.state.request(weights=str(trained_checkpoint))
    qtbot.waitUntil(lambda: window.engine.bundle.trained, timeout=WAIT)
    window.set_tab("architecture")  # the Live tab is hidden: windows are still counted
    seen = window.pages["live"].accuracy.seen
    qtbot.waitUntil(lambda: window.pages["live"].accuracy.seen > seen + 20, timeout=WAIT)
    assert 0 <= window.pages["live"].accuracy.right <= window.pages["live"].accuracy.seen
    window.set_tab("live")
    qtbot.waitUntil(lambda: "running accuracy" in window.pages["live"].truth_label.text(), timeout=WAIT)
    assert window.pages["live"].predictions.texts()[0] in inertial.ACTIVITIES  # activity names, not "class 3"


def test_feature_maps_of_the_compact_net_are_heat_strips_framed_by_group(make_window, qtbot):
    window = make_window(COMPACT)
    window.set_tab("features")
    assert window.pages["features"].select_tap("blocks.0.before_shuffle")
    qtbot.waitUntil(lambda: window.pages["features"].last_mosaic is not None, timeout=WAIT)
    layout = window.pages["features"].layout_main
    border = layout.border
    assert layout.channels == 64
    assert (layout.cell_height, layout.cell_width) == (9 + 2 * border, 64 + 2 * border)  # time runs to the right
    mosaic = window.pages["features"].last_mosaic
    inside = mosaic[border : border + 9, border : border + 64].astype(int)
    assert np.abs(inside[..., 0] - inside[..., 2]).max() > 30  # a colour map, not grey
    assert (
        window.pages["features"].after_box.isVisible()
        and "time steps x 9 sensor axes" in window.pages["features"].info.text()
    )


def test_the_teach_tab_trains_the_compact_net_and_runs_it_live(make_window, qtbot, tmp_path):
    window = make_window(COMPACT)
    window.set_tab("teach")
    page = window.pages["teach"].signal_page
    assert window.pages["teach"].pages.currentWidget() is page
    page.epochs.setValue(2)
    page.seconds.setValue(200)
    assert page.start()
    assert not page.task.run_button.isEnabled() and page.task.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: window.engine.bundle.trained, timeout=180_000)
    assert window.engine.bundle.labels == list(inertial.ACTIVITIES)
    assert len(page.rows) == 2 and len(page.losses) >= 10 and page.losses[-1][1] < page.losses[0][1]  # the loss fell
    assert "validation accuracy" in page.task.status.text() and os.path.isfile(page.kept)
    assert page.val_curve.getData()[1].tolist() == [row.val_accuracy for row in page.rows]
    saved = tmp_path / "mine.pt"
    assert window.files.save_trained_weights(page.kept, str(saved))
    assert load_weights(COMPACT, str(saved)).labels == list(inertial.ACTIVITIES)


def test_cancelling_training_leaves_the_live_model_as_it_was(make_window, qtbot):
    window = make_window(COMPACT)
    page = window.pages["teach"].signal_page
    page.epochs.setValue(100)
    page.start()
    qtbot.waitUntil(lambda: len(page.losses) > 0, timeout=WAIT)
    page.task.cancel_button.click()
    qtbot.waitUntil(lambda: "cancelled" in page.task.status.text(), timeout=WAIT)
    assert not window.engine.bundle.trained and page.task.run_button.isEnabled() and page.kept is None


def test_the_source_list_follows_the_models_kind_and_the_wrong_kind_is_refused(make_window, qtbot):
    window = make_window(ModelSpec.create("v2", scale=0.5, input_size=96))
    combo = window.controls.run_box.source
    assert combo.itemText(0) == "synthetic"
    window.state.request(spec=COMPACT)
    qtbot.waitUntil(lambda: window.engine.source.input_kind == "signal", timeout=WAIT)
    qtbot.waitUntil(lambda: combo.currentText() == "signal:synthetic", timeout=WAIT)
    assert [combo.itemText(i) for i in range(combo.count())] == SOURCE_PRESETS["signal"]
    window.state.request_source("synthetic:1")
    qtbot.waitUntil(lambda: "gives images, but Compact" in window.full_message, timeout=WAIT)
    assert window.engine.source.input_kind == "signal"


def test_a_bad_recording_is_named_and_the_stream_goes_on(make_window, qtbot, tmp_path):
    window = make_window(COMPACT)
    bad = tmp_path / "broken.csv"
    bad.write_text("acc_x,acc_y\n" + "0.1,0.2\n" * 50 + "0.1,oops\n" + "0.1,0.2\n" * 100)
    window.state.request_source(str(bad))
    qtbot.waitUntil(lambda: "broken.csv: line 52 holds 'oops'" in window.full_message, timeout=WAIT)
    frames = window.rendered
    qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)  # still the synthetic stream
    assert "synthetic activities" in window.engine.source.describe()


def test_the_headless_window_runs_the_compact_net_on_the_synthetic_stream(tmp_path):
    shot = tmp_path / "signals.png"
    proc = run_main(
        "--arch",
        "compact",
        "--source",
        "signal:synthetic",
        "--frames",
        "5",
        "--screenshot",
        str(shot),
        "--threads",
        "1",
    )
    assert proc.returncode == 0, proc.stderr
    assert "Compact ChannelShuffle net @128x9" in proc.stdout and "synthetic activities" in proc.stdout
    width, height = map(int, re.search(r"window (\d+)x(\d+)", proc.stdout).groups())
    assert (QImage(str(shot)).width(), QImage(str(shot)).height()) == (width, height)  # the window as it was
    proc = run_main("--source", "signal:synthetic", "--frames", "2")  # V2 by default: images only
    assert (
        proc.returncode == 2 and "reads images (use --arch compact)" in proc.stderr and "Traceback" not in proc.stderr
    )


def test_compact_weights_stay_with_the_compact_net_switching_to_v2_and_restarting(
    make_window, qtbot, trained_checkpoint
):
    from explorer.app import build_gui_parser
    from explorer.startup import remembered_values, startup_choices
    from explorer.ui.window import settings

    window = make_window(COMPACT)
    state = window.state
    state.request(weights=str(trained_checkpoint))
    qtbot.waitUntil(lambda: window.engine.bundle.trained, timeout=WAIT)
    v2 = ModelSpec.create("v2", scale=0.5, input_size=96)
    errors = []
    state.message.connect(lambda text, error: errors.append(text) if error else None)
    state.request(spec=v2)  # the user picks V2 in the Model box
    qtbot.waitUntil(lambda: window.engine.bundle.spec == v2, timeout=WAIT)
    assert not state.config.weights and not errors  # not carried: no "holds compact-net weights" error
    assert window.controls.weights_box.weights.currentData() != "file"
    settings.save(remembered_values(state, window.current_tab()))  # the window closes: what the next start reopens
    config, _, _ = startup_choices(build_gui_parser().parse_args([]), settings.load())
    assert config.spec.arch == "v2" and not config.weights
    config, _, _ = startup_choices(build_gui_parser().parse_args(["--arch", "compact"]), settings.load())
    assert str(config.weights) == str(trained_checkpoint)
    state.request(spec=COMPACT)  # switching back finds them again
    qtbot.waitUntil(lambda: window.engine.bundle.spec == COMPACT and window.engine.bundle.trained, timeout=WAIT)
    assert str(state.config.weights) == str(trained_checkpoint)


def test_remembered_weights_that_fail_to_load_are_forgotten_on_exit(make_window, qtbot, tmp_path):
    from explorer.startup import remembered_values

    damaged = tmp_path / "compact-signals-damaged.pt"
    damaged.write_bytes(b"PK\x03\x04 half a checkpoint")
    window = make_window(COMPACT)
    said = []
    window.state.message.connect(lambda text, error: said.append(text) if error else None)
    window.state.request(weights=str(damaged))
    qtbot.waitUntil(lambda: any(damaged.name in text for text in said), timeout=WAIT)  # said, naming the file
    assert not window.engine.bundle.trained  # and the net runs on, untrained
    assert remembered_values(window.state, window.current_tab())["weights_by_arch"]["compact"] is None


def test_weights_remembered_from_a_past_start_that_no_longer_load_are_forgotten(tmp_path):
    from explorer.engine.bundles import load_bundle
    from explorer.engine.config import RunConfig
    from explorer.engine.state import AppState
    from explorer.startup import remembered_values

    damaged = tmp_path / "compact-signals-damaged.pt"
    damaged.write_bytes(b"PK\x03\x04 half a checkpoint")
    config = RunConfig(COMPACT, str(damaged), "eager", 1)
    state = AppState(config, "signal:synthetic")
    bundle = load_bundle(config, strict=False, check_agreement=False)  # as a start does with remembered weights
    assert not bundle.trained and damaged.name in bundle.note
    state.set_running(bundle)

    assert remembered_values(state, "live")["weights_by_arch"]["compact"] is None
