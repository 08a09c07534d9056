"""Sensor recordings from files: CSV (a header naming the channels, an optional label column) and
NumPy .npy, shaped (samples, modal) or already windowed (windows, series, modal).  A .npy's
labels, if any, sit beside it in NAME.labels.npy: one per sample or one per window, numbers or
names (the layout of UCI HAR's X/y files, in one folder).

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
    labels: np.ndarray | None = None  # per sample (per window when windowed), indices into ``classes``
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
        raise SourceError(
            f"{path.name}: signal files are .csv (a header naming the channels) or .npy, got {suffix or 'no extension'}"
        )
    data = recording.signals
    if not np.isfinite(data).all():
        bad = int((~np.isfinite(data)).sum())
        raise SourceError(f"{path.name}: {bad} missing or infinite values (NaN/inf); fill or drop those rows first")
    length = data.shape[1] if recording.windowed else data.shape[0]
    if length < series:
        raise SourceError(
            f"{path.name}: {length} samples, fewer than one window of {series}; record longer or pick a shorter window"
        )
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
        raise SourceError(
            f"{path.name}: the first row must name the channels (e.g. acc_x,acc_y,acc_z), it holds numbers"
        )
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
            raise SourceError(
                f"{path.name}: line {line} holds {bad!r}, not a number; signal columns must be numeric"
            ) from None
        if label_index is not None:
            labels.append(row[label_index].strip())
    signals = np.asarray(values, dtype=np.float32)
    if label_index is None:
        return SignalRecording(signals, channels, name=path.name)
    indices, classes = _indexed(labels)
    return SignalRecording(signals, channels, indices, classes, path.name)


def _read_npy(path: Path) -> SignalRecording:
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise SourceError(f"{path.name}: not a readable NumPy array ({str(exc).splitlines()[0][:100]})") from None
    if not np.issubdtype(data.dtype, np.number):
        raise SourceError(f"{path.name}: holds {data.dtype} values, not numbers")
    if data.ndim not in (2, 3):
        raise SourceError(
            f"{path.name}: shape {data.shape}; expected (samples, channels) or (windows, series, channels)"
        )
    modal = data.shape[-1]
    if not 1 <= modal <= 256:
        raise SourceError(f"{path.name}: {modal} channels in the last axis; expected 1-256 (is the array transposed?)")
    labels, classes = _read_npy_labels(path, data.shape[0])
    return SignalRecording(data.astype(np.float32), tuple(f"ch{i}" for i in range(modal)), labels, classes, path.name)


def labels_path(path: Path) -> Path:
    return path.with_name(path.name[: -len(path.suffix)] + ".labels.npy")


def _read_npy_labels(path: Path, count: int) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Labels from NAME.labels.npy beside NAME.npy: ``count`` of them (one per sample or window)."""
    beside = labels_path(path)
    if not beside.is_file():
        return None, ()
    try:
        raw = np.load(beside, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise SourceError(f"{beside.name}: not a readable NumPy array ({str(exc).splitlines()[0][:100]})") from None
    raw = raw.reshape(-1) if raw.ndim == 2 and 1 in raw.shape else raw
    if raw.ndim != 1 or len(raw) != count:
        raise SourceError(f"{beside.name}: shape {raw.shape}; expected {count} labels, one per row of {path.name}")
    if np.issubdtype(raw.dtype, np.floating) and not np.all(np.mod(raw, 1) == 0):
        raise SourceError(f"{beside.name}: labels must be whole numbers or names, found fractions")
    names = [str(int(v)) if np.issubdtype(raw.dtype, np.number) else str(v) for v in raw]
    return _indexed(names)


def _indexed(names: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class indices and the sorted class names (numbers in numeric order first)."""
    classes = tuple(sorted(set(names), key=lambda c: (not c.isdigit(), int(c) if c.isdigit() else 0, c)))
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[c] for c in names], dtype=np.int64), classes


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
