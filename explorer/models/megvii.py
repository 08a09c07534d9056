"""megvii's ShuffleNet-Series checkpoints -> our keys (their release is the V1 paper's code).

- megvii V1: 'module.' prefix, first_conv / features.N.branch_main_1|2 / classifier.0; their
  shuffle is the inverse permutation applied after the depthwise conv, ours the paper's before
  it.  A channel permutation commutes with per-channel ops (depthwise conv, BN) if their
  parameters are permuted too, so: our shuffle runs in megvii order and the depthwise and
  following BN parameters are re-indexed.  Outputs are then identical.
- megvii V2: 'module.', first_conv / features.N.branch_main|branch_proj / conv_last /
  classifier.0 (no bias); loaded into our V2 built with layout="megvii".

Converters raise ValueError naming the key they do not know.
"""

from __future__ import annotations

import torch

from explorer.models.shuffle import shuffle_permutation
from explorer.models.variants import STAGE_REPEATS

RELEASE = "https://github.com/megvii-model/ShuffleNet-Series"
V1_MARKER = "features.0.branch_main_1.0.weight"
V2_MARKER = "features.0.branch_main.0.weight"


def _unit_names() -> list[str]:
    return [f"stage{index + 2}.{i}" for index, repeats in enumerate(STAGE_REPEATS) for i in range(repeats)]


def megvii_v1_to_ours(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    units = _unit_names()
    groups = megvii_v1_groups(state)
    for key, value in state.items():
        parts = key.split(".")
        if parts[0] == "first_conv":
            out[key] = value
        elif parts[0] == "classifier":
            out["classifier." + parts[-1]] = value
        elif parts[0] == "features":
            unit = units[int(parts[1])]
            branch, index, leaf = parts[2], parts[3], parts[4]
            name = {
                ("branch_main_1", "0"): "gconv1",
                ("branch_main_1", "1"): "bn1",
                ("branch_main_1", "3"): "dwconv",
                ("branch_main_1", "4"): "bn2",
                ("branch_main_2", "0"): "gconv2",
                ("branch_main_2", "1"): "bn3",
            }.get((branch, index))
            if name is None:
                raise ValueError(f"unexpected megvii V1 key {key}")
            out[f"{unit}.{name}.{leaf}"] = value
        else:
            raise ValueError(f"unexpected megvii V1 key {key}")
    if groups > 1:  # move megvii's shuffle from after the depthwise conv to before it
        for unit in units:
            weight = out.get(f"{unit}.dwconv.weight")
            if weight is None:
                continue
            perm = torch.tensor(shuffle_permutation(weight.shape[0], groups, inverse=True))
            for name in ("dwconv.weight", "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var"):
                key = f"{unit}.{name}"
                if key in out:
                    out[key] = out[key][perm].clone()
    return out


def megvii_v1_groups(state: dict[str, torch.Tensor]) -> int:
    """g from the second unit's grouped 1x1 conv: in_channels / weight.shape[1]."""
    weight = state.get("features.1.branch_main_1.0.weight")
    out2 = state.get("features.0.branch_main_2.0.weight")
    first = state.get("first_conv.0.weight")
    if weight is None or out2 is None or first is None:
        raise ValueError("megvii V1 checkpoint is incomplete (no features.1 / first_conv)")
    in_channels = out2.shape[0] + first.shape[0]  # stage-2 width = branch + shortcut
    return in_channels // weight.shape[1]


def megvii_v2_to_ours(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    units = _unit_names()
    for key, value in state.items():
        parts = key.split(".")
        if parts[0] == "first_conv":
            out["conv1." + ".".join(parts[1:])] = value
        elif parts[0] == "conv_last":
            out["conv5." + ".".join(parts[1:])] = value
        elif parts[0] == "classifier":
            out["fc." + parts[-1]] = value
        elif parts[0] == "features":
            branch = {"branch_main": "branch2", "branch_proj": "branch1"}.get(parts[2])
            if branch is None:
                raise ValueError(f"unexpected megvii V2 key {key}")
            out[f"{units[int(parts[1])]}.{branch}." + ".".join(parts[3:])] = value
        else:
            raise ValueError(f"unexpected megvii V2 key {key}")
    if "fc.weight" in out and "fc.bias" not in out:  # their classifier has no bias
        out["fc.bias"] = torch.zeros(out["fc.weight"].shape[0])
    return out
