"""A pyqtgraph image panel: an ImageItem in a locked-aspect ViewBox, fed row-major uint8 RGB."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from explorer.paths import atomic_path
from explorer.ui.base.contrast import AXIS_TEXT

# no antialiasing: smooth curves are not worth the stroking cost on a live UI thread; axis text
# and titles light enough to read on the plots' dark background
pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, foreground=AXIS_TEXT)


def save_png(image, path) -> bool:
    """A QImage or QPixmap as a PNG, written atomically (a temporary file, then replaced): a crash
    mid-save leaves the old file or the new one.  False if it could not be written."""
    try:
        with atomic_path(path) as temp:
            if not image.save(str(temp), "PNG"):
                raise OSError(f"could not write {path}")
    except OSError:
        return False
    return True


class _ClickableImage(pg.ImageItem):
    """An ImageItem that hands its clicks to a callback (pyqtgraph's way: override mouseClickEvent)."""

    def __init__(self, on_click, **options) -> None:
        super().__init__(**options)
        self._on_click = on_click

    def mouseClickEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._on_click(event)


class ImagePanel(pg.GraphicsLayoutWidget):
    clicked = Signal(float, float)  # image pixel coordinates (x, y)

    def __init__(self, parent=None, title: str | None = None) -> None:
        super().__init__(parent)
        self.setBackground("#202020")
        self.view = self.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        if title:
            self.view.setMenuEnabled(False)
        self.image = _ClickableImage(self._on_click, axisOrder="row-major")
        self.view.addItem(self.image)
        self._shape: tuple[int, ...] | None = None

    def show_image(self, array: np.ndarray) -> None:
        """Show an RGB (or grey) uint8 array; refit the view only when the shape changes."""
        self.image.setImage(array, autoLevels=False, levels=(0, 255))
        if array.shape != self._shape:
            self._shape = array.shape
            self.view.autoRange(padding=0.01)

    def show_float(self, array: np.ndarray) -> None:
        """Show one float channel with its own min/max as levels."""
        low, high = float(array.min()), float(array.max())
        self.image.setImage(array, autoLevels=False, levels=(low, high if high > low else low + 1))
        if array.shape != self._shape:
            self._shape = array.shape
            self.view.autoRange(padding=0.01)

    def _on_click(self, event) -> None:
        pos = event.pos()
        self.clicked.emit(pos.x(), pos.y())
        event.accept()
