"""The one place that wires QApplication, engine and window.

`python main.py` opens the window.  Headless switches, for scripted checks and screenshots:
`python main.py --source synthetic --frames 60 --screenshot out.png [--arch v1 --groups 3 ...]`
runs N frames through the live pipeline, saves a PNG of the window, prints a one-line summary
and exits 0 (works with QT_QPA_PLATFORM=offscreen and under Xvfb).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from explorer.cli import UsageError, _input_size, _positive_int, _Parser, _scale
from explorer.models.spec import ARCHS, ModelSpec

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
TAB_NAMES = ("live", "features", "shuffle", "architecture", "sweep", "teach")


XCB_LIBRARIES = {"xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4", "xcb-keysyms": "libxcb-keysyms1"}


def qt_platform_problem(environ=None, platform: str | None = None, find_library=None) -> str | None:
    """Why Qt would abort at start-up on this machine, in words a user can act on (or None).

    Qt prints a cryptic "could not load the Qt platform plugin" and aborts the process; we
    check the two usual causes first: no display at all, and X11 libraries Qt 6.5+ needs
    that minimal Linux installs (and Raspberry Pi OS Lite) lack.
    """
    import ctypes.util
    import os

    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    find_library = find_library or ctypes.util.find_library
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return ("no display found (DISPLAY and WAYLAND_DISPLAY are unset): run it from a desktop session, "
                "or headless with QT_QPA_PLATFORM=offscreen and --frames/--screenshot, or use the commands (python -m explorer --help)")
    if environ.get("WAYLAND_DISPLAY") and not environ.get("DISPLAY"):
        return None
    missing = [package for name, package in XCB_LIBRARIES.items() if not find_library(name)]
    if missing:
        return f"Qt's X11 plugin needs {', '.join(missing)}: install with `sudo apt-get install {' '.join(missing)}`"
    return None


def settle_after_startup() -> None:
    """Move everything alive after start-up out of the cyclic GC's reach.

    torch, Qt and numpy leave millions of long-lived objects; without this, every full
    collection traverses them all and freezes the UI thread for 100-240 ms (measured while
    switching models).  Only objects created later (frames, results, rebuilt models) are
    scanned.
    """
    import gc

    gc.collect()
    gc.freeze()


def build_gui_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="explorer", description="Open the ShuffleNet Explorer window.")
    parser.add_argument("--source", default=None, help="synthetic[:SCENE], camera[:INDEX], or a video/image/folder path (default: camera 0, else synthetic)")
    parser.add_argument("--arch", choices=ARCHS, default="v2")
    parser.add_argument("--groups", "-g", type=_positive_int, default=None)
    parser.add_argument("--scale", "-s", type=_scale, default=1.0)
    parser.add_argument("--no-shuffle", action="store_true")
    parser.add_argument("--input-size", type=_input_size, default=None)
    parser.add_argument("--threads", type=_positive_int, default=None, help="one thread count for torch, OpenCV (and ONNX Runtime)")
    parser.add_argument("--backend", default=None, choices=("eager", "channels_last", "onnxruntime", "int8"), help="inference backend (default channels_last)")
    parser.add_argument("--weights", default=None, help="torchvision | megvii:PATH | PATH (default: untrained)")
    parser.add_argument("--tab", choices=TAB_NAMES, default="live")
    parser.add_argument("--tap", default=None, help="feature tap to show, e.g. stage3 or stage3.0.after_shuffle")
    parser.add_argument("--large-fonts", action="store_true", help="presentation mode for classrooms")
    parser.add_argument("--frames", type=_positive_int, default=None, help="headless: run N frames, then exit")
    parser.add_argument("--screenshot", default=None, help="headless: save a PNG of the window after --frames")
    parser.add_argument("--timeout", type=float, default=180.0, help="headless: give up after this many seconds")
    return parser


def run_gui(argv: list[str]) -> int:
    try:
        args = build_gui_parser().parse_args(argv)
        try:
            spec = ModelSpec.create(args.arch, groups=args.groups, scale=args.scale, shuffle=not args.no_shuffle, input_size=args.input_size)
        except ValueError as exc:
            raise UsageError(f"explorer: {exc}") from None
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.screenshot and not args.frames:
        args.frames = 30
    problem = qt_platform_problem()
    if problem:
        print(f"explorer: cannot open the window: {problem}", file=sys.stderr)
        return 2

    from explorer.sources import SourceError, SyntheticSource, open_source

    source, source_problem = None, None
    if args.source:
        try:
            source = open_source(args.source)
        except SourceError as exc:
            if args.frames:
                print(f"explorer: bad --source: {exc}", file=sys.stderr)
                return 2
            source_problem = f"{exc} - showing the synthetic scene instead"
    return _run_window(args, spec, source or SyntheticSource(), source_problem)


def _run_window(args, spec: ModelSpec, source, source_problem: str | None) -> int:
    from PySide6.QtWidgets import QApplication

    from explorer.engine.bundles import load_bundle
    from explorer.engine.worker import Engine
    from explorer.weights import WeightsError
    from explorer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ShuffleNet Explorer")
    style = RESOURCES / "style.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text())
    from explorer.engine.worker import default_live_threads

    threads = args.threads or default_live_threads()
    from explorer.runtime.base import BackendUnavailable

    weights_problem = None
    try:
        bundle = load_bundle(spec, args.weights, backend=args.backend, threads=threads)
    except BackendUnavailable as exc:
        print(f"explorer: {exc}", file=sys.stderr)
        return 2
    except WeightsError as exc:
        if args.frames:
            print(f"explorer: weights not loaded: {exc}", file=sys.stderr)
            return 2
        weights_problem = f"weights not loaded: {exc} - running untrained"
        bundle = load_bundle(spec, None, backend=args.backend, threads=threads)
    engine = Engine(bundle, source, threads=threads)
    window = MainWindow(engine)
    window.tabs.setCurrentIndex(TAB_NAMES.index(args.tab))
    if args.tap and not window.features.select_tap(args.tap):
        window.show_message(f"no tap named {args.tap!r}; pick one from the list")
    if args.large_fonts:
        window.set_large_fonts(True)
    window.show()
    settle_after_startup()
    engine.start()
    if source_problem or weights_problem:
        window.show_message(" · ".join(p for p in (source_problem, weights_problem) if p))
    elif args.source is None and not args.frames:
        _probe_cameras_then_open_first(window, engine)
    if not args.frames:
        code = app.exec()
        engine.stop()
        return code
    return _run_headless(app, window, engine, args)


def _probe_cameras_then_open_first(window, engine) -> None:
    """Probe camera indices off the UI thread; open the first, or say there is none."""
    import threading

    from PySide6.QtCore import QObject, Signal

    class Found(QObject):
        cameras = Signal(list)

    found = Found(window)

    def on_found(indices: list[int]) -> None:
        window.controls.set_cameras(indices)
        if indices:
            engine.request_source(f"camera:{indices[0]}", failure_note="camera found but not opened, showing the synthetic scene")
        else:
            window.show_message("no camera found, showing the synthetic scene (pick a source at left)")

    found.cameras.connect(on_found)

    def probe() -> None:
        from explorer.sources.camera import probe_cameras

        found.cameras.emit(probe_cameras())

    threading.Thread(target=probe, name="camera-probe", daemon=True).start()


def _run_headless(app, window, engine, args) -> int:
    from PySide6.QtCore import QTimer

    state = {"start": None, "code": 1}

    def on_result():
        if state["start"] is None:
            state["start"] = time.perf_counter()
        if window.rendered >= args.frames:
            finish()

    def finish():
        if state.get("done"):
            return
        state["done"] = True
        elapsed = time.perf_counter() - (state["start"] or time.perf_counter())
        app.processEvents()
        if args.screenshot:
            Path(args.screenshot).parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(args.screenshot):
                print(f"explorer: could not write screenshot {args.screenshot}", file=sys.stderr)
                state["code"] = 1
                app.quit()
                return
        frames = window.rendered
        fps = (frames - 1) / elapsed if elapsed > 0 and frames > 1 else 0.0
        median = statistics.median(window.inference_ms) if window.inference_ms else float("nan")
        print(f"frames {frames}, fps {fps:.1f}, median inference {median:.1f} ms, model {engine.bundle.spec.label}, source {engine.source.describe()}"
              + (f", screenshot {args.screenshot}" if args.screenshot else ""))
        state["code"] = 0
        app.quit()

    def on_timeout():
        print(f"explorer: only {window.rendered} of {args.frames} frames after {args.timeout:.0f} s", file=sys.stderr)
        app.quit()

    engine.result_ready.connect(lambda: QTimer.singleShot(0, on_result))
    QTimer.singleShot(int(args.timeout * 1000), on_timeout)
    app.exec()
    window.close()
    return state["code"]
