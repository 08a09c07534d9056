"""Part 1 of the shuffle lesson: two stacked group convolutions on cues that really sit in
different groups, the premise of the V1 paper's argument (Section 3.1, Figure 1).

64 channels in 8 groups of 8.  Cue A (one bit) is written into group 0's channels, cue B into
group 5's; every channel carries noise.  The label is A xor B.  The network is
GConv1x1(g=8) -> ReLU -> [shuffle] -> GConv1x1(g=8) -> ReLU -> Linear.  Without the shuffle each
output group depends on one input group only, so the classifier adds a function of A to a
function of B, and a sum cannot make an xor: on the four (A, B) cells it gets at most three right
(``additive_ceiling`` computes it on the images scored).  With the shuffle every output group
sees both cues and can make the xor.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch
from torch import nn

from explorer.models.registry import seeded_rng
from explorer.models.shuffle import ChannelShuffle

CHANNELS, GROUPS = 64, 8
CUE_GROUPS = (0, 5)  # where A and B are written: groups the shuffle must bring together
NOISE = 0.6  # per-channel noise against a cue of +-1 per channel


class StackedGroupConvs(nn.Module):
    def __init__(self, shuffle: bool, channels: int = CHANNELS, groups: int = GROUPS, classes: int = 2) -> None:
        super().__init__()
        self.mix = nn.Sequential(
            nn.Conv2d(channels, channels, 1, groups=groups),
            nn.ReLU(),
            ChannelShuffle(groups, enabled=shuffle),
            nn.Conv2d(channels, channels, 1, groups=groups),
            nn.ReLU(),
        )
        self.classifier = nn.Linear(channels, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.mix(x).flatten(1))


def build(shuffle: bool, seed: int) -> StackedGroupConvs:
    with seeded_rng(seed):  # the same weights per seed, whatever other threads draw meanwhile
        return StackedGroupConvs(shuffle)


def make_cues(count: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """(inputs (count, 64, 1, 1), labels A xor B (count,), cells (count, 2) = (A, B))."""
    rng = np.random.default_rng(seed)
    patterns = np.random.default_rng(0).choice([-1.0, 1.0], size=(2, CHANNELS // GROUPS))  # fixed: the task's own
    cells = rng.integers(0, 2, (count, 2))
    x = rng.normal(0.0, NOISE, (count, CHANNELS)).astype(np.float32)
    width = CHANNELS // GROUPS
    for cue, group in enumerate(CUE_GROUPS):
        x[:, group * width : (group + 1) * width] += (2 * cells[:, cue : cue + 1] - 1) * patterns[cue]
    labels = cells[:, 0] ^ cells[:, 1]
    return torch.from_numpy(x[:, :, None, None]), torch.from_numpy(labels.astype(np.int64)), cells


def additive_ceiling(cells: np.ndarray, labels: np.ndarray) -> float:
    """The best % any classifier of the form f(A) + g(B) > 0 can score on these (A, B) cells:
    found by trying every labelling of the four cells such a sum can make."""
    levels = (-1.5, -0.5, 0.5, 1.5)  # enough distinct values to reach every labelling a sum can make
    reachable = {
        tuple(int(f[a] + g[b] > 0) for a, b in itertools.product((0, 1), repeat=2))
        for f in itertools.product(levels, repeat=2)
        for g in itertools.product(levels, repeat=2)
    }
    index = 2 * cells[:, 0] + cells[:, 1]
    return max(100.0 * float(np.mean(np.asarray(labelling)[index] == labels)) for labelling in reachable)
