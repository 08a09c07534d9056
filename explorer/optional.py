"""Optional dependencies, probed once, each with a plain statement of what is disabled.

torchvision is the usual casualty: a CPU-only torch beside a torchvision wheel built for the
CUDA torch fails at import with "operator torchvision::nms does not exist".  The app must start
anyway and say what that costs and how to fix it.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass

TORCHVISION_FIX = (
    "install a matching torch/torchvision pair, e.g. "
    "`pip --isolated install torch==2.13.0 torchvision==0.28.0` "
    "(a CPU-only torch needs the torchvision built for it)"
)
TORCHVISION_DISABLES = "torchvision reference models and torchvision's weight downloads"


@dataclass(frozen=True)
class Availability:
    name: str
    available: bool
    version: str | None
    error: str | None  # one line: why it is unusable
    disables: str  # what the app cannot do without it
    fix: str  # what to run

    @property
    def message(self) -> str:
        if self.available:
            return f"{self.name} {self.version}: available"
        return f"{self.name} unavailable ({self.error}); disabled: {self.disables}; to fix: {self.fix}"


def _probe(name: str, disables: str, fix: str) -> Availability:
    try:
        module = importlib.import_module(name)
        if name == "torchvision":
            # the CUDA/CPU mismatch can surface only once an op is registered or called
            module.models.shufflenet_v2_x0_5  # noqa: B018
    except Exception as exc:  # any import-time failure means "unusable", never a crash
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return Availability(name, False, None, f"{type(exc).__name__}: {first_line}", disables, fix)
    return Availability(name, True, getattr(module, "__version__", "?"), None, disables, fix)


@functools.cache
def torchvision_status() -> Availability:
    return _probe("torchvision", TORCHVISION_DISABLES, TORCHVISION_FIX)


@functools.cache
def onnxruntime_status() -> Availability:
    return _probe("onnxruntime", "the ONNX Runtime backend", "pip install onnxruntime onnx")


def all_statuses() -> list[Availability]:
    return [torchvision_status(), onnxruntime_status()]
