"""The bodies of the headless commands (parsing lives in cli.py and cli_args.py)."""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import asdict
from pathlib import Path

import torch
from tqdm import tqdm

from explorer.analysis.complexity import analyze
from explorer.cli_args import CONVENTION, UsageError, print_json, spec_from_args
from explorer.engine.bundles import load_bundle
from explorer.engine.config import RunConfig
from explorer.engine.fit import run_fit as fit_configuration
from explorer.engine.measure import default_sweep, run_sweep
from explorer.engine.pipeline import UNTRAINED_NOTICE, InferencePipeline
from explorer.engine.signal_data import file_split, synthetic_split
from explorer.engine.worker import default_live_threads
from explorer.lessons import run_lesson as measure_lesson
from explorer.lessons.base import BUSY_SPREAD
from explorer.models import variants
from explorer.models.architecture import architecture, architectures, with_input_kind
from explorer.models.shuffle import check_groups, shuffle_permutation
from explorer.models.spec import ModelSpec
from explorer.optional import onnxruntime_status
from explorer.paths import write_atomically
from explorer.runtime import registry
from explorer.sources.base import SourceError
from explorer.sources.files import read_image
from explorer.teach.signal_trainer import train_signals
from explorer.weights import WeightsError
from explorer.weights.catalog import all_torchvision_checkpoints
from explorer.weights.download import checkpoint_dir
from explorer.weights.formats import CheckpointError, detect_format, read_state_dict
from explorer.weights.loader import looks_like, torchvision_cached


