"""The architecture panel: the layer table of the current model with totals."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QEvent, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout

from explorer.analysis.complexity import ComplexityReport
from explorer.runtime import registry
from explorer.ui.base.bridge import QtState
from explorer.ui.base.tab_page import TabPage

COLUMNS = ("layer", "type", "output", "params", "MFLOPs", "MAC (K el.)", "eager ms (hooks)")


class LayerTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.report: ComplexityReport | None = None
        self.layer_ms: dict[str, float] = {}

    def set_report(self, report: ComplexityReport) -> None:
        self.beginResetModel()
        self.report = report
        self.layer_ms = {}
        self.endResetModel()

    def set_layer_ms(self, layer_ms: dict[str, float]) -> None:
        self.layer_ms = dict(layer_ms)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 6), self.index(self.rowCount() - 1, 6))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if self.report is None or parent.isValid() else len(self.report.layers)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or self.report is None:
            return None
        row = self.report.layers[index.row()]
        col = index.column()
        if role == Qt.TextAlignmentRole and col >= 3:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role != Qt.DisplayRole:
            return None
        if col == 0:
            return row.name
        if col == 1:
            return row.type
        if col == 2:
            return "x".join(map(str, row.out_shape))
        if col == 3:
            return f"{row.params:,}" if row.params else ""
        if col == 4:
            return f"{row.madds / 1e6:.3f}" if row.madds else ""
        if col == 5:
            return f"{row.mac / 1e3:.1f}" if row.mac else "0"
        ms = self.layer_ms.get(row.name)
        return "" if ms is None else f"{ms:.3f}"


class ArchitectureView(TabPage):
    """The running model's layer table; per-layer times are asked for only while it is visible."""

    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.state = qt_state.state
        self.model = LayerTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        # fixed widths: ResizeToContents would measure every row of a 200-row table on each rebuild
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        self._size_columns()
        header.setStretchLastSection(True)
        self.totals = QLabel()
        self.totals.setObjectName("metric")
        self.totals.setWordWrap(True)
        self.note = QLabel(
            "FLOPs = multiply-adds of conv + FC (the papers' convention). MAC = memory access cost in elements "
            "(inputs + outputs + weights, ShuffleNet V2 G1/G2). Measured ms: torch eager, one layer at a time through hooks, "
            "on a random input between live frames, whatever backend runs the live view: indicative (hooks add overhead, "
            "a fusing backend such as ONNX Runtime has no per-layer times)."
        )
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.totals)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        if self.state.bundle is not None:
            self.set_report(self.state.bundle.report)
        qt_state.running.connect(self._on_running)
        qt_state.layer_times.connect(self.set_layer_ms)

    def _size_columns(self) -> None:
        """Widths for this font: each column fits its title and typical values (large fonts too)."""
        header = self.table.horizontalHeader()
        scale = self.fontMetrics().averageCharWidth() / 7.0  # the widths below are for a ~7 px character
        for column, width in enumerate((230, 130, 110, 90, 80, 100)):
            title = str(self.model.headerData(column, Qt.Horizontal, Qt.DisplayRole) or "")
            header.resizeSection(column, int(max(width * scale, header.fontMetrics().horizontalAdvance(title) + 24)))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self._size_columns()

    def _on_running(self, bundle) -> None:
        if bundle.report is not self.model.report:
            self.set_report(bundle.report)
        if self.isVisible():
            self.state.request_layer_times()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        self.state.request_layer_times()  # ~200 Python hooks per frame: only while someone looks

    def select_layers(self, names: list[str]) -> int:
        """Select the rows of ``names`` (from the Diagram tab); returns how many were found."""
        report = self.model.report
        if report is None:
            return 0
        wanted = set(names)
        rows = [i for i, row in enumerate(report.layers) if row.name in wanted]
        selection = self.table.selectionModel()
        selection.clearSelection()
        for i in rows:
            selection.select(self.model.index(i, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)
        if rows:
            self.table.scrollTo(self.model.index(rows[0], 0), QTableView.PositionAtTop)
        return len(rows)

    def set_report(self, report: ComplexityReport) -> None:
        self.model.set_report(report)
        self._update_totals()

    def set_layer_ms(self, layer_ms: dict[str, float]) -> None:
        self.model.set_layer_ms(layer_ms)
        self._update_totals()

    def _update_totals(self) -> None:
        report = self.model.report
        if report is None:
            return
        t = report.totals
        ms = self.model.layer_ms
        threads = self.state.bundle.config.threads if self.state.bundle is not None else 1
        measured = (
            f" · layers sum {sum(ms.values()):.1f} ms ({registry.timed_on(registry.reference().name, threads)}, through hooks: indicative)"
            if ms
            else " · measuring…"
        )
        self.totals.setText(
            f"{report.spec.label}: {t.params / 1e6:.3f} M params · {t.madds / 1e6:.1f} MFLOPs "
            f"(conv {t.madds_conv / 1e6:.1f} + FC {t.madds_fc / 1e6:.2f}) · MAC {t.mac / 1e6:.2f} M elements{measured}"
        )
