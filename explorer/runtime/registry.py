"""Which backends exist, which work here, and how to make a runner for one."""
from __future__ import annotations

from torch import nn

from explorer.models.spec import ModelSpec
from explorer.runtime.base import BackendInfo, BackendUnavailable, Progress
from explorer.runtime.torch_backends import ChannelsLastRunner, EagerRunner

DEFAULT_BACKEND = "channels_last"
BACKENDS = ("eager", "channels_last")
TITLES = {"eager": "torch eager fp32 (reference)", "channels_last": "torch channels_last"}
TOLERANCES = {"eager": 0.0, "channels_last": 1e-3}


def available_backends() -> list[BackendInfo]:
    return [BackendInfo(name, TITLES[name], True, TITLES[name], TOLERANCES[name]) for name in BACKENDS]


def make_runner(name: str, model: nn.Module, spec: ModelSpec, progress: Progress | None = None, calibration=None):
    if name == "eager":
        return EagerRunner(model)
    if name == "channels_last":
        return ChannelsLastRunner(model)
    raise BackendUnavailable(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
