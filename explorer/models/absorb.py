"""Why the compact net's shuffles change nothing it can compute: each is absorbed by the next layer.

In the compact ChannelShuffleModule network every 1x1 conv is dense (groups = 1).  A shuffle is
a fixed permutation P of the channels; what follows it is a depthwise conv (each channel keeps
its own filter, so the filters can move with their channels) and a dense 1x1 conv (whose input
columns can be permuted), or, after the last block, a pool and a linear layer (whose input
features can be permuted).  Permuting those weights gives a network *without* shuffles that
computes exactly the same outputs.  A shuffle only adds something in front of a *grouped*
conv, whose block-diagonal weights cannot absorb a permutation that crosses groups: ShuffleNet
V1's units.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from explorer.models.compact import CompactShuffleNet
from explorer.models.shuffle import shuffle_permutation


def can_absorb(model: nn.Module) -> bool:
    """Whether every conv after each shuffle of ``model`` is dense or depthwise (so absorb_shuffles applies)."""
    return isinstance(model, CompactShuffleNet)


def absorb_shuffles(model: CompactShuffleNet) -> CompactShuffleNet:
    """A copy of ``model`` with every shuffle switched off and folded into the next layer's
    weights; it gives the same outputs as ``model`` (up to float rounding)."""
    if not isinstance(model, CompactShuffleNet):
        raise TypeError(f"absorb_shuffles works on the compact net, got {type(model).__name__}")
    absorbed = copy.deepcopy(model).eval()
    blocks = list(absorbed.blocks)
    with torch.no_grad():
        for index, block in enumerate(blocks):
            if not block.shuffle.enabled:
                continue
            channels = block.pwconv.out_channels
            # position k of the shuffled tensor holds channel perm[k] of the unshuffled one
            perm = torch.tensor(shuffle_permutation(channels, block.shuffle.groups, block.shuffle.inverse))
            order = torch.argsort(perm)  # where each unshuffled channel went
            if index + 1 < len(blocks):
                following = blocks[index + 1]
                # depthwise: the filter for shuffled position k belongs to channel perm[k]
                following.dwconv.weight.copy_(following.dwconv.weight[order])
                if following.dwconv.bias is not None:
                    following.dwconv.bias.copy_(following.dwconv.bias[order])
                # dense 1x1 conv: its input column for shuffled position k reads channel perm[k]
                following.pwconv.weight.copy_(following.pwconv.weight[:, order])
            else:
                fc = absorbed.fc
                modal = fc.in_features // channels  # features are flattened channel-major
                weight = fc.weight.view(fc.out_features, channels, modal)
                fc.weight.copy_(weight[:, order].reshape(fc.out_features, -1))
            block.shuffle.enabled = False
    return absorbed


def shuffle_matters_before(conv: nn.Conv2d) -> bool:
    """Whether a shuffle in front of ``conv`` can change what the network computes: only a
    grouped (not depthwise, not dense) conv cannot absorb the permutation."""
    return 1 < conv.groups < conv.in_channels
