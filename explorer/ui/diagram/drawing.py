"""The Diagram's drawing primitives: colours, fonts, boxes with their labels, arrows, the legend, and
writing a scene to SVG (QSvgGenerator: text stays text) or PNG.  diagram_scene.py lays them out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
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

from explorer.analysis.diagram import QUANTITIES, Node, Numbers, Stage, Unit
from explorer.paths import atomic_path
from explorer.ui.base.font_scale import font_scale_factor

if TYPE_CHECKING:
    from explorer.ui.diagram.diagram_scene import DiagramScene

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


def text_scale() -> float:
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


def colour_for(fraction: float) -> QColor:
    return COLORMAP.map(math.sqrt(max(0.0, min(1.0, fraction))) * 0.85 + 0.1, mode="qcolor")


def summary(numbers: Numbers, quantity: str, ms: float | None) -> str:
    shape = shape_text(numbers.out_shape) if numbers.out_shape else ""
    main = f"{numbers.madds / 1e6:.1f} MFLOPs · {numbers.params / 1e3:.1f} K params · MAC {numbers.mac / 1e3:.0f} K"
    if quantity == "ms" and ms is not None:
        main = f"{ms:.2f} ms · " + main
    return f"{main} · out {shape}" if shape else main


def unit_layers(unit: Unit) -> list[str]:
    return [name for node in unit.nodes() for name in node.layers]


def stage_layers(stage: Stage) -> list[str]:
    return [name for unit in stage.units for name in unit_layers(unit)]


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
        gradient.setColorAt(stop, colour_for(stop * stop))  # width and colour follow sqrt(value)
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


def outline(rect: QRectF, pill: bool, hexagon: bool) -> QPainterPath:
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


def write_labels(box: DiagramBox, rect: QRectF, title: str, detail: str, fill: QColor) -> None:
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


def node_width(scene: DiagramScene, node: Node) -> float:
    """The encoded width, but never narrower than the box's own text."""
    if node.kind in ("split", "fanout", "concat", "add", "identity"):
        width = 150.0 * text_scale()
    else:
        width = (
            MIN_WIDTH + EXTRA_WIDTH * math.sqrt(scene._fraction(scene.value(node.numbers, node.layers), "node"))
        ) * text_scale()
    return max(width, _text_width(node.label, node.detail) + (48 if node.kind == "shuffle" else 28))
