import csv
import re

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from explorer.analysis.complexity import analyze
from explorer.engine.pipeline import UNTRAINED_NOTICE
from explorer.models import ModelSpec, shuffle_permutation
from explorer.sources.base import FrameSource, SourceError
from tests.ui.main_py import run_main

WAIT = 60_000  # ms; generous: CI machines are slow and shared


def test_window_opens_on_the_synthetic_source_and_says_when_no_camera(make_window, qtbot, monkeypatch):
    from explorer.sources import camera
    from tests.sources.test_sources import AbsentCamera

    monkeypatch.setattr(camera.cv2, "VideoCapture", AbsentCamera)
    window = make_window()
    assert "synthetic" in window.engine.source.describe()
    window.engine.request_source("camera:7", failure_note="no camera found, showing the synthetic scene")
    qtbot.waitUntil(lambda: "no camera found" in window.full_message, timeout=WAIT)
    assert "synthetic" in window.engine.source.describe()


def test_frames_flow_and_predictions_update_with_an_untrained_notice(make_window, qtbot):
    window = make_window()
    qtbot.waitUntil(lambda: window.rendered >= 3, timeout=WAIT)
    label, prob = window.pages["live"].predictions.rows[0]
    assert label.startswith("(class ")  # untrained: labels shown in parentheses only
    assert 0 < prob <= 1
    assert UNTRAINED_NOTICE in window.pages["live"].notice.text() and window.pages["live"].notice.isVisible()
    assert window.pages["live"].frame_panel.image.image is not None
    qtbot.waitUntil(
        lambda: (
            "inference" in window.pages["live"].latency_label.text()
            and "ms" in window.pages["live"].latency_label.text()
        ),
        timeout=WAIT,
    )


@pytest.mark.parametrize(
    "target",
    [
        ModelSpec.create("v1", groups=8, scale=0.5, input_size=96),
        ModelSpec.create("v1", groups=3, scale=0.25, input_size=96),
        ModelSpec.create("compact"),
    ],
)
def test_changing_the_spec_rebuilds_the_model_and_updates_the_flops(make_window, qtbot, target):
    window = make_window()
    qtbot.waitUntil(lambda: window.rendered >= 1, timeout=WAIT)
    window.state.request(spec=target)
    qtbot.waitUntil(lambda: window.engine.bundle.spec == target, timeout=WAIT)
    qtbot.waitUntil(lambda: window.pages["architecture"].model.report.spec == target, timeout=WAIT)
    expected = analyze(target).totals.madds / 1e6
    assert f"{expected:.1f} MFLOPs" in window.pages["architecture"].totals.text()
    assert f"{expected:.1f} MFLOPs" in window.model_label.text()
    assert window.pages["architecture"].model.rowCount() == len(analyze(target).layers)
    frames = window.rendered
    qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)  # the new model runs


def test_controls_turn_into_specs(make_window, qtbot):
    window = make_window()
    controls = window.controls.model_box
    controls.arch.setCurrentIndex(controls.arch.findData("v1"))
    assert window.state.config.spec.arch == "v1"  # the request is immediate; the build follows
    controls.groups.setCurrentIndex(controls.groups.findData(8))
    qtbot.waitUntil(lambda: window.engine.bundle.spec.groups == 8, timeout=WAIT)
    assert controls.groups.isEnabled()
    controls.shuffle.setChecked(False)
    qtbot.waitUntil(lambda: window.engine.bundle.spec.shuffle is False, timeout=WAIT)
    assert (
        window.engine.bundle.report.totals.madds
        == analyze(window.engine.bundle.spec.with_changes(shuffle=True)).totals.madds
    )
    controls.arch.setCurrentIndex(controls.arch.findData("v2"))
    qtbot.waitUntil(lambda: window.engine.bundle.spec.arch == "v2", timeout=WAIT)
    assert not controls.groups.isEnabled()
    assert "groups apply to V1 only" in controls.explanation.text()


