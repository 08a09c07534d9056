"""The ONNX export cache never trusts a damaged file: each kind of damage is noticed on read,
moved aside, said once (naming the file), and the export made again, so auto still reaches ONNX
Runtime."""

from pathlib import Path

import pytest
import torch

from explorer.models import ModelSpec
from explorer.models.registry import build_model
from explorer.paths import take_healed
from explorer.runtime import onnx_backend
from explorer.runtime.onnx_backend import export_onnx, session

SPEC = ModelSpec.create("v2", scale=0.5, input_size=64)


def cached_file(tmp_path):
    files = list((tmp_path / "cache").rglob("*.onnx"))
    assert len(files) == 1, files
    return files[0]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other_kind", "no_checksum", "unreadable"])
def test_a_damaged_cache_entry_is_set_aside_said_and_exported_again(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path / "cache"))
    model = build_model(SPEC, seed=0)
    onnx_backend._MEMORY.clear()  # another test's export of the same model must not stand in for the file
    good = export_onnx(model, SPEC, tapped=False)
    path = cached_file(tmp_path)
    onnx_backend._MEMORY.clear()  # a new start: only the disk is left
    take_healed()
    if damage == "truncate":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00" * 4096)
    elif damage == "other_kind":
        path.write_bytes(b"%PDF-1.4 not a model")
    elif damage == "no_checksum":
        path.with_suffix(".sha256").unlink()
    with monkeypatch.context() as patch:
        if damage == "unreadable":  # root reads through chmod 000, so the read itself is made to fail
            real_read = Path.read_bytes

            def refuse(self):
                if self == path:
                    raise PermissionError(13, "Permission denied")
                return real_read(self)

            patch.setattr(Path, "read_bytes", refuse)
        again = export_onnx(model, SPEC, tapped=False)
    notes = take_healed()
    assert len(notes) == 1 and str(path) in notes[0] and "exported again" in notes[0]
    assert ("Permission denied" in notes[0]) == (damage == "unreadable")
    assert path.with_suffix(".onnx.bad").is_file()  # kept aside, not deleted
    assert path.read_bytes() == again  # healed on this run
    x = torch.randn(1, *SPEC.input_shape)
    logits = session(again, 1).run(["logits"], {"input": x.numpy()})[0]
    assert torch.allclose(torch.from_numpy(logits), model.eval()(x), atol=1e-4)
    onnx_backend._MEMORY.clear()
    assert export_onnx(model, SPEC, tapped=False) == again and take_healed() == []  # trusted from now on


def test_an_unwritable_cache_costs_a_re_export_and_is_said_once(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("no folder can be made under a file")
    monkeypatch.setenv("EXPLORER_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(onnx_backend, "_UNWRITABLE_SAID", onnx_backend.threading.Event())
    onnx_backend._MEMORY.clear()
    take_healed()
    for seed in (0, 1):  # two models: still said once
        data = export_onnx(build_model(SPEC, seed=seed), SPEC, tapped=False)
        assert session(data, 1).get_outputs()[0].name == "logits"
    notes = take_healed()
    assert len(notes) == 1 and "could not keep ONNX exports" in notes[0] and "EXPLORER_CACHE" in notes[0]


def test_exports_kept_in_memory_are_bounded_by_bytes_newest_first(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path / "cache"))
    onnx_backend._MEMORY.clear()
    sizes = [len(export_onnx(build_model(SPEC, seed=seed), SPEC, tapped=False)) for seed in range(3)]
    monkeypatch.setattr(onnx_backend, "_MEMORY_BYTES", sizes[1] + sizes[2])  # room for the two newest only
    newest = export_onnx(build_model(SPEC, seed=3), SPEC, tapped=False)
    kept = list(onnx_backend._MEMORY.values())
    assert sum(map(len, kept)) <= sizes[1] + sizes[2] and kept[-1] == newest and len(kept) < 4
    monkeypatch.setattr(onnx_backend, "_MEMORY_BYTES", 1)  # smaller than any export: the newest still stays
    another = export_onnx(build_model(SPEC, seed=4), SPEC, tapped=False)
    assert list(onnx_backend._MEMORY.values()) == [another]
