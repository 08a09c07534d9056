"""Sensor streams as a source: a recording (synthetic or from a file) played back at its sample
rate, handing out the newest stretch of samples every ``hop`` samples.

Each read is a SignalWindow: the last HISTORY samples (what the Live tab scrolls through), their
labels when the recording has them, and what the channels and classes are called.  The model
takes the last ``series`` of those samples, so one source serves any window length.  The
recording loops, so a demo never runs dry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.sources import inertial
from explorer.sources.base import FrameSource, SourceError
from explorer.sources.signal_files import read_signal_file

HISTORY = 512  # samples kept per read: ~10 s at 50 Hz, and more than any usual window
DEFAULT_HOP = 5  # 10 windows a second at 50 Hz: the plot scrolls smoothly
SYNTHETIC_SECONDS = 900.0  # 15 minutes of activities before the loop repeats
MIN_FILE_SAMPLES = 16  # the shortest window the compact net takes
# live streams are their own streams: `explorer train --seed N` (and the Teach tab) train on
# seed N and validate on N + 1_000_003, so the accuracy the Live tab shows is on unseen data
LIVE_SEED_OFFSET = 2_000_003


@dataclass(frozen=True)
class SignalWindow:
    """The newest samples of a stream.  ``history`` (samples, modal) float32, newest last."""

    history: np.ndarray
    labels: np.ndarray | None  # per sample of ``history``: indices into ``classes``
    end: int  # samples played so far (the stream position of the newest sample + 1)
    rate: float
    channels: tuple[str, ...]
    classes: tuple[str, ...]
    centre: np.ndarray  # per channel: the recording's median
    spread: np.ndarray  # per channel: a typical amplitude around it (robust), for drawing on one scale

    @property
    def modal(self) -> int:
        return self.history.shape[1]

    def window(self, series: int) -> np.ndarray:
        """The model's input: the last ``series`` samples, (series, modal)."""
        if series > len(self.history):
            raise ValueError(
                f"a window of {series} samples needs a longer recording than {len(self.history)} samples; "
                "pick a shorter input size"
            )
        return self.history[-series:]

    def label(self, series: int) -> str | None:
        """The true class at the centre of the last ``series`` samples (None when unlabelled)."""
        if self.labels is None or not self.classes or series > len(self.labels):
            return None
        return self.classes[int(self.labels[-series + series // 2])]


class SignalSource(FrameSource):
    input_kind = "signal"
    kind = "signal"

    def __init__(
        self,
        signals: np.ndarray,
        channels,
        rate: float = inertial.SAMPLE_RATE,
        hop: int = DEFAULT_HOP,
        labels: np.ndarray | None = None,
        classes=(),
        name: str = "signals",
    ) -> None:
        if signals.ndim != 2 or len(signals) < MIN_FILE_SAMPLES:
            raise SourceError(
                f"{name}: a signal stream needs (samples, channels) with at least {MIN_FILE_SAMPLES} samples, got {signals.shape}"
            )
        if not 1 <= hop <= 10 * rate:
            raise SourceError(f"hop must be 1..{int(10 * rate)} samples, got {hop}")
        self.signals = np.ascontiguousarray(signals, dtype=np.float32)
        self.labels = labels
        self.classes = tuple(classes)
        self.channels = tuple(channels)
        self.rate = float(rate)
        self.hop = int(hop)
        self.fps = self.rate / self.hop
        self.name = name
        self.history = min(HISTORY, len(self.signals))
        self._end = self.history  # start with a full history: the first window is complete
        self.centre = np.median(self.signals, axis=0).astype(np.float32)
        self.spread = np.maximum(np.percentile(np.abs(self.signals - self.centre), 95, axis=0), 1e-6).astype(np.float32)

    @property
    def modal(self) -> int:
        return self.signals.shape[1]

    def window_at(self, end: int) -> SignalWindow:
        index = np.arange(end - self.history, end) % len(self.signals)  # loops over the seam
        labels = self.labels[index] if self.labels is not None else None
        return SignalWindow(
            self.signals[index], labels, end, self.rate, self.channels, self.classes, self.centre, self.spread
        )

    def read(self) -> SignalWindow:
        window = self.window_at(self._end)
        self._end += self.hop
        return window

    def frame_at(self, index: int) -> SignalWindow:
        """The ``index``-th read from the start, without moving the stream (calibration data)."""
        return self.window_at(self.history + index * self.hop)

    def describe(self) -> str:
        labelled = f", labelled ({len(self.classes)} classes)" if self.labels is not None else ""
        return f"{self.name}: {self.modal} channels at {self.rate:g} Hz, a window every {self.hop} samples{labelled}"


def synthetic_signal_source(seed: int = 0, hop: int = DEFAULT_HOP, seconds: float = SYNTHETIC_SECONDS) -> SignalSource:
    stream = inertial.generate(seconds, seed=LIVE_SEED_OFFSET + seed)
    source = SignalSource(
        stream.signals,
        inertial.CHANNELS,
        stream.rate,
        hop,
        stream.labels,
        inertial.ACTIVITIES,
        f"synthetic activities (seed {seed})",
    )
    source.text = "signal:synthetic" + (f":{seed}" if seed else "") + (f"@{hop}" if hop != DEFAULT_HOP else "")
    return source


def file_signal_source(path: str | Path, hop: int = DEFAULT_HOP, rate: float = inertial.SAMPLE_RATE) -> SignalSource:
    """A .csv/.npy recording played back at ``rate``; a windowed .npy plays its windows one after another."""
    recording = read_signal_file(path, MIN_FILE_SAMPLES)
    signals, labels = recording.signals, recording.labels
    if recording.windowed:
        series = signals.shape[1]
        signals = signals.reshape(-1, signals.shape[2])
        labels = np.repeat(labels, series) if labels is not None else None
    return SignalSource(signals, recording.channels, rate, hop, labels, recording.classes, recording.name)
