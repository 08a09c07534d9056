"""The Lessons tab: the papers' experiments re-run here, one at a time, in the background.

Pick a lesson, press Run: it measures with progress and Cancel while the video keeps running
(at the live view's thread count, so the two do not fight over torch's thread pool), then shows
the explanation, this machine's figure and table, the paper's statement with its source, and
the verdicts.  Every result stays until it is run again; Save writes the figure (PNG) and the
rows (CSV), Ctrl+S the figure.
"""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.lessons import LESSONS, LessonResult, run_lesson
from explorer.ui.base.bridge import QtState
from explorer.ui.base.tab_page import TabPage
from explorer.ui.figures.lesson_plot import clear_lesson, draw_lesson
from explorer.ui.widgets.task_panel import TaskPanel

TONE_COLOURS = {"yes": "#6fd38b", "no": "#ff8a80", "unsure": "#ffb74d"}


def verdict_html(result: LessonResult) -> str:
    """The paper's statements with their sources, then this machine's verdicts (rich text)."""
    paper = "".join(
        f"<li>{html.escape(p['claim'])} <i>({html.escape(p['source'])})</i>: {html.escape(str(p['figures']))}</li>"
        for p in result.paper
    )
    verdicts = "".join(
        f"<li><b style='color:{TONE_COLOURS[v.tone]}'>{html.escape(v.label)}</b>: "
        f"{html.escape(v.claim)} ({html.escape(v.measured)})</li>"
        for v in result.verdicts
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
    return f"<b>Verdicts on this machine</b><ul>{verdicts}</ul><b>The paper</b><ul>{paper}</ul>" + (
        f"<b>Notes</b><ul>{notes}</ul>" if notes else ""
    )


class LessonsView(TabPage):
    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.state = qt_state.state
        self.results: dict[str, LessonResult] = {}
        self.lesson_list = QListWidget()
        for name, module in LESSONS.items():
            item = QListWidgetItem(f"{name}\n{module.TITLE}")
            item.setData(Qt.UserRole, name)
            self.lesson_list.addItem(item)
        self.lesson_list.setCurrentRow(0)
        self.lesson_list.setWordWrap(True)
        self.quick = QCheckBox("quick preview (fewer runs)")
        self.task = TaskPanel(
            "lesson",
            "Run",
            self.state,
            idle_text="Pick a lesson and press Run: it measures here, in the background.",
            cancelled_text="cancelled; the last result (if any) is kept",
            failed_text="the lesson failed: {}",
            progress_below=True,
        )
        self.task.run_button.setObjectName("primary")
        self.save_button = QPushButton("Save figure and CSV…")
        self.save_button.setEnabled(False)
        left = QVBoxLayout()
        left.addWidget(self.lesson_list, 1)
        left.addWidget(self.quick)
        left.addWidget(self.task)
        left.addWidget(self.save_button)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setMaximumWidth(300)

        self.title = QLabel()
        self.title.setObjectName("heading")
        self.title.setWordWrap(True)  # a long title wraps instead of widening the window
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setObjectName("explanation")
        self.plot_widget = pg.PlotWidget(background="#202020")
        self.plot = self.plot_widget.getPlotItem()
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.verdicts = QLabel()
        self.verdicts.setWordWrap(True)
        self.verdicts.setTextFormat(Qt.RichText)
        self.verdicts.setAlignment(Qt.AlignTop)
        verdict_scroll = QScrollArea()  # long verdicts scroll instead of squeezing the figure
        verdict_scroll.setWidgetResizable(True)
        verdict_scroll.setWidget(self.verdicts)
        self.verdict_scroll = verdict_scroll
        lower = QSplitter(Qt.Horizontal)
        lower.addWidget(self.table)
        lower.addWidget(verdict_scroll)
        lower.setSizes([400, 600])  # the verdicts are what a reader came for: the wider side
        body = QSplitter(Qt.Vertical)
        body.addWidget(self.plot_widget)
        body.addWidget(lower)
        body.setStretchFactor(0, 3)  # the figure is the lesson: it gets most of the height
        body.setStretchFactor(1, 2)
        explanation_scroll = QScrollArea()  # a long explanation scrolls instead of squeezing the figure
        explanation_scroll.setWidgetResizable(True)
        explanation_scroll.setFrameShape(QScrollArea.NoFrame)
        explanation_scroll.setWidget(self.explanation)
        self.explanation_scroll = explanation_scroll
        self._size_to_font()
        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(explanation_scroll)
        right.addWidget(body, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(left_widget)
        layout.addLayout(right, 1)

        self.task.finished.connect(self._on_done)
        self.task.run_clicked.connect(lambda: self.start())
        self.save_button.clicked.connect(self.save_requested)
        self.lesson_list.currentItemChanged.connect(lambda *_: self.show_current())
        self.show_current()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().changeEvent(event)
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):  # large fonts arrive as a style sheet
            self._size_to_font()

    def _size_to_font(self) -> None:
        """Six lines of explanation at most; a figure at least 14 lines tall, so on a small screen
        the page scrolls rather than squeezing the plot under its legend."""
        line = self.explanation.fontMetrics().height()
        self.explanation_scroll.setMaximumHeight(6 * line + 8)
        self.plot_widget.setMinimumHeight(14 * line)
        self.verdict_scroll.setMinimumHeight(8 * line)  # several verdicts readable without scrolling
        # the status under Run keeps three lines whatever it says, so Run never moves under a click
        self.task.status.setMinimumHeight(3 * line)
        self.task.status.setAlignment(Qt.AlignTop | Qt.AlignLeft)

    def current_lesson(self) -> str:
        return self.lesson_list.currentItem().data(Qt.UserRole)

    def select(self, name: str) -> bool:
        for row in range(self.lesson_list.count()):
            if self.lesson_list.item(row).data(Qt.UserRole) == name:
                self.lesson_list.setCurrentRow(row)
                return True
        return False

    @property
    def running(self) -> bool:
        return self.task.running

    def start(self, name: str | None = None) -> bool:
        name = name or self.current_lesson()
        self.select(name)
        threads, quick = self.state.config.threads, self.quick.isChecked()
        pause = LESSONS[name].PAUSES_VIDEO  # it times models, or needs every core to finish in time
        return self.task.start(
            lambda progress, cancel: run_lesson(name, threads=threads, progress=progress, cancel=cancel, quick=quick),
            f"measuring {name} at {threads} thread{'s' if threads != 1 else ''}"
            + (" (the live view pauses meanwhile)…" if pause else " while the video runs…"),
            pause_video=pause,
        )

    def _on_done(self, result: LessonResult) -> None:
        self.show_lesson_result(result)

    def show_lesson_result(self, result: LessonResult) -> None:
        """Show a finished lesson's result: its verdicts, plot and table (as when it was run here)."""
        self.results[result.lesson] = result
        outcomes = [v.outcome for v in result.verdicts]
        busy = outcomes.count("inconclusive")
        others = [o for o in dict.fromkeys(outcomes) if o not in ("holds", "inconclusive")]
        self.task.say(
            f"{result.lesson}: {outcomes.count('holds')} of {len(outcomes)} claims hold here"
            + "".join(f", {outcomes.count(o)} {o}" for o in others)
            + (f", {busy} inconclusive (the machine was busy: run it again)" if busy else "")
        )
        self.select(result.lesson)
        self.show_current()

    def show_current(self) -> None:
        name = self.current_lesson()
        module = LESSONS[name]
        self.title.setText(module.TITLE)
        self.explanation.setText(module.EXPLANATION)
        result = self.results.get(name)
        self.save_button.setEnabled(result is not None)
        if result is None:
            clear_lesson(self.plot, "not run yet: press Run to measure it here")
            self.table.clear()
            self.table.setRowCount(0)
            self.verdicts.setText("Not run yet: press Run to measure it on this machine.")
            return
        draw_lesson(self.plot, result)
        keys = [k for k in result.rows[0] if k != "series"] if result.rows else []
        self.table.clear()
        self.table.setColumnCount(len(keys))
        self.table.setHorizontalHeaderLabels(keys)
        self.table.setRowCount(len(result.rows))
        for i, row in enumerate(result.rows):
            for j, key in enumerate(keys):
                value = row.get(key)
                self.table.setItem(i, j, QTableWidgetItem("" if value is None else str(value)))
        self.table.resizeColumnsToContents()
        self.verdicts.setText(verdict_html(result))

    def current_result(self) -> LessonResult | None:
        return self.results.get(self.current_lesson())

    def cancel(self) -> None:
        self.task.cancel()
