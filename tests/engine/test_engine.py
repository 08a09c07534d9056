import numpy as np
import pytest
import torch

from explorer.engine.pipeline import InferencePipeline, build_bundle, to_input
from explorer.engine.preprocess import preprocess_image, preprocess_signal, resize_and_crop
from explorer.models.recipe import Recipe
from explorer.models import ModelSpec
from explorer.sources import SyntheticSource


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
    x = preprocess_signal(SyntheticSource().frame_at(3), 128, 9)
    assert x.shape == (1, 1, 128, 9)
    assert abs(float(x.mean())) < 1e-4 and abs(float(x.std()) - 1) < 0.05


@pytest.mark.parametrize("spec,tap", [(ModelSpec.create("v2", scale=0.5, input_size=128), "stage3"), (ModelSpec.create("compact"), "blocks.1.after_shuffle")])
def test_pipeline_returns_top5_taps_and_timings(spec, tap):
    pipeline = InferencePipeline(build_bundle(spec))
    result = pipeline.run(SyntheticSource().frame_at(0), taps=(tap, "not-a-tap"))
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
