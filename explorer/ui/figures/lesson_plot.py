"""A lesson's figure in a pyqtgraph PlotItem: one series per value of its plot's series key, the
marked rows (e.g. the Pareto front) drawn larger, a reference line y = x, point labels.  The
Lessons tab and the HTML report draw with this same function (the report grabs the widget).

What keeps it readable: axes in the units the rows carry (no SI prefixes on top of "ms" or
"%"), the y = x line sampled in data space so it is y = x on whatever axes are shown, labels
placed by a collision pass (``label_layout``) redone whenever the view changes, every point
named on hover, and a note over the plot when a verdict was inconclusive.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QWidget

from explorer.lessons import LessonResult
from explorer.ui.base.font_scale import point_size, set_axis_label
from explorer.ui.figures.images import save_png
from explorer.ui.figures.point_labels import PointLabels, hover_names

COLOURS = (
    "#56b4e9",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#c9a800",
    "#d55e00",
    "#0072b2",
    "#999999",
)  # no pale yellow: the report is white
REFERENCE_COLOUR = "#999999"


def _view(value: float, log: bool) -> float:
    return math.log10(value) if log else value


def draw_lesson(plot: pg.PlotItem, result: LessonResult) -> PointLabels | None:
    """Draw ``result``'s figure into ``plot`` (cleared first); returns its labels."""
    _forget_labels(plot)
    plot.clear()
    spec = result.plot
    legend = _legend(plot)
    for side, text in (("bottom", spec.x_label), ("left", spec.y_label)):
        plot.showAxis(side)
        plot.getAxis(side).enableAutoSIPrefix(False)  # "ms" and "%" stay as the rows carry them (never "kms")
        set_axis_label(plot, side, text)
    plot.setLogMode(x=spec.log_x, y=spec.log_y)
    plot.showGrid(x=True, y=True, alpha=0.25)
    rows = [r for r in result.rows if r.get(spec.x) is not None and r.get(spec.y) is not None]
    _set_ticks(plot, rows, spec)
    series = list(dict.fromkeys(r[spec.series] for r in rows))
    entries, points = [], []
    for i, name in enumerate(series):
        mine = [r for r in rows if r[spec.series] == name]
        if name in spec.lines:
            _reference_line(plot, mine, spec, name)
            continue
        colour = COLOURS[i % len(COLOURS)]
        xs, ys = [float(r[spec.x]) for r in mine], [float(r[spec.y]) for r in mine]
        sizes = [14 if spec.mark and r.get(spec.mark) else 8 for r in mine]
        joined = not spec.scatter and (
            spec.mark is None and spec.label is None or spec.segment is not None
        )  # a sweep reads as a line
        names = [str(r.get(spec.hover or spec.label or spec.series) or name) for r in mine]
        item = plot.plot(
            xs,
            ys,
            pen=pg.mkPen(colour, width=1.5) if joined else None,
            symbol="o",
            symbolSize=sizes,
            symbolBrush=colour,
            symbolPen=pg.mkPen("#202020"),
            name=name,
            data=names,
            connect=_segments(mine, spec.segment) if spec.segment else "all",
        )
        hover_names(item, lambda data, x, y, _s=spec: _tip(data, x, y, _s))
        views = [(_view(x, spec.log_x), _view(y, spec.log_y)) for x, y in zip(xs, ys)]
        if joined:  # labels keep off the lines too: a few points along every drawn segment count as taken
            joins = _segments(mine, spec.segment) if spec.segment else [True] * len(views)
            for (a, b), join in zip(zip(views, views[1:]), joins):
                if join:
                    points += [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for t in (0.2, 0.4, 0.6, 0.8)]
        for row, view in zip(mine, views):
            points.append(view)
            label = row.get(spec.label) if spec.label else None
            if label is not None and not (
                spec.mark and not row.get(spec.mark)
            ):  # with a front marked, only it is named
                entries.append((*view, str(label), colour, bool(spec.first and row.get(spec.first))))
    if spec.diagonal and rows:
        _identity_line(plot, rows, spec)
    room = LegendRoom(plot, points, legend)
    room.fit()
    inconclusive = [v for v in result.verdicts if v.outcome == "inconclusive"]
    if inconclusive:
        plot.setTitle(
            f"{len(inconclusive)} verdict{'s' if len(inconclusive) != 1 else ''} inconclusive: "
            "the machine was busy while timing",
            color="#ffb74d",
        )
    else:
        plot.setTitle(None)
    entries = [e[:4] for e in sorted(entries, key=lambda e: not e[4])]  # the rows that matter label first
    labels = PointLabels(plot, entries, points, avoid=[legend])
    plot._lesson_labels, plot._lesson_room = labels, room
    labels.relayout()
    return labels


