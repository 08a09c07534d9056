"""The one place that wires QApplication, state, engine and window.

`python main.py` opens the window.  Headless switches, for scripted checks and screenshots:
`python main.py --source synthetic --frames 60 --screenshot out.png [--arch v1 --groups 3 ...]`
runs N frames through the live pipeline, saves a PNG of the window, prints a one-line summary
and exits 0 (works with QT_QPA_PLATFORM=offscreen and under Xvfb).  What the start opens and the
close remembers is explorer/startup.py; the scripted run is explorer/headless.py.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from explorer.cli_args import (
    ArgParser,
    UsageError,
    add_groups_arg,
    parse_input_size,
    parse_scale,
    positive_float,
    positive_int,
    weights_source,
)
from explorer.doctor import qt_platform_problem
from explorer.engine.bundles import load_bundle
from explorer.engine.config import RunConfig
from explorer.engine.state import AppState
from explorer.engine.worker import DEFAULT_SOURCES, KIND_WORDS, Engine, synthetic_source
from explorer.headless import process_age, record_timeline, run_headless
from explorer.lessons import LESSONS
from explorer.logs import start_logging
from explorer.memory import bound_native_heap
from explorer.models.architecture import arch_names
from explorer.paths import take_healed
from explorer.runtime import registry
from explorer.runtime.base import BackendUnavailable
from explorer.sources import SourceError, open_source
from explorer.sources.camera import probe_cameras
from explorer.sources.factory import is_signal_source
from explorer.startup import remembered_values, startup_choices
from explorer.ui.base.background import BackgroundTask
from explorer.ui.base.collect import settle_after_startup
from explorer.ui.base.contrast import apply_link_colour
from explorer.ui.base.qt_messages import quiet_qt_messages
from explorer.ui.window import settings
from explorer.ui.window.main_window import MainWindow
from explorer.ui.window.tabs import TAB_NAMES
from explorer.weights import WeightsError

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def build_gui_parser() -> argparse.ArgumentParser:
    parser = ArgParser(prog="explorer", description="Open the ShuffleNet Explorer window.")
    parser.add_argument(
        "--source",
        default=None,
        help="synthetic[:SCENE], camera[:INDEX], or a video/image/folder path (default: camera 0, else synthetic); "
        "for --arch compact signal:synthetic[:SEED][@HOP] or a .csv/.npy recording",
    )
    parser.add_argument("--arch", choices=arch_names(), default=None)
    add_groups_arg(parser)
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
        type=weights_source,
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
    parser.add_argument("--large-fonts", action="store_true", help="every text 1.5x larger, for classrooms")
    parser.add_argument(
        "--present",
        action="store_true",
        help="presentation mode: the live frame full screen, top-5 and fps over it (F11 toggles, Escape leaves)",
    )
    parser.add_argument(
        "--board",
        action="store_true",
        help="start on the cached export of the model the window ran last, without torch (automatic below "
        "2 GB of memory; the other views load torch when opened)",
    )
    parser.add_argument("--full", action="store_true", help="start the full window even on a low-memory machine")
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


def _application() -> QApplication:
    bound_native_heap()
    quiet_qt_messages()
    start_logging()  # a failure's traceback goes to the log as well as to the banner's Copy
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ShuffleNet Explorer")
    style = RESOURCES / "style.qss"
    if style.is_file() and not app.styleSheet():
        app.setStyleSheet(style.read_text())
    apply_link_colour(app)
    return app


@dataclass
class Prepared:
    """Everything the window needs that is not a widget: made on any thread (the board path
    prepares it off the UI thread while its video runs)."""

    args: argparse.Namespace
    config: RunConfig
    bundle: object
    source: object
    source_text: str | None
    source_problem: str | None
    tab: str
    remembered: dict


@dataclass
class WindowRun:
    """An open window and what closing it does (remember the settings, stop, cache for the board)."""

    window: MainWindow
    engine: Engine
    state: AppState
    timeline: dict
    collector: object
    remembers: bool

    def close_down(self) -> None:
        if self.remembers:
            problem = settings.save(
                {**remembered_values(self.state, self.window.current_tab()), **self.window.view_settings()}
            )
            if problem:  # the window is gone: the terminal is the one place left to say it
                print(f"explorer: {problem}", file=sys.stderr)
        self.engine.stop()
        cache_for_board(self.engine)


def cache_for_board(engine: Engine) -> None:
    """Write the model the window ran into the board cache (once per model; the window is gone
    by now).  A failure costs only the next board start's speed: logged, never raised."""
    from explorer.engine import board_export  # its exporter (onnx: ~1 s of imports) is wanted at the end only

    bundle = engine.bundle
    if not board_export.enabled() or bundle is None or bundle.recipe is None:
        return
    try:
        board_export.write_board_export(bundle.config, bundle.backend)
    except Exception:
        logging.getLogger(__name__).exception("could not cache %s for the board path", bundle.spec.label)


