import os

import numpy as np
import pytest
import torch

from explorer.models import ModelSpec, build_model
from explorer.models.architecture import architecture  # noqa: E402
from explorer.weights import WeightsError, load_weights
from explorer.weights.labels import imagenet_labels, labels_for
from tests.weights.megvii_reference import MegviiV1, MegviiV2, randomise, save_as_dataparallel

V2_CHECKPOINTS = architecture("v2").torchvision_checkpoints


def test_imagenet_labels_ship_with_the_app():
    labels = imagenet_labels()
    assert len(labels) == 1000 and labels[0] == "tench" and labels[207] == "golden retriever"
    assert labels_for(10) == [f"class {i}" for i in range(10)]


def test_catalogue_matches_torchvision_weight_enums(torchvision_models):
    enums = {
        0.5: torchvision_models.ShuffleNet_V2_X0_5_Weights,
        1.0: torchvision_models.ShuffleNet_V2_X1_0_Weights,
        1.5: torchvision_models.ShuffleNet_V2_X1_5_Weights,
        2.0: torchvision_models.ShuffleNet_V2_X2_0_Weights,
    }
    for scale, enum in enums.items():
        weights, ours = enum.IMAGENET1K_V1, V2_CHECKPOINTS[scale]
        assert weights.url == ours.url
        assert list(weights.transforms().resize_size) == [ours.resize] and list(weights.transforms().crop_size) == [
            ours.crop
        ]
        assert weights.meta["categories"] == list(imagenet_labels())


@pytest.mark.parametrize("scale", [0.5, 2.0])
def test_torchvision_checkpoint_from_the_hub_cache_gives_torchvisions_logits(
    torchvision_models, tmp_path, monkeypatch, scale
):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    builder = {0.5: torchvision_models.shufflenet_v2_x0_5, 2.0: torchvision_models.shufflenet_v2_x2_0}[scale]
    reference = randomise(builder(), seed=3)
    cache = tmp_path / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    torch.save(reference.state_dict(), cache / V2_CHECKPOINTS[scale].filename)
    loaded = load_weights(ModelSpec.create("v2", scale=scale), "torchvision", allow_download=False)
    assert loaded.origin == "torchvision" and loaded.recipe.resize == V2_CHECKPOINTS[scale].resize
    assert loaded.labels[0] == "tench"
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        assert torch.equal(loaded.model(x), reference(x))


def test_missing_torchvision_cache_without_download_says_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(WeightsError, match="not in the cache"):
        load_weights(ModelSpec.create("v2"), "torchvision", allow_download=False)
    with pytest.raises(
        WeightsError,
        match="torchvision publishes ImageNet weights for ShuffleNet V2 0.5x.*MnasNet 1x; not for ShuffleNet V1",
    ):
        load_weights(ModelSpec.create("v1"), "torchvision")


@pytest.mark.parametrize("groups,scale", [(3, 0.5), (3, 1.0), (8, 0.5), (8, 2.0)])
def test_megvii_v1_checkpoints_give_megvii_logits(tmp_path, groups, scale):
    reference = randomise(MegviiV1(groups, scale), seed=groups)
    path = tmp_path / f"megvii_v1_g{groups}_{scale}.pth.tar"
    save_as_dataparallel(reference, path)
    loaded = load_weights(ModelSpec.create("v1", groups=groups, scale=scale), f"megvii:{path}")
    assert loaded.origin == "megvii" and loaded.recipe.bgr and loaded.recipe.scale == 1.0
    x = torch.randn(2, 3, 224, 224) * 50 + 120
    with torch.no_grad():
        assert torch.allclose(loaded.model(x), reference(x), atol=1e-3, rtol=1e-4)


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5, 2.0])
def test_megvii_v2_checkpoints_give_megvii_logits(tmp_path, scale):
    reference = randomise(MegviiV2(scale), seed=int(scale * 4))
    path = tmp_path / "megvii_v2.pth.tar"
    torch.save(
        {"state_dict": {f"module.{k}": v for k, v in reference.state_dict().items()}}, path
    )  # as their training saves
    loaded = load_weights(ModelSpec.create("v2", scale=scale), str(path))  # format detected without the prefix too
    assert loaded.origin == "megvii"
    x = torch.randn(2, 3, 224, 224) * 50 + 120
    with torch.no_grad():
        assert torch.allclose(loaded.model(x), reference(x), atol=1e-3, rtol=1e-4)


def test_own_checkpoints_round_trip_with_labels_and_class_count(tmp_path):
    spec = ModelSpec.create("v1", groups=2, scale=0.5, num_classes=7)
    model = randomise(build_model(spec), seed=9)
    path = tmp_path / "mine.pt"
    torch.save({"state_dict": model.state_dict(), "labels": [f"thing {i}" for i in range(7)]}, path)
    loaded = load_weights(spec, str(path))
    assert loaded.labels[3] == "thing 3" and loaded.origin == "own"
    x = torch.randn(1, 3, 96, 96)
    with torch.no_grad():
        assert torch.equal(loaded.model(x), model(x))


