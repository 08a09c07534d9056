"""The one task panel (run, cancel, progress, status) every background job uses, and the tab
protocol the main window routes by."""

import threading

import pytest

from explorer.analysis.complexity import analyze
from explorer.engine.config import RunConfig
from explorer.engine.measure import Candidate
from explorer.engine.state import AppState
from explorer.models import ModelSpec
from explorer.progress import Cancelled
from explorer.ui.widgets.task_panel import TaskPanel
from explorer.ui.window.tabs import TABS

WAIT = 60_000


@pytest.fixture
def panel(qtbot):
    state = AppState(RunConfig(ModelSpec.create("v2", scale=0.5)), "synthetic")
    made = TaskPanel(
        "test",
        "Run",
        state,
        idle_text="press Run",
        cancelled_text="stopped; nothing changed",
        failed_text="it failed: {}",
        progress_text="step {}",
    )
    qtbot.addWidget(made)
    return made


def held_work(release: threading.Event, outcome):
    """Work that reports progress, then waits for the test before it ends with ``outcome``."""

    def work(progress, cancel):
        progress(0.5, "one")
        while not release.wait(0.01):
            if cancel.is_set():
                raise Cancelled()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return work


@pytest.mark.parametrize("user_paused", [False, True])
def test_a_measurement_pauses_the_video_and_a_failure_gives_it_back_as_the_user_had_it(qtbot, panel, user_paused):
    panel.state.set_paused(user_paused)
    release = threading.Event()
    assert panel.start(held_work(release, RuntimeError("no memory")), "measuring…", pause_video=True)
    qtbot.waitUntil(lambda: panel.status.text() == "step one", timeout=WAIT)
    assert panel.state.paused and panel.progress.value() == 500
    assert not panel.run_button.isEnabled() and panel.cancel_button.isEnabled()
    assert not panel.start(held_work(release, 1), "again")  # one run at a time
    release.set()
    qtbot.waitUntil(lambda: not panel.running and panel.run_button.isEnabled(), timeout=WAIT)
    assert panel.status.text() == "it failed: no memory"
    assert panel.state.paused is user_paused and not panel.cancel_button.isEnabled()


def test_cancel_says_so_and_a_finished_run_hands_its_result_to_the_owner(qtbot, panel):
    assert panel.status.text() == "press Run"
    assert panel.start(held_work(threading.Event(), 1), "working…")
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: panel.status.text() == "stopped; nothing changed", timeout=WAIT)
    assert not panel.state.paused  # this run never asked for the cores
    release = threading.Event()
    release.set()
    with qtbot.waitSignal(panel.finished, timeout=WAIT) as finished:
        panel.start(held_work(release, {"rows": 3}), "working…")
    assert finished.args == [{"rows": 3}] and panel.run_button.isEnabled() and panel.progress.value() == 1000


def test_jobs_that_pause_the_video_run_one_at_a_time_and_the_video_comes_back_after_the_last(qtbot, panel):
    other = TaskPanel("sweep", "Run sweep", panel.state, cancelled_text="dropped")
    third = TaskPanel("fit", "Fit", panel.state, cancelled_text="fit dropped")
    for made in (other, third):
        qtbot.addWidget(made)
    first_release, second_release = threading.Event(), threading.Event()
    assert panel.start(held_work(first_release, 1), "lesson…", pause_video=True)
    assert other.start(held_work(second_release, 2), "sweep…", pause_video=True)
    assert other.queued and not other.running and "when the test running now finishes" in other.status.text()
    assert third.start(held_work(threading.Event(), 3), "fit…", pause_video=True) and third.queued
    third.cancel_button.click()  # dropped before it started
    assert not third.queued and third.status.text() == "fit dropped" and third.run_button.isEnabled()
    first_release.set()
    qtbot.waitUntil(lambda: other.running, timeout=WAIT)  # the waiting job starts when the slot frees
    assert panel.state.paused  # the first job's end did not resume the video under the second
    assert not third.running
    second_release.set()
    qtbot.waitUntil(lambda: not other.running and other.run_button.isEnabled(), timeout=WAIT)
    assert not panel.state.paused  # back as the user had it


def test_the_fit_in_the_run_box_measures_switches_and_resumes_the_video(qtbot, make_window):
    window = make_window()
    fit = window.controls.run_box.fit
    assert not fit.task.progress.isVisible() and not fit.task.status.isVisible()  # no idle rows in the dock

    def measure(spec, backend, threads, runs):
        fast = spec.scale == 1.0 and spec.input_size == 160 and backend == "onnxruntime"
        return Candidate(spec, backend, analyze(spec).totals.madds, 5.0 if fast else 500.0)

    with qtbot.waitSignal(fit.task.finished, timeout=WAIT):
        assert fit.start(30, measure=measure)
        assert window.state.paused
    assert not window.state.paused and fit.task.status.isVisible()
    assert "V2 1x @160 on onnxruntime" in fit.task.status.text() and fit.table.rowCount() == len(fit.result.candidates)
    qtbot.waitUntil(lambda: window.state.config.spec.input_size == 160, timeout=WAIT)
    assert window.state.config.spec.scale == 1.0


def test_the_window_routes_frames_saves_and_closing_through_the_tab_protocol(qtbot, make_window, monkeypatch):
    window = make_window()
    seen, cancelled = {}, []
    for name, page in window.pages.items():
        monkeypatch.setattr(page, "every_result", lambda result, name=name: seen.setdefault(name, result))
        monkeypatch.setattr(page, "cancel", lambda name=name: cancelled.append(name))
    window.set_tab("shuffle")
    qtbot.waitUntil(lambda: len(seen) == len(TABS), timeout=WAIT)  # every page, showing or not
    saved = []
    for action in ("save_diagram", "save_sweep", "save_lesson", "save_window_png"):
        monkeypatch.setattr(window.files, action, lambda action=action: saved.append(action))
    for entry in TABS:
        window.set_tab(entry.name)
        window.actions_by_name["save_png"].trigger()
    # Ctrl+S saves what the tab's entry says: its figure where it has one, the window elsewhere
    assert saved == [
        {"diagram": "save_diagram", "sweep": "save_sweep", "lessons": "save_lesson"}.get(e.name, "save_window_png")
        for e in TABS
    ]
    window.close()
    assert sorted(cancelled) == sorted(window.pages)
