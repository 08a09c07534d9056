"""Draws a Diagram (explorer.analysis.diagram) on a QGraphicsScene, for the tab and for files.

A vertical flow: input, then each stage (a header you can fold), its units (a box you can open
into its lanes of layers), the head.  Box width and colour encode one quantity; shuffle nodes
have their own outline (grey and dashed when the shuffle is off); split/concat/add are pills.
The same scene renders to SVG (QSvgGenerator: text stays text) and PNG, with or without a window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene, QGraphicsSimpleTextItem

from explorer.analysis.diagram import LEVELS, QUANTITIES, Diagram, Node, Numbers, Stage, Unit
from explorer.paths import atomic_path
from explorer.ui.font_scale import font_scale_factor

BACKGROUND = QColor("#262626")
TEXT = QColor("#e6e6e6")
SHUFFLE_EDGE = QColor("#ff9f1c")
PILL_FILL = QColor("#3a4150")
MIN_WIDTH, EXTRA_WIDTH = 170.0, 190.0
NODE_HEIGHT, GAP, LANE_GAP = 40.0, 16.0, 28.0
COLORMAP = pg.colormap.get("viridis")


def shape_text(shape: tuple[int, ...] | None) -> str:
    return "x".join(map(str, shape)) if shape else "(not computed: a view or the input itself)"


def describe(numbers: Numbers, layer_ms: float | None = None) -> str:
    """The hover text: output shape, params, multiply-adds, MAC (and ms once measured)."""
    lines = [
        f"output {shape_text(numbers.out_shape)}",
        f"params {numbers.params:,}",
        f"multiply-adds {numbers.madds:,} ({numbers.madds / 1e6:.3f} M)",
        f"MAC {numbers.mac:,} elements",
    ]
    if layer_ms is not None:
        lines.append(f"measured {layer_ms:.3f} ms (torch eager, hooks)")
    return "\n".join(lines)


@dataclass
class Target:
    """What a drawn box stands for, for clicks and tests."""

    kind: str  # node | unit | stage | input
    item: Node | Unit | Stage | None
    toggle: str | None = None  # the id to fold/unfold when the marker is clicked


FOLD_GLYPHS = ("▸", "▾")


def _glyph_rect(label: QGraphicsSimpleTextItem) -> QRectF:
    """The fold glyph at the start of ``label``, in scene coordinates, with a finger's margin."""
    metrics = QFontMetricsF(label.font())
    glyph = QRectF(0, 0, metrics.horizontalAdvance(label.text()[:2]), label.boundingRect().height())
    return label.mapRectToScene(glyph).adjusted(-8, -6, 6, 6)


