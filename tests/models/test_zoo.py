import dataclasses

import pytest
import torch

from explorer.analysis.complexity import analyze
from explorer.models import FeatureTaps, ModelSpec, build_model, channel_shuffle, describe_taps, list_specs
from explorer.models.variants import V1_GROUPS, V1_SCALES, V2_SCALES

ALL_SPECS = list(list_specs())


def test_the_zoo_lists_every_variant_once():
    v1 = [(s.groups, s.scale) for s in ALL_SPECS if s.arch == "v1"]
    assert sorted(v1) == sorted((g, sc) for g in V1_GROUPS for sc in V1_SCALES)
    assert sorted(s.scale for s in ALL_SPECS if s.arch == "v2") == list(V2_SCALES)
    assert [s.arch for s in ALL_SPECS].count("compact") == 1


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.label)
def test_every_spec_builds_and_maps_a_batch_to_logits(spec):
    model = build_model(spec)
    with torch.no_grad():
        out = model(torch.randn(2, *spec.input_shape))
    assert out.shape == (2, spec.num_classes)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("arch,size", [("v1", 32), ("v1", 97), ("v2", 32), ("v2", 161), ("v2", 320)])
def test_any_image_size_from_32_works(arch, size):
    spec = ModelSpec.create(arch, scale=0.5, input_size=size, num_classes=10)
    with torch.no_grad():
        assert build_model(spec)(torch.randn(1, *spec.input_shape)).shape == (1, 10)


def test_compact_net_takes_its_own_signal_shape():
    spec = ModelSpec.create("compact", input_size=(64, 3), num_classes=4)
    assert spec.input_shape == (1, 64, 3)
    model = build_model(spec)
    assert model(torch.randn(5, 1, 64, 3)).shape == (5, 4)
    shuffles = [m.shuffle.groups for m in model.blocks]
    assert shuffles == [8, 8, 16, 16]
    assert [m.pwconv.out_channels for m in model.blocks] == [64, 128, 256, 512]
    assert [m.dwconv.stride for m in model.blocks] == [(2, 1)] * 4


def test_v1_follows_table_1_structure():
    model = build_model(ModelSpec.create("v1", groups=3))
    assert [len(model.stage2), len(model.stage3), len(model.stage4)] == [4, 8, 4]
    assert model.stage_out_channels == [24, 240, 480, 960]
    first = model.stage2[0]
    assert first.gconv1.groups == 1, "stage 2's first pointwise conv is not grouped"
    assert model.stage2[1].gconv1.groups == 3 and first.gconv2.groups == 3
    assert first.gconv1.out_channels == 240 // 4, "bottleneck = 1/4 of the output"
    assert isinstance(first.shortcut, torch.nn.AvgPool2d) and first.shortcut.kernel_size == 3
    # stride-2 unit: concat(shortcut, branch) -> stage width
    assert first.gconv2.out_channels == 240 - 24


