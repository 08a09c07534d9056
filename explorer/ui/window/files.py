"""Everything the window writes or reads on the user's behalf: PNGs, the layer CSV, taught heads.

Every failure is a message naming the file and what to do; nothing raises into the event loop.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QWidget

from explorer.analysis.complexity import write_layer_csv
from explorer.engine.bundles import backbone_id
from explorer.paths import write_atomically
from explorer.teach import HeadError, load_head, save_head
from explorer.ui.diagram.drawing import save_diagram
from explorer.ui.figures.images import save_png
from explorer.ui.figures.lesson_plot import export_lesson_png, export_widget_png
from explorer.ui.views.sweep_view import rows_csv


def save_rgb_png(array: np.ndarray, path: str) -> bool:
    h, w = array.shape[:2]
    data = np.ascontiguousarray(array)
    return save_png(QImage(data.data, w, h, 3 * w, QImage.Format_RGB888).copy(), path)


class FileActions:
    def __init__(self, window) -> None:
        self.window = window
        self.state = window.state

    def _ask_save(self, title: str, default: str, pattern: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.window, title, default, pattern)
        return path or None

    def _report(self, ok: bool, path: str, why: str = "check the folder exists and is writable") -> bool:
        self.state.say(f"saved {path}" if ok else f"could not save {path}: {why}", error=not ok)
        return ok

    def save_window_png(self, path: str | None = None, widget: QWidget | None = None) -> bool:
        path = path or self._ask_save("Save window", "explorer.png", "PNG (*.png)")
        if not path:
            return False
        return self._report(save_png((widget or self.window).grab(), path), path)

    def save_current(self) -> bool:
        """Ctrl+S: what the tab showing saves (its entry's ``save``), the whole window elsewhere."""
        save = self.window.current_entry().save
        return save(self) if save is not None else self.save_window_png()

    def save_sweep(self, path: str | None = None) -> bool:
        """The FLOPs-vs-latency plot as PNG, and the measured rows beside it as CSV."""
        view = self.window.pages["sweep"]
        if not view.rows:
            self.state.say("no sweep yet: press Run sweep on the FLOPs vs latency tab first")
            return False
        path = path or self._ask_save("Save sweep", "sweep.png", "PNG (*.png)")
        if not path:
            return False
        return self._save_figure(lambda out: export_widget_png(view.plot, out), path, rows_csv(view.rows))

    def _save_figure(self, draw, path: str, csv_text: str) -> bool:
        """``draw(path)`` writes the PNG; the rows go beside it as CSV."""
        csv_path = Path(path).with_suffix(".csv")
        try:
            draw(path)
            write_atomically(csv_path, csv_text)
        except OSError as exc:
            return self._report(False, path, exc.strerror or str(exc))
        self.state.say(f"saved {path} and {csv_path.name}", error=False)
        return True

    def save_lesson(self, path: str | None = None) -> bool:
        """The current lesson's figure as PNG, and its measured rows beside it as CSV."""
        view = self.window.pages["lessons"]
        result = view.current_result()
        if result is None:
            self.state.say("no lesson result yet: press Run on the Lessons tab first")
            return False
        path = path or self._ask_save("Save lesson figure", f"lesson-{result.lesson}.png", "PNG (*.png)")
        if not path:
            return False
        return self._save_figure(lambda out: export_lesson_png(result, out), path, result.rows_csv())

    def save_diagram(self, path: str | None = None) -> bool:
        self.window.pages["diagram"].ensure_current()
        scene = self.window.pages["diagram"].scene
        if scene.diagram is None:
            self.state.say("no diagram yet: wait for the model to load")
            return False
        default = f"diagram-{scene.diagram.spec.arch}.svg"
        path = path or self._ask_save("Save diagram", default, "SVG (*.svg);;PNG (*.png)")
        if not path:
            return False
        try:
            save_diagram(scene, path)
        except (OSError, ValueError) as exc:
            return self._report(False, path, str(exc))
        return self._report(True, path)

    def save_feature_png(self, path: str | None = None) -> bool:
        mosaic = self.window.pages["features"].last_mosaic
        if mosaic is None:
            self.state.say("no feature grid yet: open the Feature maps tab first")
            return False
        path = path or self._ask_save("Save feature grid", "features.png", "PNG (*.png)")
        if not path:
            return False
        return self._report(save_rgb_png(mosaic, path), path)

    def save_layer_csv(self, path: str | None = None) -> bool:
        table = self.window.pages["architecture"].model
        path = path or self._ask_save("Export layer table", "layers.csv", "CSV (*.csv)")
        if not path or table.report is None:
            return False
        try:
            write_layer_csv(path, table.report, table.layer_ms)
        except OSError as exc:
            return self._report(False, path, exc.strerror or str(exc))
        return self._report(True, path)

    def save_head(self, path: str | None = None) -> bool:
        if self.state.head is None:
            self.state.say("no taught head yet: add classes, capture samples and press Train first")
            return False
        path = path or self._ask_save("Save taught head", "taught-head.pt", "Taught head (*.pt)")
        if not path:
            return False
        try:
            save_head(self.state.head, path)
        except OSError as exc:
            return self._report(False, path, exc.strerror or str(exc))
        return self._report(True, path)

    def save_trained_weights(self, kept: str, path: str | None = None) -> bool:
        """A copy of the checkpoint trained in the window (kept in the app's cache) where the user wants it."""
        if not kept or not Path(kept).is_file():
            self.state.say("nothing trained yet: press Train first")
            return False
        path = path or self._ask_save("Save trained weights", "compact-signals.pt", "Checkpoint (*.pt)")
        if not path:
            return False
        try:
            shutil.copyfile(kept, path)
        except OSError as exc:
            return self._report(False, path, exc.strerror or str(exc))
        return self._report(True, path)

    def load_weights(self, path: str | None = None) -> bool:
        """Any checkpoint file into the running model, through the validated weights path."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.window, "Load weights", "", "Checkpoints (*.pt *.pth *.tar);;All files (*)"
            )
        if not path:
            return False
        return self.state.request(weights=path) or True

    def load_head(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.window, "Load taught head", "", "Taught head (*.pt);;All files (*)"
            )
        if not path:
            return False
        bundle = self.state.bundle
        try:
            head = load_head(path)
            head.check_backbone(backbone_id(bundle), bundle.spec.to_dict())
        except HeadError as exc:
            self.state.say(f"head not loaded: {exc}")
            return False
        self.state.set_head(head)
        self.window.pages["teach"].status.setText(f"loaded a head for {', '.join(head.classes)}")
        return True
