"""The engine: a worker thread runs source -> pipeline; the UI thread never waits on a model.

It reads intent from the AppState and answers there (no Qt here: the UI receives the state's
events through explorer.ui.base.bridge).  Four small parts share one generation token (handoff.py):
- the frame loop (this module) pulls the newest frame and runs the pipeline on it.  Results go
  into a one-slot mailbox; ``frame_ready`` is emitted only when the UI has taken the previous
  one, so a slow UI drops stale frames instead of queueing them;
- the builder (builder.py) prepares requested bundles and sources off-thread; the loop swaps
  them in between two frames;
- the checks (checks.py) follow each swap: agreement with fp32 eager, `auto`'s measured pick
  of the fastest agreeing backend, and deferred feature taps.
- A source that fails mid-run is replaced by the synthetic scene (or stream), with a message.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from concurrent.futures import Future

import cv2
import torch

from explorer.analysis.latency import measure_layers
from explorer.engine.builder import DEFAULT_SOURCES, KIND_WORDS, Builder, synthetic_source
from explorer.engine.checks import Checks, time_runner
from explorer.engine.handoff import Generations, PendingSwap, RecentFrames
from explorer.engine.pipeline import FrameResult, InferencePipeline, ModelBundle
from explorer.engine.state import AppState
from explorer.memory import release_freed_memory
from explorer.paths import take_healed
from explorer.sources.base import FrameSource, SourceError, SourceInterrupted
from explorer.threads import default_live_threads

__all__ = ["DEFAULT_SOURCES", "KIND_WORDS", "Engine", "default_live_threads", "set_thread_count", "synthetic_source"]


class _AppliedThreads:
    """The thread count last given to torch and OpenCV (re-setting OpenCV's pool every frame is not free)."""

    count: int | None = None


def set_thread_count(threads: int) -> None:
    """One setting for torch and OpenCV together, so they do not oversubscribe the cores."""
    if _AppliedThreads.count == threads and torch.get_num_threads() == threads:
        return
    torch.set_num_threads(threads)
    cv2.setNumThreads(threads)
    _AppliedThreads.count = threads


class Engine:
    def __init__(
        self,
        state: AppState,
        bundle: ModelBundle,
        source: FrameSource | None = None,
        pace: bool = True,
        timer=time_runner,
    ) -> None:
        self.state = state
        self._pipeline = InferencePipeline(bundle)
        self._source: FrameSource = source or synthetic_source(bundle.spec.input_kind)
        self.pace = pace
        self._lock = threading.Lock()
        self._latest: FrameResult | None = None
        self._signalled = False
        self._stop = threading.Event()
        self._generations = Generations()
        self._swap = PendingSwap()
        self._profile_frames = 0
        self._layer_samples: dict[str, list[float]] = {}
        self.frames = 0
        self.recent_frames = RecentFrames(32)  # calibration and the checks run on live frames
        self.recent_inference_ms: deque = deque(maxlen=30)
        self.builder = Builder(
            state, self._generations, self._swap, self.recent_frames, lambda: self.bundle, lambda: self._source
        )
        self.checks = Checks(
            state, self._generations, self._swap, self.recent_frames, self.recent_inference_ms, self._stop, timer
        )
        self.builder.remember(self._source)
        self._thread: threading.Thread | None = None
        state.set_running(bundle)
        state.set_source_description(self._source.describe())
        state.requested.connect(self.builder.on_request)
        state.source_requested.connect(self.request_source)
        state.download_cancel_requested.connect(self.builder.cancel_download)
        state.layer_times_requested.connect(self.profile_layers)

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="engine-worker", daemon=True)
            self._thread.start()
            self.checks.after_swap(self.bundle, self._generations.current("bundle"))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.builder.shutdown()
        self.checks.shutdown()
        self._source.close()

    @property
    def bundle(self) -> ModelBundle:
        return self._pipeline.bundle

    @property
    def source(self) -> FrameSource:
        return self._source

    # ---- requests (from the state; never block) ------------------------------------------
    def submit_build(self, factory, description: str) -> Future:
        """Build a bundle off-thread (``factory(progress)``); it replaces the current one between two frames."""
        return self.builder.submit(factory, description)

    def request_source(self, text: str, failure_note: str = "source not changed") -> Future:
        return self.builder.request_source(text, failure_note)

    def set_source(self, source: FrameSource) -> None:
        self._swap.offer(source=source)

    def profile_layers(self, frames: int = 5) -> None:
        """Time every layer over the next few frames (torch eager, hooks: indicative)."""
        self._layer_samples = {}
        self._profile_frames = frames

    def take_result(self) -> FrameResult | None:
        with self._lock:
            result, self._latest = self._latest, None
            self._signalled = False
        return result

    # ---- the worker loop ------------------------------------------------------------------
    def _apply_pending(self) -> None:
        bundle, source = self._swap.take()
        if bundle is not None:
            old = self._pipeline.bundle
            self._pipeline = InferencePipeline(bundle)
            backbone_changed = bundle.model is not old.model
            if backbone_changed:
                self.recent_inference_ms.clear()
                self._profile_frames = 0  # timings of the old model are void; the UI asks again
                if self.state.head is not None:  # a head belongs to one backbone
                    self.state.set_head(None)
                    self.state.say("taught head set aside: the backbone changed (load it again on its own backbone)")
            self.state.set_busy("")
            self.state.set_running(bundle)
            if bundle.note:
                self.state.say(bundle.note)
            for note in take_healed():  # damaged saved files found and mended while building it: said whole
                self.state.say(note)
            self.checks.after_swap(bundle, self._generations.current("bundle"))
            if bundle.runner is not old.runner:
                release_freed_memory()  # the old backend's buffers (a board's steady state is the peak)
        if source is not None:
            old_source, self._source = self._source, source
            old_source.close()
            self.recent_frames.clear()  # calibration and agreement checks want frames of this source
            self.builder.remember(source)
            if source.text:
                self.state.set_source_text(source.text)
            self.state.set_source_description(source.describe())

    def _run(self) -> None:
        next_due = time.perf_counter()
        state = self.state
        interrupted: str | None = None  # what the source said while recovering (said once, then "back")
        while not self._stop.is_set():
            self._apply_pending()
            if state.paused:
                state.wait_while_paused(self._stop)
                continue
            set_thread_count(self.bundle.config.threads)
            t0 = time.perf_counter()
            try:
                frame = self._source.read()
            except SourceInterrupted as exc:  # recovering on its own: keep it, say so, read again
                interrupted = str(exc)
                state.say(interrupted)
                state.set_source_description(f"{self._source.describe()} (reconnecting…)")
                continue
            except SourceError as exc:
                interrupted = None
                self._fall_back(str(exc))
                continue
            except Exception as exc:  # a decoder crash is a source problem, not an app crash
                self._fall_back(f"{self._source.describe()} failed: {exc}")
                continue
            capture_ms = (time.perf_counter() - t0) * 1000
            if interrupted:
                interrupted = None
                state.say(f"{self._source.describe()}: reconnected, frames are live again", error=False)
                state.set_source_description(self._source.describe())
            self.recent_frames.append(frame)
            head = state.head
            if head is not None and head.spec != self.bundle.spec.to_dict():
                head = None  # set for another backbone a moment before a swap
            try:
                if self._profile_frames > 0:
                    self._profile_step()
                result = self._pipeline.run(
                    frame, capture_ms, self.frames, taps=state.taps, embedding=state.capture, head=head
                )
            except Exception as exc:
                state.say(f"inference failed: {exc}")
                self._stop.wait(0.2)  # not a hot loop of failures; wakes at once on stop
                continue
            self.frames += 1
            self.checks.export_taps_if_wanted(self._pipeline.bundle)
            self.recent_inference_ms.append(result.timings["inference"])
            self._publish(result)
            if self.pace and not self._source.live:
                next_due = max(next_due + 1.0 / self._source.fps, time.perf_counter() - 0.1)
                delay = next_due - time.perf_counter()
                if delay > 0:
                    self._stop.wait(delay)

    def _publish(self, result: FrameResult) -> None:
        with self._lock:
            self._latest = result  # an untaken older result is simply replaced (dropped)
            signal = not self._signalled
            self._signalled = True
        if signal:
            self.state.frame_ready.emit()

    def _fall_back(self, message: str) -> None:
        replacement = synthetic_source(self._source.input_kind)
        self.state.say(f"{message} - switched to {replacement.describe()}")
        old, self._source = self._source, replacement
        try:
            old.close()
        except Exception:
            pass
        self.builder.remember(replacement)  # the source box and a later model of this kind show what runs
        self.state.set_source_text(replacement.text)
        self.state.set_source_description(self._source.describe())

    def _profile_step(self) -> None:
        bundle = self._pipeline.bundle
        for layer in measure_layers(bundle.model, bundle.spec.input_shape, runs=1, warmup=0):
            self._layer_samples.setdefault(layer.name, []).append(layer.median_ms)
        self._profile_frames -= 1
        if self._profile_frames == 0:
            self.state.layer_times.emit({name: statistics.median(v) for name, v in self._layer_samples.items()})