def test_the_video_keeps_running_while_a_model_is_rebuilt(make_window, qtbot, monkeypatch):
    import threading

    from explorer.engine import builder

    window = make_window()
    qtbot.waitUntil(lambda: window.rendered >= 2, timeout=WAIT)
    target = ModelSpec.create("v1", groups=8, scale=2.0, input_size=96)
    rendered_specs = []  # the model behind every frame the window draws, in order
    build_started, release_build = threading.Event(), threading.Event()
    load = builder.load_bundle

    def slow_load(*args, **kwargs):  # holds the build open until the window has drawn old frames meanwhile
        build_started.set()
        release_build.wait(timeout=WAIT / 1000)
        return load(*args, **kwargs)

    monkeypatch.setattr(builder, "load_bundle", slow_load)
    take = window.engine.take_result

    def taking():
        result = take()
        if result is not None:
            rendered_specs.append(result.spec)
        return result

    window.engine.take_result = taking
    window.state.request(spec=target)
    qtbot.waitUntil(build_started.is_set, timeout=WAIT)
    drawn_before = len(rendered_specs)
    qtbot.waitUntil(lambda: len(rendered_specs) >= drawn_before + 3, timeout=WAIT)  # fails if the video froze
    release_build.set()
    qtbot.waitUntil(lambda: target in rendered_specs, timeout=WAIT)
    # frames of the old model were drawn *after* the request and *before* the swap, then only the new model's
    first_new = rendered_specs.index(target)
    assert first_new >= 3 and all(spec != target for spec in rendered_specs[:first_new])
    assert all(spec == target for spec in rendered_specs[first_new:])


@pytest.mark.parametrize("channels,groups", [(12, 3), (16, 4), (24, 8)])
def test_shuffle_view_draws_the_permutation_and_the_connectivity(make_window, channels, groups):
    window = make_window()
    view = window.pages["shuffle"]
    view.set_config(channels, groups)
    assert view.diagram.permutation() == shuffle_permutation(channels, groups)
    assert f"1 of {groups}" in view.off_title.text()
    n = channels // groups
    assert f"{min(n, groups)} of {groups}" in view.on_title.text()
    if n < groups:
        assert "full mixing needs n >= g" in view.on_title.text()
    on = view.on_panel.image.image
    from explorer.analysis.shuffle_flow import stacked_connectivity

    assert on.shape[:2] == (channels, channels)
    assert np.array_equal(on.max(axis=2) > 25, stacked_connectivity(channels, groups, True).astype(bool))
    off = view.off_panel.image.image
    assert np.array_equal(off.max(axis=2) > 25, stacked_connectivity(channels, groups, False).astype(bool))


def test_shuffle_view_explains_an_invalid_pair(make_window):
    window = make_window()
    window.pages["shuffle"].set_config(10, 3)
    assert "divisible" in window.pages["shuffle"].message.text()


def test_feature_maps_show_the_selected_tap_and_the_shuffle_pair(make_window, qtbot):
    window = make_window(ModelSpec.create("v1", groups=3, scale=0.5, input_size=96))
    window.set_tab("features")
    assert window.pages["features"].select_tap("stage3.0.after_shuffle")
    qtbot.waitUntil(
        lambda: window.pages["features"].layout_after is not None and window.pages["features"].last_mosaic is not None,
        timeout=WAIT,
    )
    layout = window.pages["features"].layout_main
    assert layout.channels == 60  # 0.5x g=3 stage 3 bottleneck: 240 / 4
    assert window.pages["features"].after_box.isVisible()
    # click the second cell of the after-shuffle grid: it came from channel perm[1]
    window.pages["features"]._select(
        window.pages["features"].layout_after, layout.cell_width * 1.5, layout.cell_height * 0.5, after=True
    )
    origin = shuffle_permutation(60, 3)[1]
    assert f"came from channel {origin}" in window.pages["features"].large_title.text()


def test_saving_png_and_csv(make_window, qtbot, tmp_path):
    window = make_window()
    qtbot.waitUntil(lambda: window.rendered >= 2, timeout=WAIT)
    png = tmp_path / "window.png"
    assert window.files.save_window_png(str(png))
    image = QImage(str(png))
    assert image.width() == window.width() and image.height() == window.height()
    window.set_tab("features")
    qtbot.waitUntil(lambda: window.pages["features"].last_mosaic is not None, timeout=WAIT)
    grid = tmp_path / "grid.png"
    assert window.files.save_feature_png(str(grid))
    assert QImage(str(grid)).width() == window.pages["features"].last_mosaic.shape[1]
    table = tmp_path / "layers.csv"
    assert window.files.save_layer_csv(str(table))
    rows = list(csv.reader(table.open()))
    assert rows[0][:3] == ["layer", "type", "output"]
    assert len(rows) == len(window.pages["architecture"].model.report.layers) + 2
    assert not window.files.save_layer_csv(str(tmp_path / "missing" / "dir" / "x.csv"))
    assert "could not save" in window.full_message


