"""A model's files in and out: `explorer predict`, `weights` and `export`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from explorer.cli_args import UsageError, output_path, print_json, spec_from_args
from explorer.engine.bundles import load_bundle
from explorer.engine.config import RunConfig
from explorer.engine.pipeline import UNTRAINED_NOTICE, InferencePipeline
from explorer.models.architecture import DEFAULT_LAYOUT, architecture
from explorer.models.spec import ModelSpec
from explorer.optional import onnxruntime_status
from explorer.progress import tqdm_progress
from explorer.runtime import registry
from explorer.sources.base import SourceError
from explorer.sources.files import read_image
from explorer.weights import WeightsError
from explorer.weights.catalog import all_torchvision_checkpoints
from explorer.weights.download import checkpoint_dir
from explorer.weights.formats import CheckpointError, detect_format, read_state_dict
from explorer.weights.loader import looks_like, torchvision_cached
from explorer.weights.source import FILE, TORCHVISION, UNTRAINED, WeightsSource


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


def default_weights(spec: ModelSpec) -> WeightsSource:
    """torchvision's weights when the hub cache already holds them for this spec, else untrained."""
    return WeightsSource(TORCHVISION) if torchvision_cached(spec) else UNTRAINED


def load_bundle_for_cli(spec: ModelSpec, source: WeightsSource | str | None):
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
        figures = spec.architecture.figures(spec)
        rows.append(
            {
                "spec": spec.label.rsplit(" @", 1)[0],
                "source": TORCHVISION,
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
                    "source": layout if layout != DEFAULT_LAYOUT else FILE,
                    "path": given,
                    "available": fits is not None,
                    "top1": None,
                }
            )
        except CheckpointError as exc:
            rows.append(
                {"spec": None, "source": FILE, "path": given, "available": False, "error": str(exc), "top1": None}
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
                if row["source"] == TORCHVISION
                else row.get("error", "not usable")
            )
        )
        top1 = f" (ImageNet top-1 {row['top1']:.2f} %)" if row.get("top1") else ""
        print(f"{row['spec'] or '?':<32} {row['source']:<12} {state}{top1}\n    {row['path']}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    out = Path(args.out)
    onnx_file = args.format == "onnx"
    if onnx_file and out.suffix.lower() != ".onnx":
        raise UsageError(f"explorer export: --out must name an .onnx file, got {args.out!r}")
    output_path("export", args.out)
    if args.calibrate and not args.int8:
        raise UsageError("explorer export: --calibrate goes with --int8 (fp32 needs no calibration)")
    if args.int8 and not onnx_file:
        raise UsageError(f"explorer export: --int8 writes ONNX only; drop --int8 for --format {args.format} (fp32)")
    status = onnxruntime_status()
    if not status.available:
        raise UsageError(f"explorer export: needs onnxruntime and onnx ({status.error}); install: {status.fix}")
    # imported here: onnx is an optional dependency, and only export writes ONNX metadata
    from explorer.engine.export import SUMMARY_KEYS, export_model

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
