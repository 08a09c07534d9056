"""The model configuration: a small frozen value from which everything else is derived.

Invalid combinations fail here, early, with a ValueError that says which constraint broke;
the CLI and the GUI show that text as it is.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from explorer.models.variants import (
    COMPACT_DEFAULT_CLASSES, COMPACT_DEFAULT_INPUT, FAMILY_SCALES, V1_DEFAULT_GROUPS, V1_GROUPS, V1_SCALES, V2_GROUPS,
    V2_SCALES,
)

SHUFFLENETS = ("v1", "v2", "compact")
FAMILY = tuple(FAMILY_SCALES)  # the networks ShuffleNet is compared with: no groups, no shuffle
ARCHS = SHUFFLENETS + FAMILY
MIN_IMAGE_SIZE = 32  # five stride-2 steps still leave a 1x1 map for global pooling
COMPACT_MIN_SERIES = 16  # four stride-(2, 1) blocks
COMPACT_MAX_MODAL = 256
DEFAULT_IMAGE_SIZE = 224
MAX_INPUT_SIZE = 4096

ARCH_TITLES = {"v1": "ShuffleNet V1", "v2": "ShuffleNet V2", "compact": "Compact ChannelShuffle net",
               "mobilenet_v1": "MobileNetV1", "mobilenet_v2": "MobileNetV2", "mobilenet_v3_small": "MobileNetV3 Small",
               "mobilenet_v3_large": "MobileNetV3 Large", "squeezenet1_1": "SqueezeNet 1.1", "mnasnet": "MnasNet"}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class ModelSpec:
    """arch, V1 group count, width scale, shuffle on/off, input size, class count.

    ``input_size`` is an int (square image) for V1/V2 and a (series, modal) pair for the compact
    network.  ``groups`` is the V1 group count; V2 is always 2 and the compact net has its own
    fixed per-block groups, so it is None there.  Build specs with :meth:`create` to get the
    per-arch defaults filled in.
    """

    arch: str = "v2"
    groups: int | None = 2
    scale: float = 1.0
    shuffle: bool = True
    input_size: int | tuple[int, int] = 224
    num_classes: int = 1000

    def __post_init__(self) -> None:
        validate(self)

    @classmethod
    def create(
        cls,
        arch: str = "v2",
        groups: int | None = None,
        scale: float = 1.0,
        shuffle: bool = True,
        input_size: int | tuple[int, int] | None = None,
        num_classes: int | None = None,
    ) -> "ModelSpec":
        """A spec with the arch's defaults for anything left as None."""
        if arch not in ARCHS:
            raise ValueError(f"unknown arch {arch!r}; choose one of {', '.join(ARCHS)}")
        if arch == "v1":
            groups = V1_DEFAULT_GROUPS if groups is None else groups
        elif arch == "v2":
            if groups not in (None, V2_GROUPS):
                raise ValueError(
                    f"ShuffleNet V2 always shuffles 2 branches; groups={groups} applies to V1 only"
                )
            groups = V2_GROUPS
        elif arch == "compact" and groups is not None:
            raise ValueError("the compact net has fixed shuffle groups (8, 8, 16, 16); drop groups")
        if input_size is None:
            input_size = COMPACT_DEFAULT_INPUT if arch == "compact" else DEFAULT_IMAGE_SIZE
        if isinstance(input_size, list):
            input_size = tuple(input_size)
        if num_classes is None:
            num_classes = COMPACT_DEFAULT_CLASSES if arch == "compact" else 1000
        return cls(arch, groups, float(scale), bool(shuffle), input_size, num_classes)

    def with_changes(self, **changes: Any) -> "ModelSpec":
        return replace(self, **changes)

    @property
    def input_kind(self) -> str:
        """"signal" (sensor windows) for the compact net, "image" for V1/V2: which sources fit."""
        return "signal" if self.arch == "compact" else "image"

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one input sample."""
        if self.arch == "compact":
            series, modal = self.input_size  # type: ignore[misc]
            return (1, series, modal)
        return (3, self.input_size, self.input_size)  # type: ignore[return-value]

    @property
    def label(self) -> str:
        parts = [ARCH_TITLES[self.arch]]
        if self.arch in ("v1", "v2") or len(FAMILY_SCALES.get(self.arch, ())) > 1:
            parts.append(f"{self.scale:g}x")
        if self.arch == "v1":
            parts.append(f"g={self.groups}")
        if not self.shuffle:
            parts.append("(no shuffle)")
        size = self.input_size
        parts.append(f"@{size[0]}x{size[1]}" if isinstance(size, tuple) else f"@{size}")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if isinstance(self.input_size, tuple):
            data["input_size"] = list(self.input_size)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelSpec":
        known = {k: data[k] for k in ("arch", "groups", "scale", "shuffle", "input_size", "num_classes") if k in data}
        return cls.create(**known)


def validate(spec: ModelSpec) -> None:
    """Raise ValueError naming the first constraint ``spec`` breaks."""
    if spec.arch not in ARCHS:
        raise ValueError(f"unknown arch {spec.arch!r}; choose one of {', '.join(ARCHS)}")
    if not isinstance(spec.shuffle, bool):
        raise ValueError(f"shuffle must be True or False, got {spec.shuffle!r}")
    if not _is_int(spec.num_classes) or spec.num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {spec.num_classes!r}")
    if spec.arch == "v1":
        if spec.groups not in V1_GROUPS or not _is_int(spec.groups):
            raise ValueError(f"V1 groups must be one of {V1_GROUPS}, got {spec.groups!r}")
        if spec.scale not in V1_SCALES:
            raise ValueError(f"V1 scale must be one of {', '.join(f'{s:g}' for s in V1_SCALES)}, got {spec.scale!r}")
    elif spec.arch == "v2":
        if spec.groups != V2_GROUPS:
            raise ValueError(f"ShuffleNet V2 always shuffles 2 branches; groups={spec.groups!r} applies to V1 only")
        if spec.scale not in V2_SCALES:
            raise ValueError(f"V2 scale must be one of {', '.join(f'{s:g}' for s in V2_SCALES)}, got {spec.scale!r}")
    elif spec.arch == "compact":
        if spec.groups is not None:
            raise ValueError("the compact net has fixed shuffle groups (8, 8, 16, 16); groups must be None")
        if spec.scale != 1.0:
            raise ValueError(f"the compact net has one width (scale 1); got scale {spec.scale!r}")
    else:
        title, scales = ARCH_TITLES[spec.arch], FAMILY_SCALES[spec.arch]
        if spec.groups is not None:
            raise ValueError(f"{title} has no group count (groups apply to ShuffleNet V1 only)")
        if not spec.shuffle:
            raise ValueError(f"{title} has no channel shuffle to turn off")
        if spec.scale not in scales:
            choices = ", ".join(f"{s:g}" for s in scales)
            raise ValueError(f"{title} scale must be {choices}, got {spec.scale!r}" if len(scales) > 1 else
                             f"{title} has one width (scale 1); got scale {spec.scale!r}")
    _validate_input_size(spec)


def _validate_input_size(spec: ModelSpec) -> None:
    size = spec.input_size
    if spec.arch == "compact":
        if not (isinstance(size, tuple) and len(size) == 2 and all(_is_int(v) for v in size)):
            raise ValueError(f"the compact net takes input size (series, modal), e.g. 128x9; got {size!r}")
        series, modal = size
        if not COMPACT_MIN_SERIES <= series <= MAX_INPUT_SIZE:
            raise ValueError(f"compact series length must be {COMPACT_MIN_SERIES}..{MAX_INPUT_SIZE}, got {series}")
        if not 1 <= modal <= COMPACT_MAX_MODAL:
            raise ValueError(f"compact modal count must be 1..{COMPACT_MAX_MODAL}, got {modal}")
        return
    if not _is_int(size):
        raise ValueError(f"input size must be an integer number of pixels, got {size!r}")
    if size < MIN_IMAGE_SIZE:
        raise ValueError(f"input size must be >= {MIN_IMAGE_SIZE} (the network downsamples 32x), got {size}")
    if size > MAX_INPUT_SIZE:
        raise ValueError(f"input size must be <= {MAX_INPUT_SIZE}, got {size}")
