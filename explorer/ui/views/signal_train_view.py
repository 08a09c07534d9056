"""The Teach tab for the compact net: train the whole network on labelled sensor windows in the
background, watch the loss and accuracy curves grow, cancel at any time; the result is kept in
the app's cache and loaded into the live model through the usual (validated) weights path."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.engine.signal_data import file_split, synthetic_split
from explorer.paths import cache_root
from explorer.sources.factory import recording_path
from explorer.teach.signal_trainer import EpochRow, kept_path, train_signals
from explorer.ui.base.bridge import QtState
from explorer.ui.base.font_scale import set_axis_label
from explorer.ui.widgets.task_panel import TaskPanel

SYNTHETIC = "signal:synthetic"


def keep_trained(trained, stamp: str) -> tuple[Path, str]:
    """Keep a trained net in the cache; where the cache cannot be written (read-only, full), in a
    temporary folder, and say so: a finished training is never lost to a disk problem."""
    try:
        return trained.save(kept_path(stamp)), ""
    except OSError as exc:
        fallback = trained.save(Path(tempfile.mkdtemp(prefix="explorer-trained-")) / f"compact-signals-{stamp}.pt")
        return fallback, (
            f"could not keep the trained net in {cache_root() / 'trained'} ({exc.strerror or exc}): it runs from "
            f"{fallback} for now; use Save… to keep it somewhere that lasts"
        )


class SignalTrainView(QWidget):
    """Train, cancel, curves; saving and loading files is the window's (it owns the dialogs)."""

    save_requested = Signal(str)  # the kept checkpoint to copy where the user wants it
    load_requested = Signal()
    batch_done = Signal(float, float)  # epochs done, batch loss (from the training thread)
    epoch_done = Signal(object)  # EpochRow

    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.state = qt_state.state
        intro = QLabel(
            "Train the whole compact net end to end on labelled sensor windows. It runs in the background "
            "while the live view keeps going; the trained weights then run live (and are kept, so nothing is lost)."
        )
        intro.setWordWrap(True)
        intro.setObjectName("explanation")
        self.data = QComboBox()
        self.data.setToolTip(
            "synthetic activities: six activities from the generator (validation from another seed); "
            "a labelled recording is split in time, 80 % to train"
        )
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 200)
        self.epochs.setValue(10)
        self.seconds = QSpinBox()
        self.seconds.setRange(60, 7200)
        self.seconds.setSingleStep(100)
        self.seconds.setValue(800)
        self.seconds.setSuffix(" s of signal")
        self.task = TaskPanel(
            "signal-train",
            "Train",
            self.state,
            idle_text="Press Train: 10 epochs on 800 s of synthetic activities take about a minute on two cores.",
            cancelled_text="training cancelled; the live model is unchanged",
            failed_text="not trained: {}",
            progress_text="training: {}",
        )
        self.task.run_button.setObjectName("primary")
        self.save_button = QPushButton("Save weights…")
        self.save_button.setEnabled(False)
        self.load_button = QPushButton("Load weights…")

        form = QFormLayout()
        form.addRow("data", self.data)
        form.addRow("epochs", self.epochs)
        form.addRow("synthetic", self.seconds)
        files = QHBoxLayout()
        files.addWidget(self.save_button)
        files.addWidget(self.load_button)
        files.addStretch(1)
        side = QVBoxLayout()
        side.addWidget(intro)
        side.addLayout(form)
        side.addWidget(self.task)
        side.addLayout(files)
        side.addStretch(1)

        self.curves = pg.GraphicsLayoutWidget()
        self.curves.setBackground("#202020")
        self.loss_plot = self.curves.addPlot(title="training loss (moving average over batches)")
        set_axis_label(self.loss_plot, "bottom", "epoch")
        self.loss_plot.showGrid(y=True, alpha=0.3)
        self.curves.nextRow()
        self.accuracy_plot = self.curves.addPlot(title="accuracy after each epoch")
        set_axis_label(self.accuracy_plot, "bottom", "epoch")
        self.accuracy_plot.setYRange(0, 1, padding=0.02)
        self.accuracy_plot.showGrid(y=True, alpha=0.3)
        self.accuracy_plot.addLegend(offset=(-10, -10))
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen("#e69f00", width=1))
        self.train_curve = self.accuracy_plot.plot(
            pen=pg.mkPen("#56b4e9", width=1), symbol="o", symbolSize=5, name="training windows (while learning)"
        )
        self.val_curve = self.accuracy_plot.plot(
            pen=pg.mkPen("#009e73", width=2), symbol="o", symbolSize=6, name="validation windows"
        )
        layout = QHBoxLayout(self)
        layout.addWidget(self.curves, 3)
        side_widget = QWidget()
        side_widget.setLayout(side)
        layout.addWidget(side_widget, 2)

        self.losses: list[tuple[float, float]] = []
        self.rows: list[EpochRow] = []
        self.kept: str | None = None  # the last trained checkpoint, in the app's cache
        self.task.finished.connect(self._on_trained)
        self.task.run_clicked.connect(self.start)
        self.batch_done.connect(self._on_batch)
        self.epoch_done.connect(self._on_epoch)
        self.save_button.clicked.connect(lambda: self.save_requested.emit(self.kept or ""))
        self.load_button.clicked.connect(self.load_requested)
        self.data.currentIndexChanged.connect(lambda _i: self.seconds.setEnabled(self.data.currentData() == SYNTHETIC))
        self.offer_data()
        qt_state.source.connect(lambda _text: self.offer_data())

    @property
    def training(self) -> bool:
        return self.task.running

    def offer_data(self) -> None:
        """Synthetic activities always; the recording now playing when it is a file."""
        current = self.data.currentData()
        self.data.blockSignals(True)
        self.data.clear()
        self.data.addItem("synthetic activities (6 classes)", SYNTHETIC)
        path = recording_path(self.state.source_text)
        if path:
            self.data.addItem(f"this recording: {path}", path)
        self.data.setCurrentIndex(max(0, self.data.findData(current)))
        self.data.blockSignals(False)

    def start(self) -> bool:
        series = self.state.config.spec.input_size[0] if self.state.config.spec.input_kind == "signal" else 128
        data, epochs, seconds = self.data.currentData(), self.epochs.value(), float(self.seconds.value())
        batch_done, epoch_done = self.batch_done.emit, self.epoch_done.emit

        def work(progress, cancel):
            split = synthetic_split(seconds, series) if data == SYNTHETIC else file_split(data, series)
            trained = train_signals(
                split.train,
                split.val,
                split.classes,
                split.channels,
                epochs=epochs,
                progress=progress,
                cancel=cancel,
                on_batch=batch_done,
                on_epoch=epoch_done,
            )
            path, note = keep_trained(trained, time.strftime("%Y%m%d-%H%M%S"))
            return trained, str(path), split, note

        if not self.task.start(work, "preparing the windows…"):
            return False
        self.losses, self.rows = [], []
        self._draw_curves()
        self.loss_plot.setXRange(0, epochs, padding=0.02)
        self.accuracy_plot.setXRange(0, epochs, padding=0.02)
        return True

    def _on_batch(self, epochs_done: float, loss: float) -> None:
        # an exponential moving average: single batches are noisy, the trend is the lesson
        smoothed = loss if not self.losses else 0.9 * self.losses[-1][1] + 0.1 * loss
        self.losses.append((epochs_done, smoothed))
        if len(self.losses) % 5 == 0:  # a point every batch, a redraw every fifth
            self._draw_curves()

    def _on_epoch(self, row: EpochRow) -> None:
        self.rows.append(row)
        self._draw_curves()

    def _draw_curves(self) -> None:
        if self.losses:
            x, y = zip(*self.losses)
            self.loss_curve.setData(list(x), list(y))
        else:
            self.loss_curve.setData([], [])
        epochs = [row.epoch for row in self.rows]
        self.train_curve.setData(epochs, [row.train_accuracy for row in self.rows])
        self.val_curve.setData(epochs, [row.val_accuracy for row in self.rows])

    def _on_trained(self, outcome) -> None:
        trained, path, split, note = outcome
        self._draw_curves()
        self.kept = path
        self.save_button.setEnabled(True)
        last = trained.history[-1]
        self.task.say(
            f"trained on {len(split.train[0])} windows of {split.origin}: validation accuracy {last.val_accuracy:.1%} "
            f"(training {last.train_accuracy:.1%}) in {last.seconds:.0f} s. Now running live; kept in {path}."
        )
        self.state.request(spec=trained.spec, weights=path)
        if note:
            self.state.say(note)