def test_compact_checkpoints_load(tmp_path):
    spec = ModelSpec.create("compact")
    model = randomise(build_model(spec))
    torch.save(model.state_dict(), tmp_path / "c.pt")
    loaded = load_weights(spec, str(tmp_path / "c.pt"))
    x = torch.randn(1, 1, 128, 9)
    with torch.no_grad():
        assert torch.equal(loaded.model(x), model(x))


class Payload:
    def __reduce__(self):
        return (os.system, ("echo should-never-run > /dev/null",))


@pytest.mark.parametrize(
    "case,fragment",
    [
        ("missing", "no such file"),
        ("corrupt", "not a readable PyTorch checkpoint"),
        ("truncated", "not a readable PyTorch checkpoint"),
        ("pickled_code", "safe (weights_only) loading refuses"),
        ("unrelated", "not a ShuffleNet checkpoint"),
        ("no_tensors", "holds no state dict"),
        ("wrong_arch", "holds ShuffleNet V1 weights, but the current model is ShuffleNet V2"),
        ("wrong_groups", "looks like ShuffleNet V1 1x g=8"),
        ("wrong_scale", "looks like ShuffleNet V2 0.5x"),
        ("wrong_classes", "has 10 output classes"),
        ("not_megvii", "not in megvii's layout"),
    ],
)
def test_every_bad_weights_case_gets_one_clear_message(tmp_path, case, fragment):
    spec = (
        ModelSpec.create("v2", scale=1.0)
        if case in ("wrong_arch", "wrong_scale", "not_megvii")
        else ModelSpec.create("v1", groups=3)
    )
    path = tmp_path / f"{case}.pth"
    if case == "corrupt":
        path.write_bytes(b"\x00garbage" * 100)
    elif case == "truncated":
        torch.save(build_model(ModelSpec.create("v1", groups=3)).state_dict(), path)
        path.write_bytes(path.read_bytes()[:5000])
    elif case == "pickled_code":
        torch.save({"state_dict": Payload()}, path)
    elif case == "unrelated":
        torch.save(torch.nn.Linear(3, 4).state_dict(), path)
    elif case == "no_tensors":
        torch.save({"epoch": 3}, path)
    elif case in ("wrong_arch", "wrong_groups"):
        torch.save(build_model(ModelSpec.create("v1", groups=8)).state_dict(), path)
    elif case == "wrong_scale":
        torch.save(build_model(ModelSpec.create("v2", scale=0.5)).state_dict(), path)
    elif case == "wrong_classes":
        torch.save(build_model(ModelSpec.create("v1", groups=3, num_classes=10)).state_dict(), path)
    elif case == "not_megvii":
        torch.save(build_model(spec).state_dict(), path)
    source = f"megvii:{path}" if case == "not_megvii" else str(path)
    with pytest.raises(WeightsError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        load_weights(spec, source)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "other_kind"])
def test_a_damaged_hub_checkpoint_is_set_aside_said_and_never_stops_a_start(tmp_path, monkeypatch, capsys, damage):
    """The app picks torchvision's cached file up by itself: a bad one must not lock the user out."""
    from explorer.cli import main as cli
    from explorer.engine.bundles import load_bundle
    from explorer.engine.config import RunConfig
    from explorer.paths import take_healed
    from explorer.weights.loader import torchvision_cached

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    spec = ModelSpec.create("v2", scale=0.5, input_size=96)
    path = tmp_path / "hub" / "checkpoints" / V2_CHECKPOINTS[0.5].filename
    path.parent.mkdir(parents=True)
    if damage == "truncated":
        torch.save(build_model(ModelSpec.create("v2", scale=0.5)).state_dict(), path)
        path.write_bytes(path.read_bytes()[:4000])
    elif damage == "garbage":
        path.write_bytes(b"\x00" * 3000)
    else:
        path.write_text("<html>a proxy's login page saved under the checkpoint's name</html>")
    assert torchvision_cached(spec)
    take_healed()
    bundle = load_bundle(RunConfig(spec, "torchvision", "eager", 1), strict=False, check_agreement=False)
    assert (
        not bundle.trained and path.name in bundle.note and "untrained" in bundle.note
    )  # the window runs, and says why
    notes = take_healed()
    assert len(notes) == 1 and str(path.parent) in notes[0] and "download the weights again" in notes[0]
    assert not path.exists() and path.with_name(path.name + ".bad").is_file() and not torchvision_cached(spec)
    # the next start no longer picks it up; asked for explicitly, the CLI says what to do in one line
    image = tmp_path / "img.png"
    import cv2

    cv2.imwrite(str(image), np.full((64, 64, 3), 120, np.uint8))
    path.write_bytes(b"\x00" * 3000)
    assert cli(["predict", str(image), "--scale", "0.5", "--weights", "torchvision"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and path.name in err and "Traceback" not in err