@pytest.mark.parametrize("kind", ["missing", "empty_folder", "not_an_image", "corrupt_video"])
def test_each_bad_source_gives_a_message_and_the_app_keeps_running(make_window, qtbot, tmp_path, kind):
    if kind == "missing":
        target, fragment = tmp_path / "nope.mp4", "no such"
    elif kind == "empty_folder":
        target, fragment = tmp_path / "empty", "has no images"
        target.mkdir()
    elif kind == "not_an_image":
        target, fragment = tmp_path / "notes.png", "not a readable image"
        target.write_text("this is text, not a PNG")
    else:
        target, fragment = tmp_path / "broken.mp4", "could not be decoded"
        target.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 20)
    window = make_window()
    qtbot.waitUntil(lambda: window.rendered >= 1, timeout=WAIT)
    window.state.request_source(str(target))
    qtbot.waitUntil(lambda: fragment in window.full_message, timeout=WAIT)
    frames = window.rendered
    qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)
    assert "synthetic" in window.engine.source.describe()


class DyingCamera(FrameSource):
    """Delivers a few frames, then fails like an unplugged webcam."""

    name = "camera (stand-in)"
    live = True

    def __init__(self) -> None:
        self.left = 3
        self.text = "camera:1"  # what the source box shows while it runs

    def read(self):
        if self.left == 0:
            raise SourceError("camera (stand-in) stopped delivering frames (unplugged?)")
        self.left -= 1
        return np.zeros((120, 160, 3), np.uint8)


def test_a_camera_that_disappears_falls_back_to_the_synthetic_scene(make_window, qtbot):
    window = make_window(source=DyingCamera())
    assert window.controls.run_box.source.currentText() == "camera:1"
    qtbot.waitUntil(lambda: "unplugged" in window.full_message, timeout=WAIT)
    qtbot.waitUntil(lambda: "synthetic" in window.engine.source.describe(), timeout=WAIT)
    qtbot.waitUntil(
        lambda: window.controls.run_box.source.currentText() == "synthetic", timeout=WAIT
    )  # not the lost camera
    frames = window.rendered
    qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)


