"""Inference backends: one small interface, so the engine can swap them between frames.

A backend turns a model (plus its spec) into a Runner: ``runner(x, taps, embedding) -> (logits,
features)`` where features maps tap names to (C, H, W) float32 numpy arrays (and "embedding" to
the pooled vector when asked).  Every backend must keep the feature taps working: the views are
the point of the app.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from torch import nn

from explorer.models.spec import ModelSpec


class Runner(Protocol):
    def __call__(
        self, x: torch.Tensor, taps: tuple[str, ...] = (), embedding: bool = False
    ) -> tuple[torch.Tensor, dict[str, np.ndarray]]: ...

    @property
    def taps_pending(self) -> bool:
        """A frame asked for taps this runner has not built yet (build_taps makes them)."""
        ...

    def build_taps(self, model: nn.Module, spec: ModelSpec) -> None:
        """Make the feature taps available (slow; the engine calls it off the frame thread)."""
        ...


class TapExport(enum.Enum):
    """A runner's deferred taps, as the engine tracks them (once per bundle)."""

    NOT_NEEDED = "not needed"
    EXPORTING = "exporting"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class Agreement:
    """A backend vs fp32 eager on the same inputs."""

    top1_agreement: float
    max_abs_diff: float
    frames: int

    def agrees(self, max_abs_diff: float) -> bool:
        return self.top1_agreement == 1.0 and self.max_abs_diff <= max_abs_diff

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        return f"agreement {self.top1_agreement * 100:.0f} % (max |Δlogit| {self.max_abs_diff:.1g}) on {self.frames} frames"


EXACT = Agreement(1.0, 0.0, 0)  # the reference against itself


@dataclass(frozen=True)
class BackendInfo:
    name: str
    title: str
    available: bool
    reason: str  # why unavailable, with the fix; or what it is
    tolerance: float  # max abs logit difference to fp32 eager that tests allow
    version: str | None = None  # the runtime's version (None: not installed)


@dataclass(frozen=True)
class Deployment:
    """Files a backend wrote for a board (``explorer export --format``) and a runner on exactly those files."""

    files: tuple[Path, ...]
    runner: Runner
    input: str  # the graph's input name
    output: str  # the logits' output name


class BackendUnavailable(RuntimeError):
    pass