def run_info(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    report = analyze(spec)
    if args.json:
        print_json(report.to_dict())
        return 0
    t = report.totals
    print(f"{spec.label}   input {'x'.join(map(str, spec.input_shape))}   {CONVENTION}")
    header = f"{'layer':<34} {'type':<18} {'output':<16} {'params':>10} {'MFLOPs':>9} {'MAC (K)':>9}"
    print(header)
    print("-" * len(header))
    for row in report.layers:
        shape = "x".join(map(str, row.out_shape))
        print(
            f"{row.name:<34} {row.type:<18} {shape:<16} {row.params:>10,} {row.madds / 1e6:>9.3f} {row.mac / 1e3:>9.1f}"
        )
    print("-" * len(header))
    print(
        f"params {t.params:,}   multiply-adds {t.madds / 1e6:.2f} M (conv {t.madds_conv / 1e6:.2f} M + FC {t.madds_fc / 1e6:.2f} M)   MAC {t.mac / 1e6:.2f} M elements"
    )
    return 0


def shuffle_picture(channels: int, groups: int) -> str:
    """A readable picture of the (g, n) -> (n, g) regrouping."""
    n = channels // groups
    perm = shuffle_permutation(channels, groups)
    width = len(str(channels - 1))
    cell = lambda c: str(c).rjust(width)  # noqa: E731
    lines = [
        f"channel shuffle: C={channels} channels in g={groups} groups of n={n}",
        "",
        f"1. reshape to (g={groups}, n={n}): one row per group",
    ]
    for g in range(groups):
        lines.append(f"   group {g}: " + " ".join(cell(g * n + i) for i in range(n)))
    lines.append(f"2. transpose to (n={n}, g={groups}): each row takes one channel from every group")
    for i in range(n):
        lines.append(f"   row {i}: " + " ".join(cell(g * n + i) for g in range(groups)))
    lines.append("3. flatten: output position k <- input channel (k mod g) * n + (k div g)")
    lines.append("   out: " + " ".join(cell(k) for k in range(channels)))
    lines.append("   in:  " + " ".join(cell(c) for c in perm))
    return "\n".join(lines)


def run_shuffle(args: argparse.Namespace) -> int:
    try:
        check_groups(args.channels, args.groups)
    except ValueError as exc:
        raise UsageError(f"explorer shuffle: {exc}") from None
    perm = shuffle_permutation(args.channels, args.groups)
    if args.json:
        print_json({"channels": args.channels, "groups": args.groups, "permutation": perm})
    else:
        print(shuffle_picture(args.channels, args.groups))
    return 0


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


def tqdm_progress(bar: tqdm):
    """A progress(fraction, text) callback drawing a tqdm bar of total 1."""

    def progress(fraction: float, text: str) -> None:
        bar.n = round(fraction * bar.total, 3)
        bar.set_postfix_str(text, refresh=False)
        bar.refresh()

    return progress


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


def run_doctor(args: argparse.Namespace) -> int:
    from explorer.doctor import run_checks

    checks = run_checks(args.source)
    if args.json:
        print_json({name: {"ok": c.ok, "summary": c.summary, "fix": c.fix, **c.details} for name, c in checks.items()})
    else:
        for name, check in checks.items():
            print(check.line(name))
    return 0


def run_predict(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    if spec.input_kind != "image":
        raise UsageError(
            f"explorer predict: {spec.architecture.title} classifies signal windows, not images; pick an image model with --arch"
        )
    try:
        image = read_image(Path(args.image))
    except SourceError as exc:
        raise UsageError(f"explorer predict: {exc}") from None
    weights = args.weights if args.weights is not None else default_weights(spec)
    bundle = load_bundle_for_cli(spec, weights)
    result = InferencePipeline(bundle, top_k=args.top).run(image)
    if args.json:
        print_json(
            {
                "weights": bundle.weights_name,
                "trained": bundle.trained,
                "top": [{"label": p.label, "index": p.index, "prob": round(p.prob, 6)} for p in result.top],
            }
        )
        return 0
    print(f"{spec.label}, weights: {bundle.weights_name}")
    if not bundle.trained:
        print(f"{UNTRAINED_NOTICE} (pass --weights torchvision, megvii:PATH or a checkpoint)")
    for rank, p in enumerate(result.top, 1):
        label = p.label if bundle.trained else f"(class {p.index})"
        print(f"{rank}. {label:<40} {p.prob * 100:6.2f} %")
    return 0


def default_weights(spec: ModelSpec) -> str | None:
    """torchvision's weights when the hub cache already holds them for this spec, else untrained."""
    return "torchvision" if torchvision_cached(spec) else None


def load_bundle_for_cli(spec: ModelSpec, source: str | None):
    """The bundle for ``source`` (None: untrained), a tqdm bar while downloading; UsageError on bad weights."""
    bar = None

    def progress(fraction: float, text: str) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(
                total=1.0, desc="weights", file=sys.stderr, bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}"
            )
        tqdm_progress(bar)(fraction, text)

    try:
        return load_bundle(RunConfig(spec, source, backend=registry.reference().name), progress=progress)
    except WeightsError as exc:
        raise UsageError(f"explorer: weights not loaded: {exc}") from None
    finally:
        if bar is not None:
            bar.close()


def run_weights(args: argparse.Namespace) -> int:
    cache = checkpoint_dir()
    rows = []
    for spec, published in all_torchvision_checkpoints():
        path = cache / published.filename
        figures = variants.published(spec)
        rows.append(
            {
                "spec": spec.label.rsplit(" @", 1)[0],
                "source": "torchvision",
                "path": str(path),
                "available": path.is_file(),
                "top1": figures.top1 if figures else None,
            }
        )
    for given in args.paths:
        try:
            state, _ = read_state_dict(given)
            arch, layout = detect_format(state)
            fits = looks_like(state, arch, layout)
            rows.append(
                {
                    "spec": fits or f"unrecognised {architecture(arch).title} variant",
                    "source": layout if layout != "default" else "file",
                    "path": given,
                    "available": fits is not None,
                    "top1": None,
                }
            )
        except CheckpointError as exc:
            rows.append(
                {"spec": None, "source": "file", "path": given, "available": False, "error": str(exc), "top1": None}
            )
    if args.json:
        print_json({"cache": str(cache), "weights": rows})
        return 0
    print(f"torch hub cache: {cache} (set TORCH_HOME to move it; copy downloaded .pth files there to work offline)")
    for row in rows:
        state = (
            "available"
            if row["available"]
            else (
                "missing: `python -m explorer predict IMG --weights torchvision` downloads it"
                if row["source"] == "torchvision"
                else row.get("error", "not usable")
            )
        )
        top1 = f" (ImageNet top-1 {row['top1']:.2f} %)" if row.get("top1") else ""
        print(f"{row['spec'] or '?':<32} {row['source']:<12} {state}{top1}\n    {row['path']}")
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


def run_export(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    out = Path(args.out)
    onnx_file = args.format == "onnx"
    if onnx_file and out.suffix.lower() != ".onnx":
        raise UsageError(f"explorer export: --out must name an .onnx file, got {args.out!r}")
    if not out.parent.is_dir():
        raise UsageError(f"explorer export: cannot write {args.out}: folder {str(out.parent)!r} does not exist")
    if args.calibrate and not args.int8:
        raise UsageError("explorer export: --calibrate goes with --int8 (fp32 needs no calibration)")
    if args.int8 and not onnx_file:
        raise UsageError(f"explorer export: --int8 writes ONNX only; drop --int8 for --format {args.format} (fp32)")
    status = onnxruntime_status()
    if not status.available:
        raise UsageError(f"explorer export: needs onnxruntime and onnx ({status.error}); install: {status.fix}")
    # imported here: onnx is an optional dependency, and only export writes ONNX metadata
    from explorer.engine.export import SUMMARY_KEYS, export_model
    from explorer.runtime import registry

    if not onnx_file:
        writer = registry.deploy_formats()[args.format].status()
        if not writer.available:
            raise UsageError(f"explorer export: --format {args.format} {writer.reason}")
    weights = args.weights if args.weights is not None else default_weights(spec)
    try:
        metadata = export_model(
            RunConfig(spec, weights),
            out,
            int8=args.int8,
            calibrate=args.calibrate,
            taps=args.taps,
            file_format=args.format,
        )
    except WeightsError as exc:
        raise UsageError(f"explorer export: weights not loaded: {exc}") from None
    except SourceError as exc:
        raise UsageError(f"explorer export: bad --calibrate source: {exc}") from None
    except OSError as exc:
        raise UsageError(f"explorer export: cannot write {args.out}: {exc.strerror or exc}") from None
    except RuntimeError as exc:  # a converter that cannot handle this model
        raise UsageError(f"explorer export: {exc}") from None
    files = [out.with_name(name) for name in metadata["files"]]
    size = sum(f.stat().st_size for f in files)
    summary = {k: metadata[k] for k in SUMMARY_KEYS}
    if args.json:
        print_json({"out": str(files[0]), "files": [str(f) for f in files], "bytes": size, **summary})
        return 0
    check = metadata["agreement"]
    print(
        f"wrote {', '.join(str(f) for f in files)} ({size / 1e6:.1f} MB): {metadata['label']}, {metadata['weights']}"
        + (f", int8 ({metadata['int8_engine']} preset)" if args.int8 else ", fp32")
        + (", with taps" if args.taps else "")
        + ("" if onnx_file else f"; metadata in {out.with_suffix('.json')}")
    )
    print(
        f"vs fp32 eager on {check['frames']} frames: top-1 agreement {check['top1_agreement'] * 100:.0f} %, max |dlogit| {check['max_abs_diff']:.2g}"
    )
    return 0


def run_train(args: argparse.Namespace) -> int:
    """Train the compact net end to end on synthetic inertial windows (train/val by seed) or a
    labelled CSV (train/val by time)."""
    if architecture(args.arch).input_kind != "signal":
        raise UsageError(
            f"explorer train: only the signal network trains end to end here (--arch {with_input_kind('signal').name}), got {args.arch}"
        )
    out = Path(args.out) if args.out else None
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"explorer train: cannot write {args.out}: folder {str(out.parent)!r} does not exist")
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
    csv_path = Path(args.csv) if args.csv else None
    if csv_path is not None and not csv_path.parent.is_dir():
        raise UsageError(f"explorer lesson: cannot write {args.csv}: folder {str(csv_path.parent)!r} does not exist")
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
