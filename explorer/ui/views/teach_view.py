"""Teach mode: name 2-10 classes, hold Capture while showing each, press Train; the live
predictions switch to the taught classes.  Training runs in the background with progress.
For the compact net the tab trains the whole net on sensor windows instead (signal_train_view)."""

from __future__ import annotations

import torch
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from explorer.engine.bundles import backbone_id
from explorer.teach.trainer import MAX_CLASSES, train_head, training_problem
from explorer.ui.base.background import BackgroundTask
from explorer.ui.base.bridge import QtState
from explorer.ui.base.tab_page import TabPage
from explorer.ui.figures.images import ImagePanel
from explorer.ui.views.signal_train_view import SignalTrainView


class TeachView(TabPage):
    """Capture samples, train a head in the background, and hand it to the state; saving and
    loading files is the window's (it owns the dialogs)."""

    save_head_requested = Signal()
    load_head_requested = Signal()

    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.state = qt_state.state
        self.samples: dict[str, list[torch.Tensor]] = {}
        self.capturing: str | None = None
        self.backbone_label = QLabel()
        self.backbone_label.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("class name, e.g. mug")
        self.add_button = QPushButton("Add class")
        self.remove_button = QPushButton("Remove")
        self.classes = QListWidget()
        self.capture_button = QPushButton("Hold to capture the selected class")
        self.capture_button.setMinimumHeight(44)
        self.train_button = QPushButton("Train")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.clear_button = QPushButton("Back to the model's own classes")
        self.save_button = QPushButton("Save head…")
        self.load_button = QPushButton("Load head…")
        self.status = QLabel("Add 2-10 classes, hold Capture while showing each one to the camera, then Train.")
        self.status.setWordWrap(True)
        self.status.setObjectName("explanation")

        row = QHBoxLayout()
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        train_row = QHBoxLayout()
        train_row.addWidget(self.train_button)
        train_row.addWidget(self.progress, 1)
        files = QHBoxLayout()  # two short rows: the panel stays narrow enough for the video in large fonts
        files.addWidget(self.save_button)
        files.addWidget(self.load_button)
        side = QVBoxLayout()
        side.addWidget(self.backbone_label)
        side.addLayout(row)
        side.addWidget(self.classes, 1)
        side.addWidget(self.capture_button)
        side.addLayout(train_row)
        side.addWidget(self.clear_button)
        side.addLayout(files)
        side.addWidget(self.status)
        self.preview = ImagePanel()
        self.prediction = QLabel("-")
        self.prediction.setObjectName("metric")
        # wrapped, two lines tall whatever it says: a long prediction neither widens the window
        # nor moves the buttons beside it when capturing starts
        self.prediction.setWordWrap(True)
        self.prediction.setMinimumHeight(2 * self.prediction.fontMetrics().height() + 8)
        left = QVBoxLayout()
        left.addWidget(self.preview, 1)
        left.addWidget(self.prediction)
        head_page = QWidget()
        layout = QHBoxLayout(head_page)
        layout.addLayout(left, 3)
        layout.addLayout(side, 2)
        # the compact net is taught differently: the whole net on labelled sensor windows
        self.signal_page = SignalTrainView(qt_state)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(head_page)
        self.pages.addWidget(self.signal_page)

        self.task = BackgroundTask("teach-train", self)
        self.task.progress.connect(lambda f, _text: self.progress.setValue(int(f * 100)))
        self.task.finished.connect(self._on_trained)
        self.task.cancelled.connect(lambda: self._on_failed("cancelled"))
        self.task.failed.connect(self._on_failed)
        self.add_button.clicked.connect(self.add_class_from_edit)
        self.name_edit.returnPressed.connect(self.add_class_from_edit)
        self.remove_button.clicked.connect(self.remove_selected)
        self.capture_button.pressed.connect(self.start_capture)
        self.capture_button.released.connect(self.stop_capture)
        self.train_button.clicked.connect(self.request_training)
        self.clear_button.clicked.connect(self._clear_head)
        self.save_button.clicked.connect(self.save_head_requested)
        self.load_button.clicked.connect(self.load_head_requested)
        if self.state.bundle is not None:
            self.set_backbone(self.state.bundle)
        qt_state.running.connect(self.set_backbone)

    def wire(self, window) -> None:
        self.save_head_requested.connect(lambda: window.files.save_head())
        self.load_head_requested.connect(lambda: window.files.load_head())
        self.signal_page.save_requested.connect(window.files.save_trained_weights)
        self.signal_page.load_requested.connect(lambda: window.files.load_weights())

    def _clear_head(self) -> None:
        self.state.set_head(None)
        self.state.say("predictions from the model's own classifier again", error=False)

    # ---- classes and samples -------------------------------------------------------------
    def set_backbone(self, bundle) -> None:
        self.pages.setCurrentIndex(1 if bundle.spec.input_kind == "signal" else 0)
        description, trained = f"{bundle.spec.label}, {bundle.weights_name}", bundle.trained
        quality = (
            "pretrained: a few samples per class are usually enough"
            if trained
            else "untrained (random init): teaching still works on distinct scenes, but less well - load trained weights for real objects"
        )
        self.backbone_label.setText(f"Backbone: {description} - {quality}")

    def add_class(self, name: str) -> bool:
        name = name.strip()
        if not name:
            self.status.setText("type a class name first")
            return False
        if name in self.samples:
            self.status.setText(f"there is already a class called {name!r}")
            return False
        if len(self.samples) >= MAX_CLASSES:
            self.status.setText(f"at most {MAX_CLASSES} classes")
            return False
        self.samples[name] = []
        self._refresh(select=name)
        return True

    def add_class_from_edit(self) -> None:
        if self.add_class(self.name_edit.text()):
            self.name_edit.clear()

    def remove_selected(self) -> None:
        name = self.selected_class()
        if name:
            del self.samples[name]
            self._refresh()

    def selected_class(self) -> str | None:
        item = self.classes.currentItem()
        return item.data(256) if item else None  # Qt.UserRole

    def start_capture(self) -> None:
        name = self.selected_class()
        if name is None:
            self.status.setText("select (or add) a class to capture into")
            return
        self.capturing = name
        self.state.set_capture(True)
        self.status.setText(f"capturing {name}… release to stop")

    def stop_capture(self) -> None:
        if self.capturing is not None:
            self.status.setText(f"{len(self.samples[self.capturing])} samples of {self.capturing}")
        self.capturing = None
        self.state.set_capture(False)

    def show_result(self, result) -> None:
        """The live frame and what the model (or the taught head) says about it."""
        if self.pages.currentWidget() is self.signal_page:
            return  # the signal page shows training curves, not the stream
        self.preview.show_image(result.frame)
        top = result.top[0] if result.top else None
        if top is None:
            return
        capturing = f"  · capturing {self.capturing}" if self.capturing else ""
        if not result.trained:
            self.prediction.setText("untrained model: no meaningful prediction yet - teach some classes" + capturing)
            return
        source = "taught head" if result.taught else "model"
        self.prediction.setText(f"{source}: {top.label}  {top.prob * 100:.0f} %" + capturing)

    def every_result(self, result) -> None:
        """Captured samples come from every frame while a capture button is held."""
        self.add_sample(result.embedding)

    def cancel(self) -> None:
        self.signal_page.task.cancel()

    def add_sample(self, embedding) -> None:
        if self.capturing is not None and embedding is not None:
            self.samples[self.capturing].append(torch.as_tensor(embedding).clone())
            self._refresh(select=self.capturing)

    def _refresh(self, select: str | None = None) -> None:
        current = select or self.selected_class()
        self.classes.clear()
        for name, items in self.samples.items():
            item = QListWidgetItem(f"{name}  ({len(items)} samples)")
            item.setData(256, name)
            self.classes.addItem(item)
            if name == current:
                self.classes.setCurrentItem(item)

    # ---- training ------------------------------------------------------------------------
    @property
    def training(self) -> bool:
        return self.task.running

    def request_training(self) -> None:
        """Train on the running backbone's features; the fingerprint is hashed on the training
        thread (hashing millions of weights is not UI-thread work)."""
        bundle = self.state.bundle
        samples = {k: list(v) for k, v in self.samples.items()}
        problem = training_problem(samples)
        if problem:  # said at once; no job, no traceback in the log for a step the user has not done
            self.status.setText(problem)
            return
        spec, name = bundle.spec.to_dict(), bundle.weights_name

        def work(progress, cancel):
            return train_head(samples, spec, backbone_id(bundle), name, progress=progress, cancel=cancel)

        if self.task.start(work):
            self.train_button.setEnabled(False)
            self.progress.setValue(0)
            self.status.setText("training the head on the frozen backbone's features…")

    def _on_trained(self, head) -> None:
        self.train_button.setEnabled(True)
        self.progress.setValue(100)
        counts = ", ".join(f"{name} {len(self.samples.get(name, []))}" for name in head.classes)
        self.status.setText(
            f"taught {len(head.classes)} classes ({counts}); {head.accuracy * 100:.0f} % right on its own samples. Live predictions now use them."
        )
        self.state.set_head(head)

    def _on_failed(self, message: str, details: str = "") -> None:
        self.train_button.setEnabled(True)
        self.status.setText(f"not trained: {message}")
        if details:  # a failure, not a cancel: the banner keeps its traceback for a report
            self.state.report_failure(f"teach: not trained: {message}", details)
