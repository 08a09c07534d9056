"""The Weights box: the kinds of weights the running network's entry can load, download progress and cancel."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from explorer.ui.base.bridge import QtState
from explorer.weights.source import KIND_TITLES, WeightsSource, asks_for_file, offered_kinds


class WeightsBox(QGroupBox):
    """random init / torchvision / a file -> state.request(weights=...); download progress + cancel."""

    def __init__(self, qt_state: QtState) -> None:
        super().__init__("Weights")
        self.state = qt_state.state
        layout = QVBoxLayout(self)
        self.weights = QComboBox()  # filled with what the running entry can load (_show_choice)
        self.weights.setToolTip(
            "torchvision: from the torch hub cache (TORCH_HOME), downloaded on first use; files: a state dict of "
            "this network (ours, torchvision's or megvii's layout where the network has one)"
        )
        self.weights_status = QLabel()
        self.weights_status.setWordWrap(True)
        self.download_bar = QProgressBar()
        self.download_bar.setRange(0, 1000)
        self.cancel_download = QPushButton("Cancel download")
        for widget in (self.weights, self.weights_status, self.download_bar, self.cancel_download):
            layout.addWidget(widget)
        self.show_download(None)
        self._show_choice(self.state.config)
        if self.state.bundle is not None:
            self.show_running(self.state.bundle)
        qt_state.requested.connect(lambda config, _explicit: self._show_choice(config))
        qt_state.running.connect(self.show_running)
        qt_state.busy.connect(self._on_busy)
        self.weights.activated.connect(self._on_weights)
        self.cancel_download.clicked.connect(self.state.cancel_download)

    def _show_choice(self, config) -> None:
        """The kinds of weights the requested variant's entry can load, the requested one selected."""
        kinds = offered_kinds(config.spec)
        if [self.weights.itemData(i) for i in range(self.weights.count())] != list(kinds):
            self.weights.clear()
            for kind in kinds:
                self.weights.addItem(KIND_TITLES[kind], kind)
        self.weights.setCurrentIndex(max(0, self.weights.findData(config.weights.kind)))

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
        if not asks_for_file(kind):
            self.state.request(weights=WeightsSource(kind))
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a checkpoint", "", "Checkpoints (*.pth *.pt *.tar *.pth.tar *.ckpt);;All files (*)"
        )
        if not path:
            self._show_choice(self.state.config)  # dialog cancelled: nothing changes
            return
        self.state.request(weights=WeightsSource(kind, path))
