"""The app's one state object: what the user asked for and what is running.  No Qt.

Widgets never change the model themselves: they call ``request``/``request_source``/... here.
The engine answers by building off the UI thread and then setting what runs
(``set_running``), which every view redraws from.  Events are psygnal signals and are emitted
on whichever thread made the change: Qt views connect through ``explorer.ui.base.bridge``, which
delivers them on the UI thread (napari's split: evented models without Qt, Qt views that
subscribe).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from psygnal import Signal

from explorer.engine.config import RunConfig
from explorer.weights.loader import torchvision_cached
from explorer.weights.source import TORCHVISION, UNTRAINED, WeightsSource


@dataclass(frozen=True)
class Busy:
    """What the engine is doing off the frame thread, as the status bar and the weights box show it."""

    text: str = ""  # "" when idle
    fraction: float = -1.0  # done so far; -1: unknown
    download: bool = False  # a weights download: the user may cancel it

    @property
    def idle(self) -> bool:
        return not self.text


IDLE = Busy()


def _parsed(text) -> WeightsSource | None:
    """A remembered weights choice, or None for a damaged one (startup has said so)."""
    try:
        return WeightsSource.parse(text)
    except ValueError:
        return None


class AppState:
    # intent (from the UI thread)
    requested = Signal(object, bool)  # RunConfig, weights chosen explicitly (a failure then keeps the old model)
    source_requested = Signal(str)
    download_cancel_requested = Signal()
    layer_times_requested = Signal()
    # what runs (from the engine's threads)
    running = Signal(object)  # ModelBundle now in use
    source = Signal(str)  # description of the source now in use
    source_text_changed = Signal(str)  # what the source box shows (the engine corrects it after a refused source)
    agreement = Signal(object)  # a bundle whose backend-vs-eager agreement was just measured
    layer_times = Signal(object)  # {layer: ms}
    frame_ready = Signal()  # take it with Engine.take_result(); at most one per take
    # per-frame options, read by the engine between two frames
    taps_changed = Signal(tuple)
    head_changed = Signal(object)  # a TaughtHead, or None for the model's own classifier
    paused_changed = Signal(bool)
    # feedback
    message = Signal(str, bool)  # text, is an error
    failure = Signal(str, str)  # an error with its traceback: the banner shows the text, Copy copies both
    busy = Signal(object)  # a Busy

    def __init__(self, config: RunConfig, source: str = "synthetic", weights_by_arch: dict | None = None) -> None:
        self.config = config  # requested
        # weights belong to the architecture they were chosen for: switching away and back finds
        # them again, and they are never carried to an architecture they cannot fit
        # (the remembered text is parsed here, once)
        self.weights_by_arch: dict[str, WeightsSource] = {
            **{arch: source for arch, text in (weights_by_arch or {}).items() if (source := _parsed(text)) is not None},
            config.spec.arch: config.weights,
        }
        # so are the other choices (shuffle, groups, scale, size): an architecture that lacks one
        # never passes its "off" on to the next
        self.specs_by_arch = {config.spec.arch: config.spec}
        self.bundle = None  # running ModelBundle, set by the engine
        self.source_text = source
        self.source_description = ""
        self.taps: tuple[str, ...] = ()
        self.capture = False
        self.head = None
        self._running_again = threading.Event()
        self._running_again.set()
        self.last_message = ("", False)
        self.busy_now = IDLE

    # ---- intent ------------------------------------------------------------------------
    def request(self, **changes) -> bool:
        """Ask for a new configuration (spec=, weights=, backend=, threads=); False if unchanged.

        A new architecture brings its own weights (the ones last used with it, else its default),
        not the previous architecture's."""
        explicit = "weights" in changes
        spec = changes.get("spec")
        if spec is not None and not explicit and spec.arch != self.config.spec.arch:
            changes["weights"] = self.weights_for(spec)
        config = self.config.with_changes(**changes)
        if config == self.config:
            return False
        self.config = config
        self.weights_by_arch[config.spec.arch] = config.weights
        self.specs_by_arch[config.spec.arch] = config.spec
        self.requested.emit(config, explicit)
        return True

    def weights_for(self, spec) -> WeightsSource:
        """The weights an architecture runs with when the user switches to it (untrained when
        turned down before)."""
        if spec.arch in self.weights_by_arch:
            return self.weights_by_arch[spec.arch]
        return WeightsSource(TORCHVISION) if torchvision_cached(spec) else UNTRAINED

    def revert_request(self) -> None:
        """A request failed: show what really runs again."""
        if self.bundle is not None and self.config != self.bundle.config:
            self.config = self.bundle.config
            self.weights_by_arch[self.config.spec.arch] = self.config.weights
            self.specs_by_arch[self.config.spec.arch] = self.config.spec
            self.requested.emit(self.config, False)

    def request_source(self, text: str) -> None:
        self.source_text = text
        self.source_requested.emit(text)

    def set_source_text(self, text: str) -> None:
        self.source_text = text
        self.source_text_changed.emit(text)

    def cancel_download(self) -> None:
        self.download_cancel_requested.emit()

    def request_layer_times(self) -> None:
        self.layer_times_requested.emit()

    def set_taps(self, names) -> None:
        self.taps = tuple(names)
        self.taps_changed.emit(self.taps)

    def set_capture(self, on: bool) -> None:
        self.capture = bool(on)  # read by the engine each frame; nothing redraws on it

    def set_head(self, head) -> None:
        self.head = head
        self.head_changed.emit(head)

    @property
    def paused(self) -> bool:
        return not self._running_again.is_set()

    def set_paused(self, paused: bool) -> None:
        if paused:
            self._running_again.clear()
        else:
            self._running_again.set()
        self.paused_changed.emit(self.paused)

    def wait_while_paused(self, stop: threading.Event, check_every: float = 0.25) -> None:
        """The engine's pause: wakes the moment the user resumes (or ``stop`` is set)."""
        while self.paused and not stop.is_set():
            self._running_again.wait(check_every)

    # ---- what runs (the engine) -----------------------------------------------------------
    def set_running(self, bundle) -> None:
        self.bundle = bundle
        self.running.emit(bundle)

    def set_source_description(self, text: str) -> None:
        self.source_description = text
        self.source.emit(text)

    # ---- feedback ----------------------------------------------------------------------
    def say(self, text: str, error: bool = True) -> None:
        self.last_message = (text, error)
        self.message.emit(text, error)

    def report_failure(self, text: str, details: str) -> None:
        """A failure whose traceback a bug report needs (``details``): shown like an error, copyable whole."""
        self.last_message = (text, True)
        self.failure.emit(text, details)

    def set_busy(self, text: str, fraction: float = -1.0, download: bool = False) -> None:
        self.busy_now = Busy(text, fraction, download)
        self.busy.emit(self.busy_now)
