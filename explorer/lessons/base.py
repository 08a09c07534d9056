"""What a lesson returns, and the machine it ran on."""

from __future__ import annotations

import csv
import io
import os
import platform
from dataclasses import asdict, dataclass, field
from typing import Protocol

from explorer.runtime import registry

# p90 / median of a timed row above this: its runs were disturbed (measured quiet here, rows of
# flops-vs-speed at 1 thread over three runs: 1.01-1.44, most under 1.1 (a ~1 ms model jitters
# most); with two other processes keeping both cores busy: 1.02-10.5)
BUSY_SPREAD = 1.5
# CPU time the process got over wall time x threads below this: something else had the cores.
# The surer sign: two busy processes on both cores slowed some models evenly (spread 1.05-1.3)
# while taking a third of the CPU (measured here: quiet 0.95-1.0, busy 0.51-0.72)
MIN_CPU_SHARE = 0.85

# Every outcome a verdict can have, and its tone: what views colour it by ("yes", "no", "unsure").
# Timed claims hold or do not; trained comparisons are judged by a rule that can also say the gap
# points the other way, is within the seeds' noise, or that the networks had not finished training.
OUTCOME_TONES = {
    "holds": "yes",
    "does not hold": "no",
    "opposite": "no",
    "within noise": "unsure",
    "not trained long enough": "unsure",
    "inconclusive": "unsure",
}


@dataclass(frozen=True)
class Verdict:
    claim: str
    holds: bool
    measured: str  # the number the verdict rests on, e.g. "1:12 is 1.31x slower than 1:1"
    spread: float | None = None  # the worst p90/median of the timed rows it rests on (None: not timed)
    cpu_share: float | None = None  # the least CPU share any of those rows got (None: not timed)
    judged: str | None = None  # a trained comparison's outcome (trained_comparison.judge), else None

    def __post_init__(self) -> None:
        if self.judged is not None and self.judged not in OUTCOME_TONES:
            raise ValueError(f"unknown outcome {self.judged!r}; one of {sorted(OUTCOME_TONES)}")

    @property
    def busy(self) -> bool:
        return (self.spread is not None and self.spread > BUSY_SPREAD) or (
            self.cpu_share is not None and self.cpu_share < MIN_CPU_SHARE
        )

    @property
    def outcome(self) -> str:
        """'holds', 'does not hold', or 'inconclusive' when its timings were taken on a busy machine;
        a trained comparison's own judgement when it has one."""
        if self.busy:
            return "inconclusive"
        if self.judged is not None:
            return self.judged
        return "holds" if self.holds else "does not hold"

    @property
    def tone(self) -> str:
        return OUTCOME_TONES[self.outcome]

    @property
    def label(self) -> str:
        if self.outcome == "inconclusive":
            share = f", CPU share {self.cpu_share:.2f}" if self.cpu_share is not None else ""
            return f"inconclusive: machine busy (spread {self.spread:.2f}{share})"
        if self.outcome == "not trained long enough":
            return "not trained long enough to judge"
        return f"{self.outcome} here"

    def line(self) -> str:
        return f"{self.label}: {self.claim} ({self.measured})"


def timed_verdict(claim: str, holds: bool, measured: str, rows: list[dict]) -> Verdict:
    """A verdict resting on timed ``rows``: it carries their worst spread, so a busy machine
    turns it into 'inconclusive' instead of a confident answer."""
    spreads = [r["spread"] for r in rows if r.get("spread") is not None]
    shares = [r["cpu_share"] for r in rows if r.get("cpu_share") is not None]
    return Verdict(claim, holds, measured, max(spreads) if spreads else None, min(shares) if shares else None)


@dataclass(frozen=True)
class Plot:
    """How the Lessons tab, the report and the CSV draw the rows: y against x, one series per
    value of ``series`` (row keys)."""

    x: str
    y: str
    series: str
    x_label: str
    y_label: str
    log_x: bool = False
    mark: str | None = None  # a boolean row key: rows drawn larger (e.g. the Pareto front)
    diagonal: bool = False  # draw y = x (e.g. actual = theoretical speedup)
    label: str | None = None  # a row key to write beside each point
    log_y: bool = False
    x_ticks: str | None = None  # a row key naming each x position (categorical x, e.g. variants)
    diagonal_label: str = "y = x"
    segment: str | None = None  # a row key: a series' line joins consecutive points only within one value
    hover: str | None = None  # a row key naming each point on hover (default: the label, else the series)
    scatter: bool = False  # points only: the x values are unrelated runs (seeds), not a sweep
    lines: tuple[str, ...] = ()  # series drawn as a dashed reference line, not points (e.g. a ceiling)
    first: str | None = None  # a boolean row key: these labels take their spots first (the paper's headline)


@dataclass
class LessonResult:
    lesson: str
    title: str
    explanation: str
    machine: dict
    rows: list[dict]
    paper: list[dict]  # {"claim"/"figures", "source"}: what the paper says, with table and row
    verdicts: list[Verdict]
    plot: Plot
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "lesson": self.lesson,
            "title": self.title,
            "machine": self.machine,
            "rows": self.rows,
            "paper": self.paper,
            "verdicts": [{**asdict(v), "outcome": v.outcome, "text": v.line()} for v in self.verdicts],
            "notes": self.notes,
        }

    def rows_csv(self) -> str:
        keys = list(dict.fromkeys(k for row in self.rows for k in row))
        out = io.StringIO()
        writer = csv.DictWriter(out, keys)
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def verdict_lines(self) -> list[str]:
        return [v.line() for v in self.verdicts]


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info(threads: int) -> dict:
    return {
        "cpu": cpu_name(),
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "threads": threads,
        "versions": {"python": platform.python_version(), **registry.versions()},
    }


class Lesson(Protocol):
    """What a lesson module defines: the Lessons tab, `explorer lesson` and the report rely on this
    and nothing else (a module satisfies it by having these names; tests/conformance checks each)."""

    TITLE: str  # the list's and the page's heading
    EXPLANATION: str  # what it shows, in a teacher's words, before it runs
    PAUSES_VIDEO: bool  # it times models or trains on every core: the live video pauses while it runs
    PAPER: list[dict]  # the papers' claims it re-runs (papers.PAPERS[name])

    def run(self, threads: int, progress=None, cancel=None, quick: bool = False) -> LessonResult:
        """Run it; ``progress(fraction, text)``, ``cancel`` an Event, ``quick`` fewer runs and seeds."""
        ...
