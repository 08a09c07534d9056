"""Learning and lessons: `explorer train` (the compact net on sensor windows) and `lesson`."""

from __future__ import annotations

import argparse
import sys

import torch
from tqdm import tqdm

from explorer.cli_args import UsageError, output_path, print_json
from explorer.engine.signal_data import file_split, synthetic_split
from explorer.engine.worker import default_live_threads
from explorer.lessons import run_lesson as measure_lesson
from explorer.models.architecture import architecture, with_input_kind
from explorer.paths import write_atomically
from explorer.progress import tqdm_progress
from explorer.sources.base import SourceError
from explorer.teach.signal_trainer import train_signals


def run_train(args: argparse.Namespace) -> int:
    """Train the compact net end to end on synthetic inertial windows (train/val by seed) or a
    labelled CSV (train/val by time)."""
    if architecture(args.arch).input_kind != "signal":
        raise UsageError(
            f"explorer train: only the signal network trains end to end here (--arch {with_input_kind('signal').name}), got {args.arch}"
        )
    out = output_path("train", args.out)
    if args.series < 16 or args.hop < 1:
        raise UsageError(f"explorer train: --series must be >= 16 and --hop >= 1, got {args.series} and {args.hop}")
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        split = (
            synthetic_split(args.seconds, args.series, args.hop, args.seed)
            if args.source == "signal:synthetic"
            else file_split(args.source, args.series, args.hop)
        )
    except SourceError as exc:
        raise UsageError(f"explorer train: {exc}") from None
    train, val, classes, channels = split.train, split.val, split.classes, split.channels
    with tqdm(
        total=1.0,
        desc="train",
        file=sys.stderr,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}{postfix}",
        disable=args.json,
    ) as bar:
        try:
            result = train_signals(
                train, val, classes, channels, epochs=args.epochs, seed=args.seed, progress=tqdm_progress(bar)
            )
        except ValueError as exc:
            raise UsageError(f"explorer train: {exc}") from None
    summary = {
        **result.summary(),
        "train_windows": len(train[0]),
        "val_windows": len(val[0]),
        "weights": str(result.save(out)) if out else None,
    }
    if args.json:
        print_json(summary)
    else:
        for row in result.history:
            print(
                f"epoch {row.epoch:2d}  loss {row.loss:.3f}  train {row.train_accuracy:.1%}  val {row.val_accuracy:.1%}  {row.seconds:.1f} s"
            )
        print(
            f"{len(train[0])} training / {len(val[0])} validation windows; saved {out}"
            if out
            else f"{len(train[0])} training / {len(val[0])} validation windows (not saved: give --out FILE)"
        )
    return 0


def print_lesson(result) -> None:
    """A lesson as text: what it shows, the paper beside it, this machine's rows, the verdicts."""
    print(f"{result.title}\n\n{result.explanation}\n")
    machine = result.machine
    runtimes = ", ".join(f"{name} {version or 'not installed'}" for name, version in machine["versions"].items())
    print(f"machine: {machine['cpu']}, {machine['threads']} threads; {runtimes}\n")
    print("the paper:")
    for row in result.paper:
        print(f"  {row['claim']} [{row['source']}]: {row['figures']}")
    print("\nmeasured here:")
    keys = [k for k in result.rows[0] if k != "series"] if result.rows else []
    print("  " + " | ".join(keys))
    for row in result.rows:
        print("  " + " | ".join("" if row.get(k) is None else str(row.get(k)) for k in keys))
    print("\nverdicts:")
    for line in result.verdict_lines():
        print(f"  {line}")
    for note in result.notes:
        print(f"  note: {note}")


def run_lesson(args: argparse.Namespace) -> int:
    csv_path = output_path("lesson", args.csv)
    with tqdm(
        total=1.0,
        desc=args.name,
        file=sys.stderr,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}{postfix}",
        disable=args.json,
    ) as bar:
        result = measure_lesson(
            args.name, threads=args.threads or default_live_threads(), progress=tqdm_progress(bar), quick=args.quick
        )
    if csv_path is not None:
        write_atomically(csv_path, result.rows_csv())
    if args.json:
        print_json(result.to_json())
    else:
        print_lesson(result)
    return 0
