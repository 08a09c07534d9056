"""A ShuffleNet-like architecture in one module, with its own published figures: importing it
registers it; no other file of the app is edited (the conformance and one-file tests use it)."""

import torch
from torch import nn

from explorer.models.architecture import Architecture, Published, register_architecture
from explorer.models.shuffle import ChannelShuffle
from explorer.models.spec import ModelSpec
from explorer.models.taps import TapPoint, shuffle_taps

GROUPS = (2, 4)


class GroupBlock(nn.Module):
    """A grouped 1x1 conv, its shuffle, a depthwise 3x3 (stride 2)."""

    def __init__(self, channels: int, groups: int, shuffle: bool) -> None:
        super().__init__()
        self.gconv = nn.Conv2d(channels, channels, 1, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(channels)
        self.shuffle = ChannelShuffle(groups, enabled=shuffle)
        self.dwconv = nn.Conv2d(channels, channels, 3, 2, 1, groups=channels, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dwconv(self.shuffle(torch.relu(self.bn(self.gconv(x)))))


class TinyShuffleNet(nn.Module):
    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.spec = spec
        width = int(16 * spec.scale) * 4
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        self.blocks = nn.Sequential(*[GroupBlock(width, spec.groups, spec.shuffle) for _ in range(2)])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, spec.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))

    def tap_points(self) -> list[TapPoint]:
        points = [TapPoint("stem", "stem", "output", "stem")]
        for i in range(len(self.blocks)):
            points += shuffle_taps(f"blocks.{i}", self.spec.groups)
            points.append(TapPoint(f"blocks.{i}", f"blocks.{i}", "output", "unit", self.spec.groups))
        return points


FAKE = register_architecture(
    Architecture(
        "tinyshuffle",
        "TinyShuffle (a test's ShuffleNet)",
        lambda spec, layout: TinyShuffleNet(spec),
        scales=(0.5, 1.0),
        short_title="TinyShuffle",
        order=98,
        group_choices=GROUPS,
        default_groups=2,
        hint="a ShuffleNet-like network registered by a test",
        published={
            (2, 1.0): Published(1.5, 5_000, "a test's made-up paper", 42.0, "a test's made-up paper"),
            (4, 0.5): Published(0.5, 2_000, "a test's made-up paper"),
        },
    )
)
