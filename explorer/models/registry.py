"""The model zoo: every valid spec, and one way to build a model from a spec."""
from __future__ import annotations

from typing import Iterator

from torch import nn

from explorer.models.compact import CompactShuffleNet
from explorer.models.spec import V1_GROUPS, V1_SCALES, V2_SCALES, ModelSpec
from explorer.models.v1 import ShuffleNetV1
from explorer.models.v2 import ShuffleNetV2

_BUILDERS = {"v1": ShuffleNetV1, "v2": ShuffleNetV2, "compact": CompactShuffleNet}


def list_specs(shuffle: bool = True) -> Iterator[ModelSpec]:
    """Every architecture variant at its default input size and class count."""
    for groups in V1_GROUPS:
        for scale in V1_SCALES:
            yield ModelSpec.create("v1", groups=groups, scale=scale, shuffle=shuffle)
    for scale in V2_SCALES:
        yield ModelSpec.create("v2", scale=scale, shuffle=shuffle)
    yield ModelSpec.create("compact", shuffle=shuffle)


def build_model(spec: ModelSpec) -> nn.Module:
    """A fresh (randomly initialised) model for ``spec``, in eval mode."""
    return _BUILDERS[spec.arch](spec).eval()
