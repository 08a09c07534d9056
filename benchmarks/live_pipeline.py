"""Live pipeline benchmark: prints numbers, asserts nothing (machines are noisy).

    QT_QPA_PLATFORM=offscreen python benchmarks/live_pipeline.py [--seconds 20] [--memory-frames 5000]

1. fps: V2 1.0x at 224 (or --arch/--scale), synthetic source unpaced, the Feature maps tab
   showing a stage-3 tap; the split into capture, preprocess, inference and render (UI thread).
2. UI responsiveness: the lateness of a 10 ms QTimer while g and scale are switched every
   250 ms (each switch rebuilds a model off the UI thread); p50/p99/max.
3. memory: RSS before and after --memory-frames frames.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="v2")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=None, help="default: the app's (all cores but one)")
    parser.add_argument("--tap", default="stage3")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--switch-seconds", type=float, default=15)
    parser.add_argument("--memory-frames", type=int, default=5000)
    parser.add_argument("--switch-interval", type=float, default=None, help="experiment: sys.setswitchinterval")
    args = parser.parse_args()
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)

    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from explorer.engine.pipeline import build_bundle
    from explorer.engine.worker import Engine
    from explorer.models import ModelSpec
    from explorer.sources import SyntheticSource
    from explorer.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    from explorer.engine.worker import default_live_threads

    args.threads = args.threads or default_live_threads()
    spec = ModelSpec.create(args.arch, scale=args.scale)
    from explorer.models import build_model
    from explorer.runtime.registry import DEFAULT_BACKEND, make_runner
    import torch

    def standalone_ms() -> float:
        runner = make_runner(DEFAULT_BACKEND, build_model(spec), spec)
        x = torch.randn(1, *spec.input_shape)
        from explorer.analysis.latency import time_callable
        return time_callable(lambda: runner(x, (args.tap,)), runs=40, warmup=5, threads=args.threads)[0].median_ms

    model_only_before = standalone_ms()
    engine = Engine(build_bundle(spec), SyntheticSource(), threads=args.threads, pace=False)
    window = MainWindow(engine)
    window.resize(1400, 860)
    window.show()
    window.tabs.setCurrentWidget(window.features)
    window.features.select_tap(args.tap)
    render_ms: list[float] = []
    original = window._on_result

    def timed_on_result():
        start = time.perf_counter()
        original()
        render_ms.append((time.perf_counter() - start) * 1000)

    engine.result_ready.disconnect()
    engine.result_ready.connect(timed_on_result)
    results = []
    engine_take = engine.take_result

    def take():
        result = engine_take()
        if result is not None:
            results.append(result.timings)
        return result

    engine.take_result = take
    from explorer.app import settle_after_startup

    settle_after_startup()  # as the app does
    engine.start()

    def run_for(seconds: float) -> None:
        # a real event loop (idle between events, like app.exec()), not a polling loop
        from PySide6.QtCore import QEventLoop

        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    run_for(3)  # warm-up
    results.clear()
    render_ms.clear()
    rendered0, frames0, t0 = window.rendered, engine.frames, time.perf_counter()
    run_for(args.seconds)
    elapsed = time.perf_counter() - t0
    shown = window.rendered - rendered0
    processed = engine.frames - frames0
    model_only = (model_only_before + standalone_ms()) / 2
    print(f"== live pipeline: {spec.label}, backend {engine.bundle.backend}, tap {args.tap} visible, {engine.threads} threads, synthetic 640x480 unpaced, {elapsed:.0f} s")
    print(f"fps rendered {shown / elapsed:.1f} (processed by worker {processed / elapsed:.1f}; target >= 30)")
    print(f"model alone, same process, measured before and after: {model_only:.1f} ms = at most {1000 / model_only:.1f} fps; "
          f"pipeline reaches {shown / elapsed * model_only / 10:.0f} % of that bound")
    for key in ("capture", "preprocess", "inference", "postprocess"):
        values = [r[key] for r in results]
        print(f"  {key:<11} median {statistics.median(values):6.2f} ms   p90 {pct(values, 90):6.2f} ms")
    print(f"  {'render (UI)':<11} median {statistics.median(render_ms):6.2f} ms   p90 {pct(render_ms, 90):6.2f} ms")

    # 2. event-loop lateness while switching g and scale
    late: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    expected = {"t": clock.elapsed()}

    def tick():
        now = clock.elapsed()
        late.append(max(0, now - expected["t"] - 10))
        expected["t"] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    specs = [ModelSpec.create("v1", groups=g, scale=s) for s in (0.5, 1.0, 1.5) for g in (1, 3, 8)] + [ModelSpec.create("v2", scale=s) for s in (0.5, 1.0, 2.0)]
    switches = {"n": 0}

    def switch():
        window.request_spec(specs[switches["n"] % len(specs)])
        switches["n"] += 1

    switcher = QTimer()
    switcher.setInterval(250)
    switcher.timeout.connect(switch)
    expected["t"] = clock.elapsed()
    timer.start()
    switcher.start()
    run_for(args.switch_seconds)
    timer.stop()
    switcher.stop()
    print(f"== UI event loop while switching g/scale every 250 ms ({switches['n']} switches, {len(late)} ticks of a 10 ms timer)")
    print(f"  lateness p50 {pct(late, 50):.1f} ms   p99 {pct(late, 99):.1f} ms   max {max(late):.1f} ms   (target p99 < 50 ms)")

    # 3. memory over many frames
    window.request_spec(spec)
    run_for(3)
    start_frames, start_rss = engine.frames, rss_mb()
    t0 = time.perf_counter()
    samples = []
    while engine.frames - start_frames < args.memory_frames:
        run_for(5)
        samples.append(rss_mb())
    end_rss = rss_mb()
    print(f"== memory over {engine.frames - start_frames} frames ({time.perf_counter() - t0:.0f} s)")
    print(f"  RSS start {start_rss:.0f} MB   end {end_rss:.0f} MB   max {max(samples):.0f} MB   peak (ru_maxrss) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
