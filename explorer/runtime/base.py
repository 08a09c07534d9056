"""Inference backends: one small interface, so the engine can swap them between frames.

A backend turns a model (plus its spec) into a Runner: ``runner(x, taps) -> (logits, features)``
where features maps tap names to (C, H, W) float32 numpy arrays.  Every backend must keep the
feature taps working: the views are the point of the app.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch


class Runner(Protocol):
    backend: str

    def __call__(self, x: torch.Tensor, taps: tuple[str, ...]) -> tuple[torch.Tensor, dict[str, np.ndarray]]: ...


@dataclass(frozen=True)
class BackendInfo:
    name: str
    title: str
    available: bool
    reason: str  # why unavailable, with the fix; or what it is
    tolerance: float  # max abs logit difference to fp32 eager that tests allow


class BackendUnavailable(RuntimeError):
    pass

