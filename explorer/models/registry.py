"""The model zoo: every valid spec, and the one way to build a model from a spec."""

from __future__ import annotations

import contextlib
import threading
import types
import zlib
from collections.abc import Iterator

import torch
from torch import nn

from explorer.models.architecture import DEFAULT_LAYOUT, LAYOUTS, architectures
from explorer.models.spec import ModelSpec


def list_specs(shuffle: bool = True, family: bool = False) -> Iterator[ModelSpec]:
    """Every ShuffleNet variant at its default input size and class count (``family``: then
    the networks it is compared with)."""
    for entry in architectures(shufflenet=True):
        for groups in entry.group_choices or (None,):
            for scale in entry.scales:
                yield ModelSpec.create(entry.name, groups=groups, scale=scale, shuffle=shuffle)
    if family:
        for entry in architectures(shufflenet=False):
            for scale in entry.scales:
                yield ModelSpec.create(entry.name, scale=scale)


def untrained_seed(spec: ModelSpec) -> int:
    """The seed of a spec's "random init" in the app: the same weights in every run, so an
    untrained model predicts the same in every run, its ONNX export is cached on disk once (not
    re-exported, and re-written to the cache, on every start), and a head taught on it still
    fits after a restart."""
    return zlib.crc32(repr(spec).encode())


# torch has one global generator for every thread: a seeded build on the builder thread while
# another thread draws from it (a copy being built for a check, a lesson) got other weights each
# time (found by the soak: the same spec exported again and again under new fingerprints).  Every
# seeded draw in the app holds this lock; copies that only receive weights draw nothing (meta).
_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def seeded_rng(seed: int) -> Iterator[None]:
    """torch's global generator seeded for the block, this thread alone, restored after."""
    with _RNG_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def random_input(*shape: int, seed: int = 0) -> torch.Tensor:
    """A normal random tensor from a generator of its own: timing inputs never touch the global one."""
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def build_model(spec: ModelSpec, layout: str = DEFAULT_LAYOUT, seed: int | None = None) -> nn.Module:
    """A fresh (randomly initialised) model for ``spec``, in eval mode; with ``seed``, the same
    weights every time (torch's global random state is left as it was).

    ``layout="megvii"`` wires V1/V2 as megvii's official code does (see ShuffleNetV1/V2), so
    their converted checkpoints give their outputs; other networks have one layout.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if seed is not None:
        with seeded_rng(seed):
            return build_model(spec, layout)
    with _RNG_LOCK:  # an unseeded build draws too: never in the middle of a seeded one
        return spec.architecture.build(spec, layout).eval()


def copy_model(model: nn.Module, spec: ModelSpec, layout: str = DEFAULT_LAYOUT) -> nn.Module:
    """A new model for ``spec`` holding a copy of ``model``'s weights, built without drawing a
    single random number (its skeleton on the meta device, then the weights assigned)."""
    with torch.device("meta"):
        skeleton = spec.architecture.build(spec, layout)
    state = model.state_dict()  # an OrderedDict with _metadata (MNASNet reads its version there)
    for name, tensor in state.items():
        state[name] = tensor.detach().clone(memory_format=torch.contiguous_format)
    skeleton.load_state_dict(state, assign=True)
    return skeleton.eval()


def uses_default_layout(model: nn.Module) -> bool:
    """Whether ``model`` computes what the spec's default build computes (so spec-cached
    tables describe it); a megvii-layout model differs in its V2 shortcut widths."""
    return getattr(model, "layout", DEFAULT_LAYOUT) == DEFAULT_LAYOUT


def _shape_only(module: nn.Module, x):
    return x


def build_shape_model(spec: ModelSpec, layout: str = DEFAULT_LAYOUT) -> nn.Module:
    """A twin of ``build_model(spec)`` on the meta device: shapes only, no memory, instant.

    Its BatchNorm layers pass shapes through: on the meta device torch runs batch norm through
    a decomposition that imports torch._dynamo, and with it triton where the CUDA build of
    torch is installed (a second of start-up and ~50 lines of "nanobind: leaked" at exit).
    BN keeps the shape, so every count and tap shape read from this twin is unchanged.
    """
    with torch.device("meta"):
        model = build_model(spec, layout)
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.forward = types.MethodType(_shape_only, module)  # this instance only
    return model
