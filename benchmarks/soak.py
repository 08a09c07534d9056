"""Soak: the window on the default backend for N minutes while its configuration keeps changing.

    QT_QPA_PLATFORM=offscreen python benchmarks/soak.py --minutes 30 [--every 4] [--threads 1]

Every few seconds one change, in a fixed cycle: V1 groups, scale, shuffle, architecture (V1/V2),
and the visible tab, as a user clicking around would.  Prints RSS after the first minute (the
warm-up: every variant met once, exports cached), every five minutes, and at the end, with the
growth in % since warm-up, the frames rendered and any error the app said.  Target: growth < 5 %
over 30 minutes after the first minute.  Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import time

import harness  # noqa: F401  (sets up the path and offscreen Qt)

TABS = ("live", "features", "shuffle", "architecture", "diagram", "sweep", "teach", "lessons")


def changes():
    """The endless cycle of what a user changes, as (what, spec changes) or a tab name."""
    from explorer.models import ModelSpec

    specs = [ModelSpec.create("v1", groups=g, scale=s) for g in (3, 8, 2) for s in (1.0, 0.5)]
    specs += [
        ModelSpec.create("v1", groups=8, scale=1.0, shuffle=False),
        ModelSpec.create("v2"),
        ModelSpec.create("v2", scale=0.5),
    ]
    yield from zip(itertools.cycle(specs), itertools.cycle(TABS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=4.0, help="seconds between two changes")
    parser.add_argument("--threads", type=int, default=None, help="inference threads (default: the window's)")
    args = parser.parse_args()

    from explorer.engine.config import AUTO, RunConfig
    from explorer.engine.worker import default_live_threads
    from explorer.models import ModelSpec

    threads = args.threads or default_live_threads()
    window = harness.open_window(RunConfig(ModelSpec.create("v2"), None, AUTO, threads))
    errors: list[str] = []
    window.state.message.connect(lambda text, error: errors.append(text) if error else None)
    start = time.monotonic()
    warm_rss = None
    next_report = 60.0
    cycle = changes()
    print(f"soak: {args.minutes:g} min, a change every {args.every:g} s, backend auto, {threads} thread(s)", flush=True)
    while (elapsed := time.monotonic() - start) < args.minutes * 60:
        spec, tab = next(cycle)
        window.state.request(spec=spec)
        window.set_tab(tab)
        harness.run_for(args.every)
        if elapsed >= next_report:
            rss = harness.rss_mb()
            if warm_rss is None:
                warm_rss = rss
                print(
                    f"{elapsed / 60:5.1f} min  RSS {rss:.0f} MB after warm-up, {window.engine.frames} frames, "
                    f"backend {window.state.bundle.backend}",
                    flush=True,
                )
            else:
                print(
                    f"{elapsed / 60:5.1f} min  RSS {rss:.0f} MB ({(rss / warm_rss - 1) * 100:+.1f} % since warm-up), "
                    f"{window.engine.frames} frames",
                    flush=True,
                )
            next_report += 300.0
    rss = harness.rss_mb()
    growth = (rss / warm_rss - 1) * 100 if warm_rss else float("nan")
    print(
        f"end {args.minutes:g} min: RSS {rss:.0f} MB, growth since warm-up {growth:+.1f} % (target < 5 %), "
        f"frames {window.engine.frames}, errors said {len(errors)}" + (f": {errors[:3]}" if errors else ""),
        flush=True,
    )
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
