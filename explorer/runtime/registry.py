"""Which backends exist, which work here, how to make a runner, and how far it is from fp32 eager."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import torch
from torch import nn

from explorer.models.spec import ModelSpec
from explorer.optional import onnxruntime_status
from explorer.progress import Progress
from explorer.runtime.base import BackendInfo, BackendUnavailable
from explorer.runtime.onnx_backend import OnnxRunner, default_int8_engine, export_onnx, quantize, untapped
from explorer.runtime.torch_backends import ChannelsLastRunner, EagerRunner

DEFAULT_BACKEND = "channels_last"  # the torch backend the window starts on
BACKENDS = ("eager", "channels_last", "onnxruntime", "int8")
TITLES = {
    "eager": "torch eager fp32 (reference)",
    "channels_last": "torch channels_last fp32",
    "onnxruntime": "ONNX Runtime fp32",
    "int8": "ONNX Runtime int8 (static, calibrated on live frames)",
}
SHORT_TITLES = {"eager": "torch eager", "channels_last": "torch channels_last", "onnxruntime": "ONNX Runtime",
                "int8": "ONNX Runtime int8"}


def timed_on(backend: str, threads: int) -> str:
    """What made a latency, for every place that shows one: "ONNX Runtime, 1 thread"."""
    return f"{SHORT_TITLES.get(backend, backend)}, {threads} thread{'s' if threads != 1 else ''}"


# max |logit - eager logit| the tests allow on random inputs (int8 is judged by top-1 agreement)
TOLERANCES = {"eager": 0.0, "channels_last": 1e-3, "onnxruntime": 1e-3, "int8": float("inf")}


def available_backends() -> list[BackendInfo]:
    ort = onnxruntime_status()
    infos = []
    for name in BACKENDS:
        needs_ort = name in ("onnxruntime", "int8")
        ok = ort.available or not needs_ort
        reason = TITLES[name] if ok else f"needs onnxruntime ({ort.error}); install: {ort.fix}"
        infos.append(BackendInfo(name, TITLES[name], ok, reason, TOLERANCES[name]))
    return infos


def make_runner(name: str, model: nn.Module, spec: ModelSpec, progress: Progress | None = None,
                calibration: Iterable[np.ndarray] | None = None, threads: int | None = None, engine: str | None = None,
                defer_taps: bool = False):
    """A runner for backend ``name``.  ``defer_taps`` (fp32 ONNX Runtime only): export the
    untapped model now and leave the taps to OnnxRunner.attach_tapped (see OnnxRunner)."""
    if name == "eager":
        return EagerRunner(model)
    if name == "channels_last":
        return ChannelsLastRunner(model)
    if name in ("onnxruntime", "int8"):
        info = next(i for i in available_backends() if i.name == name)
        if not info.available:
            raise BackendUnavailable(f"backend {name} unavailable: {info.reason}")
        threads = threads or torch.get_num_threads()
        if defer_taps and name == "onnxruntime":
            return OnnxRunner(None, threads, export_onnx(model, spec, progress, tapped=False))
        tapped = export_onnx(model, spec, progress)
        lean = untapped(tapped) or export_onnx(model, spec, progress, tapped=False)
        if name == "int8":
            samples = list(calibration or ())
            if not samples:
                raise ValueError("the int8 backend needs calibration inputs (preprocessed frames)")
            int8_engine = engine or default_int8_engine()
            tapped = quantize(tapped, samples, int8_engine, progress)
            lean = quantize(lean, samples, int8_engine, progress)
        runner = OnnxRunner(tapped, threads, lean)
        runner.backend = name
        return runner
    raise BackendUnavailable(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")


def agreement(reference: nn.Module, runner, inputs: Iterable[np.ndarray]) -> dict:
    """Top-1 agreement and max abs logit difference of ``runner`` vs fp32 eager on the same inputs."""
    same, total, worst = 0, 0, 0.0
    with torch.inference_mode():
        for array in inputs:
            x = torch.from_numpy(np.ascontiguousarray(array))
            expected = reference(x)
            got, _ = runner(x)
            same += int(expected.argmax(1).item() == got.argmax(1).item())
            worst = max(worst, float((expected - got).abs().max()))
            total += 1
    return {"top1_agreement": same / max(1, total), "max_abs_diff": worst, "frames": total}
