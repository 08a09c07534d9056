"""Soak: the window on the default backend for N minutes while its configuration keeps changing.

    QT_QPA_PLATFORM=offscreen python benchmarks/soak.py --minutes 30 [--every 4] [--threads 1]
    QT_QPA_PLATFORM=offscreen python benchmarks/soak.py --random --minutes 30 [--seed 1]

Every few seconds one change, in a fixed cycle: V1 groups, scale, shuffle, architecture (V1/V2),
and the visible tab, as a user clicking around would.  With --random, a seeded random user
(random_user.py) clicks, types, picks and opens dialogs instead, four times a second.  Prints RSS
every minute (and the minute's low, median and high, sampled after every action) with the growth since the baseline (minute 1: every variant met once, exports
cached; --random minute 5), the frames, the actions, any error the app said and any exception a
slot raised.  Targets: configuration < 5 % after minute 1; random < 10 % after minute 5 and
< 3 % over the last 10 minutes.  Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
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
    parser.add_argument(
        "--every", type=float, default=None, help="seconds between two changes (default 4; --random 0.25)"
    )
    parser.add_argument("--threads", type=int, default=None, help="inference threads (default: the window's)")
    parser.add_argument(
        "--random", action="store_true", help="random user actions (random_user.py) instead of the cycle"
    )
    parser.add_argument("--seed", type=int, default=1, help="--random: the same seed does the same actions")
    parser.add_argument(
        "--warmup", type=float, default=None, help="minutes before the baseline (default 1; --random 5)"
    )
    parser.add_argument("--census", action="store_true", help="also count what could pile up, every minute")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="snapshot Python and NumPy allocations at the baseline and at the end; print the 15 lines that grew most",
    )
    args = parser.parse_args()
    every = args.every if args.every is not None else (0.25 if args.random else 4.0)
    warmup = args.warmup if args.warmup is not None else (5.0 if args.random else 1.0)

    from explorer.engine.config import AUTO, RunConfig
    from explorer.engine.worker import default_live_threads
    from explorer.models import ModelSpec
    from explorer.ui.base.background import BackgroundTask

    threads = args.threads or default_live_threads()
    window = harness.open_window(RunConfig(ModelSpec.create("v2"), None, AUTO, threads))
    errors: list[str] = []
    window.state.message.connect(lambda text, error: errors.append(text) if error else None)
    raised = harness.record_exceptions()  # an exception in a slot is printed by Qt and the app goes on: count it
    if args.random:
        from random_user import RandomUser

        user = RandomUser(window, args.seed)
        step, what = user.act, f"random actions (seed {args.seed}) every {every:g} s"
    else:
        cycle = changes()

        def step():
            spec, tab = next(cycle)
            window.state.request(spec=spec)
            window.set_tab(tab)

        what = f"a change every {every:g} s"
    print(
        f"soak: {args.minutes:g} min, {what}, backend auto, {threads} thread(s); baseline after {warmup:g} min",
        flush=True,
    )
    start = time.monotonic()
    per_minute: list[float] = []  # RSS at each minute's end
    medians: list[float] = []  # the median of the minute's samples: one lesson running at the tick moves it less
    samples: list[float] = []  # this minute's RSS after every action
    idle: list[float] = []  # this minute's samples taken while no background job ran
    idle_lows: list[float | None] = []
    actions = 0
    baseline_snapshot = None
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(8)
    while (elapsed := time.monotonic() - start) < args.minutes * 60:
        step()
        actions += 1
        harness.run_for(every)
        samples.append(harness.rss_mb())
        if not BackgroundTask.any_running():  # no lesson, sweep, fit or training holding memory
            idle.append(samples[-1])
        if elapsed >= 60.0 * (len(per_minute) + 1):
            per_minute.append(samples[-1])
            idle_lows.append(min(idle) if idle else None)
            medians.append(statistics.median(samples))
            minute = len(per_minute)
            base = per_minute[int(warmup) - 1] if minute >= warmup else None
            growth = f" ({(per_minute[-1] / base - 1) * 100:+.1f} % since minute {warmup:g})" if base else ""
            print(
                f"{minute:4d} min  RSS {per_minute[-1]:.0f} MB{growth}, minute's low/median/high "
                f"{min(samples):.0f}/{medians[-1]:.0f}/{max(samples):.0f} MB, lowest with no job running "
                f"{f'{idle_lows[-1]:.0f} MB' if idle_lows[-1] else '-'}, {window.engine.frames} frames, "
                f"{actions} actions, {len(errors)} errors said, {len(raised)} exceptions",
                flush=True,
            )
            samples, idle = [], []
            if args.tracemalloc and minute == int(warmup):
                baseline_snapshot = take_snapshot()
            if args.census:
                print("        " + ", ".join(f"{k} {v}" for k, v in harness.census().items()), flush=True)
    if args.tracemalloc and baseline_snapshot is not None:
        print_growth(baseline_snapshot, take_snapshot())
    window.close()
    summarise(per_minute, warmup, args.random, errors, raised, user.done if args.random else None)
    summarise(medians, warmup, args.random, [], [], None, "minute medians")
    carried = list(itertools.accumulate(idle_lows, lambda before, now: now or before))  # a busy minute keeps the last
    if all(carried):
        summarise(carried, warmup, args.random, [], [], None, "lowest with no job running")
    return 0


def take_snapshot():
    import gc
    import tracemalloc

    gc.collect()
    return tracemalloc.take_snapshot()


def print_growth(before, after) -> None:
    """Where Python and NumPy memory grew between the baseline and the end (torch's own tensors and
    native libraries are not traced: growth outside this list is theirs)."""
    stats = after.compare_to(before, "traceback")
    total = sum(s.size_diff for s in stats) / 2**20
    print(f"traced growth since the baseline: {total:+.1f} MB; the largest:", flush=True)
    for stat in stats[:15]:
        frames = [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno}" for f in stat.traceback[-4:]]
        print(
            f"  {stat.size_diff / 2**20:+7.1f} MB {stat.count_diff:+6d} blocks  {' <- '.join(reversed(frames))}",
            flush=True,
        )


def summarise(per_minute, warmup, random_mode, errors, raised, done, what="RSS") -> None:
    """The growth figures the issues' targets are stated in, and what went wrong on the way."""
    if len(per_minute) < warmup:
        print("too short to have a baseline: run longer than the warm-up")
        return
    base, last = per_minute[int(warmup) - 1], per_minute[-1]
    target = 10.0 if random_mode else 5.0
    line = f"end ({what}): {last:.0f} MB, growth since minute {warmup:g} {(last / base - 1) * 100:+.1f} % (target < {target:g} %)"
    if len(per_minute) >= warmup + 10:
        ten_ago = per_minute[-11]
        line += f", last 10 minutes {(last / ten_ago - 1) * 100:+.1f} % (target < 3 %)"
    print(line, flush=True)
    after = per_minute[int(warmup) - 1 :]
    if len(after) >= 3:  # two single minutes' ends swing with whatever job runs at that second: the trend does not
        minutes = range(int(warmup), int(warmup) + len(after))
        fit = statistics.linear_regression(minutes, after)
        spread = max(abs(y - (fit.slope * x + fit.intercept)) for x, y in zip(minutes, after))
        print(
            f"      trend ({what}, least squares over minutes {minutes[0]}-{minutes[-1]}): {fit.slope:+.1f} MB a minute "
            f"({fit.slope * (len(after) - 1) / base * 100:+.1f} % over them), minutes within +-{spread:.0f} MB of it",
            flush=True,
        )
    if done:
        print("actions: " + ", ".join(f"{k} {v}" for k, v in done.most_common()), flush=True)
    for text in errors[:5]:
        print(f"  said: {text}", flush=True)
    for text in raised[:5]:
        print(f"  raised: {text}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
