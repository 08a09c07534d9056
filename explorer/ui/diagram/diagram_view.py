"""The Diagram tab: the running network drawn as the papers draw it, following every change.

Click a box: the Architecture table selects its rows and, where the box has a feature tap, the
Feature maps tab opens on it.  The ▸/▾ marker folds a stage or opens a unit into its layers.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QComboBox, QGraphicsView, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from explorer.analysis.diagram import LEVELS, QUANTITIES, build_diagram
from explorer.ui.base.bridge import QtState
from explorer.ui.base.tab_page import TabPage
from explorer.ui.diagram.diagram_scene import DiagramScene
from explorer.ui.diagram.drawing import Target


class DiagramCanvas(QGraphicsView):
    """Wheel zooms around the cursor; drag pans.  Until the user zooms, the drawing keeps
    fitting the width as the canvas resizes (a window resized, large fonts switched on)."""

    resized = Signal()

    def __init__(self, scene: DiagramScene) -> None:
        super().__init__(scene)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        # the drawing fits the width: a vertical bar that came and went with the scale would change
        # that width, refit, and come and go again (the window froze in that loop, found by the soak)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        self.user_zoomed = False

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)
        self.user_zoomed = True

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        if not self.user_zoomed:
            self.resized.emit()


class DiagramView(TabPage):
    """``open_tap(name)`` and ``select_layers(names)`` are wired by the window to the other tabs."""

    open_tap = Signal(str)
    select_layers = Signal(list)

    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.state = qt_state.state
        self.scene = DiagramScene(self)
        self.canvas = DiagramCanvas(self.scene)
        self.canvas.resized.connect(self._refit_width)
        self.level = QComboBox()
        self.level.addItems(LEVELS)
        self.level.setCurrentText("units")
        self.level.setToolTip("how deep to open the network: stages, units, or every unit's layers")
        self.quantity = QComboBox()
        for key, name in QUANTITIES.items():
            self.quantity.addItem(name, key)
        self.quantity.setToolTip("what box width and colour encode")
        fit = QPushButton("Fit")
        fit.setToolTip("zoom to show the whole drawing")
        save = QPushButton("Save…")
        save.setToolTip("save the drawing as SVG (searchable text) or PNG (Ctrl+S)")
        self.title = QLabel()
        self.title.setObjectName("metric")
        self.title.setWordWrap(True)  # large fonts: the model's name wraps instead of widening the window
        self.title.setMinimumWidth(120)
        hint = QLabel(
            "Click a box: its rows in the Architecture tab and, where it has a feature tap, its feature maps. "
            "▸ opens a stage or a unit into its layers. Hover for shape, params, multiply-adds, MAC. Wheel zooms."
        )
        hint.setObjectName("explanation")
        hint.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        for text, widget in (("level", self.level), ("encode", self.quantity)):
            top.addWidget(QLabel(text))
            top.addWidget(widget)
        top.addWidget(fit)
        top.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(hint)
        self.level.currentTextChanged.connect(self.scene.set_level)
        self.quantity.currentIndexChanged.connect(lambda _i: self._set_quantity(self.quantity.currentData()))
        fit.clicked.connect(self.fit)
        save.clicked.connect(self.save_requested)
        self.scene.activated.connect(self._on_activated)
        qt_state.running.connect(self._on_running)
        qt_state.layer_times.connect(self.scene.set_layer_ms)
        self._spec = None
        self._focus: str | None = None
        self._fit_pending = False

    def wire(self, window) -> None:
        self.select_layers.connect(window.pages["architecture"].select_layers)
        self.open_tap.connect(window.open_feature_tap)

    def _set_quantity(self, quantity: str) -> None:
        self.scene.set_quantity(quantity)
        if quantity == "ms":
            self.state.request_layer_times()

    def _on_running(self, _bundle) -> None:
        # 20-40 ms of drawing on the UI thread: only while someone looks (showEvent catches up)
        if self.isVisible():
            self.ensure_current()

    def ensure_current(self) -> None:
        """Draw the running model if the drawing is not already of it."""
        bundle = self.state.bundle
        if bundle is None or bundle.spec == self._spec:
            return
        spec = bundle.spec
        same_shape = self._spec is not None and self._spec.arch == spec.arch
        self._spec = spec
        self.scene.layer_ms = {}
        # the same architecture keeps what the user opened (g, scale, shuffle and size change
        # numbers, not the structure); a different one starts from the chosen level
        self.scene.show_diagram(build_diagram(spec), keep_expansion=same_shape)
        self.title.setText(spec.label + ("" if spec.shuffle else " · shuffle off: grey nodes"))
        if not same_shape:
            self._fit_pending = True
            if self.isVisible():
                self.fit()

    def open_unit(self, unit_id: str) -> bool:
        """Open one unit into its layers (and its stage), then show it; False if there is none."""
        self.ensure_current()
        diagram = self.scene.diagram
        stage = next((s for s in diagram.stages if any(u.id == unit_id for u in s.units)), None) if diagram else None
        if stage is None:
            return False
        self.scene.expanded[stage.id] = True
        self.scene.expanded[unit_id] = True
        self.scene.rebuild()
        self._focus = self._focus or unit_id  # scroll to the first one opened
        return True

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        """Large-font mode: the boxes are laid out from the font, so lay them out again."""
        super().changeEvent(event)
        if event.type() == QEvent.FontChange and self.scene.diagram is not None:
            self.scene.rebuild()
            if self.isVisible():
                QTimer.singleShot(0, self.fit)  # once the new layout has its size
            else:
                self._fit_pending = True  # framed when the tab is shown

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        self.ensure_current()
        if self.quantity.currentData() == "ms":
            self.state.request_layer_times()
        if self._focus or self._fit_pending:  # drawn (or a unit opened) while hidden: frame it now
            self.fit()

    def _refit_width(self) -> None:
        """The canvas changed size: fit the width again, staying where the user scrolled to."""
        rect = self.scene.sceneRect()
        if rect.width() <= 0 or self.canvas.viewport().width() <= 50:
            return
        centre = self.canvas.mapToScene(self.canvas.viewport().rect().center())
        factor = min(1.2, self.canvas.viewport().width() / rect.width())
        self.canvas.resetTransform()
        self.canvas.scale(factor, factor)
        self.canvas.centerOn(rect.center().x(), centre.y())

    def fit(self) -> None:
        self._fit_pending = False
        self.canvas.user_zoomed = False
        rect = self.scene.sceneRect()
        # fit the width (the flow is tall): readable boxes, scroll down for the rest
        self.canvas.resetTransform()
        if rect.width() > 0 and self.canvas.viewport().width() > 50:
            factor = min(1.2, self.canvas.viewport().width() / rect.width())
            self.canvas.scale(factor, factor)
        box = self.scene.box_for(self._focus) if self._focus else None
        self._focus = None
        if box is not None:
            self.canvas.centerOn(
                rect.center().x(),
                box.sceneBoundingRect().top()
                + self.canvas.viewport().height() / 2 / self.canvas.transform().m22()
                - 90,
            )
        else:
            self.canvas.centerOn(
                rect.center().x(),
                rect.top() + self.canvas.viewport().height() / 2 / max(0.01, self.canvas.transform().m22()),
            )

    def _on_activated(self, target: Target) -> None:
        item = target.item
        if item is None:
            return
        layers = list(getattr(item, "layers", None) or [n for node in _nodes_of(item) for n in node.layers])
        if layers:
            self.select_layers.emit(layers)
        tap = getattr(item, "tap", None)
        if tap:
            self.open_tap.emit(tap)
        elif layers:
            self.state.say(f"{layers[0]}: selected in the Architecture tab (no feature tap here)", error=False)


def _nodes_of(item):
    if hasattr(item, "units"):
        for unit in item.units:
            yield from unit.nodes()
    elif hasattr(item, "nodes"):
        yield from item.nodes()
