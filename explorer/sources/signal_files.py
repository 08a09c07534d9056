"""Sensor recordings from files: CSV (a header naming the channels, an optional label column) and
NumPy .npy, shaped (samples, modal) or already windowed (windows, series, modal).

Every problem is one SourceError naming the file, what is wrong and what to do; nothing here
returns a half-read recording.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.sources.base import SourceError

LABEL_COLUMNS = ("label", "activity", "class")


@dataclass(frozen=True)
class SignalRecording:
    """``signals`` (samples, modal) float32, or (windows, series, modal) when the file was windowed."""

    signals: np.ndarray
    channels: tuple[str, ...]
    labels: np.ndarray | None = None  # per sample, indices into ``classes``
    classes: tuple[str, ...] = ()
    name: str = ""

    @property
    def windowed(self) -> bool:
        return self.signals.ndim == 3


def read_signal_file(path: str | Path, series: int = 128) -> SignalRecording:
    """Read a .csv or .npy recording; it must hold at least one window of ``series`` samples."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        recording = _read_csv(path)
    elif suffix == ".npy":
        recording = _read_npy(path)
    else:
        raise SourceError(f"{path.name}: signal files are .csv (a header naming the channels) or .npy, got {suffix or 'no extension'}")
    data = recording.signals
    if not np.isfinite(data).all():
        bad = int((~np.isfinite(data)).sum())
        raise SourceError(f"{path.name}: {bad} missing or infinite values (NaN/inf); fill or drop those rows first")
    length = data.shape[1] if recording.windowed else data.shape[0]
    if length < series:
        raise SourceError(f"{path.name}: {length} samples, fewer than one window of {series}; record longer or pick a shorter window")
    return recording


def _read_csv(path: Path) -> SignalRecording:
    try:
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path.name}: cannot be read as text ({exc})") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise SourceError(f"{path.name}: needs a header row naming the channels and at least one row of samples")
    header = [cell.strip() for cell in rows[0]]
    if any(_is_number(cell) for cell in header):
        raise SourceError(f"{path.name}: the first row must name the channels (e.g. acc_x,acc_y,acc_z), it holds numbers")
    label_index = next((i for i, name in enumerate(header) if name.lower() in LABEL_COLUMNS), None)
    channels = tuple(name for i, name in enumerate(header) if i != label_index)
    if not channels:
        raise SourceError(f"{path.name}: no signal columns besides the label")
    values, labels = [], []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise SourceError(f"{path.name}: line {line} has {len(row)} columns, the header has {len(header)}")
        cells = [cell.strip() for i, cell in enumerate(row) if i != label_index]
        try:
            values.append([float(cell) for cell in cells])
        except ValueError:
            bad = next(cell for cell in cells if not _is_number(cell))
            raise SourceError(f"{path.name}: line {line} holds {bad!r}, not a number; signal columns must be numeric") from None
        if label_index is not None:
            labels.append(row[label_index].strip())
    signals = np.asarray(values, dtype=np.float32)
    if label_index is None:
        return SignalRecording(signals, channels, name=path.name)
    classes = tuple(sorted(set(labels), key=lambda c: (not c.isdigit(), int(c) if c.isdigit() else 0, c)))
    index = {c: i for i, c in enumerate(classes)}
    return SignalRecording(signals, channels, np.array([index[c] for c in labels], dtype=np.int64), classes, path.name)


def _read_npy(path: Path) -> SignalRecording:
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise SourceError(f"{path.name}: not a readable NumPy array ({str(exc).splitlines()[0][:100]})") from None
    if not np.issubdtype(data.dtype, np.number):
        raise SourceError(f"{path.name}: holds {data.dtype} values, not numbers")
    if data.ndim not in (2, 3):
        raise SourceError(f"{path.name}: shape {data.shape}; expected (samples, channels) or (windows, series, channels)")
    modal = data.shape[-1]
    if not 1 <= modal <= 256:
        raise SourceError(f"{path.name}: {modal} channels in the last axis; expected 1-256 (is the array transposed?)")
    return SignalRecording(data.astype(np.float32), tuple(f"ch{i}" for i in range(modal)), name=path.name)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
