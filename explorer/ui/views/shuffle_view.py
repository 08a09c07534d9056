"""The channel shuffle, drawn: input channels coloured by group -> (g x n) grid -> transposed ->
flattened, with a wire from each input channel to its output position; beside it, what two
stacked group convolutions can see with the shuffle off and on."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QBoxLayout, QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from explorer.analysis.mosaic import GROUP_COLOURS, group_colour
from explorer.analysis.shuffle_flow import input_groups_seen, stacked_connectivity
from explorer.models.absorb import absorb_shuffles, can_absorb
from explorer.models.shuffle import check_groups, is_identity, shuffle_permutation
from explorer.ui.base.bridge import QtState
from explorer.ui.base.tab_page import TabPage
from explorer.ui.figures.images import ImagePanel

MAX_CHANNELS = 512  # the compact net's last shuffle (512 channels, g = 16)


def connectivity_image(matrix: np.ndarray, groups: int) -> np.ndarray:
    """Output-by-input 0/1 matrix -> RGB, connected cells in the input channel's group colour."""
    channels = matrix.shape[0]
    n = channels // groups
    colours = GROUP_COLOURS[(np.arange(channels) // n) % len(GROUP_COLOURS)]
    image = np.full((channels, channels, 3), 25, np.uint8)
    image[matrix.astype(bool)] = np.broadcast_to(colours[None, :, :], (channels, channels, 3))[matrix.astype(bool)]
    return image


class ShuffleDiagram(QWidget):
    """Custom-painted permutation picture (QPainter: crisp at any size, cheap to redraw)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.channels, self.groups = 12, 3
        self.model_permutation: list[int] | None = None  # a running model's own, when one is shown
        self.setMinimumSize(520, 360)

    def set_config(self, channels: int, groups: int, permutation: list[int] | None = None) -> None:
        """Draw (C, g) with the paper's permutation, or with ``permutation`` read off a model."""
        self.channels, self.groups, self.model_permutation = channels, groups, permutation
        self.update()

    def permutation(self) -> list[int]:
        return (
            self.model_permutation
            if self.model_permutation is not None
            else shuffle_permutation(self.channels, self.groups)
        )

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt naming)
        c, g = self.channels, self.groups
        n = c // g
        perm = self.permutation()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), QColor("#202020"))
        width, height = self.width(), self.height()
        margin = 16
        box = min(36.0, (width - 2 * margin) / c)
        left = (width - box * c) / 2
        caption_font = QFont(self.font())  # captions follow the window's font (large-font mode too)
        line = QFontMetricsF(caption_font).height()
        font = QFont(self.font())  # numbers inside the boxes scale with the boxes
        font.setPointSizeF(max(6.0, min(box * 0.38, 11.0)))
        show_numbers = box >= 13
        top_y, wire_h = 2 * line + 10, max(80.0, height * 0.32)
        out_y = top_y + box + wire_h

        def caption(y: float, text: str, x: float = margin, w: float | None = None) -> None:
            """Wrapped text in the rows above ``y``: never cut at the widget's edge."""
            painter.setFont(caption_font)
            painter.setPen(QColor("#ddd"))
            painter.drawText(
                QRectF(x, y - 2 * line - 4, w or width - x - margin, 2 * line),
                Qt.AlignLeft | Qt.AlignBottom | Qt.TextWordWrap,
                text,
            )
            painter.setFont(font)

        painter.setFont(font)

        def channel_box(x: float, y: float, index: int, group: int, size: float = box) -> None:
            rect = QRectF(x + 1, y, size - 2, size)
            painter.fillRect(rect, QColor(*group_colour(group)))
            if show_numbers:
                painter.setPen(QColor("#111"))
                painter.drawText(rect, Qt.AlignCenter, str(index))

        caption(top_y, f"input channels (C = {c}), coloured by group (g = {g}, n = {n} per group)")
        for i in range(c):
            channel_box(left + i * box, top_y, i, i // n)
        for k, source in enumerate(perm):  # wires: input channel -> output position
            pen = QPen(QColor(*group_colour(source // n)))
            pen.setWidthF(1.6 if c <= 48 else 1.0)
            painter.setPen(pen)
            painter.drawLine(QPointF(left + (source + 0.5) * box, top_y + box), QPointF(left + (k + 0.5) * box, out_y))
        for k, source in enumerate(perm):
            channel_box(left + k * box, out_y, source, source // n)
        caption(out_y + box + 2 * line + 6, "output positions 0..C-1, each showing the input channel it takes")

        if is_identity(perm):  # a model with its shuffle off: nothing is regrouped
            caption(
                out_y + box + 4 * line + 12, "this shuffle is OFF in the running model: every channel stays in place"
            )
            painter.end()
            return
        # the (g x n) -> (n x g) regrouping that produces the wiring
        grid_top = out_y + box + 4 * line + 12
        cell = min(26.0, (height - grid_top - 24) / max(g, n), (width / 2 - 3 * margin) / max(g, n))
        if cell >= 6:
            show_grid_numbers = cell >= 13
            origin_a = QPointF(margin * 2, grid_top + 16)
            origin_b = QPointF(width / 2 + margin, grid_top + 16)
            caption(
                grid_top + 8, f"1. reshape to (g = {g}) x (n = {n})", origin_a.x(), width / 2 - origin_a.x() - margin
            )
            caption(grid_top + 8, f"2. transpose to ({n} x {g}), read rows", origin_b.x())
            for r in range(g):
                for col in range(n):
                    self._cell(painter, origin_a, r, col, cell, r * n + col, r, show_grid_numbers)
            for r in range(n):
                for col in range(g):
                    self._cell(painter, origin_b, r, col, cell, col * n + r, col, show_grid_numbers)
        painter.end()

    @staticmethod
    def _cell(
        painter: QPainter, origin: QPointF, row: int, col: int, size: float, index: int, group: int, numbers: bool
    ) -> None:
        rect = QRectF(origin.x() + col * size, origin.y() + row * size, size - 1, size - 1)
        painter.fillRect(rect, QColor(*group_colour(group)))
        if numbers:
            painter.setPen(QColor("#111"))
            painter.drawText(rect, Qt.AlignCenter, str(index))


def model_shuffle_summary(label: str, permutations: list) -> str:
    """One line on what a running model's shuffles do, from their observed permutations."""
    if not permutations:
        return f"{label} has no channel shuffle: the drawing shows the paper's definition for any (C, g)."
    off = sum(is_identity(p) for p in permutations)
    if off == len(permutations):
        return (
            f"{label}: its {off} shuffles are OFF (each passes the channels through unchanged), so its groups never "
            "mix. The drawing shows what the shuffle would do; press S to turn it on."
        )
    return f"{label}: {len(permutations) - off} of its {len(permutations)} shuffles permute the channels as drawn."


class ShuffleView(TabPage):
    """Any (C, g) by hand; it follows the running V1 model's group count."""

    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.channels_spin = QSpinBox()
        self.channels_spin.setRange(1, MAX_CHANNELS)
        self.channels_spin.setValue(12)
        self.groups_spin = QSpinBox()
        self.groups_spin.setRange(1, MAX_CHANNELS)
        self.groups_spin.setValue(3)
        self.message = QLabel()
        self.message.setObjectName("explanation")
        self.message.setWordWrap(True)
        self.model_pairs = QComboBox()
        self.model_pairs.setToolTip(
            "the (C, g) of every shuffle in the running model: picked, the drawing shows that shuffle as the model runs it"
        )
        self.model_state = QLabel()  # what the running model's shuffles really do (read off the model)
        self.model_state.setObjectName("explanation")
        self.model_state.setWordWrap(True)
        self.model_permutations: dict[tuple[int, int], list[int]] = {}
        self.absorbed = QLabel()
        self.absorbed.setObjectName("notice")
        self.absorbed.setWordWrap(True)
        self.absorbed.hide()
        controls = QHBoxLayout()
        controls.addWidget(QLabel("this model's shuffles"))
        controls.addWidget(self.model_pairs)
        controls.addWidget(QLabel("channels C"))
        controls.addWidget(self.channels_spin)
        controls.addWidget(QLabel("groups g"))
        controls.addWidget(self.groups_spin)
        controls.addStretch(1)

        self.diagram = ShuffleDiagram()
        self.off_panel, self.on_panel = ImagePanel(), ImagePanel()
        self.off_title, self.on_title = QLabel(), QLabel()
        for title in (self.off_title, self.on_title):
            title.setWordWrap(True)
        matrices = QVBoxLayout()
        intro = QLabel(
            "Two stacked group convolutions (GConv → GConv): which inputs can each output see?  rows = outputs, columns = inputs"
        )
        intro.setWordWrap(True)
        matrices.addWidget(intro)
        matrices.addWidget(self.off_title)
        matrices.addWidget(self.off_panel, 1)
        matrices.addWidget(self.on_title)
        matrices.addWidget(self.on_panel, 1)
        body = self.body = QBoxLayout(QBoxLayout.LeftToRight)
        body.addWidget(self.diagram, 3)
        body.addLayout(matrices, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.message)  # its own row: the formula is read, never squeezed into a column
        layout.addWidget(self.model_state)
        layout.addWidget(self.absorbed)
        layout.addLayout(body, 1)
        self.model_pairs.activated.connect(lambda _i: self._pick_model_pair())
        # the spin boxes send their value: never take it for a running model's permutation
        self.channels_spin.valueChanged.connect(lambda _value: self._refresh())
        self.groups_spin.valueChanged.connect(lambda _value: self._refresh())
        self._refresh()
        qt_state.running.connect(self._on_running)
        if qt_state.state.bundle is not None:
            self._on_running(qt_state.state.bundle)

    def fit_room(self, room) -> None:
        """The matrices beside the drawing where both have room, else below it (scroll down)."""
        beside = room.width() >= self.diagram.minimumWidth() + 360
        self.body.setDirection(QBoxLayout.LeftToRight if beside else QBoxLayout.TopToBottom)
        for panel in (self.off_panel, self.on_panel):
            panel.setMinimumHeight(0 if beside else 160)

    def _on_running(self, bundle) -> None:
        shuffles = [t for t in bundle.taps if t.point.kind == "after_shuffle" and t.permutation is not None]
        self.model_permutations = {(t.channels, t.point.groups): list(t.permutation) for t in shuffles}
        pairs = sorted(self.model_permutations)
        self.model_pairs.clear()
        for channels, groups in pairs:
            self.model_pairs.addItem(f"C = {channels}, g = {groups}", (channels, groups))
        self.model_state.setText(model_shuffle_summary(bundle.spec.label, [t.permutation for t in shuffles]))
        entry = bundle.spec.architecture
        if entry.group_choices and bundle.spec.groups is not None:
            self.follow_groups(bundle.spec.groups)
        elif entry.default_groups is None and pairs:  # fixed per-block groups (the compact net): its first shuffle
            self.set_config(*pairs[0])
        self._show_absorption(bundle)

    def _pick_model_pair(self) -> None:
        pair = self.model_pairs.currentData()
        if pair:
            self.set_config(*pair, permutation=self.model_permutations.get(tuple(pair)))

    def _show_absorption(self, bundle) -> None:
        """For the compact net: fold its shuffles into the next layers' weights and show that the
        outputs do not change (every conv after a shuffle there is dense or depthwise)."""
        if not bundle.spec.shuffle or not can_absorb(bundle.model):
            self.absorbed.hide()
            return
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(4, *bundle.spec.input_shape, generator=generator)
        with torch.no_grad():
            difference = (bundle.model(x) - absorb_shuffles(bundle.model)(x)).abs().max().item()
        self.absorbed.setText(
            f"In this network every 1x1 conv is dense (groups = 1), so each shuffle is a fixed permutation the next layers "
            f"absorb: shuffle OFF with those layers' weights permuted gives the same outputs (max |Δ| = {difference:.1e} on random "
            f"windows). A shuffle only matters in front of a grouped conv, as in ShuffleNet V1's units."
        )
        self.absorbed.show()

    def set_config(self, channels: int, groups: int, permutation: list[int] | None = None) -> None:
        for spin, value in ((self.channels_spin, channels), (self.groups_spin, groups)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self._refresh(permutation)

    def follow_groups(self, groups: int) -> None:
        """Track the model's group count, keeping C a small multiple of it."""
        channels = self.channels_spin.value()
        if channels % groups:
            channels = groups * max(2, min(MAX_CHANNELS // groups, 4))
        self.set_config(channels, groups)

    def _refresh(self, permutation: list[int] | None = None) -> None:
        """Redraw (C, g): with ``permutation`` (a running model's shuffle), else the paper's."""
        c, g = self.channels_spin.value(), self.groups_spin.value()
        try:
            check_groups(c, g)
        except ValueError as exc:
            self.message.setText(f"Not drawn: {exc}. Pick a C that g divides.")
            return
        if permutation is not None and is_identity(permutation):
            self.message.setText(
                f"the running model's shuffle at C = {c}, g = {g} is OFF: output k takes input channel k"
            )
        else:
            self.message.setText(f"g = {g}: output position k takes input channel (k mod {g})·{c // g} + k div {g}")
        self.diagram.set_config(c, g, permutation)
        off, on = stacked_connectivity(c, g, False), stacked_connectivity(c, g, True)
        self.off_panel.show_image(connectivity_image(off, g))
        self.on_panel.show_image(connectivity_image(on, g))
        seen_off, seen_on = input_groups_seen(off, g), input_groups_seen(on, g)
        self.off_title.setText(
            f"shuffle OFF: each output group sees {min(seen_off)} of {g} input groups - the groups never mix"
        )
        limit = (
            ""
            if min(seen_on) == g
            else f" (a group has only n = {c // g} channels to take from: full mixing needs n >= g)"
        )
        self.on_title.setText(f"shuffle ON: each output group sees {min(seen_on)} of {g} input groups{limit}")
