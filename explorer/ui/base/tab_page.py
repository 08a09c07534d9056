"""What the main window asks of every tab, so it routes frames, saves and cancels without knowing
which tab is which (each view subclasses TabPage; the table of tabs is explorer/ui/window/tabs.py)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, QTimer, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QScroller, QWidget

from explorer.engine.pipeline import FrameResult


class TabPage(QWidget):
    save_requested = Signal()  # the tab's own Save button (its entry's ``save`` says what it writes)

    def show_result(self, result: FrameResult) -> None:
        """Draw one frame's result: called only while this tab is the one showing."""

    def every_result(self, result: FrameResult) -> None:
        """Every frame, showing or not: for what must not miss one (running accuracy, capture)."""

    def cancel(self) -> None:
        """Stop any background work: the window is closing."""

    def wire(self, window) -> None:
        """Connect this page to the window once every page exists: its files, its other pages
        (``window.pages``), Help.  The window wires no page by name."""

    def fit_room(self, room: QSize) -> None:
        """The visible size of the page changed (a page may lay itself out for it; most need not:
        the scroller around them scrolls what does not fit)."""


class PageScroller(QScrollArea):
    """A tab page in a scroll area: on a small screen nothing is cut at an edge, the rest is a
    scroll (or a finger's drag) away, and the window never asks for more than the screen has.

    The page is as large as the visible room, and larger only where its layout's minimum needs it.
    (Qt's own widgetResizable sizes a page with wrapped text to its *preferred* height for the
    width, which scrolls pages whose plots would fit.)"""

    def __init__(self, page: TabPage) -> None:
        super().__init__()
        self.page = page
        self._sizing_pending = False
        self.setFrameShape(QFrame.NoFrame)
        self.setWidget(page)
        page.installEventFilter(self)
        QScroller.grabGesture(self.viewport(), QScroller.TouchGesture)  # drag to scroll on a touchscreen

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt naming)
        if watched is self.page and event.type() == QEvent.LayoutRequest and not self._sizing_pending:
            # after the event: resizing the page from inside Qt's own relayout (or a restyle) re-enters it
            self._sizing_pending = True
            QTimer.singleShot(0, self, self._size_page)
        return False

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self.refit()

    def refit(self) -> None:
        self.page.fit_room(self.maximumViewportSize())  # the room without scroll bars: no feedback loop
        self._size_page()

    def _needed_height(self, width: int) -> int:
        layout = self.page.layout()
        if layout is not None and layout.hasHeightForWidth():
            return layout.totalMinimumHeightForWidth(width)
        return self.page.minimumSizeHint().height()

    def _size_page(self) -> None:
        self._sizing_pending = False
        room = self.maximumViewportSize()
        least_width = self.page.minimumSizeHint().width()
        width = max(room.width(), least_width)
        height = self._needed_height(width)
        if height > room.height():  # a vertical scroll bar will take its width
            width = max(room.width() - self.verticalScrollBar().sizeHint().width(), least_width)
            height = self._needed_height(width)
        # wider than the room: a horizontal scroll bar takes its height from the room
        room_height = room.height() - (self.horizontalScrollBar().sizeHint().height() if width > room.width() else 0)
        size = QSize(width, max(height, room_height))
        if self.page.size() != size:
            self.page.resize(size)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return self.page.sizeHint()
