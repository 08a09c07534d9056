"""Channel shuffle as the ShuffleNet paper defines it (Zhang et al. 2018, Sec. 3.1).

Reshape the C channels to (g, n), transpose to (n, g), flatten.  Output position k then holds
input channel (k mod g) * n + (k div g): every output group takes one channel from each input
group, which is what lets stacked group convolutions exchange information.
"""

from __future__ import annotations

import torch
from torch import nn


def check_groups(channels: int, groups: int) -> int:
    """Return n = channels / groups, or raise ValueError naming the broken constraint."""
    if isinstance(groups, bool) or not isinstance(groups, int):
        raise ValueError(f"groups must be an integer, got {groups!r}")
    if isinstance(channels, bool) or not isinstance(channels, int) or channels <= 0:
        raise ValueError(f"channels must be a positive integer, got {channels!r}")
    if groups <= 0:
        raise ValueError(f"groups must be >= 1, got {groups}")
    if channels % groups:
        raise ValueError(
            f"channels ({channels}) must be divisible by groups ({groups}); {channels} % {groups} = {channels % groups}"
        )
    return channels // groups


def shuffle_permutation(channels: int, groups: int, inverse: bool = False) -> list[int]:
    """For each output position k, the input channel that channel shuffle puts there.

    ``inverse=True`` gives the reverse mapping, which is also the shuffle of the (n, g) reshape
    used by megvii's official V1 code.
    """
    n = check_groups(channels, groups)
    if inverse:
        return [(k % n) * groups + k // n for k in range(channels)]
    return [(k % groups) * n + k // groups for k in range(channels)]


def channel_shuffle(x: torch.Tensor, groups: int, inverse: bool = False) -> torch.Tensor:
    """Shuffle dim 1 of an (N, C, ...) tensor; see the module docstring."""
    if x.dim() < 2:
        raise ValueError(f"channel_shuffle needs an (N, C, ...) tensor, got shape {tuple(x.shape)}")
    batch, channels, *rest = x.shape
    n = check_groups(int(channels), groups)
    split = (n, groups) if inverse else (groups, n)
    return x.reshape(batch, *split, *rest).transpose(1, 2).reshape(batch, channels, *rest)


class ChannelShuffle(nn.Module):
    """Channel shuffle as a module, so hooks can tap the points before and after it.

    It holds no parameters or buffers, so adding it never changes a state dict.  ``enabled``
    is the paper's Table 3 ablation switch (no shuffle: parameters and FLOPs unchanged).
    """

    def __init__(self, groups: int, enabled: bool = True, inverse: bool = False) -> None:
        super().__init__()
        if groups < 1:
            raise ValueError(f"groups must be >= 1, got {groups}")
        self.groups = groups
        self.enabled = enabled
        self.inverse = inverse

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.enabled or self.groups == 1:
            return x
        return channel_shuffle(x, self.groups, self.inverse)

    def extra_repr(self) -> str:
        return f"groups={self.groups}, enabled={self.enabled}" + (", inverse" if self.inverse else "")


class Concat(nn.Module):
    """torch.cat along channels, as a module so complexity and taps can see it."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=1)


class Add(nn.Module):
    """Residual addition, as a module for the same reason as Concat."""

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a + b


def observed_permutation(module: nn.Module, channels: int) -> list[int]:
    """What ``module`` really does to the channels, found by running it rather than assumed.

    Input channel i carries the value i, so output position k reads the index of the channel it
    took: the paper's permutation when a shuffle is on, megvii's inverse for its checkpoints,
    the identity when the shuffle is off.
    """
    labelled = torch.arange(channels, dtype=torch.float32).reshape(1, channels, 1, 1)
    with torch.no_grad():
        return [int(v) for v in module(labelled).reshape(-1).round().tolist()]


def is_identity(permutation) -> bool:
    return all(k == source for k, source in enumerate(permutation))


def set_shuffle_enabled(model: nn.Module, enabled: bool) -> None:
    """Turn every channel shuffle in ``model`` on or off (weights are untouched)."""
    for module in model.modules():
        if isinstance(module, ChannelShuffle):
            module.enabled = enabled