class DiagramBox(QGraphicsPathItem):
    """One clickable box; the scene reads ``target`` on click."""

    def __init__(self, path: QPainterPath, target: Target) -> None:
        super().__init__(path)
        self.target = target
        self.marker: QRectF | None = None  # where its fold glyph is drawn (scene coords): a click there folds
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.PointingHandCursor)


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
        stage_values = [self.value(s.numbers, _stage_layers(s)) for s in diagram.stages]
        unit_values = [self.value(u.numbers, _unit_layers(u)) for u in diagram.units()]
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
            200.0 * _text_scale(),
            32.0 * _text_scale(),
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
            frac = self._fraction(self.value(numbers, _stage_layers(stage)), "stage")
            width = (360.0 + 160.0 * math.sqrt(frac)) * _text_scale()
            rect = self._box(
                0.0,
                y,
                width,
                46.0,
                marker + f"{stage.title} · {len(stage.units)} units",
                _summary(numbers, self.quantity, self.ms_of(_stage_layers(stage))),
                Target("stage", stage, toggle=stage.id),
                fill=_color(frac),
                tooltip=describe(numbers, self.ms_of(_stage_layers(stage))),
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
        layers = _unit_layers(unit)
        single_lane = len(unit.lanes) == 1 and unit.entry is None and not unit.exit
        expanded = self.is_expanded(unit.id) or (title is not None and self.level == "layers")
        name = title or unit.title
        if not expanded:  # the stem and head stand beside the stages: on the stages' scale
            frac = self._fraction(self.value(unit.numbers, layers), "stage" if title else "unit")
            width = (MIN_WIDTH + 60 + EXTRA_WIDTH * math.sqrt(frac)) * _text_scale()
            rect = self._box(
                0.0,
                y,
                width,
                NODE_HEIGHT + 4,
                f"▸ {name}",
                _summary(unit.numbers, self.quantity, self.ms_of(layers)),
                Target("unit", unit, toggle=unit.id),
                fill=_color(frac),
                tooltip=describe(unit.numbers, self.ms_of(layers)),
            )
            return rect.bottom() + GAP
        header = self.addSimpleText(f"▾ {name}")
        header.setBrush(QColor("#9ecbff"))
        header_y = y
        y += 22.0 * _text_scale()
        if unit.entry is not None:
            y = self._draw_node(unit.entry, 0.0, y).bottom() + GAP
        lane_widths = [max(_node_width(self, n) for n in lane) for lane in unit.lanes]
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
        width = _node_width(self, node)
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
            fill = QColor("#555555") if not node.enabled else _color(frac)
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
            centre, y, width, NODE_HEIGHT, node.label, node.detail, target, fill=_color(frac), tooltip=tooltip
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
        height *= _text_scale()  # taller text, taller boxes (callers lay out from the returned rect)
        rect = QRectF(centre - width / 2, y, width, height)
        path = _outline(rect, pill, hexagon)
        box = DiagramBox(path, target)
        box.setBrush(QBrush(fill))
        box.setPen(edge or QPen(QColor("#8a8a8a"), 1.0, Qt.DashLine if dashed else Qt.SolidLine))
        if tooltip:
            box.setToolTip(tooltip)
        self.addItem(box)
        self.boxes.append(box)
        _write_labels(box, rect, title, detail, fill)
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


def box_at(scene: QGraphicsScene, pos: QPointF, transform: QTransform) -> DiagramBox | None:
    """The topmost box under ``pos``, looking through what is drawn over boxes: an open unit's
    title sits on its frame but is not its child, so the first item there is not a box."""
    for item in scene.items(pos, Qt.IntersectsItemShape, Qt.DescendingOrder, transform):
        while item is not None and not isinstance(item, DiagramBox):
            item = item.parentItem()
        if item is not None:
            return item
    return None


def save_diagram(scene: DiagramScene, path: str | Path) -> Path:
    """SVG (text stays searchable) or PNG of the whole drawing, written atomically."""
    path = Path(path)
    if path.suffix.lower() not in (".svg", ".png"):
        raise ValueError(f"diagram files are .svg or .png, got {path.name!r}")
    with atomic_path(path) as temp:
        write_scene(scene, path.suffix.lower(), temp, scene.diagram.spec.label if scene.diagram else "diagram")
    return path


def _text_scale() -> float:
    """Box sizes follow the text size (large-font mode), so the encoding keeps its proportions and
    every box still holds its text."""
    return font_scale_factor()


def _fonts() -> tuple[QFont, QFont]:
    bold, small = QFont(), QFont()
    bold.setBold(True)
    small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
    return bold, small


def _text_width(title: str, detail: str) -> float:
    bold, small = _fonts()
    return max(
        QFontMetricsF(bold).horizontalAdvance(title), QFontMetricsF(small).horizontalAdvance(detail) if detail else 0.0
    )


def _color(fraction: float) -> QColor:
    return COLORMAP.map(math.sqrt(max(0.0, min(1.0, fraction))) * 0.85 + 0.1, mode="qcolor")


def _summary(numbers: Numbers, quantity: str, ms: float | None) -> str:
    shape = shape_text(numbers.out_shape) if numbers.out_shape else ""
    main = f"{numbers.madds / 1e6:.1f} MFLOPs · {numbers.params / 1e3:.1f} K params · MAC {numbers.mac / 1e3:.0f} K"
    if quantity == "ms" and ms is not None:
        main = f"{ms:.2f} ms · " + main
    return f"{main} · out {shape}" if shape else main


def _unit_layers(unit: Unit) -> list[str]:
    return [name for node in unit.nodes() for name in node.layers]


def _stage_layers(stage: Stage) -> list[str]:
    return [name for unit in stage.units for name in _unit_layers(unit)]


def write_scene(scene: QGraphicsScene, kind: str, target: Path, title: str) -> None:
    """Render a whole scene to an SVG (text stays searchable) or a 1.5x PNG."""
    rect = scene.sceneRect()
    if kind == ".svg":
        generator = QSvgGenerator()
        generator.setFileName(str(target))
        generator.setSize(QSize(int(rect.width()), int(rect.height())))
        generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        generator.setTitle(title)
        generator.setDescription("ShuffleNet Explorer diagram")
        painter = QPainter(generator)
    else:
        image = QImage(int(rect.width() * 1.5), int(rect.height() * 1.5), QImage.Format_ARGB32)
        image.fill(BACKGROUND)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.TextAntialiasing)
    try:
        scene.render(painter, QRectF(), rect)
    finally:
        painter.end()
    if kind == ".png" and not image.save(str(target), "PNG"):
        raise OSError(f"could not write {target}")
    if not target.exists() or target.stat().st_size == 0:
        raise OSError(f"could not write {target}")


