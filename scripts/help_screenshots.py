"""Screenshots of the Help menu and the Get trained weights dialog (V1 and V2), as a user sees them.

    xvfb-run -a -s "-screen 0 1400x900x24" python scripts/help_screenshots.py OUT_DIR [--large-fonts]

Grabs the whole screen (the window, the open menu, the dialog on top), so what is checked is what
a person would see, popups included.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import harness  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtWidgets import QApplication

    from explorer.engine.config import RunConfig
    from explorer.models import ModelSpec

    app = harness.qt_app()
    window = harness.open_window(RunConfig(ModelSpec.create("v1", groups=3), backend="channels_last", threads=1))
    window.resize(1400, 860)
    if "--large-fonts" in sys.argv:
        window.set_large_fonts(True)
    suffix = "-large" if "--large-fonts" in sys.argv else ""
    harness.run_for(3)

    def shoot(name: str) -> None:
        harness.run_for(0.8)
        QApplication.primaryScreen().grabWindow(0).save(str(out / f"{name}{suffix}.png"))

    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    help_action = next(a for a in window.menuBar().actions() if a.text() == "&Help")
    menu.popup(window.mapToGlobal(window.menuBar().actionGeometry(help_action).bottomLeft()))
    shoot("help-menu")
    menu.hide()
    for arch in ("v1", "v2"):
        window.open_help("weights")
        dialog = window.help_dialog
        dialog.arch.setCurrentIndex(dialog.arch.findData(arch))
        dialog.move(window.geometry().center() - dialog.rect().center())
        shoot(f"weights-{arch}")
        dialog.close()
    window.set_tab("shuffle")
    window.open_help("tab")
    shoot("help-tab")
    window.help_dialog.close()
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
