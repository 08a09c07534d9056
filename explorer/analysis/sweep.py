"""Sweep specs: complexity and measured latency side by side (shared by `bench` and the GUI).

The paper's question: does 4x fewer FLOPs give 4x speed?  ("every 4x theoretical complexity
reduction usually results in ~2.6x actual speedup" for V1.)  Each row carries both ratios,
relative to the first row.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from explorer.analysis.complexity import analyze
from explorer.analysis.latency import measure_model, torch_threads
from explorer.models.registry import build_model
from explorer.models.spec import V1_GROUPS, V1_SCALES, V2_SCALES, ModelSpec


@dataclass
class SweepRow:
    arch: str
    groups: int | None
    scale: float
    params: int
    madds: int
    mac: int
    median_ms: float
    p90_ms: float
    speedup_theoretical: float = 1.0
    speedup_actual: float = 1.0
    backend: str = "eager"
    top1_agreement: float = 1.0
    max_abs_diff: float = 0.0

    @property
    def label(self) -> str:
        if self.arch == "v1":
            return f"V1 {self.scale:g}x g={self.groups}"
        return f"V2 {self.scale:g}x" if self.arch == "v2" else "compact"


def default_sweep() -> list[ModelSpec]:
    """V1 1x over all g, V1 g=3 over all scales, V2 over all scales (the papers' tables)."""
    specs = [ModelSpec.create("v1", groups=g, scale=1.0) for g in V1_GROUPS]
    specs += [ModelSpec.create("v1", groups=3, scale=s) for s in V1_SCALES if s != 1.0]
    specs += [ModelSpec.create("v2", scale=s) for s in V2_SCALES]
    return specs


class Cancelled(Exception):
    pass


def run_sweep(
    specs: list[ModelSpec], threads: int | None = None, runs: int = 30, warmup: int = 5,
    progress: Callable[[int, int, ModelSpec], None] | None = None, cancel: threading.Event | None = None,
    backends: tuple[str, ...] = ("eager",),
) -> tuple[int, list[SweepRow]]:
    """Measure every spec on every backend; ``progress(done, total, spec)`` after each."""
    import torch

    from explorer.analysis.latency import time_callable
    from explorer.engine.pipeline import build_bundle

    rows: list[SweepRow] = []
    total = len(specs) * len(backends)
    with torch_threads(threads) as used:
        for index, (spec, backend) in enumerate(((s, b) for s in specs for b in backends), 1):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            totals = analyze(spec).totals
            if backend == "eager":
                latency = measure_model(build_model(spec), spec.input_shape, runs=runs, warmup=warmup)
                check = {"top1_agreement": 1.0, "max_abs_diff": 0.0}
            else:
                bundle = build_bundle(spec, backend=backend, threads=used)
                x = torch.randn(1, *spec.input_shape)
                latency, _ = time_callable(lambda: bundle.runner(x), runs=runs, warmup=warmup)
                check = bundle.extra["agreement"]
            rows.append(SweepRow(spec.arch, spec.groups, spec.scale, totals.params, totals.madds, totals.mac,
                                 round(latency.median_ms, 3), round(latency.p90_ms, 3), backend=backend,
                                 top1_agreement=round(check["top1_agreement"], 4), max_abs_diff=float(f"{check['max_abs_diff']:.3g}")))
            if progress is not None:
                progress(index, total, spec)
    if rows:
        first = rows[0]
        for row in rows:
            row.speedup_theoretical = round(first.madds / row.madds, 3)
            row.speedup_actual = round(first.median_ms / row.median_ms, 3)
    return used, rows
