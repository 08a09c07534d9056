"""The model as an exporter sees it: the logits, the pooled embedding and every feature tap as outputs.

ONNX Runtime and ncnn both run a graph exported from this wrapper, so the Feature maps and teach
mode work on them as on torch: the taps are tensors the network computes anyway.
"""

from __future__ import annotations

from torch import nn

from explorer.models.classifier import final_linear
from explorer.models.taps import FeatureTaps


class GraphOutputs(nn.Module):
    """forward(x) -> (logits, embedding, *taps): hooks turned into graph outputs."""

    def __init__(self, model: nn.Module, taps: list[str]) -> None:
        super().__init__()
        self.model = model
        self.taps = taps
        # a plain attribute, not a submodule: registered twice, the classifier confuses converters (pnnx)
        object.__setattr__(self, "head", final_linear(model))

    def forward(self, x):
        grabbed = {}
        handle = self.head.register_forward_pre_hook(lambda _m, args: grabbed.__setitem__("embedding", args[0]))
        try:
            with FeatureTaps(self.model, self.taps, clone=False) as hooks:
                logits = self.model(x)
        finally:
            handle.remove()
        return (logits, grabbed["embedding"], *[hooks.features[name] for name in self.taps])
