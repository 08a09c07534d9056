"""Work that follows a swap, on a thread of its own so it never delays a frame or a build.

- the agreement of the running backend with fp32 eager, on live frames;
- a reduced-precision backend timed against its fp32 twin ("slower than fp32 here");
- `auto`: every candidate backend built, checked on live frames and timed; the fastest that
  agrees runs, and the reason names each candidate's time;
- a runner's deferred feature taps, built the first time a view asks for them.
"""

from __future__ import annotations

import dataclasses
import statistics
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import torch

from explorer.analysis.latency import percentile, time_callable
from explorer.engine.handoff import Generations, PendingSwap, RecentFrames
from explorer.engine.pipeline import ModelBundle, fp32_copy, measure_agreement, model_inputs
from explorer.engine.state import AppState
from explorer.memory import release_freed_memory
from explorer.models.registry import random_input
from explorer.runtime import registry
from explorer.runtime.base import TapExport

AUTO_MAX_ABS_DIFF = 1e-3  # a candidate replaces torch only if every top-1 agrees and logits stay this close
AUTO_FRAMES = 8  # live frames the agreement check runs on
AUTO_WAIT_SECONDS = 10  # for those frames; a source slower than that is checked on what came
# Two backends whose medians lie closer than their own spread (p90/median), and never less than
# this, are a tie: auto then keeps the one earlier in the registry's order (ONNX Runtime before
# ncnn: the more widely deployed runtime), so two starts on one machine give one answer.  Measured
# here: ncnn 2.8 vs ONNX Runtime 3.4 ms on one start and the other way round on the next.
AUTO_TIE_FLOOR = 0.10


def time_runner(runner, x: torch.Tensor) -> tuple[float, float]:
    """(median ms, spread p90/median) of one frame on ``runner`` (tests inject their own timer)."""
    summary = time_callable(lambda: runner(x), runs=20, warmup=3)[0]
    return summary.median_ms, summary.p90_ms / summary.median_ms if summary.median_ms > 0 else 1.0


def as_timing(value) -> tuple[float, float]:
    """A timer's answer as (median ms, spread); a bare median has no known spread (1.0)."""
    return (float(value), 1.0) if isinstance(value, int | float) else (float(value[0]), float(value[1]))


def pick_stable(timed: list[Trial], preference: list[str]) -> tuple[Trial, str]:
    """The trial auto keeps, and why: the fastest, unless one earlier in ``preference`` (titles)
    lies within the timings' own spread of it (a tie)."""
    fastest = min(timed, key=lambda t: t.ms)
    rank = {title: i for i, title in enumerate(preference)}
    for trial in sorted(timed, key=lambda t: (rank.get(t.title, len(rank)), t.ms)):
        margin = max(AUTO_TIE_FLOOR, max(trial.spread, fastest.spread) - 1)
        if trial.ms <= fastest.ms * (1 + margin):
            if trial is fastest:
                break
            return trial, (
                f"{fastest.title} {1 - fastest.ms / trial.ms:.0%} faster is within the timings' spread "
                f"({margin:.0%}): a tie, so {trial.title} stays, earlier in the registry's order"
            )
    others = [t for t in timed if t is not fastest]
    if not others:
        return fastest, "the only one timed"
    runner_up = min(others, key=lambda t: t.ms)
    margin = max(AUTO_TIE_FLOOR, max(runner_up.spread, fastest.spread) - 1)
    gap = runner_up.ms / fastest.ms - 1
    if gap > margin:
        return fastest, f"faster than {runner_up.title} by {gap:.0%}, beyond the timings' spread ({margin:.0%})"
    # within the spread: a tie, which the earlier entry in the registry's order wins, and that is this one
    return fastest, (
        f"faster than {runner_up.title} by {gap:.0%}, within the timings' spread ({margin:.0%}): "
        "a tie, which it wins as the earlier in the registry's order"
    )


@dataclasses.dataclass(frozen=True)
class Trial:
    """One backend tried by `auto`: its time, or why it was skipped."""

    title: str
    ms: float | None = None
    skipped: str = ""
    spread: float = 1.0  # p90 / median of its timing
    bundle: ModelBundle | None = None


