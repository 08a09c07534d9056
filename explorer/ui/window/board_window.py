"""The board path's window: the live frame with its top-5 and the feature maps of any tap, run
from a cached export by its runtime alone (no torch in the process).

Every other view needs torch.  Its tab says so; opening it (or "Open every view") loads torch
and builds the full window off the UI thread, with a progress notice, while the video goes on;
then the full window takes over the same source.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.analysis.mosaic import channel_group_ids, make_mosaic
from explorer.board.cache import BoardExport
from explorer.board.frames import image_input, top_classes
from explorer.ui.base.background import BackgroundTask
from explorer.ui.figures.images import ImagePanel
from explorer.ui.widgets.live_overlay import FrameStage

MORE_VIEWS = "More views"


class BoardLoop(QObject):
    """Capture -> preprocess -> runtime on one thread; the UI takes the newest result when it is
    ready for one (a slow paint drops frames, never queues them)."""

    ready = Signal()
    failed = Signal(str)

    def __init__(self, model, export: BoardExport, source) -> None:
        super().__init__()
        self.model, self.export, self.source = model, export, source
        self.tap: str | None = None  # the feature tap a view shows (None: the lean model)
        self._latest: tuple | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="board-loop", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop and wait for the loop (the source stays open: the full window may take it over)."""
        self._stop.set()
        self._thread.join(5.0)

    def take(self) -> tuple | None:
        with self._lock:
            latest, self._latest = self._latest, None
        return latest

    def _run(self) -> None:
        recipe = self.export.metadata["recipe"]
        try:
            while not self._stop.is_set():
                frame = self.source.read()
                tap = self.tap
                start = time.perf_counter()
                logits, features = self.model(image_input(frame, recipe), (tap,) if tap else ())
                ms = (time.perf_counter() - start) * 1000
                with self._lock:
                    fresh = self._latest is None
                    self._latest = (frame, top_classes(logits), features.get(tap) if tap else None, ms)
                if fresh:
                    self.ready.emit()
        except Exception as exc:  # a source or runtime failure: said in the window, never a crash
            self.failed.emit(f"{type(exc).__name__}: {exc}")


