"""The control panel: arch, groups, scale, shuffle, input size, threads, source.

It only turns user intent into a ModelSpec (or a source string) and says plainly why a
combination is not available instead of silently ignoring it.
"""
from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton,
    QSpinBox, QVBoxLayout, QWidget,
)

from explorer.models.spec import ARCH_TITLES, V1_GROUPS, V1_SCALES, V2_SCALES, ModelSpec

SCALES = {"v1": V1_SCALES, "v2": V2_SCALES, "compact": (1.0,)}
SOURCE_PRESETS = ["synthetic", "synthetic:0", "synthetic:1", "synthetic:2", "synthetic:3", "camera:0", "camera:1"]


class ControlsPanel(QWidget):
    spec_requested = Signal(object)  # ModelSpec
    weights_requested = Signal(object)  # None, "torchvision", a path, or "megvii:PATH"
    backend_requested = Signal(str)
    download_cancelled = Signal()
    threads_changed = Signal(int)
    source_requested = Signal(str)

    def __init__(self, spec: ModelSpec, threads: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        layout = QVBoxLayout(self)

        model_box = QGroupBox("Model")
        form = QFormLayout(model_box)
        self.arch = QComboBox()
        for arch, title in ARCH_TITLES.items():
            self.arch.addItem(title, arch)
        self.arch.setToolTip("V1: group convolutions + shuffle; V2: channel split; compact: the tutorial's signal net")
        self.groups = QComboBox()
        for g in V1_GROUPS:
            self.groups.addItem(f"g = {g}", g)
        self.groups.setToolTip("group count of V1's pointwise convolutions (G key cycles)")
        self.groups.setPlaceholderText("V1 only")
        self.scale = QComboBox()
        self.shuffle = QCheckBox("channel shuffle")
        self.shuffle.setToolTip("turn the shuffle off to reproduce the paper's Table 3 ablation (S key)")
        self.input_size = QSpinBox()
        self.input_size.setRange(32, 1024)
        self.input_size.setSingleStep(32)
        self.input_size.setSuffix(" px")
        self.series = QSpinBox()
        self.series.setRange(16, 4096)
        self.modal = QSpinBox()
        self.modal.setRange(1, 256)
        signal_row = QHBoxLayout()
        signal_row.addWidget(self.series)
        signal_row.addWidget(QLabel("x"))
        signal_row.addWidget(self.modal)
        self.signal_size = QWidget()
        self.signal_size.setLayout(signal_row)
        signal_row.setContentsMargins(0, 0, 0, 0)
        form.addRow("architecture", self.arch)
        form.addRow("groups", self.groups)
        form.addRow("scale", self.scale)
        form.addRow("", self.shuffle)
        form.addRow("input size", self.input_size)
        form.addRow("series x modal", self.signal_size)
        self._form = form
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setObjectName("explanation")
        form.addRow(self.explanation)
        layout.addWidget(model_box)

        weights_box = QGroupBox("Weights")
        weights_layout = QVBoxLayout(weights_box)
        self.weights = QComboBox()
        self.weights.addItem("random init (untrained)", None)
        self.weights.addItem("torchvision ImageNet (V2; downloads once)", "torchvision")
        self.weights.addItem("checkpoint file…", "file")
        self.weights.addItem("megvii checkpoint…", "megvii")
        self.weights.setToolTip("torchvision: from the torch hub cache (TORCH_HOME), downloaded on first use; files: any ShuffleNet state dict")
        self.weights_status = QLabel()
        self.weights_status.setWordWrap(True)
        self.download_bar = QProgressBar()
        self.download_bar.setFormat("downloading %p %")
        self.cancel_download = QPushButton("Cancel download")
        for widget in (self.download_bar, self.cancel_download):
            widget.hide()
        weights_layout.addWidget(self.weights)
        weights_layout.addWidget(self.weights_status)
        weights_layout.addWidget(self.download_bar)
        weights_layout.addWidget(self.cancel_download)
        layout.addWidget(weights_box)

        run_box = QGroupBox("Run")
        run_form = QFormLayout(run_box)
        self.threads = QSpinBox()
        self.threads.setRange(1, max(1, os.cpu_count() or 1))
        self.threads.setValue(threads)
        self.threads.setToolTip("one thread count for torch and OpenCV together")
        run_form.addRow("threads", self.threads)
        self.backend = QComboBox()
        from explorer.runtime.registry import available_backends

        for info in available_backends():
            self.backend.addItem(info.title, info.name)
            item = self.backend.model().item(self.backend.count() - 1)
            item.setEnabled(info.available)
            item.setToolTip(info.reason)
        self.backend.setToolTip("inference backend; the first switch exports/calibrates (with progress), the video keeps running")
        run_form.addRow("backend", self.backend)
        self.agreement = QLabel()
        self.agreement.setWordWrap(True)
        run_form.addRow(self.agreement)
        self.source = QComboBox()
        self.source.setEditable(True)
        self.source.addItems(SOURCE_PRESETS)
        self.source.setToolTip("synthetic[:SCENE], camera[:INDEX], or type a path to a video, image or folder; Enter to switch")
        open_file = QPushButton("File…")
        open_folder = QPushButton("Folder…")
        source_row = QHBoxLayout()
        source_row.addWidget(self.source, 1)
        source_row.addWidget(open_file)
        source_row.addWidget(open_folder)
        run_form.addRow("source", source_row)
        self.source_status = QLabel()
        self.source_status.setWordWrap(True)
        run_form.addRow(self.source_status)
        layout.addWidget(run_box)
        layout.addStretch(1)

        self.set_spec(spec)
        self.arch.currentIndexChanged.connect(self._on_arch)
        for widget in (self.groups, self.scale):
            widget.currentIndexChanged.connect(self._emit_spec)
        self.shuffle.toggled.connect(self._emit_spec)
        for spin in (self.input_size, self.series, self.modal):
            spin.editingFinished.connect(self._emit_spec)
        self.threads.valueChanged.connect(self.threads_changed)
        self.source.activated.connect(lambda _i: self.source_requested.emit(self.source.currentText()))
        self.source.lineEdit().returnPressed.connect(lambda: self.source_requested.emit(self.source.currentText()))
        self.weights.activated.connect(self._on_weights)
        self.backend.activated.connect(lambda _i: self.backend_requested.emit(self.backend.currentData()))
        self.cancel_download.clicked.connect(self.download_cancelled)
        self._weights_index = 0
        open_file.clicked.connect(self._pick_file)
        open_folder.clicked.connect(self._pick_folder)

    # ---- state -> widgets ----------------------------------------------------------------
    def set_spec(self, spec: ModelSpec) -> None:
        self._updating = True
        try:
            self.arch.setCurrentIndex(self.arch.findData(spec.arch))
            self._fill_scales(spec.arch, spec.scale)
            self.groups.setCurrentIndex(self.groups.findData(spec.groups) if spec.arch == "v1" else -1)
            self.shuffle.setChecked(spec.shuffle)
            if spec.arch == "compact":
                self.series.setValue(spec.input_size[0])  # type: ignore[index]
                self.modal.setValue(spec.input_size[1])  # type: ignore[index]
            else:
                self.input_size.setValue(int(spec.input_size))  # type: ignore[arg-type]
            self._explain(spec.arch)
        finally:
            self._updating = False

    def set_weights(self, source: str | None, description: str, trained: bool) -> None:
        kind = None if not source else "torchvision" if source == "torchvision" else "megvii" if source.startswith("megvii:") else "file"
        self._weights_index = max(0, self.weights.findData(kind))
        self.weights.setCurrentIndex(self._weights_index)
        self.weights_status.setText(f"{description}" + ("" if trained else " - predictions are meaningless until trained weights are loaded"))
        self.show_download(None)

    def set_backend(self, name: str, agreement: dict | None) -> None:
        self.backend.setCurrentIndex(max(0, self.backend.findData(name)))
        if agreement is None:
            self.agreement.setText("measuring agreement with fp32 eager…")
        elif name == "eager":
            self.agreement.setText("fp32 eager: the reference")
        else:
            self.agreement.setText(f"vs fp32 eager on {agreement.get('frames', 0)} frames: top-1 agreement {agreement['top1_agreement'] * 100:.0f} %, "
                                   f"max |Δlogit| {agreement['max_abs_diff']:.2g}")

    def show_download(self, done: int | None, total: int = 0) -> None:
        """Progress of a weights download (None hides it)."""
        visible = done is not None
        self.download_bar.setVisible(visible)
        self.cancel_download.setVisible(visible)
        if visible:
            self.download_bar.setRange(0, max(1, total // 1024) if total else 0)
            self.download_bar.setValue(done // 1024)

    def _on_weights(self) -> None:
        kind = self.weights.currentData()
        if kind in (None, "torchvision"):
            self.weights_requested.emit(kind)
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open a ShuffleNet checkpoint", "", "Checkpoints (*.pth *.pt *.tar *.pth.tar *.ckpt);;All files (*)")
        if not path:
            self.weights.setCurrentIndex(self._weights_index)  # dialog cancelled: nothing changes
            return
        self.weights_requested.emit(f"megvii:{path}" if kind == "megvii" else path)

    def set_source_text(self, text: str) -> None:
        self.source_status.setText(text)

    def set_cameras(self, indices: list[int]) -> None:
        """Offer the cameras a probe found (replacing the blind camera:0/camera:1 presets)."""
        for preset in ("camera:0", "camera:1"):
            index = self.source.findText(preset)
            if index >= 0:
                self.source.removeItem(index)
        for camera in indices:
            self.source.addItem(f"camera:{camera}")
            self.source.addItem(f"camera:{camera}@1280x720")

    def _fill_scales(self, arch: str, current: float) -> None:
        self.scale.blockSignals(True)
        self.scale.clear()
        for value in SCALES[arch]:
            self.scale.addItem(f"{value:g}x", value)
        index = self.scale.findData(current)
        self.scale.setCurrentIndex(index if index >= 0 else self.scale.findData(1.0))
        self.scale.blockSignals(False)

    def _explain(self, arch: str) -> None:
        self.groups.setEnabled(arch == "v1")
        self.scale.setEnabled(arch != "compact")
        self._form.setRowVisible(self.input_size, arch != "compact")
        self._form.setRowVisible(self.signal_size, arch == "compact")
        notes = {
            "v1": "Group convolutions need the shuffle to mix groups; try g = 8 with shuffle off.",
            "v2": "V2 has no group count: its shuffle always mixes the two branches of a channel split (groups apply to V1 only).",
            "compact": "The compact net reads signal windows (series x modal); the live frame is shown to it as a grey-level window. Its scale is fixed and its shuffle groups are 8, 8, 16, 16.",
        }
        self.explanation.setText(notes[arch])

    # ---- widgets -> intent ---------------------------------------------------------------
    def current_spec(self) -> ModelSpec:
        arch = self.arch.currentData()
        return ModelSpec.create(
            arch,
            groups=(self.groups.currentData() or 3) if arch == "v1" else None,
            scale=self.scale.currentData() if arch != "compact" else 1.0,
            shuffle=self.shuffle.isChecked(),
            input_size=(self.series.value(), self.modal.value()) if arch == "compact" else self.input_size.value(),
        )

    def _on_arch(self) -> None:
        if self._updating:
            return
        arch = self.arch.currentData()
        self._updating = True
        self._fill_scales(arch, self.scale.currentData() or 1.0)
        if arch == "v1" and self.groups.currentIndex() < 0:
            self.groups.setCurrentIndex(self.groups.findData(3))
        if arch == "compact":
            self.series.setValue(128)
            self.modal.setValue(9)
        self._explain(arch)
        self._updating = False
        self._emit_spec()

    def _emit_spec(self) -> None:
        if self._updating:
            return
        try:
            spec = self.current_spec()
        except ValueError as exc:  # shown, never swallowed
            self.explanation.setText(f"Not available: {exc}")
            return
        self.spec_requested.emit(spec)

    def _pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video or image", "", "Media (*.mp4 *.avi *.mov *.mkv *.webm *.jpg *.jpeg *.png *.bmp *.webp);;All files (*)")
        if path:
            self.source.setEditText(path)
            self.source_requested.emit(path)

    def _pick_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of images")
        if path:
            self.source.setEditText(path)
            self.source_requested.emit(path)
