"""Known published checkpoints and how their inputs must be prepared.

torchvision's table is copied from its weight enums (url, hash prefix in the file name,
resize 256 or 232, crop 224, ImageNet mean/std, top-1); the tests check it against
torchvision whenever torchvision is importable, so the app does not need torchvision to load them.
"""
from __future__ import annotations

from dataclasses import dataclass

from explorer.models.recipe import Recipe


@dataclass(frozen=True)
class Published:
    scale: float
    url: str
    resize: int
    crop: int
    top1: float

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[1]

    @property
    def hash_prefix(self) -> str:
        """torch.hub convention: the sha256 prefix after the last '-' of the file name."""
        return self.filename.rsplit("-", 1)[1].split(".")[0]

    @property
    def recipe(self) -> Recipe:
        return Recipe(resize=self.resize, crop=self.crop)


_BASE = "https://download.pytorch.org/models/"
TORCHVISION_V2 = {
    0.5: Published(0.5, _BASE + "shufflenetv2_x0.5-f707e7126e.pth", 256, 224, 60.552),
    1.0: Published(1.0, _BASE + "shufflenetv2_x1-5666bf0f80.pth", 256, 224, 69.362),
    1.5: Published(1.5, _BASE + "shufflenetv2_x1_5-3c479a10.pth", 232, 224, 72.996),
    2.0: Published(2.0, _BASE + "shufflenetv2_x2_0-8be3c8ee.pth", 232, 224, 76.230),
}

# the family ShuffleNet is compared with: torchvision's IMAGENET1K_V1 weights (resize 256, crop 224)
TORCHVISION_FAMILY = {
    ("mobilenet_v2", 1.0): Published(1.0, _BASE + "mobilenet_v2-b0353104.pth", 256, 224, 71.878),
    ("mobilenet_v3_small", 1.0): Published(1.0, _BASE + "mobilenet_v3_small-047dcff4.pth", 256, 224, 67.668),
    ("mobilenet_v3_large", 1.0): Published(1.0, _BASE + "mobilenet_v3_large-8738ca79.pth", 256, 224, 74.042),
    ("squeezenet1_1", 1.0): Published(1.0, _BASE + "squeezenet1_1-b8a52dc0.pth", 256, 224, 58.178),
    ("mnasnet", 0.5): Published(0.5, _BASE + "mnasnet0.5_top1_67.823-3ffadce67e.pth", 256, 224, 67.734),
    ("mnasnet", 1.0): Published(1.0, _BASE + "mnasnet1.0_top1_73.512-f206786ef8.pth", 256, 224, 73.456),
}


def torchvision_published(arch: str, scale: float) -> Published | None:
    """torchvision's ImageNet checkpoint for (arch, scale), if it publishes one."""
    return TORCHVISION_V2.get(scale) if arch == "v2" else TORCHVISION_FAMILY.get((arch, scale))

# megvii ShuffleNet-Series: BGR input in 0-255, no mean/std, resize 256 + centre crop 224
MEGVII_RECIPE = Recipe(resize=256, crop=224, mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), scale=1.0, bgr=True)
MEGVII_V1 = {(g, s) for g in (3, 8) for s in (0.5, 1.0, 1.5, 2.0)}
MEGVII_V2 = {0.5, 1.0, 1.5, 2.0}
