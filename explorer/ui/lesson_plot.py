"""A lesson's figure in a pyqtgraph PlotItem: one series per value of its plot's series key,
the marked rows (e.g. the Pareto front) drawn larger, optional y = x and point labels.  The
Lessons tab and the HTML report draw with this same function."""
from __future__ import annotations

import math
from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import Qt

from explorer.lessons import LessonResult

COLOURS = ("#56b4e9", "#e69f00", "#009e73", "#cc79a7", "#f0e442", "#d55e00", "#0072b2", "#999999")


def draw_lesson(plot: pg.PlotItem, result: LessonResult) -> None:
    plot.clear()
    spec = result.plot
    legend = plot.legend or plot.addLegend(offset=(10, 10))
    legend.clear()
    plot.setLabel("bottom", spec.x_label)
    plot.setLabel("left", spec.y_label)
    plot.setLogMode(x=spec.log_x, y=False)
    plot.showGrid(x=True, y=True, alpha=0.25)
    rows = [r for r in result.rows if r.get(spec.x) is not None and r.get(spec.y) is not None]
    series = list(dict.fromkeys(r[spec.series] for r in rows))
    for i, name in enumerate(series):
        mine = [r for r in rows if r[spec.series] == name]
        colour = COLOURS[i % len(COLOURS)]
        xs, ys = [float(r[spec.x]) for r in mine], [float(r[spec.y]) for r in mine]
        sizes = [14 if spec.mark and r.get(spec.mark) else 7 for r in mine]
        connect = spec.mark is None and spec.label is None  # a sweep reads as a line; a scatter of models does not
        plot.plot(xs, ys, pen=pg.mkPen(colour, width=1) if connect else None, symbol="o", symbolSize=sizes,
                  symbolBrush=colour, symbolPen=pg.mkPen("#202020"), name=name)
        if spec.label:
            for row, x, y in zip(mine, xs, ys):
                if spec.mark and not row.get(spec.mark):
                    continue  # with a front marked, only its members are named: the rest is in the table
                text = pg.TextItem(str(row[spec.label]), color=colour, anchor=(0, 1))
                text.setPos(math.log10(x) if spec.log_x else x, y)
                plot.addItem(text)
    if spec.diagonal and rows:
        top = max(max(float(r[spec.x]) for r in rows), max(float(r[spec.y]) for r in rows))
        line_x = [1.0, top]
        plot.plot(line_x, line_x, pen=pg.mkPen("#888", style=Qt.DashLine), name="FLOPs = speed")
    plot.enableAutoRange()


def export_plot_png(plot: pg.PlotItem, path: str, width: int = 1400) -> None:
    """The plot as a PNG ``width`` pixels wide (pyqtgraph's exporter); OSError if not written."""
    exporter = ImageExporter(plot)
    exporter.parameters()["width"] = width
    exporter.export(str(path))
    if not Path(path).is_file():
        raise OSError(f"{path} was not written (check the folder exists and is writable)")
