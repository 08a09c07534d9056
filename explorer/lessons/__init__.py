"""Lessons: the papers' experiments re-run on this machine, each a short measured experiment with
the paper's statement beside it and an honest verdict (Qt-free; the Lessons tab, the `lesson`
and `report` commands share them)."""

from explorer.lessons.base import LessonResult, Verdict
from explorer.lessons.catalog import LESSONS, run_lesson

__all__ = ["LESSONS", "LessonResult", "Verdict", "run_lesson"]
