"""TorchScript tracing (pnnx's input for ncnn, and the ONNX exporter's first step), one at a time
and without a leak.

`torch.jit.trace` registers the classes of every module it traces in TorchScript's process-wide
registries and never lets them go: measured here (torch 2.14, 13 V1/V2 variants traced three
times over), +85 MB per round of 13 traces, flat once the registries are cleared after each one.
Nothing in the app keeps a TorchScript class, so they are cleared after every trace, under one
lock so that no other trace (an export on another thread) is halfway through when they go.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_LOCK = threading.Lock()


@contextmanager
def tracing() -> Iterator[None]:
    """Around a `torch.jit.trace` or a TorchScript-based `torch.onnx.export`: one at a time, the
    tracer's warnings about shape arithmetic (the shuffle's) silenced, the registries cleared after."""
    with _LOCK, warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        try:
            yield
        finally:
            _forget_traced_classes()


def _forget_traced_classes() -> None:
    import torch.jit._recursive as recursive

    torch._C._jit_clear_class_registry()
    recursive.concrete_type_store = recursive.ConcreteTypeStore()
    torch.jit._state._clear_class_state()
