"""Start on the board path: the live window from a cached export, with no torch in the process.

``python main.py --board`` (or any window start on a machine with less than ``explorer.board.choice.LOW_MEMORY_MB``)
finds the newest cached export matching the switches (explorer/board/cache.py), runs it with its
runtime and opens the board window.  When there is none, or a switch needs the full window, it
says why and the full window starts instead (which caches its model for the next board start).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from explorer.board.cache import BoardRequest, NoBoardExport, find
from explorer.board.runner import load_board_model
from explorer.sources import SourceError, open_source
from explorer.threads import default_live_threads

BOARD_TABS = ("live", "features")  # the views the board window has; any other --tab needs the full window
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def board_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="explorer --board", add_help=False)
    parser.add_argument("--board", action="store_true")
    parser.add_argument("--source", default=None)
    parser.add_argument("--arch", default=None)
    parser.add_argument("--groups", "-g", type=int, default=None)
    parser.add_argument("--scale", "-s", type=float, default=None)
    parser.add_argument("--input-size", type=int, default=None)
    parser.add_argument("--no-shuffle", action="store_true")
    parser.add_argument("--weights", default=None)
    parser.add_argument("--backend", default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--tab", default=None)
    parser.add_argument("--large-fonts", action="store_true")
    parser.add_argument("--frames", type=int, default=None)
    parser.add_argument("--screenshot", default=None)
    parser.add_argument("--timeout", type=float, default=180.0)
    return parser


def why_not_board(args: argparse.Namespace, rest: list[str]) -> str | None:
    """None when the board path can serve these switches, else what needs the full window."""
    if rest:
        return f"{' '.join(rest)} needs the full window"
    if args.backend is not None:  # the board runs the runtime its export was written for
        return f"--backend {args.backend} picks a backend, which the full window builds"
    if args.tab not in (None, *BOARD_TABS):
        return f"the {args.tab} tab computes with torch"
    return None


def request_of(args: argparse.Namespace) -> BoardRequest:
    return BoardRequest(
        arch=args.arch,
        groups=args.groups,
        scale=args.scale,
        input_size=args.input_size,
        shuffle=False if args.no_shuffle else None,
        weights=args.weights,
    )


def run_board(argv: list[str]) -> int | None:
    """The board window's exit code, or None when the full window should start instead (said why)."""
    started = time.perf_counter()
    try:
        args, rest = board_parser().parse_known_args(argv)
    except SystemExit:
        return None  # the full parser gives the real usage message
    # any other switch (--lesson, --reset, --no-shuffle, ...) is the full window's; its values are not switches
    why = why_not_board(args, [r for r in rest if r.startswith("-") and r != "--full"])
    if why is None:
        try:
            export = find(request_of(args))
            model = load_board_model(export, args.threads or default_live_threads())
        except NoBoardExport as exc:
            why = str(exc)
        except (RuntimeError, ImportError, OSError, KeyError) as exc:
            why = f"the cached export could not be run ({type(exc).__name__}: {exc})"
    if why is not None:
        print(f"explorer: board path not used: {why}; starting the full window", file=sys.stderr)
        return None
    return _open_board_window(argv, args, export, model, started)


def _open_source(args: argparse.Namespace):
    from explorer.ui.window import settings

    text = args.source or ((settings.load().get("source") or "synthetic") if not args.frames else "synthetic")
    try:
        source = open_source(text)
        if source.input_kind == "image":
            return source, None
        source.close()
        problem = f"{text} is a signal source; the cached model reads images - showing the synthetic scene"
    except SourceError as exc:
        problem = f"{exc} - showing the synthetic scene"
    return open_source("synthetic"), problem


def _open_board_window(argv: list[str], args, export, model, started: float) -> int:
    from PySide6.QtWidgets import QApplication

    from explorer.process_stats import process_age
    from explorer.ui.base.collect import settle_after_startup
    from explorer.ui.base.font_scale import set_large_fonts
    from explorer.ui.base.qt_messages import quiet_qt_messages
    from explorer.ui.base.screen_fit import available_area, is_small
    from explorer.ui.window.board_window import BoardWindow

    imports_s = process_age()
    quiet_qt_messages()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ShuffleNet Explorer")
    style = RESOURCES / "style.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text())
    source, problem = _open_source(args)
    window = BoardWindow(export, model, source)
    upgrade = FullWindowUpgrade(window)
    window.load_full, window.open_full = upgrade.load, upgrade.open
    if args.large_fonts:
        set_large_fonts(True)
    if args.tab == "features":
        window.tabs.setCurrentIndex(1)
    if problem:
        window.say(problem)
    if is_small(available_area(window)):
        window.showMaximized()
    else:
        window.resize(1100, 720)
        window.show()
    collector = settle_after_startup()  # noqa: F841 (alive while the window runs)
    window.start()
    if args.frames:
        return run_board_headless(app, window, args, imports_s)
    code = app.exec()
    window.stop()
    if upgrade.run is not None:
        upgrade.run.close_down()
    else:
        source.close()
    return code


