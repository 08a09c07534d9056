"""The Model box: architecture, groups, scale, shuffle and input size, as requests on the state; it says
why a combination is not available instead of ignoring it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from explorer.models.architecture import architecture, architectures
from explorer.models.shuffle import is_identity
from explorer.models.spec import COMPACT_MAX_MODAL, COMPACT_MIN_SERIES, MAX_INPUT_SIZE, MIN_IMAGE_SIZE, ModelSpec
from explorer.ui.base.bridge import QtState


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
