"""Large fonts for a classroom and fingertip-sized controls for a touchscreen, both reversibly.

Qt propagates the application font to every widget that has not set its own, and the style
sheet's sizes (headings, the fps numbers) are scaled with it, so switching back restores them
exactly.  pyqtgraph axes and legends set their own fonts, so they are told here; custom-drawn
views (the shuffle drawing, the diagram) read ``font()`` when they paint or lay out.  Touch
targets are one more block of the same style sheet (minimum heights in pixels, which the font
factor leaves alone), so the two switches compose in either order.
"""

from __future__ import annotations

import re

import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

LARGE_FACTOR = 1.5  # 10 pt -> 15 pt: readable from the back of a classroom
_STYLE_KEY, _BASE_KEY, _TOUCH_KEY = "explorer_base_style", "explorer_base_pt", "explorer_touch_px"


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


def axis_text_colour() -> str:
    """pyqtgraph's foreground now (light on the window's plots, black on the report's white pages)."""
    return pg.mkColor(pg.getConfigOption("foreground")).name()


def set_axis_label(plot: pg.PlotItem, side: str, text: str) -> None:
    """An axis title at the window's text size (figures redrawn in large-font mode stay large), in
    the axis' text colour: pyqtgraph draws titles black unless told, unreadable on a dark plot."""
    plot.setLabel(side, text, **{"color": axis_text_colour(), "font-size": f"{point_size():g}pt"})


def scaled_style(style: str, factor: float) -> str:
    """``style`` with every "<n>pt" multiplied by ``factor``."""
    return re.sub(r"(\d+(?:\.\d+)?)pt", lambda m: f"{float(m.group(1)) * factor:g}pt", style)


def touch_style(target_px: int) -> str:
    """Every control a fingertip can hit: buttons, boxes, tabs and their scroll arrows, check
    boxes, menus, scroll bars.  (min-height is the content's; a box's frame adds 1 px a side, so the least height is
    ``target_px``.)"""
    padded = target_px - 2
    return (
        f"QPushButton, QToolButton, QComboBox, QSpinBox, QDoubleSpinBox, QLineEdit {{ min-height: {padded}px; }}\n"
        f"QCheckBox, QRadioButton {{ min-height: {target_px}px; }}\n"
        f"QTabBar::tab {{ min-height: {target_px}px; }}\n"
        f"QTabBar QToolButton {{ min-width: {target_px}px; }}\n"
        f"QCheckBox::indicator {{ width: {target_px // 2}px; height: {target_px // 2}px; }}\n"
        f"QMenuBar::item {{ padding: {target_px // 4}px {target_px // 4}px; }}\n"
        f"QMenu::item {{ min-height: {padded}px; padding: 4px 24px; }}\n"
        f"QScrollBar:vertical {{ width: {target_px // 2}px; }} QScrollBar:horizontal {{ height: {target_px // 2}px; }}\n"
    )


def _remember_normal(app) -> None:
    """The first switch remembers what "normal" is (each part on its own: a caller may forget one)."""
    if app.property(_STYLE_KEY) is None:
        app.setProperty(_STYLE_KEY, app.styleSheet())
    if app.property(_BASE_KEY) is None:
        app.setProperty(_BASE_KEY, app.font().pointSizeF())


def _restyle(app, factor: float) -> None:
    touch = app.property(_TOUCH_KEY)
    style = app.property(_STYLE_KEY) + ("\n" + touch_style(int(touch)) if touch else "")
    # Through no style sheet, not straight to the new one: Qt repolishes a changed sheet by walking
    # its cache of styled objects, which can hold one already destroyed (seen as a segfault when
    # the fonts change after windows have come and gone); removing the sheet walks live widgets only.
    app.setStyleSheet("")
    app.setStyleSheet(scaled_style(style, factor))


def set_touch_targets(target_px: int | None) -> None:
    """Controls at least ``target_px`` tall (None: as the style sheet has them)."""
    app = QApplication.instance()
    _remember_normal(app)
    app.setProperty(_TOUCH_KEY, target_px)
    _restyle(app, font_scale_factor())


def touch_targets() -> int | None:
    app = QApplication.instance()
    value = app.property(_TOUCH_KEY) if app is not None else None
    return int(value) if value else None


def set_large_fonts(on: bool) -> float:
    """Every text in the app at 1.5x (``on``) or exactly as it started; returns the point size."""
    app = QApplication.instance()
    _remember_normal(app)
    base_pt, factor = float(app.property(_BASE_KEY)), LARGE_FACTOR if on else 1.0
    font = app.font()
    font.setPointSizeF(base_pt * factor)
    app.setFont(font)
    _restyle(app, factor)
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
            style = {**axis.labelStyle, "font-size": f"{size:g}pt"}
            axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix, **style)
    if plot.legend is not None:
        plot.legend.setLabelTextSize(f"{size:g}pt")
