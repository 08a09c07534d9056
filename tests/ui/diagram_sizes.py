"""Child of tests/ui/test_diagram_view.py: the Diagram tab's drawing fitted at many canvas sizes;
prints "settled at every size" when no size keeps resizing the view."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import harness  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

from explorer.engine.config import RunConfig  # noqa: E402
from explorer.models import ModelSpec  # noqa: E402


def main() -> int:
    window = harness.open_window(RunConfig(ModelSpec.create("v2", scale=0.5, input_size=96), None, "eager", 1))
    window.set_tab("diagram")
    diagram = window.pages["diagram"]
    if not harness.wait_for(lambda: bool(diagram.scene.node_boxes()), timeout=60):
        print("the diagram was never drawn")
        return 1
    diagram.level.setCurrentIndex(diagram.level.findText("stages"))  # a short drawing: it nearly fits
    canvas = diagram.canvas
    resizes = []
    canvas.resized.connect(lambda: resizes.append(1))
    restless = []
    for width in range(420, 900, 23):  # every size a window could give it, not just the one that froze
        for height in range(160, 760, 9):
            canvas.setFixedSize(width, height)
            for _ in range(3):
                QCoreApplication.processEvents()
            resizes.clear()
            for _ in range(5):  # a settled view resizes no more
                QCoreApplication.processEvents()
            if resizes:
                restless.append((width, height, len(resizes)))
    window.close()
    print(f"restless at {restless[:5]}" if restless else "settled at every size")
    return 1 if restless else 0


if __name__ == "__main__":
    raise SystemExit(main())
