"""Lessons: their test networks are built as the paper describes (equal FLOPs by the project's
own counter), their output has the documented schema, and the CLI and report run them.
Timings are never asserted: only that they were measured and what the verdicts are computed from."""

import json

import pytest
import torch

from explorer.analysis.complexity import count_layers
from explorer.cli import main
from explorer.lessons import LESSONS, group_cues, run_lesson
from explorer.lessons.base import OUTCOME_TONES
from explorer.lessons.blocks import GUIDELINES
from explorer.lessons.family import best_within, pareto
from explorer.lessons.trained_comparison import judge
from explorer.lessons.training import TrainedRun, train_and_score


@pytest.mark.parametrize("guideline", list(GUIDELINES))
def test_each_guidelines_variants_have_equal_flops(guideline):
    variants = GUIDELINES[guideline]()
    madds = [count_layers(v.module, v.input_shape)[1].madds for v in variants]
    assert len(variants) == {"G1": 4, "G2": 4, "G3": 5, "G4": 4}[guideline]
    # integer (and group-divisible) channel counts: equal within 2.2 % (G2: c = 128, 182, 256, 360)
    assert max(madds) / min(madds) < 1.025, [round(m / 1e6, 1) for m in madds]


def test_the_test_networks_are_the_papers_and_the_mac_formula_is_the_counters():
    g1 = GUIDELINES["G1"]()
    ratios = [v.module[0][0].out_channels / v.module[0][0].in_channels for v in g1]
    assert ratios == pytest.approx([1, 2, 6, 12], rel=0.03)  # c1:c2 = 1:1, 1:2, 1:6, 1:12
    for variant in g1 + GUIDELINES["G2"]():  # hw(c1 + c2) + c1 c2 / g, as in the paper
        assert count_layers(variant.module, variant.input_shape)[1].mac == pytest.approx(variant.mac_formula)
    assert [m.groups for m in (v.module[0] for v in GUIDELINES["G2"]())] == [1, 2, 4, 8]
    names = [v.name for v in GUIDELINES["G3"]()]
    assert (
        names[0] == "1-fragment" and sum("series" in n for n in names) == 2 and sum("parallel" in n for n in names) == 2
    )
    g4 = GUIDELINES["G4"]()
    macs = [count_layers(v.module, v.input_shape)[1].mac for v in g4]
    assert macs[0] > macs[1] > macs[3] and macs[1] == macs[2]  # ReLU and the add cost memory traffic, no FLOPs


def test_pareto_front_and_budget_pick():
    points = [(1.0, 50.0), (2.0, 60.0), (3.0, 55.0), (4.0, 70.0), (4.0, 65.0)]
    assert pareto(points) == [True, True, False, True, False]
    rows = [{"ms": p[0], "top1": p[1]} for p in points]
    assert best_within(rows, 3.5)["top1"] == 60.0 and best_within(rows, 0.5) is None


def check_schema(result, name):
    data = json.loads(json.dumps(result.to_json()))
    assert set(data) >= {"lesson", "machine", "rows", "paper", "verdicts"} and data["lesson"] == name
    assert set(data["machine"]) >= {"cpu", "threads", "versions"} and data["machine"]["threads"] == 1
    assert data["rows"] and all(
        set(v) == {"claim", "holds", "measured", "spread", "cpu_share", "judged", "outcome", "text"}
        for v in data["verdicts"]
    )
    assert all(v["outcome"] in OUTCOME_TONES and v["text"].startswith(v["outcome"]) for v in data["verdicts"])
    timed = [r for r in data["rows"] if "ms" in r]
    assert all(r["spread"] >= 1.0 and r["runs"] > 0 and 0 < r["cpu_share"] <= 1 for r in timed)  # how steady, how alone
    assert all(p["source"] and p["claim"] for p in data["paper"])
    return data


def test_guidelines_lesson_schema_and_verdicts_follow_its_rows():
    result = run_lesson("guidelines", threads=1, quick=True)
    data = check_schema(result, "guidelines")
    assert {r["guideline"] for r in data["rows"]} == {"G1", "G2", "G3", "G4"} and all(r["ms"] > 0 for r in data["rows"])
    by = {(r["guideline"], r["step"], r["backend"]): r["ms"] for r in data["rows"]}
    g2 = next(v for v in result.verdicts if v.claim.startswith("G2") and "(torch, 1 thread)" in v.claim)
    assert g2.holds == (by[("G2", 3, "torch")] > by[("G2", 0, "torch")] * 1.02)
    assert result.rows_csv().splitlines()[0].startswith("guideline,step,variant,backend")


