"""Requests in, bundles and sources out: built on a thread of their own while frames go on.

A requested configuration or source is prepared here and offered to the frame loop
(handoff.PendingSwap), which swaps it in between two frames.  A request overtaken by a newer one
before it finishes is dropped (handoff.Generations).  A model of the other input kind brings its
own source along (the last one of its kind, else the synthetic one).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from explorer.engine.bundles import load_bundle
from explorer.engine.config import AUTO, RunConfig
from explorer.engine.handoff import Generations, PendingSwap, RecentFrames
from explorer.engine.pipeline import ModelBundle
from explorer.engine.state import AppState
from explorer.runtime import registry
from explorer.sources.base import FrameSource, SourceError
from explorer.sources.factory import open_source
from explorer.sources.signal_stream import synthetic_signal_source
from explorer.sources.synthetic import SyntheticSource
from explorer.weights import WeightsError

DEFAULT_SOURCES = {"image": "synthetic", "signal": "signal:synthetic"}
KIND_WORDS = {"image": "images", "signal": "sensor signals"}


def synthetic_source(kind: str) -> FrameSource:
    """The source that always works: the synthetic scene, or the synthetic activity stream."""
    source = synthetic_signal_source() if kind == "signal" else SyntheticSource()
    source.text = DEFAULT_SOURCES[kind]
    return source


class Builder:
    def __init__(
        self,
        state: AppState,
        generations: Generations,
        swap: PendingSwap,
        recent: RecentFrames,
        running: Callable[[], ModelBundle],
        current_source: Callable[[], FrameSource],
    ) -> None:
        self.state = state
        self._generations = generations
        self._swap = swap
        self._recent = recent
        self._running = running
        self._current_source = current_source
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-builder")
        self._cancel_download = threading.Event()
        self._last_source_text = dict(DEFAULT_SOURCES)  # per kind: where a model of that kind returns to

    def shutdown(self) -> None:
        self._cancel_download.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def cancel_download(self) -> None:
        self._cancel_download.set()

    def remember(self, source: FrameSource) -> None:
        self._last_source_text[source.input_kind] = source.text or DEFAULT_SOURCES[source.input_kind]

    # ---- bundles ---------------------------------------------------------------------------
    def on_request(self, config: RunConfig, explicit_weights: bool) -> None:
        generation = self._generations.new("bundle")
        running = self._running()
        if config == running.config:  # back to what runs (or a failed request reverted)
            self.state.set_busy("")
            return
        if running.entry.runs_torch_module and config == running.config.with_changes(threads=config.threads):
            self._swap.offer(bundle=dataclasses.replace(running, config=config))  # torch applies it between frames
            return
        self._cancel_download = cancel = threading.Event()
        calibrated = config.backend != AUTO and registry.get(config.backend).needs_calibration
        calibration = self._recent.latest() if calibrated else None
        self.submit(
            lambda progress: load_bundle(
                config,
                strict=explicit_weights,
                progress=progress,
                cancel=cancel,
                calibration=calibration,
                check_agreement=False,
                defer_taps=True,
            ),
            config.describe(),
            generation,
        )

    def submit(self, factory, description: str, generation: int | None = None) -> Future:
        """Build a bundle off-thread (``factory(progress)``); it replaces the current one between two frames."""
        if generation is None:
            generation = self._generations.new("bundle")
        self.state.set_busy(f"building {description}…")

        def current() -> bool:
            return self._generations.is_current("bundle", generation)

        def progress(fraction: float, text: str, download: bool = False) -> None:
            if current():
                self.state.set_busy(text, fraction, download)

        def job():
            if not current():  # overtaken while queued (changes faster than builds): never built at all
                return None
            try:
                bundle = factory(progress)
            except Exception as exc:  # a bad config or weights must not kill the engine
                if current():
                    self.state.set_busy("")
                    cancelled = self._cancel_download.is_set() and isinstance(exc, WeightsError)
                    self.state.say("download cancelled" if cancelled else f"could not build {description}: {exc}")
                    self.state.revert_request()
                return None
            source = self._source_for(bundle)
            if current():  # not overtaken by a newer request
                self._swap.offer(bundle=bundle, source=source)
            elif source is not None:
                source.close()
            return bundle

        return self._pool.submit(job)

    def _source_for(self, bundle: ModelBundle) -> FrameSource | None:
        """A source of the bundle's kind when the current one is of the other kind (else None)."""
        kind = bundle.spec.input_kind
        current = self._swap.pending_source() or self._current_source()
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

    # ---- sources ---------------------------------------------------------------------------
    def request_source(self, text: str, failure_note: str = "source not changed") -> Future:
        """Open a source off-thread (a camera can take a second); keep the current one on failure."""
        generation = self._generations.new("source")

        def job():
            try:
                source = open_source(text)
            except SourceError as exc:
                self.state.say(f"{failure_note}: {exc}")
                return None
            except Exception as exc:  # OpenCV can raise on odd files
                self.state.say(f"{failure_note}: {text}: {exc}")
                return None
            if not self._generations.is_current("source", generation):
                source.close()
                return None
            spec = self.state.config.spec  # the model asked for last: the source must fit it
            if source.input_kind != spec.input_kind:
                source.close()
                self.state.say(
                    f"{failure_note}: {text} gives {KIND_WORDS[source.input_kind]}, but {spec.label} reads "
                    f"{KIND_WORDS[spec.input_kind]}; pick a model for it first (or a source of {KIND_WORDS[spec.input_kind]})"
                )
                self.state.set_source_text(self._current_source().text or self.state.source_text)
                return None
            self._fit_signal_input(source, spec)
            self._swap.offer(source=source)
            return source

        return self._pool.submit(job)

    def _fit_signal_input(self, source: FrameSource, spec) -> None:
        """A recording with another channel count (or shorter than a window): ask for the input
        size that fits it, and say so."""
        if source.input_kind != "signal":
            return
        series, modal = spec.signal_size
        fitted = (min(series, source.history), source.modal)
        if fitted != (series, modal):
            self.state.say(
                f"{source.name} has {source.modal} channels: the {spec.architecture.title}'s input is now {fitted[0]}x{fitted[1]}",
                error=False,
            )
            self.state.request(spec=spec.with_changes(input_size=fitted))
