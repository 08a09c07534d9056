"""The engine without any window: mailbox, overtaking requests, swaps between frames, auto."""

import threading
import time

import pytest
import torch

from explorer.engine.bundle_request import BundleRequest, build_bundle
from explorer.engine.config import AUTO, RunConfig
from explorer.engine.pipeline import InferencePipeline
from explorer.engine.state import AppState
from explorer.engine.worker import Engine
from explorer.models import ModelSpec
from explorer.runtime import onnx_backend, registry
from explorer.runtime.base import TapExport
from explorer.sources import SyntheticSource
from explorer.sources.signal_stream import synthetic_signal_source

SMALL = ModelSpec.create("v2", scale=0.5, input_size=64)
WAIT = 60.0


def wait_until(condition, timeout=WAIT):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
def make_engine(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path / "cache"))
    made = []

    def make(config=RunConfig(SMALL, backend="channels_last", threads=1)):
        state = AppState(config)
        engine = Engine(
            state,
            build_bundle(BundleRequest.of(config, check_agreement=False)),
            SyntheticSource(size=(60, 80)),
            pace=False,
        )
        # a UI that takes every result (as the window does on frame_ready)
        state.frame_ready.connect(engine.take_result)
        made.append(engine)
        return state, engine

    yield make
    for engine in made:
        engine.stop()


def test_engine_drops_stale_results_instead_of_queueing():
    state = AppState(RunConfig(ModelSpec.create("compact")))
    source = synthetic_signal_source()
    engine = Engine(state, build_bundle(BundleRequest.of(ModelSpec.create("compact"))), source)
    emitted = []
    state.frame_ready.connect(lambda: emitted.append(1))
    pipeline = InferencePipeline(engine.bundle)
    results = [pipeline.run(source.frame_at(i), frame_index=i) for i in range(3)]
    for result in results:
        engine._publish(result)
    assert len(emitted) == 1  # one signal while the UI has not taken the result
    assert engine.take_result().frame_index == 2  # the newest one; the older two were dropped
    assert engine.take_result() is None
    engine._publish(results[0])
    assert len(emitted) == 2
    engine.stop()


def test_a_newer_request_overtakes_an_older_one_that_finishes_later(make_engine):
    state, engine = make_engine()
    engine.start()
    release = threading.Event()
    slow_spec, fast_spec = SMALL.with_changes(input_size=96), SMALL.with_changes(input_size=128)

    def slow(progress):
        release.wait(WAIT)  # finishes only after the newer request is done
        return build_bundle(BundleRequest.of(slow_spec, backend="channels_last", threads=1, check_agreement=False))

    engine.submit_build(slow, "slow")
    state.request(spec=fast_spec)  # queued behind the slow one on the single builder thread
    release.set()
    wait_until(lambda: engine.bundle.spec == fast_spec)
    frames = engine.frames
    wait_until(lambda: engine.frames > frames + 5)
    assert engine.bundle.spec == fast_spec  # the slow, older build was discarded, never swapped in


def test_a_rebuild_is_swapped_in_between_frames_while_frames_keep_coming(make_engine):
    state, engine = make_engine()
    seen = []  # (frame index, spec) of every frame, in order
    original = engine._publish
    engine._publish = lambda result: (seen.append((result.frame_index, result.spec)), original(result))
    engine.start()
    wait_until(lambda: len(seen) >= 2)
    target = ModelSpec.create("v1", groups=8, scale=2.0, input_size=96)
    state.request(spec=target)
    wait_until(lambda: any(spec == target for _, spec in seen[-3:]))
    swap = next(i for i, (_, spec) in enumerate(seen) if spec == target)
    assert swap >= 3, "frames of the old model kept arriving while the new one was built"
    indices = [index for index, _ in seen]
    assert indices == list(range(len(indices)))  # no frame lost or repeated across the swap


def test_a_failed_request_reverts_the_requested_config_to_what_runs(make_engine, tmp_path):
    state, engine = make_engine()
    engine.start()
    messages, requested = [], []
    state.message.connect(lambda text, error: messages.append(text))
    state.requested.connect(lambda config, explicit: requested.append(config))
    state.request(weights=str(tmp_path / "missing.pth"))
    wait_until(lambda: any("could not build" in m for m in messages))
    wait_until(lambda: not requested[-1].weights)  # the controls are told to show what runs again
    assert state.config == engine.bundle.config and not state.config.weights


