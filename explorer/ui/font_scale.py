"""Large fonts for a classroom, reversibly: one point size for the whole window.

Qt propagates the application font to every widget that has not set its own, and the style
sheet's sizes (headings, the fps numbers) are scaled with it, so switching back restores them
exactly.  pyqtgraph axes and legends set their own fonts, so they are told here; custom-drawn
views (the shuffle drawing, the diagram) read ``font()`` when they paint or lay out.
"""

from __future__ import annotations

import re

import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

LARGE_FACTOR = 1.5  # 10 pt -> 15 pt: readable from the back of a classroom
_STYLE_KEY, _BASE_KEY = "explorer_base_style", "explorer_base_pt"


def point_size() -> float:
    """The window's text size now (the platform's, or 1.5 times it in large-font mode)."""
    app = QApplication.instance()
    size = app.font().pointSizeF() if app is not None else -1
    return size if size > 0 else 10.0


def font_scale_factor() -> float:
    """1.0 normally, LARGE_FACTOR in large-font mode: for drawings sized in pixels."""
    app = QApplication.instance()
    base = app.property(_BASE_KEY) if app is not None else None
    return point_size() / float(base) if base else 1.0


def set_axis_label(plot: pg.PlotItem, side: str, text: str) -> None:
    """An axis title at the window's text size (figures redrawn in large-font mode stay large)."""
    plot.setLabel(side, text, **{"font-size": f"{point_size():g}pt"})


def scaled_style(style: str, factor: float) -> str:
    """``style`` with every "<n>pt" multiplied by ``factor``."""
    return re.sub(r"(\d+(?:\.\d+)?)pt", lambda m: f"{float(m.group(1)) * factor:g}pt", style)


def set_large_fonts(on: bool) -> float:
    """Every text in the app at 1.5x (``on``) or exactly as it started; returns the point size."""
    app = QApplication.instance()
    if app.property(_BASE_KEY) is None:  # the first switch remembers what "normal" is
        app.setProperty(_STYLE_KEY, app.styleSheet())
        app.setProperty(_BASE_KEY, app.font().pointSizeF())
    base_pt, factor = float(app.property(_BASE_KEY)), LARGE_FACTOR if on else 1.0
    font = app.font()
    font.setPointSizeF(base_pt * factor)
    app.setFont(font)
    app.setStyleSheet(scaled_style(app.property(_STYLE_KEY), factor))
    for widget in app.allWidgets():
        if isinstance(widget, pg.PlotWidget):
            scale_plot(widget.getPlotItem(), base_pt * factor)
    return base_pt * factor


def scale_plot(plot: pg.PlotItem, size: float) -> None:
    """Tick labels, axis titles and the legend of ``plot`` at ``size`` points."""
    font = QApplication.instance().font()
    font.setPointSizeF(size)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=font)
        if axis.labelText or axis.labelUnits:
            axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix, **{"font-size": f"{size:g}pt"})
    if plot.legend is not None:
        plot.legend.setLabelTextSize(f"{size:g}pt")
