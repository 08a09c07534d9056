"""The live tab: the frame, the top-5 predictions (or an honest "untrained" notice), fps and
inference latency, and the latency history.

This is the first screen every user sees, so its per-frame cost on the UI thread is kept small
and constant: every UI-thread millisecond holds the GIL that an eager-torch inference thread
needs between its many small ops.  Per frame it draws the frame and repaints one predictions
widget (no label or layout changes); numbers and the history plot redraw at a fixed rate from a
fixed-size ring buffer, whatever the history length.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.engine.pipeline import UNTRAINED_NOTICE, FrameResult
from explorer.runtime import registry
from explorer.sources.signal_stream import SignalWindow
from explorer.ui.base.bridge import QtState
from explorer.ui.base.font_scale import font_scale_factor, set_axis_label
from explorer.ui.base.tab_page import TabPage
from explorer.ui.figures.images import ImagePanel
from explorer.ui.figures.signal_plot import SignalPlot
from explorer.ui.widgets.frame_watch import FrameCounter, FrameWatch
from explorer.ui.widgets.live_overlay import ROWS, FrameStage, paint_prediction_rows
from explorer.ui.widgets.wrapping_button import WrappingButton
from explorer.weights.loader import has_torchvision_weights, torchvision_cached
from explorer.weights.source import TORCHVISION, WeightsSource

HISTORY = 300
TEXT_HZ = 4  # fps, latency and the history plot redraw this often, not per frame
SIDE_WIDTH = 320  # the side column's width beside the frame (normal fonts; scaled with them)
# the side column stands beside the frame only while the frame keeps this share of the window;
# otherwise the predictions go over the frame and the rest below it (a 7" panel, 200 % scaling,
# large fonts, the controls unfolded on a laptop)
FRAME_SHARE_OF_WINDOW = 0.5


class RingBuffer:
    """The last ``size`` values in a fixed numpy array: appending never allocates."""

    def __init__(self, size: int) -> None:
        self.values = np.zeros(size, dtype=np.float64)
        self.count = 0

    def append(self, value: float) -> None:
        self.values[self.count % len(self.values)] = value
        self.count += 1

    def ordered(self) -> np.ndarray:
        n = min(self.count, len(self.values))
        start = self.count % len(self.values) if self.count > len(self.values) else 0
        return np.roll(self.values, -start)[:n] if start else self.values[:n]


class PredictionBars(QWidget):
    """Top-5 labels with probability bars, painted in one pass: a new frame is one update(),
    never five labels and five progress bars relaid out."""

    ROWS = ROWS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, float]] = []
        self.stale = False  # the rows belong to a frame that is no longer arriving: drawn grey
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return QSize(320, self.ROWS * (self.fontMetrics().height() + 10))

    def set_rows(self, rows: list[tuple[str, float]], stale: bool = False) -> None:
        self.rows, self.stale = rows[: self.ROWS], stale
        self.update()

    def texts(self) -> list[str]:
        return [label for label, _ in self.rows]

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        paint_prediction_rows(painter, QRectF(self.rect()), self.rows, self.stale)
        painter.end()


class RunningAccuracy:
    """Top-1 against a labelled recording's true class, over every window the model saw."""

    def __init__(self) -> None:
        self.right = 0
        self.seen = 0
        self.truth: str | None = None
        self.why_not = ""  # why windows are not counted (untrained model, other class names)

    def count(self, result: FrameResult, labels: list[str]) -> None:
        window = result.frame
        if not isinstance(window, SignalWindow):
            return
        self.truth = window.label(result.spec.signal_size[0])
        if self.truth is None:
            self.why_not = ""
        elif not result.trained:
            self.why_not = "the model is untrained: train it in the Teach tab"
        elif self.truth not in labels:
            self.why_not = f"the model's classes ({', '.join(labels[:3])}…) are not the recording's"
        else:
            self.why_not = ""
            self.seen += 1
            self.right += result.top[0].label == self.truth

    def text(self) -> str:
        if self.truth is None:
            return "the recording has no labels: no accuracy to show"
        accuracy = (
            f"running accuracy {self.right / self.seen * 100:.1f} % over {self.seen} windows"
            if self.seen
            else "running accuracy -"
        )
        return f"true activity: {self.truth} · " + (self.why_not or accuracy)


