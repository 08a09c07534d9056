"""The ShuffleNet V2 paper's four controlled experiments (Section 2), rebuilt as test networks.

Each guideline compares variants at equal FLOPs (multiply-adds, counted by the project's own
counter: tests/lessons check it):
- G1 equal channel width: 10 blocks of two 1x1 convs, c1 -> c2 -> c1, with c1:c2 = 1:1, 1:2,
  1:6, 1:12; c1 * c2 held constant, so every variant has the same multiply-adds.
- G2 group convolution: 10 1x1 group convs c -> c with g = 1, 2, 4, 8; c grows as sqrt(g) so
  c * c / g (the multiply-adds) stays constant.
- G3 fragmentation: 10 blocks of 1x1 convs split into 1, 2 or 4 fragments, in series (n convs
  of c / sqrt(n) channels in a row) or in parallel (n branches of c -> c / n, concatenated).
- G4 element-wise operations: 10 ResNet bottlenecks (1x1 -> 3x3 -> 1x1) with ReLU and the
  shortcut each on or off: ReLU and the addition add no multiply-adds at all.
Feature maps are 56 x 56 with 128 base channels (the size of a ShuffleNet stage-2 map), small
enough for every variant to be timed in seconds on a laptop or a board.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

SIZE = 56
BASE = 128
REPEATS = 10


@dataclass(frozen=True)
class Variant:
    guideline: str
    name: str
    module: nn.Module
    input_shape: tuple[int, int, int]
    mac_formula: float  # memory access cost the paper's formula predicts, elements (0 where it gives none)


def _conv(c_in: int, c_out: int, kernel: int = 1, groups: int = 1) -> nn.Conv2d:
    """Weights that keep the activations' scale through 10-40 stacked layers: torch's default
    init shrinks them ~3x per layer, into denormal floats that some CPUs compute 10-100x slower,
    which would time the number format instead of the guideline."""
    conv = nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, groups=groups, bias=False)
    nn.init.normal_(conv.weight, 0.0, (c_in // groups * kernel * kernel) ** -0.5)
    return conv


def _pointwise_mac(h: int, w: int, c1: int, c2: int, groups: int = 1) -> float:
    """The paper's MAC of a 1x1 conv: inputs + outputs + weights = hw(c1 + c2) + c1 c2 / g."""
    return h * w * (c1 + c2) + c1 * c2 / groups


def g1_variants() -> list[Variant]:
    variants = []
    for ratio in (1, 2, 6, 12):
        c1 = round(BASE / math.sqrt(ratio))
        c2 = round(BASE * BASE / c1)
        blocks = [nn.Sequential(_conv(c1, c2), _conv(c2, c1)) for _ in range(REPEATS)]
        mac = REPEATS * (_pointwise_mac(SIZE, SIZE, c1, c2) + _pointwise_mac(SIZE, SIZE, c2, c1))
        variants.append(Variant("G1", f"1:{ratio} ({c1}, {c2})", nn.Sequential(*blocks), (c1, SIZE, SIZE), mac))
    return variants


def g2_variants() -> list[Variant]:
    variants = []
    for groups in (1, 2, 4, 8):
        c = round(BASE * math.sqrt(groups) / groups) * groups  # a multiple of g
        layers = [_conv(c, c, groups=groups) for _ in range(REPEATS)]
        mac = REPEATS * _pointwise_mac(SIZE, SIZE, c, c, groups)
        variants.append(Variant("G2", f"g = {groups} (c = {c})", nn.Sequential(*layers), (c, SIZE, SIZE), mac))
    return variants


class Parallel(nn.Module):
    """n 1x1 conv branches c -> c / n, concatenated: one conv's multiply-adds, in n fragments."""

    def __init__(self, channels: int, fragments: int) -> None:
        super().__init__()
        self.branches = nn.ModuleList(_conv(channels, channels // fragments) for _ in range(fragments))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)


def g3_variants() -> list[Variant]:
    variants = [
        Variant(
            "G3", "1-fragment", nn.Sequential(*[_conv(BASE, BASE) for _ in range(REPEATS)]), (BASE, SIZE, SIZE), 0.0
        )
    ]
    for fragments in (2, 4):
        c = round(BASE / math.sqrt(fragments))
        series = nn.Sequential(*[nn.Sequential(*[_conv(c, c) for _ in range(fragments)]) for _ in range(REPEATS)])
        variants.append(Variant("G3", f"{fragments}-fragment-series (c = {c})", series, (c, SIZE, SIZE), 0.0))
    for fragments in (2, 4):
        parallel = nn.Sequential(*[Parallel(BASE, fragments) for _ in range(REPEATS)])
        variants.append(Variant("G3", f"{fragments}-fragment-parallel", parallel, (BASE, SIZE, SIZE), 0.0))
    return variants


class Add(nn.Module):
    """The shortcut's addition as a module, so the complexity counter sees its memory traffic."""

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a + b


class Bottleneck(nn.Module):
    def __init__(self, channels: int, relu: bool, shortcut: bool) -> None:
        super().__init__()
        mid = channels // 4
        self.convs = nn.ModuleList([_conv(channels, mid), _conv(mid, mid, 3), _conv(mid, channels)])
        self.relus = nn.ModuleList([nn.ReLU() for _ in self.convs]) if relu else None
        self.add = Add() if shortcut else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for i, conv in enumerate(self.convs):
            out = conv(out)
            if self.relus is not None:
                out = self.relus[i](out)
        return self.add(out, x) if self.add is not None else out


def g4_variants() -> list[Variant]:
    variants = []
    for relu, shortcut in ((True, True), (False, True), (True, False), (False, False)):
        name = f"ReLU {'on' if relu else 'off'}, shortcut {'on' if shortcut else 'off'}"
        module = nn.Sequential(*[Bottleneck(2 * BASE, relu, shortcut) for _ in range(REPEATS)])
        variants.append(Variant("G4", name, module, (2 * BASE, SIZE, SIZE), 0.0))
    return variants


GUIDELINES = {"G1": g1_variants, "G2": g2_variants, "G3": g3_variants, "G4": g4_variants}
