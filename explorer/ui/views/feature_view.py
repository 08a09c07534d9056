"""Feature maps of any tap: a grid of every channel framed by group, click one to see it large,
and at a shuffle point the before/after pair showing where each group's channels go."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from explorer.analysis.mosaic import MosaicLayout, channel_group_ids, heat_strips, make_mosaic
from explorer.engine.pipeline import FrameResult
from explorer.models.shuffle import is_identity, shuffle_permutation
from explorer.models.taps import TapInfo
from explorer.ui.base.bridge import QtState
from explorer.ui.base.tab_page import TabPage
from explorer.ui.figures.images import ImagePanel

KIND_TITLES = {
    "stem": "stem",
    "stage": "stage",
    "unit": "unit",
    "before_shuffle": "before shuffle",
    "after_shuffle": "after shuffle",
    "head": "head",
}


def partner_tap(name: str) -> str | None:
    if name.endswith(".before_shuffle"):
        return name.replace(".before_shuffle", ".after_shuffle")
    if name.endswith(".after_shuffle"):
        return name.replace(".after_shuffle", ".before_shuffle")
    return None


def shuffle_caption(origin: list[int], channels: int, groups: int) -> str:
    """What the running model's shuffle did, in words, from its observed permutation."""
    if is_identity(origin):
        return (
            "after shuffle: the shuffle is OFF in this model - every channel stays in place, the groups stay contiguous"
        )
    how = "" if origin == shuffle_permutation(channels, groups) else " (megvii's (n, g) order)"
    return f"after shuffle{how}: frame = group each channel came from - the groups interleave"


