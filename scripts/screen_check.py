"""The window on the screen it runs on, as a person sees it: geometry facts and screenshots.

    Xvfb :9 -screen 0 800x480x24 &  DISPLAY=:9 QT_QPA_PLATFORM=xcb python scripts/screen_check.py OUT_DIR
    (also: 1024x600, 1280x720, and 1920x1080 with QT_SCALE_FACTOR=2)
        [--large-fonts] [--controls] [--tabs] [--present] [--lesson NAME [--quick]]

Opens the window as main.py does (V2 1x, synthetic scene, the size it picks for this screen), and
prints one JSON line: the screen's available area (logical px), the window's geometry, whether it
lies inside the screen, the share of the window the Live tab's frame takes, whether the top-5 and
the fps are wholly on screen.  Saves live.png, with --tabs every tab, with --present presentation
mode (and its facts), with --lesson that lesson run here and shown on the Lessons tab
(lesson-NAME.png), grabbing the whole screen: what is checked is what a person would see.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import harness  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    flags = set(sys.argv[2:])
    from PySide6.QtWidgets import QApplication

    from explorer.engine.config import RunConfig
    from explorer.models import ModelSpec
    from explorer.ui.base.screen_fit import available_area, live_layout_facts
    from explorer.ui.window.tabs import TAB_NAMES

    lesson = None
    if "--lesson" in flags:  # run first, alone: beside the running window it would time the video too
        from explorer.lessons import run_lesson

        name = sys.argv[sys.argv.index("--lesson") + 1]
        lesson = run_lesson(name, threads=2, quick="--quick" in flags)
    app = harness.qt_app()
    app.setStyleSheet((Path(__file__).resolve().parent.parent / "resources/style.qss").read_text())
    window = harness.open_window(RunConfig(ModelSpec.create("v2"), backend="channels_last", threads=1), size=None)
    window.show_on_screen()
    if "--controls" in flags:
        window.controls_dock.show()
    if "--large-fonts" in flags:
        window.set_large_fonts(True)
    harness.run_for(3)
    screen = QApplication.primaryScreen()
    area = available_area(window)

    def shoot(name: str) -> None:
        harness.run_for(1.0)
        screen.grabWindow(0).save(str(out / f"{name}.png"))

    facts = {"scale": screen.devicePixelRatio(), **live_layout_facts(window, area)}
    shoot("live")
    if "--tabs" in flags:
        for name in TAB_NAMES[1:]:
            window.set_tab(name)
            shoot(name)
        window.set_tab("live")
    if lesson is not None:
        window.pages["lessons"].show_lesson_result(lesson)
        window.set_tab("lessons")
        shoot(f"lesson-{lesson.lesson}")
        window.set_tab("live")
    if "--present" in flags:
        window.set_presenting(True)
        harness.run_for(1.5)
        facts["presenting"] = live_layout_facts(window, area)
        shoot("present")
        window.set_presenting(False)
    print(json.dumps(facts))
    window.close()
    window.engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
