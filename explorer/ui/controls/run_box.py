"""The Run box: threads, backend, fit to a frame rate, and the source."""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
)

from explorer.engine.config import AUTO
from explorer.runtime import registry
from explorer.sources.camera import Camera
from explorer.ui.base.bridge import QtState
from explorer.ui.controls.fit_panel import FitPanel

SOURCE_PRESETS = {
    "image": ["synthetic", "synthetic:0", "synthetic:1", "synthetic:2", "synthetic:3", "camera:0", "camera:1"],
    "signal": [
        "signal:synthetic",
        "signal:synthetic:1",
        "signal:synthetic:2",
        "signal:synthetic@1",
        "signal:synthetic@25",
    ],
}
SOURCE_TIPS = {
    "image": "synthetic[:SCENE], camera[:INDEX], or type a path to a video, image or folder; Enter to switch",
    "signal": "signal:synthetic[:SEED][@HOP] (six activities at 50 Hz, a window every HOP samples), or a .csv/.npy recording; Enter to switch",
}
FILE_FILTERS = {
    "image": "Media (*.mp4 *.avi *.mov *.mkv *.webm *.jpg *.jpeg *.png *.bmp *.webp);;All files (*)",
    "signal": "Sensor recordings (*.csv *.npy);;All files (*)",
}
AUTO_TITLE = "auto (fastest agreeing)"  # short enough for the dock at large fonts; the line below says the rest