def prepare(argv: list[str], source=None, source_text: str | None = None) -> Prepared:
    """Parse, remember and build the first model for a window opened from the board path."""
    args = build_gui_parser().parse_args(argv)
    remembered = {} if args.frames or args.reset else settings.load()
    config, remembered_source, tab = startup_choices(args, remembered)
    bundle = load_bundle(config, check_agreement=False, defer_taps=True)
    return Prepared(args, config, bundle, source, source_text or remembered_source, None, tab, remembered)


def _run_window(
    args, config: RunConfig, source, source_text: str | None, source_problem: str | None, tab: str, remembered: dict
) -> int:
    imports_s = process_age()
    app = _application()
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
    prepared = Prepared(args, config, bundle, source, source_text, source_problem, tab, remembered)
    run = open_window(prepared, imports_s)
    if isinstance(run, int):
        return run
    if not args.frames:
        code = app.exec()
        run.close_down()
        return code
    code = run_headless(app, run.window, run.engine, args, run.timeline)
    cache_for_board(run.engine)
    return code


def open_window(prepared: Prepared, imports_s: float) -> WindowRun | int:
    """Build and show the window on the UI thread (an exit code when the switches cannot work)."""
    args, config, bundle, remembered = prepared.args, prepared.config, prepared.bundle, prepared.remembered
    source, source_text = prepared.source, prepared.source_text
    source = source or synthetic_source(config.spec.input_kind)
    state = AppState(config, source.text, weights_by_arch=remembered.get("weights_by_arch"))
    engine = Engine(state, bundle, source)
    window = MainWindow(engine)
    if not args.frames:  # headless runs neither read nor write remembered settings
        window.restore_view(remembered)
    window.set_tab(prepared.tab)
    if args.tap and not window.pages["features"].select_tap(args.tap):
        state.say(f"no tap named {args.tap!r}; pick one from the list")
    unknown = [unit for unit in args.open or [] if not window.pages["diagram"].open_unit(unit)]
    if unknown:
        state.say(f"no diagram unit named {', '.join(unknown)}; units are named like stage2.0 or blocks.1")
    if args.large_fonts:
        window.set_large_fonts(True)
    timeline = record_timeline(window, imports_s)
    window.show_on_screen()
    if args.present:
        window.set_presenting(True)
    collector = settle_after_startup()  # kept alive while the window runs: it collects garbage on the UI thread
    engine.start()
    messages = [m for m in (*remembered.get("problems", ()), *take_healed(), prepared.source_problem, bundle.note) if m]
    if messages:
        state.say(" · ".join(messages))
    elif source_text is None and not args.frames:  # nothing given or remembered: a webcam if there is one
        _probe_cameras_then_open_first(window, state)
    if args.fps_target:
        QTimer.singleShot(0, lambda: window.controls.run_box.fit.start(args.fps_target))
    if args.lesson:
        window.pages["lessons"].quick.setChecked(args.quick_lesson)
        QTimer.singleShot(0, lambda: window.pages["lessons"].start(args.lesson))
    if args.train_epochs:
        if config.spec.input_kind != "signal":
            print(
                "explorer: --train-epochs trains the compact net (--arch compact); V1/V2 are taught in the Teach tab",
                file=sys.stderr,
            )
            engine.stop()
            return 2
        window.pages["teach"].signal_page.epochs.setValue(args.train_epochs)
        QTimer.singleShot(0, window.pages["teach"].signal_page.start)
    return WindowRun(window, engine, state, timeline, collector, remembers=not args.frames)


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
