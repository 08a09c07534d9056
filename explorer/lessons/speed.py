"""Lesson `flops-vs-speed`: ShuffleNet V1's own speed claim and its group-count table, measured here."""

from __future__ import annotations

from explorer.analysis.complexity import count_layers, spec_tables
from explorer.lessons.base import LessonResult, Plot, machine_info, timed_verdict
from explorer.lessons.papers import PAPERS
from explorer.lessons.timing import available_backends, latency, timed_fields, wake
from explorer.models import ModelSpec
from explorer.models.registry import build_model, seeded_rng
from explorer.models.v1 import V1
from explorer.optional import torchvision_status
from explorer.progress import check_cancel

PAUSES_VIDEO = True  # it times models: timings taken beside the video would measure the video too
TITLE = "4x fewer FLOPs is not 4x faster"
EXPLANATION = (
    "The ShuffleNet V1 paper measured its models on a phone and wrote that every 4x cut in theoretical "
    "complexity usually gave only about 2.6x actual speed-up. Here the same models run on this machine: V1 g = 3 "
    "from 2x down to 0.25x, and V1 1x for every group count (the paper's Table 1 keeps their FLOPs nearly equal). "
    "Each point is a model: across, how much fewer FLOPs it has than V1 2x (theoretical speed-up); up, how much "
    "faster it really runs (both axes logarithmic). On the dashed line FLOPs would be speed; below it, they are "
    "not. AlexNet, the paper's baseline for its ~13x claim, is timed too (no trained weights are needed to time it)."
)
SCALES = (2.0, 1.5, 1.0, 0.5, 0.25)
PAPER = PAPERS["flops-vs-speed"]
PAPER_MS = {0.5: 15.2, 1.0: 37.8, 2.0: 108.8}
HEADLINE = "V1 1x g=3"  # the paper's own comparison model: its label is placed before the others
ALEXNET_PAPER = (13.0, 18.0)  # ShuffleNet 0.5x over AlexNet on an ARM phone: ~13x actual, ~18x theoretical (V1 paper)


def _models() -> tuple[list[tuple[str, str, ModelSpec | None, object]], list[str]]:
    """(group, label, spec or None, module) for every timed network, and notes on what is missing."""
    models = [
        ("V1 g=3 2x..0.25x", _label(spec), spec, None)
        for spec in (ModelSpec.create(V1.name, groups=3, scale=s) for s in SCALES)
    ]
    models += [
        ("V1 1x g=1..8", _label(spec), spec, None)
        for spec in (ModelSpec.create(V1.name, groups=g, scale=1.0) for g in V1.group_choices if g != 3)
    ]
    status = torchvision_status()
    if not status.available:
        return models, [f"AlexNet left out: torchvision is unusable ({status.error}); {status.fix}"]
    from torchvision.models import alexnet  # torchvision builds it; timing needs no trained weights

    with seeded_rng(0):
        return models + [("AlexNet", "AlexNet", None, alexnet(weights=None).eval())], []


def _label(spec: ModelSpec) -> str:
    return spec.label.replace("ShuffleNet ", "").rsplit(" @", 1)[0]


def run(threads: int, progress=None, cancel=None, quick: bool = False) -> LessonResult:
    backends = available_backends()
    wake(threads)
    models, notes = _models()
    reference = spec_tables(models[0][2])[0].totals.madds
    rows, ref_ms = [], {}
    total, done = len(models) * len(backends), 0
    thread_text = f"{threads} thread{'s' if threads != 1 else ''}"
    for group, label, spec, module in models:
        shape = spec.input_shape if spec else (3, 224, 224)
        madds = spec_tables(spec)[0].totals.madds if spec else count_layers(module, shape)[1].madds
        published = spec.architecture.figures(spec) if spec else None
        model = build_model(spec, seed=0) if spec else module
        for backend in backends:
            check_cancel(cancel)
            timed = latency(model, shape, backend, threads, runs=5 if quick else 25, warmup=4)
            ms = timed.median_ms
            ref_ms.setdefault(backend, ms)
            rows.append(
                {
                    "model": label,
                    "group": group,
                    "backend": backend,
                    "threads": threads,
                    "mflops": round(madds / 1e6, 1),
                    "published_mflops": published.madds_m if published else None,
                    **timed_fields(timed),
                    "theoretical_speedup": round(reference / madds, 3),
                    "actual_speedup": round(ref_ms[backend] / ms, 3),
                    "paper_ms": PAPER_MS.get(spec.scale) if spec and spec.groups == 3 else None,
                    "headline": label == HEADLINE,
                    "series": f"{group} · {backend}",
                }
            )
            done += 1
            if progress:
                progress(done / total, f"{label} on {backend}, {thread_text}: {ms:.1f} ms")
    verdicts = [
        v for backend in backends for v in _verdicts([r for r in rows if r["backend"] == backend], backend, thread_text)
    ]
    return LessonResult(
        "flops-vs-speed",
        TITLE,
        EXPLANATION,
        machine_info(threads),
        rows,
        PAPER,
        verdicts,
        Plot(
            "theoretical_speedup",
            "actual_speedup",
            "series",
            "theoretical speed-up (x, FLOPs ratio to V1 2x)",
            f"actual speed-up (x, {thread_text})",
            log_x=True,
            log_y=True,
            diagonal=True,
            label="model",
            diagonal_label="FLOPs = speed (actual = theoretical)",
            first="headline",
        ),
        notes,
    )


def _verdicts(mine: list[dict], backend: str, thread_text: str) -> list:
    by_model = {r["model"]: r for r in mine}
    on = f" ({backend}, {thread_text})"
    one, two = by_model["V1 1x g=3"], by_model["V1 2x g=3"]
    step, flops = two["ms"] / one["ms"], two["mflops"] / one["mflops"]
    verdicts = [
        timed_verdict(
            "a ~4x FLOPs cut (V1 2x -> 1x) gives well under 4x speed" + on,
            step < 0.8 * flops,
            f"{flops:.1f}x fewer FLOPs, {step:.2f}x faster (paper: ~2.6x; its phone: {108.8 / 37.8:.2f}x)",
            [one, two],
        )
    ]
    by_g = [by_model[f"V1 1x g={g}"] for g in V1.group_choices]
    spread_ms = max(r["ms"] for r in by_g) / min(r["ms"] for r in by_g)
    spread_flops = max(r["mflops"] for r in by_g) / min(r["mflops"] for r in by_g)
    slowest = max(by_g, key=lambda r: r["ms"])["model"]
    verdicts.append(
        timed_verdict(
            "equal FLOPs across g (Table 1) are not equal speed" + on,
            spread_ms > spread_flops * 1.1,
            f"FLOPs differ by {spread_flops:.2f}x, time by {spread_ms:.2f}x; slowest {slowest}",
            by_g,
        )
    )
    if "AlexNet" in by_model:
        alex, half = by_model["AlexNet"], by_model["V1 0.5x g=3"]
        actual, theoretical = alex["ms"] / half["ms"], alex["mflops"] / half["mflops"]
        paper_actual, paper_theoretical = ALEXNET_PAPER
        verdicts.append(
            timed_verdict(
                f"ShuffleNet 0.5x runs ~{paper_actual:.0f}x faster than AlexNet (the paper's phone; theoretical ~{paper_theoretical:.0f}x)"
                + on,
                actual >= 0.8 * paper_actual,
                f"here {actual:.1f}x actual of {theoretical:.1f}x theoretical ({half['ms']:.1f} vs {alex['ms']:.1f} ms)",
                [alex, half],
            )
        )
    return verdicts
