"""Inference backends: one registered entry each (see explorer.runtime.registry).

The registry is imported on first use, not with the package: the board path imports
``explorer.runtime``'s torch-free neighbours and must not pay for torch."""

import importlib

_REGISTRY_NAMES = ("AUTO", "available_backends", "make_runner", "names")

__all__ = list(_REGISTRY_NAMES)


def __getattr__(name: str):
    if name in _REGISTRY_NAMES:
        return getattr(importlib.import_module("explorer.runtime.registry"), name)
    raise AttributeError(f"module 'explorer.runtime' has no attribute {name!r}")
