"""The diagram's structure (as the papers draw the units) and its numbers (the complexity table's)."""

import pytest

from explorer.analysis.complexity import analyze
from explorer.analysis.diagram import build_diagram
from explorer.models import ModelSpec
from explorer.models.variants import STAGE_REPEATS

V1_G3 = ModelSpec.create("v1", groups=3)
V2 = ModelSpec.create("v2")
COMPACT = ModelSpec.create("compact")


def stage_units(diagram):
    return [u for s in diagram.stages if s.id.startswith("stage") for u in s.units]


def kinds(unit):
    return [n.kind for n in unit.nodes()]


def test_v1_g3_has_16_units_each_with_a_shuffle_labelled_g_3():
    units = stage_units(build_diagram(V1_G3))
    assert len(units) == sum(STAGE_REPEATS) == 16
    for unit in units:
        shuffles = [n for n in unit.nodes() if n.kind == "shuffle"]
        assert len(shuffles) == 1 and shuffles[0].detail == "g = 3" and shuffles[0].enabled
        assert shuffles[0].tap == f"{unit.id}.after_shuffle"


def test_v1_stride_2_units_concat_an_average_pooled_shortcut_and_stride_1_units_add():
    units = stage_units(build_diagram(V1_G3))
    strided = [u for u in units if u.stride == 2]
    assert [u.id for u in strided] == ["stage2.0", "stage3.0", "stage4.0"]
    for unit in units:
        shortcut, main = unit.lanes
        merge = unit.exit[-1]
        if unit.stride == 2:
            assert (
                [n.kind for n in shortcut] == ["pool"]
                and "AVG Pool" in shortcut[0].label
                and "stride = 2" in shortcut[0].label
            )
            assert merge.kind == "concat"
        else:
            assert [n.kind for n in shortcut] == ["identity"] and merge.kind == "add"
        # the paper's Figure 2 order: 1x1 GConv, shuffle, 3x3 DWConv, 1x1 GConv
        assert [n.kind for n in main] == ["conv", "shuffle", "conv", "conv"]
        assert "DWConv" in main[2].label
    # stage 2's first pointwise conv is not grouped (24 input channels), every other one is
    assert units[0].lanes[1][0].label == "1x1 Conv" and units[1].lanes[1][0].label == "1x1 GConv"


def test_v2_has_concat_and_a_shuffle_in_every_unit_and_a_channel_split_in_every_stride_1_unit():
    units = stage_units(build_diagram(V2))
    assert len(units) == 16
    for unit in units:
        assert [n.kind for n in unit.exit] == ["concat", "shuffle"]
        assert unit.exit[1].detail == "g = 2"
        if unit.stride == 1:
            assert unit.entry.kind == "split" and unit.entry.label == "Channel Split"
            assert [n.kind for n in unit.lanes[0]] == ["identity"]
        else:  # Figure 3(d): no split, both branches see every channel
            assert unit.entry.kind == "fanout"
            assert len(unit.lanes) == 2 and all(
                len(lane) == 2 and lane[0].label.startswith("3x3") for lane in unit.lanes[:1]
            )
            assert "DWConv (stride = 2)" in unit.lanes[0][0].label and "DWConv (stride = 2)" in unit.lanes[1][1].label
    assert sum(1 for u in units if u.entry.kind == "split") == 13


def test_shuffle_off_changes_only_the_shuffle_nodes():
    for spec in (V1_G3, V2, COMPACT):
        on = {n.id: n for n in build_diagram(spec).nodes()}
        off = {n.id: n for n in build_diagram(spec.with_changes(shuffle=False)).nodes()}
        assert on.keys() == off.keys()
        changed = {key for key in on if on[key] != off[key]}
        shuffles = {key for key, n in on.items() if n.kind == "shuffle"}
        assert changed == shuffles and shuffles
        assert all(not off[key].enabled and "(off)" in off[key].label for key in shuffles)


def test_the_compact_net_draws_its_four_blocks_from_the_module_tree():
    diagram = build_diagram(COMPACT)
    blocks = diagram.stages[0].units
    assert [u.id for u in blocks] == ["blocks.0", "blocks.1", "blocks.2", "blocks.3"]
    assert [next(n for n in u.nodes() if n.kind == "shuffle").groups for u in blocks] == [8, 8, 16, 16]
    for unit in blocks:
        assert kinds(unit) == ["conv", "conv", "shuffle"]
        assert "stride = (2, 1)" in unit.lanes[0][0].label and unit.lanes[0][1].label == "1x1 Conv"
    # the first block's temporal conv sees one channel, so it is a plain conv; the others are depthwise
    assert [u.lanes[0][0].label.split(" (")[0] for u in blocks] == [
        "3x1 Conv",
        "3x1 DWConv",
        "3x1 DWConv",
        "3x1 DWConv",
    ]


@pytest.mark.parametrize(
    "spec",
    [
        V1_G3,
        ModelSpec.create("v1", groups=8, scale=0.5, input_size=160),
        V2,
        ModelSpec.create("v2", scale=2.0, shuffle=False),
        COMPACT,
    ],
    ids=lambda s: s.label,
)
def test_every_node_sums_its_own_rows_of_the_complexity_table_and_together_they_cover_it_once(spec):
    report = analyze(spec)
    rows = {r.name: r for r in report.layers}
    diagram = build_diagram(spec)
    covered = diagram.covered_layers()
    assert sorted(covered) == sorted(rows)  # every row in exactly one box
    for node in diagram.nodes():
        mine = [rows[name] for name in node.layers]
        assert node.numbers.params == sum(r.params for r in mine)
        assert node.numbers.madds == sum(r.madds for r in mine)
        assert node.numbers.mac == sum(r.mac for r in mine)
        if mine:
            assert node.numbers.out_shape == mine[-1].out_shape
    totals = report.totals
    assert sum(s.numbers.madds for s in diagram.stages) == totals.madds
    assert sum(s.numbers.params for s in diagram.stages) == totals.params
    assert sum(s.numbers.mac for s in diagram.stages) == totals.mac


def test_input_size_updates_the_shapes():
    small = build_diagram(V2.with_changes(input_size=160))
    unit = stage_units(small)[0]
    assert unit.numbers.out_shape == (116, 20, 20)
    assert stage_units(build_diagram(V2))[0].numbers.out_shape == (116, 28, 28)
