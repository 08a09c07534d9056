"""Synthetic inertial streams, the compact net trained end to end on them, and its checkpoint."""

import json

import numpy as np
import pytest
import torch

from explorer.cli import main
from explorer.models import ModelSpec
from explorer.sources import inertial
from explorer.sources.base import SourceError
from explorer.sources.signal_files import read_signal_file
from explorer.teach.signal_trainer import train_signals
from explorer.weights import load_weights


def test_the_generator_is_deterministic_by_seed_and_names_its_channels():
    a, b, c = inertial.generate(60, seed=3), inertial.generate(60, seed=3), inertial.generate(60, seed=4)
    assert np.array_equal(a.signals, b.signals) and np.array_equal(a.labels, b.labels)
    assert not np.array_equal(a.signals, c.signals)
    assert a.signals.shape == (3000, 9) and a.signals.dtype == np.float32 and len(inertial.CHANNELS) == 9
    assert np.isfinite(a.signals).all()
    long = inertial.generate(900, seed=1)
    assert set(np.unique(long.labels)) == set(range(6))  # every activity shows up
    total = long.signals[:, 6:9]  # total acceleration: gravity (1 g) plus body motion
    still = np.isin(long.labels, [3, 4, 5])
    assert np.linalg.norm(total[still], axis=1).mean() == pytest.approx(1.0, abs=0.05)


