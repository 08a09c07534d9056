"""Live pipeline benchmark, every tab, torch and auto side by side: prints numbers, asserts nothing.

    QT_QPA_PLATFORM=offscreen python benchmarks/live_pipeline.py [--tab all] [--backend both]
        [--seconds 8] [--switch-seconds 15] [--memory-frames 5000]

V2 1x at 224 (or --arch/--scale), the app's default thread count, synthetic 640x480 unpaced,
the Feature maps tab set to stage 3.  Per backend (channels_last, auto) and per tab: rendered
fps, median inference shown, the model alone measured in the same run (and the ratio), and the
UI thread's milliseconds per frame.  Then the UI event loop's lateness while g and scale switch
every 250 ms, RSS over many frames, and main.py's start-up: first frame and the auto swap.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import harness  # noqa: F401  (sets up the path and offscreen Qt)

TABS = ("live", "features", "shuffle", "architecture", "sweep", "teach")


def model_alone_ms(bundle, threads: int) -> float:
    """The running runner on one preprocessed frame, no window: the bound the pipeline chases."""
    from explorer.analysis.latency import time_callable
    from explorer.engine.pipeline import to_input
    from explorer.sources import SyntheticSource

    x = to_input(SyntheticSource().frame_at(0), bundle.spec, bundle.recipe)
    return time_callable(lambda: bundle.runner(x), runs=40, warmup=5, threads=threads)[0].median_ms


def instrument(window):
    """Record each frame's timings and the UI thread's time spent handling it."""
    samples = {"timings": [], "ui_ms": []}
    take, on_result = window.engine.take_result, window._on_result

    def taking():
        result = take()
        if result is not None:
            samples["timings"].append(result.timings)
        return result

    def timed():
        start = time.perf_counter()
        on_result()
        samples["ui_ms"].append((time.perf_counter() - start) * 1000)

    window.engine.take_result = taking
    window.qt_state.frame_ready.disconnect(on_result)
    window.qt_state.frame_ready.connect(timed)
    return samples


def measure_tabs(backend: str, args) -> dict:
    from explorer.analysis.latency import percentile
    from explorer.engine.config import RunConfig
    from explorer.engine.worker import default_live_threads
    from explorer.models import ModelSpec

    threads = args.threads or default_live_threads()
    config = RunConfig(ModelSpec.create(args.arch, scale=args.scale), backend=backend, threads=threads)
    window = harness.open_window(config)
    window.set_tab("features")
    window.pages["features"].select_tap(args.tap)
    if backend == "auto":  # measure what auto settles on, as a user sees it a few seconds in
        harness.wait_for(lambda: bool(window.engine.bundle.auto_reason), timeout=60)
    samples = instrument(window)
    rows = {}
    for tab in args.tabs:
        window.set_tab(tab)
        harness.run_for(args.warmup)
        for values in samples.values():
            values.clear()
        rendered0, start = window.rendered, time.perf_counter()
        harness.run_for(args.seconds)
        elapsed = time.perf_counter() - start
        fps = (window.rendered - rendered0) / elapsed
        inference = statistics.median(t["inference"] for t in samples["timings"])
        rows[tab] = (fps, inference, statistics.median(samples["ui_ms"]), percentile(samples["ui_ms"], 90))
    window.state.set_paused(True)
    harness.run_for(0.3)
    alone = model_alone_ms(window.engine.bundle, threads)
    summary = {
        "rows": rows,
        "alone": alone,
        "threads": threads,
        "runs": window.engine.bundle.backend,
        "auto": window.engine.bundle.auto_reason,
    }
    window.state.set_paused(False)
    if backend == args.lateness_backend:
        summary["lateness"] = lateness(window, args)
    if backend == args.memory_backend and args.memory_frames:
        summary["memory"] = memory(window, args)
    window.close()
    return summary


def lateness(window, args) -> tuple:
    from PySide6.QtCore import QElapsedTimer, QTimer

    from explorer.analysis.latency import percentile
    from explorer.models import ModelSpec

    window.set_tab("live")
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
    specs = [ModelSpec.create("v1", groups=g, scale=s) for s in (0.5, 1.0, 1.5) for g in (1, 3, 8)] + [
        ModelSpec.create("v2", scale=s) for s in (0.5, 1.0, 2.0)
    ]
    switches = {"n": 0}

    def switch():
        window.state.request(spec=specs[switches["n"] % len(specs)])
        switches["n"] += 1

    switcher = QTimer()
    switcher.setInterval(250)
    switcher.timeout.connect(switch)
    expected["t"] = clock.elapsed()
    timer.start()
    switcher.start()
    harness.run_for(args.switch_seconds)
    timer.stop()
    switcher.stop()
    return switches["n"], len(late), percentile(late, 50), percentile(late, 99), max(late)


def memory(window, args) -> tuple:
    import resource

    from explorer.models import ModelSpec

    window.state.request(spec=ModelSpec.create(args.arch, scale=args.scale))
    harness.run_for(5)
    start_frames, start_rss, start = window.engine.frames, harness.rss_mb(), time.perf_counter()
    readings = []
    while window.engine.frames - start_frames < args.memory_frames:
        harness.run_for(5)
        readings.append(harness.rss_mb())
    return (
        window.engine.frames - start_frames,
        time.perf_counter() - start,
        start_rss,
        harness.rss_mb(),
        max(readings),
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def startup(args) -> str:
    """main.py as a user runs it (default backend auto), timed by its own summary line."""
    proc = subprocess.run(
        [sys.executable, "main.py", "--source", "synthetic", "--frames", "150", "--reset"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=str(harness.Path(__file__).resolve().parent.parent),
    )
    return proc.stdout.strip() or proc.stderr.strip()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="v2")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=None, help="default: the app's (all cores but one)")
    parser.add_argument("--tap", default="stage3")
    parser.add_argument("--tab", default="all", choices=("all",) + TABS)
    parser.add_argument(
        "--backend", default="both", help="channels_last, auto, onnxruntime, ... or both (channels_last and auto)"
    )
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--switch-seconds", type=float, default=15)
    parser.add_argument("--memory-frames", type=int, default=5000)
    args = parser.parse_args()
    args.tabs = TABS if args.tab == "all" else (args.tab,)
    backends = ["channels_last", "auto"] if args.backend == "both" else [args.backend]
    args.lateness_backend = backends[0]
    args.memory_backend = backends[-1]
    results = {backend: measure_tabs(backend, args) for backend in backends}
    print(
        f"== live pipeline: {args.arch} {args.scale:g}x at 224, synthetic 640x480 unpaced, Feature maps tab set to {args.tap}, "
        f"{results[backends[0]]['threads']} inference thread(s), {args.seconds:g} s per tab"
    )
    print(
        f"{'backend':<15} {'runs':<13} {'tab':<13} {'fps':>6} {'inference ms':>13} {'alone ms':>9} {'shown/alone':>12} {'UI ms/frame':>12} {'UI p90':>7}"
    )
    for backend, summary in results.items():
        for tab, (fps, inference, ui, ui90) in summary["rows"].items():
            print(
                f"{backend:<15} {summary['runs']:<13} {tab:<13} {fps:>6.1f} {inference:>13.2f} {summary['alone']:>9.2f} "
                f"{inference / summary['alone']:>12.2f} {ui:>12.2f} {ui90:>7.2f}"
            )
        if summary["auto"]:
            print(f"  {summary['auto']}")
    for backend, summary in results.items():
        if "lateness" in summary:
            n, ticks, p50, p99, worst = summary["lateness"]
            print(
                f"== UI event loop ({backend}, Live tab) while switching g/scale every 250 ms ({n} switches, {ticks} ticks of a 10 ms timer)"
            )
            print(f"  lateness p50 {p50:.1f} ms   p99 {p99:.1f} ms   max {worst:.1f} ms   (target p99 < 50 ms)")
        if "memory" in summary:
            frames, seconds, start, end, most, peak = summary["memory"]
            print(
                f"== memory ({backend}) over {frames} frames ({seconds:.0f} s): RSS start {start:.0f} MB, end {end:.0f} MB, "
                f"max {most:.0f} MB, peak (ru_maxrss) {peak:.0f} MB"
            )
    print(f"== start-up (python main.py --source synthetic --frames 150, defaults):\n  {startup(args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
