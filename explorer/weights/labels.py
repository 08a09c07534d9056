"""Class names: the 1000 ImageNet classes ship in resources/ (no network needed)."""

from __future__ import annotations

import functools
from pathlib import Path

IMAGENET_LABELS = Path(__file__).resolve().parent.parent.parent / "resources" / "imagenet_classes.txt"


@functools.lru_cache(maxsize=1)
def imagenet_labels() -> tuple[str, ...]:
    labels = tuple(line.strip() for line in IMAGENET_LABELS.read_text(encoding="utf-8").splitlines() if line.strip())
    if len(labels) != 1000:
        raise RuntimeError(f"{IMAGENET_LABELS} should list 1000 ImageNet classes, found {len(labels)}")
    return labels


def labels_for(num_classes: int) -> list[str]:
    return list(imagenet_labels()) if num_classes == 1000 else [f"class {i}" for i in range(num_classes)]
