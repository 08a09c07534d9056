"""The control panel: model, weights and run boxes.  Each draws the state and forwards intent.

No box changes a model: each turns a user action into a request on the AppState (a spec, a
weights choice, a backend, a thread count, a source) and says plainly why a combination is not
available instead of silently ignoring it.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.engine.config import AUTO
from explorer.models.architecture import architecture, architectures
from explorer.models.shuffle import is_identity
from explorer.models.spec import COMPACT_MAX_MODAL, COMPACT_MIN_SERIES, MAX_INPUT_SIZE, MIN_IMAGE_SIZE, ModelSpec
from explorer.runtime import registry
from explorer.sources.camera import Camera
from explorer.ui.bridge import QtState
from explorer.ui.fit_panel import FitPanel

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


def shuffle_groups(taps) -> list[int]:
    """The group count of every channel shuffle a model has, read off its tap table."""
    return [t.point.groups for t in taps if t.point.kind == "after_shuffle"]


def running_shuffles_text(taps) -> str:
    """What the running model's shuffles do, from the permutations observed on it ("" if none)."""
    permutations = [t.permutation for t in taps if t.point.kind == "after_shuffle" and t.permutation is not None]
    if not permutations:
        return ""
    off = sum(is_identity(p) for p in permutations)
    if off == len(permutations):
        return f"Running with its {off} shuffles OFF: each passes the channels through, so its groups never mix."
    return f"Running: {len(permutations) - off} of its {len(permutations)} shuffles permute the channels."


def fixed_groups_text(groups: list[int]) -> str:
    """What the disabled groups box says for a network whose groups are not the user's to pick."""
    if not groups:
        return "none (no groups)"
    return ("/".join(map(str, groups)) if len(set(groups)) > 1 else str(groups[0])) + " (fixed)"


def weights_kind(source: str | None) -> str | None:
    if not source:
        return None
    if source == "torchvision":
        return "torchvision"
    return "megvii" if source.startswith("megvii:") else "file"


