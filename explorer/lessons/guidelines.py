"""Lesson `guidelines`: the ShuffleNet V2 paper's four guidelines (G1-G4), measured here."""

from __future__ import annotations

from explorer.analysis.complexity import count_layers
from explorer.lessons.base import LessonResult, Plot, machine_info, timed_verdict
from explorer.lessons.blocks import GUIDELINES
from explorer.lessons.papers import PAPERS
from explorer.lessons.timing import ORT, available_backends, latency, timed_fields, wake
from explorer.progress import check_cancel

PAUSES_VIDEO = True  # it times models: timings taken beside the video would measure the video too
TITLE = "FLOPs are not speed: the four guidelines of ShuffleNet V2"
EXPLANATION = (
    "ShuffleNet V2's authors timed small test networks that all have the same FLOPs and found four rules "
    "for fast networks (Section 2). Each group of variants here has the same multiply-adds, counted by this "
    "app; only how the work is laid out differs. G1: a 1x1 conv is cheapest in memory traffic when its input "
    "and output widths are equal. G2: more groups at the same FLOPs means wider layers and more memory "
    "traffic. G3: many small operators run less in parallel than one big one. G4: ReLU and additions cost "
    "no FLOPs but still read and write every value. The plot shows each variant's time relative to the "
    "first of its group (1.0 = as fast)."
)
PAPER = PAPERS["guidelines"]
NOISE = 1.02  # a difference under 2 % is not called a difference


def _verdicts(rows: list[dict], backend: str) -> list:
    ms = {(r["guideline"], r["step"]): r["ms"] for r in rows if r["backend"] == backend}
    mine = {
        guideline: [r for r in rows if r["backend"] == backend and r["guideline"] == guideline]
        for guideline in GUIDELINES
    }
    name = {(r["guideline"], r["step"]): r["variant"] for r in rows}
    threads = next(r["threads"] for r in rows)
    on = f" ({backend}, {threads} thread{'s' if threads != 1 else ''})"
    g1_others = [ms[("G1", s)] for s in (1, 2, 3)]
    worst = max(range(1, 4), key=lambda s: ms[("G1", s)])
    fastest = min(range(4), key=lambda s: ms[("G1", s)])
    g1 = (
        f"{name[('G1', worst)].split(' ')[0]} takes {ms[('G1', worst)] / ms[('G1', 0)]:.2f}x the time of 1:1"
        if fastest == 0
        else f"{name[('G1', fastest)].split(' ')[0]} is fastest; 1:1 takes {ms[('G1', 0)] / ms[('G1', fastest)]:.2f}x its time"
    )
    g3_slowest = max(range(1, 5), key=lambda s: ms[("G3", s)])
    return [
        timed_verdict(
            "G1: equal widths (1:1) run fastest at equal FLOPs" + on,
            ms[("G1", 0)] <= min(g1_others) * NOISE,
            g1,
            mine["G1"],
        ),
        timed_verdict(
            "G2: more groups run slower at equal FLOPs" + on,
            ms[("G2", 3)] > ms[("G2", 0)] * NOISE,
            f"g = 8 takes {ms[('G2', 3)] / ms[('G2', 0)]:.2f}x the time of g = 1",
            mine["G2"],
        ),
        timed_verdict(
            "G3: fragmented blocks run slower than one operator" + on,
            min(ms[("G3", s)] for s in range(1, 5)) > ms[("G3", 0)],
            f"{name[('G3', g3_slowest)].split(' ')[0]} takes {ms[('G3', g3_slowest)] / ms[('G3', 0)]:.2f}x the time of 1-fragment",
            mine["G3"],
        ),
        timed_verdict(
            "G4: ReLU and shortcut cost time although they add no FLOPs" + on,
            ms[("G4", 0)] > ms[("G4", 3)] * NOISE,
            f"with both: {ms[('G4', 0)] / ms[('G4', 3)]:.2f}x the time without",
            mine["G4"],
        ),
    ]


def run(threads: int, progress=None, cancel=None, quick: bool = False) -> LessonResult:
    backends = available_backends()
    wake(threads)
    variants = [v for make in GUIDELINES.values() for v in make()]
    rows, firsts = [], {}
    total = len(variants) * len(backends)
    done = 0
    for position, (step_of, variant) in enumerate(_numbered(variants)):
        totals = count_layers(variant.module, variant.input_shape)[1]
        for backend in backends:
            check_cancel(cancel)
            timed = latency(
                variant.module, variant.input_shape, backend, threads, runs=5 if quick else 20, warmup=2 if quick else 3
            )
            ms = timed.median_ms
            firsts.setdefault((variant.guideline, backend), ms)
            rows.append(
                {
                    "guideline": variant.guideline,
                    "step": step_of,
                    "variant": variant.name,
                    "backend": backend,
                    "threads": threads,
                    "mflops": round(totals.madds / 1e6, 1),
                    "mac_m": round(totals.mac / 1e6, 2),
                    "mac_formula_m": round(variant.mac_formula / 1e6, 2) if variant.mac_formula else None,
                    **timed_fields(timed, 3),
                    "relative": round(ms / firsts[(variant.guideline, backend)], 3),
                    "position": position + GAPS[variant.guideline],
                    "axis": AXIS_NAMES[variant.guideline],
                    "short": short_name(variant.name) if backend == backends[0] else None,  # one name per variant
                    "series": backend,
                }
            )
            done += 1
            if progress:
                progress(done / total, f"{variant.guideline} {variant.name} on {backend}: {ms:.1f} ms")
    last_step = {}
    for row in rows:
        last_step[row["guideline"]] = max(last_step.get(row["guideline"], 0), row["step"])
    for row in rows:  # each guideline's baseline and its far end carry the claim: named first in a crowd
        row["ends"] = row["step"] in (0, last_step[row["guideline"]])
    verdicts = [v for backend in backends for v in _verdicts(rows, backend)]
    notes = [] if ORT in backends else ["ONNX Runtime is not installed: measured on torch only"]
    return LessonResult(
        "guidelines",
        TITLE,
        EXPLANATION,
        machine_info(threads),
        rows,
        PAPER,
        verdicts,
        Plot(
            "position",
            "relative",
            "series",
            "variants by guideline (each timed against the first of its guideline)",
            f"time relative to the first variant (x; {threads} thread{'s' if threads != 1 else ''})",
            x_ticks="axis",
            label="short",
            first="ends",
            segment="guideline",
            hover="variant",
        ),
        notes,
    )


GAPS = {"G1": 0, "G2": 1, "G3": 2, "G4": 3}  # a blank position between guidelines
AXIS_NAMES = {"G1": "G1: c1:c2", "G2": "G2: groups", "G3": "G3: fragments", "G4": "G4: ReLU, add"}


def short_name(name: str) -> str:
    """A tick-sized name: "1:12 (64, 768)" -> "1:12", "2-fragment-series (c = 80)" -> "2 series"."""
    short = name.split(" (")[0].replace("-fragment-", " ").replace("-fragment", " op")
    return (
        short.replace("ReLU on, shortcut on", "both")
        .replace("ReLU off, shortcut on", "no ReLU")
        .replace("ReLU on, shortcut off", "no add")
        .replace("ReLU off, shortcut off", "neither")
    )


def _numbered(variants):
    counts: dict[str, int] = {}
    for variant in variants:
        step = counts.get(variant.guideline, 0)
        counts[variant.guideline] = step + 1
        yield step, variant