def test_weights_carried_over_to_a_variant_they_do_not_fit_run_it_untrained(make_engine, tmp_path):
    from explorer.models import build_model

    path = tmp_path / "w.pth"
    torch.save(build_model(SMALL).state_dict(), path)
    state, engine = make_engine()
    engine.start()
    state.request(weights=str(path))
    wait_until(lambda: engine.bundle.trained)
    messages = []
    state.message.connect(lambda text, error: messages.append(text))
    state.request(spec=SMALL.with_changes(scale=1.0))
    wait_until(lambda: engine.bundle.spec.scale == 1.0)
    assert not engine.bundle.trained and str(engine.bundle.config.weights) == str(path)  # the choice is kept
    wait_until(lambda: any("untrained" in m for m in messages))


def test_auto_moves_to_onnx_runtime_when_it_agrees(make_engine, auto_candidates):
    auto_candidates("onnxruntime")
    state, engine = make_engine(RunConfig(SMALL, backend=AUTO, threads=1))
    assert engine.bundle.backend == "channels_last"  # the first frames never wait for an export
    engine.start()
    wait_until(lambda: engine.bundle.backend == "onnxruntime")
    note = engine.bundle.auto_reason
    assert note.startswith("auto → ONNX Runtime:") and "agreement 100 %" in note and "torch channels_last" in note
    assert engine.bundle.config.backend == AUTO and engine.bundle.agreement.top1_agreement == 1.0
    frames = engine.frames
    wait_until(lambda: engine.frames > frames + 3)


def test_onnx_runtime_exports_the_taps_only_when_a_view_first_wants_them(make_engine, auto_candidates):
    auto_candidates("onnxruntime")
    state, engine = make_engine(RunConfig(SMALL, backend=AUTO, threads=1))
    published, publish = [], engine._publish
    engine._publish = lambda result: (published.append(result), publish(result))
    busy = []
    state.busy.connect(lambda now: busy.append(now.text))
    engine.start()
    wait_until(lambda: engine.bundle.backend == "onnxruntime")
    runner = engine.bundle.runner
    frames = engine.frames
    wait_until(lambda: engine.frames > frames + 3)
    assert not runner.taps_ready and not runner.taps_wanted  # the Live tab's frames never export the taps
    tap = engine.bundle.taps[-1].name
    state.set_taps([tap])
    wait_until(lambda: runner.taps_ready and published[-1].features.get(tap) is not None)
    assert any("exporting the feature taps" in text for text in busy) and busy[-1] == ""
    asked = [r for r in published if r.frame_index >= frames]
    assert tap not in asked[0].features and asked[0].top  # meanwhile the logits go on
    info = engine.bundle.taps[-1]
    assert published[-1].features[tap].shape == (info.channels, info.height, info.width)
    assert engine.bundle.tap_export is TapExport.READY


def test_auto_brings_the_taps_with_the_swap_when_a_view_already_taps(make_engine, auto_candidates):
    auto_candidates("onnxruntime")
    state, engine = make_engine(RunConfig(SMALL, backend=AUTO, threads=1))
    tap = engine.bundle.taps[-1].name
    state.set_taps([tap])
    engine.start()
    wait_until(lambda: engine.bundle.backend == "onnxruntime")
    assert engine.bundle.runner.taps_ready  # no frame of the Features tab goes without its maps


class Disagreeing:
    """A backend whose logits are off by more than auto tolerates."""

    taps_pending = False

    def __init__(self, model):
        self.model = model.eval()

    def __call__(self, x, taps=(), embedding=False):
        with torch.inference_mode():
            logits = self.model(x)
        return logits + torch.linspace(0, 5, logits.shape[1]), {}

    def build_taps(self, model, spec):
        pass


def test_auto_stays_on_torch_and_says_why_when_a_candidate_disagrees(make_engine, monkeypatch, request):
    wrong = registry.register(
        registry.Backend("wrong", "a wrong backend", "wrong", lambda r: Disagreeing(r.model), auto_candidate=True)
    )
    request.addfinalizer(lambda: registry.unregister(wrong.name))
    monkeypatch.setattr(registry, "all_backends", lambda: [registry.get("channels_last"), wrong])
    state, engine = make_engine(RunConfig(SMALL, backend=AUTO, threads=1))
    explained = []
    state.agreement.connect(lambda bundle: explained.append(bundle.auto_reason))
    engine.start()
    wait_until(lambda: explained)
    assert "wrong skipped: disagrees with fp32 eager" in explained[-1]
    assert explained[-1].startswith("auto → torch channels_last")
    assert engine.bundle.backend == "channels_last" and engine.bundle.auto_reason == explained[-1]


