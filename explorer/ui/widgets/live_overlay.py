"""The frame with the predictions painted over it: what a small screen and presentation mode show.

On a wide window the top-5 sit beside the frame; on a narrow one (a 7" panel, a projector) and
in presentation mode they are painted over the frame's corner in large type, with the fps and,
when presenting, the model and its backend in one line.  One widget paints it all in one pass,
so a new frame is one update(), as in the side column.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from explorer.ui.base.screen_fit import TOUCH_TARGET_PX

ROWS = 5
BAR = QColor("#3a78b5")
TRACK = QColor("#333")
TEXT = QColor("#eee")
STALE = QColor("#aaa")


def paint_prediction_rows(painter: QPainter, area: QRectF, rows: list[tuple[str, float]], stale: bool = False) -> None:
    """Top-5 labels with probability bars, ROWS rows filling ``area`` (label left, bar right)."""
    row_h = area.height() / ROWS
    label_w = area.width() * 0.5
    pad = max(2.0, row_h * 0.1)
    for i, (label, prob) in enumerate(rows[:ROWS]):
        top = area.top() + i * row_h + pad
        left = area.left() + label_w
        width = area.width() - label_w - 4
        painter.fillRect(QRectF(left, top, width, row_h - 2 * pad), TRACK)
        painter.fillRect(QRectF(left, top, width * max(0.0, min(1.0, prob)), row_h - 2 * pad), STALE if stale else BAR)
        painter.setPen(STALE if stale else TEXT)
        painter.drawText(
            QRectF(area.left() + 4, top, label_w - 8, row_h - 2 * pad), Qt.AlignVCenter | Qt.AlignLeft, label
        )
        painter.drawText(
            QRectF(left + 6, top, width - 8, row_h - 2 * pad), Qt.AlignVCenter | Qt.AlignLeft, f"{prob * 100:.1f} %"
        )


class FrameOverlay(QWidget):
    """Top-5, fps and (presenting) the model line, painted on a translucent panel."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.rows: list[tuple[str, float]] = []
        self.fps_text = "fps -"
        self.stale = False
        self.pixel_size = 0  # the text height in px; 0: the window's font, a little larger

    def set_rows(self, rows: list[tuple[str, float]], stale: bool = False) -> None:
        self.rows, self.stale = rows[:ROWS], stale
        self.update()

    def overlay_font(self) -> QFont:
        font = QFont(self.font())
        if self.pixel_size:
            font.setPixelSize(self.pixel_size)
        else:
            font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        return font

    def lines(self) -> int:
        return ROWS + 1

    def wanted_height(self) -> int:
        return int(QFontMetrics(self.overlay_font()).height() * 1.45 * self.lines()) + 16

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setBrush(QColor(16, 16, 16, 190))
        painter.setPen(Qt.NoPen)
        painter.drawRoundedRect(QRectF(self.rect()), 8, 8)
        painter.setFont(self.overlay_font())
        inner = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        line_h = inner.height() / self.lines()
        paint_prediction_rows(
            painter, QRectF(inner.left(), inner.top(), inner.width(), line_h * ROWS), self.rows, self.stale
        )
        painter.setPen(QColor("#9ecbff"))
        fps_row = QRectF(inner.left() + 4, inner.top() + ROWS * line_h, inner.width() - 8, line_h)
        painter.drawText(fps_row, Qt.AlignVCenter, self.fps_text)
        painter.end()


class FrameStage(QWidget):
    """The frame (or signal plot) with the overlay in its top-right corner, a caption along the
    bottom (the model and its backend when presenting; the untrained warning when narrow) and,
    when presenting, a button to leave (a touchscreen has no Escape key)."""

    leave_requested = Signal()

    def __init__(self, display: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.display = display
        display.setParent(self)
        self.overlay = FrameOverlay(self)
        self.overlay.hide()
        self.leave = QPushButton("✕ Leave presentation", self)
        self.leave.setObjectName("overlayButton")
        self.leave.setMinimumHeight(TOUCH_TARGET_PX)
        self.leave.clicked.connect(self.leave_requested)
        self.leave.hide()
        self.caption = QLabel(self)  # changes per model, not per frame
        self.caption.setObjectName("overlayCaption")
        self.caption.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.caption.setWordWrap(True)  # a narrow screen: two lines, never cut
        self.caption.hide()
        self.content_aspect = 0.0  # the frame's width / height (0: unknown); the overlay avoids it

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return self.display.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return QSize(160, 120)

    def set_overlay(self, shown: bool, presenting: bool = False, caption: str = "") -> None:
        self.overlay.setVisible(shown)
        self.leave.setVisible(presenting)
        self.caption.setText(caption)
        self.caption.setVisible(shown and bool(caption))
        self._size_text()
        self._place()

    def _size_text(self) -> None:
        """Presenting: type sized to the screen (a 720-line projector: ~33 px); else the window's."""
        presenting = self.leave.isVisible()
        self.overlay.pixel_size = max(18, self.height() // 22) if presenting else 0
        font = QFont(self.font())
        if presenting:
            font.setPixelSize(max(14, self.height() // 30))
        self.caption.setFont(font)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self.display.setGeometry(self.rect())
        self._size_text()
        self._place()

    def set_content_aspect(self, aspect: float) -> None:
        if aspect != self.content_aspect:
            self.content_aspect = aspect
            self._place()

    def _place(self) -> None:
        margin, least = 8, 260
        width = max(
            min(self.width() - 2 * margin, least), int(self.width() * (0.42 if self.leave.isVisible() else 0.46))
        )
        # the band beside a letterboxed frame, when it is wide enough, keeps the whole picture clear
        shown_width = min(self.width(), self.height() * self.content_aspect) if self.content_aspect else self.width()
        band = int((self.width() - shown_width) / 2) - 2 * margin
        if band >= least:
            width = min(width, band)
        height = min(self.overlay.wanted_height(), self.height() - 2 * margin)
        self.overlay.setGeometry(self.width() - width - margin, margin, width, height)
        self.overlay.raise_()
        self.leave.adjustSize()
        self.leave.move(margin, self.height() - self.leave.height() - margin)
        self.leave.raise_()
        left = margin + (self.leave.width() + margin if self.leave.isVisible() else 0)
        width = self.width() - left - margin
        caption_h = max(self.caption.heightForWidth(width), self.leave.height() if self.leave.isVisible() else 0)
        self.caption.setGeometry(left, self.height() - caption_h - margin, width, caption_h)
        self.caption.raise_()
