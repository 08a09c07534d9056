"""Labelled training and validation windows for the compact net, from the synthetic activity
generator or a labelled recording: one place for the CLI's `train` and the Teach tab.

The two never share a window: the synthetic validation stream is generated from another seed,
and a recording is split in time (the first 80 % trains, the rest validates).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.sources import inertial
from explorer.sources.base import SourceError
from explorer.sources.signal_files import read_signal_file

VALIDATION_SEED_OFFSET = 1_000_003
TRAIN_FRACTION = 0.8


@dataclass(frozen=True)
class SignalSplit:
    train: tuple[np.ndarray, np.ndarray]  # windows (N, series, modal), labels (N,)
    val: tuple[np.ndarray, np.ndarray]
    classes: tuple[str, ...]
    channels: tuple[str, ...]
    origin: str


def synthetic_split(seconds: float = 800.0, series: int = 128, hop: int = 32, seed: int = 0) -> SignalSplit:
    train = inertial.windows(inertial.generate(seconds, seed=seed), series, hop)
    val_stream = inertial.generate(max(seconds / 2, 120.0), seed=seed + VALIDATION_SEED_OFFSET)
    return SignalSplit(
        train,
        inertial.windows(val_stream, series, series // 2),
        inertial.ACTIVITIES,
        inertial.CHANNELS,
        f"synthetic activities, {seconds:g} s (seed {seed})",
    )


def file_split(path: str, series: int = 128, hop: int = 32) -> SignalSplit:
    """A labelled .csv/.npy split in time; SourceError names what is missing."""
    recording = read_signal_file(path, series)
    if recording.labels is None:
        fix = (
            "name one column 'label'" if str(path).lower().endswith(".csv") else "put them in NAME.labels.npy beside it"
        )
        raise SourceError(f"{recording.name} has no labels ({fix}); training needs labels")
    if len(recording.classes) < 2:
        raise SourceError(f"{recording.name} has one class ({recording.classes[0]}); training needs at least two")
    if recording.windowed:  # already cut: split the windows in order
        windows, labels = recording.signals, recording.labels
        if windows.shape[1] != series:
            raise SourceError(
                f"{recording.name} holds windows of {windows.shape[1]} samples; train with --series {windows.shape[1]}"
            )
        cut = int(len(windows) * TRAIN_FRACTION)
        if cut < 1 or cut == len(windows):
            raise SourceError(f"{recording.name} has too few windows to split into training and validation")
        return SignalSplit(
            (windows[:cut], labels[:cut]),
            (windows[cut:], labels[cut:]),
            recording.classes,
            recording.channels,
            recording.name,
        )
    cut = int(len(recording.signals) * TRAIN_FRACTION)
    if cut < series or len(recording.signals) - cut < series:
        raise SourceError(
            f"{recording.name} is too short to split into training and validation windows of {series} samples"
        )
    parts = [
        inertial.Stream(recording.signals[a:b], recording.labels[a:b])
        for a, b in ((0, cut), (cut, len(recording.signals)))
    ]
    return SignalSplit(
        inertial.windows(parts[0], series, hop),
        inertial.windows(parts[1], series, series // 2),
        recording.classes,
        recording.channels,
        recording.name,
    )
