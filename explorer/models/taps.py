"""Named feature taps: the layers of interest a model exposes to the feature-map views.

A model lists its tap points (which module, input or output side, what kind, how many channel
groups to frame); channel counts and strides are then read off one shape-only forward pass on
the meta device, so they can never drift from the real network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import torch
from torch import nn

from explorer.models.shuffle import observed_permutation

TAP_KINDS = ("stem", "stage", "unit", "before_shuffle", "after_shuffle", "head")


@dataclass(frozen=True)
class TapPoint:
    name: str  # what the user picks, e.g. "stage3.2.after_shuffle"
    module: str  # qualified module name the hook goes on
    side: str  # "output", or "input" for the point just before a module
    kind: str  # one of TAP_KINDS
    groups: int = 1  # channel groups to frame/tint in the view


def tap_points(model: nn.Module) -> list[TapPoint]:
    """The tap points ``model`` lists (every model the app builds has ``tap_points()``)."""
    listed = getattr(model, "tap_points", None)
    if listed is None:
        raise TypeError(f"{type(model).__name__} lists no tap points (build it through explorer.models.registry)")
    return list(listed())


@dataclass(frozen=True)
class TapInfo:
    point: TapPoint
    channels: int
    height: int
    width: int
    reduction: int  # input height / tap height (the stride so far)
    # after a shuffle: output position k holds input channel permutation[k], read off the running
    # module (identity when its shuffle is off), so views never assume the paper's order
    permutation: tuple[int, ...] | None = None

    @property
    def name(self) -> str:
        return self.point.name


def shuffle_taps(prefix: str, groups: int) -> list[TapPoint]:
    """The before/after pair around the ChannelShuffle module at ``prefix``.shuffle."""
    module = f"{prefix}.shuffle"
    return [
        TapPoint(f"{prefix}.before_shuffle", module, "input", "before_shuffle", groups),
        TapPoint(f"{prefix}.after_shuffle", module, "output", "after_shuffle", groups),
    ]


def _first_tensor(value):
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for item in value:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


class FeatureTaps:
    """Context manager that records the tensors at the named taps during forward passes.

    >>> with FeatureTaps(model, ["stage3"]) as taps:
    ...     model(x)
    >>> taps.features["stage3"]
    """

    def __init__(self, model: nn.Module, names: Iterable[str], clone: bool = True) -> None:
        points = {p.name: p for p in tap_points(model)}
        unknown = [n for n in names if n not in points]
        if unknown:
            raise ValueError(f"unknown tap(s) {unknown}; this model has e.g. {list(points)[:6]}")
        self.model = model
        self.points = [points[n] for n in names]
        self.features: dict[str, torch.Tensor] = {}
        self._handles: list = []
        self.clone = clone  # False only for ONNX export, where no tapped tensor is changed in place

    def __enter__(self) -> FeatureTaps:
        modules = dict(self.model.named_modules())
        for point in self.points:
            module = modules[point.module]
            if point.side == "input":
                self._handles.append(module.register_forward_pre_hook(self._pre_hook(point.name)))
            else:
                self._handles.append(module.register_forward_hook(self._post_hook(point.name)))
        return self

    def __exit__(self, *exc) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def _pre_hook(self, name: str):
        def hook(_module, args):
            self.features[name] = _first_tensor(args).detach()

        return hook

    def _post_hook(self, name: str):
        def hook(_module, _args, output):
            # clone: a later in-place op (ReLU(inplace=True)) must not change what we saw
            tensor = _first_tensor(output)
            self.features[name] = tensor.detach().clone() if self.clone else tensor

        return hook


def describe_taps(model: nn.Module, input_shape: tuple[int, int, int]) -> list[TapInfo]:
    """Every tap of ``model`` with its channel count, size and stride, from one forward pass
    (shapes only when ``model`` lives on the meta device)."""
    points = tap_points(model)
    device = next(model.parameters()).device
    with FeatureTaps(model, [p.name for p in points], clone=False) as taps, torch.no_grad():
        model(torch.zeros(1, *input_shape, device=device))
        shapes = {name: t.shape for name, t in taps.features.items()}
    return tap_infos(model, input_shape, shapes)


def tap_infos(model: nn.Module, input_shape, shapes: dict) -> list[TapInfo]:
    """TapInfo for every tap point of ``model`` from the shapes one forward pass recorded."""
    points = tap_points(model)
    modules = dict(model.named_modules())
    infos = []
    for point in points:
        shape = shapes[point.name]
        height = shape[2] if len(shape) > 2 else 1
        width = shape[3] if len(shape) > 3 else 1
        channels = int(shape[1])
        permutation = (
            tuple(observed_permutation(modules[point.module], channels)) if point.kind == "after_shuffle" else None
        )
        infos.append(
            TapInfo(point, channels, int(height), int(width), max(1, input_shape[1] // max(1, height)), permutation)
        )
    return infos
