"""The engine: a worker thread runs source -> pipeline; the UI thread never waits on a model.

It reads intent from the AppState and answers there (no Qt here: the UI receives the state's
events through explorer.ui.bridge).
- The worker pulls the newest frame from the source and runs the pipeline on it.  Results go
  into a one-slot mailbox; ``frame_ready`` is emitted only when the UI has taken the previous
  one, so a slow UI drops stale frames instead of queueing them.
- A requested configuration or source is prepared on a builder thread while the old pipeline
  keeps running, then swapped in between two frames.  Requests overtaken by newer ones before
  they finish are discarded (a generation counter).
- Backend "auto": the torch backend runs at once; ONNX Runtime is built and checked against
  fp32 eager on live frames on a second thread and swapped in only if it agrees and is faster.
- A source that fails mid-run is replaced by the synthetic scene (or stream), with a message.
- Models and sources come in two kinds, images and sensor signals (the compact net).  A model
  of the other kind brings its own source along (the last one of its kind, else the synthetic
  one), swapped in on the same frame; a source of the wrong kind for the model is refused.
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import statistics
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

import cv2
import torch

from explorer.analysis.latency import measure_layers, time_callable
from explorer.paths import take_healed
from explorer.engine.bundles import load_bundle
from explorer.engine.config import AUTO, TORCH_BACKENDS, RunConfig
from explorer.engine.pipeline import FrameResult, InferencePipeline, ModelBundle, fp32_copy, measure_agreement, model_inputs
from explorer.engine.state import AppState
from explorer.optional import onnxruntime_status
from explorer.runtime.onnx_backend import export_onnx, release_freed_memory
from explorer.runtime.registry import TITLES, make_runner
from explorer.sources.base import FrameSource, SourceError
from explorer.sources.factory import open_source
from explorer.sources.signal_stream import synthetic_signal_source
from explorer.sources.synthetic import SyntheticSource
from explorer.weights import WeightsError

AUTO_MAX_ABS_DIFF = 1e-3  # ORT replaces torch only if every top-1 agrees and logits stay this close
AUTO_FRAMES = 8  # live frames the agreement check runs on
DEFAULT_SOURCES = {"image": "synthetic", "signal": "signal:synthetic"}
KIND_WORDS = {"image": "images", "signal": "sensor signals"}

_applied_threads: list[int] = []


def default_live_threads() -> int:
    """Inference threads for the live view: all cores but one.

    The UI thread and frame capture need a core of their own.  With every core given to
    torch, its OpenMP workers stall at barriers whenever the UI thread preempts one of them:
    measured on a 2-core machine, 2 threads gave 18 fps and 1 thread 39 fps (V2 1x, 224).
    """
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


def compare_int8_with_fp32(bundle: ModelBundle, frames) -> None:
    """int8 is not always faster (ORT has few fast int8 kernels for grouped 1x1 convs, and QDQ
    pairs around every shuffle): measure it against fp32 ONNX Runtime here and say so."""
    fp32 = make_runner("onnxruntime", fp32_copy(bundle), bundle.spec, threads=bundle.config.threads)
    x = torch.from_numpy(model_inputs(frames, bundle.spec, bundle.recipe)[0]) if frames else torch.randn(1, *bundle.spec.input_shape)
    int8_ms = time_callable(lambda: bundle.runner(x), runs=20, warmup=3)[0].median_ms
    fp32_ms = time_callable(lambda: fp32(x), runs=20, warmup=3)[0].median_ms
    bundle.extra["int8_vs_fp32_ms"] = (int8_ms, fp32_ms)
    verdict = "slower than fp32 ONNX Runtime here" if int8_ms > fp32_ms else "faster than fp32 ONNX Runtime here"
    bundle.extra["speed_note"] = f"; {verdict} ({int8_ms:.1f} vs {fp32_ms:.1f} ms)"


def synthetic_source(kind: str) -> FrameSource:
    """The source that always works: the synthetic scene, or the synthetic activity stream."""
    source = synthetic_signal_source() if kind == "signal" else SyntheticSource()
    source.text = DEFAULT_SOURCES[kind]
    return source


class Engine:
    def __init__(self, state: AppState, bundle: ModelBundle, source: FrameSource | None = None, pace: bool = True) -> None:
        self.state = state
        self._pipeline = InferencePipeline(bundle)
        self._source: FrameSource = source or synthetic_source(bundle.spec.input_kind)
        self._last_source_text = dict(DEFAULT_SOURCES)  # per kind: where a model of that kind returns to
        self._remember(self._source)
        self.pace = pace
        self._lock = threading.Lock()
        self._latest: FrameResult | None = None
        self._signalled = False
        self._pending_bundle: ModelBundle | None = None
        self._pending_source: FrameSource | None = None
        self._stop = threading.Event()
        self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-builder")
        self._checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-checker")
        self._generation = itertools.count(1)
        self._wanted = {"bundle": 0, "source": 0}
        self._cancel_download = threading.Event()
        self._profile_frames = 0
        self._layer_samples: dict[str, list[float]] = {}
        self.frames = 0
        self.recent_frames: deque = deque(maxlen=32)  # int8 calibration and auto's agreement check
        self.recent_inference_ms: deque = deque(maxlen=30)
        self._thread: threading.Thread | None = None
        state.set_running(bundle)
        state.set_source_description(self._source.describe())
        state.requested.connect(self._on_request)
        state.source_requested.connect(self.request_source)
        state.download_cancel_requested.connect(self._on_cancel_download)
        state.layer_times_requested.connect(self.profile_layers)

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="engine-worker", daemon=True)
            self._thread.start()
            self._after_swap(self.bundle, self._wanted["bundle"])

    def stop(self) -> None:
        self._stop.set()
        self._cancel_download.set()
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

    # ---- requests (from the state; never block) ------------------------------------------
    def _on_request(self, config: RunConfig, explicit_weights: bool) -> None:
        generation = self._wanted["bundle"] = next(self._generation)
        running = self.bundle
        if config == running.config:  # back to what runs (or a failed request reverted)
            self.state.set_busy("")
            return
        if running.backend in TORCH_BACKENDS and config == running.config.with_changes(threads=config.threads):
            with self._lock:  # only the thread count changed: torch applies it between frames
                self._pending_bundle = dataclasses.replace(running, config=config)
            return
        self._cancel_download = cancel = threading.Event()
        calibration = list(self.recent_frames) if config.backend == "int8" else None
        self.submit_build(lambda progress: load_bundle(config, strict=explicit_weights, progress=progress, cancel=cancel,
                                                       calibration=calibration, check_agreement=False, defer_taps=True),
                          config.describe(), generation)

    def submit_build(self, factory, description: str, generation: int | None = None) -> Future:
        """Build a bundle off-thread (``factory(progress)``); it replaces the current one between two frames."""
        if generation is None:
            generation = self._wanted["bundle"] = next(self._generation)
        self.state.set_busy(f"building {description}…")

        def progress(fraction: float, text: str) -> None:
            if generation == self._wanted["bundle"]:
                self.state.set_busy(text, fraction)

        def job():
            try:
                bundle = factory(progress)
            except Exception as exc:  # a bad config or weights must not kill the engine
                if generation == self._wanted["bundle"]:
                    self.state.set_busy("")
                    cancelled = self._cancel_download.is_set() and isinstance(exc, WeightsError)
                    self.state.say("download cancelled" if cancelled else f"could not build {description}: {exc}")
                    self.state.revert_request()
                return None
            source = self._source_for(bundle)
            if generation == self._wanted["bundle"]:  # not overtaken by a newer request
                with self._lock:
                    self._pending_bundle = bundle
                    if source is not None:
                        self._pending_source = source
            elif source is not None:
                source.close()
            return bundle

        return self._builder.submit(job)

    def _source_for(self, bundle: ModelBundle) -> FrameSource | None:
        """A source of the bundle's kind when the current one is of the other kind (else None)."""
        kind = bundle.spec.input_kind
        with self._lock:
            current = self._pending_source or self._source
        if current.input_kind == kind:
            return None
        text = self._last_source_text[kind]
        try:
            source = open_source(text)
        except Exception as exc:  # a remembered camera or file may be gone: the synthetic one is always there
            source = synthetic_source(kind)
            self.state.say(f"{text} could not be opened ({exc}); using {source.describe()}")
        else:
            self.state.say(f"{bundle.spec.label} reads {KIND_WORDS[kind]}: source switched to {text}", error=False)
        return source

    def _remember(self, source: FrameSource) -> None:
        self._last_source_text[source.input_kind] = source.text or DEFAULT_SOURCES[source.input_kind]

    def _on_cancel_download(self) -> None:
        self._cancel_download.set()

    def request_source(self, text: str, failure_note: str = "source not changed") -> Future:
        """Open a source off-thread (a camera can take a second); keep the current one on failure."""
        generation = self._wanted["source"] = next(self._generation)

        def job():
            try:
                source = open_source(text)
            except SourceError as exc:
                self.state.say(f"{failure_note}: {exc}")
                return None
            except Exception as exc:  # OpenCV can raise on odd files
                self.state.say(f"{failure_note}: {text}: {exc}")
                return None
            if generation != self._wanted["source"]:
                source.close()
                return None
            spec = self.state.config.spec  # the model asked for last: the source must fit it
            if source.input_kind != spec.input_kind:
                source.close()
                self.state.say(f"{failure_note}: {text} gives {KIND_WORDS[source.input_kind]}, but {spec.label} reads "
                               f"{KIND_WORDS[spec.input_kind]}; pick a model for it first (or a source of {KIND_WORDS[spec.input_kind]})")
                self.state.source_text = self._source.text or self.state.source_text
                return None
            self._fit_signal_input(source, spec)
            self.set_source(source)
            return source

        return self._builder.submit(job)

    def _fit_signal_input(self, source: FrameSource, spec) -> None:
        """A recording with another channel count (or shorter than a window): ask for the compact
        net's input size that fits it, and say so."""
        if source.input_kind != "signal":
            return
        series, modal = spec.input_size
        fitted = (min(series, source.history), source.modal)
        if fitted != (series, modal):
            self.state.say(f"{source.name} has {source.modal} channels: the compact net's input is now {fitted[0]}x{fitted[1]}", error=False)
            self.state.request(spec=spec.with_changes(input_size=fitted))

    def set_source(self, source: FrameSource) -> None:
        with self._lock:
            self._pending_source = source

    def profile_layers(self, frames: int = 5) -> None:
        """Time every layer over the next few frames (torch eager, hooks: indicative)."""
        self._layer_samples = {}
        self._profile_frames = frames

    def take_result(self) -> FrameResult | None:
        with self._lock:
            result, self._latest = self._latest, None
            self._signalled = False
        return result

    # ---- backend "auto" --------------------------------------------------------------------
    def _after_swap(self, bundle: ModelBundle, generation: int) -> None:
        """Work that follows a swap, on the checker thread: never delays a frame or a build."""
        if bundle.config.backend == AUTO and bundle.backend in TORCH_BACKENDS:
            self._checker.submit(self._upgrade_auto, bundle, generation)
        elif bundle.agreement is None:
            self._checker.submit(self._check_agreement, bundle, generation)

    def _check_agreement(self, bundle: ModelBundle, generation: int) -> None:
        if generation != self._wanted["bundle"]:
            return  # already replaced: nobody will see this number
        try:
            measure_agreement(bundle, frames=list(self.recent_frames) or None)
            if bundle.backend == "int8":
                compare_int8_with_fp32(bundle, list(self.recent_frames)[-1:])
        except Exception as exc:
            self.state.say(f"agreement check failed: {exc}")
            return
        self.state.agreement.emit(bundle)

    def _upgrade_auto(self, bundle: ModelBundle, generation: int) -> None:
        torch_title = TITLES[bundle.backend]
        ort = onnxruntime_status()
        if not ort.available:
            self._explain_auto(bundle, f"auto → {torch_title}: ONNX Runtime is not installed ({ort.fix})")
            return
        deadline = time.monotonic() + 10
        while len(self.recent_frames) < AUTO_FRAMES and time.monotonic() < deadline and not self._stop.is_set():
            time.sleep(0.05)  # the agreement check runs on live frames
        if generation != self._wanted["bundle"] or self._stop.is_set():
            return
        spec = bundle.spec
        try:
            self.state.set_busy("auto: building the ONNX Runtime session…")
            # a view that taps now gets its taps with the swap; otherwise they wait until one does
            # (teach mode needs only the embedding, which the untapped graph has)
            runner = make_runner("onnxruntime", fp32_copy(bundle), spec, threads=bundle.config.threads,
                                 defer_taps=not self.state.taps)
            candidate = dataclasses.replace(bundle, runner=runner, backend="onnxruntime", agreement=None, extra=dict(bundle.extra))
            frames = list(self.recent_frames)[-AUTO_FRAMES:]
            check = measure_agreement(candidate, frames=frames)
            x = model_inputs(frames[-1:], spec, bundle.recipe)[0]
            ort_ms = time_callable(lambda: runner(torch.from_numpy(x)), runs=20, warmup=3)[0].median_ms
        except Exception as exc:  # ORT failing must never stop the video: stay on torch
            self.state.set_busy("")
            self._explain_auto(bundle, f"auto → {torch_title}: ONNX Runtime could not run this model ({exc})")
            return
        finally:
            if generation == self._wanted["bundle"]:
                self.state.set_busy("")
        torch_ms = statistics.median(self.recent_inference_ms) if self.recent_inference_ms else float("inf")
        agree = check["top1_agreement"] == 1.0 and check["max_abs_diff"] <= AUTO_MAX_ABS_DIFF
        summary = (f"{ort_ms:.1f} ms vs {torch_ms:.1f} ms {bundle.backend}, agreement {check['top1_agreement'] * 100:.0f} % "
                   f"(max |Δlogit| {check['max_abs_diff']:.1g}) on {check['frames']} live frames")
        if generation != self._wanted["bundle"]:
            return
        if not agree:
            self._explain_auto(bundle, f"auto → {torch_title}: ONNX Runtime disagrees with fp32 eager ({summary})")
        elif ort_ms >= torch_ms:
            self._explain_auto(bundle, f"auto → {torch_title}: ONNX Runtime is not faster here ({summary})")
        else:
            candidate.extra["auto"] = f"auto → ONNX Runtime fp32: {summary}"
            with self._lock:
                self._pending_bundle = candidate
        release_freed_memory()  # the check's eager runs on this thread's arena: hand it back

    # ---- ONNX Runtime's taps, exported when a view first wants them ---------------------------
    def _export_taps_if_wanted(self) -> None:
        bundle = self._pipeline.bundle
        runner = bundle.runner
        if getattr(runner, "taps_wanted", False) and not runner.taps_ready and bundle.extra.get("taps") is None:
            bundle.extra["taps"] = "exporting"  # once per bundle, even if the export fails
            self._checker.submit(self._export_taps, bundle, self._wanted["bundle"])

    def _export_taps(self, bundle: ModelBundle, generation: int) -> None:
        """Off the worker: the frames go on (without taps) while torch exports the tapped model."""
        if generation != self._wanted["bundle"] or self._stop.is_set():
            return
        self.state.set_busy("exporting the feature taps for ONNX Runtime (once per model)…")
        try:
            bundle.runner.attach_tapped(export_onnx(fp32_copy(bundle), bundle.spec, tapped=True))
            bundle.extra["taps"] = "ready"
        except Exception as exc:  # the logits go on; only the views that tap stay empty
            bundle.extra["taps"] = f"failed: {exc}"
            self.state.say(f"ONNX Runtime could not export the feature taps ({exc}); a torch backend shows them")
        finally:
            self.state.set_busy("")

    def _explain_auto(self, bundle: ModelBundle, text: str) -> None:
        bundle.extra["auto"] = text
        if bundle.agreement is None:
            measure_agreement(bundle, frames=list(self.recent_frames) or None)
        self.state.agreement.emit(bundle)

    # ---- the worker loop ------------------------------------------------------------------
    def _apply_pending(self) -> None:
        with self._lock:
            bundle, self._pending_bundle = self._pending_bundle, None
            source, self._pending_source = self._pending_source, None
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
            self._after_swap(bundle, self._wanted["bundle"])
            if bundle.runner is not old.runner:
                release_freed_memory()  # the old backend's buffers (a board's steady state is the peak)
        if source is not None:
            old_source, self._source = self._source, source
            old_source.close()
            self.recent_frames.clear()  # calibration and agreement checks want frames of this source
            self._remember(source)
            if source.text:
                self.state.source_text = source.text
            self.state.set_source_description(source.describe())

    def _run(self) -> None:
        next_due = time.perf_counter()
        state = self.state
        while not self._stop.is_set():
            self._apply_pending()
            if state.paused:
                time.sleep(0.03)
                continue
            set_thread_count(self.bundle.config.threads)
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
            head = state.head
            if head is not None and head.spec != self.bundle.spec.to_dict():
                head = None  # set for another backbone a moment before a swap
            try:
                if self._profile_frames > 0:
                    self._profile_step()
                result = self._pipeline.run(frame, capture_ms, self.frames, taps=state.taps, embedding=state.capture, head=head)
            except Exception as exc:
                state.say(f"inference failed: {exc}")
                time.sleep(0.2)
                continue
            self.frames += 1
            self._export_taps_if_wanted()
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
        self.state.set_source_description(self._source.describe())

    def _profile_step(self) -> None:
        bundle = self._pipeline.bundle
        for layer in measure_layers(bundle.model, bundle.spec.input_shape, runs=1, warmup=0):
            self._layer_samples.setdefault(layer.name, []).append(layer.median_ms)
        self._profile_frames -= 1
        if self._profile_frames == 0:
            self.state.layer_times.emit({name: statistics.median(v) for name, v in self._layer_samples.items()})
