"""ShuffleNet's rivals as first-class models: published complexity, taps, every backend,
torchvision's checkpoints, and a plain message without torchvision."""

import json

import pytest
import torch

from explorer.analysis.complexity import spec_tables
from explorer.cli import main
from explorer.engine.bundle_request import BundleRequest, build_bundle
from explorer.models import ModelSpec, family
from explorer.models.architecture import architecture, architectures
from explorer.models.classifier import final_linear
from explorer.models.registry import build_model, list_specs
from explorer.models.taps import describe_taps
from explorer.optional import Availability
from explorer.weights import catalog, load_weights

FAMILY = {a.name for a in architectures(shufflenet=False)}
FAMILY_SPECS = [s for s in list_specs(family=True) if s.arch in FAMILY]


def test_every_rival_is_in_the_zoo_with_its_papers_widths():
    assert [(s.arch, s.scale) for s in FAMILY_SPECS] == [
        ("mobilenet_v1", 0.25),
        ("mobilenet_v1", 0.5),
        ("mobilenet_v1", 0.75),
        ("mobilenet_v1", 1.0),
        ("mobilenet_v2", 1.0),
        ("mobilenet_v3_small", 1.0),
        ("mobilenet_v3_large", 1.0),
        ("squeezenet1_1", 1.0),
        ("mnasnet", 0.5),
        ("mnasnet", 1.0),
    ]


@pytest.mark.parametrize("spec", FAMILY_SPECS, ids=lambda s: s.label)
def test_complexity_matches_the_published_figures(torchvision_models, spec):
    report, taps = spec_tables(spec)
    published = spec.architecture.figures(spec)
    assert report.totals.madds / 1e6 == pytest.approx(published.madds_m, rel=0.03)
    if spec.arch == "mobilenet_v1":  # the paper prints millions to one decimal
        assert round(report.totals.params / 1e6, 1) == published.params / 1e6
    else:  # torchvision's metadata is exact
        assert report.totals.params == published.params
    assert len(taps) >= 9 and taps[0].point.kind == "stem" and all(t.channels > 0 for t in taps)


def test_the_controls_say_what_a_rival_does_not_have():
    with pytest.raises(ValueError, match="no group count"):
        ModelSpec.create("mobilenet_v2", groups=3)
    with pytest.raises(ValueError, match="no channel shuffle"):
        ModelSpec.create("mnasnet", shuffle=False)
    with pytest.raises(ValueError, match="scale must be one of 0.25, 0.5, 0.75, 1"):
        ModelSpec.create("mobilenet_v1", scale=2.0)
    with pytest.raises(ValueError, match="one width"):
        ModelSpec.create("squeezenet1_1", scale=0.5)


def test_squeezenet_gets_an_embedding_without_changing_its_logits(torchvision_models):
    spec = ModelSpec.create("squeezenet1_1", input_size=96)
    model = build_model(spec, seed=1)
    reference = torchvision_models.squeezenet1_1()
    reference.load_state_dict(model.state_dict())
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        assert torch.equal(model(x), reference.eval()(x))
    assert isinstance(final_linear(model), torch.nn.Identity)


@pytest.mark.parametrize("arch", ["mobilenet_v1", "mobilenet_v3_small", "squeezenet1_1"])
def test_taps_and_the_embedding_come_out_of_every_backend(torchvision_models, tmp_path, monkeypatch, arch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path))
    spec = ModelSpec.create(arch, input_size=96)
    taps = describe_taps(build_model(spec), spec.input_shape)
    tap = taps[len(taps) // 2].name
    x = torch.randn(1, 3, 96, 96)
    outputs = {}
    for backend in ("eager", "onnxruntime"):
        bundle = build_bundle(BundleRequest.of(spec, backend=backend, check_agreement=False))
        logits, features = bundle.runner(x, (tap,), embedding=True)
        outputs[backend] = (logits, features)
        assert features[tap].shape[0] == taps[len(taps) // 2].channels and features["embedding"].ndim == 1
    assert torch.allclose(outputs["eager"][0], outputs["onnxruntime"][0], atol=1e-4)


def test_torchvision_checkpoints_of_the_rivals_load_exactly(torchvision_models, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    cache = tmp_path / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    torch.manual_seed(4)
    reference = torchvision_models.mnasnet0_5().eval()
    torch.save(reference.state_dict(), cache / architecture("mnasnet").torchvision_checkpoints[0.5].filename)
    loaded = load_weights(ModelSpec.create("mnasnet", scale=0.5), "torchvision", allow_download=False)
    assert loaded.origin == "torchvision" and loaded.labels[0] == "tench" and loaded.recipe.resize == 256
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        assert torch.equal(loaded.model(x), reference(x))


def test_the_catalogue_matches_torchvisions_weight_enums(torchvision_models):
    for spec, ours in catalog.all_torchvision_checkpoints():
        if spec.architecture.shufflenet:
            continue
        weights = torchvision_models.get_model_weights(family.builder_name(spec)).IMAGENET1K_V1
        published = spec.architecture.figures(spec)
        assert weights.url == ours.url and weights.meta["_metrics"]["ImageNet-1K"]["acc@1"] == published.top1
        assert weights.meta["num_params"] == published.params and weights.meta["_ops"] * 1000 == pytest.approx(
            published.madds_m, abs=0.5
        )


def test_without_torchvision_the_rivals_say_so_and_what_to_run(monkeypatch):
    broken = Availability(
        "torchvision", False, None, "RuntimeError: operator torchvision::nms does not exist", "x", "pip install …"
    )
    monkeypatch.setattr(family, "torchvision_status", lambda: broken)
    with pytest.raises(family.TorchvisionUnavailable, match="torchvision::nms.*to fix: pip install"):
        build_model(ModelSpec.create("mobilenet_v2"))
    assert build_model(ModelSpec.create("mobilenet_v1", scale=0.25)) is not None  # built here, no torchvision needed


def test_the_cli_knows_the_rivals(capsys):
    assert main(["info", "--arch", "mobilenet_v1", "--scale", "0.25", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["madds"] / 1e6 == pytest.approx(41, rel=0.03)
    assert main(["info", "--arch", "squeezenet1_1", "--scale", "0.5"]) == 2
    assert "one width" in capsys.readouterr().err
