"""Fit to a frame rate, in the Run box: measure the candidates in the background (the live view
pauses meanwhile, so the numbers are clean), show the table, switch to the largest that passes."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.engine.config import AUTO
from explorer.engine.fit import DEFAULT_FPS_TARGET, FitResult, run_fit
from explorer.runtime import registry
from explorer.ui.base.bridge import QtState
from explorer.ui.widgets.task_panel import TaskPanel


class FitPanel(QWidget):
    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.state = qt_state.state
        self.target = QDoubleSpinBox()
        self.target.setRange(1, 1000)
        self.target.setDecimals(0)
        self.target.setValue(DEFAULT_FPS_TARGET)
        self.target.setSuffix(" fps")
        self.task = TaskPanel(
            "fit",
            "Fit",
            self.state,
            cancelled_text="fit cancelled: nothing changed",
            failed_text="fit failed: {}",
            leading=(QLabel("fit to"), self.target),
            progress_below=True,
            compact=True,  # no empty rows in the Run box until there is something to say
        )
        self.task.run_button.setToolTip(
            "measure this architecture's scales, input sizes and backends here and switch to the "
            "largest that reaches the target (groups and architecture stay yours)"
        )
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["model", "backend", "fps"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(180)
        self.table.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.task)
        layout.addWidget(self.table)
        self.result: FitResult | None = None
        self.task.finished.connect(self._on_finished)
        self.task.run_clicked.connect(lambda: self.start())

    def start(self, target: float | None = None, runs: int = 12, measure=None) -> bool:
        if target is not None:
            self.target.setValue(target)
        spec, threads, fps = self.state.config.spec, self.state.config.threads, self.target.value()
        options = {"measure": measure} if measure is not None else {}
        return self.task.start(
            lambda progress, cancel: run_fit(spec, fps, threads, runs, progress, cancel, **options),
            f"measuring {spec.label.split(' @')[0]} variants for {fps:g} fps…",
            pause_video=True,  # the measurement gets the cores; the video resumes after
        )

    def _on_finished(self, result: FitResult) -> None:
        self.result = result
        self.task.say(result.summary())
        self._fill_table(result)
        if result.chosen is not None:
            chosen = result.chosen
            # auto never moves to reduced precision by itself: fit chose it, so it is asked for by name
            keep_auto = self.state.config.backend == AUTO and not registry.get(chosen.backend).reduced_precision
            self.state.request(spec=chosen.spec, backend=AUTO if keep_auto else chosen.backend)

    def _fill_table(self, result: FitResult) -> None:
        rows = sorted(result.candidates, key=lambda c: (-c.madds, c.backend))
        self.table.setRowCount(len(rows))
        for i, c in enumerate(rows):
            cells = (c.spec.label.replace("ShuffleNet ", ""), c.backend, f"{c.fps:.0f}")
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c is result.chosen:
                    item.setBackground(QColor("#2f5f2f"))
                elif c.fps < result.target_fps:
                    item.setForeground(QColor("#888"))
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.show()
