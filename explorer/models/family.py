"""ShuffleNet's rivals from torchvision, made first-class: MobileNetV2, MobileNetV3 Small and
Large, SqueezeNet 1.1 and MnasNet 0.5/1.0 (MobileNetV1 is built here: mobilenet_v1.py).

torchvision's own modules are used as they are (their state dicts load torchvision's trained
weights unchanged); each gets the two things the app asks of a model: ``tap_points()`` (every
block of its feature extractor) and a classifier input to read the pooled embedding from.
Without a usable torchvision these models say so and what to run; the ShuffleNets still work.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from explorer.models.architecture import Architecture, Checkpoint, Published, register_architecture, rival_hint
from explorer.models.spec import ModelSpec
from explorer.models.taps import TapPoint
from explorer.optional import torchvision_status

_URL = "https://download.pytorch.org/models/"
_TV = "torchvision weights meta"
# arch -> title, order, scale -> (torchvision builder name, its IMAGENET1K_V1 checkpoint: resize 256, crop 224,
# its published figures: multiply-adds from torchvision's _ops, parameters and top-1 from its weights meta)
TORCHVISION_RIVALS = {
    "mobilenet_v2": (
        "MobileNetV2",
        41,
        {1.0: ("mobilenet_v2", "mobilenet_v2-b0353104.pth", Published(301, 3_504_872, _TV, 71.878, _TV))},
    ),
    "mobilenet_v3_small": (
        "MobileNetV3 Small",
        42,
        {1.0: ("mobilenet_v3_small", "mobilenet_v3_small-047dcff4.pth", Published(57, 2_542_856, _TV, 67.668, _TV))},
    ),
    "mobilenet_v3_large": (
        "MobileNetV3 Large",
        43,
        {1.0: ("mobilenet_v3_large", "mobilenet_v3_large-8738ca79.pth", Published(217, 5_483_032, _TV, 74.042, _TV))},
    ),
    "squeezenet1_1": (
        "SqueezeNet 1.1",
        44,
        {1.0: ("squeezenet1_1", "squeezenet1_1-b8a52dc0.pth", Published(349, 1_235_496, _TV, 58.178, _TV))},
    ),
    "mnasnet": (
        "MnasNet",
        45,
        {
            0.5: ("mnasnet0_5", "mnasnet0.5_top1_67.823-3ffadce67e.pth", Published(104, 2_218_512, _TV, 67.734, _TV)),
            1.0: ("mnasnet1_0", "mnasnet1.0_top1_73.512-f206786ef8.pth", Published(314, 4_383_312, _TV, 73.456, _TV)),
        },
    ),
}
_SKIP = (nn.BatchNorm2d, nn.ReLU, nn.ReLU6, nn.Dropout, nn.MaxPool2d)


class TorchvisionUnavailable(ValueError):
    """A torchvision model was asked for without a usable torchvision."""


def builder_name(spec: ModelSpec) -> str:
    return TORCHVISION_RIVALS[spec.arch][2][spec.scale][0]


def build_torchvision(spec: ModelSpec) -> nn.Module:
    status = torchvision_status()
    if not status.available:
        raise TorchvisionUnavailable(
            f"{spec.label} comes from torchvision, which is unusable here ({status.error}); to fix: {status.fix}"
        )
    import torchvision  # heavy, and optional: only when a torchvision model is asked for

    model = torchvision.models.get_model(builder_name(spec), weights=None, num_classes=spec.num_classes)
    extractor = "features" if hasattr(model, "features") else "layers"  # MnasNet names its extractor "layers"
    blocks = [name for name, module in getattr(model, extractor).named_children() if not isinstance(module, _SKIP)]
    points = [
        TapPoint(f"{extractor}.{name}", f"{extractor}.{name}", "output", "stem" if i == 0 else "unit")
        for i, name in enumerate(blocks)
    ]
    model.tap_points = lambda: list(points)  # type: ignore[method-assign]
    model.spec = spec  # type: ignore[assignment]
    if not any(isinstance(m, nn.Linear) for m in model.modules()):  # SqueezeNet classifies with a conv
        _give_squeezenet_an_embedding(model)
    return model


def _give_squeezenet_an_embedding(model: nn.Module) -> None:
    """SqueezeNet classifies with a 1x1 conv and no Linear layer: the pooled features are
    routed through an Identity (``embedding``) beside the classifier, for teach mode and the
    backends' embedding output.  Logits are unchanged."""
    model.embedding = nn.Identity()

    def forward(x: torch.Tensor) -> torch.Tensor:
        features = model.features(x)
        model.embedding(torch.flatten(F.adaptive_avg_pool2d(features, 1), 1))
        return torch.flatten(model.classifier(features), 1)

    model.forward = forward  # type: ignore[method-assign]


for _name, (_title, _order, _variants) in TORCHVISION_RIVALS.items():
    _scales = tuple(_variants)
    register_architecture(
        Architecture(
            _name,
            _title,
            lambda spec, layout: build_torchvision(spec),
            scales=_scales,
            order=_order,
            has_shuffle=False,
            shufflenet=False,
            needs_torchvision=True,
            hint=rival_hint(_title, _scales),
            groups_note=f"{_title} has no group count (groups apply to ShuffleNet V1 only)",
            torchvision_checkpoints={
                scale: Checkpoint(_URL + filename) for scale, (_b, filename, _p) in _variants.items()
            },
            published={(None, scale): figures for scale, (_b, _f, figures) in _variants.items()},
        )
    )
