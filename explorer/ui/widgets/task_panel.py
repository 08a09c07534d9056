"""One panel for every long job the window runs in the background: Run, Cancel, a progress bar
and a status line around one BackgroundTask (the fit, the lessons, the sweep, signal training).

The owner decides what runs (it connects ``run_clicked`` and calls ``start``); the panel owns
everything else: buttons enabled or not, progress, the cancelled/failed message, and pausing the
live video while a measurement needs the cores (restored to what the user had, whatever happens).

Jobs that pause the video (they time models, or train on every core) run one at a time: side by
side they would time each other, their working sets (hundreds of MB each) would add up, and the
first to finish would resume the video under the other.  A second one waits in a queue, says
which job it waits for, and can be cancelled before it starts.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from explorer.engine.state import AppState
from explorer.ui.base.background import BackgroundTask, Work


class TaskPanel(QWidget):
    run_clicked = Signal()
    finished = Signal(object)  # the work's return value; the panel is idle again when it arrives

    _exclusive: TaskPanel | None = None  # the panel whose video-pausing job runs now
    _waiting: list[TaskPanel] = []  # panels whose video-pausing job waits for it, in order

    def __init__(
        self,
        name: str,
        run_text: str,
        state: AppState,
        *,
        idle_text: str = "",
        cancelled_text: str,
        failed_text: str = "failed: {}",
        progress_text: str = "{}",
        leading: Iterable[QWidget] = (),
        trailing: Iterable[QWidget] = (),
        progress_below: bool = False,
        compact: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """``compact`` hides the progress bar, Cancel and an empty status while idle (the Run box
        in the dock has no room for idle rows); ``progress_below`` puts the bar under the buttons."""
        super().__init__(parent)
        self.state = state
        self.compact = compact
        self._texts = {"cancelled": cancelled_text, "failed": failed_text, "progress": progress_text}
        self.name = name
        self._paused_by_task, self._was_paused = False, False
        self._queued: tuple[Work, str] | None = None  # a job waiting for the exclusive slot
        self.run_button = QPushButton(run_text)
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (*leading, self.run_button, self.cancel_button):
            row.addWidget(widget)
        if not progress_below:
            row.addWidget(self.progress, 1)
        for widget in trailing:
            row.addWidget(widget)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        if progress_below:
            column.addWidget(self.progress)
        column.addWidget(self.status)
        self.task = BackgroundTask(name, self)
        self.task.progress.connect(self._on_progress)
        self.task.finished.connect(self._on_finished)
        self.task.cancelled.connect(lambda: self._stop(self._texts["cancelled"]))
        self.task.failed.connect(self._on_failed)
        self.run_button.clicked.connect(self.run_clicked)
        self.cancel_button.clicked.connect(self.cancel)
        self._show_idle()
        self.say(idle_text)

    @property
    def running(self) -> bool:
        return self.task.running

    @property
    def queued(self) -> bool:
        return self._queued is not None

    def start(self, work: Work, text: str, pause_video: bool = False) -> bool:
        """Run ``work(progress, cancel)`` unless a run is still going or waiting (then False).
        ``pause_video``: the live view yields the cores to a measurement and resumes as the user
        had it; such a job waits while another one runs."""
        if self.running or self.queued:
            return False
        holder = TaskPanel._exclusive
        if holder is not None and not (isValid(holder) and holder.running):
            holder = TaskPanel._exclusive = None  # its window went away without a word: the slot is free
        if pause_video and holder is not None and holder is not self:
            self._queued = (work, text)
            TaskPanel._waiting.append(self)
            self._show_busy()
            self.say(f"waiting: starts when the {holder.name} running now finishes (Cancel to drop it)")
            return True
        if not self.task.start(work):
            return False
        if pause_video:
            TaskPanel._exclusive = self
        self._paused_by_task = pause_video
        if pause_video:
            self._was_paused = self.state.paused
            self.state.set_paused(True)
        self._show_busy()
        self.say(text)
        return True

    def _show_busy(self) -> None:
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.progress.setValue(0)
        self.progress.show()

    def say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text) or not self.compact)

    def cancel(self) -> None:
        if self.queued:  # never started: drop it from the queue
            self._queued = None
            TaskPanel._waiting.remove(self)
            self._show_idle()
            self.say(self._texts["cancelled"])
            return
        self.task.cancel()

    def wait(self, timeout: float | None = None) -> None:
        self.task.wait(timeout)

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.say(self._texts["progress"].format(text))

    def _on_finished(self, result: object) -> None:
        self._stop("")
        self.progress.setValue(1000)
        self.finished.emit(result)

    def _on_failed(self, message: str, details: str) -> None:
        text = self._texts["failed"].format(message)
        self._stop(text)
        self.state.report_failure(text, details)  # the banner: Copy gives the traceback for a report

    def _stop(self, text: str) -> None:
        if self._paused_by_task:
            self.state.set_paused(self._was_paused)
            self._paused_by_task = False
        self._show_idle()
        self.say(text)
        if TaskPanel._exclusive is self:
            TaskPanel._exclusive = None
            self._start_next_waiting()

    @staticmethod
    def _start_next_waiting() -> None:
        """The slot is free: the job that waited longest starts (none while the window closes:
        every panel's cancel has dropped its waiting job by then)."""
        while TaskPanel._waiting:
            panel = TaskPanel._waiting.pop(0)
            if not isValid(panel) or panel._queued is None:
                continue
            work, text = panel._queued
            panel._queued = None
            if panel.start(work, text, pause_video=True):
                return

    def _show_idle(self) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.cancel_button.setVisible(not self.compact)
        self.progress.setVisible(not self.compact)
