import hashlib
import http.server
import json
import threading

import cv2
import numpy as np
import pytest
import torch

from explorer.cli import main
from explorer.models import ModelSpec, build_model
from explorer.models.architecture import Checkpoint, architecture  # noqa: E402
from explorer.weights import load_weights
from explorer.weights.download import DownloadCancelled, DownloadError, download
from tests.weights.megvii_reference import randomise

V2_CHECKPOINTS = architecture("v2").torchvision_checkpoints


@pytest.fixture
def image_path(tmp_path):
    path = tmp_path / "cat.png"
    cv2.imwrite(str(path), np.random.default_rng(0).integers(0, 255, (200, 300, 3), dtype=np.uint8))
    return path


def test_predict_json_untrained_says_so_and_uses_no_imagenet_labels(capsys, image_path):
    assert main(["predict", str(image_path), "--arch", "v2", "--scale", "0.5", "--json", "--top", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["trained"] is False and data["weights"] == "random init"
    assert [set(p) for p in data["top"]] == [{"label", "index", "prob"}] * 3
    assert data["top"][0]["label"] == f"class {data['top'][0]['index']}"


def test_predict_with_weights_uses_imagenet_labels_and_the_models_probabilities(capsys, image_path, tmp_path):
    spec = ModelSpec.create("v2", scale=0.5)
    model = randomise(build_model(spec), seed=5)
    torch.save(model.state_dict(), tmp_path / "w.pth")
    assert (
        main(
            [
                "predict",
                str(image_path),
                "--arch",
                "v2",
                "--scale",
                "0.5",
                "--weights",
                str(tmp_path / "w.pth"),
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["trained"] is True and "w.pth" in data["weights"]
    from explorer.engine.preprocess import preprocess_image
    from explorer.models.recipe import Recipe
    from explorer.sources.files import read_image
    from explorer.weights.labels import imagenet_labels

    with torch.no_grad():
        probs = torch.softmax(model(preprocess_image(read_image(image_path), Recipe.imagenet(224)))[0], 0)
    top = probs.topk(5)
    assert [p["index"] for p in data["top"]] == top.indices.tolist()
    assert data["top"][0]["label"] == imagenet_labels()[data["top"][0]["index"]]
    assert data["top"][0]["prob"] == pytest.approx(float(top.values[0]), abs=1e-5)


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (["predict", "/nope.png"], "no such file"),
        (["predict", "README.md"], "not a readable image"),
        (["predict", "IMAGE", "--weights", "/nope.pth"], "weights not loaded"),
        (["predict", "IMAGE", "--arch", "compact"], "signal windows"),
    ],
)
def test_predict_bad_input_exits_2_with_one_line(capsys, image_path, argv, fragment):
    argv = [str(image_path) if a == "IMAGE" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_weights_lists_the_cache_and_identifies_given_files(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    cache = tmp_path / "th" / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    torch.save(build_model(ModelSpec.create("v2", scale=1.5)).state_dict(), cache / V2_CHECKPOINTS[1.5].filename)
    torch.save(build_model(ModelSpec.create("v1", groups=4, scale=0.5)).state_dict(), tmp_path / "mine.pth")
    (tmp_path / "bad.pth").write_bytes(b"nope")
    assert main(["weights", str(tmp_path / "mine.pth"), str(tmp_path / "bad.pth"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_spec = {row["spec"]: row for row in data["weights"] if row["spec"]}
    assert by_spec["ShuffleNet V2 1.5x"]["available"] and not by_spec["ShuffleNet V2 1x"]["available"]
    assert by_spec["ShuffleNet V1 0.5x g=4"]["available"]
    assert any("not a readable" in row.get("error", "") for row in data["weights"])


@pytest.fixture
def served(tmp_path):
    """A loopback HTTP server for one file (no outside network is touched)."""
    payload = tmp_path / "payload.pth"
    torch.save(randomise(build_model(ModelSpec.create("v2", scale=0.5))).state_dict(), payload)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(tmp_path), **k)

        def log_message(self, *_):
            pass

    class QuietServer(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):  # a cancelled client hangs up: expected here
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/payload.pth", payload
    server.shutdown()


def test_download_reports_progress_checks_the_hash_and_can_be_cancelled(served, tmp_path):
    url, payload = served
    digest = hashlib.sha256(payload.read_bytes()).hexdigest()
    seen = []
    target = download(url, tmp_path / "out" / "w.pth", digest[:10], progress=lambda f, text: seen.append((f, text)))
    assert target.read_bytes() == payload.read_bytes()
    size_mb = payload.stat().st_size / 1e6
    assert seen[-1] == (1.0, f"downloading {size_mb:.1f} of {size_mb:.1f} MB")
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    with pytest.raises(DownloadError, match="hash mismatch"):
        download(url, tmp_path / "out" / "bad.pth", "0000000000")
    assert not (tmp_path / "out" / "bad.pth").exists()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DownloadCancelled):
        download(url, tmp_path / "out" / "c.pth", cancel=cancel)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["w.pth"]  # no partial files left


def test_torchvision_weights_download_on_request_into_torch_home(served, tmp_path, monkeypatch):
    url, payload = served
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "home"))
    digest = hashlib.sha256(payload.read_bytes()).hexdigest()
    published = Checkpoint(url.replace("payload.pth", f"shufflenetv2_x0.5-{digest[:10]}.pth"), 256, 224)
    (payload.parent / published.filename).write_bytes(payload.read_bytes())
    monkeypatch.setitem(V2_CHECKPOINTS, 0.5, published)
    loaded = load_weights(ModelSpec.create("v2", scale=0.5), "torchvision")
    assert (tmp_path / "home" / "hub" / "checkpoints" / published.filename).is_file()
    assert loaded.origin == "torchvision"
