"""PyTorch eager backends: fp32 eager (the reference) and channels_last.

channels_last (NHWC) lets oneDNN/XNNPACK pick faster depthwise and pointwise kernels on CPU;
the maths is the same, only summation order differs (outputs match eager to ~1e-5).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from explorer.models.classifier import final_linear
from explorer.models.spec import ModelSpec
from explorer.models.taps import FeatureTaps
from explorer.runtime.registry import Backend, register


def _features(taps: FeatureTaps) -> dict[str, np.ndarray]:
    return {name: t[0].float().contiguous().numpy() for name, t in taps.features.items()}


class EagerRunner:
    taps_pending = False  # hooks tap any layer at once

    def __init__(self, model: nn.Module) -> None:
        self.model = model.eval()

    def build_taps(self, model: nn.Module, spec: ModelSpec) -> None:
        pass

    def prepare_input(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def __call__(self, x: torch.Tensor, taps: tuple[str, ...] = (), embedding: bool = False):
        """(logits, {tap: C x H x W array}); with ``embedding``, also "embedding": the pooled
        feature vector the classifier reads (teach mode trains on it)."""
        x = self.prepare_input(x)
        captured: dict[str, np.ndarray] = {}
        handle = None
        if embedding:

            def grab(_module, args):
                captured["embedding"] = args[0][0].detach().float().reshape(-1).numpy().copy()

            handle = final_linear(self.model).register_forward_pre_hook(grab)
        try:
            with torch.inference_mode():
                if not taps:
                    return self.model(x), captured
                with FeatureTaps(self.model, taps) as hooks:
                    logits = self.model(x)
                return logits, {**_features(hooks), **captured}
        finally:
            if handle is not None:
                handle.remove()


class ChannelsLastRunner(EagerRunner):
    def __init__(self, model: nn.Module) -> None:
        super().__init__(model.to(memory_format=torch.channels_last))

    def prepare_input(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x


register(
    Backend(
        "eager",
        "torch eager fp32 (reference)",
        "torch eager",
        lambda r: EagerRunner(r.model),
        order=10,
        tolerance=0.0,
        reference=True,
        runs_torch_module=True,
    )
)
register(
    Backend(
        "channels_last",
        "torch channels_last fp32",
        "torch channels_last",
        lambda r: ChannelsLastRunner(r.model),
        order=20,
        runs_torch_module=True,
        auto_start=True,
        agreement_frames=2,  # only summation order differs (~1e-9)
    )
)