class ModelBox(QGroupBox):
    """arch, groups, scale, shuffle, input size -> state.request(spec=...)."""

    def __init__(self, qt_state: QtState) -> None:
        super().__init__("Model")
        self.state = qt_state.state
        self._updating = False
        form = QFormLayout(self)
        self.arch = QComboBox()
        for entry in architectures():
            self.arch.addItem(entry.title, entry.name)
        rivals = ", ".join(a.title for a in architectures(shufflenet=False))
        self.arch.setToolTip(
            "the ShuffleNets first (group convolutions + shuffle; channel split; the tutorial's signal "
            f"net), then the networks ShuffleNet is compared with ({rivals})"
        )
        self.groups = QComboBox()
        self.groups.setToolTip("group count of the pointwise convolutions (G key cycles)")
        self.scale = QComboBox()
        self.shuffle = QCheckBox("channel shuffle")
        self.shuffle.setToolTip("turn the shuffle off to reproduce the paper's Table 3 ablation (S key)")
        self.input_size = QSpinBox()
        self.input_size.setRange(MIN_IMAGE_SIZE, MAX_INPUT_SIZE)
        self.input_size.setSingleStep(32)
        self.input_size.setSuffix(" px")
        self.series = QSpinBox()
        self.series.setRange(COMPACT_MIN_SERIES, MAX_INPUT_SIZE)
        self.modal = QSpinBox()
        self.modal.setRange(1, COMPACT_MAX_MODAL)
        signal_row = QHBoxLayout()
        signal_row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.series, QLabel("x"), self.modal):
            signal_row.addWidget(widget)
        self.signal_size = QWidget()
        self.signal_size.setLayout(signal_row)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setObjectName("explanation")
        for label, widget in (
            ("architecture", self.arch),
            ("groups", self.groups),
            ("scale", self.scale),
            ("", self.shuffle),
            ("input size", self.input_size),
            ("series x modal", self.signal_size),
        ):
            form.addRow(label, widget)
        form.addRow(self.explanation)
        self._form = form

        self.show_spec(self.state.config.spec)
        qt_state.requested.connect(lambda config, _explicit: self.show_spec(config.spec))
        qt_state.running.connect(lambda bundle: self._show_fixed_groups(bundle, self.state.config.spec))
        self.arch.currentIndexChanged.connect(self._on_arch)
        for widget in (self.groups, self.scale):
            widget.currentIndexChanged.connect(self._emit_spec)
        self.shuffle.toggled.connect(self._emit_spec)
        for spin in (self.input_size, self.series, self.modal):
            spin.editingFinished.connect(self._emit_spec)

    def show_spec(self, spec: ModelSpec) -> None:
        self._updating = True
        try:
            entry = spec.architecture
            self.arch.setCurrentIndex(self.arch.findData(spec.arch))
            self._fill(self.scale, entry.scales, spec.scale, "{:g}x")
            self._fill(self.groups, entry.group_choices, spec.groups, "g = {}")
            self.shuffle.setChecked(
                spec.shuffle and entry.has_shuffle
            )  # a network without a shuffle never shows one on
            if entry.input_kind == "signal":
                self.series.setValue(spec.signal_size[0])
                self.modal.setValue(spec.signal_size[1])
            else:
                self.input_size.setValue(spec.image_size)
            self._explain(entry)
            self._show_fixed_groups(self.state.bundle, spec)
        finally:
            self._updating = False

    def _show_fixed_groups(self, bundle, shown: ModelSpec) -> None:
        """What the disabled groups box says, read off the running model's tap table (built off the
        UI thread: building it here froze the window on every switch); nothing until ``shown`` runs."""
        entry = shown.architecture
        if bundle is not None and bundle.spec == shown:
            self.groups.setPlaceholderText(fixed_groups_text(shuffle_groups(bundle.taps)))
            running = running_shuffles_text(bundle.taps) if entry.has_shuffle else ""
            self.explanation.setText(f"{entry.hint} {running}".strip())  # the hint, then what really runs
        else:
            self.groups.setPlaceholderText("")
            self.explanation.setText(entry.hint)

    @staticmethod
    def _fill(box: QComboBox, values, current, text: str) -> None:
        """The choices one architecture offers (scales, group counts), the current one selected."""
        box.blockSignals(True)
        box.clear()
        for value in values:
            box.addItem(text.format(value), value)
        box.setCurrentIndex(box.findData(current) if current in values else min(0, len(values) - 1))
        box.blockSignals(False)

    def _explain(self, entry) -> None:
        self.groups.setEnabled(bool(entry.group_choices))
        self.scale.setEnabled(len(entry.scales) > 1)
        self.shuffle.setEnabled(entry.has_shuffle)
        self._form.setRowVisible(self.input_size, entry.input_kind == "image")
        self._form.setRowVisible(self.signal_size, entry.input_kind == "signal")
        self.explanation.setText(entry.hint)

    def current_spec(self) -> ModelSpec:
        entry = architecture(self.arch.currentData())
        shuffle = (
            self.shuffle.isChecked() if self.shuffle.isEnabled() else True
        )  # no shuffle to switch: the spec's default
        if entry.input_kind == "signal":
            return ModelSpec.create(entry.name, shuffle=shuffle, input_size=(self.series.value(), self.modal.value()))
        return ModelSpec.create(
            entry.name,
            groups=self.groups.currentData() if entry.group_choices else None,
            scale=self.scale.currentData(),
            shuffle=shuffle,
            input_size=self.input_size.value(),
        )

    def _on_arch(self) -> None:
        if self._updating:
            return
        entry, scale = architecture(self.arch.currentData()), self.scale.currentData()
        # what the user last chose for this architecture, else its own defaults (never repeated
        # here) keeping the scale where it applies; never a flag another architecture turned off
        remembered = self.state.specs_by_arch.get(entry.name)
        if remembered is None:
            scale = scale if scale in entry.scales else (1.0 if 1.0 in entry.scales else entry.scales[0])
            remembered = ModelSpec.create(entry.name, scale=scale)
        self.show_spec(remembered)
        self._emit_spec()

    def _emit_spec(self) -> None:
        if self._updating:
            return
        try:
            spec = self.current_spec()
        except ValueError as exc:  # shown, never swallowed
            self.explanation.setText(f"Not available: {exc}")
            return
        self.state.request(spec=spec)


