"""The live tab: the frame, the top-5 predictions (or an honest "untrained" notice), fps and
inference latency, and the latency history."""
from __future__ import annotations

import time
from collections import deque

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from explorer.engine.pipeline import UNTRAINED_NOTICE, FrameResult
from explorer.ui.images import ImagePanel

HISTORY = 300


class FrameCounter:
    """Counts events and reports the rate once a second (None in between)."""

    def __init__(self, clock=time.perf_counter) -> None:
        self._clock = clock
        self._start = clock()
        self._count = 0
        self.fps = 0.0

    def tick(self) -> float | None:
        self._count += 1
        now = self._clock()
        if now - self._start >= 1.0:
            self.fps = self._count / (now - self._start)
            self._start, self._count = now, 0
            return self.fps
        return None


class LiveView(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.frame_panel = ImagePanel()
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.title = QLabel("Top-5")
        self.title.setObjectName("heading")
        self.rows: list[tuple[QLabel, QProgressBar]] = []
        preds = QGridLayout()
        for i in range(5):
            label, bar = QLabel("-"), QProgressBar()
            bar.setRange(0, 1000)
            bar.setTextVisible(True)
            bar.setFormat("")
            preds.addWidget(label, i, 0)
            preds.addWidget(bar, i, 1)
            self.rows.append((label, bar))
        self.fps_label = QLabel("fps -")
        self.fps_label.setObjectName("metric")
        self.latency_label = QLabel("inference - ms")
        self.latency_label.setObjectName("metric")
        self.split_label = QLabel()
        self.split_label.setWordWrap(True)

        self.plot = pg.PlotWidget(background="#202020")
        self.plot.setLabel("left", "inference", units="ms")
        self.plot.setLabel("bottom", "frame")
        self.plot.showGrid(y=True, alpha=0.3)
        self.plot.addLine(y=1000 / 30, pen=pg.mkPen("#888", style=Qt.DashLine), label="30 fps budget", labelOpts={"position": 0.85, "color": "#aaa"})
        self.curve = self.plot.plot(pen=pg.mkPen("#56b4e9", width=2))
        self.plot.setMinimumHeight(140)
        self.history: deque[float] = deque(maxlen=HISTORY)

        side = QVBoxLayout()
        side.addWidget(self.title)
        side.addWidget(self.notice)
        side.addLayout(preds)
        metrics = QHBoxLayout()
        metrics.addWidget(self.fps_label)
        metrics.addWidget(self.latency_label)
        side.addLayout(metrics)
        side.addWidget(self.split_label)
        side.addWidget(self.plot, 1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setMinimumWidth(340)
        layout = QHBoxLayout(self)
        layout.addWidget(self.frame_panel, 3)
        layout.addWidget(side_widget, 2)
        self.counter = FrameCounter()
        self._last_plot = 0.0

    def show_result(self, result: FrameResult, draw_frame: bool = True) -> None:
        if draw_frame:
            self.frame_panel.show_image(result.frame)
        self.notice.setText("" if result.trained else f"⚠ {UNTRAINED_NOTICE}: no trained weights are loaded for {result.spec.label}.")
        self.notice.setVisible(not result.trained)
        for (label, bar), pred in zip(self.rows, result.top + [None] * 5):
            if pred is None:
                label.setText("-")
                bar.setValue(0)
                continue
            label.setText(pred.label if result.trained else f"({pred.label})")
            bar.setValue(int(pred.prob * 1000))
            bar.setFormat(f"{pred.prob * 100:.1f} %")
        ms = result.timings["inference"]
        self.history.append(ms)
        self.latency_label.setText(f"inference {ms:.1f} ms")
        fps = self.counter.tick()
        if fps is not None:
            self.fps_label.setText(f"{fps:.1f} fps")
            t = result.timings
            self.split_label.setText(f"capture {t['capture']:.1f} · preprocess {t['preprocess']:.1f} · inference {t['inference']:.1f} · post {t['postprocess']:.1f} ms")
        now = time.perf_counter()
        if now - self._last_plot > 0.1:  # redraw the plot at 10 Hz, not per frame
            self._last_plot = now
            values = np.fromiter(self.history, float)
            self.curve.setData(values)
            # scale to the typical values, not to the warm-up spikes of a fresh model
            top = max(float(np.percentile(values, 95)) * 1.4, 40.0)
            self.plot.setYRange(0, top, padding=0)
