import numpy as np
import pytest
import torch

from explorer.engine.bundle_request import BundleRequest, build_bundle
from explorer.engine.pipeline import InferencePipeline, to_input
from explorer.engine.preprocess import preprocess_image, preprocess_signal, resize_and_crop
from explorer.models import ModelSpec
from explorer.models.recipe import Recipe, SignalRecipe
from explorer.sources import SyntheticSource
from explorer.sources.signal_stream import synthetic_signal_source


def test_resize_and_crop_keeps_the_centre():
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[:, 320:] = 255  # right half white
    patch = resize_and_crop(frame, 256, 224)
    assert patch.shape == (224, 224, 3)
    assert patch[:, :100].mean() < 10 and patch[:, 124:].mean() > 245


def test_preprocess_normalises_with_the_recipe():
    frame = np.full((300, 400, 3), 255, np.uint8)
    x = preprocess_image(frame, Recipe.imagenet(224))
    assert x.shape == (1, 3, 224, 224)
    expected = (1 - torch.tensor([0.485, 0.456, 0.406])) / torch.tensor([0.229, 0.224, 0.225])
    assert torch.allclose(x[0, :, 100, 100], expected, atol=1e-5)
    megvii = preprocess_image(frame, Recipe(256, 224, mean=(0, 0, 0), std=(1, 1, 1), scale=1.0, bgr=True))
    assert float(megvii.max()) == 255.0


def test_signal_preprocessing_for_the_compact_net():
    window = synthetic_signal_source(seed=1).frame_at(3)
    x = preprocess_signal(window, (128, 9))  # untrained: each channel standardised on the window itself
    assert x.shape == (1, 1, 128, 9)
    assert np.allclose(x[0, 0].mean(0), 0, atol=1e-4) and np.allclose(x[0, 0].std(0, unbiased=False), 1, atol=1e-3)
    samples = window.window(128)
    assert np.allclose(
        x[0, 0, -1].numpy(), (samples[-1] - samples.mean(0)) / (samples.std(0) + 1e-6), atol=1e-5
    )  # newest last
    recipe = SignalRecipe(tuple(range(9)), (2.0,) * 9)  # trained: the training windows' statistics
    y = preprocess_signal(window, (128, 9), recipe)
    assert np.allclose(y[0, 0].numpy(), (samples - np.arange(9)) / 2, atol=1e-5)
    with pytest.raises(ValueError, match="not images"):
        preprocess_signal(SyntheticSource().frame_at(0), (128, 9))
    with pytest.raises(ValueError, match="does not fit"):
        preprocess_signal(window, (128, 6))
    with pytest.raises(ValueError, match="classifies images"):
        to_input(window, ModelSpec.create("v2"), Recipe.imagenet(224))


def sample_input(spec):
    return synthetic_signal_source().frame_at(0) if spec.input_kind == "signal" else SyntheticSource().frame_at(0)


@pytest.mark.parametrize(
    "spec,tap",
    [
        (ModelSpec.create("v2", scale=0.5, input_size=128), "stage3"),
        (ModelSpec.create("compact"), "blocks.1.after_shuffle"),
    ],
)
def test_pipeline_returns_top5_taps_and_timings(spec, tap):
    pipeline = InferencePipeline(build_bundle(BundleRequest.of(spec)))
    result = pipeline.run(sample_input(spec), taps=(tap, "not-a-tap"))
    assert set(result.features) == {tap}  # unknown taps are ignored, never an error
    probs = [p.prob for p in result.top]
    assert len(probs) == 5 and probs == sorted(probs, reverse=True)
    logits, _ = pipeline.bundle.runner(to_input(result.frame, spec, pipeline.bundle.recipe))
    full = torch.softmax(logits[0], 0)
    assert probs == pytest.approx(full.topk(5).values.tolist(), abs=1e-5)  # the model's own top-5, not made up
    assert not result.trained
    feature = result.features[tap]
    assert feature.ndim == 3 and feature.dtype == np.float32
    assert set(result.timings) == {"capture", "preprocess", "inference", "postprocess"}


def test_an_untrained_model_is_the_same_in_every_run_and_leaves_torchs_random_state_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path))
    spec = ModelSpec.create("v2", scale=0.5, input_size=64)
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    first = build_bundle(BundleRequest.of(spec, backend="onnxruntime", check_agreement=False))
    assert torch.equal(torch.rand(3), expected)  # the init's seed did not touch the caller's stream
    second = build_bundle(BundleRequest.of(spec, backend="onnxruntime", check_agreement=False))
    for a, b in zip(first.model.state_dict().values(), second.model.state_dict().values()):
        assert torch.equal(a, b)
    other = build_bundle(BundleRequest.of(spec.with_changes(shuffle=False), backend="eager", check_agreement=False))
    assert not torch.equal(next(other.model.parameters()), next(first.model.parameters()))  # its own seed per spec
    # one export per (spec, weights) on disk, not a new file on every start (the lean model is cut out of it)
    assert len(list((tmp_path / "onnx").glob("*.onnx"))) == 1