class RunBox(QGroupBox):
    """threads, backend, fit to a frame rate, source."""

    def __init__(self, qt_state: QtState) -> None:
        super().__init__("Run")
        self.state = qt_state.state
        form = QFormLayout(self)
        self.threads = QSpinBox()
        self.threads.setRange(1, max(1, os.cpu_count() or 1))
        self.threads.setValue(self.state.config.threads)
        self.threads.setToolTip("one thread count for torch, OpenCV and ONNX Runtime together")
        form.addRow("threads", self.threads)
        self.backend = QComboBox()
        self.backend.addItem(AUTO_TITLE, AUTO)
        for info in registry.available_backends():
            self.backend.addItem(info.title, info.name)
            item = self.backend.model().item(self.backend.count() - 1)
            item.setEnabled(info.available)
            item.setToolTip(info.reason)
        self.backend.setToolTip(
            "auto starts on torch at once, then builds, checks and times every other backend on live "
            "frames and keeps the fastest that agrees with fp32 eager; any switch happens between two frames"
        )
        form.addRow("backend", self.backend)
        self.agreement = QLabel()
        self.agreement.setWordWrap(True)
        form.addRow(self.agreement)
        self.fit = FitPanel(qt_state)
        form.addRow(self.fit)
        self.source = QComboBox()
        self.source.setEditable(True)
        self._source_kind = ""
        self._cameras: list[Camera] | None = None
        open_file, self.open_folder = QPushButton("File…"), QPushButton("Folder…")
        source_row = QHBoxLayout()
        source_row.addWidget(self.source, 1)
        source_row.addWidget(open_file)
        source_row.addWidget(self.open_folder)
        form.addRow("source", source_row)
        self.source_status = QLabel()
        self.source_status.setWordWrap(True)
        form.addRow(self.source_status)

        self._show_backend(self.state.config.backend)
        self.show_agreement(self.state.bundle)
        self._show_source_status()
        self._offer_sources(self.state.config.spec.input_kind)
        qt_state.requested.connect(self._on_requested)
        qt_state.running.connect(self.show_agreement)
        qt_state.agreement.connect(self._on_agreement)
        qt_state.source.connect(self._on_source)
        qt_state.source_text_changed.connect(self.source.setEditText)
        # the last error stays readable where the source is chosen (the status bar's moves on)
        qt_state.message.connect(lambda text, error: self.source_status.setToolTip(text) if error and text else None)
        self.threads.valueChanged.connect(lambda value: self.state.request(threads=value))
        self.backend.activated.connect(lambda _i: self.state.request(backend=self.backend.currentData()))
        self.source.activated.connect(lambda _i: self.state.request_source(self.source.currentText()))
        self.source.lineEdit().returnPressed.connect(lambda: self.state.request_source(self.source.currentText()))
        open_file.clicked.connect(self._pick_file)
        self.open_folder.clicked.connect(self._pick_folder)

    def _offer_sources(self, kind: str) -> None:
        """The presets of the kind the model reads (images, or sensor signals for the compact net)."""
        if kind != self._source_kind:
            self._source_kind = kind
            self.source.blockSignals(True)
            self.source.clear()
            self.source.addItems(SOURCE_PRESETS[kind])
            if kind == "image" and self._cameras is not None:
                self.set_cameras(self._cameras)
            self.source.setToolTip(SOURCE_TIPS[kind])
            self.open_folder.setVisible(kind == "image")
            self.source.setEditText(self.state.source_text)
            self.source.blockSignals(False)

    def _on_source(self, _description: str) -> None:
        self._show_source_status()
        self._offer_sources(
            self.state.config.spec.input_kind if self.state.bundle is None else self.state.bundle.spec.input_kind
        )
        self.source.setEditText(self.state.source_text)

    def _on_requested(self, config, _explicit) -> None:
        self._offer_sources(config.spec.input_kind)
        self._show_backend(config.backend)
        self.threads.blockSignals(True)
        self.threads.setValue(config.threads)
        self.threads.blockSignals(False)

    def _show_backend(self, name: str) -> None:
        self.backend.setCurrentIndex(max(0, self.backend.findData(name)))

    def _on_agreement(self, bundle) -> None:
        if bundle.versus_fp32 is not None:  # measured here: the backend list says so from now on
            ms, fp32_ms = bundle.versus_fp32
            slower = " (slower than fp32 here)" if ms > fp32_ms else ""
            self.backend.setItemText(self.backend.findData(bundle.backend), bundle.entry.title + slower)
        if bundle is self.state.bundle:
            self.show_agreement(bundle)

    def show_agreement(self, bundle) -> None:
        if bundle is None:
            return
        agreement, entry = bundle.agreement, bundle.entry
        if bundle.auto_reason:
            self.agreement.setText(bundle.auto_reason)
        elif bundle.config.backend == AUTO:
            self.agreement.setText(
                f"auto: running {entry.short_title} while the other backends are built, checked and timed…"
            )
        elif agreement is None:
            self.agreement.setText("measuring agreement with fp32 eager…")
        elif entry.reference:
            self.agreement.setText("fp32 eager: the reference")
        else:
            frames = agreement.frames
            speed = ""
            if bundle.versus_fp32 is not None:
                ms, fp32_ms = bundle.versus_fp32
                twin = registry.get(entry.fp32_twin).short_title if entry.fp32_twin else "fp32"
                speed = (
                    f"; {'slower' if ms > fp32_ms else 'faster'} than fp32 {twin} here ({ms:.1f} vs {fp32_ms:.1f} ms)"
                )
            self.agreement.setText(
                f"vs fp32 eager on {frames} frame{'s' if frames != 1 else ''}: top-1 agreement "
                f"{agreement.top1_agreement * 100:.0f} %, max |Δlogit| {agreement.max_abs_diff:.2g}{speed}"
            )

    def set_cameras(self, cameras: list[Camera]) -> None:
        """Offer the cameras a probe found by name (replacing the blind camera:0/camera:1 presets)."""
        self._cameras = list(cameras)
        if self._source_kind != "image":
            return
        for preset in ("camera:0", "camera:1"):
            index = self.source.findText(preset)
            if index >= 0:
                self.source.removeItem(index)
        for camera in cameras:
            self.source.addItem(camera.label)
            self.source.addItem(f"{camera.text}@1280x720 ({camera.name})")
        self._show_source_status()

    def _show_source_status(self) -> None:
        """The source now, plus, for as long as it is true, that no camera answered (a status-bar
        message would be replaced by the next one before anyone reads it)."""
        text = f"source: {self.state.source_description}"
        if self._cameras == [] and self._source_kind == "image":
            text += "\nno camera found: plug one in and pick camera:N here, or open a video or image"
        self.source_status.setText(text)

    def _pick_file(self) -> None:
        title = "Open a sensor recording" if self._source_kind == "signal" else "Open a video or image"
        path, _ = QFileDialog.getOpenFileName(self, title, "", FILE_FILTERS[self._source_kind])
        if path:
            self.source.setEditText(path)
            self.state.request_source(path)

    def _pick_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of images")
        if path:
            self.source.setEditText(path)
            self.state.request_source(path)
