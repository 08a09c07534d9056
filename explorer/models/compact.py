"""The compact ChannelShuffleModule network of the tutorial this product grew from.

It classifies signal windows (e.g. wearable-sensor data) shaped [batch, 1, series, modal]:
four blocks of (k x 1 depthwise-style conv with stride (2, 1) -> 1x1 conv -> BN -> ReLU ->
channel shuffle), channels 1 -> 64 -> 128 -> 256 -> 512 with shuffle groups 8, 8, 16, 16,
then an adaptive average pool to (1, modal) and a linear layer to the class count.  The
(k x 1) kernels slide along time only, so each sensor axis ("modal") keeps its own column.
"""

from __future__ import annotations

import torch
from torch import nn

from explorer.models.architecture import Architecture, register_architecture
from explorer.models.shuffle import ChannelShuffle
from explorer.models.spec import ModelSpec
from explorer.models.taps import TapPoint, shuffle_taps
from explorer.models.variants import (
    COMPACT_BLOCK_CHANNELS,
    COMPACT_BLOCK_GROUPS,
    COMPACT_DEFAULT_CLASSES,
    COMPACT_DEFAULT_INPUT,
    COMPACT_KERNEL,
)


class ChannelShuffleModule(nn.Module):
    def __init__(self, inp: int, oup: int, groups: int, shuffle: bool = True, kernel: int = COMPACT_KERNEL) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(inp, inp, (kernel, 1), stride=(2, 1), padding=(kernel // 2, 0), groups=inp)
        self.pwconv = nn.Conv2d(inp, oup, 1, bias=False)
        self.bn = nn.BatchNorm2d(oup)
        self.relu = nn.ReLU(inplace=True)
        self.shuffle = ChannelShuffle(groups, enabled=shuffle)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shuffle(self.relu(self.bn(self.pwconv(self.dwconv(x)))))


class CompactShuffleNet(nn.Module):
    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        if spec.arch != "compact":
            raise ValueError(f"CompactShuffleNet needs a compact spec, got {spec.arch}")
        self.spec = spec
        _series, modal = spec.signal_size
        blocks, inp = [], 1
        for oup, groups in zip(COMPACT_BLOCK_CHANNELS, COMPACT_BLOCK_GROUPS):
            blocks.append(ChannelShuffleModule(inp, oup, groups, spec.shuffle))
            inp = oup
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d((1, modal))
        self.flatten = nn.Flatten(1)
        self.fc = nn.Linear(inp * modal, spec.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.flatten(self.pool(self.blocks(x))))

    def tap_points(self) -> list[TapPoint]:
        points = []
        for i, groups in enumerate(COMPACT_BLOCK_GROUPS):
            prefix = f"blocks.{i}"
            points += shuffle_taps(prefix, groups)
            points.append(TapPoint(prefix, prefix, "output", "unit", groups))
        return points


COMPACT = register_architecture(
    Architecture(
        "compact",
        "Compact ChannelShuffle net",
        lambda spec, layout: CompactShuffleNet(spec),
        short_title="compact",
        order=30,
        input_kind="signal",
        default_input=COMPACT_DEFAULT_INPUT,
        default_classes=COMPACT_DEFAULT_CLASSES,
        groups_note="the compact net has fixed shuffle groups (8, 8, 16, 16); drop groups",
        hint="The compact net reads sensor windows (series x modal) from a signal source: signal:synthetic or a .csv/.npy "
        "recording. Its scale is fixed and its shuffle groups are 8, 8, 16, 16.",
        checkpoint_marker="blocks.0.dwconv.weight",
    )
)