def test_windows_slide_with_the_hop_and_take_the_centre_label():
    stream = inertial.generate(30, seed=0)
    x, y = inertial.windows(stream, 128, 32)
    assert x.shape == ((1500 - 128) // 32 + 1, 128, 9)
    assert np.array_equal(x[1], stream.signals[32:160]) and y[1] == stream.labels[32 + 64]
    with pytest.raises(ValueError, match="fewer than one window"):
        inertial.windows(inertial.generate(1, seed=0), 128, 32)


def per_window_statistics_accuracy(seed=0):
    """A linear classifier on each window's per-channel mean and spread."""
    train = inertial.windows(inertial.generate(900, seed=seed), 128, 64)
    val = inertial.windows(inertial.generate(400, seed=seed + 99), 128, 64)

    def feats(x):
        return np.concatenate([x.mean(1), x.std(1)], 1)

    a, b = feats(train[0]), feats(val[0])
    mu, sd = a.mean(0), a.std(0) + 1e-9
    a, b = torch.tensor((a - mu) / sd, dtype=torch.float32), torch.tensor((b - mu) / sd, dtype=torch.float32)
    torch.manual_seed(0)
    linear = torch.nn.Linear(18, 6)
    opt = torch.optim.LBFGS(linear.parameters(), max_iter=300)
    target = torch.tensor(train[1])

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(linear(a), target) + 1e-4 * linear.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return float((linear(b).argmax(1).numpy() == val[1]).mean())


def test_the_task_is_learnable_from_statistics_but_not_trivially():
    accuracy = per_window_statistics_accuracy()
    assert (
        1 / 6 + 0.3 < accuracy < 0.95
    )  # postures and running from level and spread; walking vs stairs need the waveform


def test_a_short_training_run_beats_chance_by_a_wide_margin_and_round_trips(tmp_path):
    train = inertial.windows(inertial.generate(300, seed=5), 128, 32)
    val = inertial.windows(inertial.generate(150, seed=5 + 1_000_003), 128, 64)
    result = train_signals(train, val, inertial.ACTIVITIES, inertial.CHANNELS, epochs=4, seed=0)
    assert [row.epoch for row in result.history] == [1, 2, 3, 4]
    assert result.history[-1].train_accuracy > 0.6 and result.history[-1].val_accuracy > 0.5  # chance: 1/6
    path = result.save(tmp_path / "compact.pt")
    loaded = load_weights(ModelSpec.create("compact"), str(path))
    assert loaded.origin == "own"
    x = result.standardise(val[0][:8])
    with torch.no_grad():
        assert torch.equal(loaded.model.eval()(x), result.model(x))
    saved = torch.load(path, weights_only=True)
    assert saved["classes"] == list(inertial.ACTIVITIES) and len(saved["mean"]) == 9


def test_training_refuses_bad_data():
    x = np.zeros((10, 128, 9), np.float32)
    with pytest.raises(ValueError, match="too few"):
        train_signals((x, np.zeros(10, int)), (x, np.zeros(10, int)), inertial.ACTIVITIES, inertial.CHANNELS)
    with pytest.raises(ValueError, match="one label each"):
        train_signals((x, np.zeros(3, int)), (x, np.zeros(10, int)), inertial.ACTIVITIES, inertial.CHANNELS)


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (["train", "--arch", "v2"], "compact"),
        (["train", "--source", "/nonexistent/walk.csv"], "no such file"),
        (["train", "--epochs", "0"], "epochs"),
        (["train", "--out", "/nonexistent/dir/c.pt"], "does not exist"),
    ],
)
def test_train_bad_arguments_exit_2_with_one_line(capsys, argv, fragment):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_train_json_reports_the_curve_and_the_weights(capsys, tmp_path):
    out = tmp_path / "c.pt"
    assert main(["train", "--epochs", "2", "--seconds", "200", "--threads", "2", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["epochs"] == 2 and len(summary["curve"]) == 2 and summary["weights"] == str(out) and out.is_file()
    assert {"train_accuracy", "val_accuracy", "seconds"} <= summary.keys()


def write_csv(path, signals, labels=None, header=None):
    header = header or [f"acc_{i}" for i in range(signals.shape[1])]
    lines = [",".join(header + (["label"] if labels is not None else []))]
    for i, row in enumerate(signals):
        lines.append(",".join(f"{v:.5f}" for v in row) + (f",{labels[i]}" if labels is not None else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_labelled_csv_reads_and_trains_split_in_time(capsys, tmp_path):
    stream = inertial.generate(240, seed=8)
    names = [inertial.ACTIVITIES[i] for i in stream.labels]
    path = write_csv(tmp_path / "walk.csv", stream.signals, names, list(inertial.CHANNELS))
    recording = read_signal_file(path)
    assert recording.channels == inertial.CHANNELS and np.allclose(recording.signals, stream.signals, atol=1e-5)
    assert [recording.classes[i] for i in recording.labels] == names
    assert main(["train", "--source", str(path), "--epochs", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["train_windows"] == (int(12000 * 0.8) - 128) // 32 + 1 and summary["val_windows"] > 0


def test_npy_recordings_plain_and_windowed(tmp_path):
    np.save(tmp_path / "plain.npy", np.zeros((300, 6), np.float32))
    np.save(tmp_path / "windows.npy", np.zeros((5, 128, 9), np.float64))
    assert read_signal_file(tmp_path / "plain.npy").signals.shape == (300, 6)
    windowed = read_signal_file(tmp_path / "windows.npy")
    assert windowed.windowed and windowed.signals.dtype == np.float32 and windowed.labels is None


def test_npy_labels_beside_the_recording_read_and_train(capsys, tmp_path):
    stream = inertial.generate(200, seed=9)
    np.save(tmp_path / "walk.npy", stream.signals)
    np.save(tmp_path / "walk.labels.npy", np.array([inertial.ACTIVITIES[i] for i in stream.labels]))  # names
    recording = read_signal_file(tmp_path / "walk.npy")
    assert [recording.classes[i] for i in recording.labels] == [inertial.ACTIVITIES[i] for i in stream.labels]
    assert main(["train", "--source", str(tmp_path / "walk.npy"), "--epochs", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["train_windows"] == (int(10000 * 0.8) - 128) // 32 + 1
    windows, labels = inertial.windows(stream, 128, 64)  # UCI HAR's layout: windows and one number each
    np.save(tmp_path / "har.npy", windows)
    np.save(tmp_path / "har.labels.npy", labels[:, None] + 1)
    windowed = read_signal_file(tmp_path / "har.npy")
    assert (
        windowed.windowed and np.array_equal(windowed.labels, labels) and windowed.classes[0] == str(labels.min() + 1)
    )
    assert main(["train", "--source", str(tmp_path / "har.npy"), "--epochs", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["train_windows"] == int(len(windows) * 0.8) and summary["val_windows"] == len(windows) - int(
        len(windows) * 0.8
    )


@pytest.mark.parametrize(
    "labels,fragment",
    [
        (np.zeros(10, np.int64), "expected 300 labels"),
        (np.full(300, 0.5), "whole numbers"),
    ],
)
def test_bad_npy_labels_get_one_clear_message(tmp_path, labels, fragment):
    np.save(tmp_path / "rec.npy", np.zeros((300, 3), np.float32))
    np.save(tmp_path / "rec.labels.npy", labels)
    with pytest.raises(SourceError, match=fragment):
        read_signal_file(tmp_path / "rec.npy")


@pytest.mark.parametrize(
    "name,content,fragment",
    [
        ("no_header.csv", "1,2,3\n4,5,6\n", "must name the channels"),
        ("text.csv", "a,b\n1,x\n" + "1,2\n" * 200, "not a number"),
        ("ragged.csv", "a,b\n1,2\n3\n", "has 1 columns"),
        ("short.csv", "a,b\n" + "1,2\n" * 20, "fewer than one window"),
        ("nan.csv", "a,b\n" + "1,2\n" * 150 + "nan,2\n", "NaN"),
        ("empty.csv", "", "header row"),
        ("wrong.txt", "a\n1\n", ".csv"),
    ],
)
def test_every_bad_signal_file_gets_one_clear_message(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(SourceError, match=fragment):
        read_signal_file(path)


@pytest.mark.parametrize(
    "array,fragment",
    [
        (np.zeros((4, 4, 4, 4)), "expected"),
        (np.zeros((300, 1000)), "transposed"),
        (np.array(["a", "b"]), "not numbers"),
        (np.full((200, 3), np.nan), "NaN"),
        (np.zeros((50, 3)), "fewer than one window"),
    ],
)
def test_every_bad_npy_gets_one_clear_message(tmp_path, array, fragment):
    path = tmp_path / "bad.npy"
    np.save(path, array)
    with pytest.raises(SourceError, match=fragment):
        read_signal_file(path)
    (tmp_path / "garbage.npy").write_bytes(b"not numpy at all")
    with pytest.raises(SourceError, match="not a readable NumPy array"):
        read_signal_file(tmp_path / "garbage.npy")


def test_training_on_an_unlabelled_or_one_class_csv_exits_2(capsys, tmp_path):
    path = write_csv(tmp_path / "plain.csv", np.zeros((400, 3), np.float32))
    assert main(["train", "--source", str(path)]) == 2
    assert "no labels (name one column 'label')" in capsys.readouterr().err
    path = write_csv(tmp_path / "one.csv", np.zeros((400, 3), np.float32), ["walking"] * 400)
    assert main(["train", "--source", str(path)]) == 2
    assert "at least two" in capsys.readouterr().err


def test_a_trained_net_is_never_lost_to_a_cache_that_cannot_be_written(tmp_path, monkeypatch):
    from explorer.ui.views.signal_train_view import keep_trained

    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder cannot be made under a file")
    monkeypatch.setenv("EXPLORER_CACHE", str(blocker / "cache"))
    train = inertial.windows(inertial.generate(120, seed=0), 128, 64)
    trained = train_signals(train, train, inertial.ACTIVITIES, inertial.CHANNELS, epochs=1)
    path, note = keep_trained(trained, "20261201-000000")
    assert path.is_file() and "could not keep the trained net" in note and str(path) in note and "Save" in note
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path / "cache"))
    path, note = keep_trained(trained, "20261201-000001")
    assert note == "" and path.parent == tmp_path / "cache" / "trained"
