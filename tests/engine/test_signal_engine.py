"""The engine with two kinds of input: the compact net brings its sensor stream along, a source
of the wrong kind is refused, a recording's channel count sets the input, trained weights carry
their own standardisation and class names."""

import numpy as np
import pytest
import torch

from explorer.engine.bundle_request import BundleRequest, build_bundle
from explorer.engine.bundles import load_bundle
from explorer.engine.config import RunConfig
from explorer.engine.pipeline import InferencePipeline
from explorer.engine.state import AppState
from explorer.engine.worker import Engine
from explorer.models import ModelSpec
from explorer.models.recipe import SignalRecipe
from explorer.sources import SyntheticSource, inertial, open_source
from explorer.teach.signal_trainer import train_signals
from tests.engine.test_worker import wait_until

IMAGE = ModelSpec.create("v2", scale=0.5, input_size=64)
COMPACT = ModelSpec.create("compact")


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path / "cache"))
    config = RunConfig(IMAGE, backend="channels_last", threads=1)
    source = open_source("synthetic:2")
    state = AppState(config, source.text)
    messages = []
    state.message.connect(lambda text, error: messages.append((text, error)))
    engine = Engine(state, build_bundle(BundleRequest.of(config, check_agreement=False)), source, pace=False)
    state.frame_ready.connect(engine.take_result)
    engine.messages = messages
    engine.start()
    yield engine
    engine.stop()


def test_the_compact_net_brings_its_signal_stream_and_the_image_model_gets_its_scene_back(engine):
    state = engine.state
    state.request(spec=COMPACT)
    wait_until(lambda: engine.bundle.spec == COMPACT and engine.source.input_kind == "signal")
    assert state.source_text == "signal:synthetic"
    assert any("reads sensor signals: source switched to signal:synthetic" in text for text, _ in engine.messages)
    frames = engine.frames
    wait_until(lambda: engine.frames > frames + 3)  # windows flow through the compact net
    state.request(spec=IMAGE)
    wait_until(lambda: engine.bundle.spec == IMAGE and engine.source.input_kind == "image")
    assert state.source_text == "synthetic:2"  # the image source it had before, not a default


def test_a_source_of_the_wrong_kind_is_refused_and_the_video_keeps_running(engine):
    state = engine.state
    assert engine.request_source("signal:synthetic").result(timeout=30) is None
    text, error = engine.messages[-1]
    assert error and "gives sensor signals, but ShuffleNet V2" in text and "pick a model for it first" in text
    assert engine.source.input_kind == "image" and state.source_text == "synthetic:2"
    frames = engine.frames
    wait_until(lambda: engine.frames > frames + 2)


def test_a_recording_with_other_channels_sets_the_compact_nets_input(engine, tmp_path):
    state = engine.state
    state.request(spec=COMPACT)
    wait_until(lambda: engine.bundle.spec == COMPACT and engine.source.input_kind == "signal")
    np.save(tmp_path / "six.npy", inertial.generate(30, seed=3).signals[:, :6])
    assert engine.request_source(str(tmp_path / "six.npy")).result(timeout=30) is not None
    wait_until(lambda: engine.bundle.spec.input_size == (128, 6) and engine.source.modal == 6)
    frames = engine.frames
    wait_until(lambda: engine.frames > frames + 2)
    assert any(
        "has 6 channels: the Compact ChannelShuffle net's input is now 128x6" in text for text, _ in engine.messages
    )


def test_trained_signal_weights_load_with_their_statistics_and_activity_names(tmp_path):
    train = inertial.windows(inertial.generate(240, seed=0), 128, 32)
    val = inertial.windows(inertial.generate(120, seed=1), 128, 64)
    trained = train_signals(train, val, inertial.ACTIVITIES, inertial.CHANNELS, epochs=2)
    path = trained.save(tmp_path / "compact.pt")
    bundle = load_bundle(RunConfig(COMPACT, str(path), "eager", 1))
    assert bundle.trained and bundle.labels == list(inertial.ACTIVITIES)
    assert isinstance(bundle.recipe, SignalRecipe) and np.allclose(bundle.recipe.mean, trained.mean)
    window = open_source("signal:synthetic:5").read()
    result = InferencePipeline(bundle).run(window)
    with torch.no_grad():
        expected = trained.model(trained.standardise(window.window(128)[None])).softmax(1)[0]
    assert result.top[0].label == inertial.ACTIVITIES[int(expected.argmax())]
    assert result.top[0].prob == pytest.approx(float(expected.max()), abs=1e-5)  # the same standardisation as training
    with pytest.raises(ValueError, match="not images"):
        InferencePipeline(bundle).run(SyntheticSource().frame_at(0))
