"""ncnn backends: fp32, and fp16/bf16 storage where the CPU has it (the runtime the field uses on ARM boards).

The model is traced with every feature tap and the pooled embedding as extra outputs (as the ONNX
export is), converted by pnnx (PyTorch -> ncnn, a standalone converter from PyPI) and cached by a
hash of spec, weights and torch version, with a checksum checked on every read (a damaged file is
moved aside and converted again).  At run time an extractor computes only the outputs asked for.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import torch
from torch import nn

from explorer.models.fingerprint import state_fingerprint
from explorer.models.spec import ModelSpec
from explorer.models.taps import tap_points
from explorer.paths import cache_root, mark_used, note_healed, trim_folder, write_atomically
from explorer.progress import Progress
from explorer.runtime.base import BackendUnavailable, Deployment
from explorer.runtime.graph_outputs import GraphOutputs
from explorer.runtime.registry import Backend, BuildRequest, register
from explorer.runtime.tracing import tracing

FIX = "pip install ncnn pnnx"


def cache_dir() -> Path:
    return cache_root() / "ncnn"


@functools.cache
def _status() -> tuple[bool, str | None, str]:
    try:
        ncnn = importlib.import_module("ncnn")
    except Exception as exc:  # any import failure means "unusable", never a crash
        return False, None, f"ncnn ({type(exc).__name__}: {exc}); install: {FIX}"
    if pnnx_executable() is None:
        return False, ncnn.__version__, f"the pnnx converter (not found beside Python or on PATH); install: {FIX}"
    return True, ncnn.__version__, ""


def pnnx_executable() -> str | None:
    beside = Path(sys.executable).with_name("pnnx")  # a venv's console script, found without activating it
    return str(beside) if beside.is_file() else shutil.which("pnnx")


def _convert(model: nn.Module, spec: ModelSpec, progress: Progress | None, tapped: bool) -> tuple[bytes, bytes]:
    """(param, bin) of ``model`` with the logits and the embedding as outputs (and every tap when
    ``tapped``), converted by pnnx."""
    if progress:
        progress(0.1, "converting to ncnn (pnnx)")
    wrapper = GraphOutputs(model.eval(), [p.name for p in tap_points(model)] if tapped else []).eval()
    with tempfile.TemporaryDirectory(prefix="explorer-pnnx-") as folder:
        traced = Path(folder) / "model.pt"
        with tracing():
            torch.jit.trace(wrapper, torch.zeros(1, *spec.input_shape), check_trace=False).save(str(traced))
        shape = ",".join(str(v) for v in (1, *spec.input_shape))
        done = subprocess.run(
            [pnnx_executable() or "pnnx", str(traced), f"inputshape=[{shape}]", "fp16=0"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
        )
        param, weights = Path(folder) / "model.ncnn.param", Path(folder) / "model.ncnn.bin"
        if done.returncode != 0 or not param.is_file() or not weights.is_file():
            last = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"pnnx could not convert {spec.label}: {last[:200]}")
        return param.read_bytes(), weights.read_bytes()


def export_ncnn(
    model: nn.Module, spec: ModelSpec, progress: Progress | None = None, tapped: bool = True
) -> tuple[Path, Path]:
    """The cached (param, bin) files for ``model``: converted once per spec, weights, torch version and
    kind (untapped, pnnx fuses across the tap points: measured 2.8 vs 3.2 ms for V2 1x here)."""
    kind = "taps+embedding" if tapped else "embedding"
    key = hashlib.sha1(f"{spec!r}|{state_fingerprint(model)}|{torch.__version__}|ncnn|{kind}".encode()).hexdigest()[:20]
    param, weights = cache_dir() / f"{key}.param", cache_dir() / f"{key}.bin"
    if _cached_files_good(param, weights):
        mark_used(param)
    else:
        param_bytes, bin_bytes = _convert(model, spec, progress, tapped)
        try:
            param.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(weights, bin_bytes)
            write_atomically(param, param_bytes)
            write_atomically(param.with_suffix(".sha256"), _digest(param_bytes, bin_bytes))
            trim_folder(param.parent)  # bounded: the least recently used conversions go first
        except OSError as exc:  # an unwritable cache: convert into a private folder for this run
            note_healed(
                f"could not keep ncnn models in {param.parent} ({exc.strerror or exc}): converted again each start"
            )
            folder = Path(tempfile.mkdtemp(prefix="explorer-ncnn-"))
            param, weights = folder / "model.param", folder / "model.bin"
            param.write_bytes(param_bytes)
            weights.write_bytes(bin_bytes)
    return param, weights


def _digest(param: bytes, weights: bytes) -> str:
    return hashlib.sha256(param + b"\0" + weights).hexdigest()


def _cached_files_good(param: Path, weights: Path) -> bool:
    """True for a complete, unchanged pair; a damaged one is moved aside and said (then converted again)."""
    if not param.is_file() and not weights.is_file():
        return False
    checksum = param.with_suffix(".sha256")
    try:
        if checksum.read_text().strip() == _digest(param.read_bytes(), weights.read_bytes()):
            return True
        why = "damaged: its checksum does not match"
    except OSError as exc:
        why = f"incomplete or unreadable ({exc.strerror or exc})"
    for path in (param, weights, checksum):
        try:
            os.replace(path, path.with_name(path.name + ".bad"))
        except OSError:
            pass
    note_healed(f"the cached ncnn model {param} was ignored ({why}; moved aside) and converted again")
    return False


class NcnnRunner:
    """A lean net (logits and embedding, fully fused) for frames no view taps, and a tapped one whose
    extractor computes only the taps a view asks for.  Like OnnxRunner, the tapped net can come
    later: until ``build_taps`` converts it, frames asking for taps get none and ``taps_pending``
    turns True, so the engine converts it in the background while the video goes on."""

    def __init__(self, model: nn.Module, threads: int, storage: str = "fp32", lean=None, tapped=None) -> None:
        if lean is None and tapped is None:
            raise ValueError("NcnnRunner needs a lean or a tapped model")
        self.threads, self.storage = max(1, threads), storage
        # pnnx names the traced outputs out0, out1, ... in GraphOutputs' order: logits, embedding, taps
        self.outputs = {"logits": "out0", "embedding": "out1"}
        self.outputs.update({f"tap:{p.name}": f"out{i + 2}" for i, p in enumerate(tap_points(model))})
        self.lean = self._net(*lean) if lean is not None else None
        self.tapped = self._net(*tapped) if tapped is not None else None
        self.taps_wanted = False
        self._lock = threading.Lock()  # one extractor at a time: the checker and the worker may share a net

    def _net(self, param: Path, weights: Path):
        import ncnn

        net = ncnn.Net()
        options = net.opt
        options.num_threads = self.threads
        options.use_vulkan_compute = False
        half, brain = self.storage == "fp16", self.storage == "bf16"
        options.use_fp16_packed = options.use_fp16_storage = options.use_fp16_arithmetic = half
        options.use_bf16_storage = options.use_bf16_packed = brain
        if net.load_param(str(param)) != 0 or net.load_model(str(weights)) != 0:
            raise RuntimeError(f"ncnn could not load {param.name}")
        return net

    @property
    def net(self):
        return self.lean or self.tapped

    @property
    def taps_pending(self) -> bool:
        return self.taps_wanted and self.tapped is None

    def build_taps(self, model: nn.Module, spec: ModelSpec) -> None:
        self.tapped = self._net(*export_ncnn(model, spec, tapped=True))

    def __call__(self, x: torch.Tensor, taps: tuple[str, ...] = (), embedding: bool = False):
        import ncnn

        if taps and self.tapped is None:
            self.taps_wanted = True
        net = self.tapped if taps and self.tapped is not None else self.net
        taps = taps if net is self.tapped else ()
        wanted = (
            ["logits"] + (["embedding"] if embedding else []) + [f"tap:{t}" for t in taps if f"tap:{t}" in self.outputs]
        )
        data = np.ascontiguousarray(x.numpy()[0], dtype=np.float32)
        values = {}
        with self._lock:
            extractor = net.create_extractor()
            extractor.input("in0", ncnn.Mat(data))
            for name in wanted:
                status, mat = extractor.extract(self.outputs[name])
                if status != 0:
                    raise RuntimeError(f"ncnn could not compute {name}")
                values[name] = np.array(mat)
        logits = torch.from_numpy(values.pop("logits").reshape(1, -1).copy())
        features = {}
        for name, value in values.items():
            features["embedding" if name == "embedding" else name[4:]] = (
                value.reshape(-1) if name == "embedding" else value
            )
        return logits, features


def _build(storage: str):
    def build(request: BuildRequest) -> NcnnRunner:
        model, spec, progress = request.model, request.spec, request.progress
        lean = export_ncnn(model, spec, progress, tapped=False)
        tapped = None if request.defer_taps else export_ncnn(model, spec, progress, tapped=True)
        runner = NcnnRunner(model, request.threads, storage, lean, tapped)
        if storage != "fp32":
            _refuse_broken(runner, model, spec, storage)
        return runner

    return build


def _refuse_broken(runner: NcnnRunner, model: nn.Module, spec: ModelSpec, storage: str) -> None:
    """Reduced storage can break a layer outright: ncnn 1.0.20261020's bf16 path on x86 returns NaN,
    or finite values near 1e32, for grouped (non-depthwise) convolutions, every ShuffleNet V1 among
    them (found by the conformance tests; which of the two varies from run to run).  One check frame
    against fp32 eager says so before a user sees such predictions."""
    from explorer.models.registry import random_input

    x = random_input(1, *spec.input_shape, seed=0)
    logits, _ = runner(x)
    with torch.no_grad():
        expected = model(x)
    spread = float(expected.max() - expected.min())
    if not torch.isfinite(logits).all() or float((logits - expected).abs().max()) > 0.25 * spread:
        raise BackendUnavailable(
            f"ncnn {storage} storage gives non-finite or far-off outputs for {spec.label} on this CPU (a known ncnn "
            "limit with grouped convolutions); use ncnn fp32 or ONNX Runtime"
        )


def _deploy(model: nn.Module, spec: ModelSpec, stem: Path, tapped: bool) -> Deployment:
    """STEM.param and STEM.bin for a board (ncnn alone runs them), and an fp32 runner on those very files."""
    param_bytes, bin_bytes = _convert(model, spec, None, tapped)
    param, weights = stem.with_suffix(".param"), stem.with_suffix(".bin")
    write_atomically(weights, bin_bytes)
    write_atomically(param, param_bytes)
    files = (param, weights)
    runner = NcnnRunner(model, 1, lean=None if tapped else files, tapped=files if tapped else None)
    return Deployment(files, runner, "in0", runner.outputs["logits"])


FP32 = register(
    Backend(
        "ncnn",
        "ncnn fp32 (pnnx-converted)",
        "ncnn",
        _build("fp32"),
        order=35,
        probe=_status,
        auto_candidate=True,
        runtime="ncnn",
        deploy_format="ncnn",
        deploy=_deploy,
    )
)

# Reduced precision where this CPU has it: fp16 storage and arithmetic on ARM cores (the boards),
# bf16 storage on x86 (measured here, AVX-512 BF16: V2 1x 2.2 vs 2.9 ms fp32, max |Δlogit| 3e-3,
# top-1 the same).  Timed against fp32 ncnn and judged by top-1 agreement like int8; auto never moves to it.
_HALF = "fp16" if platform.machine().lower() in ("aarch64", "arm64", "armv8l") else "bf16"
register(
    Backend(
        "ncnn_half",
        f"ncnn {_HALF} storage (reduced precision)",
        f"ncnn {_HALF}",
        _build(_HALF),
        order=38,
        probe=_status,
        tolerance=float("inf"),
        reduced_precision=True,
        fp32_twin=FP32.name,
        runtime="ncnn",
    )
)