def test_headless_switches_run_frames_save_a_screenshot_and_summarise(tmp_path):
    shot = tmp_path / "shot.png"
    proc = run_main(
        *("--source", "synthetic", "--frames", "5", "--screenshot", str(shot), "--arch", "v1"),
        *("--groups", "3", "--scale", "0.5", "--threads", "1"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "frames 5" in proc.stdout and "median inference" in proc.stdout and "V1 0.5x g=3" in proc.stdout
    image = QImage(str(shot))
    width, height = map(int, re.search(r"window (\d+)x(\d+)", proc.stdout).groups())
    assert (image.width(), image.height()) == (width, height) and width >= 600  # the whole window, fitted to the screen


def test_a_bad_source_with_frames_exits_non_zero_with_a_clear_message(tmp_path):
    proc = run_main("--source", str(tmp_path / "missing.avi"), "--frames", "3")
    assert proc.returncode != 0
    assert "bad --source" in proc.stderr and "no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_the_sweep_plots_flops_against_latency_in_the_background(make_window, qtbot):
    window = make_window()
    specs = [ModelSpec.create("v1", groups=g, scale=0.5, input_size=64) for g in (3, 8)] + [
        ModelSpec.create("v2", scale=0.5, input_size=64)
    ]
    window.pages["sweep"].set_current(specs[1])
    window.pages["sweep"].start(specs, runs=2, warmup=1)
    assert window.state.paused  # the live view yields the CPU to the measurement
    qtbot.waitUntil(lambda: not window.pages["sweep"].running and bool(window.pages["sweep"].rows), timeout=WAIT)
    qtbot.waitUntil(lambda: not window.state.paused, timeout=WAIT)
    assert [r.madds for r in window.pages["sweep"].rows] == [analyze(s).totals.madds for s in specs]
    assert window.pages["sweep"].task.progress.value() == 1000
    assert "g=8 has" in window.pages["sweep"].task.status.text()
    names = [item.name() for item in window.pages["sweep"].plot.getPlotItem().listDataItems()]
    assert "current model" in names and "V2 0.5x..2x" in names


def test_the_sweep_takes_the_rivals_and_saves_png_and_csv(make_window, qtbot, tmp_path):
    window = make_window()
    window.set_tab("sweep")
    specs = [
        ModelSpec.create("v2", scale=0.5, input_size=64),
        ModelSpec.create("mobilenet_v1", scale=0.25, input_size=64),
    ]
    window.pages["sweep"].start(specs, runs=2, warmup=1)
    qtbot.waitUntil(lambda: bool(window.pages["sweep"].rows) and not window.pages["sweep"].running, timeout=WAIT)
    names = [item.name() for item in window.pages["sweep"].plot.getPlotItem().listDataItems()]
    assert "the rivals" in names and "V2 0.5x..2x" in names
    assert window.files.save_sweep(str(tmp_path / "sweep.png"))
    lines = (tmp_path / "sweep.csv").read_text().splitlines()
    assert lines[0].startswith("model,arch,") and lines[2].startswith("MobileNetV1 0.25x,mobilenet_v1")
    assert QImage(str(tmp_path / "sweep.png")).width() >= 1000


def test_the_sweep_can_be_cancelled(make_window, qtbot):
    window = make_window()
    small = [ModelSpec.create("v2", scale=0.5, input_size=64)]
    window.pages["sweep"].start(small, runs=2, warmup=1)  # a finished sweep first: its plot must survive
    qtbot.waitUntil(lambda: bool(window.pages["sweep"].rows), timeout=WAIT)
    finished = list(window.pages["sweep"].rows)
    window.pages["sweep"].start([ModelSpec.create("v2", scale=2.0)] * 6, runs=5, warmup=1)
    window.pages["sweep"].cancel()
    qtbot.waitUntil(lambda: "cancelled" in window.pages["sweep"].task.status.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: not window.pages["sweep"].running, timeout=WAIT)  # the thread ends right after saying so
    assert window.pages["sweep"].rows == finished  # a cancelled sweep leaves no half-measured rows behind
    assert window.pages["sweep"].task.run_button.isEnabled() and not window.state.paused


def test_probed_cameras_are_offered_by_name_and_their_entries_open(make_window, monkeypatch):
    from explorer.sources import factory
    from explorer.sources.camera import Camera

    window = make_window()
    window.controls.run_box.set_cameras([Camera(0, "HD Webcam", (640, 480)), Camera(2, "USB Camera")])
    items = [window.controls.run_box.source.itemText(i) for i in range(window.controls.run_box.source.count())]
    assert "camera:0 (HD Webcam, 640x480)" in items and "camera:2@1280x720 (USB Camera)" in items
    assert "camera:1" not in items
    opened = []
    monkeypatch.setattr(factory, "CameraSource", lambda index, size: opened.append((index, size)))
    for item in ("camera:0 (HD Webcam, 640x480)", "camera:2@1280x720 (USB Camera)"):
        factory._open(item)
    assert opened == [(0, (640, 480)), (2, (1280, 720))]


def test_feature_maps_wait_with_a_note_while_onnx_runtime_exports_its_taps(make_window, qtbot, monkeypatch, tmp_path):
    import threading

    from explorer.runtime import onnx_backend

    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path))
    release, real_export = threading.Event(), onnx_backend.export_onnx

    def held_export(*args, **kwargs):  # the taps' export a board takes seconds for, held until released
        if kwargs.get("tapped", True):
            release.wait(60)
        return real_export(*args, **kwargs)

    monkeypatch.setattr(onnx_backend, "export_onnx", held_export)
    window = make_window()
    window.state.request(backend="onnxruntime")
    qtbot.waitUntil(lambda: window.engine.bundle.backend == "onnxruntime", timeout=WAIT)
    assert not window.engine.bundle.runner.taps_ready  # the Live tab did not export them
    window.set_tab("features")
    qtbot.waitUntil(lambda: "waiting for its feature maps" in window.pages["features"].grid_title.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: "exporting the feature taps" in window.full_message, timeout=WAIT)
    rendered = window.rendered
    qtbot.waitUntil(lambda: window.rendered > rendered + 2, timeout=WAIT)  # the predictions go on meanwhile
    assert window.pages["features"].last_mosaic is None
    release.set()
    qtbot.waitUntil(lambda: window.pages["features"].last_mosaic is not None, timeout=WAIT)
    assert "every channel" in window.pages["features"].grid_title.text()
    qtbot.waitUntil(lambda: "exporting" not in window.full_message, timeout=WAIT)


