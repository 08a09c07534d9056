"""Latency measurement: warm up, then median and p90 over many runs, thread count stated.

Per-layer timings come from forward pre/post hooks on leaf modules.  They are indicative only:
the hooks themselves add overhead and eager ops are timed one by one, so per-layer times do not
add up exactly to the whole-model time.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from explorer.models.registry import random_input


@dataclass(frozen=True)
class LatencyResult:
    median_ms: float
    p90_ms: float
    min_ms: float
    runs: int
    warmup: int
    threads: int
    # CPU time this process got over wall time x threads while timing: ~1 on a quiet machine, well
    # under 1 when other programs took the cores (evenly slowed runs can keep the spread low)
    cpu_share: float = 1.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LayerLatency:
    name: str
    type: str
    median_ms: float


def percentile(samples, q: float) -> float:
    """The q-th percentile (0..100, linear interpolation): the one definition every table uses."""
    if len(samples) == 0:
        raise ValueError("no samples")
    return float(np.percentile(np.asarray(samples, dtype=float), q))


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[int]:
    """Run with ``threads`` intra-op threads (None: leave as is), restoring afterwards."""
    previous = torch.get_num_threads()
    if threads is not None:
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        torch.set_num_threads(threads)
    try:
        yield torch.get_num_threads()
    finally:
        torch.set_num_threads(previous)


def time_callable(
    fn: Callable[[], object], runs: int = 50, warmup: int = 10, threads: int | None = None
) -> tuple[LatencyResult, list[float]]:
    """Time ``fn`` (already bound to its input); returns the summary and the raw samples in ms."""
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    with torch_threads(threads) as used, torch.inference_mode():
        for _ in range(warmup):
            fn()
        samples = []
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000.0)
        cpu, wall = time.process_time() - cpu_start, time.perf_counter() - wall_start
    result = LatencyResult(
        median_ms=statistics.median(samples),
        p90_ms=percentile(samples, 90),
        min_ms=min(samples),
        runs=runs,
        warmup=warmup,
        threads=used,
        cpu_share=min(1.0, cpu / max(wall * used, 1e-9)),
    )
    return result, samples


def measure_model(
    model: nn.Module,
    input_shape: tuple[int, ...],
    runs: int = 50,
    warmup: int = 10,
    threads: int | None = None,
    batch: int = 1,
) -> LatencyResult:
    """Whole-model latency of ``model`` on a random input of ``(batch, *input_shape)``."""
    x = random_input(batch, *input_shape)
    model.eval()
    result, _ = time_callable(lambda: model(x), runs=runs, warmup=warmup, threads=threads)
    return result


def measure_layers(
    model: nn.Module, input_shape: tuple[int, ...], runs: int = 20, warmup: int = 3, threads: int | None = None
) -> list[LayerLatency]:
    """Median time of every leaf module, in call order (indicative: hooks add overhead)."""
    x = random_input(1, *input_shape)
    starts: dict[str, float] = {}
    samples: dict[str, list[float]] = {}
    types: dict[str, str] = {}
    handles = []

    def pre(name):
        def hook(_m, _a):
            starts[name] = time.perf_counter()

        return hook

    def post(name):
        def hook(_m, _a, _o):
            samples.setdefault(name, []).append((time.perf_counter() - starts[name]) * 1000.0)

        return hook

    for name, module in model.named_modules():
        if name and not any(True for _ in module.children()):
            types[name] = type(module).__name__
            handles.append(module.register_forward_pre_hook(pre(name)))
            handles.append(module.register_forward_hook(post(name)))
    try:
        with torch_threads(threads), torch.inference_mode():
            for _ in range(warmup):
                model(x)
            samples.clear()
            for _ in range(runs):
                model(x)
    finally:
        for handle in handles:
            handle.remove()
    return [LayerLatency(name, types[name], statistics.median(s)) for name, s in samples.items()]
