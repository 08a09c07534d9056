"""The backend registry: one entry per backend, asked for its capabilities, never compared by name.

Each backend module registers its entries at import (torchvision's ``register_model`` and timm's
``_registry`` work the same way).  Modules named ``*_backend`` or ``*_backends`` in this package are
imported on the first query, so a new backend is one new file here and nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from explorer.entries import Registry
from explorer.models.spec import ModelSpec
from explorer.progress import Progress
from explorer.runtime.base import Agreement, BackendInfo, BackendUnavailable, Deployment, Runner

AUTO = "auto"  # not a backend: start on the auto_start one, then measure the candidates and keep the fastest


@dataclass(frozen=True)
class BuildRequest:
    """What a backend's factory gets: the fp32 model and how the user wants it run."""

    model: nn.Module
    spec: ModelSpec
    threads: int
    progress: Progress | None = None
    calibration: list[np.ndarray] | None = None  # preprocessed frames (reduced precision calibrates on them)
    engine: str | None = None  # a reduced-precision preset (int8: "x86" or "qnnpack")
    defer_taps: bool = False  # build the taps only when a view first asks (Runner.taps_pending)


def _always() -> tuple[bool, str | None, str]:
    return True, torch.__version__, ""


@dataclass(frozen=True)
class Backend:
    """A backend's identity and capabilities: everything the engine, fit and the views ask."""

    name: str
    title: str  # the backend list's entry
    short_title: str  # inside sentences: "ONNX Runtime, 1 thread"
    build: Callable[[BuildRequest], Runner]
    order: int = 50  # position in lists
    probe: Callable[[], tuple[bool, str | None, str]] = _always  # (usable, version, why not with the fix)
    tolerance: float = 1e-3  # max |logit - eager logit| the tests allow (reduced precision: top-1 judges)
    reference: bool = False  # fp32 eager itself: agreement is 1 by definition
    runs_torch_module: bool = False  # runs the torch module: a thread change needs no rebuild
    auto_start: bool = False  # `auto` starts here at once (no export, no session to build)
    auto_candidate: bool = False  # `auto` may move here once it agrees and is measured faster
    reduced_precision: bool = False  # judged by top-1 agreement, never picked silently (auto leaves it alone)
    needs_calibration: bool = False  # built from live frames (int8's value ranges)
    fp32_twin: str | None = None  # the full-precision backend it is timed against ("slower than ...")
    agreement_frames: int = 8  # live frames its agreement check runs on
    runtime: str = "torch"  # the package that runs it (versions, doctor)
    # `explorer export --format NAME`: writes the model's files for a board from a path stem, with or without taps
    deploy_format: str | None = None
    deploy: Callable[[nn.Module, ModelSpec, Path, bool], Deployment] | None = None

    def status(self) -> BackendInfo:
        usable, version, why = self.probe()
        reason = self.title if usable else f"needs {why}"
        return BackendInfo(self.name, self.title, usable, reason, self.tolerance, version)

    @property
    def available(self) -> bool:
        return self.probe()[0]


class _Backends(Registry[Backend]):
    def register(self, entry: Backend) -> Backend:
        if entry.name == AUTO:
            raise ValueError(f"backend name {AUTO!r} is taken (it asks for the fastest one)")
        return super().register(entry)

    def unknown(self, name: str) -> Exception:
        return BackendUnavailable(f"unknown backend {name!r}; choose one of {', '.join(self.names())}")


_REGISTRY = _Backends("backend", __package__, lambda module: module.endswith(("_backend", "_backends")))
register = _REGISTRY.register
unregister = _REGISTRY.unregister
all_backends = _REGISTRY.entries
names = _REGISTRY.names
get = _REGISTRY.get
load_failures = _REGISTRY.failure_lines  # backend modules that did not import (doctor and About say them)


def choices() -> tuple[str, ...]:
    """What a user may ask for: auto, then every backend."""
    return (AUTO, *names())


def reference() -> Backend:
    return next(b for b in all_backends() if b.reference)


def auto_start() -> Backend:
    return next(b for b in all_backends() if b.auto_start)


def deploy_formats() -> dict[str, Backend]:
    """The file formats backends can write for a board, each with the backend that writes it."""
    return {b.deploy_format: b for b in all_backends() if b.deploy_format and b.deploy is not None}


def available_backends() -> list[BackendInfo]:
    return [b.status() for b in all_backends()]


def usable(**capabilities) -> list[Backend]:
    """Available backends whose capability fields equal ``capabilities`` (e.g. reduced_precision=False)."""
    return [b for b in all_backends() if b.available and all(getattr(b, k) == v for k, v in capabilities.items())]


def versions() -> dict[str, str | None]:
    """Each backend runtime and its version (None: not installed)."""
    return {b.runtime: b.status().version for b in all_backends()}


def title(name: str) -> str:
    return get(name).title if name in names() else name


def timed_on(backend: str, threads: int) -> str:
    """What made a latency, for every place that shows one: "ONNX Runtime, 1 thread"."""
    short = get(backend).short_title if backend in names() else backend
    return f"{short}, {threads} thread{'s' if threads != 1 else ''}"


def make_runner(
    name: str,
    model: nn.Module,
    spec: ModelSpec,
    progress: Progress | None = None,
    calibration: Iterable[np.ndarray] | None = None,
    threads: int | None = None,
    engine: str | None = None,
    defer_taps: bool = False,
) -> Runner:
    """A runner for backend ``name`` (BackendUnavailable with the fix when it cannot run here)."""
    backend = get(name)
    info = backend.status()
    if not info.available:
        raise BackendUnavailable(f"backend {name} unavailable: {info.reason}")
    samples = list(calibration or ())
    if backend.needs_calibration and not samples:
        raise ValueError(f"the {name} backend needs calibration inputs (preprocessed frames)")
    request = BuildRequest(
        model, spec, threads or torch.get_num_threads(), progress, samples or None, engine, defer_taps
    )
    return backend.build(request)


def agreement(reference_model: nn.Module, runner: Runner, inputs: Iterable[np.ndarray]) -> Agreement:
    """Top-1 agreement and max abs logit difference of ``runner`` vs fp32 eager on the same inputs."""
    same, total, worst = 0, 0, 0.0
    with torch.inference_mode():
        for array in inputs:
            x = torch.from_numpy(np.ascontiguousarray(array))
            expected = reference_model(x)
            got, _ = runner(x)
            same += int(expected.argmax(1).item() == got.argmax(1).item())
            difference = float((expected - got).abs().max())
            # NaN (a backend that broke the numbers) must not read as "0.0": max() would drop it
            worst = max(worst, difference) if math.isfinite(difference) else math.inf
            total += 1
    return Agreement(same / max(1, total), worst, total)
