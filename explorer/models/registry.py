"""The model zoo: every valid spec, and the one way to build a model from a spec."""

from __future__ import annotations

import types
import zlib
from collections.abc import Iterator

import torch
from torch import nn

from explorer.models.architecture import architectures
from explorer.models.spec import ModelSpec

LAYOUTS = ("default", "megvii")  # megvii: the official code's wiring, for its checkpoints


def list_specs(shuffle: bool = True, family: bool = False) -> Iterator[ModelSpec]:
    """Every ShuffleNet variant at its default input size and class count (``family``: then
    the networks it is compared with)."""
    for entry in architectures(shufflenet=True):
        for groups in entry.group_choices or (None,):
            for scale in entry.scales:
                yield ModelSpec.create(entry.name, groups=groups, scale=scale, shuffle=shuffle)
    if family:
        for entry in architectures(shufflenet=False):
            for scale in entry.scales:
                yield ModelSpec.create(entry.name, scale=scale)


def untrained_seed(spec: ModelSpec) -> int:
    """The seed of a spec's "random init" in the app: the same weights in every run, so an
    untrained model predicts the same in every run, its ONNX export is cached on disk once (not
    re-exported, and re-written to the cache, on every start), and a head taught on it still
    fits after a restart."""
    return zlib.crc32(repr(spec).encode())


def build_model(spec: ModelSpec, layout: str = "default", seed: int | None = None) -> nn.Module:
    """A fresh (randomly initialised) model for ``spec``, in eval mode; with ``seed``, the same
    weights every time (torch's global random state is left as it was).

    ``layout="megvii"`` wires V1/V2 as megvii's official code does (see ShuffleNetV1/V2), so
    their converted checkpoints give their outputs; other networks have one layout.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if seed is not None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return build_model(spec, layout)
    return spec.architecture.build(spec, layout).eval()


def uses_default_layout(model: nn.Module) -> bool:
    """Whether ``model`` computes what the spec's default build computes (so spec-cached
    tables describe it); a megvii-layout model differs in its V2 shortcut widths."""
    return getattr(model, "layout", None) in (None, "paper", "torchvision")


def _shape_only(module: nn.Module, x):
    return x


def build_shape_model(spec: ModelSpec, layout: str = "default") -> nn.Module:
    """A twin of ``build_model(spec)`` on the meta device: shapes only, no memory, instant.

    Its BatchNorm layers pass shapes through: on the meta device torch runs batch norm through
    a decomposition that imports torch._dynamo, and with it triton where the CUDA build of
    torch is installed (a second of start-up and ~50 lines of "nanobind: leaked" at exit).
    BN keeps the shape, so every count and tap shape read from this twin is unchanged.
    """
    with torch.device("meta"):
        model = build_model(spec, layout)
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.forward = types.MethodType(_shape_only, module)  # this instance only
    return model
