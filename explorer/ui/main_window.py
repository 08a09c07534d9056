"""The main window: wires the engine's results and the user's intent to the views.

It holds no model logic: a control change becomes a rebuild request to the engine (built off the
UI thread, swapped in between two frames); results are drawn only on the visible tab.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow, QProgressBar, QScrollArea, QTabWidget,
)

import threading

from PySide6.QtCore import Signal

from explorer.analysis.complexity import write_layer_csv
from explorer.engine.bundles import backbone_id, load_bundle
from explorer.engine.pipeline import ModelBundle
from explorer.engine.worker import Engine
from explorer.models.spec import V1_GROUPS, ModelSpec
from explorer.ui.arch_view import ArchitectureView
from explorer.ui.controls import ControlsPanel
from explorer.ui.feature_view import FeatureView
from explorer.ui.live_view import LiveView
from explorer.ui.shuffle_view import ShuffleView
from explorer.ui.sweep_view import SweepView
from explorer.ui.teach_view import TeachView

TABS = ("live", "features", "shuffle", "architecture", "sweep", "teach")
BASE_FONT_PT, LARGE_FONT_PT = 10, 15


def save_rgb_png(array: np.ndarray, path: str) -> bool:
    h, w = array.shape[:2]
    data = np.ascontiguousarray(array)
    return QImage(data.data, w, h, 3 * w, QImage.Format_RGB888).copy().save(path)


class MainWindow(QMainWindow):
    download_progress = Signal(int, int)  # from the builder thread while weights download
    fallback_message = Signal(str)

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.spec: ModelSpec = engine.bundle.spec
        self.weights_source: str | None = engine.bundle.extra.get("weights_source")
        self.backend: str = engine.bundle.backend
        self.head = None
        self._download_cancel = threading.Event()
        self.rendered = 0
        self.inference_ms: list[float] = []
        self.last_message = ""
        self.setWindowTitle("ShuffleNet Explorer")
        self.resize(1400, 860)

        self.controls = ControlsPanel(self.spec, engine.threads)
        dock = QDockWidget("Controls")
        dock.setObjectName("controls")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.controls)
        # never clip the controls sideways: the dock is at least as wide as the panel needs
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.controls.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4)
        dock.setWidget(scroll)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(Qt.LeftDockWidgetArea, dock)

        self.live = LiveView()
        self.features = FeatureView()
        self.shuffle = ShuffleView()
        self.architecture = ArchitectureView()
        self.sweep = SweepView()
        self.sweep.threads = engine.threads
        self.teach = TeachView()
        self.tabs = QTabWidget()
        for widget, title in ((self.live, "Live"), (self.features, "Feature maps"), (self.shuffle, "Channel shuffle"),
                              (self.architecture, "Architecture"), (self.sweep, "FLOPs vs latency"), (self.teach, "Teach")):
            self.tabs.addTab(widget, title)
        self.setCentralWidget(self.tabs)

        self.model_label = QLabel()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.hide()
        self.message_label = QLabel()
        self.message_label.setObjectName("message")
        self.statusBar().addWidget(self.model_label)
        self.statusBar().addWidget(self.busy_bar)
        self.statusBar().addPermanentWidget(self.message_label, 1)

        self._build_actions()
        self._connect()
        self._on_bundle(engine.bundle)
        self.controls.set_source_text(f"source: {engine.source.describe()}")

    # ---- wiring ------------------------------------------------------------------------
    def _connect(self) -> None:
        e = self.engine
        e.result_ready.connect(self._on_result, Qt.QueuedConnection)
        e.bundle_changed.connect(self._on_bundle, Qt.QueuedConnection)
        e.source_changed.connect(lambda text: self.controls.set_source_text(f"source: {text}"), Qt.QueuedConnection)
        e.error.connect(self.show_message, Qt.QueuedConnection)
        e.busy.connect(self._on_busy, Qt.QueuedConnection)
        e.build_failed.connect(self._on_build_failed, Qt.QueuedConnection)
        e.layer_times.connect(self.architecture.set_layer_ms, Qt.QueuedConnection)
        e.agreement_ready.connect(self._on_agreement, Qt.QueuedConnection)
        self.controls.spec_requested.connect(self.request_spec)
        self.controls.threads_changed.connect(self._on_threads)
        self.controls.source_requested.connect(self.request_source)
        self.features.taps_wanted.connect(e.set_taps)
        self.controls.weights_requested.connect(self.request_weights)
        self.controls.backend_requested.connect(self.request_backend)
        self.controls.download_cancelled.connect(self._download_cancel_requested)
        self.download_progress.connect(self.controls.show_download, Qt.QueuedConnection)
        self.fallback_message.connect(self.show_message, Qt.QueuedConnection)
        self.teach.capture_changed.connect(e.set_embedding)
        self.teach.head_trained.connect(self.use_head)
        self.teach.head_cleared.connect(lambda: self.use_head(None))
        self.teach.save_requested.connect(lambda: self.save_head())
        self.teach.load_requested.connect(lambda: self.load_head())
        self.sweep.started.connect(lambda: e.set_paused(True))
        self.sweep.stopped.connect(lambda: e.set_paused(self.pause_action.isChecked()))
        # per-layer timing runs ~200 Python hooks per frame: only while someone looks at it
        self.tabs.currentChanged.connect(lambda _i: self._profile_if_visible())

    def _build_actions(self) -> None:
        def action(menu, text, shortcut, slot, checkable=False):
            act = QAction(text, self)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.setCheckable(checkable)
            act.triggered.connect(slot)
            menu.addAction(act)
            self.addAction(act)
            return act

        file_menu = self.menuBar().addMenu("&File")
        action(file_menu, "Save window as PNG…", "Ctrl+S", lambda: self.save_window_png())
        action(file_menu, "Save feature grid as PNG…", "Ctrl+Shift+S", lambda: self.save_feature_png())
        action(file_menu, "Export layer table as CSV…", "Ctrl+E", lambda: self.save_layer_csv())
        file_menu.addSeparator()
        action(file_menu, "Quit", "Ctrl+Q", self.close)
        model_menu = self.menuBar().addMenu("&Model")
        action(model_menu, "Toggle channel shuffle", "S", lambda: self.request_spec(self.spec.with_changes(shuffle=not self.spec.shuffle)))
        action(model_menu, "Next group count (V1)", "G", self.cycle_groups)
        action(model_menu, "Measure layer times again", "M", lambda: self.engine.profile_layers())
        view_menu = self.menuBar().addMenu("&View")
        self.pause_action = action(view_menu, "Pause", "Space", lambda checked: self.engine.set_paused(checked), checkable=True)
        self.large_fonts_action = action(view_menu, "Large fonts (classroom)", "Ctrl+L", self.set_large_fonts, checkable=True)
        action(view_menu, "Full screen", "F11", lambda: self.showNormal() if self.isFullScreen() else self.showFullScreen())
        for i, name in enumerate(("Live", "Feature maps", "Channel shuffle", "Architecture", "FLOPs vs latency", "Teach"), 1):
            action(view_menu, name, f"Ctrl+{i}", lambda _=False, i=i: self.tabs.setCurrentIndex(i - 1))

    # ---- intent ------------------------------------------------------------------------
    def request_spec(self, spec: ModelSpec) -> None:
        if spec == self.spec:
            return
        self._rebuild(spec, self.weights_source, explicit=False)

    def request_backend(self, name: str) -> None:
        """Switch inference backend; like any rebuild it lands between two frames."""
        if name != self.backend:
            self.backend = name
            self._rebuild(self.spec, self.weights_source, explicit=True)

    def request_weights(self, source: str | None) -> None:
        """Weights the user picked: on failure the running model stays, with the reason shown."""
        self._rebuild(self.spec, source, explicit=True)

    def _rebuild(self, spec: ModelSpec, weights: str | None, explicit: bool) -> None:
        from explorer.weights import WeightsError

        self.spec, self.weights_source = spec, weights
        self.controls.set_spec(spec)
        self._download_cancel = cancel = threading.Event()
        progress = self.download_progress.emit
        backend, threads = self.backend, self.engine.threads
        calibration = list(self.engine.recent_frames) if backend == "int8" else None
        stage = lambda text, fraction: self.engine.busy.emit(f"{text}… {fraction * 100:.0f} %")  # noqa: E731
        options = dict(backend=backend, threads=threads, calibration=calibration, stage=stage, check_agreement=False)

        def factory() -> ModelBundle:
            try:
                return load_bundle(spec, weights, progress=progress, cancel=cancel, **options)
            except WeightsError as exc:
                if explicit or not weights:
                    raise
                # the chosen weights do not exist for this variant: explore it untrained
                self.fallback_message.emit(f"{exc} - running {spec.label} untrained")
                return load_bundle(spec, None, **options)

        what = spec.label + (f" with {weights}" if weights else "") + (f" on {backend}" if backend != "channels_last" else "")
        self.engine.request_bundle(factory, what)

    def _download_cancel_requested(self) -> None:
        self._download_cancel.set()
        self.show_message("download cancelled", error=False)

    def cycle_groups(self) -> None:
        if self.spec.arch != "v1":
            self.show_message("groups apply to V1 only: V2 always shuffles 2 branches")
            return
        index = (V1_GROUPS.index(self.spec.groups) + 1) % len(V1_GROUPS)
        self.request_spec(self.spec.with_changes(groups=V1_GROUPS[index]))

    def request_source(self, text: str) -> None:
        self.show_message(f"opening {text}…", error=False)
        self.engine.request_source(text)

    def _on_threads(self, threads: int) -> None:
        self.engine.set_threads(threads)
        self.sweep.threads = threads
        if self.backend in ("onnxruntime", "int8"):  # ORT fixes its thread pool per session
            self._rebuild(self.spec, self.weights_source, explicit=True)
        self._profile_if_visible()

    def set_large_fonts(self, on: bool) -> None:
        app = QApplication.instance()
        font = app.font()
        font.setPointSize(LARGE_FONT_PT if on else BASE_FONT_PT)
        app.setFont(font)
        for widget in app.allWidgets():
            widget.setFont(font)
        self.large_fonts_action.setChecked(on)

    # ---- engine -> views ---------------------------------------------------------------
    def _on_result(self) -> None:
        result = self.engine.take_result()
        if result is None:
            return
        self.rendered += 1
        self.inference_ms.append(result.timings["inference"])
        if self.teach.capturing is not None:
            self.teach.add_sample(result.embedding)
        current = self.tabs.currentWidget()
        self.live.show_result(result, draw_frame=current is self.live)
        if current is self.features:
            self.features.show_result(result)
        elif current is self.teach:
            self.teach.show_result(result)

    def _on_build_failed(self, _message: str) -> None:
        bundle = self.engine.bundle  # back to what is really running
        self.spec, self.weights_source, self.backend = bundle.spec, bundle.extra.get("weights_source"), bundle.backend
        self.controls.set_backend(bundle.backend, bundle.extra.get("agreement"))
        self.controls.set_spec(self.spec)
        self.controls.set_weights(self.weights_source, bundle.weights_name, bundle.trained)

    def _on_bundle(self, bundle: ModelBundle) -> None:
        self.shown_spec = bundle.spec
        self.architecture.set_report(bundle.report)
        self.features.set_taps(bundle.taps)
        self.sweep.set_current(bundle.spec)
        self._profile_if_visible()
        if bundle.spec.arch == "v1":
            self.shuffle.follow_groups(int(bundle.spec.groups))
        self.controls.set_weights(bundle.extra.get("weights_source"), bundle.weights_name, bundle.trained)
        self.controls.set_backend(bundle.backend, bundle.extra.get("agreement"))
        self.teach.set_backbone(f"{bundle.spec.label}, {bundle.weights_name}", bundle.trained)
        self.teach.context = (bundle.spec.to_dict(), lambda b=bundle: backbone_id(b), bundle.weights_name)
        self.head = None  # the engine sets a head aside when the backbone changes
        weights = "trained" if bundle.trained else "untrained (random init)"
        t = bundle.report.totals
        self.model_label.setText(f"{bundle.spec.label} · {weights} · {bundle.backend} · {t.madds / 1e6:.1f} MFLOPs · {t.params / 1e6:.2f} M params")

    def _on_agreement(self, bundle: ModelBundle) -> None:
        if bundle is self.engine.bundle or bundle.spec == self.shown_spec:
            self.controls.set_backend(bundle.backend, bundle.extra["agreement"])

    def _profile_if_visible(self) -> None:
        if self.tabs.currentWidget() is self.architecture:
            self.engine.profile_layers()

    def _on_busy(self, text: str) -> None:
        self.busy_bar.setVisible(bool(text))
        if text:
            self.show_message(text, error=False)
        elif self.last_message.startswith("building"):
            self.show_message("")

    def show_message(self, text: str, error: bool = True) -> None:
        self.last_message = text
        self.message_label.setProperty("error", error and bool(text))
        self.message_label.setStyleSheet("color: #ff6b6b;" if error and text else "")
        self.message_label.setText(text)
        if error and text:
            self.controls.source_status.setToolTip(text)

    # ---- teach mode --------------------------------------------------------------------
    def use_head(self, head) -> None:
        self.head = head
        self.engine.set_head(head)
        if head is None:
            self.show_message("predictions from the model's own classifier again", error=False)

    def save_head(self, path: str | None = None) -> bool:
        from explorer.teach import save_head

        if self.head is None:
            self.show_message("no taught head yet: add classes, capture samples and press Train first")
            return False
        path = path or self._ask_path("Save taught head", "taught-head.pt", "Taught head (*.pt)")
        if not path:
            return False
        try:
            save_head(self.head, path)
        except OSError as exc:
            self.show_message(f"could not save {path}: {exc.strerror}")
            return False
        self.show_message(f"saved {path}", error=False)
        return True

    def load_head(self, path: str | None = None) -> bool:
        from explorer.teach import HeadError, load_head

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Load taught head", "", "Taught head (*.pt);;All files (*)")
        if not path:
            return False
        bundle = self.engine.bundle
        try:
            head = load_head(path)
            head.check_backbone(backbone_id(bundle), bundle.spec.to_dict())
        except HeadError as exc:
            self.show_message(f"head not loaded: {exc}")
            return False
        self.use_head(head)
        self.teach.status.setText(f"loaded a head for {', '.join(head.classes)}")
        return True

    # ---- saving ------------------------------------------------------------------------
    def _ask_path(self, title: str, default: str, pattern: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, title, default, pattern)
        return path or None

    def save_window_png(self, path: str | None = None) -> bool:
        path = path or self._ask_path("Save window", "explorer.png", "PNG (*.png)")
        if not path:
            return False
        ok = self.grab().save(path)
        self.show_message(f"saved {path}" if ok else f"could not save {path}: check the folder exists and is writable", error=not ok)
        return ok

    def save_feature_png(self, path: str | None = None) -> bool:
        mosaic = self.features.last_mosaic
        if mosaic is None:
            self.show_message("no feature grid yet: open the Feature maps tab first")
            return False
        path = path or self._ask_path("Save feature grid", "features.png", "PNG (*.png)")
        if not path:
            return False
        ok = save_rgb_png(mosaic, path)
        self.show_message(f"saved {path}" if ok else f"could not save {path}: check the folder exists and is writable", error=not ok)
        return ok

    def save_layer_csv(self, path: str | None = None) -> bool:
        report = self.architecture.model.report
        path = path or self._ask_path("Export layer table", "layers.csv", "CSV (*.csv)")
        if not path or report is None:
            return False
        try:
            write_layer_csv(path, report, self.architecture.model.layer_ms)
        except OSError as exc:
            self.show_message(f"could not save {path}: {exc.strerror}")
            return False
        self.show_message(f"saved {path}", error=False)
        return True

    def closeEvent(self, event) -> None:  # noqa: N802
        self.sweep.cancel()
        self.engine.stop()
        super().closeEvent(event)
