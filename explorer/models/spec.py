"""The model configuration: a small frozen value from which everything else is derived.

Invalid combinations fail here, early, with a ValueError that says which constraint broke;
the CLI and the GUI show that text as it is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from explorer.models.architecture import Architecture, architecture

MIN_IMAGE_SIZE = 32  # five stride-2 steps still leave a 1x1 map for global pooling
COMPACT_MIN_SERIES = 16  # four stride-(2, 1) blocks
COMPACT_MAX_MODAL = 256
DEFAULT_IMAGE_SIZE = 224
MAX_INPUT_SIZE = 4096
DEFAULT_ARCH = "v2"  # what the app opens on


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

    arch: str = DEFAULT_ARCH
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
        arch: str = DEFAULT_ARCH,
        groups: int | None = None,
        scale: float = 1.0,
        shuffle: bool = True,
        input_size: int | tuple[int, int] | None = None,
        num_classes: int | None = None,
    ) -> ModelSpec:
        """A spec with the arch's defaults for anything left as None."""
        entry = architecture(arch)
        if groups is None:
            groups = entry.default_groups
        elif not entry.group_choices and groups != entry.default_groups:
            raise ValueError(entry.groups_note or f"{entry.title} has no group count to choose")
        if input_size is None:
            input_size = entry.default_input
        if isinstance(input_size, list):
            input_size = tuple(input_size)
        if num_classes is None:
            num_classes = entry.default_classes
        return cls(entry.name, groups, float(scale), bool(shuffle), input_size, num_classes)

    def with_changes(self, **changes: Any) -> ModelSpec:
        return replace(self, **changes)

    @property
    def architecture(self) -> Architecture:
        return architecture(self.arch)

    @property
    def input_kind(self) -> str:
        """ "signal" (sensor windows, the compact net) or "image": which sources fit."""
        return self.architecture.input_kind

    @property
    def image_size(self) -> int:
        """The square image side (image models only)."""
        if not isinstance(self.input_size, int):
            raise ValueError(f"{self.label} reads sensor windows, not images")
        return self.input_size

    @property
    def signal_size(self) -> tuple[int, int]:
        """(series, modal) of a sensor window (signal models only)."""
        if not isinstance(self.input_size, tuple):
            raise ValueError(f"{self.label} reads images, not sensor windows")
        return self.input_size

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one input sample."""
        if isinstance(self.input_size, tuple):
            return (1, *self.input_size)
        return (3, self.input_size, self.input_size)

    @property
    def label(self) -> str:
        entry = self.architecture
        parts = [entry.title]
        if len(entry.scales) > 1:
            parts.append(f"{self.scale:g}x")
        if entry.group_choices:
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
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        known = {k: data[k] for k in ("arch", "groups", "scale", "shuffle", "input_size", "num_classes") if k in data}
        return cls.create(**known)


def validate(spec: ModelSpec) -> None:
    """Raise ValueError naming the first constraint ``spec`` breaks."""
    entry = architecture(spec.arch)
    title = entry.title
    if not isinstance(spec.shuffle, bool):
        raise ValueError(f"shuffle must be True or False, got {spec.shuffle!r}")
    if not _is_int(spec.num_classes) or spec.num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {spec.num_classes!r}")
    if entry.group_choices:
        if spec.groups not in entry.group_choices or not _is_int(spec.groups):
            raise ValueError(f"{title} groups must be one of {entry.group_choices}, got {spec.groups!r}")
    elif spec.groups != entry.default_groups:
        raise ValueError(
            entry.groups_note or f"{title} has no group count to choose; groups must be {entry.default_groups}"
        )
    if not entry.has_shuffle and not spec.shuffle:
        raise ValueError(f"{title} has no channel shuffle to turn off")
    if spec.scale not in entry.scales:
        choices = ", ".join(f"{s:g}" for s in entry.scales)
        raise ValueError(
            f"{title} scale must be one of {choices}, got {spec.scale!r}"
            if len(entry.scales) > 1
            else f"{title} has one width (scale 1); got scale {spec.scale!r}"
        )
    _validate_input_size(spec, entry)


def _validate_input_size(spec: ModelSpec, entry: Architecture) -> None:
    size = spec.input_size
    if entry.input_kind == "signal":
        if not (isinstance(size, tuple) and len(size) == 2 and all(_is_int(v) for v in size)):
            raise ValueError(f"{entry.title} takes input size (series, modal), e.g. 128x9; got {size!r}")
        series, modal = size
        if not COMPACT_MIN_SERIES <= series <= MAX_INPUT_SIZE:
            raise ValueError(f"the series length must be {COMPACT_MIN_SERIES}..{MAX_INPUT_SIZE}, got {series}")
        if not 1 <= modal <= COMPACT_MAX_MODAL:
            raise ValueError(f"the modal count must be 1..{COMPACT_MAX_MODAL}, got {modal}")
        return
    if not _is_int(size):
        raise ValueError(f"input size must be an integer number of pixels, got {size!r}")
    if size < MIN_IMAGE_SIZE:
        raise ValueError(f"input size must be >= {MIN_IMAGE_SIZE} (the network downsamples 32x), got {size}")
    if size > MAX_INPUT_SIZE:
        raise ValueError(f"input size must be <= {MAX_INPUT_SIZE}, got {size}")
