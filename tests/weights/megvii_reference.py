"""Test-only re-implementation of megvii ShuffleNet-Series' V1/V2 networks: their module names
(first_conv, features.N.branch_main_1/2, branch_main/branch_proj, conv_last, classifier) and
their wiring ((n, g) shuffle after the depthwise conv in V1; even/odd split, no output shuffle
and an inp-wide shortcut in V2), so checkpoints in their exact layout can be generated."""

import torch
from torch import nn

from explorer.models.v1 import v1_channels

V2_CHANNELS = {
    0.5: [24, 48, 96, 192, 1024],
    1.0: [24, 116, 232, 464, 1024],
    1.5: [24, 176, 352, 704, 1024],
    2.0: [24, 244, 488, 976, 2048],
}


class V1Block(nn.Module):
    def __init__(self, inp, oup, group, first_group, stride):
        super().__init__()
        self.stride, self.group = stride, group
        mid = oup // 4
        outputs = oup - inp if stride == 2 else oup
        self.branch_main_1 = nn.Sequential(
            nn.Conv2d(inp, mid, 1, 1, 0, groups=1 if first_group else group, bias=False),
            nn.BatchNorm2d(mid),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False),
            nn.BatchNorm2d(mid),
        )
        self.branch_main_2 = nn.Sequential(
            nn.Conv2d(mid, outputs, 1, 1, 0, groups=group, bias=False), nn.BatchNorm2d(outputs)
        )
        if stride == 2:
            self.branch_proj = nn.AvgPool2d(3, 2, 1)

    def forward(self, x):
        out = self.branch_main_1(x)
        if self.group > 1:
            b, c, h, w = out.shape
            out = out.reshape(b, c // self.group, self.group, h, w).permute(0, 2, 1, 3, 4).reshape(b, c, h, w)
        out = self.branch_main_2(out)
        if self.stride == 1:
            return torch.relu(out + x)
        return torch.cat((self.branch_proj(x), torch.relu(out)), 1)


class MegviiV1(nn.Module):
    def __init__(self, group, scale, classes=1000):
        super().__init__()
        first, *stages = v1_channels(group, scale)
        self.first_conv = nn.Sequential(
            nn.Conv2d(3, first, 3, 2, 1, bias=False), nn.BatchNorm2d(first), nn.ReLU(inplace=True)
        )
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        blocks, inp = [], first
        for s, (repeats, oup) in enumerate(zip((4, 8, 4), stages)):
            for i in range(repeats):
                blocks.append(V1Block(inp, oup, group, s == 0 and i == 0, 2 if i == 0 else 1))
                inp = oup
        self.features = nn.Sequential(*blocks)
        self.classifier = nn.Sequential(nn.Linear(inp, classes, bias=False))

    def forward(self, x):
        x = self.features(self.maxpool(self.first_conv(x)))
        return self.classifier(x.mean([2, 3]))


class V2Block(nn.Module):
    def __init__(self, inp, oup, mid, stride):
        super().__init__()
        self.stride = stride
        outputs = oup - inp
        self.branch_main = nn.Sequential(
            nn.Conv2d(inp, mid, 1, 1, 0, bias=False),
            nn.BatchNorm2d(mid),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False),
            nn.BatchNorm2d(mid),
            nn.Conv2d(mid, outputs, 1, 1, 0, bias=False),
            nn.BatchNorm2d(outputs),
            nn.ReLU(inplace=True),
        )
        if stride == 2:
            self.branch_proj = nn.Sequential(
                nn.Conv2d(inp, inp, 3, stride, 1, groups=inp, bias=False),
                nn.BatchNorm2d(inp),
                nn.Conv2d(inp, inp, 1, 1, 0, bias=False),
                nn.BatchNorm2d(inp),
                nn.ReLU(inplace=True),
            )

    def forward(self, x):
        if self.stride == 1:
            b, c, h, w = x.shape
            x = x.reshape(b * c // 2, 2, h * w).permute(1, 0, 2).reshape(2, -1, c // 2, h, w)
            return torch.cat((x[0], self.branch_main(x[1])), 1)
        return torch.cat((self.branch_proj(x), self.branch_main(x)), 1)


class MegviiV2(nn.Module):
    def __init__(self, scale, classes=1000):
        super().__init__()
        ch = V2_CHANNELS[scale]
        self.first_conv = nn.Sequential(
            nn.Conv2d(3, 24, 3, 2, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU(inplace=True)
        )
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        blocks, inp = [], 24
        for repeats, oup in zip((4, 8, 4), ch[1:4]):
            for i in range(repeats):
                blocks.append(V2Block(inp, oup, oup // 2, 2) if i == 0 else V2Block(inp // 2, oup, oup // 2, 1))
                inp = oup
        self.features = nn.Sequential(*blocks)
        self.conv_last = nn.Sequential(
            nn.Conv2d(inp, ch[4], 1, 1, 0, bias=False), nn.BatchNorm2d(ch[4]), nn.ReLU(inplace=True)
        )
        self.classifier = nn.Sequential(nn.Linear(ch[4], classes, bias=False))

    def forward(self, x):
        x = self.conv_last(self.features(self.maxpool(self.first_conv(x))))
        return self.classifier(x.mean([2, 3]))


def randomise(model: nn.Module, seed: int = 0) -> nn.Module:
    """Random weights *and* BN statistics, so every tensor's placement matters."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point():
                tensor.copy_(torch.rand_like(tensor) + 0.5 if "running_var" in name else torch.randn_like(tensor) * 0.2)
    return model.eval()


def save_as_dataparallel(model: nn.Module, path) -> None:
    torch.save({f"module.{k}": v for k, v in model.state_dict().items()}, path)
