"""ShuffleNet V2 (Ma et al., ECCV 2018) with channel split, scales 0.5x-2x.

Module names, parameter shapes and forward maths are those of torchvision's
``models/shufflenetv2.py``, so torchvision checkpoints load unchanged and give identical
outputs.  The only additions are parameterless modules (ChannelShuffle, Concat) that make the
shuffle switchable and the points around it tappable; they add no state-dict keys.
"""

from __future__ import annotations

import torch
from torch import nn

from explorer.models.architecture import (
    DEFAULT_LAYOUT,
    LAYOUTS,
    MEGVII_LAYOUT,
    Architecture,
    Checkpoint,
    DiagramPlan,
    ForeignLayout,
    register_architecture,
)
from explorer.models.megvii import V2_MARKER, megvii_v2_to_ours
from explorer.models.shuffle import ChannelShuffle, Concat
from explorer.models.spec import ModelSpec
from explorer.models.taps import TapPoint, shuffle_taps
from explorer.models.variants import STAGE_REPEATS, V2_CHANNELS, V2_GROUPS, V2_PUBLISHED, V2_SCALES


def _depthwise(channels: int, stride: int) -> nn.Conv2d:
    return nn.Conv2d(channels, channels, 3, stride, 1, bias=False, groups=channels)


class GlobalAvgPool(nn.Module):
    """x.mean([2, 3]) exactly as torchvision computes it, as a module so it is counted."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean([2, 3])


class InvertedResidual(nn.Module):
    """The V2 unit: split (stride 1) or two strided branches (stride 2), concat, shuffle.

    ``layout=DEFAULT_LAYOUT`` (= the paper and torchvision): halves by chunk, shuffle at the output.
    ``layout=MEGVII_LAYOUT`` is the official training code's wiring, needed for its checkpoints: a
    stride-1 unit de-interleaves its input (even channels pass through, odd ones are
    processed: the inverse 2-group shuffle) and nothing is shuffled at the output; a stride-2
    unit keeps all ``inp`` channels on its shortcut branch (24 + 92 in stage 2 at 1x, not 58 + 58).
    """

    def __init__(self, inp: int, oup: int, stride: int, shuffle: bool = True, layout: str = DEFAULT_LAYOUT) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride must be 1 or 2, got {stride}")
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
        mid = oup // 2
        if stride == 1 and inp != mid * 2:
            raise ValueError(f"a stride-1 unit needs inp == oup, got {inp} -> {oup}")
        self.stride = stride
        self.layout = layout
        shortcut_out = inp if (layout == MEGVII_LAYOUT and stride == 2) else mid
        if stride > 1:
            self.branch1 = nn.Sequential(
                _depthwise(inp, stride),
                nn.BatchNorm2d(inp),
                nn.Conv2d(inp, shortcut_out, 1, bias=False),
                nn.BatchNorm2d(shortcut_out),
                nn.ReLU(inplace=True),
            )
        else:
            self.branch1 = nn.Sequential()
        main_out = oup - shortcut_out
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if stride > 1 else mid, mid, 1, bias=False),
            nn.BatchNorm2d(mid),
            nn.ReLU(inplace=True),
            _depthwise(mid, stride),
            nn.BatchNorm2d(mid),
            nn.Conv2d(mid, main_out, 1, bias=False),
            nn.BatchNorm2d(main_out),
            nn.ReLU(inplace=True),
        )
        self.concat = Concat()
        self.shuffle = ChannelShuffle(2, enabled=shuffle, inverse=layout == MEGVII_LAYOUT)

    @property
    def shuffles(self) -> bool:
        """Whether this unit runs its shuffle module at all (megvii stride-2 units do not)."""
        return self.layout == DEFAULT_LAYOUT or self.stride == 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.layout == MEGVII_LAYOUT:
            if self.stride == 1:
                x1, x2 = self.shuffle(x).chunk(2, dim=1)
                return self.concat(x1, self.branch2(x2))
            return self.concat(self.branch1(x), self.branch2(x))
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)  # channel split: half passes through untouched
            out = self.concat(x1, self.branch2(x2))
        else:
            out = self.concat(self.branch1(x), self.branch2(x))
        return self.shuffle(out)


class ShuffleNetV2(nn.Module):
    def __init__(self, spec: ModelSpec, layout: str = DEFAULT_LAYOUT) -> None:
        super().__init__()
        if spec.arch != "v2":
            raise ValueError(f"ShuffleNetV2 needs a v2 spec, got {spec.arch}")
        self.spec = spec
        self.layout = layout
        channels = V2_CHANNELS[spec.scale]
        self.stage_out_channels = list(channels)
        self.conv1 = nn.Sequential(
            nn.Conv2d(3, channels[0], 3, 2, 1, bias=False),
            nn.BatchNorm2d(channels[0]),
            nn.ReLU(inplace=True),
        )
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        inp = channels[0]
        for index, (repeats, oup) in enumerate(zip(STAGE_REPEATS, channels[1:4])):
            units = [InvertedResidual(inp, oup, 2, spec.shuffle, layout)]
            units += [InvertedResidual(oup, oup, 1, spec.shuffle, layout) for _ in range(repeats - 1)]
            setattr(self, f"stage{index + 2}", nn.Sequential(*units))
            inp = oup
        self.conv5 = nn.Sequential(
            nn.Conv2d(inp, channels[4], 1, bias=False),
            nn.BatchNorm2d(channels[4]),
            nn.ReLU(inplace=True),
        )
        self.globalpool = GlobalAvgPool()
        self.fc = nn.Linear(channels[4], spec.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.conv1(x))
        x = self.stage4(self.stage3(self.stage2(x)))
        x = self.conv5(x)
        return self.fc(self.globalpool(x))

    def tap_points(self) -> list[TapPoint]:
        points = [TapPoint("stem", "conv1", "output", "stem"), TapPoint("stem.pool", "maxpool", "output", "stem")]
        for stage in ("stage2", "stage3", "stage4"):
            units = getattr(self, stage)
            for i in range(len(units)):
                prefix = f"{stage}.{i}"
                if units[i].shuffles:
                    points += shuffle_taps(prefix, 2)
                points.append(TapPoint(prefix, prefix, "output", "unit", 2))
            points.append(TapPoint(stage, stage, "output", "stage", 2))
        points.append(TapPoint("conv5", "conv5", "output", "head"))
        return points


_TORCHVISION = "https://download.pytorch.org/models/"
V2 = register_architecture(
    Architecture(
        "v2",
        "ShuffleNet V2",
        lambda spec, layout: ShuffleNetV2(spec, layout),
        scales=V2_SCALES,
        short_title="V2",
        order=20,
        default_groups=V2_GROUPS,
        groups_note="ShuffleNet V2 always shuffles 2 branches; a group count applies to V1 only",
        hint="V2 has no group count: its shuffle mixes the two branches of each channel split (groups apply to V1 only).",
        checkpoint_marker="stage2.0.branch2.0.weight",
        foreign=ForeignLayout(
            MEGVII_LAYOUT, V2_MARKER, megvii_v2_to_ours, frozenset((V2_GROUPS, s) for s in V2_SCALES)
        ),
        torchvision_checkpoints={  # torchvision's weight enums (url, resize, crop); the tests check them against torchvision
            0.5: Checkpoint(_TORCHVISION + "shufflenetv2_x0.5-f707e7126e.pth", 256),
            1.0: Checkpoint(_TORCHVISION + "shufflenetv2_x1-5666bf0f80.pth", 256),
            1.5: Checkpoint(_TORCHVISION + "shufflenetv2_x1_5-3c479a10.pth", 232),
            2.0: Checkpoint(_TORCHVISION + "shufflenetv2_x2_0-8be3c8ee.pth", 232),
        },
        diagram=DiagramPlan(
            stem=("conv1",), unit="split_branches", head=("conv5", "globalpool", "fc"), head_tap="conv5"
        ),
        published=V2_PUBLISHED,
    )
)