def test_shuffle_ablation_trains_both_parts_both_ways_over_seeds_and_asks_the_networks_their_reach():
    result = run_lesson("shuffle-ablation", threads=1, quick=True)
    data = check_schema(result, "shuffle-ablation")
    trained = [r for r in data["rows"] if r["part"] in ("mechanism", "network") and r["train_accuracy"] is not None]
    for part in ("mechanism", "network"):
        for arm in (True, False):
            mine = [r for r in trained if r["part"] == part and r["shuffle"] is arm]
            assert len({r["seed"] for r in mine}) >= 3
            assert all(r["epochs"] > 0 and 0 <= r["accuracy"] <= 100 and 0 <= r["train_accuracy"] <= 100 for r in mine)
    reach = {(r["stage"], r["shuffle"]): r["input_groups_seen"] for r in data["rows"] if r["part"] == "connectivity"}
    assert reach[("both convs", False)] == "1-1 of 8" and reach[("both convs", True)] == "8-8 of 8"
    # V1 0.25x g = 8: a stage-2 bottleneck group holds 3 channels, so one shuffle reaches 3 groups (4 with the
    # residual's own), stage 4's 12 channels reach all 8
    assert reach[("stage2 unit", True)] == "3-4 of 8" and reach[("stage4 unit", True)] == "8-8 of 8"
    assert all(reach[(stage, False)] == "1-1 of 8" for stage, _ in reach)
    # part 1 learns the xor with the shuffle on every seed; part 2's quick run is too short to judge, and says so
    mechanism, network = result.verdicts[1], result.verdicts[4]
    assert mechanism.outcome == "holds" and "rule:" in mechanism.measured
    assert network.outcome == "not trained long enough" and "still learning" in network.measured
    assert "52.7" in data["paper"][0]["figures"]  # Table 3, 0.25x g = 8 with the shuffle


def _runs(accuracies, train=100.0, late=0.0):
    return [TrainedRun(seed, a, train, late, held_out=1000, epochs=10) for seed, a in enumerate(accuracies)]


@pytest.mark.parametrize(
    "with_, without, train, expected",
    [
        ([92.0, 93.0, 92.5], [88.0, 88.5, 89.0], 100.0, "holds"),  # +4 points, every seed, SE ~1.4
        ([85.0, 86.0, 84.5], [90.0, 91.5, 90.0], 100.0, "opposite"),
        ([92.0, 88.0, 91.0], [90.0, 91.0, 89.5], 100.0, "within noise"),  # seeds disagree
        ([91.0, 91.5, 91.2], [90.0, 90.3, 90.1], 100.0, "within noise"),  # agree, but 1 point < 2 x counting SE
        ([60.0, 61.0, 62.0], [40.0, 41.0, 42.0], 80.0, "not trained long enough"),  # big gap, still learning
    ],
    ids=["clear win", "clear loss", "seeds disagree", "inside counting noise", "untrained"],
)
def test_the_trained_comparison_rule(with_, without, train, expected):
    verdict = judge("with beats without", _runs(with_, train, late=5.0), _runs(without, train, late=5.0))
    assert verdict.outcome == expected and verdict.holds == (expected == "holds")
    assert verdict.line().startswith("not trained long enough to judge" if expected.startswith("not") else expected)


def test_a_run_that_stopped_learning_counts_as_trained_below_99_percent():
    plateaued = _runs([70.0, 71.0, 70.5], train=72.0, late=0.3)
    assert judge("c", _runs([99.0, 99.5, 99.2]), plateaued).outcome == "holds"


def test_part_one_learns_the_xor_only_with_the_shuffle_and_stays_under_its_ceiling_without():
    torch.set_num_threads(1)
    (train_x, train_y, _), (test_x, test_y, cells) = group_cues.make_cues(8192, 1), group_cues.make_cues(1000, 2)
    ceiling = group_cues.additive_ceiling(cells, test_y.numpy())
    assert 70 < ceiling < 80  # three of the four (A, B) cells
    data = ((train_x, train_y), (test_x, test_y))
    on = train_and_score(group_cues.build(True, seed=0), data, seed=0, epochs=4, batch=64, lr=1e-2)
    off = train_and_score(group_cues.build(False, seed=0), data, seed=0, epochs=4, batch=64, lr=1e-2)
    assert on.accuracy > 99 and on.train_accuracy > 99
    assert off.accuracy < ceiling and off.late_gain < 1.0  # it stopped learning, short of the xor