def draw_legend(scene: DiagramScene, y: float) -> None:
    """The colour bar and its caption under the drawing."""
    name = QUANTITIES[scene.quantity]
    rect = QRectF(-150, y + 20, 300, 14)
    gradient = QLinearGradient(rect.topLeft(), rect.topRight())
    for stop in (0.0, 0.25, 0.5, 0.75, 1.0):
        gradient.setColorAt(stop, _color(stop * stop))  # width and colour follow sqrt(value)
    bar = scene.addRect(rect, QPen(Qt.NoPen), QBrush(gradient))
    bar.setZValue(-1)
    unit = {"madds": 1e6, "params": 1e3, "mac": 1e3, "ms": 1.0}[scene.quantity]
    suffix = {"madds": " M", "params": " K", "mac": " K el.", "ms": " ms"}[scene.quantity]
    caption = scene.addSimpleText(
        f"box width and colour: {name} (each layer box on one scale, max {scene._scale['node'] / unit:.3g}{suffix};"
        " stage and unit boxes on their own)"
    )
    caption.setBrush(TEXT)
    caption.setPos(-caption.boundingRect().width() / 2, y)
    if scene.quantity == "ms" and not scene.layer_ms:
        caption.setText("box width and colour: measured ms (not measured yet: open this tab while a model runs)")
        caption.setPos(-caption.boundingRect().width() / 2, y)
    for text, x in (("0", rect.left()), ("max", rect.right())):
        tick = scene.addSimpleText(text)
        tick.setBrush(TEXT)
        tick.setPos(x - tick.boundingRect().width() / 2, rect.bottom() + 2)


def draw_arrow(scene: QGraphicsScene, start: QPointF, end: QPointF, bend_y: float | None = None) -> None:
    """An elbow arrow (down, across, down) from ``start`` to ``end``."""
    path = QPainterPath(start)
    if abs(start.x() - end.x()) > 0.5:  # elbow: down, across, down
        middle = (start.y() + end.y()) / 2 if bend_y is None else bend_y
        path.lineTo(start.x(), middle)
        path.lineTo(end.x(), middle)
    path.lineTo(end)
    line = QGraphicsPathItem(path)
    line.setPen(QPen(QColor("#9a9a9a"), 1.4))
    line.setZValue(-1)
    scene.addItem(line)
    head = QPainterPath()
    head.addPolygon(QPolygonF([end, QPointF(end.x() - 4.5, end.y() - 8), QPointF(end.x() + 4.5, end.y() - 8)]))
    tip = QGraphicsPathItem(head)
    tip.setBrush(QColor("#9a9a9a"))
    tip.setPen(Qt.NoPen)
    scene.addItem(tip)


def _outline(rect: QRectF, pill: bool, hexagon: bool) -> QPainterPath:
    """A box's outline: a rounded rectangle, a pill or a hexagon."""
    path = QPainterPath()
    if hexagon:
        d = rect.height() / 2
        corners = [
            QPointF(rect.left() + d, rect.top()),
            QPointF(rect.right() - d, rect.top()),
            QPointF(rect.right(), rect.center().y()),
            QPointF(rect.right() - d, rect.bottom()),
            QPointF(rect.left() + d, rect.bottom()),
            QPointF(rect.left(), rect.center().y()),
        ]
        path.addPolygon(QPolygonF(corners))
        path.closeSubpath()
    else:
        radius = rect.height() / 2 if pill else 6
        path.addRoundedRect(rect, radius, radius)
    return path


def _write_labels(box: DiagramBox, rect: QRectF, title: str, detail: str, fill: QColor) -> None:
    """The title and the detail line, centred, in an ink that reads on ``fill``."""
    luminance = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF()
    ink = QColor("#101010") if luminance > 0.5 else TEXT
    bold, small_font = _fonts()
    label = QGraphicsSimpleTextItem(title, box)
    label.setFont(bold)
    label.setBrush(ink)
    small = QGraphicsSimpleTextItem(detail, box) if detail else None
    if small:
        small.setFont(small_font)
        small.setBrush(ink)
    text_height = label.boundingRect().height() + (small.boundingRect().height() if small else 0)
    ty = rect.top() + (rect.height() - text_height) / 2
    label.setPos(rect.center().x() - label.boundingRect().width() / 2, ty)
    if box.target.toggle is not None and title.startswith(FOLD_GLYPHS):
        box.marker = _glyph_rect(label)
    if small:
        small.setPos(rect.center().x() - small.boundingRect().width() / 2, ty + label.boundingRect().height())


def _node_width(scene: DiagramScene, node: Node) -> float:
    """The encoded width, but never narrower than the box's own text."""
    if node.kind in ("split", "fanout", "concat", "add", "identity"):
        width = 150.0 * _text_scale()
    else:
        width = (
            MIN_WIDTH + EXTRA_WIDTH * math.sqrt(scene._fraction(scene.value(node.numbers, node.layers), "node"))
        ) * _text_scale()
    return max(width, _text_width(node.label, node.detail) + (48 if node.kind == "shuffle" else 28))