def download_size_mb(spec) -> float:
    """torchvision's fp32 checkpoint is its parameters at 4 bytes each (+ BN statistics)."""
    published = spec.architecture.figures(spec)
    return (published.params if published and published.params else 0) * 4 / 1e6


class LiveView(TabPage):
    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.state = qt_state.state
        self.frame_panel = ImagePanel()
        self.signal_plot = SignalPlot()
        self.display = QStackedWidget()  # the frame, or for the compact net the sensor channels
        self.display.addWidget(self.frame_panel)
        self.display.addWidget(self.signal_plot)
        self.truth_label = QLabel()
        self.truth_label.setObjectName("metric")
        self.truth_label.setWordWrap(True)
        self.accuracy = RunningAccuracy()
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.download_button = WrappingButton()  # two lines rather than cut (large fonts, narrow column)
        self.download_button.setObjectName("primary")
        self.download_button.setToolTip(
            "torchvision's ImageNet weights, downloaded once into the torch hub cache (cancellable)"
        )
        self.download_button.clicked.connect(lambda: self.state.request(weights=WeightsSource(TORCHVISION)))
        self.weights_help_button = QPushButton("How to get trained weights…")  # the window opens the dialog
        self.heading = "Top-5"  # the title while frames arrive
        self.title = QLabel(self.heading)
        self.title.setObjectName("heading")
        self.predictions = PredictionBars()
        self.fps_label = QLabel("fps -")
        self.fps_label.setObjectName("metric")
        self.latency_label = QLabel("inference - ms")
        self.latency_label.setObjectName("metric")
        for metric in (self.fps_label, self.latency_label):
            metric.setWordWrap(True)  # large fonts in a narrow panel: two lines, never cut
        self.split_label = QLabel()
        self.split_label.setWordWrap(True)
        self.timed_on = ""  # "ONNX Runtime, 1 thread": what made the latencies shown
        self.backend_label = QLabel()
        self.backend_label.setWordWrap(True)

        self.plot = pg.PlotWidget(background="#202020")
        set_axis_label(self.plot, "left", "inference (ms)")  # not units="ms": pyqtgraph would print "kms" past 1000
        set_axis_label(self.plot, "bottom", "frame")
        self.plot.showGrid(y=True, alpha=0.3)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setXRange(0, HISTORY, padding=0)
        self.budget_line = self.plot.addLine(
            y=1000 / 30,
            pen=pg.mkPen("#888", style=Qt.DashLine),
            label="30 fps budget",
            # right-aligned just inside the right edge, above the line: never cut by the axis end
            labelOpts={"position": 0.97, "color": "#aaa", "anchors": [(1, 1), (1, 1)]},
        )
        # a cosmetic 1-px pen: wide antialiased polylines cost tens of ms to stroke
        self.curve = self.plot.plot(pen=pg.mkPen("#56b4e9", width=1), skipFiniteCheck=True)
        self.plot.setMinimumHeight(100)
        self.history = RingBuffer(HISTORY)

        self.details_title = QLabel("Latency and backend")
        self.details_title.setObjectName("heading")
        side = QVBoxLayout()
        for widget in (
            self.title,
            self.notice,
            self.download_button,
            self.weights_help_button,
            self.predictions,
            self.truth_label,
            self.details_title,
        ):
            side.addWidget(widget)
        metrics = QHBoxLayout()
        metrics.addWidget(self.fps_label)
        metrics.addWidget(self.latency_label)
        side.addLayout(metrics)
        side.addWidget(self.split_label)
        side.addWidget(self.backend_label)
        side.addWidget(self.plot, 1)
        self.side_widget = QWidget()
        self.side_widget.setLayout(side)
        self.stage = FrameStage(self.display)
        self.layout_box = QBoxLayout(QBoxLayout.LeftToRight, self)
        self.layout_box.addWidget(self.stage, 1)
        self.layout_box.addWidget(self.side_widget, 0)
        self.presenting = False
        self.overlaid = False  # the predictions are painted over the frame (narrow, or presenting)
        self._set_beside(True)
        self.counter = FrameCounter()
        self.watch = FrameWatch(lambda: self.state.paused, parent=self)
        self.watch.stale.connect(self._show_stale)
        self.watch.live_again.connect(lambda: self.fps_label.setText("fps …"))  # the rate comes within a second
        self._last_text = 0.0
        self._trained: bool | None = None
        self.show_bundle(self.state.bundle)
        qt_state.running.connect(self.show_bundle)
        qt_state.source.connect(self._restart_accuracy)

    # ---- the room it has: beside, over-and-below, or presenting --------------------------------

    def wire(self, window) -> None:
        self.weights_help_button.clicked.connect(lambda: window.open_help("weights"))
        self.stage.leave_requested.connect(lambda: window.set_presenting(False))

    def fit_room(self, room: QSize) -> None:
        """Lay out for the visible page size ``room``: the side column beside the frame while the
        frame keeps at least half of the window and the column fits the height; otherwise the
        predictions over the frame, which fills the visible page, and the details below it."""
        margins = self.layout_box.contentsMargins()
        room_height = room.height() - margins.top() - margins.bottom()
        beside_width = room.width() - margins.left() - margins.right() - self.side_width() - self.layout_box.spacing()
        window = self.window().size()
        beside = (
            not self.presenting
            and beside_width * room_height >= FRAME_SHARE_OF_WINDOW * window.width() * window.height()
            and self.side_widget.minimumSizeHint().height() <= room_height  # the whole column fits: nothing cut
        )
        self._set_beside(beside)
        # below the frame, the first line of the details peeks in so a reader knows there is more
        peek = 0 if self.presenting else self.details_title.sizeHint().height() + 12
        self.stage.setMinimumHeight(0 if beside else max(120, room_height - peek))

    def side_width(self) -> int:
        return int(SIDE_WIDTH * font_scale_factor())

    def _set_beside(self, beside: bool) -> None:
        self.layout_box.setContentsMargins(*(0, 0, 0, 0) if self.presenting else (6, 6, 6, 6))
        self.layout_box.setDirection(QBoxLayout.LeftToRight if beside else QBoxLayout.TopToBottom)
        self.layout_box.setStretch(0, 1 if beside else 0)  # the frame takes what the side column leaves
        if beside:
            self.side_widget.setFixedWidth(self.side_width())
        else:
            self.side_widget.setMinimumWidth(0)
            self.side_widget.setMaximumWidth(16777215)
        self.side_widget.setVisible(not self.presenting)
        self.overlaid = not beside or self.presenting
        for widget in (self.title, self.predictions):  # painted over the frame instead
            widget.setVisible(beside)
        self._refresh_overlay_text()

    def set_presenting(self, on: bool) -> None:
        """Presentation mode: the frame alone, the top-5, fps, model and backend over it in large type."""
        self.presenting = on
        self._set_beside(not on)

    def _refresh_overlay_text(self) -> None:
        """The caption under the overlaid predictions: the backend and threads behind the ms shown,
        the untrained warning (the side column saying it is now below the frame), and when
        presenting the model's name."""
        bundle = self.state.bundle
        if bundle is None:
            return
        untrained = "⚠ untrained: random weights" if not bundle.trained else ""
        model = bundle.spec.label if self.presenting else ""
        text = " · ".join(t for t in (model, untrained, self.timed_on) if t)  # every latency names its backend
        self.stage.set_overlay(self.overlaid, self.presenting, text)

    def _restart_accuracy(self, _description: str = "") -> None:
        self.accuracy = RunningAccuracy()

    def show_bundle(self, bundle) -> None:
        """Per model, not per frame: the untrained notice and the download offer."""
        if bundle is None:
            return
        self._trained = bundle.trained
        spec = bundle.spec
        signal = spec.input_kind == "signal"
        self.display.setCurrentWidget(self.signal_plot if signal else self.frame_panel)
        if signal:
            self.stage.set_content_aspect(0.0)  # the plot fills the stage
        self.heading = "Activity, top-5" if signal else "Top-5"
        self.title.setText(self.heading)
        self.truth_label.setVisible(signal)
        # a sensor window takes a millisecond: the 30 fps budget line would squash it flat
        self._plot_floor_ms = 2.0 if signal else 40.0
        self.budget_line.setVisible(not signal)
        set_axis_label(self.plot, "bottom", "window" if signal else "frame")
        self.truth_label.setText("")
        self._restart_accuracy()
        fix = " Train it on sensor windows in the Teach tab (about a minute)." if signal else ""
        self.notice.setText(
            f"⚠ {UNTRAINED_NOTICE}: no trained weights are loaded for {spec.label} "
            f"(random weights give random classes).{fix}"
        )
        self.notice.setVisible(not bundle.trained)
        offer = not bundle.trained and has_torchvision_weights(spec) and not torchvision_cached(spec)
        self.download_button.set_full_text(f"Download trained weights (~{download_size_mb(spec):.0f} MB)")
        self.download_button.setVisible(offer)
        self.weights_help_button.setVisible(not bundle.trained and not offer and not signal)
        self.timed_on = registry.timed_on(bundle.backend, bundle.config.threads)
        self.backend_label.setText(
            f"backend: {self.timed_on}" + (" (picked by auto)" if bundle.config.backend == registry.AUTO else "")
        )
        self.latency_label.setToolTip(f"measured on {self.timed_on}")
        self._refresh_overlay_text()
        set_axis_label(self.plot.getPlotItem(), "left", "inference (ms)")  # its backend and threads: the line above
        self.history = RingBuffer(HISTORY)

    def every_result(self, result: FrameResult) -> None:
        """Every result, on whichever tab: the running accuracy covers all windows, not the shown ones."""
        bundle = self.state.bundle
        self.watch.frame()
        if bundle is not None and bundle.spec == result.spec:  # a frame of the model being replaced is not counted
            self.accuracy.count(result, bundle.labels)

    def _show_stale(self, seconds: float) -> None:
        """No frame for a while (a dropped stream): the rate says so and the top-5 turn grey."""
        text = f"no frames for {seconds:.0f} s"
        self.fps_label.setText(text)
        self.stage.overlay.fps_text = text
        self.predictions.set_rows(self.predictions.rows, stale=True)
        self.stage.overlay.set_rows(self.stage.overlay.rows, stale=True)
        self.title.setText(f"{self.heading} of the last frame (stale)")
        self.counter = FrameCounter()  # the rate restarts with the next frame, not averaged over the gap

    def show_result(self, result: FrameResult, draw_frame: bool = True) -> None:
        if isinstance(result.frame, SignalWindow):
            self.signal_plot.show_window(result.frame, result.spec.signal_size[0])
        elif draw_frame:
            self.frame_panel.show_image(result.frame)
            self.stage.set_content_aspect(result.frame.shape[1] / result.frame.shape[0])
        if self.title.text() != self.heading:  # live again after a gap
            self.title.setText(self.heading)
        trained = result.trained
        rows = [(p.label if trained else f"({p.label})", p.prob) for p in result.top]
        self.predictions.set_rows(rows)  # hidden while overlaid: a hidden widget's update() costs nothing
        if self.overlaid:
            self.stage.overlay.set_rows(rows)
        if trained != (self._trained or False) and not result.taught:
            self.notice.setVisible(not trained)
        ms = result.timings["inference"]
        self.history.append(ms)
        fps = self.counter.tick()
        now = time.perf_counter()
        if now - self._last_text < 1.0 / TEXT_HZ and fps is None:
            return
        self._last_text = now
        self.latency_label.setText(f"inference {ms:.1f} ms")
        if self.truth_label.isVisible():
            self.truth_label.setText(self.accuracy.text())
        if fps is not None:
            self.fps_label.setText(f"{fps:.1f} fps")
            self.stage.overlay.fps_text = f"{fps:.1f} fps · {ms:.1f} ms"
        t = result.timings
        self.split_label.setText(
            f"capture {t['capture']:.1f} · preprocess {t['preprocess']:.1f} · inference {t['inference']:.1f} · post {t['postprocess']:.1f} ms"
        )
        values = self.history.ordered()
        self.curve.setData(values)
        # scale to the typical values, not to the warm-up spikes of a fresh model
        top = max(float(np.percentile(values, 95)) * 1.4, self._plot_floor_ms)
        self.plot.setYRange(0, top, padding=0)
