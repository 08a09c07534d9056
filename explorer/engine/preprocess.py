"""Frame -> model input, per the loaded weights' recipe (pure numpy/OpenCV/torch)."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Recipe:
    """How a checkpoint expects its input: resize the shorter side, centre-crop, normalise.

    ``scale`` maps uint8 to the network's range (1/255 for torchvision, 1 for megvii's 0-255
    input); mean/std are in that range.  ``bgr`` swaps channels for BGR-trained weights.
    """

    resize: int
    crop: int
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    scale: float = 1.0 / 255.0
    bgr: bool = False

    @classmethod
    def imagenet(cls, crop: int = 224, resize: int | None = None) -> "Recipe":
        """torchvision's classic recipe: resize 256, crop 224, scaled with the input size."""
        return cls(resize=resize or round(crop * 256 / 224), crop=crop)


def resize_and_crop(frame: np.ndarray, resize: int, crop: int) -> np.ndarray:
    """Shorter side to ``resize``, then the centre ``crop`` x ``crop`` (uint8 RGB in and out)."""
    h, w = frame.shape[:2]
    factor = resize / min(h, w)
    new_w, new_h = max(crop, round(w * factor)), max(crop, round(h * factor))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(frame, (new_w, new_h), interpolation=interpolation)
    top, left = (new_h - crop) // 2, (new_w - crop) // 2
    return resized[top:top + crop, left:left + crop]


def preprocess_image(frame: np.ndarray, recipe: Recipe) -> torch.Tensor:
    """RGB uint8 H x W x 3 -> float32 1 x 3 x crop x crop."""
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"expected an RGB image H x W x 3, got shape {frame.shape}")
    patch = resize_and_crop(frame, recipe.resize, recipe.crop)
    if recipe.bgr:
        patch = patch[:, :, ::-1]
    x = patch.astype(np.float32) * recipe.scale
    x -= np.asarray(recipe.mean, np.float32)
    x /= np.asarray(recipe.std, np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]


def preprocess_signal(frame: np.ndarray, series: int, modal: int) -> torch.Tensor:
    """Read a frame as a signal window for the compact net: rows = time, columns = sensor axes.

    Grey levels are resized to series x modal and standardised per window, as sensor windows are.
    """
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) if frame.ndim == 3 else frame
    window = cv2.resize(grey, (modal, series), interpolation=cv2.INTER_AREA).astype(np.float32)
    window -= window.mean()
    window /= window.std() + 1e-6
    return torch.from_numpy(window)[None, None]
