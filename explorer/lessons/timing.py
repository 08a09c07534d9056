"""Latency of any module on this machine: torch eager fp32, and ONNX Runtime when installed
(the app's own fastest correct backend), both at the lesson's thread count.  Every timed row
carries its spread, so a verdict can tell a busy machine from a real difference."""

from __future__ import annotations

import io
import time

import numpy as np
import torch
from torch import nn

from explorer.analysis.latency import LatencyResult, time_callable, torch_threads
from explorer.models.registry import random_input
from explorer.runtime.onnx_backend import FP32, session
from explorer.runtime.tracing import tracing

TORCH = "torch"  # the module as it is, in eager mode
ORT = FP32.name  # the app's ONNX Runtime backend, on an export of the module


def available_backends() -> tuple[str, ...]:
    return (TORCH, ORT) if FP32.available else (TORCH,)


def _onnx_bytes(module: nn.Module, shape: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    with tracing():
        torch.onnx.export(
            module.eval(),
            (torch.zeros(1, *shape),),
            buffer,
            dynamo=False,
            opset_version=17,
            input_names=["input"],
            output_names=["output"],
            do_constant_folding=True,
        )
    return buffer.getvalue()


def wake(threads: int, seconds: float = 0.3) -> None:
    """Busy the thread pool for a moment: the first model timed after an idle spell otherwise
    pays for the cores waking up (measured: 2-3x its later time)."""
    a = random_input(256, 256)
    end = time.perf_counter() + seconds
    with torch_threads(threads):
        while time.perf_counter() < end:
            a @ a


def latency(
    module: nn.Module, shape: tuple[int, ...], backend: str, threads: int, runs: int = 20, warmup: int = 3
) -> LatencyResult:
    """One batch-1 forward of ``module`` on ``backend``: median, p90 and the run count."""
    module = module.eval()
    x = random_input(1, *shape)
    if backend == TORCH:
        return time_callable(lambda: module(x), runs=runs, warmup=warmup, threads=threads)[0]
    ort = session(_onnx_bytes(module, shape), threads)
    feed = {"input": np.ascontiguousarray(x.numpy())}
    return time_callable(lambda: ort.run(None, feed), runs=runs, warmup=warmup, threads=threads)[0]


def timed_fields(result: LatencyResult, digits: int = 2) -> dict:
    """What every timed row carries: the median, its spread (p90 / median), how many runs, and the
    share of the CPU the process got meanwhile (see LatencyResult.cpu_share)."""
    return {
        "ms": round(result.median_ms, digits),
        "spread": round(result.p90_ms / result.median_ms, 2),
        "runs": result.runs,
        "cpu_share": round(result.cpu_share, 2),
    }
