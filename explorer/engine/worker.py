"""The engine: a worker thread runs source -> pipeline; the UI thread never waits on a model.

- The worker pulls the newest frame from the source and runs the pipeline on it.  Results go
  into a one-slot mailbox; the UI is signalled only when it has taken the previous one, so a
  slow UI drops stale frames instead of queueing them.
- A new configuration (spec, weights, threads) or source is prepared on a separate builder
  thread while the old pipeline keeps running, then swapped in between two frames.  Requests
  that are overtaken by newer ones before they finish are discarded.
- A source that fails mid-run is replaced by the synthetic scene, with a message.
"""
from __future__ import annotations

import itertools
from collections import deque
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

import cv2
import torch
from PySide6.QtCore import QObject, Signal

from explorer.engine.pipeline import FrameResult, InferencePipeline, ModelBundle
from explorer.sources.base import FrameSource, SourceError
from explorer.sources.factory import open_source
from explorer.sources.synthetic import SyntheticSource

BundleFactory = Callable[[], ModelBundle]


_applied_threads: list[int] = []


def default_live_threads() -> int:
    """Inference threads for the live view: all cores but one.

    The UI thread and frame capture need a core of their own.  With every core given to
    torch, its OpenMP workers stall at barriers whenever the UI thread preempts one of them:
    measured on a 2-core machine, 2 threads gave 18 fps and 1 thread 39 fps (V2 1x, 224).
    """
    import os

    return max(1, (os.cpu_count() or 1) - 1)


def set_thread_count(threads: int) -> None:
    """One setting for torch and OpenCV together, so they do not oversubscribe the cores.

    Applied only on change: re-setting OpenCV's pool every frame is not free.
    """
    if _applied_threads == [threads] and torch.get_num_threads() == threads:
        return
    torch.set_num_threads(threads)
    cv2.setNumThreads(threads)
    _applied_threads[:] = [threads]


