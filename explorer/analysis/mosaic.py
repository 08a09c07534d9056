"""Feature maps -> one RGB mosaic image, each channel framed in its group's colour (numpy and
OpenCV's colour maps)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

# distinct, colour-blind-friendly-ish group colours (Okabe-Ito first, then extras)
GROUP_COLOURS = np.array(
    [
        (230, 159, 0),
        (86, 180, 233),
        (0, 158, 115),
        (240, 228, 66),
        (0, 114, 178),
        (213, 94, 0),
        (204, 121, 167),
        (150, 150, 150),
        (120, 60, 200),
        (60, 200, 120),
        (200, 60, 60),
        (60, 60, 200),
        (200, 200, 60),
        (60, 200, 200),
        (200, 60, 200),
        (140, 90, 40),
    ],
    dtype=np.uint8,
)


def group_colour(group: int) -> tuple[int, int, int]:
    return tuple(int(c) for c in GROUP_COLOURS[group % len(GROUP_COLOURS)])


@dataclass(frozen=True)
class MosaicLayout:
    channels: int
    columns: int
    rows: int
    cell_height: int  # including the frame
    cell_width: int
    border: int

    def channel_at(self, x: float, y: float) -> int | None:
        """The channel under pixel (x, y) of the mosaic, or None between/outside cells."""
        if x < 0 or y < 0:
            return None
        col, row = int(x // self.cell_width), int(y // self.cell_height)
        if col >= self.columns or row >= self.rows:
            return None
        index = row * self.columns + col
        return index if index < self.channels else None


def normalise_channels(features: np.ndarray) -> np.ndarray:
    """Per-channel min-max to 0..1 (a flat channel becomes 0), C x H x W float32."""
    flat = features.reshape(features.shape[0], -1)
    low = flat.min(axis=1)[:, None, None]
    span = flat.max(axis=1)[:, None, None] - low
    return np.where(span > 1e-12, (features - low) / np.maximum(span, 1e-12), 0.0).astype(np.float32)


def channel_group_ids(channels: int, groups: int, permutation: list[int] | None = None) -> np.ndarray:
    """Group of each channel; with a permutation, the group each channel *came from*."""
    n = max(1, channels // max(1, groups))
    sources = np.asarray(permutation) if permutation is not None else np.arange(channels)
    return (sources // n).astype(np.int64)


def heat_strips(features: np.ndarray) -> np.ndarray:
    """1D feature maps of a signal net, C x time x sensor axes -> C x axes x time: each channel a
    wide strip with time running to the right, as a signal is read."""
    if features.ndim != 3:
        raise ValueError(f"expected C x time x axes features, got shape {features.shape}")
    return np.ascontiguousarray(features.transpose(0, 2, 1))


def make_mosaic(
    features: np.ndarray,
    groups: int = 1,
    group_ids: np.ndarray | None = None,
    columns: int | None = None,
    heat: bool = False,
) -> tuple[np.ndarray, MosaicLayout]:
    """Tile a C x H x W feature tensor into an RGB uint8 image (row-major, H x W x 3).

    Each channel is min-max normalised on its own and drawn in grey (``heat``: OpenCV's inferno
    colour map, for the signal net's strips) inside a frame coloured by its group (``group_ids`` overrides the default contiguous grouping, e.g. to show where
    channels came from after a shuffle).
    """
    if features.ndim == 2:
        features = features[None]
    if features.ndim != 3:
        raise ValueError(f"expected C x H x W features, got shape {features.shape}")
    c, h, w = features.shape
    columns = columns or max(1, math.ceil(math.sqrt(c * h / max(1, w))))
    rows = math.ceil(c / columns)
    border = 1 if max(h, w) < 8 else 2
    ids = channel_group_ids(c, groups) if group_ids is None else np.asarray(group_ids)
    frames = (
        GROUP_COLOURS[ids % len(GROUP_COLOURS)]
        if groups > 1 or group_ids is not None
        else np.full((c, 3), 40, np.uint8)
    )
    cells = np.empty((rows * columns, h + 2 * border, w + 2 * border, 3), np.uint8)
    cells[:] = 20  # empty trailing cells
    cells[:c] = frames[:, None, None, :]
    grey = (normalise_channels(features.astype(np.float32, copy=False)) * 255).astype(np.uint8)
    if heat:  # one colour-map call on all channels at once (a C*h x w image), BGR -> RGB
        coloured = cv2.applyColorMap(grey.reshape(c * h, w), cv2.COLORMAP_INFERNO)[:, :, ::-1]
        cells[:c, border : border + h, border : border + w, :] = coloured.reshape(c, h, w, 3)
    else:
        cells[:c, border : border + h, border : border + w, :] = grey[..., None]
    ch, cw = h + 2 * border, w + 2 * border
    image = cells.reshape(rows, columns, ch, cw, 3).transpose(0, 2, 1, 3, 4).reshape(rows * ch, columns * cw, 3)
    return np.ascontiguousarray(image), MosaicLayout(c, columns, rows, ch, cw, border)
