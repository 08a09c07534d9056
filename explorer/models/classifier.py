"""The classifier of a model: the layer whose input is the pooled feature vector."""

from __future__ import annotations

from torch import nn


def final_linear(model: nn.Module) -> nn.Module:
    """The classifier: the last Linear layer (its input is the pooled embedding), or a model's
    own ``embedding`` module where it classifies without one (SqueezeNet's 1x1 conv).

    Teach mode trains on that input, and the backends deliver it as "embedding".
    """
    own = getattr(model, "embedding", None)
    if isinstance(own, nn.Module):
        return own
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError("this model has no linear classifier to read the pooled features from")
    return linears[-1]
