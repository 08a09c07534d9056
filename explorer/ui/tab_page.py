"""What the main window asks of every tab, so it routes frames, saves and cancels without knowing
which tab is which (each view subclasses TabPage; the table of tabs is explorer/ui/tabs.py)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from explorer.engine.pipeline import FrameResult


class TabPage(QWidget):
    save_requested = Signal()  # the tab's own Save button (its entry's ``save`` says what it writes)

    def show_result(self, result: FrameResult) -> None:
        """Draw one frame's result: called only while this tab is the one showing."""

    def every_result(self, result: FrameResult) -> None:
        """Every frame, showing or not: for what must not miss one (running accuracy, capture)."""

    def cancel(self) -> None:
        """Stop any background work: the window is closing."""
