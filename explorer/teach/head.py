"""A taught head: class names + a linear layer on the backbone's pooled features, remembering
the spec and backbone weights it was trained on so it is never applied to another backbone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from explorer.models.architecture import architecture
from explorer.models.classifier import final_linear
from explorer.models.fingerprint import state_fingerprint
from explorer.paths import atomic_path

FORMAT = "shufflenet-explorer/taught-head/1"


class HeadError(Exception):
    pass


def backbone_fingerprint(model: nn.Module) -> str:
    """A short hash of every backbone tensor (the classifier excluded): a head is only valid
    on exactly the weights it was taught on."""
    try:
        head = final_linear(model)
    except ValueError as exc:
        raise HeadError(str(exc)) from None
    head_name = next(name for name, module in model.named_modules() if module is head)
    return state_fingerprint(model, skip_prefix=head_name)


@dataclass
class TaughtHead:
    classes: list[str]
    weight: torch.Tensor  # (classes, features)
    bias: torch.Tensor  # (classes,)
    mean: torch.Tensor  # feature standardisation learned on the samples
    std: torch.Tensor
    spec: dict
    backbone: str  # fingerprint
    backbone_name: str  # e.g. "torchvision: shufflenetv2_x1-5666bf0f80.pth" or "random init"
    accuracy: float = 0.0  # on its own samples

    def probabilities(self, embedding: torch.Tensor) -> torch.Tensor:
        x = (embedding.float().reshape(1, -1) - self.mean) / self.std
        return torch.softmax(x @ self.weight.T + self.bias, dim=1)[0]

    def _groups_text(self) -> str:
        """ " g=3" where the taught-on network's group count was the user's choice."""
        try:
            chosen = bool(architecture(str(self.spec.get("arch"))).group_choices)
        except ValueError:  # an architecture this version does not have
            chosen = False
        return f" g={self.spec.get('groups')}" if chosen else ""

    def check_backbone(self, fingerprint: str, spec_dict: dict) -> None:
        if spec_dict != self.spec or fingerprint != self.backbone:
            raise HeadError(
                f"this head was taught on {self.spec.get('arch')} {self.spec.get('scale')}x"
                f"{self._groups_text()} with {self.backbone_name} "
                f"(backbone {self.backbone}); the current backbone differs - load those weights first, or teach again"
            )


def save_head(head: TaughtHead, path: str | Path) -> None:
    with atomic_path(path) as temp:  # a crash mid-save never leaves half a head file
        torch.save(
            {
                "format": FORMAT,
                "classes": list(head.classes),
                "weight": head.weight,
                "bias": head.bias,
                "mean": head.mean,
                "std": head.std,
                "spec": dict(head.spec),
                "backbone": head.backbone,
                "backbone_name": head.backbone_name,
                "accuracy": float(head.accuracy),
            },
            temp,
        )


def load_head(path: str | Path) -> TaughtHead:
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise HeadError(f"{path}: no such file") from None
    except Exception as exc:
        raise HeadError(f"{Path(path).name} is not a readable head file ({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise HeadError(f"{Path(path).name} is not a taught head saved by ShuffleNet Explorer")
    return TaughtHead(
        data["classes"],
        data["weight"],
        data["bias"],
        data["mean"],
        data["std"],
        data["spec"],
        data["backbone"],
        data["backbone_name"],
        data.get("accuracy", 0.0),
    )
