"""Command-line parsing shared by the headless commands and the window's switches.

Bad input is a UsageError: one line on stderr, exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from explorer.models.architecture import arch_names, architectures
from explorer.models.spec import DEFAULT_ARCH, ModelSpec
from explorer.weights.source import WeightsSource

CONVENTION = "FLOPs = multiply-adds of conv + FC layers (the papers' convention); MAC in elements (ShuffleNet V2 G1/G2)"


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit code 2."""


class ArgParser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def parse_input_size(text: str) -> int | tuple[int, int]:
    """224 for images, 128x9 (series x modal) for the compact net."""
    try:
        if "x" in text.lower():
            a, b = text.lower().split("x", 1)
            return (int(a), int(b))
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"input size must be an integer like 224 or SERIESxMODAL like 128x9, got {text!r}"
        ) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def weights_source(text: str) -> WeightsSource:
    """--weights: parsed once, here (a bad form is one line and exit code 2)."""
    try:
        return WeightsSource.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_scale(text: str) -> float:
    try:
        return float(text.rstrip("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"scale must be a number like 1.0 or 0.5x, got {text!r}") from None


def add_groups_arg(parser: argparse.ArgumentParser, nargs: str | None = None, note: str = "") -> None:
    """``--groups``, declared once: its help lists what each grouped architecture entry accepts."""
    accepted = "; ".join(
        f"{a.short}: {', '.join(map(str, a.group_choices))}" for a in architectures() if a.group_choices
    )
    parser.add_argument(
        "--groups", "-g", type=positive_int, nargs=nargs, default=None, help=f"group count ({accepted}){note}"
    )


def add_spec_args(parser: argparse.ArgumentParser, many: bool = False, arch_default: str | None = DEFAULT_ARCH) -> None:
    nargs = "+" if many else None
    parser.add_argument("--arch", choices=arch_names(), nargs=nargs, default=None if many else arch_default)
    add_groups_arg(parser, nargs)
    parser.add_argument("--scale", "-s", type=parse_scale, nargs=nargs, help="width multiplier, e.g. 0.5 or 1.0x")
    parser.add_argument("--no-shuffle", action="store_true", help="turn channel shuffle off (paper Table 3 ablation)")
    parser.add_argument("--input-size", type=parse_input_size, default=None, help="224, or 128x9 for the compact net")
    parser.add_argument("--num-classes", type=positive_int, default=None)


def spec_from_args(args: argparse.Namespace) -> ModelSpec:
    try:
        return ModelSpec.create(
            args.arch,
            groups=args.groups,
            scale=1.0 if args.scale is None else args.scale,
            shuffle=not args.no_shuffle,
            input_size=args.input_size,
            num_classes=getattr(args, "num_classes", None),
        )
    except ValueError as exc:
        raise UsageError(f"explorer {getattr(args, 'command', None) or ''}".rstrip() + f": {exc}") from None


def output_path(command: str, text: str | None) -> Path | None:
    """The file an --out/--csv switch names, refused at once (before any long work) when its
    folder does not exist."""
    if not text:
        return None
    path = Path(text)
    if not path.parent.is_dir():
        raise UsageError(f"explorer {command}: cannot write {text}: folder {str(path.parent)!r} does not exist")
    return path


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=None)
    sys.stdout.write("\n")
