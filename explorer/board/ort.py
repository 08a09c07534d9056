"""ONNX Runtime sessions and the lean model cut from a tapped one (no torch: the board path and
the ONNX backend share them)."""

from __future__ import annotations

from explorer.memory import release_freed_memory


def untapped(tapped: bytes) -> bytes | None:
    """The lean model made from the tapped one by dropping every graph output but the logits and
    the embedding: one torch export instead of two (torch's exporter is the slow part of a
    board's first start).  The taps are tensors the network computes anyway, so no node goes
    dead (ORT would drop one that did).  None if onnx is not importable (then the caller
    exports it)."""
    try:
        import onnx
    except ImportError:
        return None
    model = onnx.load_from_string(tapped)
    outputs = [o for o in model.graph.output if o.name in ("logits", "embedding")]
    del model.graph.output[:]
    model.graph.output.extend(outputs)
    lean = model.SerializeToString()
    del model
    release_freed_memory()
    return lean


def session(data: bytes, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
