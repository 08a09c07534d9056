"""A short, stable hash of a model's weights: keys for export caches and taught heads."""

from __future__ import annotations

import hashlib

from torch import nn


def state_fingerprint(model: nn.Module, skip_prefix: str | None = None) -> str:
    """sha1 over every state-dict name and tensor (memory format normalised), 16 hex digits.

    ``skip_prefix`` leaves out one submodule (e.g. the classifier); BN's step counters never count.
    """
    digest = hashlib.sha1()
    for name, tensor in model.state_dict().items():
        if name.endswith("num_batches_tracked") or (skip_prefix and name.startswith(skip_prefix + ".")):
            continue
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]