def test_a_long_error_is_shown_whole_above_the_tabs_and_short_in_the_status_bar(make_window):
    window = make_window()
    fix = (
        "cannot download https://download.pytorch.org/models/shufflenetv2_x1-5666bf0f80.pth (no network): copy that "
        "file into /home/someone/.cache/torch/hub/checkpoints/ and press Download again"
    )
    window.state.say(fix)
    assert window.banner.isVisible() and window.banner.text.text() == fix and window.banner.text.wordWrap()
    status = window.message_label.text()
    assert (
        len(status) < len(fix)
        and status.endswith("(full message above the tabs)")
        and window.message_label.toolTip() == fix
    )
    window.state.say("short and done", error=False)  # a note does not replace the error's banner
    assert window.message_label.text() == "short and done" and window.banner.isVisible()


def test_large_fonts_reach_every_label_plot_and_drawing_and_switch_back_exactly(make_window, qtbot):
    from explorer.ui.base.font_scale import LARGE_FACTOR

    window = make_window()
    app = QApplication.instance()
    original_font = app.font()
    base = original_font.pointSizeF()
    app.setStyleSheet(
        "QLabel#metric { font-size: 13pt; font-weight: bold; } QLabel#heading { font-size: 12pt; font-weight: bold; }"
    )
    app.setProperty("explorer_base_style", None)
    fps, heading = window.pages["live"].fps_label, window.pages["live"].title
    before = (fps.font().pointSizeF(), fps.font().bold(), heading.font().pointSizeF(), heading.font().bold())
    controls_before = window.controls.minimumSizeHint()
    window.set_large_fonts(True)
    assert fps.font().pointSizeF() == pytest.approx(13 * LARGE_FACTOR) and fps.font().bold()
    assert heading.font().pointSizeF() == pytest.approx(12 * LARGE_FACTOR)
    assert window.pages["shuffle"].diagram.font().pointSizeF() == pytest.approx(
        base * LARGE_FACTOR
    )  # the custom drawing paints with it
    assert window.pages["live"].plot.getPlotItem().getAxis("left").style["tickFont"].pointSizeF() == pytest.approx(
        base * LARGE_FACTOR
    )
    window.set_large_fonts(False)
    assert (fps.font().pointSizeF(), fps.font().bold(), heading.font().pointSizeF(), heading.font().bold()) == before
    assert window.pages["live"].plot.getPlotItem().getAxis("left").style["tickFont"].pointSizeF() == pytest.approx(base)
    # back exactly once Qt has laid the panel out again: no panel left wider
    qtbot.waitUntil(lambda: window.controls.minimumSizeHint().width() == controls_before.width(), timeout=WAIT)
    app.setStyleSheet("")
    app.setProperty("explorer_base_style", None)
    app.setProperty("explorer_base_pt", None)
    app.setFont(original_font)


def test_no_camera_stays_said_in_the_source_box_and_fixed_groups_are_named(make_window, qtbot):
    window = make_window()
    run_box = window.controls.run_box
    run_box.set_cameras([])
    window.state.say("auto: measuring backends", error=False)  # later status messages do not hide it
    assert "no camera found" in run_box.source_status.text()

    box = window.controls.model_box
    for spec, groups_text, shuffle_on in (
        (ModelSpec.create("compact"), "8/8/16/16 (fixed)", True),
        (ModelSpec.create("mobilenet_v1", scale=0.5, input_size=96), "none (no groups)", False),
        (ModelSpec.create("v2", scale=0.5, input_size=96), "2 (fixed)", True),
    ):
        window.state.request(spec=spec)
        assert box.groups.placeholderText() == ""  # nothing claimed before that model runs
        # named once that model runs (its tap table is built off the UI thread)
        qtbot.waitUntil(lambda text=groups_text: box.groups.placeholderText() == text, timeout=WAIT)
        assert window.state.bundle.spec == spec and box.groups.currentIndex() == -1
        assert box.shuffle.isChecked() == shuffle_on and box.shuffle.isEnabled() == shuffle_on
        assert box.current_spec() == spec  # what the box shows asks for the same model


