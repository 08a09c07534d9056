"""MobileNetV1 (Howard et al., 2017): the network the ShuffleNet V1 paper measures itself
against (its Table 7).  torchvision has no MobileNetV1, so it is built here from the paper's
Table 1: a 3x3/2 conv, then 13 depthwise-separable blocks (3x3 depthwise + BN + ReLU, 1x1
pointwise + BN + ReLU), global average pooling and one FC layer.  The width multiplier alpha
scales every layer's channels (the paper's 1.0 / 0.75 / 0.5 / 0.25).
"""

from __future__ import annotations

import torch
from torch import nn

from explorer.models.architecture import Architecture, register_architecture, rival_hint
from explorer.models.spec import ModelSpec
from explorer.models.taps import TapPoint
from explorer.models.variants import MOBILENET_V1_BLOCKS, MOBILENET_V1_PUBLISHED, MOBILENET_V1_SCALES


def _conv_bn_relu(inp: int, oup: int, kernel: int, stride: int, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inp, oup, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(oup),
        nn.ReLU(inplace=True),
    )


class DepthwiseSeparable(nn.Module):
    def __init__(self, inp: int, oup: int, stride: int) -> None:
        super().__init__()
        self.dw = _conv_bn_relu(inp, inp, 3, stride, groups=inp)
        self.pw = _conv_bn_relu(inp, oup, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pw(self.dw(x))


class MobileNetV1(nn.Module):
    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        if spec.arch != "mobilenet_v1":
            raise ValueError(f"MobileNetV1 needs a mobilenet_v1 spec, got {spec.arch}")
        self.spec = spec

        def width(channels: int) -> int:
            return max(8, int(channels * spec.scale))

        inp = width(32)
        self.conv1 = _conv_bn_relu(3, inp, 3, 2)
        blocks = []
        for channels, stride in MOBILENET_V1_BLOCKS:
            blocks.append(DepthwiseSeparable(inp, width(channels), stride))
            inp = width(channels)
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(inp, spec.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.blocks(self.conv1(x))), 1))

    def tap_points(self) -> list[TapPoint]:
        return [TapPoint("conv1", "conv1", "output", "stem")] + [
            TapPoint(f"blocks.{i}", f"blocks.{i}", "output", "unit") for i in range(len(self.blocks))
        ]


MOBILENET_V1 = register_architecture(
    Architecture(
        "mobilenet_v1",
        "MobileNetV1",
        lambda spec, layout: MobileNetV1(spec),
        scales=MOBILENET_V1_SCALES,
        order=40,
        has_shuffle=False,
        shufflenet=False,
        hint=rival_hint("MobileNetV1", MOBILENET_V1_SCALES),
        groups_note="MobileNetV1 has no group count (groups apply to ShuffleNet V1 only)",
        published=MOBILENET_V1_PUBLISHED,
    )
)
