"""What the user can ask the engine to run: a small frozen value (spec, weights, backend, threads)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from explorer.models.spec import ModelSpec
from explorer.runtime.registry import AUTO
from explorer.weights.source import UNTRAINED, WeightsSource


@dataclass(frozen=True)
class RunConfig:
    spec: ModelSpec
    weights: WeightsSource = UNTRAINED  # text ("torchvision", a path, None...) is parsed once, here
    backend: str = AUTO
    threads: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", WeightsSource.parse(self.weights))

    def with_changes(self, **changes) -> RunConfig:
        return replace(self, **changes)

    def describe(self) -> str:
        parts = [self.spec.label]
        if self.weights:
            parts.append(f"with {self.weights}")  # its text form
        if self.backend != AUTO:
            parts.append(f"on {self.backend}")
        return " ".join(parts)