def test_the_teach_tab_neither_widens_the_window_nor_moves_its_buttons_while_capturing(make_window, qtbot):
    window = make_window()
    window.resize(1400, 860)
    width = window.width()
    window.set_tab("teach")
    teach = window.pages["teach"]
    qtbot.waitUntil(lambda: teach.prediction.text() != "-", timeout=WAIT)
    assert window.width() == width
    before = teach.capture_button.geometry()
    teach.capturing = "a class with a long name for the demo"  # what start_capture sets; the label grows
    qtbot.waitUntil(lambda: "a long name for the demo" in teach.prediction.text(), timeout=WAIT)
    # the relayout the longer text asked for, done now (not a fixed wait that could pass before it)
    QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
    assert window.width() == width and teach.capture_button.geometry() == before
    teach.capturing = None


def test_auto_still_reaches_onnx_runtime_over_a_damaged_export_cache_and_says_so(
    make_window, qtbot, tmp_path, auto_candidates
):
    from explorer.runtime import onnx_backend

    auto_candidates("onnxruntime")
    onnx_backend._MEMORY.clear()  # another test's export of this model must not stand in for this cache's file
    window = make_window(backend="auto")
    qtbot.waitUntil(lambda: window.engine.bundle.backend == "onnxruntime", timeout=WAIT)
    window.close()
    cached = sorted((tmp_path / "cache" / "onnx").glob("*.onnx"))
    assert cached
    for path in cached:
        path.write_bytes(path.read_bytes()[:1000])  # a crash mid-write in an older version, or a full disk
    onnx_backend._MEMORY.clear()  # a new start: only the disk is left
    said = []
    window = make_window(backend="auto")
    window.state.message.connect(lambda text, error: said.append(text))
    qtbot.waitUntil(
        lambda: window.engine.bundle.backend == "onnxruntime", timeout=WAIT
    )  # the damage cost time, not the feature
    qtbot.waitUntil(lambda: any("cached ONNX export" in text for text in said), timeout=WAIT)
    assert any(cached[0].name in text and "exported again" in text for text in said)
    assert any(p.with_suffix(".onnx.bad").is_file() for p in cached)  # set aside, not deleted


@pytest.mark.parametrize("damage", ["truncated", "garbage", "other_kind", "missing"])
def test_a_damaged_head_file_is_said_and_the_window_keeps_running(make_window, qtbot, tmp_path, damage):
    window = make_window()
    path = tmp_path / "head.pt"
    if damage == "truncated":
        import torch

        torch.save({"format": "shufflenet-explorer-head", "classes": ["a", "b"], "weight": torch.zeros(2, 8)}, path)
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff" * 500)
    elif damage == "other_kind":
        path.write_text("a text file named like a head")
    frames = window.rendered
    assert not window.files.load_head(str(path))
    assert "head not loaded" in window.full_message and "head.pt" in window.full_message and window.banner.isVisible()
    assert window.state.head is None
    qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)  # the video goes on


def test_a_garbled_settings_file_never_stops_a_start(tmp_path, monkeypatch):
    from explorer.app import build_gui_parser
    from explorer.startup import startup_choices
    from explorer.ui.window import settings

    ini = tmp_path / "s.ini"
    monkeypatch.setenv("EXPLORER_SETTINGS", str(ini))
    ini.write_bytes(b'\x00\x01\xff[General\narch="unterminated\ngroups=\x89PNG\nbackend=@Variant(\x00\x00\x7f)\n' * 20)
    remembered = settings.load()
    config, _, tab = startup_choices(build_gui_parser().parse_args([]), remembered)
    assert config.spec.arch in ("v1", "v2") and tab == "live"
    assert remembered["problems"]  # what was ignored is said