class Engine(QObject):
    result_ready = Signal()  # take it with take_result(); emitted at most once per take
    bundle_changed = Signal(object)  # ModelBundle now in use
    source_changed = Signal(str)  # description of the source now in use
    busy = Signal(str)  # "building ShuffleNet V1 ..." ("" when idle)
    error = Signal(str)  # a user-facing problem; the engine keeps running
    build_failed = Signal(str)  # a requested bundle could not be built (the old one keeps running)
    layer_times = Signal(object)  # {layer name: ms}, measured on live frames after a rebuild
    agreement_ready = Signal(object)  # the bundle whose backend-vs-eager agreement was just measured

    def __init__(self, bundle: ModelBundle, source: FrameSource | None = None, threads: int | None = None, pace: bool = True) -> None:
        super().__init__()
        self._pipeline = InferencePipeline(bundle)
        self._source: FrameSource = source or SyntheticSource()
        self.threads = threads or default_live_threads()
        self.pace = pace
        self._lock = threading.Lock()
        self._latest: FrameResult | None = None
        self._signalled = False
        self._pending_bundle: ModelBundle | None = None
        self._pending_source: FrameSource | None = None
        self._pending_taps: tuple[str, ...] | None = None
        self._paused = threading.Event()
        self._stop = threading.Event()
        self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-builder")
        self._checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-checker")
        self._generation = itertools.count(1)
        self._wanted = {"bundle": 0, "source": 0}
        self._profile_frames = 0
        self._layer_samples: dict[str, list[float]] = {}
        self.frames = 0
        self.recent_frames: deque = deque(maxlen=32)  # int8 calibration data, from the live source
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="engine-worker", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._builder.shutdown(wait=True, cancel_futures=True)
        self._checker.shutdown(wait=True, cancel_futures=True)
        self._source.close()

    @property
    def bundle(self) -> ModelBundle:
        return self._pipeline.bundle

    @property
    def source(self) -> FrameSource:
        return self._source

    def set_paused(self, paused: bool) -> None:
        (self._paused.set if paused else self._paused.clear)()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    # ---- requests from the UI (never block) -----------------------------------------------
    def request_bundle(self, factory: BundleFactory, description: str) -> Future:
        """Build a new bundle off-thread; it replaces the current one between two frames."""
        generation = self._wanted["bundle"] = next(self._generation)
        self.busy.emit(f"building {description}...")

        def job():
            try:
                bundle = factory()
            except Exception as exc:  # a bad config or weights must not kill the engine
                if generation == self._wanted["bundle"]:
                    self.busy.emit("")
                    self.error.emit(f"could not build {description}: {exc}")
                    self.build_failed.emit(str(exc))
                return None
            if generation == self._wanted["bundle"]:  # not overtaken by a newer request
                with self._lock:
                    self._pending_bundle = bundle
                if "agreement" not in bundle.extra:  # after the swap, on its own thread: never delays a build
                    self._checker.submit(self._check_agreement, bundle, generation)
            return bundle

        return self._builder.submit(job)

    def _check_agreement(self, bundle: ModelBundle, generation: int) -> None:
        from explorer.engine.pipeline import measure_agreement

        if generation != self._wanted["bundle"]:
            return  # already replaced: nobody will see this number
        try:
            measure_agreement(bundle)
        except Exception as exc:
            self.error.emit(f"agreement check failed: {exc}")
            return
        self.agreement_ready.emit(bundle)

    def request_source(self, text: str, failure_note: str = "source not changed") -> Future:
        """Open a source off-thread (a camera can take a second); keep the current one on failure."""
        generation = self._wanted["source"] = next(self._generation)

        def job():
            try:
                source = open_source(text)
            except SourceError as exc:
                self.error.emit(f"{failure_note}: {exc}")
                return None
            except Exception as exc:  # OpenCV can raise on odd files
                self.error.emit(f"{failure_note}: {text}: {exc}")
                return None
            if generation != self._wanted["source"]:
                source.close()
                return None
            with self._lock:
                self._pending_source = source
            return source

        return self._builder.submit(job)

    def set_source(self, source: FrameSource) -> None:
        with self._lock:
            self._pending_source = source

    def set_taps(self, names) -> None:
        with self._lock:
            self._pending_taps = tuple(names)

    def set_embedding(self, wanted: bool) -> None:
        """Deliver pooled features with each result (teach mode capture)."""
        self._pipeline.want_embedding = wanted
        self._want_embedding = wanted

    def set_head(self, head) -> None:
        """Use a taught head (None: the model's own classifier) from the next frame on."""
        self._head = head
        self._pipeline.head = head

    def set_threads(self, threads: int) -> None:
        self.threads = max(1, int(threads))

    def profile_layers(self, frames: int = 5) -> None:
        """Time every layer over the next few frames (hooks add overhead: indicative)."""
        self._layer_samples: dict[str, list[float]] = {}
        self._profile_frames = frames

    def take_result(self) -> FrameResult | None:
        with self._lock:
            result, self._latest = self._latest, None
            self._signalled = False
        return result

    # ---- the worker loop ------------------------------------------------------------------
    def _apply_pending(self) -> None:
        with self._lock:
            bundle, self._pending_bundle = self._pending_bundle, None
            source, self._pending_source = self._pending_source, None
            taps, self._pending_taps = self._pending_taps, None
        if bundle is not None:
            had_head = self._pipeline.head is not None
            self._pipeline = InferencePipeline(bundle, self._pipeline.taps)
            self._pipeline.want_embedding = getattr(self, "_want_embedding", False)
            if had_head:  # a head belongs to one backbone: never apply it to another
                self._head = None
                self.error.emit("taught head set aside: the backbone changed (load it again on its own backbone)")
            self._profile_frames = 0  # timings of the old model are void; the UI asks again
            self.busy.emit("")
            self.bundle_changed.emit(bundle)
        if taps is not None:
            self._pipeline.set_taps(taps)
        if source is not None:
            old, self._source = self._source, source
            old.close()
            self.source_changed.emit(source.describe())

    def _run(self) -> None:
        next_due = time.perf_counter()
        while not self._stop.is_set():
            self._apply_pending()
            if self._paused.is_set():
                time.sleep(0.03)
                continue
            set_thread_count(self.threads)
            t0 = time.perf_counter()
            try:
                frame = self._source.read()
            except SourceError as exc:
                self._fall_back(str(exc))
                continue
            except Exception as exc:  # a decoder crash is a source problem, not an app crash
                self._fall_back(f"{self._source.describe()} failed: {exc}")
                continue
            capture_ms = (time.perf_counter() - t0) * 1000
            self.recent_frames.append(frame)
            try:
                if self._profile_frames > 0:
                    self._profile_step()
                result = self._pipeline.run(frame, capture_ms, self.frames)
            except Exception as exc:
                self.error.emit(f"inference failed: {exc}")
                time.sleep(0.2)
                continue
            self.frames += 1
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
            self.result_ready.emit()

    def _fall_back(self, message: str) -> None:
        self.error.emit(f"{message} - switched to the synthetic scene")
        old, self._source = self._source, SyntheticSource()
        try:
            old.close()
        except Exception:
            pass
        self.source_changed.emit(self._source.describe())

    def _profile_step(self) -> None:
        from explorer.analysis.latency import measure_layers

        bundle = self._pipeline.bundle
        for layer in measure_layers(bundle.model, bundle.spec.input_shape, runs=1, warmup=0):
            self._layer_samples.setdefault(layer.name, []).append(layer.median_ms)
        self._profile_frames -= 1
        if self._profile_frames == 0:
            self.layer_times.emit({name: sorted(v)[len(v) // 2] for name, v in self._layer_samples.items()})
