"""What the user can ask the engine to run: a small frozen value (spec, weights, backend, threads)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from explorer.models.spec import ModelSpec
from explorer.runtime.registry import AUTO


@dataclass(frozen=True)
class RunConfig:
    spec: ModelSpec
    weights: str | None = None  # None: untrained; "torchvision"; "megvii:PATH"; a checkpoint path
    backend: str = AUTO
    threads: int = 1

    def with_changes(self, **changes) -> RunConfig:
        return replace(self, **changes)

    def describe(self) -> str:
        parts = [self.spec.label]
        if self.weights:
            parts.append(f"with {self.weights}")
        if self.backend != AUTO:
            parts.append(f"on {self.backend}")
        return " ".join(parts)
