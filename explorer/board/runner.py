"""Run a cached export with its runtime alone: logits, and the feature taps a view asks for.

One class per export format, found by the format named in the cache (the formats the backends
write: ONNX for ONNX Runtime, ncnn's param/bin).  Each says which runtime and threads it runs, so
the window's status line and latencies name them from the model, never from a guess.
"""

from __future__ import annotations

import threading

import numpy as np

from explorer.board.cache import BoardExport
from explorer.board.ort import session


class OnnxBoardModel:
    """A lean session (logits only, fully fused) and, built on the first frame that asks for a
    tap, the tapped one: most demos never open the feature maps, and each session holds its own
    copy of the weights."""

    runtime = "ONNX Runtime"

    def __init__(self, export: BoardExport, threads: int) -> None:
        self.threads = threads
        self._tapped_path = export.path(export.metadata["board_files"]["tapped"])
        self.lean = session(export.path(export.metadata["board_files"]["lean"]).read_bytes(), threads)
        self._tapped = None
        self._lock = threading.Lock()

    def _tapped_session(self):
        with self._lock:
            if self._tapped is None:
                self._tapped = session(self._tapped_path.read_bytes(), self.threads)
            return self._tapped

    def __call__(self, x: np.ndarray, taps: tuple[str, ...] = ()) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        chosen = self._tapped_session() if taps else self.lean
        wanted = ["logits", *(f"tap:{t}" for t in taps)]
        values = chosen.run(wanted, {"input": x})
        return values[0][0], {name: value[0] for name, value in zip(taps, values[1:])}


class NcnnBoardModel:
    """The tapped ncnn net: its extractor computes only the blobs asked for, so one net serves
    both the frames without taps and those with."""

    runtime = "ncnn"

    def __init__(self, export: BoardExport, threads: int) -> None:
        import ncnn

        self.threads = threads
        self.net = ncnn.Net()
        self.net.opt.num_threads = max(1, threads)
        self.net.opt.use_vulkan_compute = False
        files = export.metadata["board_files"]
        if self.net.load_param(str(export.path(files["param"]))) != 0 or self.net.load_model(
            str(export.path(files["bin"]))
        ):
            raise RuntimeError(f"ncnn could not load {files['param']}")
        self.input, self.output = export.metadata["input"], export.metadata["output"]
        # pnnx names the outputs out0, out1, ... in the export's order: logits, embedding, then each tap
        self.blobs = {tap["name"]: f"out{i + 2}" for i, tap in enumerate(export.taps)}

    def __call__(self, x: np.ndarray, taps: tuple[str, ...] = ()) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        import ncnn

        extractor = self.net.create_extractor()
        extractor.input(self.input, ncnn.Mat(np.ascontiguousarray(x[0])))
        values = {}
        for name, blob in [("logits", self.output), *((t, self.blobs[t]) for t in taps)]:
            status, mat = extractor.extract(blob)
            if status != 0:
                raise RuntimeError(f"ncnn could not compute {name}")
            values[name] = np.array(mat)
        return values.pop("logits").reshape(-1), values


MODELS = {"onnx": OnnxBoardModel, "ncnn": NcnnBoardModel}  # by the format the cache names


def load_board_model(export: BoardExport, threads: int):
    """The runner for a cached export (raises NoBoardExport-worthy RuntimeError/ImportError)."""
    try:
        model_class = MODELS[export.format]
    except KeyError:
        raise RuntimeError(f"no board runner for the {export.format} format") from None
    return model_class(export, threads)