class WeightsBox(QGroupBox):
    """random init / torchvision / a file -> state.request(weights=...); download progress + cancel."""

    def __init__(self, qt_state: QtState) -> None:
        super().__init__("Weights")
        self.state = qt_state.state
        layout = QVBoxLayout(self)
        self.weights = QComboBox()
        self.weights.addItem("random init (untrained)", None)
        self.weights.addItem("torchvision ImageNet (V2; downloads once)", "torchvision")
        self.weights.addItem("checkpoint file…", "file")
        self.weights.addItem("megvii checkpoint…", "megvii")
        self.weights.setToolTip(
            "torchvision: from the torch hub cache (TORCH_HOME), downloaded on first use; files: any ShuffleNet state dict"
        )
        self.weights_status = QLabel()
        self.weights_status.setWordWrap(True)
        self.download_bar = QProgressBar()
        self.download_bar.setRange(0, 1000)
        self.cancel_download = QPushButton("Cancel download")
        for widget in (self.weights, self.weights_status, self.download_bar, self.cancel_download):
            layout.addWidget(widget)
        self.show_download(None)
        self._show_choice(self.state.config.weights)
        if self.state.bundle is not None:
            self.show_running(self.state.bundle)
        qt_state.requested.connect(lambda config, _explicit: self._show_choice(config.weights))
        qt_state.running.connect(self.show_running)
        qt_state.busy.connect(self._on_busy)
        self.weights.activated.connect(self._on_weights)
        self.cancel_download.clicked.connect(self.state.cancel_download)

    def _show_choice(self, source: str | None) -> None:
        self.weights.setCurrentIndex(max(0, self.weights.findData(weights_kind(source))))

    def show_running(self, bundle) -> None:
        untrained = "" if bundle.trained else " - predictions are meaningless until trained weights are loaded"
        self.weights_status.setText(bundle.weights_name + untrained)

    def _on_busy(self, busy) -> None:
        self.show_download(busy.fraction if busy.download else None, busy.text)

    def show_download(self, fraction: float | None, text: str = "") -> None:
        """Progress of a weights download (None hides it)."""
        visible = fraction is not None
        self.download_bar.setVisible(visible)
        self.cancel_download.setVisible(visible)
        if visible:
            self.download_bar.setValue(int(max(0.0, fraction) * 1000))
            self.download_bar.setFormat(text)

    def _on_weights(self) -> None:
        kind = self.weights.currentData()
        if kind in (None, "torchvision"):
            self.state.request(weights=kind)
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a ShuffleNet checkpoint", "", "Checkpoints (*.pth *.pt *.tar *.pth.tar *.ckpt);;All files (*)"
        )
        if not path:
            self._show_choice(self.state.config.weights)  # dialog cancelled: nothing changes
            return
        self.state.request(weights=f"megvii:{path}" if kind == "megvii" else path)


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


class ControlsPanel(QWidget):
    def __init__(self, qt_state: QtState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_box = ModelBox(qt_state)
        self.weights_box = WeightsBox(qt_state)
        self.run_box = RunBox(qt_state)
        layout = QVBoxLayout(self)
        for box in (self.model_box, self.weights_box, self.run_box):
            layout.addWidget(box)
        layout.addStretch(1)
        # a combo's long entries (a backend's full title, a path) show in its list, not in the
        # panel's width: large fonts must not push the window past the screen
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)

    def cancel(self) -> None:
        """Stop the fit's measurement: the window is closing."""
        self.run_box.fit.task.cancel()
