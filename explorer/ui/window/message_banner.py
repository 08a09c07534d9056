"""Where a long message is read in full: a wrapped notice above the tabs.

The status bar has room for a sentence; an error's fix (a file name, a folder, a URL) is often
longer.  So an error shows here whole, wrapped, selectable for copying, until dismissed or
replaced, and the status bar keeps a short form that points here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QWidget

STATUS_CHARS = 90  # what the status bar shows of a long message before pointing at the banner


def short_form(text: str) -> str:
    """The status bar's form of ``text``: whole when short, else its start and where to read the rest."""
    first = text.splitlines()[0] if text else ""
    if len(first) <= STATUS_CHARS and first == text:
        return text
    return first[:STATUS_CHARS].rstrip() + "… (full message above the tabs)"


class MessageBanner(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.details = ""  # a failure's traceback: copied with the message, for a bug report
        copy = QPushButton("Copy")
        copy.setToolTip("copy the whole message (to paste a URL or a path; a failure's traceback too)")
        copy.clicked.connect(lambda: QApplication.clipboard().setText(self.copied_text()))
        dismiss = QPushButton("Dismiss")
        dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(copy, 0, Qt.AlignTop)
        layout.addWidget(dismiss, 0, Qt.AlignTop)
        self.hide()

    def show_text(self, text: str, details: str = "") -> None:
        self.text.setText(text)
        self.details = details
        self.setVisible(bool(text))

    def copied_text(self) -> str:
        return f"{self.text.text()}\n\n{self.details}" if self.details else self.text.text()

    def settle(self, news: str) -> None:
        """Hide the shown problem when ``news`` is about the same subject (the words before the first
        ": "), e.g. "http://cam: reconnected" after "http://cam: the stream dropped"."""
        subject = news.split(": ", 1)[0]
        if self.isVisible() and ": " in news and self.text.text().split(": ", 1)[0] == subject:
            self.hide()
