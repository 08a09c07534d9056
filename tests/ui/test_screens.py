"""The window on the screens its users have: a Pi's 7" touchscreen, a 7" HDMI panel, a projector,
a laptop at 200 %; presentation mode; touch-sized controls; what the window remembers of its layout."""

import json
import re

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QSpinBox, QWidget

from explorer.ui.base.font_scale import touch_targets
from explorer.ui.base.screen_fit import TOUCH_TARGET_PX, live_layout_facts, shown_rect
from tests.ui.main_py import run_main

WAIT = 60_000
SCREENS = {"pi-touchscreen": (800, 480), "hdmi-panel": (1024, 600), "projector": (1280, 720), "laptop-200%": (960, 540)}


def fit(window, qtbot, width: int, height: int) -> QRect:
    screen = QRect(0, 0, width, height)
    window.fit_to_screen(screen)
    qtbot.waitUntil(lambda: window.width() <= width and window.height() <= height, timeout=WAIT)
    qtbot.waitUntil(lambda: window.rendered >= 2, timeout=WAIT)
    return screen


def area(widget: QWidget) -> int:
    rect = shown_rect(widget)
    return rect.width() * rect.height()


@pytest.mark.parametrize("large_fonts", [False, True], ids=["normal", "large-fonts"])
@pytest.mark.parametrize("name", list(SCREENS))
def test_the_window_fits_the_screen_and_the_frame_is_the_largest_thing_on_the_live_tab(
    make_window, qtbot, name, large_fonts
):
    window = make_window()
    try:
        window.set_large_fonts(large_fonts)
        screen = fit(window, qtbot, *SCREENS[name])
        qtbot.waitUntil(lambda: live_layout_facts(window, screen)["top5_shown"], timeout=WAIT)
        facts = live_layout_facts(window, screen)
        assert facts["window_inside_screen"], facts
        assert (
            window.minimumSizeHint().width() <= screen.width() and window.minimumSizeHint().height() <= screen.height()
        )
        assert facts["frame_share"] >= 0.5 and facts["top5_shown"] and facts["fps_shown"], facts
        assert not facts["controls_shown"]  # folded on a small screen: one button brings them back
        stage = window.pages["live"].stage
        others = [
            w
            for w in window.findChildren(QWidget)
            if w.isVisible() and not w.isAncestorOf(stage) and not stage.isAncestorOf(w) and w is not stage
        ]
        biggest = max(others, key=area)
        assert area(stage) > area(biggest), biggest
    finally:
        window.set_large_fonts(False)
        window.set_touch(False)


def test_presentation_mode_shows_the_frame_and_the_top5_and_gives_the_window_back(make_window, qtbot):
    window = make_window()
    fit(window, qtbot, 1280, 720)
    window.set_tab("architecture")
    dock_before = window.controls_dock.isVisible()
    window.actions_by_name["present"].trigger()  # F11
    live = window.pages["live"]
    assert window.isFullScreen() and window.current_tab() == "live"
    assert not any(w.isVisible() for w in (window.menuBar(), window.statusBar(), window.controls_dock))
    assert not window.tabs.tabBar().isVisible() and not live.side_widget.isVisible()
    frames = window.rendered
    qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)
    overlay = live.stage.overlay
    assert overlay.isVisible() and len(overlay.rows) == 5 and "fps" in overlay.fps_text
    bundle = window.state.bundle
    caption = live.stage.caption.text()
    assert bundle.spec.label in caption and live.timed_on in caption  # the model and its backend, from the model
    assert live.stage.leave.isVisible()  # a touchscreen has no Escape key
    window.actions_by_name["leave_presentation"].trigger()  # Escape
    assert not window.isFullScreen() and window.current_tab() == "architecture"
    assert window.menuBar().isVisible() and window.statusBar().isVisible() and window.tabs.tabBar().isVisible()
    assert window.controls_dock.isVisible() == dock_before
    assert not window.actions_by_name["leave_presentation"].isEnabled()  # Escape is free again
    window.set_presenting(True)
    live.stage.leave.click()
    assert not window.presentation.on and not window.isFullScreen()


