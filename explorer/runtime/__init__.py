"""Inference backends: one registered entry each (see explorer.runtime.registry)."""

from explorer.runtime.registry import AUTO, available_backends, make_runner, names

__all__ = ["AUTO", "available_backends", "make_runner", "names"]
