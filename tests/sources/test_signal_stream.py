"""Sensor streams as a source: playback at the sample rate, windows by hop, labels, files, parsing."""

import numpy as np
import pytest

from explorer.sources import SourceError, inertial, open_source
from explorer.sources.factory import is_signal_source, recording_path
from explorer.sources.signal_stream import HISTORY, SignalSource, synthetic_signal_source


def test_reads_slide_by_the_hop_with_the_newest_sample_last():
    stream = inertial.generate(60, seed=4)
    source = SignalSource(stream.signals, inertial.CHANNELS, hop=7, labels=stream.labels, classes=inertial.ACTIVITIES)
    assert source.fps == pytest.approx(50 / 7) and source.input_kind == "signal"
    first, second = source.read(), source.read()
    assert first.history.shape == (HISTORY, 9) and second.end - first.end == 7
    assert np.array_equal(first.history, stream.signals[:HISTORY])  # starts with a full history
    assert np.array_equal(second.history[-1], stream.signals[HISTORY + 6])
    assert np.array_equal(second.window(128), stream.signals[HISTORY + 7 - 128 : HISTORY + 7])
    assert second.label(128) == inertial.ACTIVITIES[stream.labels[HISTORY + 7 - 128 + 64]]  # the window's centre
    assert source.frame_at(1).end == second.end and source.read().end == second.end + 7  # frame_at does not move it


def test_the_recording_loops_so_a_demo_never_runs_dry():
    signals = np.arange(600 * 2, dtype=np.float32).reshape(600, 2)
    source = SignalSource(signals, ("a", "b"), hop=50)
    for _ in range(3):
        window = source.read()
    assert window.end == HISTORY + 100
    assert window.history[-1, 0] == signals[(HISTORY + 99) % 600, 0]  # past the end: from the start again
    with pytest.raises(ValueError, match="longer recording"):
        SignalSource(signals[:100], ("a", "b")).read().window(128)


def test_source_texts_open_the_right_streams(tmp_path):
    default, seeded = open_source("signal:synthetic"), open_source("signal:synthetic:3@10")
    assert default.hop == 5 and seeded.hop == 10 and "seed 3" in seeded.describe()
    assert not np.array_equal(default.read().history, seeded.read().history)
    assert np.array_equal(open_source("signal:synthetic:3").read().history, synthetic_signal_source(3).read().history)
    stream = inertial.generate(30, seed=1)
    np.save(tmp_path / "rec.npy", stream.signals)
    np.save(tmp_path / "rec.labels.npy", stream.labels)
    played = open_source(f"{tmp_path / 'rec.npy'}@25")
    assert played.hop == 25 and played.labels is not None and played.text.endswith("rec.npy@25")
    np.save(tmp_path / "windows.npy", np.stack([np.full((32, 3), i, np.float32) for i in range(20)]))
    windows = open_source(str(tmp_path / "windows.npy"))  # windowed: played one window after another
    assert windows.signals.shape == (640, 3) and windows.signals[32, 0] == 1
    assert (
        is_signal_source("walk.csv@10") and is_signal_source("signal:synthetic") and not is_signal_source("synthetic")
    )
    assert recording_path("signal:data/walk.csv@10") == "data/walk.csv" and recording_path("signal:synthetic:2") is None


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("signal:synthetic:x", "expected a number"),
        ("signal:synthetic@0", "hop must be"),
        ("signal:walk.wav", "signal:synthetic"),
        ("missing.csv", "no such file"),
    ],
)
def test_bad_signal_sources_get_one_clear_message(text, fragment):
    with pytest.raises(SourceError, match=fragment):
        open_source(text)
