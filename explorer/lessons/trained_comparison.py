"""Judge a trained comparison over seeds: 'holds', 'opposite', 'within noise', or 'not trained
long enough'.

The rule: every run must have finished training (training accuracy >= 99 %, or it gained under
one point over the last third of training: it had stopped learning).  Then the mean held-out gap
(with minus without, paired by seed) is compared with its standard error, the larger of the
seeds' own spread (stdev / sqrt(seeds)) and the counting noise of the held-out images (binomial).
|gap| > 2 SE with every seed agreeing in sign: 'holds' (or 'opposite' when the gap is negative);
anything else: 'within noise'.  No fixed point threshold: a noisy setting needs a larger gap.
"""

from __future__ import annotations

import math
import statistics

from explorer.lessons.base import Verdict
from explorer.lessons.training import TrainedRun

FINISHED_TRAIN_ACCURACY = 99.0
PLATEAU_POINTS = 1.0
Z = 2.0
RULE = "|mean gap| > 2 SE and every seed agreeing; SE = max(seed spread / sqrt(seeds), held-out counting noise)"


def finished(run: TrainedRun) -> bool:
    return run.train_accuracy >= FINISHED_TRAIN_ACCURACY or run.late_gain < PLATEAU_POINTS


def gap_standard_error(gaps: list[float], with_mean: float, without_mean: float, held_out: int) -> float:
    """SE of the mean gap in points: the seeds' spread, or the held-out images' binomial noise if larger."""
    n = len(gaps)
    seeds = statistics.stdev(gaps) / math.sqrt(n) if n > 1 else math.inf
    p, q = with_mean / 100, without_mean / 100
    counting = 100 * math.sqrt((p * (1 - p) + q * (1 - q)) / held_out) / math.sqrt(n)
    return max(seeds, counting)


def judge(claim: str, with_runs: list[TrainedRun], without_runs: list[TrainedRun]) -> Verdict:
    """Pair ``with_runs`` and ``without_runs`` by seed and judge 'with is better' by the rule above."""
    without = {r.seed: r for r in without_runs}
    pairs = [(r, without[r.seed]) for r in sorted(with_runs, key=lambda r: r.seed) if r.seed in without]
    if not pairs:
        raise ValueError("no seed was trained both with and without")
    gaps = [a.accuracy - b.accuracy for a, b in pairs]
    with_mean = statistics.mean(a.accuracy for a, _ in pairs)
    without_mean = statistics.mean(b.accuracy for _, b in pairs)
    se = gap_standard_error(gaps, with_mean, without_mean, min(a.held_out for a, _ in pairs))
    mean = statistics.mean(gaps)
    measured = (
        f"with {with_mean:.1f} % vs without {without_mean:.1f} % held-out over {len(pairs)} seeds; "
        f"gap per seed {', '.join(f'{g:+.1f}' for g in gaps)}, mean {mean:+.1f} ± {se:.1f} points (SE)"
    )
    runs = [run for pair in pairs for run in pair]
    still_learning = [r for r in runs if not finished(r)]
    if still_learning:
        judged = "not trained long enough"
        measured += (
            f"; {len(still_learning)} of {len(runs)} runs still learning (training accuracy "
            f"{', '.join(f'{r.train_accuracy:.1f}' for r in still_learning)} %, "
            f"+{max(r.late_gain for r in still_learning):.1f} points in the last third)"
        )
    elif abs(mean) > Z * se and (all(g > 0 for g in gaps) or all(g < 0 for g in gaps)):
        judged = "holds" if mean > 0 else "opposite"
    else:
        judged = "within noise"
    return Verdict(claim, judged == "holds", f"{measured}; rule: {RULE}", judged=judged)