@pytest.mark.parametrize(
    "spec", [s for s in ALL_SPECS if s.arch != "compact"][::3] + [ModelSpec.create("compact")], ids=lambda s: s.label
)
def test_shuffle_off_keeps_params_and_flops_but_changes_the_function(spec):
    on, off = build_model(spec), build_model(spec.with_changes(shuffle=False))
    off.load_state_dict(on.state_dict())
    a, b = analyze(spec).totals, analyze(spec.with_changes(shuffle=False)).totals
    assert (a.params, a.madds) == (b.params, b.madds)
    x = torch.randn(1, *spec.input_shape)
    with torch.no_grad():
        same = torch.allclose(on(x), off(x))
    assert same == (spec.groups == 1), "only a 1-group shuffle is the identity"


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        (dict(arch="v3"), "unknown arch"),
        (dict(arch="v1", groups=5), "V1 groups"),
        (dict(arch="v1", scale=0.75), "V1 scale"),
        (dict(arch="v2", scale=0.25), "V2 scale"),
        (dict(arch="v2", groups=3), "V1 only"),
        (dict(arch="v2", input_size=31), ">= 32"),
        (dict(arch="v1", input_size=224.5), "integer"),
        (dict(arch="compact", input_size=(8, 9)), "series"),
        (dict(arch="compact", groups=4), "fixed shuffle groups"),
        (dict(arch="compact", scale=2.0), "one width"),
        (dict(arch="v2", num_classes=0), "num_classes"),
    ],
)
def test_invalid_specs_say_which_constraint_broke(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        ModelSpec.create(**kwargs)


def test_spec_is_frozen_and_round_trips_through_a_dict():
    spec = ModelSpec.create("compact", input_size=(64, 3))
    assert ModelSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.arch = "v1"  # type: ignore[misc]
    assert hash(spec) == hash(ModelSpec.create("compact", input_size=(64, 3)))


@pytest.mark.parametrize(
    "spec",
    [ModelSpec.create("v1", groups=8, scale=0.5), ModelSpec.create("v2", scale=0.5), ModelSpec.create("compact")],
    ids=lambda s: s.arch,
)
def test_taps_cover_stem_stages_units_and_both_sides_of_every_shuffle(spec):
    model = build_model(spec)
    infos = describe_taps(model, spec.input_shape)
    names = [i.name for i in infos]
    assert len(names) == len(set(names))
    kinds = {i.point.kind for i in infos}
    shuffles = [m for n, m in model.named_modules() if n.endswith("shuffle")]
    assert sum(i.point.kind == "before_shuffle" for i in infos) == len(shuffles)
    assert sum(i.point.kind == "after_shuffle" for i in infos) == len(shuffles)
    if spec.arch != "compact":
        assert {"stem", "stage", "unit"} <= kinds
        assert {"stage2", "stage3", "stage4"} <= set(names)
    x = torch.randn(1, *spec.input_shape)
    with FeatureTaps(model, names) as taps, torch.no_grad():
        model(x)
    for info in infos:
        feature = taps.features[info.name]
        assert feature.shape[1] == info.channels, info.name
        assert feature.shape[2] == info.height, info.name
    # the after-shuffle tap is the before-shuffle tap, shuffled
    before = [i for i in infos if i.point.kind == "before_shuffle"][-1]
    after_name = before.name.replace("before_shuffle", "after_shuffle")
    assert torch.equal(taps.features[after_name], channel_shuffle(taps.features[before.name], before.point.groups))


def test_stage_taps_report_channels_and_strides():
    spec = ModelSpec.create("v2", scale=1.0)
    infos = {i.name: i for i in describe_taps(build_model(spec), spec.input_shape)}
    assert (infos["stem"].channels, infos["stem"].reduction) == (24, 2)
    assert (infos["stage3"].channels, infos["stage3"].reduction) == (232, 16)
    assert (infos["stage4"].channels, infos["stage4"].reduction) == (464, 32)


def test_unknown_tap_names_are_rejected():
    with pytest.raises(ValueError, match="unknown tap"):
        FeatureTaps(build_model(ModelSpec.create("v2", scale=0.5)), ["nope"])


def test_a_seeded_build_gets_the_same_weights_whatever_the_other_threads_build_or_draw():
    """The builder seeds an untrained model while the checker copies another and the worker draws
    timing inputs: the seeded weights (and so the cached export's key) must not change."""
    import threading

    from explorer.models.fingerprint import state_fingerprint
    from explorer.models.registry import copy_model, random_input

    spec, other = ModelSpec.create("v1", groups=3, scale=0.5), ModelSpec.create("v2", scale=0.5)
    expected = state_fingerprint(build_model(spec, seed=5))
    stop = threading.Event()
    busy = []

    def other_threads_at_work():
        while not stop.is_set():
            copy_model(build_model(other), other)
            random_input(1, 3, 32, 32)
            busy.append(1)

    helper = threading.Thread(target=other_threads_at_work)
    helper.start()
    try:
        seen = {state_fingerprint(build_model(spec, seed=5)) for _ in range(6)}
    finally:
        stop.set()
        helper.join()
    assert busy and seen == {expected}
