"""Write the model the window ran into the board cache (explorer/board/cache.py), so the next
``--board`` start runs it without torch.

The format follows the runtime that ran it: an ncnn backend's export for ncnn, else ONNX (which
the torch backends' board runs on ONNX Runtime).  Written once per spec, weights and format,
at the end of a run (the window is gone by then; its first frame never waits for it).
"""

from __future__ import annotations

import hashlib
import os

from explorer.analysis.complexity import spec_tables
from explorer.board import cache
from explorer.board.ort import untapped
from explorer.engine.config import RunConfig
from explorer.engine.export import ONNX, export_model
from explorer.paths import write_atomically
from explorer.runtime import registry

ENABLED_ENV = "EXPLORER_BOARD_CACHE"  # "0": never write (the test suite's default; its board tests turn it on)


def enabled() -> bool:
    return os.environ.get(ENABLED_ENV, "1") != "0"


def deploy_format(backend_name: str) -> str:
    """The format whose runtime is the one that ran: ncnn's for an ncnn backend, else ONNX."""
    try:
        runtime = registry.get(backend_name).runtime
    except Exception:  # auto or an unknown name: ONNX
        return ONNX
    return next((fmt for fmt, b in registry.deploy_formats().items() if b.runtime == runtime), ONNX)


def board_stem(config: RunConfig, fmt: str) -> str:
    """Spec, weights choice (and a weights file's size and time) and format: one export each."""
    weights = config.weights.file
    stamp = ""
    if weights and weights.is_file():
        stat = weights.stat()
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
    key = f"{config.spec!r}|{config.weights}|{stamp}|{fmt}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def write_board_export(config: RunConfig, backend_name: str) -> cache.BoardExport | None:
    """Export ``config`` into the board cache unless it is there already (None then).  Raises what
    export_model raises (WeightsError, OSError, RuntimeError)."""
    fmt = deploy_format(backend_name)
    stem = board_stem(config, fmt)
    if cache.cached(stem):
        cache.touch(stem)
        return None
    folder = cache.board_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == ONNX:
        tapped = folder / f"{stem}.onnx"
        metadata = export_model(config, tapped, taps=True)
        lean = untapped(tapped.read_bytes())
        write_atomically(folder / f"{stem}.lean.onnx", lean)
        board_files = {"tapped": tapped.name, "lean": f"{stem}.lean.onnx"}
    else:
        metadata = export_model(config, folder / f"{stem}.param", taps=True, file_format=fmt)
        board_files = {"param": f"{stem}.param", "bin": f"{stem}.bin"}
    metadata["board_files"] = board_files
    report, tap_table = spec_tables(config.spec)
    order = {name: i for i, name in enumerate(metadata.get("tap_names", []))}
    taps = sorted(
        (
            {
                "name": t.name,
                "channels": t.channels,
                "groups": t.point.groups,
                "kind": t.point.kind,
                "permutation": list(t.permutation) if t.permutation else None,
            }
            for t in tap_table
            if t.name in order
        ),
        key=lambda t: order[t["name"]],
    )
    totals = report.totals
    export = cache.BoardExport(
        stem=stem,
        format=fmt,
        files={name: cache.sha256_of(folder / name) for name in board_files.values()},
        spec=config.spec.to_dict(),
        label=config.spec.label,
        weights_choice=str(config.weights) if config.weights else None,
        metadata=metadata,
        taps=taps,
        complexity={"madds_m": totals.madds / 1e6, "params_m": totals.params / 1e6, "mac_m": totals.mac / 1e6},
    )
    cache.record(export)
    (folder / f"{stem}.json").unlink(missing_ok=True)  # ncnn's metadata file: the index holds it
    return export
