"""Draws a Diagram (explorer.analysis.diagram) on a QGraphicsScene, for the tab and for files.

A vertical flow: input, then each stage (a header you can fold), its units (a box you can open
into its lanes of layers), the head.  Box width and colour encode one quantity; shuffle nodes
have their own outline (grey and dashed when the shuffle is off); split/concat/add are pills.
The same scene renders to SVG (QSvgGenerator: text stays text) and PNG, with or without a window.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QPainterPath,
    QPen,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsScene

from explorer.analysis.diagram import LEVELS, QUANTITIES, Diagram, Node, Numbers, Unit
from explorer.ui.diagram.drawing import (
    BACKGROUND,
    EXTRA_WIDTH,
    GAP,
    LANE_GAP,
    MIN_WIDTH,
    NODE_HEIGHT,
    PILL_FILL,
    SHUFFLE_EDGE,
    DiagramBox,
    Target,
    box_at,
    colour_for,
    describe,
    draw_arrow,
    draw_legend,
    node_width,
    outline,
    stage_layers,
    summary,
    text_scale,
    unit_layers,
    write_labels,
)


class DiagramScene(QGraphicsScene):
    """The scene; ``activated`` carries the Target of a clicked box (not of its fold marker)."""

    activated = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackgroundBrush(BACKGROUND)
        self.diagram: Diagram | None = None
        self.level = "units"
        self.quantity = "madds"
        self.layer_ms: dict[str, float] = {}
        self.expanded: dict[str, bool] = {}  # per stage/unit overrides of the level
        self.boxes: list[DiagramBox] = []
        self._scale: dict[str, float] = {}

    # ---- what to draw ----------------------------------------------------------------------
    def show_diagram(self, diagram: Diagram, keep_expansion: bool = True) -> None:
        if not keep_expansion:
            self.expanded = {}
        self.diagram = diagram
        self.rebuild()

    def set_level(self, level: str) -> None:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
        self.level = level
        self.expanded = {}
        self.rebuild()

    def set_quantity(self, quantity: str) -> None:
        if quantity not in QUANTITIES:
            raise ValueError(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}")
        self.quantity = quantity
        self.rebuild()

    def set_layer_ms(self, layer_ms: dict[str, float]) -> None:
        self.layer_ms = dict(layer_ms)
        if self.quantity == "ms":
            self.rebuild()

    def toggle(self, item_id: str) -> None:
        self.expanded[item_id] = not self.is_expanded(item_id)
        self.rebuild()

    def is_expanded(self, item_id: str) -> bool:
        if item_id in self.expanded:
            return self.expanded[item_id]
        is_stage = self.diagram is not None and any(s.id == item_id for s in self.diagram.stages)
        return self.level in ("units", "layers") if is_stage else self.level == "layers"

    # ---- numbers ---------------------------------------------------------------------------
    def ms_of(self, layers) -> float | None:
        values = [self.layer_ms[name] for name in layers if name in self.layer_ms]
        return sum(values) if values else None

    def value(self, numbers: Numbers, layers) -> float:
        return numbers.value(self.quantity, self.ms_of(layers))

    def _compute_scales(self) -> None:
        """Each granularity (stage, unit, layer) on its own scale: a stage dwarfs any layer."""
        diagram = self.diagram
        stage_values = [self.value(s.numbers, stage_layers(s)) for s in diagram.stages]
        unit_values = [self.value(u.numbers, unit_layers(u)) for u in diagram.units()]
        node_values = [self.value(n.numbers, n.layers) for n in diagram.nodes()]
        self._scale = {
            "stage": max(stage_values, default=0) or 1.0,
            "unit": max(unit_values, default=0) or 1.0,
            "node": max(node_values, default=0) or 1.0,
        }

    def _fraction(self, value: float, granularity: str) -> float:
        return max(0.0, min(1.0, value / self._scale[granularity]))

    # ---- layout ----------------------------------------------------------------------------
    def rebuild(self) -> None:
        self.clear()
        self.boxes = []
        if self.diagram is None:
            return
        self._compute_scales()
        diagram = self.diagram
        y = 0.0
        shape = "x".join(map(str, diagram.input_shape))
        top = self._box(
            0.0,
            y,
            200.0 * text_scale(),
            32.0 * text_scale(),
            "Input",
            shape,
            Target("input", None),
            fill=PILL_FILL,
            pill=True,
        )
        y = top.bottom() + GAP
        for stage in diagram.stages:
            y = self._edge_into(y)
            if len(stage.units) == 1 and stage.id in ("stem", "head"):
                y = self._draw_unit(stage.units[0], y, title=stage.title)
                continue
            expanded = self.is_expanded(stage.id)
            marker = "▾ " if expanded else "▸ "
            numbers = stage.numbers
            frac = self._fraction(self.value(numbers, stage_layers(stage)), "stage")
            width = (360.0 + 160.0 * math.sqrt(frac)) * text_scale()
            rect = self._box(
                0.0,
                y,
                width,
                46.0,
                marker + f"{stage.title} · {len(stage.units)} units",
                summary(numbers, self.quantity, self.ms_of(stage_layers(stage))),
                Target("stage", stage, toggle=stage.id),
                fill=colour_for(frac),
                tooltip=describe(numbers, self.ms_of(stage_layers(stage))),
            )
            y = rect.bottom() + GAP
            if expanded:
                for unit in stage.units:
                    y = self._edge_into(y)
                    y = self._draw_unit(unit, y)
        draw_legend(self, y + GAP)
        self.setSceneRect(self.itemsBoundingRect().adjusted(-30, -30, 30, 30))

    def _edge_into(self, y: float) -> float:
        """A short arrow down the centre line, from the previous element to ``y`` + GAP."""
        draw_arrow(self, QPointF(0.0, y - GAP), QPointF(0.0, y))
        return y

    def _draw_unit(self, unit: Unit, y: float, title: str | None = None) -> float:
        layers = unit_layers(unit)
        single_lane = len(unit.lanes) == 1 and unit.entry is None and not unit.exit
        expanded = self.is_expanded(unit.id) or (title is not None and self.level == "layers")
        name = title or unit.title
        if not expanded:  # the stem and head stand beside the stages: on the stages' scale
            frac = self._fraction(self.value(unit.numbers, layers), "stage" if title else "unit")
            width = (MIN_WIDTH + 60 + EXTRA_WIDTH * math.sqrt(frac)) * text_scale()
            rect = self._box(
                0.0,
                y,
                width,
                NODE_HEIGHT + 4,
                f"▸ {name}",
                summary(unit.numbers, self.quantity, self.ms_of(layers)),
                Target("unit", unit, toggle=unit.id),
                fill=colour_for(frac),
                tooltip=describe(unit.numbers, self.ms_of(layers)),
            )
            return rect.bottom() + GAP
        header = self.addSimpleText(f"▾ {name}")
        header.setBrush(QColor("#9ecbff"))
        header_y = y
        y += 22.0 * text_scale()
        if unit.entry is not None:
            y = self._draw_node(unit.entry, 0.0, y).bottom() + GAP
        lane_widths = [max(node_width(self, n) for n in lane) for lane in unit.lanes]
        total = sum(lane_widths) + LANE_GAP * (len(lane_widths) - 1)
        x = -total / 2
        lane_bottom = y
        ends = []
        for lane, width in zip(unit.lanes, lane_widths):
            centre = x + width / 2
            ly = y
            if not single_lane:  # fan out from the unit's input (or its split node)
                draw_arrow(self, QPointF(0.0, y - GAP), QPointF(centre, y))
            for i, node in enumerate(lane):
                if i:
                    draw_arrow(self, QPointF(centre, ly - GAP), QPointF(centre, ly))
                ly = self._draw_node(node, centre, ly).bottom() + GAP
            ends.append(QPointF(centre, ly - GAP))
            lane_bottom = max(lane_bottom, ly)
            x += width + LANE_GAP
        y = lane_bottom
        for i, node in enumerate(unit.exit):
            if i == 0:  # every lane runs straight down past the longest one, then joins
                for end in ends:
                    draw_arrow(self, end, QPointF(0.0, y), bend_y=y - GAP / 2)
            else:
                draw_arrow(self, QPointF(0.0, y - GAP), QPointF(0.0, y))
            y = self._draw_node(node, 0.0, y).bottom() + GAP
        # a frame around the open unit; clicking its title folds it again
        frame_rect = QRectF(-total / 2 - 14, header_y - 4, total + 28, y - header_y - GAP / 2 + 6)
        frame = QPainterPath()
        frame.addRoundedRect(frame_rect, 8, 8)
        box = DiagramBox(
            frame, Target("unit", unit, toggle=unit.id if title is None or self.level != "layers" else None)
        )
        box.setPen(QPen(QColor("#4a5568"), 1.2, Qt.DashLine))
        box.setBrush(Qt.NoBrush)
        box.setZValue(-2)
        box.setToolTip(describe(unit.numbers, self.ms_of(layers)))
        self.addItem(box)
        self.boxes.append(box)
        header.setPos(frame_rect.left() + 8, header_y)
        header.setZValue(1)
        if box.target.toggle is not None:
            box.marker = header.sceneBoundingRect().adjusted(-6, -4, 6, 4)  # an open unit's whole title folds it
        return y

    def _draw_node(self, node: Node, centre: float, y: float) -> QRectF:
        ms = self.ms_of(node.layers)
        tooltip = (
            f"{node.label} ({node.detail})\n"
            + describe(node.numbers, ms)
            + (f"\nclick: feature maps at {node.tap}" if node.tap else "")
        )
        target = Target("node", node)
        width = node_width(self, node)
        if node.kind in ("split", "fanout", "concat", "add"):
            return self._box(
                centre, y, width, 32.0, node.label, node.detail, target, fill=PILL_FILL, pill=True, tooltip=tooltip
            )
        if node.kind == "identity":
            return self._box(
                centre, y, width, 32.0, node.label, node.detail, target, fill=BACKGROUND, dashed=True, tooltip=tooltip
            )
        frac = self._fraction(self.value(node.numbers, node.layers), "node")
        if node.kind == "shuffle":
            fill = QColor("#555555") if not node.enabled else colour_for(frac)
            return self._box(
                centre,
                y,
                width,
                NODE_HEIGHT,
                node.label,
                node.detail,
                target,
                fill=fill,
                tooltip=tooltip,
                edge=QPen(
                    QColor("#9a9a9a") if not node.enabled else SHUFFLE_EDGE,
                    2.5,
                    Qt.DashLine if not node.enabled else Qt.SolidLine,
                ),
                hexagon=True,
            )
        return self._box(
            centre, y, width, NODE_HEIGHT, node.label, node.detail, target, fill=colour_for(frac), tooltip=tooltip
        )

    def _box(
        self,
        centre: float,
        y: float,
        width: float,
        height: float,
        title: str,
        detail: str,
        target: Target,
        *,
        fill: QColor,
        pill: bool = False,
        dashed: bool = False,
        hexagon: bool = False,
        edge: QPen | None = None,
        tooltip: str | None = None,
    ) -> QRectF:
        height *= text_scale()  # taller text, taller boxes (callers lay out from the returned rect)
        rect = QRectF(centre - width / 2, y, width, height)
        path = outline(rect, pill, hexagon)
        box = DiagramBox(path, target)
        box.setBrush(QBrush(fill))
        box.setPen(edge or QPen(QColor("#8a8a8a"), 1.0, Qt.DashLine if dashed else Qt.SolidLine))
        if tooltip:
            box.setToolTip(tooltip)
        self.addItem(box)
        self.boxes.append(box)
        write_labels(box, rect, title, detail, fill)
        return rect

    # ---- queries (tests and the tab) -------------------------------------------------------
    def node_boxes(self) -> list[DiagramBox]:
        return [b for b in self.boxes if b.target.kind == "node"]

    def box_for(self, item_id: str) -> DiagramBox | None:
        return next((b for b in self.boxes if b.target.item is not None and b.target.item.id == item_id), None)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        box = box_at(self, event.scenePos(), self.views()[0].transform() if self.views() else QTransform())
        if box is not None and event.button() == Qt.LeftButton:
            self.click(box, event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)

    def click(self, box: DiagramBox, pos: QPointF | None = None) -> None:
        """The fold glyph (▸/▾ where it is drawn, or an open unit's title) folds or unfolds;
        anywhere else activates.  ``pos`` None: a click on the glyph."""
        target = box.target
        on_marker = pos is None or (box.marker is not None and box.marker.contains(pos))
        if target.toggle is not None and on_marker:
            self.toggle(target.toggle)
        else:
            self.activated.emit(target)
