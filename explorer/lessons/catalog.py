"""The lessons by name, and the one way to run one."""

from __future__ import annotations

import torch

from explorer.lessons import ablation, family, guidelines, speed
from explorer.lessons.base import Lesson, LessonResult

LESSONS: dict[str, Lesson] = {
    "guidelines": guidelines,
    "shuffle-ablation": ablation,
    "flops-vs-speed": speed,
    "family": family,
}


def run_lesson(name: str, threads: int | None = None, progress=None, cancel=None, quick: bool = False) -> LessonResult:
    """Run lesson ``name``; ``quick`` takes fewer timing runs and seeds (tests, previews)."""
    if name not in LESSONS:
        raise ValueError(f"no lesson {name!r}; lessons: {', '.join(LESSONS)}")
    threads = threads or torch.get_num_threads()
    previous = torch.get_num_threads()
    torch.set_flush_denormal(True)  # tiny floats run at full speed: time the layout, not the number format
    try:
        return LESSONS[name].run(threads, progress=progress, cancel=cancel, quick=quick)
    finally:
        torch.set_flush_denormal(False)
        torch.set_num_threads(previous)
