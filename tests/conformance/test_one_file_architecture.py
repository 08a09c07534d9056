"""Adding an architecture is one module: a rival without published figures and a ShuffleNet-like
network with them, each registered by importing its file, work in the family lesson, `info`,
`bench`, `export` and the window with no other file edited."""

import json

import onnx
import pytest

from explorer.cli import main
from explorer.lessons import family
from explorer.lessons.catalog import run_lesson
from explorer.models.architecture import architectures
from explorer.runtime.registry import available_backends


def test_the_family_lesson_places_the_one_with_figures_and_names_the_one_without(fake_archs, monkeypatch):
    rival, shufflenet = fake_archs
    # the lesson over the fakes and V2 only (every real network is timed by test_lessons already)
    chosen = [a for a in architectures() if a in fake_archs or a.name == "v2"]
    monkeypatch.setattr(family, "architectures", lambda: chosen)
    result = run_lesson("family", threads=1, quick=True)
    rows = {r["model"]: r for r in result.rows}
    mine = [r for r in result.rows if r["arch"] == shufflenet.name]
    assert mine and {r["top1"] for r in mine} == {42.0}  # its own entry's figure
    assert all(r["arch"] != rival.name for r in result.rows)
    assert any(rival.title in note and "no published figures" in note for note in result.notes)
    assert "ShuffleNetV2 1x" in rows and any(r["pareto"] for r in result.rows)


@pytest.mark.parametrize("which", [0, 1])
def test_info_bench_and_export_take_an_architecture_from_one_module(fake_archs, which, tmp_path, capsys):
    arch = fake_archs[which]
    extra = ["--groups", str(arch.group_choices[-1])] if arch.group_choices else []
    assert main(["info", "--arch", arch.name, *extra, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["totals"]["params"] > 0 and info["totals"]["madds"] > 0
    assert main(["bench", "--arch", arch.name, *extra, "--runs", "1", "--warmup", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows and all(r["median_ms"] > 0 and r["arch"] == arch.name for r in rows)
    out = tmp_path / f"{arch.name}.onnx"
    assert main(["export", "--arch", arch.name, *extra, "--out", str(out), "--json"]) == 0
    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert arch.name in json.dumps(meta)
    capsys.readouterr()


def test_a_groups_value_the_entry_does_not_offer_is_refused_with_its_choices(fake_archs, capsys):
    shufflenet = fake_archs[1]
    assert main(["info", "--arch", shufflenet.name, "--groups", "3"]) == 2
    assert "2" in capsys.readouterr().err
    assert any(b.available for b in available_backends())
