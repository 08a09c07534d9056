"""Lesson `flops-vs-speed`: ShuffleNet V1's own speed claim and its group-count table, measured here."""
from __future__ import annotations

from explorer.analysis.complexity import spec_tables
from explorer.lessons.base import LessonResult, Plot, Verdict, machine_info
from explorer.lessons.papers import PAPERS
from explorer.lessons.timing import available_backends, latency_ms, wake
from explorer.models import ModelSpec
from explorer.models.registry import build_model
from explorer.models.variants import PUBLISHED, V1_GROUPS
from explorer.progress import check_cancel

TITLE = "4x fewer FLOPs is not 4x faster"
EXPLANATION = (
    "The ShuffleNet V1 paper measured its models on a phone and wrote that every 4x cut in theoretical "
    "complexity usually gave only about 2.6x actual speed-up. Here the same models run on this machine: V1 g = 3 "
    "from 2x down to 0.25x, and V1 1x for every group count (the paper's Table 1 keeps their FLOPs nearly equal). "
    "Each point is a model: across, how much fewer FLOPs it has than V1 2x (theoretical speed-up); up, how much "
    "faster it really runs. On the dashed diagonal FLOPs would be speed; below it, they are not."
)
SCALES = (2.0, 1.5, 1.0, 0.5, 0.25)
PAPER = PAPERS["flops-vs-speed"]
PAPER_MS = {0.5: 15.2, 1.0: 37.8, 2.0: 108.8}


def _specs() -> list[tuple[str, ModelSpec]]:
    specs = [("V1 g=3, 2x..0.25x", ModelSpec.create("v1", groups=3, scale=s)) for s in SCALES]
    specs += [("V1 1x, g = 1..8", ModelSpec.create("v1", groups=g, scale=1.0)) for g in V1_GROUPS if g != 3]
    return specs


def run(threads: int, progress=None, cancel=None, quick: bool = False) -> LessonResult:
    backends = available_backends()
    wake(threads)
    specs = _specs()
    reference = spec_tables(specs[0][1])[0].totals.madds
    rows, ref_ms = [], {}
    total, done = len(specs) * len(backends), 0
    for group, spec in specs:
        madds = spec_tables(spec)[0].totals.madds
        published = PUBLISHED.get(("v1", spec.groups, spec.scale))
        model = build_model(spec, seed=0)
        for backend in backends:
            check_cancel(cancel)
            ms = latency_ms(model, spec.input_shape, backend, threads, runs=5 if quick else 15, warmup=4)
            ref_ms.setdefault(backend, ms)
            label = spec.label.replace("ShuffleNet ", "").rsplit(" @", 1)[0]
            rows.append({"model": label, "group": group, "backend": backend, "mflops": round(madds / 1e6, 1),
                         "published_mflops": published.madds_m if published else None,
                         "ms": round(ms, 2), "theoretical_speedup": round(reference / madds, 2),
                         "actual_speedup": round(ref_ms[backend] / ms, 2), "paper_ms": PAPER_MS.get(spec.scale) if spec.groups == 3 else None,
                         "series": f"{group} ({backend})"})
            done += 1
            if progress:
                progress(done / total, f"{label} on {backend}: {ms:.1f} ms")
    verdicts = []
    for backend in backends:
        mine = {r["model"]: r for r in rows if r["backend"] == backend}
        one, two = mine["V1 1x g=3"], mine["V1 2x g=3"]
        step = two["ms"] / one["ms"]
        flops = two["mflops"] / one["mflops"]
        verdicts.append(Verdict(f"a ~4x FLOPs cut (V1 2x -> 1x) gives well under 4x speed ({backend})", step < 0.8 * flops,
                                f"{flops:.1f}x fewer FLOPs, {step:.2f}x faster (paper: ~2.6x; its phone: {108.8 / 37.8:.2f}x)"))
        by_g = [mine[f"V1 1x g={g}"] for g in V1_GROUPS]
        spread_ms = max(r["ms"] for r in by_g) / min(r["ms"] for r in by_g)
        spread_flops = max(r["mflops"] for r in by_g) / min(r["mflops"] for r in by_g)
        slowest = max(by_g, key=lambda r: r["ms"])["model"]
        verdicts.append(Verdict(f"equal FLOPs across g (Table 1) are not equal speed ({backend})", spread_ms > spread_flops * 1.1,
                                f"FLOPs differ by {spread_flops:.2f}x, time by {spread_ms:.2f}x; slowest {slowest}"))
    return LessonResult("flops-vs-speed", TITLE, EXPLANATION, machine_info(threads), rows, PAPER, verdicts,
                        Plot("theoretical_speedup", "actual_speedup", "series", "theoretical speed-up (FLOPs of V1 2x / FLOPs)",
                             "actual speed-up (time of V1 2x / time)", log_x=True, diagonal=True, label="model"))

