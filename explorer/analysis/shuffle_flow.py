"""Information flow through two stacked group convolutions, with and without a shuffle.

GConv(g) connects output channel o to input channel i only if both sit in the same group.
Stacking two of them without a shuffle, each output group still depends on one input group
only; with the paper's shuffle in between it depends on all of them (paper Fig. 1).
"""

from __future__ import annotations

import numpy as np

from explorer.models.shuffle import check_groups, shuffle_permutation


def group_conv_connectivity(channels: int, groups: int) -> np.ndarray:
    """C x C 0/1 matrix: [o, i] = 1 where a g-group conv lets output o see input i."""
    n = check_groups(channels, groups)
    group = np.arange(channels) // n
    return (group[:, None] == group[None, :]).astype(np.int64)


def shuffle_matrix(channels: int, groups: int) -> np.ndarray:
    """Permutation matrix P with (P @ x)[k] = x[perm[k]]."""
    p = np.zeros((channels, channels), np.int64)
    p[np.arange(channels), shuffle_permutation(channels, groups)] = 1
    return p


def stacked_connectivity(channels: int, groups: int, shuffle: bool) -> np.ndarray:
    """Output-by-input 0/1 matrix of GConv -> [shuffle] -> GConv."""
    conv = group_conv_connectivity(channels, groups)
    middle = shuffle_matrix(channels, groups) if shuffle else np.eye(channels, dtype=np.int64)
    return (conv @ middle @ conv > 0).astype(np.int64)


def input_groups_seen(connectivity: np.ndarray, groups: int) -> list[int]:
    """For each output group, how many input groups reach it."""
    channels = connectivity.shape[0]
    n = channels // groups
    seen = []
    for g in range(groups):
        rows = connectivity[g * n : (g + 1) * n]
        seen.append(int(sum(rows[:, j * n : (j + 1) * n].any() for j in range(groups))))
    return seen


def groups_reached(module, channels: int, groups: int, size: int = 6, seed: int = 0, inputs: int = 4) -> list[int]:
    """For each output group of ``module`` (an (N, channels, H, W) -> (N, C', H', W') block), how
    many of its ``groups`` input groups its value depends on, asked of the module itself by
    autograd (so it stays true whatever the module's shuffle, widths or weights).  Several random
    inputs, so a path a ReLU happens to close for one input still counts."""
    import torch

    n_in = check_groups(channels, groups)
    x = torch.randn(inputs, channels, size, size, generator=torch.Generator().manual_seed(seed), requires_grad=True)
    was_training = module.training
    module.eval()
    try:
        out = module(x)
        n_out = check_groups(out.shape[1], groups)
        seen = []
        for g in range(groups):
            (grad,) = torch.autograd.grad(out[:, g * n_out : (g + 1) * n_out].sum(), x, retain_graph=True)
            per_group = grad.abs().sum(dim=(0, 2, 3)).reshape(groups, n_in).sum(1)
            seen.append(int((per_group > 0).sum()))
    finally:
        module.train(was_training)
    return seen