def test_touch_targets_on_a_7_inch_panel(make_window, qtbot):
    window = make_window()
    try:
        fit(window, qtbot, 800, 480)  # a panel this size turns touch targets on by itself
        assert window.actions_by_name["touch"].isChecked()
        window.controls_dock.show()
        qtbot.waitUntil(lambda: window.controls.model_box.arch.height() >= TOUCH_TARGET_PX, timeout=WAIT)
        controls = [
            w
            for w in window.findChildren(QWidget)
            if isinstance(w, QAbstractButton | QComboBox | QSpinBox) and w.isVisible() and w.isEnabled()
        ]
        assert len(controls) > 10
        small = [(type(w).__name__, w.text() if hasattr(w, "text") else "", w.height()) for w in controls]
        small = [c for c in small if c[2] < TOUCH_TARGET_PX]
        assert not small, small
        assert window.tabs.tabBar().height() >= TOUCH_TARGET_PX
        corners = window.corner_buttons  # every tab and presentation mode without a key or a hover
        assert {"controls", "tabs", "present", "help"} <= set(corners)
        assert all(button.text() for button in corners.values())
        assert len(corners["tabs"].menu().actions()) == window.tabs.count()
    finally:
        window.set_touch(False)


def test_the_controls_fold_with_one_button_and_the_choice_is_remembered(make_window, qtbot, tmp_path):
    from explorer.ui.window import settings

    window = make_window()
    button = window.corner_buttons["controls"]
    assert window.controls_dock.isVisible() and button.isChecked()
    button.click()
    assert not window.controls_dock.isVisible() and not button.isChecked()
    settings.save(window.view_settings())
    remembered = settings.load()
    assert remembered["controls"] is False and not remembered["problems"]
    again = make_window()
    again.restore_view(remembered)
    assert not again.controls_dock.isVisible()
    window.actions_by_name["controls"].trigger()  # F9
    assert window.controls_dock.isVisible() and button.isChecked()


def test_a_damaged_layout_setting_is_dropped_and_said(tmp_path):
    from explorer.ui.window import settings

    store = settings.store()
    store.setValue("controls", "sideways")
    store.sync()
    remembered = settings.load()
    assert "controls" not in remembered and any("controls" in p for p in remembered["problems"])


@pytest.mark.parametrize("present", [False, True], ids=["window", "presenting"])
def test_main_py_opens_within_a_small_screen(tmp_path, present):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "pi", "x": 0, "y": 0, "width": 800, "height": 480}]}))
    shot = tmp_path / "shot.png"
    args = ["--source", "synthetic", "--frames", "3", "--threads", "1", "--screenshot", str(shot)]
    proc = run_main(
        *args, *(["--present"] if present else []), env_extra={"QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    )
    assert proc.returncode == 0, proc.stderr
    width, height = map(int, re.search(r"window (\d+)x(\d+)", proc.stdout).groups())
    assert width <= 800 and height <= 480 and width >= 700 and height >= 400


@pytest.mark.parametrize("large", [False, True], ids=["normal fonts", "large fonts"])
@pytest.mark.parametrize("screen", [(1400, 900), (800, 480)], ids=["1400x900", "800x480"])
def test_the_backend_box_shows_its_whole_choice(make_window, qtbot, large, screen):
    window = make_window()
    fit(window, qtbot, *screen)
    window.controls_dock.show()
    window.set_large_fonts(large)
    box = window.controls.run_box.backend
    box.setCurrentIndex(0)  # auto, the default and the longest title
    qtbot.waitUntil(lambda: box.isVisible() and box.width() > 100, timeout=WAIT)
    room = box.width() - box.style().pixelMetric(box.style().PixelMetric.PM_ScrollBarExtent) - 16  # arrow, padding
    assert box.fontMetrics().horizontalAdvance(box.currentText()) <= room, (box.currentText(), box.width())
    window.set_large_fonts(False)


@pytest.mark.parametrize("name", ["pi-touchscreen", "laptop-200%"])
def test_the_controls_shown_on_a_small_screen_fit_beside_the_tabs_scrolling_sideways(make_window, qtbot, name):
    window = make_window()
    try:
        screen = fit(window, qtbot, *SCREENS[name])
        assert not window.controls_dock.isVisible()  # folded on a small screen
        assert touch_targets() is not None  # a panel this size turns touch sizes on: the dock loses its close button
        window.corner_buttons["controls"].click()  # one button brings them back (a touch dock has no close button)
        assert window.controls_dock.isVisible() and window.actions_by_name["controls"].isChecked()
        window.actions_by_name["controls"].trigger()  # F9 folds them again
        assert not window.controls_dock.isVisible()
        window.actions_by_name["controls"].trigger()
        assert window.minimumSizeHint().width() <= screen.width()  # the window can stay on the screen
        scroll = window.controls_scroll
        needed = window.controls.minimumSizeHint().width()
        if scroll.minimumWidth() < needed:  # not all of them fit: they scroll sideways instead of being cut
            assert scroll.horizontalScrollBarPolicy() == Qt.ScrollBarAsNeeded
    finally:
        window.set_touch(False)
