"""The window run by a script: N frames, a screenshot, one summary line (and the figures the
benchmarks read: when the first frame came, when auto swapped, peak memory)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer

from explorer.engine.config import AUTO
from explorer.engine.worker import Engine
from explorer.process_stats import peak_rss_mb, process_age
from explorer.ui.figures.images import save_png
from explorer.ui.window.main_window import MainWindow


def record_timeline(window: MainWindow, imports_s: float) -> dict:
    """When the imports ended, the first frame was drawn and auto moved to another backend (process
    seconds; filled in as they happen, for the headless summary and the benchmarks)."""
    timeline = {"imports": imports_s}

    def on_frame() -> None:
        timeline.setdefault("first_frame", process_age())

    def on_running(bundle) -> None:
        if not bundle.entry.auto_start and bundle.config.backend == AUTO:
            timeline.setdefault("swap", process_age())
            timeline.setdefault("swap_backend", bundle.backend)

    window.qt_state.frame_ready.connect(on_frame)
    window.qt_state.running.connect(on_running)
    return timeline


def run_headless(app, window: MainWindow, engine: Engine, args, timeline: dict) -> int:
    """Run ``args.frames`` frames (and a lesson or training the switches asked for), then save the
    screenshot, print the one-line summary and quit: 0 when all of it happened."""
    status = {"start": None, "code": 1, "done": False}

    def waiting_for_training() -> bool:
        if args.lesson and window.pages["lessons"].running:
            return True
        return bool(args.train_epochs) and (window.pages["teach"].signal_page.training or not engine.bundle.trained)

    def on_result():
        if status["start"] is None:
            status["start"] = time.perf_counter()
        if window.rendered >= args.frames and not waiting_for_training():
            finish()

    def finish():
        if status["done"]:
            return
        status["done"] = True
        elapsed = time.perf_counter() - (status["start"] or time.perf_counter())
        app.processEvents()
        if args.screenshot:
            Path(args.screenshot).parent.mkdir(parents=True, exist_ok=True)
            if not save_png(window.grab(), args.screenshot):
                print(f"explorer: could not write screenshot {args.screenshot}", file=sys.stderr)
                app.quit()
                return
        frames = window.rendered
        fps = (frames - 1) / elapsed if elapsed > 0 and frames > 1 else 0.0
        median = statistics.median(window.inference_ms) if window.inference_ms else float("nan")
        started = (
            f", first frame {timeline['first_frame']:.1f} s after start (imports {timeline['imports']:.1f} s)"
            if "first_frame" in timeline
            else ""
        )
        swap = (
            f", auto -> {timeline['swap_backend']} {timeline['swap'] - timeline['first_frame']:.1f} s after it"
            if "swap" in timeline and "first_frame" in timeline
            else ""
        )
        if args.lesson:
            print(f"lesson {args.lesson}: {window.pages['lessons'].task.status.text()}")
        print(
            f"frames {frames}, fps {fps:.1f}, median inference {median:.1f} ms, model {engine.bundle.spec.label}, backend {engine.bundle.backend}, "
            f"source {engine.source.describe()}{started}{swap}, window {window.width()}x{window.height()}"
            + (f", screenshot {args.screenshot}" if args.screenshot else "")
            + (f", peak RSS {peak_rss_mb():.0f} MB" if peak_rss_mb() else "")
        )
        status["code"] = 0
        app.quit()

    def on_timeout():
        print(f"explorer: only {window.rendered} of {args.frames} frames after {args.timeout:.0f} s", file=sys.stderr)
        app.quit()

    window.qt_state.frame_ready.connect(lambda: QTimer.singleShot(0, on_result))
    QTimer.singleShot(int(args.timeout * 1000), on_timeout)
    app.exec()
    window.close()
    return status["code"]
