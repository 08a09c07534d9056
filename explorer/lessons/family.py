"""Lesson `family`: ShuffleNet among the networks it was made to beat, on this machine."""

from __future__ import annotations

from explorer.analysis.complexity import spec_tables
from explorer.lessons.base import BUSY_SPREAD, MIN_CPU_SHARE, LessonResult, Plot, machine_info, timed_verdict
from explorer.lessons.papers import PAPERS
from explorer.lessons.timing import available_backends, latency, timed_fields, wake
from explorer.models import ModelSpec
from explorer.models.architecture import architecture, architectures
from explorer.models.registry import build_model
from explorer.optional import torchvision_status
from explorer.progress import check_cancel

PAUSES_VIDEO = True  # it times models: timings taken beside the video would measure the video too
TITLE = "Which network should this machine run?"
EXPLANATION = (
    "ShuffleNet was designed to beat MobileNet at equal FLOPs. Here every network with a published ImageNet "
    "top-1 runs on this machine: ShuffleNet V1 and V2, MobileNetV1 (its paper's four widths), MobileNetV2 and "
    "V3, SqueezeNet 1.1 and MnasNet. Each point is a network: across, its measured latency here; up, the "
    "accuracy its authors published. Large points are the Pareto front: no other network is both faster and "
    "more accurate. For a latency budget, pick the highest point left of it (the notes list a few budgets)."
)
PAPER = PAPERS["family"]


def _specs() -> tuple[list[ModelSpec], list[str]]:
    """Every image network's variants with a published top-1 (each entry carries its figures), and a
    note for each entry that has none: it cannot be placed on the accuracy axis."""
    specs, notes = [], []
    for entry in architectures():
        if entry.input_kind != "image":
            continue
        placed = entry.published_specs(top1=True)
        specs += placed
        if not placed and not entry.published:
            notes.append(f"{entry.title}: no published figures in its entry, so it is not placed (no accuracy to plot)")
    return specs, notes


def pareto(points: list[tuple[float, float]]) -> list[bool]:
    """For (latency, accuracy) points: True where no other point is at least as fast and as
    accurate and strictly better in one."""
    return [not any((o[0] <= p[0] and o[1] >= p[1]) and (o[0] < p[0] or o[1] > p[1]) for o in points) for p in points]


def best_within(rows: list[dict], budget_ms: float) -> dict | None:
    fitting = [r for r in rows if r["ms"] <= budget_ms]
    return max(fitting, key=lambda r: r["top1"]) if fitting else None


def run(threads: int, progress=None, cancel=None, quick: bool = False) -> LessonResult:
    backends = available_backends()
    wake(threads)
    torchvision = torchvision_status()
    specs, notes = _specs()
    specs = [s for s in specs if torchvision.available or not s.architecture.needs_torchvision]
    if not torchvision.available:
        notes.append(f"torchvision is unusable ({torchvision.error}): its models are left out; {torchvision.fix}")
    rows = []
    total, done = len(specs) * len(backends), 0
    for spec in specs:
        published = spec.architecture.figures(spec)
        report = spec_tables(spec)[0]
        model = build_model(spec, seed=0)
        for backend in backends:
            check_cancel(cancel)
            timed = latency(model, spec.input_shape, backend, threads, runs=5 if quick else 25, warmup=4)
            ms = timed.median_ms
            name = spec.label.rsplit(" @", 1)[0].replace("ShuffleNet ", "ShuffleNet")
            rows.append(
                {
                    "model": name,
                    "arch": spec.arch,
                    "backend": backend,
                    "mflops": round(report.totals.madds / 1e6, 1),
                    "params_m": round(report.totals.params / 1e6, 2),
                    "top1": published.top1,
                    "top1_source": published.top1_source or published.source,
                    **timed_fields(timed),
                    "series": backend,
                }
            )
            done += 1
            if progress:
                progress(done / total, f"{name} on {backend}: {ms:.1f} ms")
    verdicts = []
    for backend in backends:
        mine = [r for r in rows if r["backend"] == backend]
        for row, front in zip(mine, pareto([(r["ms"], r["top1"]) for r in mine])):
            row["pareto"] = front
        front_names = [r["model"] for r in mine if r["pareto"]]
        shufflenets = [r["model"] for r in mine if r["pareto"] and architecture(r["arch"]).shufflenet]
        verdicts.append(
            timed_verdict(
                f"a ShuffleNet is on this machine's speed/accuracy Pareto front ({backend})",
                bool(shufflenets),
                f"front: {', '.join(front_names)}",
                mine,
            )
        )
        by_name = {r["model"]: r for r in mine}
        if "MobileNetV1 1x" in by_name and "ShuffleNetV2 1x" in by_name:
            v2, mb = by_name["ShuffleNetV2 1x"], by_name["MobileNetV1 1x"]
            verdicts.append(
                timed_verdict(
                    f"ShuffleNet V2 1x runs faster than MobileNetV1 1.0 ({backend})",
                    v2["ms"] < mb["ms"],
                    f"{v2['ms']:.1f} vs {mb['ms']:.1f} ms for {v2['top1']} vs {mb['top1']} % top-1, "
                    f"{v2['mflops']:.0f} vs {mb['mflops']:.0f} MFLOPs",
                    [v2, mb],
                )
            )
        fastest, slowest = min(r["ms"] for r in mine), max(r["ms"] for r in mine)
        worst, least = max(r["spread"] for r in mine), min(r["cpu_share"] for r in mine)
        if worst > BUSY_SPREAD or least < MIN_CPU_SHARE:
            notes.append(
                f"{backend}: no budget advice, the machine was busy while timing (spread {worst:.2f}, CPU share {least:.2f})"
            )
            continue
        for budget in sorted({round(fastest * 1.5, 1), round((fastest + slowest) / 2, 1), round(slowest, 1)}):
            best = best_within(mine, budget)
            if best:
                notes.append(
                    f"{backend} at {threads} thread{'s' if threads != 1 else ''}, budget {budget:g} ms: "
                    f"{best['model']} ({best['top1']} % top-1, {best['ms']:.1f} ms)"
                )
    return LessonResult(
        "family",
        TITLE,
        EXPLANATION,
        machine_info(threads),
        rows,
        PAPER,
        verdicts,
        Plot(
            "ms",
            "top1",
            "series",
            f"measured latency here (ms, batch 1, {threads} thread{'s' if threads != 1 else ''})",
            "published ImageNet top-1 (%)",
            mark="pareto",
            label="model",
            first="pareto",  # the front is what the figure is read for: its names take their spots first
        ),
        notes,
    )
