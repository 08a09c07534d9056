"""Timing on this machine: `explorer bench` (the sweep, with a progress bar and CSV) and `fit`."""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import asdict

from tqdm import tqdm

from explorer.cli_args import CONVENTION, UsageError, print_json, spec_from_args
from explorer.engine.fit import run_fit as fit_configuration
from explorer.engine.measure import default_sweep, run_sweep
from explorer.engine.worker import default_live_threads
from explorer.lessons.base import BUSY_SPREAD
from explorer.models.architecture import architecture, architectures
from explorer.models.spec import ModelSpec
from explorer.progress import tqdm_progress
from explorer.runtime import registry


def sweep_from_args(args: argparse.Namespace) -> list[ModelSpec]:
    if args.arch is None and args.groups is None and args.scale is None:
        specs = default_sweep()
        if args.no_shuffle or args.input_size or args.num_classes:
            specs = [
                s.with_changes(
                    shuffle=not args.no_shuffle,
                    input_size=args.input_size or s.input_size,
                    num_classes=args.num_classes or s.num_classes,
                )
                for s in specs
            ]
        return specs
    specs = []
    for arch in args.arch or [a.name for a in architectures(shufflenet=True) if a.input_kind == "image"]:
        entry = architecture(arch)
        scales = args.scale or list(entry.scales)
        groups_list = (args.groups or list(entry.group_choices)) if entry.group_choices else [None]
        for groups in groups_list:
            for scale in scales:
                ns = argparse.Namespace(**{**vars(args), "arch": arch, "groups": groups, "scale": scale})
                specs.append(spec_from_args(ns))
    return specs


def bench_specs(
    specs: list[ModelSpec], threads: int | None, runs: int, warmup: int, progress: bool = True, backends=()
):
    backends = tuple(backends) or (registry.reference().name,)
    with tqdm(total=len(specs) * len(backends), desc="bench", unit="run", file=sys.stderr, disable=not progress) as bar:
        return run_sweep(specs, threads, runs, warmup, progress=tqdm_progress(bar), backends=tuple(backends))


def backends_from_args(names: list[str] | None) -> list[str]:
    if not names:
        return [registry.reference().name]
    if "all" in names:
        return [b.name for b in registry.usable()]
    unknown = [n for n in names if n not in registry.names()]
    if unknown:
        raise UsageError(
            f"explorer bench: unknown backend {unknown[0]!r}; choose from {', '.join(registry.names())} or all"
        )
    unavailable = [b for b in registry.available_backends() if b.name in names and not b.available]
    if unavailable:
        raise UsageError(f"explorer bench: {unavailable[0].reason}")
    return list(dict.fromkeys(names))


def _open_csv(path: str):
    """Open the CSV before a long sweep, so a bad path fails at once, not after it."""
    try:
        return open(path, "w", newline="")
    except OSError as exc:
        raise UsageError(f"explorer bench: cannot write CSV {path!r}: {exc.strerror}") from None


def run_bench(args: argparse.Namespace) -> int:
    specs = sweep_from_args(args)
    csv_handle = _open_csv(args.csv) if args.csv else None
    backends = backends_from_args(args.backend)
    threads, rows = bench_specs(
        specs,
        args.threads or default_live_threads(),
        args.runs,
        args.warmup,
        progress=not args.json or sys.stderr.isatty(),
        backends=backends,
    )
    spreads = [round(r.p90_ms / r.median_ms, 2) for r in rows]
    busy = max(spreads) > BUSY_SPREAD
    if csv_handle:
        with csv_handle:
            writer = csv.DictWriter(csv_handle, fieldnames=list(asdict(rows[0])))
            writer.writeheader()
            writer.writerows(asdict(r) for r in rows)
    if args.json:
        keep_backend = args.backend is not None  # the extra columns only when backends were asked for
        drop = () if keep_backend else ("backend", "top1_agreement", "max_abs_diff")
        print_json(
            {
                "threads": threads,
                "busy": busy,
                "rows": [
                    {**{k: v for k, v in asdict(r).items() if k not in drop}, "spread": spread, "runs": args.runs}
                    for r, spread in zip(rows, spreads)
                ],
            }
        )
        return 0
    print(f"threads {threads}, {args.runs} runs after {args.warmup} warm-up, batch 1; {CONVENTION}")
    print("speedups are relative to the first row: theoretical = FLOPs ratio, actual = median latency ratio")
    header = f"{'arch':<5} {'g':>2} {'scale':>5} {'backend':<13} {'params':>10} {'MFLOPs':>8} {'MAC (M)':>8} {'median ms':>9} {'p90 ms':>8} {'spread':>6} {'theor. x':>8} {'actual x':>8} {'top-1 agr':>9} {'max |dlogit|':>12}"
    print(header)
    print("-" * len(header))
    for r, spread in zip(rows, spreads):
        print(
            f"{r.arch:<5} {r.groups or '-':>2} {r.scale:>5g} {r.backend:<13} {r.params:>10,} {r.madds / 1e6:>8.1f} {r.mac / 1e6:>8.2f} {r.median_ms:>9.2f} {r.p90_ms:>8.2f} {spread:>6.2f} {r.speedup_theoretical:>8.2f} {r.speedup_actual:>8.2f} {r.top1_agreement * 100:>8.0f}% {r.max_abs_diff:>12.2g}"
        )
    if busy:
        print(
            f"inconclusive: machine busy (spread p90/median up to {max(spreads):.2f} > {BUSY_SPREAD}): these times say more about "
            "the other programs running than about the models; run again on a quiet machine"
        )
    return 0


def run_fit(args: argparse.Namespace) -> int:
    spec = spec_from_args(argparse.Namespace(**{**vars(args), "scale": None, "input_size": None, "num_classes": None}))
    threads = args.threads or default_live_threads()
    with tqdm(
        total=1.0,
        desc="fit",
        file=sys.stderr,
        disable=args.json and not sys.stderr.isatty(),
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}",
    ) as bar:
        result = fit_configuration(spec, args.fps, threads, args.runs, tqdm_progress(bar))
    if args.json:
        print_json({**result.to_dict(), "threads": threads})
        return 0
    print(
        f"target {result.target_fps:g} fps, {threads} inference thread(s); per frame = preprocess (640x480 -> input) + inference"
    )
    header = f"{'model':<34} {'backend':<13} {'MFLOPs':>8} {'ms/frame':>9} {'fps':>7} {'top-1 agr':>9}"
    print(header)
    print("-" * len(header))
    for c in sorted(result.candidates, key=lambda c: (-c.madds, c.backend)):
        mark = " <- chosen" if c is result.chosen else ""
        print(
            f"{c.spec.label:<34} {c.backend:<13} {c.madds / 1e6:>8.1f} {c.median_ms:>9.2f} {c.fps:>7.1f} {c.top1_agreement * 100:>8.0f}%{mark}"
        )
    print(result.summary())
    return 0
