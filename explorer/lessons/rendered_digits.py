"""Small images of the digits 0-9, rendered with OpenCV's fonts: a real 10-class task for
training whole networks in seconds.

Why generated: nothing can be downloaded where the app runs (offline boards, classrooms), and the
one packaged set that fits (scikit-learn's 8x8 digits) would add scikit-learn and SciPy for 1,797
images.  OpenCV, already here, ships eight Hershey fonts; each image draws one digit in a random
font, thickness, size, rotation and offset, in a random colour on a random background, with
pixel noise.  The same seed gives the same images on every machine.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

CLASSES = tuple(str(d) for d in range(10))
FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_PLAIN,
    cv2.FONT_HERSHEY_COMPLEX_SMALL,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
)
MEAN, STD = 0.5, 0.25  # of the pixel values, which lie in [0, 1]


def render_digit(digit: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """One (3, size, size) float32 image in [0, 1]: drawn at twice the size, then area-averaged."""
    big = 2 * size
    canvas = np.zeros((big, big), np.uint8)
    font = FONTS[rng.integers(len(FONTS))]
    height_px = big * rng.uniform(0.5, 0.7)
    thickness = int(rng.integers(2, 5))
    (_, unit_height), _ = cv2.getTextSize("0", font, 1.0, thickness)
    scale = height_px / unit_height
    (width, height), _ = cv2.getTextSize(str(digit), font, scale, thickness)
    shift = big // 10
    origin = (
        (big - width) // 2 + int(rng.integers(-shift, shift + 1)),
        (big + height) // 2 + int(rng.integers(-shift, shift + 1)),
    )
    cv2.putText(canvas, str(digit), origin, font, scale, 255, thickness, cv2.LINE_AA)
    turn = cv2.getRotationMatrix2D((big / 2, big / 2), rng.uniform(-15, 15), 1.0)
    canvas = cv2.warpAffine(canvas, turn, (big, big))
    ink = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    colour, background = rng.uniform(0.55, 1.0, 3), rng.uniform(0.0, 0.4, 3)
    image = background[:, None, None] * (1 - ink) + colour[:, None, None] * ink
    return np.clip(image + rng.normal(0, 0.05, image.shape), 0, 1).astype(np.float32)


def make_digits(count: int, size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(images (count, 3, size, size) normalised float32, labels (count,) int64), balanced classes."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(count) % len(CLASSES))
    images = np.stack([render_digit(int(d), size, rng) for d in labels])
    return torch.from_numpy((images - MEAN) / STD), torch.from_numpy(labels.astype(np.int64))
