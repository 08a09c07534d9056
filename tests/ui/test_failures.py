"""A failed background job keeps its traceback: the banner shows the message, Copy copies the
traceback, and the log has it."""

import logging

from PySide6.QtWidgets import QApplication

from explorer.logs import log_file, start_logging
from explorer.ui.base.background import BackgroundTask

WAIT = 60_000


def deep_in_the_work(_progress, _cancel):
    return {}["a key the sweep never had"]


def test_a_failed_task_hands_on_its_message_and_whole_traceback(qtbot):
    task = BackgroundTask("a job")
    with qtbot.waitSignal(task.failed, timeout=WAIT) as failed:
        task.start(deep_in_the_work)
    message, details = failed.args
    assert "a key the sweep never had" in message
    assert "Traceback" in details and "deep_in_the_work" in details and "KeyError" in details


def test_the_banner_shows_a_failed_sweep_and_copy_gives_its_traceback_and_the_log_has_it(make_window, qtbot):
    path = start_logging()
    try:
        window = make_window()
        window.pages["sweep"].task.start(deep_in_the_work, "measuring…")
        qtbot.waitUntil(lambda: window.banner.isVisible() and "never had" in window.banner.text.text(), timeout=WAIT)
        assert "Traceback" not in window.banner.text.text()  # the message reads as a sentence
        copy = next(
            b for b in window.banner.findChildren(type(window.pages["sweep"].task.run_button)) if b.text() == "Copy"
        )
        copy.click()
        copied = QApplication.clipboard().text()
        assert "never had" in copied and "deep_in_the_work" in copied and "Traceback" in copied
        assert path == log_file() and "deep_in_the_work" in path.read_text()
    finally:
        for handler in list(logging.getLogger("explorer").handlers):
            if getattr(handler, "baseFilename", None) == str(path):
                logging.getLogger("explorer").removeHandler(handler)
                handler.close()


def test_closing_the_window_cancels_running_work_and_waits_for_it_to_stop(make_window, qtbot):
    from explorer.progress import check_cancel

    started = []

    def long_work(_progress, cancel):
        started.append(1)
        while True:  # a lesson's loop: it checks for a cancel between steps
            check_cancel(cancel)
            cancel.wait(0.05)

    window = make_window()
    window.pages["sweep"].task.start(long_work, "measuring…")
    qtbot.waitUntil(lambda: bool(started), timeout=WAIT)
    window.close()
    assert not window.pages[
        "sweep"
    ].task.running  # stopped before the window let go: no thread left inside torch at exit
