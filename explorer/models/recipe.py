"""How a checkpoint expects its input (a small frozen value, shared by weights and engine)."""

from __future__ import annotations

from dataclasses import dataclass

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
    def imagenet(cls, crop: int = 224, resize: int | None = None) -> Recipe:
        """torchvision's classic recipe: resize 256, crop 224, scaled with the input size."""
        return cls(resize=resize or round(crop * 256 / 224), crop=crop)


@dataclass(frozen=True)
class SignalRecipe:
    """How the compact net expects a sensor window: per-channel (x - mean) / std with the
    statistics of the windows it was trained on.  Without them (an untrained net) each window
    is standardised on its own, so the input is in range whatever the sensor's units."""

    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None
