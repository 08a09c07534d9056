"""A push button whose text wraps onto two lines instead of being cut when its column is narrow
(large fonts in a side column: "Download trained weights (~9 MB)" lost both ends)."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QSizePolicy

PADDING_PX = 24  # the style's margins around the text, with room to spare


def two_lines(text: str) -> str:
    """``text`` broken at the space nearest its middle."""
    spaces = [i for i, c in enumerate(text) if c == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


class WrappingButton(QPushButton):
    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        # its width comes from the column, never from its text (else the one-line hint widens it)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.full_text = ""
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(self.toolTip() or text)
        self._fit()

    def _fits_one_line(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.full_text) + PADDING_PX <= self.width()

    def _fit(self) -> None:
        shown = self.full_text if self._fits_one_line() else two_lines(self.full_text)
        if shown != self.text():
            self.setText(shown)
            self.updateGeometry()  # two lines are taller

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt naming): a new font (Ctrl+L) changes the text's width
        super().changeEvent(event)
        self._fit()
