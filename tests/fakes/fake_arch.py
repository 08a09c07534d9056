"""An architecture in one module: importing it registers it; no other file of the app is edited."""

import torch
from torch import nn

from explorer.models.architecture import Architecture, register_architecture
from explorer.models.spec import ModelSpec
from explorer.models.taps import TapPoint


class TinyNet(nn.Module):
    """A stem, a body of three conv blocks, a pooled linear head."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        width = int(16 * spec.scale)
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        self.blocks = nn.Sequential(
            *[
                nn.Sequential(nn.Conv2d(width, width, 3, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
                for _ in range(3)
            ]
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, spec.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))

    def tap_points(self) -> list[TapPoint]:
        blocks = [TapPoint(f"blocks.{i}", f"blocks.{i}", "output", "unit") for i in range(len(self.blocks))]
        return [TapPoint("stem", "stem", "output", "stem"), *blocks]


FAKE = register_architecture(
    Architecture(
        "tinynet",
        "TinyNet (a test's network)",
        lambda spec, layout: TinyNet(spec),
        scales=(0.5, 1.0),
        order=99,
        has_shuffle=False,
        shufflenet=False,
        hint="a network registered by a test",
    )
)
