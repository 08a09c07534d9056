"""Frame -> model input, per the loaded weights' recipe (pure numpy/OpenCV/torch)."""

from __future__ import annotations

import functools

import numpy as np
import torch

from explorer.board.frames import resize_and_crop
from explorer.models.recipe import Recipe, SignalRecipe
from explorer.sources.signal_stream import SignalWindow


@functools.lru_cache(maxsize=16)
def _affine(recipe: Recipe) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel a, b with (p * scale - mean) / std = p * a - b; made once per recipe."""
    a = torch.tensor([recipe.scale / s for s in recipe.std], dtype=torch.float32).view(3, 1, 1)
    b = torch.tensor([m / s for m, s in zip(recipe.mean, recipe.std)], dtype=torch.float32).view(3, 1, 1)
    return a, b


def preprocess_image(frame: np.ndarray, recipe: Recipe) -> torch.Tensor:
    """RGB uint8 H x W x 3 -> float32 1 x 3 x crop x crop."""
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"expected an RGB image H x W x 3, got shape {frame.shape}")
    patch = resize_and_crop(frame, recipe.resize, recipe.crop)
    if recipe.bgr:
        patch = patch[:, :, ::-1]
    # (p * scale - mean) / std = p * a - b, in place on one float copy.  The HWC uint8 patch
    # becomes a CHW view; the float copy keeps its NHWC strides, which channels_last wants.
    a, b = _affine(recipe)
    x = torch.from_numpy(np.ascontiguousarray(patch)).permute(2, 0, 1).float()
    return x.mul_(a).sub_(b)[None]


def preprocess_signal(frame, input_size: tuple[int, int], recipe: SignalRecipe | None = None) -> torch.Tensor:
    """A sensor window (a SignalWindow, or a (series, modal) array) -> float32 1 x 1 x series x modal.

    Standardised per channel with the recipe's training statistics, or, without them (an
    untrained net), with the window's own.
    """
    series, modal = input_size
    if isinstance(frame, SignalWindow):
        samples = frame.window(series)
    elif isinstance(frame, np.ndarray) and frame.ndim == 2:
        samples = frame
    else:
        raise ValueError(
            "the compact net reads sensor-signal windows, not images: pick a signal source "
            "(signal:synthetic or a .csv/.npy recording)"
        )
    if samples.shape != (series, modal):
        raise ValueError(
            f"a window of {samples.shape[0]} samples x {samples.shape[1]} channels does not fit the model's "
            f"{series} x {modal} input"
        )
    if recipe is not None and recipe.mean is not None:
        mean, std = np.asarray(recipe.mean, np.float32), np.asarray(recipe.std, np.float32)
    else:
        mean, std = samples.mean(axis=0), samples.std(axis=0) + 1e-6
    window = ((samples - mean) / std).astype(np.float32)
    return torch.from_numpy(window)[None, None]
