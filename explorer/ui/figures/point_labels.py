"""Text labels beside plotted points that never cover each other, a point, or the plot's edge:
placed by ``label_layout``'s collision pass and placed again whenever the view moves or resizes.
A label placed away from a crowded point gets a thin leader line to it.  A label with no free
spot is hidden; its point keeps a hover tooltip."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsLineItem

from explorer.ui.figures.label_layout import is_far, place_labels

LEADER = pg.mkPen("#9a9a9a", width=1, cosmetic=True)  # 1 px at any zoom


class PointLabels:
    """The labels of one figure, re-placed whenever the view's range or size changes."""

    def __init__(
        self,
        plot: pg.PlotItem,
        entries: list[tuple[float, float, str, str]],
        points: list[tuple[float, float]],
        avoid=(),
    ) -> None:
        self.plot, self.entries, self.points = plot, entries, points  # entries: (x, y, text, colour) in view coords
        self.avoid = list(avoid)  # items no label may cover (the legend)
        self.items, self.leaders = [], []
        for _x, _y, text, colour in entries:
            item = pg.TextItem(text, color=colour, anchor=(0, 0))
            plot.addItem(item, ignoreBounds=True)
            self.items.append(item)
            # a plain line in view coordinates: not a data item (the plot's curves are its series)
            leader = QGraphicsLineItem()
            leader.setPen(LEADER)
            leader.hide()
            plot.addItem(leader, ignoreBounds=True)
            self.leaders.append(leader)
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

        sizes = [
            (item.textItem.boundingRect().width() + 2, item.textItem.boundingRect().height() + 2) for item in self.items
        ]
        anchors = [px(x, y) for x, y, _t, _c in self.entries]
        blocked = [item.sceneBoundingRect() for item in self.avoid if item.isVisible()]
        spots = place_labels(
            anchors,
            sizes,
            (rect.left(), rect.top(), rect.width(), rect.height()),
            [px(x, y) for x, y in self.points],
            [(r.left(), r.top(), r.width(), r.height()) for r in blocked],
        )
        for item, leader, spot, (ax, ay) in zip(self.items, self.leaders, spots, anchors):
            item.setVisible(spot is not None)
            leader.setVisible(spot is not None and is_far(spot, (ax, ay)))
            if spot is None:
                continue
            item.setPos(box.mapSceneToView(QPointF(spot[0], spot[1])))
            if leader.isVisible():  # from the point to the label's nearest edge
                near = QPointF(min(max(ax, spot[0]), spot[0] + spot[2]), min(max(ay, spot[1]), spot[1] + spot[3]))
                a, b = box.mapSceneToView(QPointF(ax, ay)), box.mapSceneToView(near)
                leader.setLine(a.x(), a.y(), b.x(), b.y())

    def detach(self) -> None:
        """Stop following the view (before the plot is cleared for another figure)."""
        for signal in (self.plot.getViewBox().sigTransformChanged, self.plot.getViewBox().sigResized):
            try:
                signal.disconnect(self.relayout)
            except (RuntimeError, TypeError):
                pass

    def led_texts(self) -> list[str]:
        """The labels shown away from their point, joined to it by a leader line."""
        return [
            i.textItem.toPlainText() for i, line in zip(self.items, self.leaders) if i.isVisible() and line.isVisible()
        ]

    def visible_texts(self) -> list[str]:
        return [item.textItem.toPlainText() for item in self.items if item.isVisible()]


def hover_names(item: pg.PlotDataItem, describe) -> None:
    """Every point of ``item`` named on hover: ``describe(name, x, y)`` -> the tooltip text."""
    item.scatter.opts.update(hoverable=True, tip=lambda x, y, data: describe(data, x, y))
