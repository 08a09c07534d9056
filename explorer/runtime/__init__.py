"""Inference backends (torch eager, channels_last; ONNX Runtime and int8 where available)."""
from explorer.runtime.registry import BACKENDS, available_backends, make_runner

__all__ = ["BACKENDS", "available_backends", "make_runner"]
