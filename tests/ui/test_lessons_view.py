"""The Lessons tab: runs a lesson in the background while frames keep coming, shows its figure,
table and verdicts, keeps each result, saves PNG + CSV, and cancels."""

from PySide6.QtCore import QEvent
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

WAIT = 240_000


def test_a_lesson_runs_in_the_background_and_shows_its_figure_table_and_verdicts(make_window, qtbot, tmp_path):
    window = make_window()
    window.set_tab("lessons")
    view = window.pages["lessons"]
    view.quick.setChecked(True)
    assert view.start("guidelines")
    assert window.state.paused  # a timed lesson does not time the video too
    qtbot.waitUntil(lambda: "guidelines" in view.results, timeout=WAIT)
    assert not window.state.paused  # and the video comes back when it is done
    result = view.results["guidelines"]
    assert view.table.rowCount() == len(result.rows) and view.table.columnCount() >= 8
    assert (
        "Verdicts on this machine" in view.verdicts.text() and "ShuffleNet V2 paper, Section 2" in view.verdicts.text()
    )
    assert len(view.plot.listDataItems()) == len({r["series"] for r in result.rows})
    assert view.task.status.text().startswith("guidelines: ") and view.save_button.isEnabled()
    view.select("family")  # another lesson shows "not run yet"; the first result is kept
    assert "Not run yet" in view.verdicts.text()
    view.select("guidelines")
    assert view.table.rowCount() == len(result.rows)
    path = tmp_path / "g.png"
    assert window.files.save_lesson(str(path))
    assert QImage(str(path)).width() >= 1000 and (tmp_path / "g.csv").read_text().startswith("guideline,")


def test_cancel_stops_a_lesson_and_keeps_the_last_result(make_window, qtbot):
    window = make_window()
    view = window.pages["lessons"]
    view.start("family")
    qtbot.waitUntil(lambda: view.task.progress.value() > 0, timeout=WAIT)
    view.task.cancel_button.click()
    qtbot.waitUntil(lambda: "cancelled" in view.task.status.text(), timeout=WAIT)
    assert "family" not in view.results and view.task.run_button.isEnabled() and not window.state.paused


def test_ctrl_s_on_the_lessons_tab_without_a_result_says_what_to_do(make_window):
    window = make_window()
    window.set_tab("lessons")
    assert not window.files.save_current()
    assert "press Run on the Lessons tab" in window.full_message or "press Run" in window.state.last_message[0]


def test_run_stays_put_between_lessons_and_the_verdicts_get_room(make_window, qtbot):
    window = make_window()
    window.set_tab("lessons")
    view = window.pages["lessons"]
    qtbot.waitUntil(lambda: view.task.run_button.isVisible(), timeout=WAIT)

    def run_at():
        return view.task.run_button.mapTo(window, view.task.run_button.rect().topLeft())

    places = set()
    for name in ("guidelines", "shuffle-ablation", "flops-vs-speed", "family"):
        view.select(name)
        for text in ("", "shuffle-ablation: 4 of 5 claims hold here, 1 within noise"):
            view.task.say(text)
            for _ in range(3):  # nested layouts settle through posted LayoutRequest events (no timing)
                QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            places.add((run_at().x(), run_at().y()))
    assert len(places) == 1, places  # a click meant for Run never lands on "quick preview"
    line = view.verdicts.fontMetrics().height()
    assert view.verdict_scroll.height() >= 8 * line


def test_the_lesson_layout_follows_large_fonts(make_window, qtbot):
    window = make_window()
    view = window.pages["lessons"]
    normal = view.verdict_scroll.minimumHeight()
    window.set_large_fonts(True)  # applied as a style sheet: a StyleChange, not a FontChange
    try:
        qtbot.waitUntil(lambda: view.verdict_scroll.minimumHeight() > normal, timeout=20_000)
        line = view.verdicts.fontMetrics().height()
        assert view.verdict_scroll.minimumHeight() >= 8 * line  # eight lines of the new size
        assert view.explanation_scroll.maximumHeight() >= 6 * line
    finally:
        window.set_large_fonts(False)
    qtbot.waitUntil(lambda: view.verdict_scroll.minimumHeight() == normal, timeout=20_000)  # and back
