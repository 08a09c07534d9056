"""Fit to a frame rate: the largest model of the user's architecture that this machine runs at
the target rate, measured here.

Candidates vary the backend, the input size (224 down to 128 in steps of 32) and, for V1/V2, the
scale; the group count and the architecture stay the user's.  int8 is considered only where fp32
cannot reach the target (it is never chosen silently), and only if its top-1 agreement with fp32
eager is at least 98 %.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from explorer.analysis.complexity import analyze
from explorer.engine.measure import Candidate, measure_pipeline
from explorer.models.spec import ModelSpec
from explorer.progress import Progress, check_cancel
from explorer.runtime import registry

FIT_SIZES = (224, 192, 160, 128)
INT8_MIN_AGREEMENT = 0.98
DEFAULT_FPS_TARGET = 30.0


@dataclass(frozen=True)
class FitResult:
    target_fps: float
    chosen: Candidate | None
    candidates: tuple[Candidate, ...]
    seconds: float

    def to_dict(self) -> dict:
        return {
            "target_fps": self.target_fps,
            "chosen": self.chosen.to_dict() if self.chosen else None,
            "candidates": [c.to_dict() for c in self.candidates],
            "seconds": round(self.seconds, 1),
        }

    def summary(self) -> str:
        if self.chosen is None:
            fastest = max(self.candidates, key=lambda c: c.fps, default=None)
            best = (
                f"; the fastest, {fastest.spec.label} on {fastest.backend}, runs at {fastest.fps:.0f} fps"
                if fastest
                else ""
            )
            return f"no configuration reaches {self.target_fps:g} fps here{best}"
        c = self.chosen
        return (
            f"{c.spec.label} on {c.backend}: {c.fps:.0f} fps ({c.median_ms:.1f} ms/frame), "
            f"the largest of {len(self.candidates)} measured that reaches {self.target_fps:g} fps ({self.seconds:.0f} s)"
        )


def fit_specs(spec: ModelSpec) -> list[ModelSpec]:
    """The configurations fit may pick from, largest first: same arch, groups and shuffle."""
    if spec.input_kind != "image":
        return [spec]
    specs = [
        spec.with_changes(scale=scale, input_size=size) for scale in spec.architecture.scales for size in FIT_SIZES
    ]
    return sorted(specs, key=lambda s: (s.scale, s.input_size), reverse=True)


def fp32_backends() -> list[str]:
    """The full-precision backends worth timing (the reference is there to check, not to run)."""
    return [b.name for b in registry.usable(reduced_precision=False, reference=False)]


def reduced_backends() -> list[str]:
    return [b.name for b in registry.usable(reduced_precision=True)]


def choose(candidates, target_fps: float) -> Candidate | None:
    """The candidate with the most multiply-adds that reaches ``target_fps`` (ties: the faster);
    reduced precision only with top-1 agreement >= 98 %."""

    def trusted(c: Candidate) -> bool:
        return not registry.get(c.backend).reduced_precision or c.top1_agreement >= INT8_MIN_AGREEMENT

    passing = [c for c in candidates if c.fps >= target_fps and trusted(c)]
    return max(passing, key=lambda c: (c.madds, c.fps), default=None)


def run_fit(
    spec: ModelSpec,
    target_fps: float,
    threads: int,
    runs: int = 15,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    measure=measure_pipeline,
) -> FitResult:
    if not target_fps > 0:
        raise ValueError(f"the target frame rate must be > 0, got {target_fps}")
    start = time.perf_counter()
    specs = fit_specs(spec)
    plan = [(s, b) for s in specs for b in fp32_backends()]
    candidates: list[Candidate] = []
    for index, (candidate_spec, backend) in enumerate(plan):
        check_cancel(cancel)
        if progress:
            progress(index / len(plan), f"measuring {candidate_spec.label} on {backend}")
        candidates.append(measure(candidate_spec, backend, threads, runs=runs))
    best = choose(candidates, target_fps)
    for reduced in reduced_backends():
        # fp32 falls short for the larger specs: see whether reduced precision carries them (never silently)
        larger = [s for s in specs if best is None or analyze(s).totals.madds > best.madds]
        for index, candidate_spec in enumerate(larger):
            check_cancel(cancel)
            if progress:
                progress(index / len(larger), f"measuring {candidate_spec.label} on {reduced}")
            candidates.append(measure(candidate_spec, reduced, threads, runs=runs))
        best = choose(candidates, target_fps)
    if progress:
        progress(1.0, "fit done")
    return FitResult(float(target_fps), best, tuple(candidates), time.perf_counter() - start)
