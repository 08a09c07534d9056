"""The one place that wires QApplication, state, engine and window.

`python main.py` opens the window.  Headless switches, for scripted checks and screenshots:
`python main.py --source synthetic --frames 60 --screenshot out.png [--arch v1 --groups 3 ...]`
runs N frames through the live pipeline, saves a PNG of the window, prints a one-line summary
and exits 0 (works with QT_QPA_PLATFORM=offscreen and under Xvfb).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QTimer, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from explorer.cli_args import ArgParser, UsageError, parse_input_size, parse_scale, positive_float, positive_int
from explorer.doctor import qt_platform_problem
from explorer.engine.bundles import load_bundle
from explorer.engine.config import AUTO, RunConfig
from explorer.engine.state import AppState
from explorer.engine.worker import DEFAULT_SOURCES, KIND_WORDS, Engine, default_live_threads, synthetic_source
from explorer.lessons import LESSONS
from explorer.models.architecture import arch_names, architecture
from explorer.models.spec import DEFAULT_ARCH, ModelSpec
from explorer.paths import take_healed
from explorer.runtime import registry
from explorer.runtime.base import BackendUnavailable
from explorer.sources import SourceError, open_source
from explorer.sources.camera import probe_cameras
from explorer.sources.factory import is_signal_source
from explorer.ui import settings
from explorer.ui.background import BackgroundTask
from explorer.ui.images import save_png
from explorer.ui.main_window import MainWindow
from explorer.ui.tabs import TAB_NAMES
from explorer.weights import WeightsError
from explorer.weights.loader import torchvision_cached

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def settle_after_startup():
    """Move everything alive after start-up out of the cyclic GC's reach, and collect garbage
    on the UI thread only.

    torch, Qt and numpy leave millions of long-lived objects; without the freeze, every full
    collection traverses them all and freezes the UI thread for 100-240 ms (measured while
    switching models).  And a collection that a worker thread happens to trigger may destroy
    Qt objects (a closed widget's wrappers in a reference cycle) off the UI thread, which
    deadlocks Qt: pyqtgraph's GarbageCollector turns automatic collection off and collects on a
    UI-thread timer instead.  Keep the returned object alive.
    """
    gc.collect()
    gc.freeze()
    return GarbageCollector(interval=0.5)


def peak_rss_mb() -> float | None:
    """This process's peak resident memory so far (None where the OS does not say).  Read at the
    end of a headless run, it is the app's own peak: the interpreter's teardown afterwards adds
    ~140 MB for a moment (measured on x86), which a process-level maximum would count."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KB on Linux


def process_age() -> float:
    """Seconds since this process started (Linux /proc), else since this module was imported."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            started = int(stat.read().rsplit(")", 1)[1].split()[19]) / ticks
            return float(uptime.read().split()[0]) - started
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


def build_gui_parser() -> argparse.ArgumentParser:
    parser = ArgParser(prog="explorer", description="Open the ShuffleNet Explorer window.")
    parser.add_argument(
        "--source",
        default=None,
        help="synthetic[:SCENE], camera[:INDEX], or a video/image/folder path (default: camera 0, else synthetic); "
        "for --arch compact signal:synthetic[:SEED][@HOP] or a .csv/.npy recording",
    )
    parser.add_argument("--arch", choices=arch_names(), default=None)
    parser.add_argument("--groups", "-g", type=positive_int, default=None)
    parser.add_argument("--scale", "-s", type=parse_scale, default=None)
    parser.add_argument("--no-shuffle", action="store_true")
    parser.add_argument("--input-size", type=parse_input_size, default=None)
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        help="one thread count for torch, OpenCV and ONNX Runtime (default: cores - 1)",
    )
    parser.add_argument(
        "--backend",
        default=None,
        choices=registry.choices(),
        help="inference backend (default auto: torch at once, then ONNX Runtime once it agrees)",
    )
    parser.add_argument(
        "--weights",
        default=None,
        help="torchvision | megvii:PATH | PATH | none (default: torchvision's when cached for V2, else untrained)",
    )
    parser.add_argument(
        "--fps-target",
        type=positive_float,
        default=None,
        help="fit the model to this frame rate here (measured in the background)",
    )
    parser.add_argument("--tab", choices=TAB_NAMES, default=None)
    parser.add_argument("--tap", default=None, help="feature tap to show, e.g. stage3 or stage3.0.after_shuffle")
    parser.add_argument(
        "--open",
        action="append",
        default=None,
        metavar="UNIT",
        help="Diagram tab: open this unit into its layers, e.g. stage2.0 (repeatable)",
    )
    parser.add_argument(
        "--train-epochs",
        type=positive_int,
        default=None,
        metavar="N",
        help="compact net: train it on the synthetic activities for N epochs right away, in the Teach tab (headless runs wait for it)",
    )
    parser.add_argument(
        "--lesson",
        choices=tuple(LESSONS),
        default=None,
        help="Lessons tab: run this lesson right away (headless runs wait for it)",
    )
    parser.add_argument("--quick-lesson", action="store_true", help="with --lesson: fewer runs (a preview)")
    parser.add_argument("--large-fonts", action="store_true", help="presentation mode for classrooms")
    parser.add_argument("--reset", action="store_true", help="forget remembered settings and start from the defaults")
    parser.add_argument(
        "--frames",
        type=positive_int,
        default=None,
        help="headless: run N frames, then exit (remembered settings are neither read nor written)",
    )
    parser.add_argument("--screenshot", default=None, help="headless: save a PNG of the window after --frames")
    parser.add_argument("--timeout", type=float, default=180.0, help="headless: give up after this many seconds")
    return parser


def startup_choices(args: argparse.Namespace, remembered: dict) -> tuple[RunConfig, str | None, str]:
    """(config, source, tab) from the switches, then remembered settings, then defaults.

    A remembered value is used only where no switch was given, and remembered groups/scale only
    with the architecture they were remembered with.  A remembered value that no longer fits
    (another version's architecture, a group count the architecture lacks, an unknown backend or
    tab) is dropped and said in ``remembered["problems"]``: it never stops the app from starting.
    """
    problems = remembered.setdefault("problems", [])
    if remembered.get("arch") not in (None, *arch_names()):
        problems.append(f"ignored the remembered architecture {remembered.pop('arch')!r} (not one this version has)")
    arch = args.arch or remembered.get("arch") or DEFAULT_ARCH
    same_arch = args.arch is None or args.arch == remembered.get("arch")
    own_groups = bool(architecture(arch).group_choices)
    groups = (
        args.groups if args.groups is not None else (remembered.get("groups") if same_arch and own_groups else None)
    )
    scale = args.scale if args.scale is not None else (remembered.get("scale", 1.0) if same_arch else 1.0)
    try:
        spec = ModelSpec.create(
            arch, groups=groups, scale=scale, shuffle=not args.no_shuffle, input_size=args.input_size
        )
    except ValueError as exc:
        if args.arch or args.groups or args.scale is not None or args.input_size:
            raise UsageError(f"explorer: {exc}") from None
        problems.append(f"ignored the remembered model settings ({exc}): starting {arch} at its defaults")
        spec = ModelSpec.create(arch)  # a stale remembered value: the arch's defaults
    weights = args.weights if args.weights is not None else usable_remembered_weights(spec, remembered)
    if weights is None and torchvision_cached(spec):
        weights = "torchvision"  # trained predictions on first run when they are one file away
    if weights in ("none", "random"):
        weights = None
    backend = args.backend or remembered.get("backend") or AUTO
    if backend not in registry.choices():
        problems.append(f"ignored the remembered backend {backend!r} (not one this version has): using {AUTO}")
        backend = AUTO
    tab = args.tab or remembered.get("tab") or "live"
    if tab not in TAB_NAMES:
        problems.append(f"ignored the remembered tab {tab!r} (not one this version has)")
        tab = "live"
    config = RunConfig(spec, weights, backend, args.threads or default_live_threads())
    return config, args.source or remembered.get("source"), tab


def usable_remembered_weights(spec: ModelSpec, remembered: dict) -> str | None:
    """The weights remembered for ``spec``'s architecture, if their file is still there; a
    missing one is forgotten and said (``remembered["problems"]``) instead of failing every start."""
    by_arch = remembered.setdefault("weights_by_arch", {})
    weights = by_arch.get(spec.arch)
    path = weights.removeprefix("megvii:") if weights and weights not in ("torchvision", "none", "random") else None
    if path and not Path(path).expanduser().is_file():
        remembered.setdefault("problems", []).append(
            f"the remembered {spec.label.split(' @')[0]} weights {path} are gone: running without them "
            "(pick a checkpoint in Weights to use one again)"
        )
        by_arch.pop(spec.arch)
        return None
    return weights


def run_gui(argv: list[str]) -> int:
    try:
        args = build_gui_parser().parse_args(argv)
        if args.reset and not args.frames:
            settings.reset()
        remembered = {} if args.frames or args.reset else settings.load()
        config, source_text, tab = startup_choices(args, remembered)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.screenshot and not args.frames:
        args.frames = 30
    problem = qt_platform_problem()
    if problem:
        print(f"explorer: cannot open the window: {problem}", file=sys.stderr)
        return 2
    kind = config.spec.input_kind
    source, source_problem = None, None
    if source_text and is_signal_source(source_text) != (kind == "signal"):
        if args.source is None:  # remembered with a model of the other kind: that model's source is not this one's
            source_text = DEFAULT_SOURCES[kind]
        else:
            refused = (
                f"--source {source_text} gives {KIND_WORDS['signal' if kind == 'image' else 'image']}, but {config.spec.label} "
                f"reads {KIND_WORDS[kind]} (use {'--arch compact' if kind == 'image' else 'an image source or --arch v1/v2'})"
            )
            if args.frames:
                print(f"explorer: {refused}", file=sys.stderr)
                return 2
            source_problem, source_text = f"{refused} - showing {DEFAULT_SOURCES[kind]} instead", None
    if source_text is None and kind == "signal":
        source_text = DEFAULT_SOURCES[kind]  # no camera to look for: the synthetic activity stream
    if source_text:
        try:
            source = open_source(source_text)
        except SourceError as exc:
            if args.frames:
                print(f"explorer: bad --source: {exc}", file=sys.stderr)
                return 2
            source_problem = f"{exc} - showing {DEFAULT_SOURCES[kind]} instead"
    return _run_window(args, config, source, source_text, source_problem, tab, remembered)


def quiet_qt_messages() -> None:
    """Drop the one warning Qt's offscreen plugin prints on every run (headless runs must print
    only their summary); every other Qt message still reaches stderr."""

    def handler(_mode, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _run_window(
    args, config: RunConfig, source, source_text: str | None, source_problem: str | None, tab: str, remembered: dict
) -> int:
    imports_s = process_age()
    quiet_qt_messages()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ShuffleNet Explorer")
    style = RESOURCES / "style.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text())
    explicit_weights = args.weights is not None
    try:
        # the first bundle is built on torch (instant); "auto" upgrades it in the background
        bundle = load_bundle(
            config, strict=bool(args.frames and explicit_weights), check_agreement=False, defer_taps=True
        )
    except BackendUnavailable as exc:
        print(f"explorer: {exc}", file=sys.stderr)
        return 2
    except WeightsError as exc:
        print(f"explorer: weights not loaded: {exc}", file=sys.stderr)
        return 2
    source = source or synthetic_source(config.spec.input_kind)
    state = AppState(config, source.text, weights_by_arch=remembered.get("weights_by_arch"))
    engine = Engine(state, bundle, source)
    window = MainWindow(engine)
    window.timeline = {"imports": imports_s}
    window.set_tab(tab)
    if args.tap and not window.features.select_tap(args.tap):
        state.say(f"no tap named {args.tap!r}; pick one from the list")
    unknown = [unit for unit in args.open or [] if not window.diagram.open_unit(unit)]
    if unknown:
        state.say(f"no diagram unit named {', '.join(unknown)}; units are named like stage2.0 or blocks.1")
    if args.large_fonts:
        window.set_large_fonts(True)
    _record_timeline(window, state)
    window.show()
    window.collector = settle_after_startup()
    engine.start()
    messages = [m for m in (*remembered.get("problems", ()), *take_healed(), source_problem, bundle.note) if m]
    if messages:
        state.say(" · ".join(messages))
    elif source_text is None and not args.frames:  # nothing given or remembered: a webcam if there is one
        _probe_cameras_then_open_first(window, state)
    if args.fps_target:
        QTimer.singleShot(0, lambda: window.controls.run_box.fit.start(args.fps_target))
    if args.lesson:
        window.lessons.quick.setChecked(args.quick_lesson)
        QTimer.singleShot(0, lambda: window.lessons.start(args.lesson))
    if args.train_epochs:
        if config.spec.input_kind != "signal":
            print(
                "explorer: --train-epochs trains the compact net (--arch compact); V1/V2 are taught in the Teach tab",
                file=sys.stderr,
            )
            engine.stop()
            return 2
        window.teach.signal_page.epochs.setValue(args.train_epochs)
        QTimer.singleShot(0, window.teach.signal_page.start)
    if not args.frames:
        code = app.exec()
        problem = settings.save(remembered_values(state, window))
        if problem:  # the window is gone: the terminal is the one place left to say it
            print(f"explorer: {problem}", file=sys.stderr)
        engine.stop()
        return code
    return _run_headless(app, window, engine, args)


def remembered_weights(config: RunConfig) -> str | None:
    """The weights choice to remember: "none" only when trained weights were at hand and turned
    down; an untrained start stays unremembered, so weights cached later are used by default."""
    if config.weights:
        return config.weights
    return "none" if torchvision_cached(config.spec) else None


def remembered_values(state: AppState, window: MainWindow) -> dict:
    """What the next start reopens; each architecture keeps its own weights (never another's)."""
    spec = state.config.spec
    weights = remembered_weights(state.config)
    bundle = state.bundle
    if weights not in (None, "none") and bundle is not None and bundle.config == state.config and not bundle.trained:
        weights = None  # they did not load (damaged, or not for this model): never make the next start say it again
    by_arch = {**state.weights_by_arch, spec.arch: weights}
    return {
        "arch": spec.arch,
        "groups": spec.groups if spec.architecture.group_choices else None,
        "scale": spec.scale,
        "backend": state.config.backend,
        "weights": None,
        "weights_by_arch": by_arch,
        "source": state.source_text,
        "tab": window.current_tab(),
    }


def _record_timeline(window: MainWindow, state: AppState) -> None:
    """When the first frame was drawn and when auto moved to another backend (headless summary, benchmarks)."""

    def on_frame() -> None:
        window.timeline.setdefault("first_frame", process_age())

    def on_running(bundle) -> None:
        if not bundle.entry.auto_start and bundle.config.backend == AUTO:
            window.timeline.setdefault("swap", process_age())
            window.timeline.setdefault("swap_backend", bundle.backend)

    window.qt_state.frame_ready.connect(on_frame)
    window.qt_state.running.connect(on_running)


def _probe_cameras_then_open_first(window: MainWindow, state: AppState) -> None:
    """Probe camera indices off the UI thread; open the first, or say there is none."""
    task = BackgroundTask("camera-probe", window)

    def on_found(cameras: list) -> None:
        window.controls.run_box.set_cameras(cameras)
        if cameras:
            window.engine.request_source(
                cameras[0].label, failure_note="camera found but not opened, showing the synthetic scene"
            )
        else:
            state.say("no camera found, showing the synthetic scene (pick a source at left)")

    task.finished.connect(on_found)
    task.start(lambda _progress, _cancel: probe_cameras())


def _run_headless(app, window: MainWindow, engine: Engine, args) -> int:
    status = {"start": None, "code": 1, "done": False}

    def waiting_for_training() -> bool:
        if args.lesson and window.lessons.running:
            return True
        return bool(args.train_epochs) and (window.teach.signal_page.training or not engine.bundle.trained)

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
        timeline = window.timeline
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
            print(f"lesson {args.lesson}: {window.lessons.task.status.text()}")
        print(
            f"frames {frames}, fps {fps:.1f}, median inference {median:.1f} ms, model {engine.bundle.spec.label}, backend {engine.bundle.backend}, "
            f"source {engine.source.describe()}{started}{swap}"
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