def _reference_line(plot: pg.PlotItem, rows: list[dict], spec, name: str) -> None:
    """A series that is a reference (a ceiling, a baseline): dashed, grey, through its rows' points."""
    xs, ys = [float(r[spec.x]) for r in rows], [float(r[spec.y]) for r in rows]
    pen = pg.mkPen(REFERENCE_COLOUR, width=2, style=Qt.PenStyle.DashLine)
    plot.plot(xs, ys, pen=pen, name=name)


class LegendRoom:
    """The data's range with room above it for the legend (its real height, whatever the font
    and the plot's size), so no point hides under the legend; kept as the plot resizes."""

    def __init__(self, plot: pg.PlotItem, points: list[tuple[float, float]], legend: pg.LegendItem) -> None:
        self.plot, self.points, self.legend = plot, points, legend
        plot.getViewBox().sigResized.connect(self.fit)

    def fit(self, *_args) -> None:
        _fit_legend_columns(self.plot, self.legend)  # the plot's width changes with the window and the font
        if not self.points:
            self.plot.enableAutoRange()
            return
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        x_span, y_span = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        height = self.plot.getViewBox().sceneBoundingRect().height()
        legend = self.legend.sceneBoundingRect().height() + 16 if self.legend.isVisible() else 0.0
        share = min(0.6, legend / height) if height > 50 else 0.25  # of the plot's height the legend takes
        top = max(ys) + 0.04 * y_span
        bottom = min(ys) - 0.06 * y_span
        # room at the sides for the outer tick labels (pyqtgraph hides a label that would cross the edge)
        self.plot.setXRange(min(xs) - 0.12 * x_span, max(xs) + 0.12 * x_span, padding=0)
        self.plot.setYRange(bottom, top + (top - bottom) * share / (1 - share), padding=0)

    def detach(self) -> None:
        try:
            self.plot.getViewBox().sigResized.disconnect(self.fit)
        except (RuntimeError, TypeError):
            pass


def _legend(plot: pg.PlotItem) -> pg.LegendItem:
    """Short (two columns where they fit), its text at the window's size."""
    legend = plot.legend or plot.addLegend(offset=(10, 10), colCount=2)  # LegendRoom keeps the points out from under it
    legend.clear()
    legend.setLabelTextSize(f"{point_size() * 0.9:g}pt")  # large-font mode reaches the legend too
    return legend


def _fit_legend_columns(plot: pg.PlotItem, legend: pg.LegendItem) -> None:
    """Two columns when they fit across the plot, else one (never a legend cut at the edge)."""
    legend.setColumnCount(2)
    if legend.sceneBoundingRect().width() > plot.getViewBox().sceneBoundingRect().width() - 20:
        legend.setColumnCount(1)


def _segments(rows: list[dict], key: str) -> np.ndarray:
    """Join consecutive points only within the same ``key`` (e.g. a guideline's own variants)."""
    return np.array([a[key] == b[key] for a, b in zip(rows, rows[1:])] + [False])


def _log_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """1-2-5 ticks per decade between ``low`` and ``high``, labelled as plain numbers."""
    ticks = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for mantissa in (1, 2, 5):
            value = mantissa * 10.0**exponent
            if low / 1.5 <= value <= high * 1.5:
                ticks.append((math.log10(value), f"{value:g}"))
    return ticks


