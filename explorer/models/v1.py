"""ShuffleNet V1 (Zhang et al., CVPR 2018), every g in {1, 2, 3, 4, 8} and scale 0.25x-2x.

Units follow the paper's Figure 2: 1x1 group conv -> BN -> ReLU -> channel shuffle -> 3x3
depthwise conv (stride 1 or 2) -> BN -> 1x1 group conv -> BN, then add + ReLU (stride 1) or
concat with a 3x3/2 average-pooled shortcut (stride 2).  As in the paper and the official
megvii code, the first pointwise conv of stage 2 is not grouped (its input has only 24 channels)
and the bottleneck is 1/4 of the unit's output channels.
"""

from __future__ import annotations

import torch
from torch import nn

from explorer.models.architecture import (
    DEFAULT_LAYOUT,
    LAYOUTS,
    MEGVII_LAYOUT,
    Architecture,
    DiagramPlan,
    ForeignLayout,
    register_architecture,
)
from explorer.models.megvii import RELEASE, V1_MARKER, megvii_v1_to_ours
from explorer.models.shuffle import Add, ChannelShuffle, Concat
from explorer.models.spec import ModelSpec
from explorer.models.taps import TapPoint, shuffle_taps
from explorer.models.variants import (
    STAGE_REPEATS,
    V1_DEFAULT_GROUPS,
    V1_GROUPS,
    V1_PUBLISHED,
    V1_SCALES,
    v1_channels,
)


class ShuffleV1Unit(nn.Module):
    def __init__(self, inp: int, oup: int, groups: int, stride: int, group_first_conv: bool, shuffle: bool) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride must be 1 or 2, got {stride}")
        self.stride = stride
        self.groups = groups
        branch_out = oup - inp if stride == 2 else oup  # stride 2 concatenates the shortcut
        if stride == 1 and inp != oup:
            raise ValueError(f"a stride-1 unit needs inp == oup, got {inp} -> {oup}")
        mid = oup // 4
        first_groups = groups if group_first_conv else 1
        self.gconv1 = nn.Conv2d(inp, mid, 1, bias=False, groups=first_groups)
        self.bn1 = nn.BatchNorm2d(mid)
        self.relu1 = nn.ReLU(inplace=True)
        self.shuffle = ChannelShuffle(groups, enabled=shuffle)
        self.dwconv = nn.Conv2d(mid, mid, 3, stride, 1, bias=False, groups=mid)
        self.bn2 = nn.BatchNorm2d(mid)
        self.gconv2 = nn.Conv2d(mid, branch_out, 1, bias=False, groups=groups)
        self.bn3 = nn.BatchNorm2d(branch_out)
        if stride == 2:
            self.shortcut = nn.AvgPool2d(3, stride=2, padding=1)
            self.merge: nn.Module = Concat()
        else:
            self.shortcut = nn.Identity()
            self.merge = Add()
        self.relu_out = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu1(self.bn1(self.gconv1(x)))
        out = self.shuffle(out)
        out = self.bn2(self.dwconv(out))
        out = self.bn3(self.gconv2(out))
        if self.stride == 2:
            # The pooled shortcut is already >= 0 (it pools a ReLU output), so ReLU on the
            # branch before concatenating equals the paper's ReLU after the concat.
            return self.merge(self.shortcut(x), self.relu_out(out))
        return self.relu_out(self.merge(x, out))


class ShuffleNetV1(nn.Module):
    def __init__(self, spec: ModelSpec, layout: str = DEFAULT_LAYOUT) -> None:
        """``layout="megvii"``: shuffle with the official code's (n, g) reshape, the inverse of
        the paper's, so its checkpoints (converted by explorer.weights) give its outputs."""
        super().__init__()
        if spec.arch != "v1":
            raise ValueError(f"ShuffleNetV1 needs a v1 spec, got {spec.arch}")
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
        self.spec = spec
        self.layout = layout
        groups = int(spec.groups or 1)
        first, *stage_channels = v1_channels(groups, spec.scale)
        self.stage_out_channels = [first, *stage_channels]
        self.first_conv = nn.Sequential(
            nn.Conv2d(3, first, 3, 2, 1, bias=False),
            nn.BatchNorm2d(first),
            nn.ReLU(inplace=True),
        )
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        inp = first
        for index, (repeats, oup) in enumerate(zip(STAGE_REPEATS, stage_channels)):
            units = []
            for i in range(repeats):
                unit = ShuffleV1Unit(
                    inp,
                    oup,
                    groups,
                    stride=2 if i == 0 else 1,
                    group_first_conv=not (index == 0 and i == 0),
                    shuffle=spec.shuffle,
                )
                unit.shuffle.inverse = layout == MEGVII_LAYOUT
                units.append(unit)
                inp = oup
            setattr(self, f"stage{index + 2}", nn.Sequential(*units))
        self.globalpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        # no bias, like the official implementation, so its checkpoints map one to one
        self.classifier = nn.Linear(inp, spec.num_classes, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.first_conv(x))
        x = self.stage4(self.stage3(self.stage2(x)))
        return self.classifier(self.flatten(self.globalpool(x)))

    def tap_points(self) -> list[TapPoint]:
        groups = int(self.spec.groups or 1)
        points = [TapPoint("stem", "first_conv", "output", "stem"), TapPoint("stem.pool", "maxpool", "output", "stem")]
        for stage in ("stage2", "stage3", "stage4"):
            units = getattr(self, stage)
            for i in range(len(units)):
                prefix = f"{stage}.{i}"
                points += shuffle_taps(prefix, groups)
                points.append(TapPoint(prefix, prefix, "output", "unit", groups))
            points.append(TapPoint(stage, stage, "output", "stage", groups))
        return points


V1 = register_architecture(
    Architecture(
        "v1",
        "ShuffleNet V1",
        lambda spec, layout: ShuffleNetV1(spec, layout),
        scales=V1_SCALES,
        short_title="V1",
        order=10,
        group_choices=V1_GROUPS,
        default_groups=V1_DEFAULT_GROUPS,
        hint="Group convolutions need the shuffle to mix groups; try g = 8 with shuffle off.",
        checkpoint_marker="stage2.0.gconv1.weight",
        foreign=ForeignLayout(
            MEGVII_LAYOUT,
            V1_MARKER,
            megvii_v1_to_ours,
            frozenset((g, s) for g in (3, 8) for s in (0.5, 1.0, 1.5, 2.0)),
            release=RELEASE,
            files_note=(
                "a ShuffleNetV1 checkpoint for group 3 or group 8 at 0.5x, 1.0x, 1.5x or 2.0x (one file each, in the "
                "ShuffleNetV1 folder of the OneDrive share linked under 'Trained Models' in the repository's README); "
                "the app reads the group and the scale from the file"
            ),
        ),
        diagram=DiagramPlan(
            stem=("first_conv",), unit="grouped_bottleneck", head=("globalpool", "flatten", "classifier")
        ),
        published=V1_PUBLISHED,
        lessons_subject=True,
    )
)
