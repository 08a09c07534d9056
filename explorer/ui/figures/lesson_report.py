"""`python -m explorer report --out DIR`: every lesson run here, as one HTML page a teacher can
project or hand out (figures drawn by the Lessons tab's own plotting, on Qt's offscreen platform).

DIR gets index.html, and per lesson a PNG figure, a CSV of the measured rows and the JSON.
"""

from __future__ import annotations

import html
import json
import os
import sys
import time
from pathlib import Path

from tqdm import tqdm

from explorer.cli_args import UsageError
from explorer.engine.worker import default_live_threads
from explorer.lessons import LESSONS, LessonResult, run_lesson
from explorer.paths import write_atomically

STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } .machine { color: #555; }
section { border-top: 1px solid #ccc; margin-top: 2em; padding-top: 1em; }
img { width: 100%; border: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
.yes { color: #1a7f37; font-weight: bold; } .no { color: #c62828; font-weight: bold; } .unsure { color: #945800; font-weight: bold; }
"""


def _table(rows: list[dict]) -> str:
    if not rows:
        return ""
    keys = [k for k in rows[0] if k != "series"]
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    body = "".join(
        "<tr>" + "".join(f"<td>{'' if r.get(k) is None else html.escape(str(r.get(k)))}</td>" for k in keys) + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def lesson_section(result: LessonResult, figure: str) -> str:
    verdicts = "".join(
        f"<li><span class='{v.tone}'>{html.escape(v.label)}</span>: "
        f"{html.escape(v.claim)} ({html.escape(v.measured)})</li>"
        for v in result.verdicts
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
    return (
        f"<section id='{result.lesson}'><h2>{html.escape(result.title)}</h2><p>{html.escape(result.explanation)}</p>"
        f"<img src='{figure}' alt='{html.escape(result.title)}'><h3>Verdicts on this machine</h3><ul>{verdicts}</ul>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + f"<h3>The paper</h3>{_table(result.paper)}<h3>Measured here</h3>{_table(result.rows)}"
        f"<p><a href='{result.lesson}.csv'>{result.lesson}.csv</a> · <a href='{result.lesson}.json'>{result.lesson}.json</a></p></section>"
    )


def page(results: list[LessonResult], seconds: float) -> str:
    machine = results[0].machine
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if v)
    contents = "".join(f"<li><a href='#{r.lesson}'>{html.escape(r.title)}</a></li>" for r in results)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>ShuffleNet Explorer: lessons on this machine</title>"
        f"<style>{STYLE}</style></head><body><h1>The papers' experiments, on this machine</h1>"
        f"<p class='machine'>{html.escape(machine['cpu'])} ({machine['machine']}, {machine['cores']} cores), {machine['threads']} thread{'s' if machine['threads'] != 1 else ''}; "
        f"{html.escape(versions)}; measured in {seconds:.0f} s on {time.strftime('%Y-%m-%d %H:%M')}.</p>"
        f"<ul>{contents}</ul>" + "".join(lesson_section(r, f"{r.lesson}.png") for r in results) + "</body></html>"
    )


def run_report(args) -> int:
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"explorer report: cannot create {args.out}: {exc.strerror or exc}") from None
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from explorer.ui.figures.lesson_plot import export_lesson_png

    _app = QApplication.instance() or QApplication(sys.argv[:1])  # kept alive while drawing
    previous = {key: pg.getConfigOption(key) for key in ("background", "foreground")}
    pg.setConfigOptions(background="w", foreground="k")  # printed pages are white
    try:
        names = args.only or list(LESSONS)
        started = time.perf_counter()
        results = []
        with tqdm(
            total=len(names),
            desc="report",
            file=sys.stderr,
            bar_format="{desc}: {n_fmt}/{total_fmt} |{bar}| {elapsed}{postfix}",
        ) as bar:
            for name in names:
                bar.set_postfix_str(name)
                result = run_lesson(name, threads=args.threads or default_live_threads(), quick=args.quick)
                export_lesson_png(result, str(out / f"{name}.png"))
                write_atomically(out / f"{name}.csv", result.rows_csv())
                write_atomically(out / f"{name}.json", json.dumps(result.to_json(), indent=1))
                results.append(result)
                bar.update(1)
        index = out / "index.html"
        write_atomically(index, page(results, time.perf_counter() - started))
        print(
            f"wrote {index} ({len(results)} lessons, {sum(len(r.verdicts) for r in results)} verdicts, "
            f"{sum(v.outcome == 'holds' for r in results for v in r.verdicts)} hold here, "
            f"{sum(v.outcome == 'inconclusive' for r in results for v in r.verdicts)} inconclusive)"
        )
    finally:  # the window's dark theme comes back for anything drawn after, in this process
        pg.setConfigOptions(**previous)
    return 0
