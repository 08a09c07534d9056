"""Help > Get trained weights: per architecture, where trained weights come from and how to get them here.

Asks the architecture entry: torchvision's checkpoints (download with progress and cancel, or the
offline route: the exact file name, the folder, the URL), a foreign release (megvii's V1: where it
is published, which files, then a file picker), or none (train it here).  Loading goes through the
state like every other request, so the window's progress and messages apply.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from explorer.models.architecture import architecture, architectures
from explorer.models.spec import ModelSpec
from explorer.ui.base.bridge import QtState
from explorer.ui.views.live_view import download_size_mb
from explorer.weights import WeightsError
from explorer.weights.download import checkpoint_dir
from explorer.weights.loader import checkpoint_choice
from explorer.weights.source import TORCHVISION, WeightsSource

CHECKPOINT_FILTER = "Checkpoints (*.pth *.pt *.tar *.pth.tar *.ckpt *.pkl);;All files (*)"


def _paragraph(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)  # a fix naming a folder or a URL is shown whole, never cut
    label.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.LinksAccessibleByMouse)
    label.setOpenExternalLinks(True)
    return label


def load_checkpoint_file(state, path: str) -> str | None:
    """Ask the state for the model ``path`` fits, with those weights; the problem in words when it fits none."""
    try:
        spec, weights = checkpoint_choice(path)
    except WeightsError as exc:
        return f"{Path(path).name} cannot be loaded: {exc}"
    current = state.config.spec
    if spec.input_kind == current.input_kind and spec.arch == current.arch:
        spec = spec.with_changes(input_size=current.input_size)  # keep the size the user picked
    state.request(spec=spec, weights=weights)
    return None


class WeightsDialog(QDialog):
    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Get trained weights")
        self.state = qt_state.state
        self.arch = QComboBox()
        for entry in architectures():
            self.arch.addItem(entry.title, entry.name)
        self.arch.setCurrentIndex(max(0, self.arch.findData(self.state.config.spec.arch)))
        self.where = _paragraph()
        self.offline = _paragraph()
        self.download = QPushButton()
        self.download.setObjectName("primary")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.cancel = QPushButton("Cancel download")
        self.open_folder = QPushButton("Open folder")
        self.pick = QPushButton("Load a checkpoint file…")
        self.result = _paragraph()
        row = QHBoxLayout()
        for button in (self.download, self.open_folder, self.pick):
            row.addWidget(button)
        row.addStretch(1)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel)
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.arch)
        layout.addWidget(self.where)
        layout.addLayout(row)
        layout.addLayout(progress_row)
        layout.addWidget(self.offline)
        layout.addWidget(self.result)
        layout.addStretch(1)
        layout.addWidget(close)
        self.arch.currentIndexChanged.connect(lambda _i: self.show_architecture())
        self.download.clicked.connect(self._download)
        self.cancel.clicked.connect(self.state.cancel_download)
        self.open_folder.clicked.connect(self._open_folder)
        self.pick.clicked.connect(self._pick)
        qt_state.busy.connect(self._on_busy)
        qt_state.message.connect(self._on_message)  # a bound slot: dropped with the dialog when it closes
        self._on_busy(self.state.busy_now)
        self.show_architecture()
        self.resize(640, 420)

    def entry(self):
        return architecture(self.arch.currentData())

    def _spec(self):
        """The model the download is for: the running one when it is of this architecture, else its default."""
        current = self.state.config.spec
        entry = self.entry()
        if current.arch == entry.name and current.scale in entry.torchvision_checkpoints:
            return current
        default = ModelSpec.create(entry.name)
        if default.scale in entry.torchvision_checkpoints:
            return default
        return ModelSpec.create(entry.name, scale=next(iter(entry.torchvision_checkpoints)))

    def show_architecture(self) -> None:
        entry = self.entry()
        folder = checkpoint_dir()
        published = entry.torchvision_checkpoints
        self.download.setVisible(bool(published))
        self.open_folder.setVisible(bool(published))
        self.pick.setVisible(True)
        self.result.setText("")
        if published:
            spec = self._spec()
            checkpoint = published[spec.scale]
            have = [f"{s:g}x" for s, c in published.items() if (folder / c.filename).is_file()]
            self.where.setText(
                f"<b>{entry.title}</b>: torchvision publishes ImageNet-trained weights for "
                f"{', '.join(f'{s:g}x' for s in published)}. "
                + (f"Already here: {', '.join(have)}." if have else "None is here yet.")
            )
            self.download.setText(f"Download {spec.label.rsplit(' @', 1)[0]} (~{download_size_mb(spec):.0f} MB)")
            self.offline.setText(
                "<b>Offline, or behind a proxy</b>: on a machine that can reach it, fetch<br>"
                f"<a href='{checkpoint.url}'>{checkpoint.url}</a><br>"
                f"and copy the file, named exactly <code>{checkpoint.filename}</code>, into<br>"
                f"<code>{folder}</code><br>(the torch hub cache; TORCH_HOME moves it). The app finds it at the next "
                "start or when you pick torchvision weights."
            )
        elif entry.foreign is not None and entry.foreign.release:
            foreign = entry.foreign
            self.where.setText(
                f"<b>{entry.title}</b>: trained weights come from {foreign.name}'s release, "
                f"<a href='{foreign.release}'>{foreign.release}</a>: {foreign.files_note}."
            )
            self.offline.setText(
                "Download one file there (a browser is enough), then <b>Load a checkpoint file…</b> and pick it, "
                "or drop it on the window. It loads as "
                f"<code>{foreign.name}:PATH</code>, also on the command line: "
                f"<code>python main.py --arch {entry.name} --weights {foreign.name}:PATH</code>."
            )
        else:
            self.where.setText(
                f"<b>{entry.title}</b>: no trained weights are published that this app can fetch."
                + (
                    " Train it here: the Teach tab trains it on sensor windows in about a minute."
                    if entry.input_kind == "signal"
                    else " Any checkpoint of this architecture in the app's or torchvision's layout loads with "
                    "<b>Load a checkpoint file…</b> or by dropping it on the window."
                )
            )
            self.offline.setText("")

    def _download(self) -> None:
        self.state.request(spec=self._spec(), weights=WeightsSource(TORCHVISION))

    def _open_folder(self) -> None:
        folder = checkpoint_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _pick(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load a checkpoint file", "", CHECKPOINT_FILTER)
        if path:
            self.load(path)

    def load(self, path: str) -> None:
        problem = load_checkpoint_file(self.state, path)
        self.result.setText(problem or f"loading {Path(path).name}…")

    def _on_message(self, text: str, error: bool) -> None:
        if error:
            self.result.setText(text)

    def _on_busy(self, busy) -> None:
        downloading = busy is not None and busy.download
        self.progress.setVisible(downloading)
        self.cancel.setVisible(downloading)
        if downloading:
            self.progress.setValue(int(max(0.0, busy.fraction) * 1000))
            self.progress.setFormat(busy.text)