def test_auto_stays_on_torch_when_onnx_runtime_is_missing(make_engine, monkeypatch, auto_candidates):
    auto_candidates("onnxruntime")
    from explorer.optional import Availability

    missing = Availability(
        "onnxruntime", False, None, "ModuleNotFoundError", "the ONNX Runtime backend", "pip install onnxruntime onnx"
    )
    monkeypatch.setattr(onnx_backend, "onnxruntime_status", lambda: missing)
    state, engine = make_engine(RunConfig(SMALL, backend=AUTO, threads=1))
    explained = []
    state.agreement.connect(lambda bundle: explained.append(bundle.auto_reason))
    engine.start()
    wait_until(lambda: explained)
    assert "not installed" in explained[-1] and "pip install onnxruntime" in explained[-1]
    assert engine.bundle.backend == "channels_last"


def test_weights_follow_their_architecture_in_the_state():
    from explorer.engine.config import RunConfig
    from explorer.engine.state import AppState
    from explorer.models import ModelSpec

    compact, v2, v1 = ModelSpec.create("compact"), ModelSpec.create("v2", scale=0.5), ModelSpec.create("v1")
    state = AppState(RunConfig(compact, "/kept/compact.pt"), weights_by_arch={"v1": "none"})
    explicit = []
    state.requested.connect(lambda config, chosen: explicit.append(chosen))
    state.request(spec=v2)
    assert not state.config.weights and explicit == [False]  # not carried, and not a user's choice (never strict)
    state.request(spec=v1)
    assert not state.config.weights  # "none" remembered for V1: turned down, so untrained
    state.request(spec=compact)
    assert str(state.config.weights) == "/kept/compact.pt"  # switching back finds them
    state.request(weights="torchvision", spec=v2)
    assert str(state.config.weights) == "torchvision" and explicit[-1] is True


def test_auto_runs_the_fastest_agreeing_backend_and_names_every_time(make_engine, auto_candidates):
    auto_candidates("onnxruntime")
    """Injected timings: the candidate the timer calls fastest wins, and the reason names each time."""
    timings = {}

    def timer(runner, _x):
        return timings[type(runner).__name__]

    timings["OnnxRunner"] = 0.25  # faster than any live torch frame
    state, engine = make_engine(RunConfig(SMALL, backend=AUTO, threads=1))
    engine.checks._timer = timer
    engine.start()
    wait_until(lambda: engine.bundle.backend == "onnxruntime")
    reason = engine.bundle.auto_reason
    assert (
        reason.startswith("auto → ONNX Runtime: ONNX Runtime 0.2 ms vs torch channels_last ")
        and "agreement 100 %" in reason
    )


def test_auto_stays_on_torch_when_the_candidate_is_slower(make_engine, auto_candidates):
    auto_candidates("onnxruntime")
    state, engine = make_engine(RunConfig(SMALL, backend=AUTO, threads=1))
    engine.checks._timer = lambda runner, x: 1e4  # ONNX Runtime "takes" 10 s a frame
    explained = []
    state.agreement.connect(lambda bundle: explained.append(bundle.auto_reason))
    engine.start()
    wait_until(lambda: explained)
    assert (
        explained[-1].startswith("auto → torch channels_last: torch channels_last ")
        and "ONNX Runtime 10000.0 ms" in explained[-1]
    )
    assert engine.bundle.backend == "channels_last"


# what the app may hold once N changes, requested faster than any build, have settled: the running
# bundle and at most one more (an auto candidate), each with an ONNX Runtime runner of two sessions
HELD_BUNDLES, HELD_SESSIONS, BUILDS_FOR_A_BURST = 2, 4, 3


def test_changes_faster_than_builds_leave_a_bounded_amount_behind_not_one_per_change(
    make_engine, monkeypatch, auto_candidates
):
    import gc

    import onnxruntime

    from explorer.engine import builder
    from explorer.engine.pipeline import ModelBundle

    auto_candidates("onnxruntime")
    built = []
    real = builder.load_bundle
    monkeypatch.setattr(builder, "load_bundle", lambda config, **kw: built.append(config.spec) or real(config, **kw))
    state, engine = make_engine(RunConfig(SMALL, backend=AUTO, threads=1))
    engine.start()
    changes = [SMALL.with_changes(input_size=64 + 8 * i) for i in range(1, 25)]
    for spec in changes:  # 24 changes at once: a hand on the arrow keys of a combo box
        state.request(spec=spec)
    wait_until(lambda: engine.bundle.spec == changes[-1] and engine.bundle.auto_reason != "")
    assert len(built) <= BUILDS_FOR_A_BURST  # the overtaken requests were never built
    gc.collect()
    alive = [o for o in gc.get_objects() if type(o) is ModelBundle]
    sessions = [o for o in gc.get_objects() if type(o) is onnxruntime.InferenceSession]
    assert len(alive) <= HELD_BUNDLES and len(sessions) <= HELD_SESSIONS, (len(alive), len(sessions))
