"""Tracing keeps nothing behind: TorchScript's class registry grew by every traced module's classes
(+85 MB per 13 ShuffleNets traced here) until the app cleared it after each trace.  A class still
registered shows as a mangled name on the next trace of the same module class."""

import torch

from explorer.models import ModelSpec, build_model
from explorer.runtime import onnx_backend
from explorer.runtime.tracing import tracing

SPEC = ModelSpec.create("v1", groups=3, scale=0.25, input_size=64)


def traced_type_name(seed: int = 0) -> str:
    model = build_model(SPEC, seed=seed)
    with torch.no_grad():
        traced = torch.jit.trace(model, torch.zeros(1, *SPEC.input_shape), check_trace=False)
    return traced._c._type().qualified_name()


def test_a_plain_trace_stays_registered_and_tracing_lets_it_go():
    traced_type_name()
    assert "mangle" in traced_type_name(1)  # the first one's class is still held
    with tracing():
        traced_type_name(2)
    with tracing():
        assert "mangle" not in traced_type_name(3)  # nothing left from the trace before


def test_the_apps_exports_leave_no_traced_class_behind(tmp_path, monkeypatch):
    from explorer.runtime import ncnn_backend

    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path))
    onnx_backend._MEMORY.clear()
    onnx_backend.export_onnx(build_model(SPEC, seed=4), SPEC)
    with tracing():
        assert "mangle" not in traced_type_name(5)
    if ncnn_backend.FP32.available:
        ncnn_backend.export_ncnn(build_model(SPEC, seed=6), SPEC, tapped=False)
        with tracing():
            assert "mangle" not in traced_type_name(7)
