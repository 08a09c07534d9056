"""A standalone model for deployment (e.g. examples/pi_classify.py on a Raspberry Pi).

ONNX (the default) carries everything a consumer needs in its metadata (key "shufflenet_explorer",
JSON): the spec, the class labels, the preprocessing recipe, the weights' name, whether they are
trained, and the agreement with fp32 eager measured at export time.  Other formats come from the
backends that write them (``registry.deploy_formats()``, e.g. ncnn's param/bin); their metadata is
the same JSON in a file beside them (STEM.json).  A consumer needs only its runtime, numpy and OpenCV.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import torch

from explorer.engine.bundles import load_bundle
from explorer.engine.config import RunConfig
from explorer.engine.pipeline import fp32_copy, model_inputs, synthetic_inputs
from explorer.models.taps import tap_points
from explorer.paths import write_atomically
from explorer.runtime import registry
from explorer.runtime.onnx_backend import OnnxRunner, default_int8_engine, export_onnx, quantize
from explorer.sources.factory import open_source

METADATA_KEY = "shufflenet_explorer"
ONNX = "onnx"  # the default format, written here; the others are the backends' (registry.deploy_formats())
FORMAT = "shufflenet-explorer/{}/1"
CALIBRATION_FRAMES = 32
SUMMARY_KEYS = (
    "label",
    "weights",
    "trained",
    "int8",
    "int8_engine",
    "taps",
    "agreement",
)  # what `export --json` prints


def calibration_frames(source_text: str, count: int = CALIBRATION_FRAMES) -> list[np.ndarray]:
    """Raw RGB frames from a source (raises SourceError when it cannot be opened)."""
    source = open_source(source_text)
    try:
        return [source.read() for _ in range(count)]
    finally:
        source.close()


def formats() -> tuple[str, ...]:
    return (ONNX, *registry.deploy_formats())


def metadata_path(out: str | Path) -> Path:
    """Where a non-ONNX export keeps its metadata: STEM.json beside the model files."""
    return Path(out).with_suffix(".json")


def export_model(
    config: RunConfig,
    out: str | Path,
    int8: bool = False,
    calibrate: str | None = None,
    taps: bool = False,
    engine: str | None = None,
    file_format: str = ONNX,
) -> dict:
    """Write the model's files and return its metadata (raises WeightsError, SourceError, OSError;
    RuntimeError when the format's converter fails)."""
    bundle = load_bundle(config.with_changes(backend=registry.reference().name), check_agreement=False)
    spec, model = bundle.spec, fp32_copy(bundle)
    frames = calibration_frames(calibrate or "synthetic") if int8 or calibrate else None
    inputs = model_inputs(frames, spec, bundle.recipe) if frames else synthetic_inputs(spec, 8, bundle.recipe)
    int8_engine, files, proto = None, [Path(out)], None
    if file_format == ONNX:
        data = export_onnx(model, spec, tapped=taps)
        if int8:
            int8_engine = engine or default_int8_engine()
            data = quantize(data, inputs, int8_engine)
        runner, names = OnnxRunner(data, threads=1), ("input", "logits")
        import onnx  # ~1 s of imports (ml_dtypes): only when an export is written

        proto = onnx.load_from_string(data)
    else:
        deployment = registry.deploy_formats()[file_format].deploy(model, spec, Path(out), taps)
        runner, names, files = deployment.runner, (deployment.input, deployment.output), list(deployment.files)
    check = registry.agreement(model, runner, inputs[:8])
    metadata = {
        "format": FORMAT.format(file_format),
        "files": [f.name for f in files],
        "spec": spec.to_dict(),
        "label": spec.label,
        "labels": list(bundle.labels),
        "recipe": dataclasses.asdict(bundle.recipe) if bundle.recipe else None,
        "weights": bundle.weights_name,
        "trained": bundle.trained,
        "int8": int8,
        "int8_engine": int8_engine,
        "taps": taps,
        "tap_names": [p.name for p in tap_points(model)] if taps else [],
        "input": names[0],
        "output": names[1],
        "torch": torch.__version__,
        "agreement": {**check.to_dict(), "calibration": calibrate or ("synthetic" if int8 else None)},
    }
    if proto is None:
        write_atomically(metadata_path(out), json.dumps(metadata, indent=1).encode())
        return metadata
    del proto.metadata_props[:]
    entry = proto.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(metadata)
    write_atomically(out, proto.SerializeToString())
    return metadata


def read_metadata(path: str | Path) -> dict:
    """The metadata export_model wrote (ValueError if the file has none)."""
    if Path(path).suffix.lower() != ".onnx":
        return json.loads(metadata_path(path).read_text())
    import onnx

    proto = onnx.load(str(path), load_external_data=False)
    for entry in proto.metadata_props:
        if entry.key == METADATA_KEY:
            return json.loads(entry.value)
    raise ValueError(f"{Path(path).name} was not exported by ShuffleNet Explorer (no {METADATA_KEY} metadata)")
