"""Headless commands: info, shuffle, bench, doctor.  ``python -m explorer <command> --help``.

Every command has --json for scripts.  Bad input exits with code 2 and one line on stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from explorer.models.spec import ARCHS, ModelSpec

CONVENTION = "FLOPs = multiply-adds of conv + FC layers (the papers' convention); MAC in elements (ShuffleNet V2 G1/G2)"


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def _input_size(text: str) -> int | tuple[int, int]:
    """224 for images, 128x9 (series x modal) for the compact net."""
    try:
        if "x" in text.lower():
            a, b = text.lower().split("x", 1)
            return (int(a), int(b))
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"input size must be an integer like 224 or SERIESxMODAL like 128x9, got {text!r}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def _scale(text: str) -> float:
    try:
        return float(text.rstrip("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"scale must be a number like 1.0 or 0.5x, got {text!r}") from None


def _add_spec_args(parser: argparse.ArgumentParser, many: bool = False) -> None:
    nargs = "+" if many else None
    parser.add_argument("--arch", choices=ARCHS, nargs=nargs, default=None if many else "v2")
    parser.add_argument("--groups", "-g", type=_positive_int, nargs=nargs, help="V1 group count: 1, 2, 3, 4 or 8")
    parser.add_argument("--scale", "-s", type=_scale, nargs=nargs, help="width multiplier, e.g. 0.5 or 1.0x")
    parser.add_argument("--no-shuffle", action="store_true", help="turn channel shuffle off (paper Table 3 ablation)")
    parser.add_argument("--input-size", type=_input_size, default=None, help="224, or 128x9 for the compact net")
    parser.add_argument("--num-classes", type=_positive_int, default=None)


def spec_from_args(args: argparse.Namespace) -> ModelSpec:
    try:
        return ModelSpec.create(
            args.arch, groups=args.groups, scale=1.0 if args.scale is None else args.scale,
            shuffle=not args.no_shuffle, input_size=args.input_size, num_classes=args.num_classes,
        )
    except ValueError as exc:
        raise UsageError(f"explorer {args.command}: {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="explorer", description="ShuffleNet Explorer: headless commands. Run with no command to open the window.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    info = sub.add_parser("info", help="layer table and totals (params, multiply-adds, MAC)")
    _add_spec_args(info)
    info.add_argument("--json", action="store_true")

    shuffle = sub.add_parser("shuffle", help="the channel shuffle permutation for (channels, groups)")
    shuffle.add_argument("--channels", "-c", type=_positive_int, required=True)
    shuffle.add_argument("--groups", "-g", type=_positive_int, required=True)
    shuffle.add_argument("--json", action="store_true")

    bench = sub.add_parser("bench", help="sweep specs: params, MFLOPs, MAC, latency, speedups")
    _add_spec_args(bench, many=True)
    bench.add_argument("--threads", type=_positive_int, default=None, help="torch threads (default: all cores)")
    bench.add_argument("--backend", action="append", default=None, help="eager (default), channels_last, onnxruntime, int8, or all; repeatable")
    bench.add_argument("--runs", type=_positive_int, default=30)
    bench.add_argument("--warmup", type=_positive_int, default=5)
    bench.add_argument("--csv", default=None, help="also write the table to this CSV file")
    bench.add_argument("--json", action="store_true")

    predict = sub.add_parser("predict", help="classify an image (top-K labels and probabilities)")
    predict.add_argument("image")
    _add_spec_args(predict)
    predict.add_argument("--weights", default=None, help="torchvision | megvii:PATH | PATH (default: untrained)")
    predict.add_argument("--top", type=_positive_int, default=5)
    predict.add_argument("--json", action="store_true")

    weights = sub.add_parser("weights", help="which weights are available locally, per spec")
    weights.add_argument("paths", nargs="*", help="checkpoint files to identify")
    weights.add_argument("--json", action="store_true")

    doctor = sub.add_parser("doctor", help="which optional parts work here, and how to fix the rest")
    doctor.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        from explorer.app import run_gui  # Qt is imported only when the window is wanted

        return run_gui(argv)
    try:
        args = parser.parse_args(argv)
        from explorer import commands

        return getattr(commands, f"run_{args.command}")(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `explorer info | head`
        return 0


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=None)
    sys.stdout.write("\n")
