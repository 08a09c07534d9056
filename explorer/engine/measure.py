"""Measure configurations on this machine (shared by `bench`, `fit`, the sweep plot and the window).

The paper's question: does 4x fewer FLOPs give 4x speed?  ("every 4x theoretical complexity
reduction usually results in ~2.6x actual speedup" for V1.)  Each sweep row carries both
ratios, relative to the first row.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from explorer.analysis.complexity import analyze
from explorer.analysis.latency import measure_model, time_callable, torch_threads
from explorer.engine.builder import synthetic_source
from explorer.engine.bundle_request import BundleRequest, build_bundle
from explorer.engine.pipeline import to_input
from explorer.models.architecture import architecture, architectures, with_group_choices
from explorer.models.registry import build_model, random_input
from explorer.models.spec import ModelSpec
from explorer.progress import Progress, check_cancel
from explorer.runtime import registry
from explorer.runtime.base import EXACT


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
    backend: str = ""  # the registry name it ran on (the reference when empty)
    top1_agreement: float = 1.0
    max_abs_diff: float = 0.0

    def __post_init__(self) -> None:
        self.backend = self.backend or registry.reference().name

    @property
    def label(self) -> str:
        entry = architecture(self.arch)
        return entry.describe(ModelSpec.create(self.arch, groups=self.groups, scale=self.scale))


def default_sweep() -> list[ModelSpec]:
    """The grouped network (V1) 1x over all g and over all scales at its default g, then every other
    ShuffleNet with image input over its scales (the papers' tables)."""
    grouped = with_group_choices()
    specs = [ModelSpec.create(grouped.name, groups=g, scale=1.0) for g in grouped.group_choices]
    specs += [ModelSpec.create(grouped.name, scale=s) for s in grouped.scales if s != 1.0]
    for entry in architectures(shufflenet=True):
        if entry is not grouped and entry.input_kind == "image":
            specs += [ModelSpec.create(entry.name, scale=s) for s in entry.scales]
    return specs


def run_sweep(
    specs: list[ModelSpec],
    threads: int | None = None,
    runs: int = 30,
    warmup: int = 5,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    backends: tuple[str, ...] = (),
) -> tuple[int, list[SweepRow]]:
    """Measure every spec on every backend (default: the reference); ``progress(fraction, label)`` after each."""
    backends = backends or (registry.reference().name,)
    rows: list[SweepRow] = []
    total = len(specs) * len(backends)
    with torch_threads(threads) as used:
        for index, (spec, backend) in enumerate(((s, b) for s in specs for b in backends), 1):
            check_cancel(cancel)
            totals = analyze(spec).totals
            if registry.get(backend).reference:
                latency = measure_model(build_model(spec), spec.input_shape, runs=runs, warmup=warmup)
                check = EXACT
            else:
                bundle = build_bundle(BundleRequest.of(spec, backend=backend, threads=used))
                x = random_input(1, *spec.input_shape)
                latency, _ = time_callable(lambda: bundle.runner(x), runs=runs, warmup=warmup)
                check = bundle.agreement or EXACT
            rows.append(
                SweepRow(
                    spec.arch,
                    spec.groups,
                    spec.scale,
                    totals.params,
                    totals.madds,
                    totals.mac,
                    round(latency.median_ms, 3),
                    round(latency.p90_ms, 3),
                    backend=backend,
                    top1_agreement=round(check.top1_agreement, 4),
                    max_abs_diff=float(f"{check.max_abs_diff:.3g}"),
                )
            )
            if progress is not None:
                progress(index / total, f"{rows[-1].label} {backend}")
    if rows:
        first = rows[0]
        for row in rows:
            row.speedup_theoretical = round(first.madds / row.madds, 3)
            row.speedup_actual = round(first.median_ms / row.median_ms, 3)
    return used, rows


def sweep_series(rows: list[SweepRow]) -> dict[str, list[SweepRow]]:
    """The figure's lines: the grouped network over g at 1x and over scales at its default g, every
    other ShuffleNet over its scales, then the rivals (points only); empty ones left out."""
    grouped = with_group_choices()
    mine = [r for r in rows if r.arch == grouped.name]
    g = grouped.group_choices
    series = {
        f"{grouped.short} 1x, g = {g[0]}..{g[-1]}": [r for r in mine if r.scale == 1.0],
        f"{grouped.short} g={grouped.default_groups}, {grouped.scales[0]:g}x..{grouped.scales[-1]:g}x": [
            r for r in mine if r.groups == grouped.default_groups
        ],
    }
    for entry in architectures(shufflenet=True):
        if entry is not grouped:
            series[f"{entry.short} {entry.scales[0]:g}x..{entry.scales[-1]:g}x"] = [
                r for r in rows if r.arch == entry.name
            ]
    rivals = {a.name for a in architectures(shufflenet=False)}
    series[RIVALS] = [r for r in rows if r.arch in rivals]
    return {name: found for name, found in series.items() if found}


RIVALS = "the rivals"


def groups_note(rows: list[SweepRow]) -> str:
    """The paper's question on these rows: the default g against the largest, at the scale nearest 1x."""
    grouped = with_group_choices()
    low, high = grouped.default_groups, grouped.group_choices[-1]
    by_scale: dict[float, dict[int | None, SweepRow]] = {}
    for r in rows:
        if r.arch == grouped.name:
            by_scale.setdefault(r.scale, {})[r.groups] = r
    scales = sorted((s for s, g in by_scale.items() if low in g and high in g), key=lambda s: abs(s - 1.0))
    if not scales:
        return ""
    a, b = by_scale[scales[0]][low], by_scale[scales[0]][high]
    return (
        f" {grouped.short} {scales[0]:g}x: g={high} has {b.madds / a.madds:.2f}x the FLOPs of g={low} but takes "
        f"{b.median_ms / a.median_ms:.2f}x the time - its memory access cost is {b.mac / a.mac:.2f}x "
        "(G2: group convs cost memory traffic)."
    )


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
        return {
            "spec": self.spec.to_dict(),
            "label": self.spec.label,
            "backend": self.backend,
            "madds": self.madds,
            "median_ms": round(self.median_ms, 3),
            "fps": round(self.fps, 1),
            "top1_agreement": self.top1_agreement,
        }


def measure_pipeline(
    spec: ModelSpec, backend: str, threads: int, runs: int = 20, warmup: int = 3, model=None
) -> Candidate:
    """Preprocess (from a 640x480 frame) + inference of ``spec`` on ``backend``: what one live frame costs."""
    reduced = registry.get(backend).reduced_precision
    scene = synthetic_source(spec.input_kind)  # the compact net times sensor windows, not images
    calibration = [scene.frame_at(i * 5) for i in range(16)] if registry.get(backend).needs_calibration else None
    bundle = build_bundle(
        BundleRequest.of(
            spec, model=model, backend=backend, threads=threads, calibration=calibration, check_agreement=reduced
        )
    )
    frame = scene.frame_at(0)

    def one_frame():
        bundle.runner(to_input(frame, spec, bundle.recipe))

    with torch_threads(threads):
        latency, _ = time_callable(one_frame, runs=runs, warmup=warmup)
    agreement = bundle.agreement.top1_agreement if bundle.agreement else 1.0
    return Candidate(spec, backend, analyze(spec).totals.madds, latency.median_ms, agreement)