class FeatureView(TabPage):
    """Asks the engine (through the state) for the taps it shows; draws them when visible."""

    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.state = qt_state.state
        self.tap_combo = QComboBox()
        self.tap_combo.setMinimumWidth(260)
        self.tap_combo.setToolTip("any tap: stem, stage, unit, or just before/after a channel shuffle")
        self.info = QLabel()
        self.info.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("layer"))
        top.addWidget(self.tap_combo)
        top.addWidget(self.info, 1)

        self.grid = ImagePanel()
        self.grid_title = QLabel()
        self.drawn_tap: str | None = None  # the tap whose maps the grid shows
        self.after_grid = ImagePanel()
        self.after_title = QLabel()
        for title in (self.grid_title, self.after_title, self.info):
            title.setWordWrap(True)  # long titles must not set the window's minimum width
        self.large = ImagePanel()
        self.large_title = QLabel("click a channel to see it large")
        self.large_title.setWordWrap(True)

        def titled(title, panel):
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(title)
            lay.addWidget(panel, 1)
            return box

        self.after_box = titled(self.after_title, self.after_grid)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(titled(self.grid_title, self.grid))
        splitter.addWidget(self.after_box)
        splitter.addWidget(titled(self.large_title, self.large))
        splitter.setSizes([500, 500, 300])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.taps: dict[str, TapInfo] = {}
        self.signal = False  # the compact net: 1D maps drawn as heat strips over time
        self._large_in_heat: bool | None = None
        self.selected_channel = 0
        self._selected_after = False  # the large view shows a channel of the after-shuffle grid
        self.layout_main: MosaicLayout | None = None
        self.layout_after: MosaicLayout | None = None
        self.last_features: dict[str, np.ndarray] = {}
        self.last_mosaic: np.ndarray | None = None
        self.tap_combo.currentIndexChanged.connect(self._on_tap)
        self.grid.clicked.connect(lambda x, y: self._select(self.layout_main, x, y, after=False))
        self.after_grid.clicked.connect(lambda x, y: self._select(self.layout_after, x, y, after=True))
        if self.state.bundle is not None:
            self._set_signal(self.state.bundle.spec.input_kind == "signal")
            self.set_taps(self.state.bundle.taps)
        qt_state.running.connect(self._on_running)

    def _on_running(self, bundle) -> None:
        self._set_signal(bundle.spec.input_kind == "signal")
        if list(bundle.taps) != list(self.taps.values()):  # same model, other backend: nothing to redo
            self.set_taps(bundle.taps)

    def _set_signal(self, signal: bool) -> None:
        """Signal nets' maps in the inferno heat map (the grid's colours), image nets' in grey."""
        if signal != self._large_in_heat:
            self.large.image.setLookupTable(pg.colormap.get("inferno").getLookupTable(nPts=256) if signal else None)
            self._large_in_heat = signal
        self.signal = signal

    # ---- taps --------------------------------------------------------------------------
    def set_taps(self, taps: list[TapInfo], prefer: str | None = None) -> None:
        current = prefer or self.tap_combo.currentData()
        self.taps = {t.name: t for t in taps}
        self.tap_combo.blockSignals(True)
        self.tap_combo.clear()
        for tap in taps:
            self.tap_combo.addItem(f"{tap.name}  [{tap.channels} ch, /{tap.reduction}]", tap.name)
        index = self.tap_combo.findData(current)
        if index < 0:  # keep something comparable: a stage-3 tap, else the middle one
            index = self.tap_combo.findData("stage3")
            index = index if index >= 0 else len(taps) // 2
        self.tap_combo.setCurrentIndex(index)
        self.tap_combo.blockSignals(False)
        self._on_tap()

    def selected_tap(self) -> str | None:
        return self.tap_combo.currentData()

    def select_tap(self, name: str) -> bool:
        index = self.tap_combo.findData(name)
        if index >= 0:
            self.tap_combo.setCurrentIndex(index)
        return index >= 0

    def wanted(self) -> list[str]:
        name = self.selected_tap()
        if not name:
            return []
        partner = partner_tap(name)
        return [name] + ([partner] if partner and partner in self.taps else [])

    def _on_tap(self) -> None:
        name = self.selected_tap()
        if not name:
            return
        tap = self.taps[name]
        self.selected_channel = min(self.selected_channel, tap.channels - 1)
        is_shuffle = partner_tap(name) is not None
        self.after_box.setVisible(is_shuffle)
        groups = tap.point.groups
        shape = (
            f"{tap.height} time steps x {tap.width} sensor axes, each a heat strip: time to the right, axes down"
            if self.signal
            else f"{tap.height}x{tap.width}"
        )
        self.info.setText(
            f"{KIND_TITLES[tap.point.kind]} · {tap.channels} channels of {shape} · stride {tap.reduction}"
            + (f" · frames coloured by group (g = {groups})" if groups > 1 else "")
        )
        if self.isVisible():
            self.state.set_taps(self.wanted())

    # the engine computes taps only while this tab shows them: elsewhere frames take the lean path
    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        self.state.set_taps(self.wanted())

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().hideEvent(event)
        self.state.set_taps(())

    # ---- drawing -----------------------------------------------------------------------
    def show_result(self, result: FrameResult) -> None:
        name = self.selected_tap()
        if not name:
            return
        if name not in result.features:  # e.g. ONNX Runtime exporting its taps (the status bar says so)
            if self.drawn_tap != name:
                self.grid_title.setText(f"{name}: waiting for its feature maps…")
            return
        self.drawn_tap = name
        self.last_features = result.features
        tap = self.taps[name]
        partner = partner_tap(name)
        if partner and partner in result.features:
            before_name = name if name.endswith("before_shuffle") else partner
            after_name = partner if before_name == name else name
            self._draw_shuffle_pair(result.features[before_name], result.features[after_name], self.taps[after_name])
        else:
            mosaic, self.layout_main = self._mosaic(result.features[name], groups=tap.point.groups)
            self.grid.show_image(mosaic)
            self.last_mosaic = mosaic
            self.grid_title.setText(f"{name}: every channel, min-max scaled per channel")
        self._draw_large()

    def _draw_shuffle_pair(self, before: np.ndarray, after: np.ndarray, after_tap: TapInfo) -> None:
        channels, groups = before.shape[0], after_tap.point.groups
        mosaic, self.layout_main = self._mosaic(before, groups=groups)
        self.grid.show_image(mosaic)
        self.last_mosaic = mosaic
        self.grid_title.setText(f"before shuffle: frame = group (g = {groups}), groups are contiguous")
        origin = self._origins(after_tap, channels)
        after_mosaic, self.layout_after = self._mosaic(
            after, groups=groups, group_ids=channel_group_ids(channels, groups, origin)
        )
        self.after_grid.show_image(after_mosaic)
        self.after_title.setText(shuffle_caption(origin, channels, groups))

    @staticmethod
    def _origins(after_tap: TapInfo, channels: int) -> list[int]:
        """For each output position, the input channel the running model put there (its own
        shuffle's permutation, read off the module: the identity when the shuffle is off)."""
        permutation = after_tap.permutation
        return list(permutation) if permutation and len(permutation) == channels else list(range(channels))

    def _mosaic(self, features: np.ndarray, **options):
        if self.signal:
            return make_mosaic(heat_strips(features), heat=True, **options)
        return make_mosaic(features, **options)

    def _select(self, layout: MosaicLayout | None, x: float, y: float, after: bool) -> None:
        if layout is None:
            return
        channel = layout.channel_at(x, y)
        if channel is None:
            return
        self.selected_channel = channel
        self._selected_after = after
        self._draw_large()

    def _draw_large(self) -> None:
        name = self.selected_tap()
        if not name:
            return
        partner = partner_tap(name)
        after = partner is not None and self._selected_after
        source = name
        if partner is not None:  # a shuffle pair: the side the click chose
            wanted = "after_shuffle" if self._selected_after else "before_shuffle"
            source = name if name.endswith(wanted) else partner
        features = self.last_features.get(source)
        if features is None or self.selected_channel >= features.shape[0]:
            return
        channel = features[self.selected_channel]
        self.large.show_float(channel.T if self.signal else channel)
        tap = self.taps[name]
        groups = tap.point.groups
        n = max(1, features.shape[0] // max(1, groups))
        detail = f"channel {self.selected_channel}"
        if groups > 1:
            detail += f", group {self.selected_channel // n}"
            if after:
                origin = self._origins(self.taps[source], features.shape[0])[self.selected_channel]
                detail += (
                    " (shuffle off: the same channel as before it)"
                    if origin == self.selected_channel
                    else f" (came from channel {origin}, group {origin // n})"
                )
        self.large_title.setText(f"{source}: {detail}")