@pytest.mark.parametrize("name", ["flops-vs-speed", "family"])
def test_the_speed_lessons_rows_and_paper_figures(torchvision_models, name):
    result = run_lesson(name, threads=1, quick=True)
    data = check_schema(result, name)
    models = {r["model"] for r in data["rows"]}
    if name == "flops-vs-speed":
        assert {"V1 2x g=3", "V1 0.25x g=3", "V1 1x g=8"} <= models
        assert any("2.6x" in p["claim"] for p in data["paper"])
        two = next(r for r in data["rows"] if r["model"] == "V1 2x g=3")
        assert two["theoretical_speedup"] == 1.0 and two["paper_ms"] == 108.8
        alexnet = [r for r in data["rows"] if r["model"] == "AlexNet"]
        assert alexnet and all(700 < r["mflops"] < 730 for r in alexnet)  # torchvision's AlexNet: ~714 M multiply-adds
        assert any("AlexNet" in v.claim for v in result.verdicts)
    else:
        assert {"MobileNetV1 1x", "MobileNetV3 Small", "SqueezeNet 1.1", "ShuffleNetV2 1x"} <= models
        assert all(r["top1"] for r in data["rows"]) and any(r["pareto"] for r in data["rows"])
        assert any("Table 7" in p["source"] for p in data["paper"])


def test_the_cli_prints_a_lesson_and_refuses_unknown_ones(capsys, tmp_path):
    assert main(["lesson", "guidelines", "--quick", "--threads", "1", "--json", "--csv", str(tmp_path / "g.csv")]) == 0
    assert json.loads(capsys.readouterr().out)["lesson"] == "guidelines"
    assert (tmp_path / "g.csv").read_text().startswith("guideline,")
    assert main(["lesson", "nonsense"]) == 2
    assert "invalid choice: 'nonsense'" in capsys.readouterr().err
    assert main(["lesson", "guidelines", "--csv", str(tmp_path / "missing" / "g.csv")]) == 2
    assert set(LESSONS) == {"guidelines", "shuffle-ablation", "flops-vs-speed", "family"}


def test_the_report_writes_a_page_with_figures(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "r"), "--quick", "--threads", "1", "--only", "guidelines"]) == 0
    page = (tmp_path / "r" / "index.html").read_text()
    assert "<img src='guidelines.png'" in page and "ShuffleNet V2 paper, Section 2" in page
    # every verdict is on the page with its outcome (which one depends on how busy the machine was)
    assert page.count("<li><span class=") >= 4
    assert (tmp_path / "r" / "guidelines.png").stat().st_size > 10_000 and (tmp_path / "r" / "guidelines.csv").is_file()


def _speed_rows(spread: float, slow_two: float = 20.0, cpu_share: float = 0.99) -> list[dict]:
    """flops-vs-speed rows for one backend with made-up times and one spread for all of them."""
    rows = [{"model": "V1 2x g=3", "ms": slow_two, "mflops": 524.0}, {"model": "V1 1x g=3", "ms": 9.0, "mflops": 137.0}]
    rows += [{"model": f"V1 1x g={g}", "ms": 9.0 + g, "mflops": 137.0} for g in (1, 2, 4, 8)]
    return [{**r, "spread": spread, "runs": 15, "cpu_share": cpu_share} for r in rows]


def test_verdicts_from_a_busy_machine_are_inconclusive_and_from_a_quiet_one_are_not():
    from explorer.lessons.speed import _verdicts

    quiet = _verdicts(_speed_rows(1.04), "torch", "1 thread")
    busy = _verdicts(_speed_rows(1.9), "torch", "1 thread")
    assert [v.outcome for v in quiet] == ["holds", "holds"]
    assert [v.outcome for v in busy] == ["inconclusive", "inconclusive"]
    assert all(v.line().startswith("inconclusive: machine busy (spread 1.90, CPU share 0.99)") for v in busy)
    # evenly slowed runs keep the spread low, but the CPU the process got shows the busy machine
    shared = _verdicts(_speed_rows(1.05, cpu_share=0.62), "torch", "1 thread")
    assert [v.outcome for v in shared] == ["inconclusive", "inconclusive"]
    # one noisy row among quiet ones is enough to withhold the verdicts resting on it
    mixed = _speed_rows(1.04)
    mixed[0]["spread"] = 1.6
    assert [v.outcome for v in _verdicts(mixed, "torch", "1 thread")] == ["inconclusive", "holds"]
