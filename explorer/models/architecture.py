"""The architecture registry: one entry per network, asked for its capabilities, never compared by name.

An entry holds everything the rest of the app asks about a network: its spec rules (scales, group
choices, input kind), its builder, its published figures, where trained weights come from, how the
Diagram tab draws it and a one-line hint.  The modules of this package register their entries at
import and are imported on the first query, so a new architecture is one new module here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from explorer.entries import Registry
from explorer.models.recipe import Recipe

if TYPE_CHECKING:  # spec.py asks this registry for its rules: no import cycle at run time
    from torch import nn

    from explorer.models.spec import ModelSpec


# The build layouts: ours (= the papers' and torchvision's wiring) and megvii's official code's, which
# its checkpoints need.  One name each, used by every builder, loader and cache key.
DEFAULT_LAYOUT = "default"
MEGVII_LAYOUT = "megvii"
LAYOUTS = (DEFAULT_LAYOUT, MEGVII_LAYOUT)


@dataclass(frozen=True)
class Checkpoint:
    """A trained checkpoint published for download (torchvision's weight enums)."""

    url: str
    resize: int = 256
    crop: int = 224

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[1]

    @property
    def hash_prefix(self) -> str:
        """torch.hub convention: the sha256 prefix after the last '-' of the file name."""
        return self.filename.rsplit("-", 1)[1].split(".")[0]

    @property
    def recipe(self) -> Recipe:
        return Recipe(resize=self.resize, crop=self.crop)


@dataclass(frozen=True)
class Published:
    """A figure printed by a paper or a reference implementation (224x224, 1000 classes): what
    torchvision keeps in its ``Weights(meta=...)``."""

    madds_m: float | None  # multiply-adds, millions
    params: float | None  # parameter count (exact where the source is exact)
    source: str
    top1: float | None = None  # ImageNet top-1 %, as published
    top1_source: str = ""


@dataclass(frozen=True)
class ForeignLayout:
    """Checkpoints in another codebase's key layout (megvii's ShuffleNet-Series) and how to read them."""

    name: str  # the build layout their keys fit ("megvii")
    marker: str  # a state-dict key only that layout has
    convert: Callable[[dict], dict]  # their state dict -> ours (raises ValueError naming the key)
    published: frozenset = frozenset()  # (groups, scale) pairs the release has
    release: str = ""  # where the files are published
    files_note: str = ""  # which files to fetch from there, in a sentence


@dataclass(frozen=True)
class DiagramPlan:
    """How the Diagram tab draws a network by hand (entries without one get the generic drawing)."""

    stem: tuple[str, ...]  # modules of the stem conv
    unit: str  # the unit drawer: "grouped_bottleneck" (V1 Fig. 2) or "split_branches" (V2 Fig. 3)
    stages: tuple[str, ...] = ("stage2", "stage3", "stage4")
    head: tuple[str, ...] = ()
    head_tap: str | None = None  # the tap on the head's first node


@dataclass(frozen=True)
class Architecture:
    name: str
    title: str  # "ShuffleNet V1"
    build: Callable[[ModelSpec, str], nn.Module]  # (spec, layout) -> a fresh model
    scales: tuple[float, ...] = (1.0,)
    short_title: str = ""  # in tight labels ("V1"); the title when empty
    order: int = 50
    input_kind: str = "image"  # or "signal" (sensor windows)
    group_choices: tuple[int, ...] = ()  # the user picks one (V1); empty: groups are not the user's
    default_groups: int | None = None  # what a spec gets when none is given (V2: always 2)
    groups_note: str = ""  # why groups cannot be chosen here, said when someone tries
    has_shuffle: bool = True  # a channel shuffle the user can turn off
    shufflenet: bool = True  # False: one of the networks ShuffleNet is compared with
    needs_torchvision: bool = False
    default_input: int | tuple[int, int] = 224
    default_classes: int = 1000
    hint: str = ""  # one line under the controls
    checkpoint_marker: str | None = None  # a state-dict key only this network's own checkpoints have
    foreign: ForeignLayout | None = None
    torchvision_checkpoints: dict[float, Checkpoint] = field(default_factory=dict)
    diagram: DiagramPlan | None = None
    # (groups, scale) -> what was published for that variant; groups is None where the user has none
    published: dict[tuple[int | None, float], Published] = field(default_factory=dict)
    lessons_subject: bool = False  # the network the group lessons study (V1): said by the entry, not by order

    @property
    def short(self) -> str:
        return self.short_title or self.title

    def figures(self, spec: ModelSpec) -> Published | None:
        """What was published for ``spec``'s variant (at 224 and 1000 classes), if anything."""
        return self.published.get((spec.groups, spec.scale))

    def published_specs(self, top1: bool = False) -> list[ModelSpec]:
        """The variants with published figures (``top1``: only those with a published accuracy)."""
        from explorer.models.spec import ModelSpec  # spec.py imports this module

        chosen = [key for key, figures in self.published.items() if not top1 or figures.top1 is not None]
        return [
            ModelSpec.create(self.name, groups=groups, scale=scale)
            for groups, scale in sorted(chosen, key=lambda key: (key[1], key[0] or 0))
        ]

    def describe(self, spec: ModelSpec) -> str:
        """ "V1 1x g=3": the short name a sweep row or a legend uses."""
        parts = [self.short]
        if len(self.scales) > 1:
            parts.append(f"{spec.scale:g}x")
        if self.group_choices:
            parts.append(f"g={spec.groups}")
        return " ".join(parts)


def rival_hint(title: str, scales: tuple[float, ...]) -> str:
    return (
        f"{title}: one of the networks ShuffleNet is compared with (the Lessons tab's family). It has no group count "
        "and no channel shuffle" + ("; its width multiplier is the scale." if len(scales) > 1 else " and one width.")
    )


_REGISTRY: Registry[Architecture] = Registry("arch", __package__)
register_architecture = _REGISTRY.register
unregister_architecture = _REGISTRY.unregister
arch_load_failures = _REGISTRY.failure_lines  # architecture modules that did not import


def architectures(shufflenet: bool | None = None) -> list[Architecture]:
    """Every entry in display order (``shufflenet``: only the ShuffleNets, or only their rivals)."""
    return [a for a in _REGISTRY.entries() if shufflenet is None or a.shufflenet == shufflenet]


def arch_names() -> tuple[str, ...]:
    return _REGISTRY.names()


def architecture(name: str) -> Architecture:
    return _REGISTRY.get(name)


def with_group_choices() -> Architecture:
    """The network the group lessons study (ShuffleNet V1): the entry that says so, else the first
    whose group count the user picks."""
    grouped = [a for a in architectures() if a.group_choices]
    return next((a for a in grouped if a.lessons_subject), grouped[0])


def all_published() -> list[tuple[Architecture, int | None, float, Published]]:
    """Every published figure of every entry: (entry, groups, scale, figures)."""
    return [(a, g, s, p) for a in architectures() for (g, s), p in a.published.items()]


def with_input_kind(kind: str) -> Architecture:
    return next(a for a in architectures() if a.input_kind == kind)
