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
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QPointF, Qt

from explorer.lessons import LessonResult
from explorer.ui.label_layout import place_labels

COLOURS = ("#56b4e9", "#e69f00", "#009e73", "#cc79a7", "#f0e442", "#d55e00", "#0072b2", "#999999")


class PointLabels:
    """The labels of one figure, re-placed whenever the view's range or size changes."""

    def __init__(self, plot: pg.PlotItem, entries: list[tuple[float, float, str, str]], points: list[tuple[float, float]]) -> None:
        self.plot, self.entries, self.points = plot, entries, points  # entries: (x, y, text, colour) in view coords
        self.items = []
        for _x, _y, text, colour in entries:
            item = pg.TextItem(text, color=colour, anchor=(0, 0))
            plot.addItem(item, ignoreBounds=True)
            self.items.append(item)
        plot.getViewBox().sigTransformChanged.connect(self.relayout)
        plot.getViewBox().sigResized.connect(self.relayout)

    def relayout(self, *_args) -> None:
        box = self.plot.getViewBox()
        rect = box.sceneBoundingRect()  # scene pixels: the labels' own size is in pixels too
        if rect.width() < 10 or not self.items:
            return

        def px(x, y):
            p = box.mapViewToScene(QPointF(x, y))
            return p.x(), p.y()

        sizes = [(item.textItem.boundingRect().width() + 2, item.textItem.boundingRect().height() + 2) for item in self.items]
        anchors = [px(x, y) for x, y, _t, _c in self.entries]
        spots = place_labels(anchors, sizes, (rect.left(), rect.top(), rect.width(), rect.height()), [px(x, y) for x, y in self.points])
        for item, spot in zip(self.items, spots):
            item.setVisible(spot is not None)
            if spot is not None:
                item.setPos(box.mapSceneToView(QPointF(spot[0], spot[1])))

    def visible_texts(self) -> list[str]:
        return [item.textItem.toPlainText() for item in self.items if item.isVisible()]


def _view(value: float, log: bool) -> float:
    return math.log10(value) if log else value


def draw_lesson(plot: pg.PlotItem, result: LessonResult) -> PointLabels | None:
    """Draw ``result``'s figure into ``plot`` (cleared first); returns its labels."""
    _forget_labels(plot)
    plot.clear()
    spec = result.plot
    legend = plot.legend or plot.addLegend(offset=(10, 10))
    legend.clear()
    for side, text in (("bottom", spec.x_label), ("left", spec.y_label)):
        axis = plot.getAxis(side)
        axis.enableAutoSIPrefix(False)  # "ms" and "%" stay as the rows carry them (never "kms")
        plot.setLabel(side, text)
    plot.setLogMode(x=spec.log_x, y=spec.log_y)
    plot.showGrid(x=True, y=True, alpha=0.25)
    rows = [r for r in result.rows if r.get(spec.x) is not None and r.get(spec.y) is not None]
    _set_ticks(plot, rows, spec)
    series = list(dict.fromkeys(r[spec.series] for r in rows))
    entries, points = [], []
    for i, name in enumerate(series):
        mine = [r for r in rows if r[spec.series] == name]
        colour = COLOURS[i % len(COLOURS)]
        xs, ys = [float(r[spec.x]) for r in mine], [float(r[spec.y]) for r in mine]
        sizes = [14 if spec.mark and r.get(spec.mark) else 8 for r in mine]
        connect = spec.mark is None and spec.label is None  # a sweep reads as a line; a scatter of models does not
        names = [str(r.get(spec.label or spec.series, name)) for r in mine]
        item = plot.plot(xs, ys, pen=pg.mkPen(colour, width=1.5) if connect else None, symbol="o", symbolSize=sizes,
                         symbolBrush=colour, symbolPen=pg.mkPen("#202020"), name=name, data=names)
        item.scatter.opts.update(hoverable=True, tip=lambda x, y, data, _s=spec: _tip(data, x, y, _s))
        for row, x, y, label in zip(mine, xs, ys, names):
            view = (_view(x, spec.log_x), _view(y, spec.log_y))
            points.append(view)
            if spec.label and not (spec.mark and not row.get(spec.mark)):  # with a front marked, only it is named
                entries.append((*view, label, colour))
    if spec.diagonal and rows:
        _identity_line(plot, rows, spec)
    plot.enableAutoRange()
    inconclusive = [v for v in result.verdicts if v.outcome == "inconclusive"]
    if inconclusive:
        worst = max(v.spread or 0 for v in inconclusive)
        plot.setTitle(f"inconclusive: machine busy (spread p90/median up to {worst:.2f}); re-run on a quiet machine", color="#ffb74d")
    else:
        plot.setTitle(None)
    labels = PointLabels(plot, entries, points)
    plot._lesson_labels = labels
    labels.relayout()
    return labels


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
    plot.setTitle(message)


def _forget_labels(plot: pg.PlotItem) -> None:
    old = getattr(plot, "_lesson_labels", None)
    if old is not None:
        for signal in (plot.getViewBox().sigTransformChanged, plot.getViewBox().sigResized):
            try:
                signal.disconnect(old.relayout)
            except (RuntimeError, TypeError):
                pass
        plot._lesson_labels = None


def _tip(name: str, x: float, y: float, spec) -> str:
    x = 10 ** x if spec.log_x else x
    y = 10 ** y if spec.log_y else y
    return f"{name}\n{spec.x_label}: {x:.3g}\n{spec.y_label}: {y:.3g}"


def _set_ticks(plot: pg.PlotItem, rows: list[dict], spec) -> None:
    """Categorical x (e.g. the guidelines' variants): one named tick per position, nothing between."""
    axis = plot.getAxis("bottom")
    if not spec.x_ticks:
        axis.setTicks(None)
        return
    names = {float(r[spec.x]): str(r[spec.x_ticks]) for r in rows}
    axis.setTicks([sorted(names.items()), []])


def _identity_line(plot: pg.PlotItem, rows: list[dict], spec) -> None:
    """y = x over the data's range, sampled densely in data space: on any axes it is the line
    where the two quantities are equal (a two-point segment is y = x only on matching axes)."""
    values = [float(r[k]) for r in rows for k in (spec.x, spec.y) if float(r[k]) > 0]
    low, high = min(values) * 0.9, max(values) * 1.1
    xs = np.geomspace(low, high, 200) if spec.log_x or spec.log_y else np.linspace(low, high, 200)
    plot.plot(xs, xs, pen=pg.mkPen("#888", style=Qt.DashLine, width=1.5), name=spec.diagonal_label)


def export_plot_png(plot: pg.PlotItem, path: str, width: int = 1400) -> None:
    """The plot as a PNG ``width`` pixels wide (pyqtgraph's exporter); OSError if not written."""
    exporter = ImageExporter(plot)
    exporter.parameters()["width"] = width
    exporter.export(str(path))
    if not Path(path).is_file():
        raise OSError(f"{path} was not written (check the folder exists and is writable)")


def export_widget_png(widget, path: str) -> None:
    """The plot widget exactly as it is drawn on screen (fonts, labels, ticks), as a PNG."""
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"{path} was not written (check the folder exists and is writable)")

