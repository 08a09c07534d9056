"""Where a model's weights come from: one typed value, parsed once where text enters the app (the
command line, the settings file, a file dialog) and asked everywhere else.

Text forms, as the command line and the settings file write them: ``random`` (untrained; ``none``
and an empty value read the same), ``torchvision``, ``megvii:PATH``, or a checkpoint ``PATH``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RANDOM, TORCHVISION, MEGVII, FILE = "random", "torchvision", "megvii", "file"
_UNTRAINED_WORDS = ("", "none", RANDOM)
_MEGVII_PREFIX = MEGVII + ":"


def asks_for_file(kind: str) -> bool:
    """Whether picking this kind of weights asks the user for a file."""
    return kind in (MEGVII, FILE)


@dataclass(frozen=True)
class WeightsSource:
    kind: str = RANDOM  # RANDOM, TORCHVISION, MEGVII or FILE
    path: str = ""  # the checkpoint file, for MEGVII and FILE

    def __post_init__(self) -> None:
        if self.kind not in (RANDOM, TORCHVISION, MEGVII, FILE):
            raise ValueError(f"unknown weights kind {self.kind!r}")
        if asks_for_file(self.kind) != bool(self.path):
            raise ValueError(f"{self.kind} weights {'need' if asks_for_file(self.kind) else 'take no'} file path")

    @classmethod
    def parse(cls, value: WeightsSource | str | None) -> WeightsSource:
        """The source a text form names (a WeightsSource is returned as it is)."""
        if isinstance(value, WeightsSource):
            return value
        text = (value or "").strip()
        if text.lower() in _UNTRAINED_WORDS:
            return UNTRAINED
        if text == TORCHVISION:
            return cls(TORCHVISION)
        if text.startswith(_MEGVII_PREFIX):
            path = text[len(_MEGVII_PREFIX) :].strip()
            if not path:
                raise ValueError("'megvii:' needs the checkpoint's path after the colon, e.g. megvii:ShuffleNetV1.pth")
            return cls(MEGVII, path)
        return cls(FILE, text)

    def __str__(self) -> str:
        """The text form: what the settings file and the command line hold."""
        return {RANDOM: RANDOM, TORCHVISION: TORCHVISION, MEGVII: _MEGVII_PREFIX + self.path}.get(self.kind, self.path)

    def __bool__(self) -> bool:
        """True when these are trained weights (anything but random init)."""
        return self.kind != RANDOM

    @property
    def file(self) -> Path | None:
        return Path(self.path).expanduser() if self.path else None


UNTRAINED = WeightsSource(RANDOM)


# What the Weights box lists for each kind (the entry says which kinds apply to it)
KIND_TITLES = {
    RANDOM: "random init (untrained)",
    TORCHVISION: "torchvision ImageNet (downloads once)",
    FILE: "checkpoint file…",
    MEGVII: "megvii checkpoint…",
}


def offered_kinds(spec) -> tuple[str, ...]:
    """The kinds of weights ``spec``'s architecture entry can load: torchvision only where it
    publishes a checkpoint for the variant, megvii's only where the entry reads megvii's layout."""
    entry = spec.architecture
    kinds = [RANDOM]
    if spec.scale in entry.torchvision_checkpoints:
        kinds.append(TORCHVISION)
    kinds.append(FILE)
    if entry.foreign is not None and entry.foreign.name == MEGVII:
        kinds.append(MEGVII)
    return tuple(kinds)
