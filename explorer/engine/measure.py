"""Measure configurations on this machine (shared by `bench`, `fit`, the sweep plot and the window).

The paper's question: does 4x fewer FLOPs give 4x speed?  ("every 4x theoretical complexity
reduction usually results in ~2.6x actual speedup" for V1.)  Each sweep row carries both
ratios, relative to the first row.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import torch

from explorer.analysis.complexity import analyze
from explorer.analysis.latency import measure_model, time_callable, torch_threads
from explorer.engine.pipeline import build_bundle, to_input
from explorer.models.registry import build_model
from explorer.models.spec import ARCH_TITLES, ModelSpec
from explorer.models.variants import SCALES, V1_GROUPS, V1_SCALES, V2_SCALES
from explorer.progress import Progress, check_cancel
from explorer.sources.synthetic import SyntheticSource


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
        if self.arch == "v2":
            return f"V2 {self.scale:g}x"
        if self.arch == "compact":
            return "compact"
        title = ARCH_TITLES[self.arch]
        return f"{title} {self.scale:g}x" if len(SCALES[self.arch]) > 1 else title


def default_sweep() -> list[ModelSpec]:
    """V1 1x over all g, V1 g=3 over all scales, V2 over all scales (the papers' tables)."""
    specs = [ModelSpec.create("v1", groups=g, scale=1.0) for g in V1_GROUPS]
    specs += [ModelSpec.create("v1", groups=3, scale=s) for s in V1_SCALES if s != 1.0]
    specs += [ModelSpec.create("v2", scale=s) for s in V2_SCALES]
    return specs


def run_sweep(
    specs: list[ModelSpec], threads: int | None = None, runs: int = 30, warmup: int = 5,
    progress: Progress | None = None, cancel: threading.Event | None = None,
    backends: tuple[str, ...] = ("eager",),
) -> tuple[int, list[SweepRow]]:
    """Measure every spec on every backend; ``progress(fraction, label)`` after each."""
    rows: list[SweepRow] = []
    total = len(specs) * len(backends)
    with torch_threads(threads) as used:
        for index, (spec, backend) in enumerate(((s, b) for s in specs for b in backends), 1):
            check_cancel(cancel)
            totals = analyze(spec).totals
            if backend == "eager":
                latency = measure_model(build_model(spec), spec.input_shape, runs=runs, warmup=warmup)
                check = {"top1_agreement": 1.0, "max_abs_diff": 0.0}
            else:
                bundle = build_bundle(spec, backend=backend, threads=used)
                x = torch.randn(1, *spec.input_shape)
                latency, _ = time_callable(lambda: bundle.runner(x), runs=runs, warmup=warmup)
                check = bundle.agreement
            rows.append(SweepRow(spec.arch, spec.groups, spec.scale, totals.params, totals.madds, totals.mac,
                                 round(latency.median_ms, 3), round(latency.p90_ms, 3), backend=backend,
                                 top1_agreement=round(check["top1_agreement"], 4), max_abs_diff=float(f"{check['max_abs_diff']:.3g}")))
            if progress is not None:
                progress(index / total, f"{rows[-1].label} {backend}")
    if rows:
        first = rows[0]
        for row in rows:
            row.speedup_theoretical = round(first.madds / row.madds, 3)
            row.speedup_actual = round(first.median_ms / row.median_ms, 3)
    return used, rows


@dataclass(frozen=True)
class Candidate:
    """One configuration measured for fit-to-fps: the per-frame pipeline (preprocess + inference)."""

    spec: ModelSpec
    backend: str
    madds: int
    median_ms: float
    top1_agreement: float = 1.0

    @property
    def fps(self) -> float:
        return 1000.0 / self.median_ms if self.median_ms > 0 else float("inf")

    def to_dict(self) -> dict:
        return {"spec": self.spec.to_dict(), "label": self.spec.label, "backend": self.backend, "madds": self.madds,
                "median_ms": round(self.median_ms, 3), "fps": round(self.fps, 1), "top1_agreement": self.top1_agreement}


def measure_pipeline(spec: ModelSpec, backend: str, threads: int, runs: int = 20, warmup: int = 3, model=None) -> Candidate:
    """Preprocess (from a 640x480 frame) + inference of ``spec`` on ``backend``: what one live frame costs."""
    calibration = [SyntheticSource(seed=3).frame_at(i * 5) for i in range(16)] if backend == "int8" else None
    bundle = build_bundle(spec, model=model, backend=backend, threads=threads, calibration=calibration,
                          check_agreement=backend == "int8")
    frame = SyntheticSource(seed=1).frame_at(0)

    def one_frame():
        bundle.runner(to_input(frame, spec, bundle.recipe))

    with torch_threads(threads):
        latency, _ = time_callable(one_frame, runs=runs, warmup=warmup)
    agreement = bundle.agreement["top1_agreement"] if bundle.agreement else 1.0
    return Candidate(spec, backend, analyze(spec).totals.madds, latency.median_ms, agreement)