class FullWindowUpgrade:
    """Load torch and prepare the full window off the UI thread (``load``), then open it on the
    board's own source and hide the board window (``open``, on the UI thread)."""

    def __init__(self, window) -> None:
        self.window = window
        self.run = None  # the full window's run, once it is open

    def model_switches(self) -> list[str]:
        """The running export's model as the full window's switches: it opens on the same model."""
        export = self.window.export
        spec = export.spec
        switches = ["--arch", spec["arch"], "--scale", str(spec["scale"]), "--input-size", str(spec["input_size"])]
        if spec.get("groups") is not None:
            switches += ["--groups", str(spec["groups"])]
        if not spec.get("shuffle", True):
            switches.append("--no-shuffle")
        if export.weights_choice:
            switches += ["--weights", export.weights_choice]
        return switches

    def load(self, progress, _cancel):
        tab = {0: "live", 1: "features"}.get(self.window.tabs.currentIndex(), "shuffle")
        progress(0.05, "loading torch")
        import torch  # noqa: F401 (the slow part: imported here, off the UI thread)

        progress(0.5, "loading every view")
        from explorer import app as full_app

        progress(0.8, "building the model")
        return full_app.prepare([*self.model_switches(), "--tab", tab], source_text=self.window.source.text)

    def open(self, prepared) -> None:
        from explorer import app as full_app
        from explorer.process_stats import process_age

        self.window.stop()  # the source stays open: the full window reads it from here on
        prepared.source = self.window.source
        run = full_app.open_window(prepared, process_age())
        if not isinstance(run, int):
            self.run = run
            self.window.hide()


def run_board_headless(app, window, args, imports_s: float) -> int:
    """``--frames N``: run N frames, save the screenshot, print one summary line, quit (0 when done)."""
    from PySide6.QtCore import QTimer

    from explorer.process_stats import peak_rss_mb, process_age
    from explorer.ui.figures.images import save_png

    status = {"code": 1, "first": None, "start": None, "done": False}

    def on_frame() -> None:
        if status["first"] is None:
            status["first"], status["start"] = process_age(), time.perf_counter()
        if window.rendered >= args.frames:
            finish()

    def finish() -> None:
        if status["done"]:
            return
        status["done"] = True
        elapsed = time.perf_counter() - status["start"]
        window.stop()
        app.processEvents()
        if args.screenshot and not save_png(window.grab(), args.screenshot):
            print(f"explorer: could not write screenshot {args.screenshot}", file=sys.stderr)
            app.quit()
            return
        fps = (window.rendered - 1) / elapsed if elapsed > 0 and window.rendered > 1 else 0.0
        torch_state = "torch loaded" if "torch" in sys.modules else "torch not loaded"
        peak = peak_rss_mb()
        print(
            f"frames {window.rendered}, fps {fps:.1f}, median inference {sorted(window.inference_ms)[len(window.inference_ms) // 2]:.1f} ms, "
            f"model {window.export.label}, backend {window.runtime_words()}, source {window.source.describe()}, "
            f"first frame {status['first']:.1f} s after start (imports {imports_s:.1f} s), "
            f"path board ({torch_state}), window {window.width()}x{window.height()}"
            + (f", screenshot {args.screenshot}" if args.screenshot else "")
            + (f", peak RSS {peak:.0f} MB" if peak else "")
        )
        status["code"] = 0
        app.quit()

    def on_timeout() -> None:
        print(f"explorer: only {window.rendered} of {args.frames} frames after {args.timeout:.0f} s", file=sys.stderr)
        app.quit()

    window.frame_shown.connect(on_frame)
    QTimer.singleShot(int(args.timeout * 1000), on_timeout)
    app.exec()
    window.stop()
    window.source.close()
    return status["code"]
