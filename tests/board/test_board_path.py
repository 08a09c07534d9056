"""The board path: the live window from a cached export, without torch (issue #32)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.board import cache
from explorer.board.cache import BoardRequest, NoBoardExport
from explorer.board.frames import image_input
from explorer.board.runner import load_board_model
from explorer.engine.board_export import write_board_export
from explorer.engine.bundles import load_bundle
from explorer.engine.config import RunConfig
from explorer.engine.preprocess import preprocess_image
from explorer.models.spec import ModelSpec
from explorer.models.taps import FeatureTaps
from explorer.paths import take_healed
from explorer.runtime import registry
from explorer.sources import open_source

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--arch", "v2", "--scale", "0.5", "--input-size", "96"]


def small_config(arch="v2", **rest) -> RunConfig:
    spec = ModelSpec.create(arch, scale=0.5, input_size=96, **rest)
    return RunConfig(spec, backend=registry.reference().name, threads=1)


def run_main(*args, timeout=240) -> subprocess.CompletedProcess:
    env = {**os.environ, "EXPLORER_BOARD_CACHE": "1", "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_the_first_start_caches_its_model_and_a_board_start_runs_it_without_torch():
    full = run_main(*SMALL, "--frames", "3", "--source", "synthetic")
    assert full.returncode == 0, full.stderr
    assert "path board" not in full.stdout  # the first start is the full window
    board = run_main("--board", "--frames", "10", "--source", "synthetic")
    assert board.returncode == 0, board.stderr
    assert "board path not used" not in board.stderr
    assert "model ShuffleNet V2 0.5x @96" in board.stdout
    assert "path board (torch not loaded)" in board.stdout  # read from sys.modules at the end of the run
    assert "ONNX Runtime, 1 thread" in board.stdout or "ONNX Runtime, 2 threads" in board.stdout


def test_the_board_modules_import_without_torch():
    code = (
        "import sys; import explorer.launch, explorer.board_app, explorer.ui.window.board_window; "
        "print(sorted(m for m in ('torch', 'torchvision', 'pnnx') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_board_start_with_nothing_cached_says_why_and_starts_the_full_window():
    proc = run_main("--board", *SMALL, "--frames", "2", "--source", "synthetic")
    assert proc.returncode == 0, proc.stderr
    assert "board path not used: no cached export" in proc.stderr
    assert "model ShuffleNet V2 0.5x @96" in proc.stdout and "path board" not in proc.stdout


def _agreement(export, config):
    frame = open_source("synthetic").read()
    bundle = load_bundle(config, check_agreement=False)
    tap = export.taps[len(export.taps) // 2]["name"]
    x_board = image_input(frame, export.metadata["recipe"])
    x_torch = preprocess_image(frame, bundle.recipe)
    np.testing.assert_allclose(x_board, x_torch.numpy(), atol=1e-5)
    with torch.no_grad(), FeatureTaps(bundle.model, [tap]) as taps:
        expected = bundle.model(x_torch)[0].numpy()
        expected_tap = taps.features[tap][0].numpy()
    model = load_board_model(export, threads=1)
    logits, features = model(x_board)
    assert features == {}
    np.testing.assert_allclose(logits, expected, atol=1e-3)
    logits, features = model(x_board, (tap,))
    np.testing.assert_allclose(features[tap].reshape(expected_tap.shape), expected_tap, atol=1e-3)


def test_the_onnx_board_model_computes_what_torch_computes_with_its_taps():
    config = small_config()
    export = write_board_export(config, registry.reference().name)
    assert export.format == "onnx" and export.taps and export.complexity["params_m"] > 0
    _agreement(export, config)


def test_the_ncnn_board_model_computes_what_torch_computes_with_its_taps():
    ncnn = next((b for b in registry.all_backends() if b.deploy_format == "ncnn"), None)
    assert ncnn is not None and ncnn.available, "ncnn and pnnx are dependencies"
    config = small_config()
    export = write_board_export(config, ncnn.name)
    assert export.format == "ncnn"
    _agreement(export, config)


def test_a_board_request_finds_the_newest_matching_export_and_skips_damaged_ones():
    v2 = write_board_export(small_config(), registry.reference().name)
    v1 = write_board_export(small_config("v1", groups=3), registry.reference().name)
    assert cache.find(BoardRequest()).stem == v1.stem  # the newest: the last model run
    assert cache.find(BoardRequest(arch="v2")).stem == v2.stem
    assert cache.find(BoardRequest(arch="v1", groups=3, scale=0.5)).stem == v1.stem
    with pytest.raises(NoBoardExport, match="matches shuffle False"):
        cache.find(BoardRequest(shuffle=False))  # only shuffled models were cached
    with pytest.raises(NoBoardExport, match="no intact cached export matches arch v1, groups 8"):
        cache.find(BoardRequest(arch="v1", groups=8))
    assert write_board_export(small_config(), registry.reference().name) is None  # cached: moved to the front
    assert cache.find(BoardRequest()).stem == v2.stem
    take_healed()
    damaged = cache.board_dir() / next(iter(v2.files))
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    assert cache.find(BoardRequest()).stem == v1.stem  # the damaged one is dropped, the next one runs
    said = " ".join(take_healed())
    assert "damaged" in said and v2.label in said
    assert damaged.with_name(damaged.name + ".bad").is_file()
    assert [e["stem"] for e in cache.read_index()] == [v1.stem]


def test_a_damaged_index_is_set_aside_and_said():
    cache.board_dir().mkdir(parents=True)
    (cache.board_dir() / cache.INDEX).write_text("{not json")
    take_healed()
    with pytest.raises(NoBoardExport, match="no cached export"):
        cache.find(BoardRequest())
    assert "board cache file" in " ".join(take_healed())
    assert (cache.board_dir() / (cache.INDEX + ".bad")).is_file()


def test_a_window_start_prefers_the_board_path_below_2_gb_and_full_overrides(monkeypatch):
    from explorer.board import choice

    monkeypatch.setattr(choice, "total_memory_mb", lambda: 1900.0)
    assert choice.wants_board([]) and choice.wants_board(["--source", "synthetic"])
    assert not choice.wants_board(["--full"])
    assert not choice.wants_board(["info", "--arch", "v1"])  # a command is never a window start
    monkeypatch.setattr(choice, "total_memory_mb", lambda: 8000.0)
    assert not choice.wants_board([]) and choice.wants_board(["--board"])
    monkeypatch.setattr(choice, "total_memory_mb", lambda: None)  # not Linux: only when asked
    assert not choice.wants_board([])


def test_doctor_names_the_memory_the_start_path_and_the_export_board_would_run(monkeypatch):
    from explorer import doctor
    from explorer.board import choice

    assert "no cached export" in doctor.check_start_path().summary
    export = write_board_export(small_config(), registry.reference().name)
    monkeypatch.setattr(choice, "total_memory_mb", lambda: 1024.0)
    monkeypatch.setattr(doctor, "low_memory", choice.low_memory)
    monkeypatch.setattr(doctor, "total_memory_mb", lambda: 1024.0)
    path = doctor.check_start_path()
    assert "board (from a cached export, no torch)" in path.summary and export.label in path.summary
    assert "torch loads only for" in path.summary
    memory = doctor.check_memory()
    assert memory.summary.startswith("1.0 GB") and "board path" in memory.summary and "--full" in memory.fix
