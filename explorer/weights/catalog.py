"""Where trained weights come from: the checkpoints each architecture entry publishes, and megvii's recipe.

torchvision's checkpoints (url, hash prefix in the file name, resize 256 or 232, crop 224) are
fields of the architecture entries; the tests check them against torchvision whenever torchvision
is importable, so the app does not need torchvision to load them.  Published accuracies are
fields of the entries too (``Architecture.published``).
"""

from __future__ import annotations

from explorer.models.architecture import Checkpoint, architectures
from explorer.models.recipe import Recipe
from explorer.models.spec import ModelSpec


def torchvision_published(spec: ModelSpec) -> Checkpoint | None:
    """torchvision's ImageNet checkpoint for ``spec``'s variant, if it publishes one."""
    return spec.architecture.torchvision_checkpoints.get(spec.scale)


def all_torchvision_checkpoints() -> list[tuple[ModelSpec, Checkpoint]]:
    return [
        (ModelSpec.create(a.name, scale=scale), c)
        for a in architectures()
        for scale, c in a.torchvision_checkpoints.items()
    ]


# megvii ShuffleNet-Series: BGR input in 0-255, no mean/std, resize 256 + centre crop 224
MEGVII_RECIPE = Recipe(resize=256, crop=224, mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), scale=1.0, bgr=True)
