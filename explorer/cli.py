"""The entry point: `python -m explorer <command>` runs a headless command, no command opens
the window.  Every command has --json; bad input exits 2 with one line on stderr."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from explorer import commands
from explorer.analysis.diagram import LEVELS, QUANTITIES
from explorer.cli_args import (
    ArgParser,
    UsageError,
    add_groups_arg,
    add_spec_args,
    positive_float,
    positive_int,
    weights_source,
)
from explorer.engine.fit import DEFAULT_FPS_TARGET
from explorer.lessons import LESSONS
from explorer.models.architecture import arch_names, with_input_kind
from explorer.models.spec import DEFAULT_ARCH
from explorer.runtime import registry


def build_parser() -> argparse.ArgumentParser:
    parser = ArgParser(
        prog="explorer", description="ShuffleNet Explorer: headless commands. Run with no command to open the window."
    )
    sub = parser.add_subparsers(dest="command", parser_class=ArgParser)

    info = sub.add_parser("info", help="layer table and totals (params, multiply-adds, MAC)")
    add_spec_args(info)
    info.add_argument("--json", action="store_true")

    shuffle = sub.add_parser("shuffle", help="the channel shuffle permutation for (channels, groups)")
    shuffle.add_argument("--channels", "-c", type=positive_int, required=True)
    shuffle.add_argument("--groups", "-g", type=positive_int, required=True)
    shuffle.add_argument("--json", action="store_true")

    bench = sub.add_parser("bench", help="sweep specs: params, MFLOPs, MAC, latency, speedups")
    add_spec_args(bench, many=True)
    bench.add_argument(
        "--threads", type=positive_int, default=None, help="torch threads (default: the window's, all cores but one)"
    )
    bench.add_argument(
        "--backend",
        action="append",
        default=None,
        help=f"{', '.join(registry.names())}, or all (default: {registry.reference().name}); repeatable",
    )
    bench.add_argument("--runs", type=positive_int, default=30)
    bench.add_argument("--warmup", type=positive_int, default=5)
    bench.add_argument("--csv", default=None, help="also write the table to this CSV file")
    bench.add_argument("--json", action="store_true")

    fit = sub.add_parser("fit", help="the largest model of an architecture that reaches a frame rate here")
    fit.add_argument("--arch", choices=arch_names(), default=DEFAULT_ARCH)
    add_groups_arg(fit, note=", kept as given")
    fit.add_argument("--no-shuffle", action="store_true")
    fit.add_argument(
        "--fps",
        type=positive_float,
        default=DEFAULT_FPS_TARGET,
        help=f"target frame rate (default {DEFAULT_FPS_TARGET:g})",
    )
    fit.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        help="inference threads (default: the window's, all cores but one)",
    )
    fit.add_argument("--runs", type=positive_int, default=15)
    fit.add_argument("--json", action="store_true")

    export = sub.add_parser(
        "export", help="a standalone model (ONNX or ncnn) with its spec, labels and recipe in the metadata"
    )
    add_spec_args(export)
    export.add_argument(
        "--format",
        default="onnx",
        choices=("onnx", *registry.deploy_formats()),
        help="onnx (default: one .onnx file, metadata inside) or a backend's format, e.g. ncnn "
        "(STEM.param + STEM.bin + STEM.json metadata)",
    )
    export.add_argument(
        "--weights",
        type=weights_source,
        default=None,
        help="torchvision | megvii:PATH | PATH (default: torchvision's if cached for V2, else untrained)",
    )
    export.add_argument(
        "--int8", action="store_true", help="static int8 quantization (qnnpack preset on ARM, x86 elsewhere)"
    )
    export.add_argument(
        "--calibrate", default=None, help="int8 calibration frames from this source (default: the synthetic scene)"
    )
    export.add_argument("--taps", action="store_true", help="also output every feature tap and the pooled embedding")
    export.add_argument("--out", required=True, help="FILE.onnx, or for ncnn a STEM (any suffix is replaced)")
    export.add_argument("--json", action="store_true")

    predict = sub.add_parser("predict", help="classify an image (top-K labels and probabilities)")
    predict.add_argument("image")
    add_spec_args(predict)
    predict.add_argument(
        "--weights",
        type=weights_source,
        default=None,
        help="torchvision | megvii:PATH | PATH (default: torchvision's if cached for V2, else untrained)",
    )
    predict.add_argument("--top", type=positive_int, default=5)
    predict.add_argument("--json", action="store_true")

    weights = sub.add_parser("weights", help="which weights are available locally, per spec")
    weights.add_argument("paths", nargs="*", help="checkpoint files to identify")
    weights.add_argument("--json", action="store_true")

    train = sub.add_parser("train", help="train the compact net end to end on synthetic sensor windows")
    train.add_argument("--arch", choices=arch_names(), default=with_input_kind("signal").name)
    train.add_argument(
        "--source",
        default="signal:synthetic",
        help="signal:synthetic (six activities, 9 channels, 50 Hz) or a CSV with a label column",
    )
    train.add_argument("--epochs", type=positive_int, default=10)
    train.add_argument(
        "--seconds", type=positive_float, default=800.0, help="length of the training stream (default 800 s)"
    )
    train.add_argument(
        "--series", type=positive_int, default=128, help="window length in samples (default 128 = 2.56 s)"
    )
    train.add_argument(
        "--hop", type=positive_int, default=32, help="training windows start every HOP samples (default 32)"
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--threads", type=positive_int, default=None)
    train.add_argument("--out", default=None, help="save the trained weights here (the app's own checkpoint format)")
    train.add_argument("--json", action="store_true")

    diagram = sub.add_parser("diagram", help="the network drawn as the papers draw it, to SVG or PNG")
    add_spec_args(diagram)
    diagram.add_argument(
        "--level", choices=LEVELS, default="units", help="how deep to open: stages, units, or layers (default units)"
    )
    diagram.add_argument(
        "--quantity",
        choices=tuple(QUANTITIES),
        default="madds",
        help="what box width and colour encode (default madds)",
    )
    diagram.add_argument("--out", required=True, help="FILE.svg or FILE.png")
    diagram.add_argument("--json", action="store_true")

    lesson = sub.add_parser("lesson", help="re-run one of the papers' experiments here: " + ", ".join(LESSONS))
    lesson.add_argument("name", choices=tuple(LESSONS))
    lesson.add_argument("--threads", type=positive_int, default=None)
    lesson.add_argument("--quick", action="store_true", help="fewer timing runs and seeds (a preview; numbers noisier)")
    lesson.add_argument("--csv", default=None, help="also write the measured rows to this CSV file")
    lesson.add_argument("--json", action="store_true")

    report = sub.add_parser("report", help="run every lesson and write an HTML page with its figures for this machine")
    report.add_argument(
        "--out", required=True, help="a folder (created if missing): index.html, one PNG and CSV per lesson"
    )
    report.add_argument("--threads", type=positive_int, default=None)
    report.add_argument("--quick", action="store_true")
    report.add_argument("--only", nargs="+", choices=tuple(LESSONS), default=None, help="just these lessons")

    doctor = sub.add_parser(
        "doctor",
        help="why doesn't it work: display, cameras, weights, cache, settings, backends, torch build (and the fix)",
    )
    doctor.add_argument("--source", default=None, help="also open this source and read a frame (e.g. rtsp://...)")
    doctor.add_argument("--json", action="store_true")
    return parser


def print_help() -> None:
    """The commands, then the window's own options: one --help shows every way in."""
    print(build_parser().format_help())
    try:
        from explorer.app import build_gui_parser
    except ImportError as exc:  # no usable Qt: the commands still work
        print(f"(the window's options cannot be listed here: {exc})")
        return
    window = build_gui_parser()
    window.usage = "python main.py [window options]"
    print(f"Window options (no command: open the window):\n\n{window.format_help()}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        # Qt is imported only when the window is wanted: the commands run where Qt cannot
        from explorer.app import run_gui

        return run_gui(argv)
    if argv in (["-h"], ["--help"]):
        print_help()
        return 0
    try:
        args = build_parser().parse_args(argv)
        if args.command == "diagram":  # draws with Qt, imported only for this command
            from explorer.ui.diagram.diagram_export import run_diagram

            return run_diagram(args)
        if args.command == "report":  # its figures are drawn with Qt too
            from explorer.ui.figures.lesson_report import run_report

            return run_report(args)
        return getattr(commands, f"run_{args.command}")(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `explorer info | head`
        return 0