def clear_lesson(plot: pg.PlotItem, message: str) -> None:
    """An empty figure: no axes, ticks or labels left over from another lesson."""
    _forget_labels(plot)
    plot.clear()
    if plot.legend is not None:
        plot.legend.clear()
    plot.setLogMode(x=False, y=False)
    plot.getAxis("bottom").setTicks(None)
    for side in ("bottom", "left"):
        plot.setLabel(side, "")
        plot.getAxis(side).showLabel(False)
        plot.hideAxis(side)  # no 0..1 axes that belong to no lesson
    plot.setTitle(message)


def _forget_labels(plot: pg.PlotItem) -> None:
    for key in ("_lesson_labels", "_lesson_room"):
        old = getattr(plot, key, None)
        if old is not None:
            old.detach()
            setattr(plot, key, None)


def _tip(name: str, x: float, y: float, spec) -> str:
    x = 10**x if spec.log_x else x
    y = 10**y if spec.log_y else y
    return f"{name}\n{spec.x_label}: {x:.3g}\n{spec.y_label}: {y:.3g}"


def _set_ticks(plot: pg.PlotItem, rows: list[dict], spec) -> None:
    """Categorical x: one named tick per distinct name, at the middle of its positions (e.g. a
    guideline over its variants).  Log axes: 1-2-5 ticks as plain numbers (pyqtgraph's own put a
    label on every minor tick, and they overprint)."""
    bottom, left = plot.getAxis("bottom"), plot.getAxis("left")
    if spec.x_ticks:
        places: dict[str, list[float]] = {}
        for r in rows:
            places.setdefault(str(r[spec.x_ticks]), []).append(float(r[spec.x]))
        bottom.setTicks([sorted((sum(xs) / len(xs), name) for name, xs in places.items()), []])
    for axis, key, log in ((bottom, spec.x, spec.log_x), (left, spec.y, spec.log_y)):
        if log:
            values = [
                float(r[k]) for r in rows for k in ((spec.x, spec.y) if spec.diagonal else (key,)) if float(r[k]) > 0
            ]
            axis.setTicks([_log_ticks(min(values), max(values)), []] if values else None)
        elif not (axis is bottom and spec.x_ticks):
            axis.setTicks(None)


def _identity_line(plot: pg.PlotItem, rows: list[dict], spec) -> None:
    """y = x over the data's range, sampled densely in data space: on any axes it is the line
    where the two quantities are equal (a two-point segment is y = x only on matching axes)."""
    values = [float(r[k]) for r in rows for k in (spec.x, spec.y) if float(r[k]) > 0]
    low, high = min(values) * 0.9, max(values) * 1.1
    xs = np.geomspace(low, high, 200) if spec.log_x or spec.log_y else np.linspace(low, high, 200)
    plot.plot(xs, xs, pen=pg.mkPen("#888", style=Qt.DashLine, width=1.5), name=spec.diagonal_label)


def export_widget_png(widget, path: str, scale: float = 2.0) -> None:
    """The plot widget exactly as laid out on screen (labels placed, axis titles clear of the
    ticks), rendered at ``scale`` times its pixels for print; OSError if not written."""
    pixmap = QPixmap(widget.size() * scale)
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(Qt.transparent)
    QWidget.render(widget, pixmap)  # the widget as drawn (a QGraphicsView's own render() draws only its scene)
    if not save_png(pixmap, path):
        raise OSError(f"{path} was not written (check the folder exists and is writable)")


FIGURE_SIZE = (1100, 600)  # a saved lesson figure's layout size, whatever the window's (a 7" screen too)


def export_lesson_png(result, path: str) -> None:
    """``result``'s figure drawn at FIGURE_SIZE and saved as PNG: the Lessons tab's Save and the
    HTML report share it, so a figure saved on a small screen is as legible as the report's."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    widget = pg.PlotWidget()
    widget.resize(*FIGURE_SIZE)
    widget.show()  # laid out as on screen: axis titles clear of the tick labels, labels placed
    draw_lesson(widget.getPlotItem(), result)
    QApplication.processEvents()
    try:
        export_widget_png(widget, path)
    finally:
        widget.close()
        widget.deleteLater()
