"""The idle trim hands freed native memory back when no job runs, off the UI thread."""

import threading

from explorer.ui.base import collect
from explorer.ui.base.background import BackgroundTask


def test_the_idle_trim_waits_for_jobs_and_runs_off_the_ui_thread(qtbot, monkeypatch):
    trimmed_on: list[threading.Thread] = []
    done = threading.Event()

    def fake_trim():
        trimmed_on.append(threading.current_thread())
        done.set()

    monkeypatch.setattr(collect, "release_freed_memory", fake_trim)
    job, release = BackgroundTask("job"), threading.Event()
    job.start(lambda progress, cancel: release.wait(10))
    trim = collect.IdleTrim(every_ms=3_600_000)  # driven by hand below
    assert trim.trim_if_idle() is False and trim.trims == 0  # a lesson's working set is not trimmed under it
    with qtbot.waitSignal(job.finished, timeout=10_000):
        release.set()
    assert trim.trim_if_idle() is True
    assert done.wait(10) and trimmed_on[0] is not threading.main_thread()
    assert trim.trims == 1


def test_the_idle_trim_runs_by_itself_on_its_timer(qtbot, monkeypatch):
    done = threading.Event()
    monkeypatch.setattr(collect, "release_freed_memory", done.set)
    trim = collect.IdleTrim(every_ms=20)
    qtbot.waitUntil(done.is_set, timeout=5_000)
    assert trim.trims >= 1