class Checks:
    def __init__(
        self,
        state: AppState,
        generations: Generations,
        swap: PendingSwap,
        recent: RecentFrames,
        recent_inference_ms,
        stop: threading.Event,
        timer: Callable = time_runner,
    ) -> None:
        self.state = state
        self._generations = generations
        self._swap = swap
        self._recent = recent
        self._recent_inference_ms = recent_inference_ms
        self._stop = stop
        self._timer = timer
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-checker")

    def shutdown(self) -> None:
        self._recent.release()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _current(self, token: int) -> bool:
        return self._generations.is_current("bundle", token) and not self._stop.is_set()

    def after_swap(self, bundle: ModelBundle, token: int) -> None:
        if bundle.config.backend == registry.AUTO and bundle.entry.auto_start:
            self._pool.submit(self._pick_for_auto, bundle, token)
        elif bundle.agreement is None:
            self._pool.submit(self._check_agreement, bundle, token)

    # ---- agreement ------------------------------------------------------------------------
    def _check_agreement(self, bundle: ModelBundle, token: int) -> None:
        if not self._current(token):
            return  # already replaced: nobody will see this number
        try:
            measure_agreement(bundle, frames=self._recent.latest() or None)
            if bundle.entry.fp32_twin is not None:
                self._time_against_fp32(bundle)
        except Exception as exc:
            self.state.say(f"agreement check failed: {exc}")
            return
        self.state.agreement.emit(bundle)

    def _time_against_fp32(self, bundle: ModelBundle) -> None:
        """Reduced precision is not always faster (ORT has few fast int8 kernels for grouped 1x1
        convs, and QDQ pairs around every shuffle): measure it against its fp32 twin here."""
        twin = registry.make_runner(
            bundle.entry.fp32_twin, fp32_copy(bundle), bundle.spec, threads=bundle.config.threads
        )
        x = self._sample(bundle)
        bundle.versus_fp32 = (as_timing(self._timer(bundle.runner, x))[0], as_timing(self._timer(twin, x))[0])

    def _sample(self, bundle: ModelBundle) -> torch.Tensor:
        inputs = model_inputs(self._recent.latest(1), bundle.spec, bundle.recipe)
        return torch.from_numpy(inputs[0]) if inputs else random_input(1, *bundle.spec.input_shape)

    # ---- auto -----------------------------------------------------------------------------
    def _pick_for_auto(self, bundle: ModelBundle, token: int) -> None:
        if not self._current(token):
            return  # replaced while queued: neither wait for frames nor build its candidates
        self._recent.wait_for(AUTO_FRAMES, AUTO_WAIT_SECONDS, self._stop)  # the checks run on live frames
        if not self._current(token):
            return
        trials = []
        for entry in registry.all_backends():
            if entry.auto_candidate and entry is not bundle.entry:
                trials.append(self._try(entry, bundle, token))
                if not self._current(token):
                    return
        if self._generations.is_current("bundle", token):
            self.state.set_busy("")
        recent = list(self._recent_inference_ms)
        here_ms = statistics.median(recent) if recent else float("inf")
        here_spread = percentile(recent, 90) / here_ms if recent and here_ms > 0 else 1.0
        trials.append(Trial(bundle.entry.short_title, here_ms, spread=here_spread))
        timed = [t for t in trials if t.ms is not None]
        best, why = pick_stable(timed, [entry.short_title for entry in registry.all_backends()])
        times = " vs ".join(f"{t.title} {t.ms:.1f} ms" for t in sorted(timed, key=lambda t: t.ms))
        skipped = "".join(f"; {t.title} skipped: {t.skipped}" for t in trials if t.skipped)
        chosen = best.bundle or bundle
        agreement = chosen.agreement or measure_agreement(chosen, frames=self._recent.latest() or None)
        reason = (
            f"auto → {best.title}: {times} ({why}), {agreement.describe().replace(' frames', ' live frames')}{skipped}"
        )
        if not self._current(token):
            return
        if best.bundle is not None:
            best.bundle.auto_reason = reason
            self._swap.offer(bundle=best.bundle)
        else:
            bundle.auto_reason = reason
            self.state.agreement.emit(bundle)
        release_freed_memory()  # the checks' eager runs on this thread's arena: hand it back

    def _try(self, entry: registry.Backend, bundle: ModelBundle, token: int) -> Trial:
        info = entry.status()
        if not info.available:
            return Trial(entry.short_title, skipped=f"not installed here ({info.reason})")
        try:
            self.state.set_busy(f"auto: building and timing {entry.title}…")
            # a view that taps now gets its taps with the swap; otherwise they wait until one does
            # (teach mode needs only the embedding, which the untapped graph has)
            runner = registry.make_runner(
                entry.name,
                fp32_copy(bundle),
                bundle.spec,
                threads=bundle.config.threads,
                defer_taps=not self.state.taps,
            )
            candidate = dataclasses.replace(bundle, runner=runner, backend=entry.name, agreement=None, auto_reason="")
            check = measure_agreement(candidate, frames=self._recent.latest(AUTO_FRAMES))
            if not check.agrees(AUTO_MAX_ABS_DIFF):
                return Trial(entry.short_title, skipped=f"disagrees with fp32 eager ({check.describe()})")
            ms, spread = as_timing(self._timer(runner, self._sample(bundle)))
            return Trial(entry.short_title, ms, spread=spread, bundle=candidate)
        except Exception as exc:  # a backend failing must never stop the video: it is skipped with its reason
            return Trial(entry.short_title, skipped=f"could not run this model ({exc})")

    # ---- deferred taps --------------------------------------------------------------------
    def export_taps_if_wanted(self, bundle: ModelBundle) -> None:
        """Called by the frame loop after each frame; starts the export once per bundle."""
        if bundle.tap_export is TapExport.NOT_NEEDED and bundle.runner.taps_pending:
            bundle.tap_export = TapExport.EXPORTING
            self._pool.submit(self._export_taps, bundle, self._generations.current("bundle"))

    def _export_taps(self, bundle: ModelBundle, token: int) -> None:
        """Off the worker: the frames go on (without taps) while the taps are built."""
        if not self._current(token):
            return
        self.state.set_busy(f"exporting the feature taps for {bundle.entry.short_title} (once per model)…")
        try:
            bundle.runner.build_taps(fp32_copy(bundle), bundle.spec)
            bundle.tap_export = TapExport.READY
        except Exception as exc:  # the logits go on; only the views that tap stay empty
            bundle.tap_export = TapExport.FAILED
            self.state.say(
                f"{bundle.entry.short_title} could not export the feature taps ({exc}); a torch backend shows them"
            )
        finally:
            self.state.set_busy("")
