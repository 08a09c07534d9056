"""ONNX Runtime backends: fp32, and int8 static quantization calibrated on live frames.

The model is exported once per (spec, weights) with *every* feature tap and the pooled
embedding as extra graph outputs; at run time only the outputs a view needs are requested, so
ORT copies out nothing else.  Exports are cached in memory and on disk by a hash of spec and
weights, so switching back to a backend costs only a session start.

int8: torch.ao.quantization is deprecated in current PyTorch (its successor, torchao's pt2e
flow, is another large dependency built around torch.export).  ONNX Runtime's static
quantization needs nothing new, has int8 kernels for ARM (NEON dot-product) and x86
(AVX2/VNNI), and keeps the taps working.  Two presets stand in for PyTorch's engines:
"qnnpack" (ARM: int8 activations and weights, full range) and "x86" (uint8 activations,
int8 weights with reduce_range, which avoids the AVX2 saturation of non-VNNI x86 CPUs).
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from explorer.board.ort import session, untapped
from explorer.memory import release_freed_memory
from explorer.models.fingerprint import state_fingerprint
from explorer.models.spec import ModelSpec
from explorer.models.taps import tap_points
from explorer.optional import onnxruntime_status
from explorer.paths import cache_root, mark_used, note_healed, trim_folder, write_atomically
from explorer.progress import Progress
from explorer.runtime.graph_outputs import GraphOutputs
from explorer.runtime.registry import Backend, BuildRequest, register
from explorer.runtime.tracing import tracing


def cache_dir() -> Path:
    """Where exports are kept between runs (EXPLORER_CACHE moves it)."""
    return cache_root() / "onnx"


_MEMORY: OrderedDict[str, bytes] = OrderedDict()
# bounded by bytes, not entries: six big variants (V1 2x g8, MobileNet V1) held 135 MB in the
# random soak, six small ones 25 MB; the newest is always kept, however large
_MEMORY_BYTES = 48 << 20


def default_int8_engine() -> str:
    machine = platform.machine().lower()
    return "qnnpack" if machine in ("aarch64", "arm64", "armv7l", "armv8l") else "x86"


def output_names(model: nn.Module, tapped: bool = True) -> list[str]:
    """Every graph has the logits and the pooled embedding (teach mode reads it; ORT computes
    it on the way to the logits anyway); a tapped one adds every feature tap."""
    taps = [f"tap:{p.name}" for p in tap_points(model)] if tapped else []
    return ["logits", "embedding", *taps]


def export_onnx(model: nn.Module, spec: ModelSpec, progress: Progress | None = None, tapped: bool = True) -> bytes:
    """ONNX bytes with the logits and the embedding as outputs, and every tap too when ``tapped``
    (untapped, ORT is free to fuse across tap points), cached by spec, weights and kind."""
    kind = "taps+embedding" if tapped else "embedding"
    key = hashlib.sha1(f"{spec!r}|{state_fingerprint(model)}|{torch.__version__}|{kind}".encode()).hexdigest()[:20]
    if key in _MEMORY:
        _MEMORY.move_to_end(key)
        return _MEMORY[key]
    path = cache_dir() / f"{key}.onnx"
    data = _read_cached(path)
    if data is not None:
        mark_used(path)
    else:
        if progress:
            progress(0.1, "exporting to ONNX")
        taps = [p.name for p in tap_points(model)] if tapped else []
        wrapper = GraphOutputs(model.eval(), taps).eval()
        buffer = io.BytesIO()
        with tracing():
            # the TorchScript exporter: no onnxscript dependency, 1 s for these models
            torch.onnx.export(
                wrapper,
                (torch.zeros(1, *spec.input_shape),),
                buffer,
                dynamo=False,
                opset_version=17,
                input_names=["input"],
                output_names=output_names(model, tapped),
                do_constant_folding=True,
            )
        data = buffer.getvalue()
        del wrapper, buffer
        release_freed_memory()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, data)
            write_atomically(path.with_suffix(".sha256"), hashlib.sha256(data).hexdigest())  # checked on every read
            trim_folder(path.parent)  # bounded: the least recently used exports go first
        except OSError as exc:  # a read-only or full disk only costs a re-export next time: said once
            if not _UNWRITABLE_SAID.is_set():
                _UNWRITABLE_SAID.set()
                note_healed(
                    f"could not keep ONNX exports in {path.parent} ({exc.strerror or exc}): each model is exported "
                    "again at every start (set EXPLORER_CACHE to a writable folder to keep them)"
                )
    _MEMORY[key] = data
    while len(_MEMORY) > 1 and sum(map(len, _MEMORY.values())) > _MEMORY_BYTES:
        _MEMORY.popitem(last=False)
    return data


_UNWRITABLE_SAID = threading.Event()  # an unwritable cache is said once per run, not per model


def _read_cached(path: Path) -> bytes | None:
    """A cached export, or None when there is none or it cannot be trusted: unreadable, truncated,
    overwritten or from an older version without a checksum.  A bad one is moved aside and said
    (``paths.note_healed``); the caller exports it again, so damage costs time, never a feature."""
    if not path.is_file():
        return None
    checksum = path.with_suffix(".sha256")
    try:
        data = path.read_bytes()
        expected = checksum.read_text().strip() if checksum.is_file() else None
    except OSError as exc:
        why = f"unreadable: {exc.strerror}"
    else:
        if expected == hashlib.sha256(data).hexdigest():
            return data
        why = "no checksum (an older version's)" if expected is None else "damaged: its checksum does not match"
    try:
        os.replace(path, path.with_suffix(".onnx.bad"))
        checksum.unlink(missing_ok=True)
        where = f"moved to {path.name}.bad"
    except OSError:
        where = "left in place"
    note_healed(f"the cached ONNX export {path} was ignored ({why}; {where}) and exported again")
    return None


class OnnxRunner:
    """Two sessions: a lean one (logits and embedding, fully fused) for frames no view taps, and
    a tapped one whose extra outputs are requested only when a view needs them.

    With a lean session the tapped one is built on the first frame that wants a tap: most runs
    (the Live tab, teach mode) never need it, and a second session would hold another
    copy of the weights and ORT's arena (peak memory matters on a 1-2 GB board).

    ``tapped=None`` defers even the tapped *export* (the window's way: torch's exporter and the
    second model are the first start's largest costs on a board).  Until ``attach_tapped`` gives
    it, frames that ask for taps get no taps and ``taps_wanted`` turns True, so the engine can
    export them in the background while the video goes on.
    """

    def __init__(self, tapped: bytes | None, threads: int, lean: bytes | None = None) -> None:
        if tapped is None and lean is None:
            raise ValueError("OnnxRunner needs a tapped or a lean model")
        self.threads = threads
        self.lean = session(lean, threads) if lean is not None else None
        self.lean_outputs = {o.name for o in self.lean.get_outputs()} if self.lean is not None else set()
        self._tapped = tapped
        self._session = None
        self._lock = threading.Lock()
        self.outputs: set[str] = set()
        self.taps_wanted = False
        if lean is None:
            self.session  # noqa: B018 (built now: there is no lean one to run meanwhile)

    @property
    def taps_ready(self) -> bool:
        return self._tapped is not None or self._session is not None

    @property
    def taps_pending(self) -> bool:
        return self.taps_wanted and not self.taps_ready

    def build_taps(self, model: nn.Module, spec: ModelSpec) -> None:
        self.attach_tapped(export_onnx(model, spec, tapped=True))

    def attach_tapped(self, tapped: bytes) -> None:
        """The tapped model, exported later (its session is built on the next tapped frame)."""
        with self._lock:
            self._tapped = tapped

    @property
    def session(self):
        with self._lock:
            if self._session is None:
                if self._tapped is None:
                    raise RuntimeError("the tapped model has not been attached yet")
                self._session = session(self._tapped, self.threads)
                self.outputs = {o.name for o in self._session.get_outputs()}
            return self._session

    def __call__(self, x: torch.Tensor, taps: tuple[str, ...] = (), embedding: bool = False):
        feed = {"input": np.ascontiguousarray(x.numpy(), dtype=np.float32)}
        if taps and not self.taps_ready:
            self.taps_wanted = True
        lean = self.lean is not None and (not taps or not self.taps_ready)
        chosen = self.lean if lean else self.session
        available = self.lean_outputs if lean else self.outputs
        wanted = (
            ["logits"]
            + (["embedding"] if embedding and "embedding" in available else [])
            + [f"tap:{t}" for t in taps if f"tap:{t}" in available]
        )
        values = chosen.run(wanted, feed)  # only what a view needs is copied out
        logits = torch.from_numpy(values[0])
        features = {}
        for name, value in zip(wanted[1:], values[1:]):
            features["embedding" if name == "embedding" else name[4:]] = (
                value[0].reshape(-1) if name == "embedding" else value[0]
            )
        return logits, features


def quantize(data: bytes, calibration: Iterable[np.ndarray], engine: str, progress: Progress | None = None) -> bytes:
    """int8 QDQ model calibrated on ``calibration`` inputs (each 1 x C x H x W float32)."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    if engine not in ("qnnpack", "x86"):
        raise ValueError(f"int8 engine must be qnnpack or x86, got {engine!r}")
    samples = list(calibration)
    if not samples:
        raise ValueError("int8 calibration needs at least one frame")

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.index = 0

        def get_next(self):
            if self.index >= len(samples):
                return None
            if progress:
                progress(0.2 + 0.7 * self.index / len(samples), "calibrating int8 on live frames")
            sample = samples[self.index]
            self.index += 1
            return {"input": sample}

    with tempfile.TemporaryDirectory() as folder:
        source, prepared, target = (Path(folder) / n for n in ("fp32.onnx", "prep.onnx", "int8.onnx"))
        source.write_bytes(data)
        try:
            quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
        except Exception:
            prepared = source  # pre-processing only helps; quantization works without it
        quantize_static(
            str(prepared),
            str(target),
            Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QInt8 if engine == "qnnpack" else QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            reduce_range=engine == "x86",
            extra_options={"ActivationSymmetric": engine == "qnnpack"},
        )
        if progress:
            progress(0.95, "starting the int8 session")
        return target.read_bytes()


def _probe() -> tuple[bool, str | None, str]:
    ort = onnxruntime_status()
    return ort.available, ort.version, f"onnxruntime ({ort.error}); install: {ort.fix}"


def _fp32(request: BuildRequest) -> OnnxRunner:
    model, spec, progress = request.model, request.spec, request.progress
    if request.defer_taps:  # the untapped model now, the taps when a view first asks (see OnnxRunner)
        return OnnxRunner(None, request.threads, export_onnx(model, spec, progress, tapped=False))
    tapped = export_onnx(model, spec, progress)
    return OnnxRunner(tapped, request.threads, untapped(tapped) or export_onnx(model, spec, progress, tapped=False))


def _int8(request: BuildRequest) -> OnnxRunner:
    model, spec, progress = request.model, request.spec, request.progress
    tapped = export_onnx(model, spec, progress)
    lean = untapped(tapped) or export_onnx(model, spec, progress, tapped=False)
    engine, samples = request.engine or default_int8_engine(), request.calibration or []
    return OnnxRunner(
        quantize(tapped, samples, engine, progress), request.threads, quantize(lean, samples, engine, progress)
    )


FP32 = register(
    Backend(
        "onnxruntime",
        "ONNX Runtime fp32",
        "ONNX Runtime",
        _fp32,
        order=30,
        probe=_probe,
        auto_candidate=True,
        runtime="onnxruntime",
    )
)
register(
    Backend(
        "int8",
        "ONNX Runtime int8 (static, calibrated on live frames)",
        "ONNX Runtime int8",
        _int8,
        order=40,
        probe=_probe,
        tolerance=float("inf"),
        reduced_precision=True,
        needs_calibration=True,
        fp32_twin=FP32.name,
        runtime="onnxruntime",
    )
)