class BoardWindow(QMainWindow):
    """``load_full(tab, progress)`` runs off the UI thread and returns what ``open_full(prepared,
    tab)`` needs on it (the launcher passes both; a test passes its own)."""

    frame_shown = Signal()

    def __init__(
        self,
        export: BoardExport,
        model,
        source,
        load_full: Callable | None = None,
        open_full: Callable | None = None,
    ) -> None:
        super().__init__()
        self.export, self.model, self.source = export, model, source
        self.load_full, self.open_full = load_full, open_full
        self.setWindowTitle(f"ShuffleNet Explorer - {export.label} (board path)")
        self.rendered = 0
        self.inference_ms: deque[float] = deque(maxlen=200)
        self._shown_at: deque[float] = deque(maxlen=30)
        self._said_at = 0.0
        self._problem = ""
        self.labels = export.metadata["labels"] if export.metadata.get("trained") else None
        self.tabs = QTabWidget()
        self.tabs.addTab(self._live_page(), "Live")
        self.tabs.addTab(self._features_page(), "Feature maps")
        self.tabs.addTab(self._more_page(), MORE_VIEWS)
        self.tabs.currentChanged.connect(self._on_tab)
        self.setCentralWidget(self.tabs)
        self.path_line = QLabel()
        self.path_line.setWordWrap(True)
        self.statusBar().addWidget(self.path_line, 1)
        self.loader = BackgroundTask("load-torch", self)
        self.loader.progress.connect(self._on_progress)
        self.loader.finished.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.loop = BoardLoop(model, export, source)
        self.loop.ready.connect(self._show_latest, Qt.QueuedConnection)
        self.loop.failed.connect(self._on_loop_failed, Qt.QueuedConnection)
        self._update_path_line()

    # -- pages
    def _live_page(self) -> QWidget:
        self.frame = ImagePanel()
        self.stage = FrameStage(self.frame)
        self.stage.set_overlay(True, caption="" if self.labels else "untrained weights: the classes are random")
        return self.stage

    def _features_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.tap_box = QComboBox()
        for tap in self.export.taps:
            self.tap_box.addItem(f"{tap['name']} ({tap['channels']} channels)", tap["name"])
        self.tap_box.currentIndexChanged.connect(self._on_tab)
        self.maps = ImagePanel()
        self.maps_note = QLabel()
        self.maps_note.setWordWrap(True)
        layout.addWidget(self.tap_box)
        layout.addWidget(self.maps, 1)
        layout.addWidget(self.maps_note)
        if not self.export.taps:
            self.maps_note.setText("this export has no feature taps: export it again from the full window")
        return page

    def _more_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.more_note = QLabel(
            "The shuffle, architecture, diagram, lessons and teach views compute with torch (about 660 MB "
            "and a few seconds to load; much longer on a small board).  Opening this tab loads it in the "
            "background while the video goes on, then opens every view on this model."
        )
        self.more_note.setWordWrap(True)
        self.more_button = QPushButton("Load torch and open every view")
        self.more_button.clicked.connect(self.start_full_load)
        self.more_progress = QProgressBar()
        self.more_progress.setRange(0, 100)
        self.more_progress.hide()
        layout.addWidget(self.more_note)
        layout.addWidget(self.more_button)
        layout.addWidget(self.more_progress)
        layout.addStretch(1)
        return page

    # -- running
    def start(self) -> None:
        self.loop.start()

    def stop(self) -> None:
        self.loop.stop()

    def _on_tab(self, *_args) -> None:
        features = self.tabs.currentIndex() == 1 and self.tap_box.count() > 0
        self.loop.tap = self.tap_box.currentData() if features else None
        if self.tabs.tabText(self.tabs.currentIndex()) == MORE_VIEWS:
            self.start_full_load()

    def _show_latest(self) -> None:
        latest = self.loop.take()
        if latest is None:
            return
        frame, top, features, ms = latest
        self.inference_ms.append(ms)
        now = time.perf_counter()
        self._shown_at.append(now)
        self.frame.show_image(frame)
        self.stage.set_content_aspect(frame.shape[1] / frame.shape[0])
        rows = [(self.labels[i] if self.labels else f"class {i}", p) for i, p in top]
        self.stage.overlay.set_rows(rows)
        fps = (len(self._shown_at) - 1) / (now - self._shown_at[0]) if len(self._shown_at) > 1 else 0.0
        self.stage.overlay.fps_text = f"{fps:.0f} fps"
        # the latency line once a second (text layout is not free), first once 10 frames are in: the first
        # frame's warm-up alone is no median
        if len(self.inference_ms) == 10 or (len(self.inference_ms) > 10 and now - self._said_at >= 1.0):
            self._said_at = now
            self._update_path_line()
        if features is not None:
            self._show_features(features)
        self.rendered += 1
        self.frame_shown.emit()

    def _show_features(self, features: np.ndarray) -> None:
        tap = next(t for t in self.export.taps if t["name"] == self.tap_box.currentData())
        permutation = tap["permutation"]
        ids = channel_group_ids(features.shape[0], tap["groups"], permutation)
        image, _layout = make_mosaic(features, groups=tap["groups"], group_ids=ids)
        self.maps.show_image(image)
        moved = bool(permutation) and permutation != sorted(permutation)  # the model's own order, never assumed
        order = (
            "after the shuffle (tinted by the group each channel came from)"
            if moved
            else "(this model's shuffle is off: every channel stays in its group)"
            if tap.get("kind") == "after_shuffle"
            else ""
        )
        self.maps_note.setText(f"{features.shape[0]} channels of {tap['name']} {order}".strip())

    def runtime_words(self) -> str:
        threads = self.model.threads
        return f"{self.model.runtime}, {threads} thread{'s' if threads != 1 else ''}"

    def say(self, text: str) -> None:
        """A message after the path line (a fallen source, the load's state)."""
        self._problem = text
        self._update_path_line()

    def _update_path_line(self) -> None:
        """What runs, on what, how fast: read from the runner and this process, never assumed."""
        torch_state = "torch loaded" if "torch" in sys.modules else "torch not loaded"
        latency = (
            f": {statistics.median(self.inference_ms):.1f} ms a frame (median of {len(self.inference_ms)})"
            if self.inference_ms
            else ""
        )
        c = self.export.complexity
        figures = f" · {c['madds_m']:.0f} M multiply-adds, {c['params_m']:.2f} M parameters" if c else ""
        self.path_line.setText(
            f"Board path (cached export, {torch_state}): {self.export.label} on {self.runtime_words()}{latency}"
            + figures
            + (f" · {self._problem}" if self._problem else "")
        )

    def _on_loop_failed(self, message: str) -> None:
        self.say(f"the video stopped: {message}")

    # -- the full window
    def start_full_load(self) -> None:
        if self.load_full is None or self.loader.running:
            return
        self.more_button.setEnabled(False)
        self.more_progress.show()
        self.more_progress.setValue(0)
        self.say("loading torch for every view in the background; the video goes on")
        self.loader.start(self.load_full)

    def _on_progress(self, fraction: float, words: str) -> None:
        self.more_progress.setValue(int(fraction * 100))
        self.more_progress.setFormat(f"{words} %p%")

    def _on_loaded(self, prepared) -> None:
        self.more_progress.setValue(100)
        if self.open_full is not None:
            self.open_full(prepared)

    def _on_load_failed(self, message: str, _traceback: str) -> None:
        self.more_progress.hide()
        self.more_button.setEnabled(True)
        self.more_note.setText(f"Could not open every view: {message}.  The live view keeps running.")
        self.say("torch could not be loaded")
