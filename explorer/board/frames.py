"""Frame -> model input in numpy and OpenCV alone (the board path; the torch pipeline shares the crop)."""

from __future__ import annotations

import cv2
import numpy as np


def resize_and_crop(frame: np.ndarray, resize: int, crop: int) -> np.ndarray:
    """Shorter side to ``resize``, then the centre ``crop`` x ``crop`` (uint8 RGB in and out).

    Done as crop-then-resize: the same region of the frame, but only the pixels that survive
    the crop are resampled (about 2x cheaper on a 640x480 frame).
    """
    h, w = frame.shape[:2]
    side = min(h, w) * crop / resize  # the crop's size in frame pixels
    top, left = (h - side) / 2, (w - side) / 2
    y0, x0 = int(round(top)), int(round(left))
    y1, x1 = int(round(top + side)), int(round(left + side))
    region = frame[y0:y1, x0:x1]
    # area averaging only where a plain bilinear resample would alias badly (> 2x shrink)
    interpolation = cv2.INTER_AREA if side > 2 * crop else cv2.INTER_LINEAR
    return cv2.resize(region, (crop, crop), interpolation=interpolation)


def image_input(frame: np.ndarray, recipe: dict) -> np.ndarray:
    """RGB uint8 H x W x 3 -> float32 1 x 3 x crop x crop, per an export's recipe (its metadata:
    resize, crop, mean, std, scale, bgr), the same arithmetic as the torch pipeline's."""
    patch = resize_and_crop(frame, recipe["resize"], recipe["crop"])
    if recipe["bgr"]:
        patch = patch[:, :, ::-1]
    scale = np.float32(recipe["scale"])
    a = (scale / np.asarray(recipe["std"], np.float32)).reshape(3, 1, 1)
    b = (np.asarray(recipe["mean"], np.float32) / np.asarray(recipe["std"], np.float32)).reshape(3, 1, 1)
    x = np.ascontiguousarray(patch.transpose(2, 0, 1), dtype=np.float32)
    x *= a
    x -= b
    return x[None]


def top_classes(logits: np.ndarray, count: int = 5) -> list[tuple[int, float]]:
    """(class index, probability) of the ``count`` most likely classes, softmax in float64."""
    z = np.asarray(logits, np.float64).reshape(-1)
    p = np.exp(z - z.max())
    p /= p.sum()
    best = np.argsort(-p)[:count]
    return [(int(i), float(p[i])) for i in best]
