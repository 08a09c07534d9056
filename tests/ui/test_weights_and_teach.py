import torch

from explorer.engine.pipeline import UNTRAINED_NOTICE
from explorer.models import ModelSpec, build_model
from explorer.models.architecture import Checkpoint, architecture  # noqa: E402
from explorer.sources import SyntheticSource
from explorer.weights.source import MEGVII, RANDOM, TORCHVISION
from tests.ui.conftest import SMALL
from tests.weights.megvii_reference import randomise

WAIT = 60_000

V2_CHECKPOINTS = architecture("v2").torchvision_checkpoints


def test_loading_weights_switches_to_trained_predictions_with_imagenet_labels(make_window, qtbot, tmp_path):
    path = tmp_path / "v2half.pth"
    torch.save(randomise(build_model(SMALL)).state_dict(), path)
    window = make_window()
    qtbot.waitUntil(lambda: window.rendered >= 1, timeout=WAIT)
    window.state.request(weights=str(path))
    qtbot.waitUntil(lambda: window.engine.bundle.trained, timeout=WAIT)
    frames = window.rendered
    qtbot.waitUntil(lambda: window.rendered > frames + 1, timeout=WAIT)
    assert not window.pages["live"].notice.isVisible()
    from explorer.weights.labels import imagenet_labels

    assert window.pages["live"].predictions.rows[0][0] in imagenet_labels()
    assert "v2half.pth" in window.controls.weights_box.weights_status.text()


def test_bad_weights_leave_the_running_model_alone_with_a_message(make_window, qtbot, tmp_path):
    path = tmp_path / "g8.pth"
    torch.save(build_model(ModelSpec.create("v1", groups=8)).state_dict(), path)
    window = make_window()
    qtbot.waitUntil(lambda: window.rendered >= 1, timeout=WAIT)
    window.state.request(weights=str(path))
    qtbot.waitUntil(lambda: "looks like ShuffleNet V1 1x g=8" in window.full_message, timeout=WAIT)
    qtbot.waitUntil(lambda: not window.state.config.weights, timeout=WAIT)  # reverted to what runs
    # the revert reaches the box through a queued signal: wait for it, however slow the machine
    qtbot.waitUntil(lambda: window.controls.weights_box.weights.currentData() == RANDOM, timeout=WAIT)
    assert window.engine.bundle.spec == SMALL and not window.engine.bundle.trained
    frames = window.rendered
    qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)
    qtbot.waitUntil(lambda: UNTRAINED_NOTICE in window.pages["live"].notice.text(), timeout=WAIT)
    assert window.engine.bundle.spec == SMALL and not window.engine.bundle.trained  # frames went on, model untouched


def test_weights_that_do_not_exist_for_a_new_variant_fall_back_to_untrained(make_window, qtbot, tmp_path):
    path = tmp_path / "v2half.pth"
    torch.save(build_model(SMALL).state_dict(), path)
    window = make_window()
    window.state.request(weights=str(path))
    qtbot.waitUntil(lambda: window.engine.bundle.trained, timeout=WAIT)
    window.state.request(spec=ModelSpec.create("v2", scale=1.0, input_size=96))
    qtbot.waitUntil(lambda: window.engine.bundle.spec.scale == 1.0, timeout=WAIT)
    assert not window.engine.bundle.trained
    qtbot.waitUntil(lambda: "running ShuffleNet V2 1x @96 untrained" in window.full_message, timeout=WAIT)


def capture(window, qtbot, scene: int, name: str, count: int = 6) -> None:
    window.engine.set_source(SyntheticSource(seed=scene + 10, scene=scene, size=(120, 160)))
    qtbot.waitUntil(lambda: f"scene {scene}" in window.engine.source.describe(), timeout=WAIT)
    frames = window.rendered
    qtbot.waitUntil(lambda: window.rendered > frames + 1, timeout=WAIT)  # frames of the new scene
    for row in range(window.pages["teach"].classes.count()):
        if window.pages["teach"].classes.item(row).data(256) == name:
            window.pages["teach"].classes.setCurrentRow(row)
    window.pages["teach"].start_capture()
    qtbot.waitUntil(lambda: len(window.pages["teach"].samples[name]) >= count, timeout=WAIT)
    window.pages["teach"].stop_capture()


def test_teach_mode_learns_three_scenes_in_the_window_and_saves_the_head(make_window, qtbot, tmp_path):
    window = make_window(
        ModelSpec.create("v2", scale=0.5, input_size=128), source=SyntheticSource(seed=10, scene=0, size=(120, 160))
    )
    window.set_tab("teach")
    names = ["circles", "squares", "triangles"]
    for name in names:
        assert window.pages["teach"].add_class(name)
    assert not window.pages["teach"].add_class("circles")  # duplicates are explained, not added
    for scene, name in enumerate(names):
        capture(window, qtbot, scene, name)
    window.pages["teach"].request_training()
    qtbot.waitUntil(lambda: window.state.head is not None, timeout=WAIT)
    assert window.pages["teach"].progress.value() == 100 and "taught 3 classes" in window.pages["teach"].status.text()
    for scene, name in enumerate(names):
        window.engine.set_source(SyntheticSource(seed=scene + 10, scene=scene, size=(120, 160)))
        qtbot.waitUntil(lambda: f"scene {scene}" in window.engine.source.describe(), timeout=WAIT)
        # the label redraws a few times a second: under load it can still show the previous scene
        qtbot.waitUntil(
            lambda: window.pages["teach"].prediction.text().startswith(f"taught head: {name}"), timeout=WAIT
        )
    path = tmp_path / "head.pt"
    assert window.files.save_head(str(path))
    window.pages["teach"].clear_button.click()
    assert window.state.head is None
    assert window.files.load_head(str(path)) and window.state.head is not None
    # a different backbone refuses the head
    window.state.request(spec=ModelSpec.create("v2", scale=1.0, input_size=128))
    qtbot.waitUntil(lambda: window.state.bundle.spec.scale == 1.0, timeout=WAIT)
    qtbot.waitUntil(lambda: window.state.head is None, timeout=WAIT)
    assert not window.files.load_head(str(path))
    assert "backbone differs" in window.full_message


def test_switching_backend_happens_between_frames_and_shows_agreement(make_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path))
    window = make_window()
    qtbot.waitUntil(lambda: window.rendered >= 2, timeout=WAIT)
    for backend in ("onnxruntime", "int8", "eager"):
        window.state.request(backend=backend)
        qtbot.waitUntil(lambda: window.engine.bundle.backend == backend, timeout=WAIT)
        frames = window.rendered
        qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)
        run_box = window.controls.run_box
        qtbot.waitUntil(lambda: run_box.backend.currentData() == backend, timeout=WAIT)
        expected = "top-1 agreement" if backend != "eager" else "reference"
        # measured after the swap, off the critical path: the label follows a moment later
        qtbot.waitUntil(lambda: expected in run_box.agreement.text(), timeout=WAIT)
        if backend == "int8":  # measured against fp32 ONNX Runtime here, and said in the list
            qtbot.waitUntil(lambda: "fp32 ONNX Runtime here" in run_box.agreement.text(), timeout=WAIT)
            int8_ms, fp32_ms = window.engine.bundle.versus_fp32
            title = run_box.backend.itemText(run_box.backend.findData("int8"))
            assert ("slower than fp32 here" in title) == (int8_ms > fp32_ms)


def test_torchvision_download_shows_progress_and_can_be_cancelled_in_the_window(
    make_window, qtbot, tmp_path, monkeypatch
):
    import hashlib
    import http.server
    import threading

    payload = tmp_path / "payload.pth"
    torch.save(build_model(SMALL).state_dict(), payload)
    data = payload.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    gate = threading.Event()  # the rest of the file flows only once the test has pressed Cancel

    class Gated(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server naming
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data[: 1 << 16])
                self.wfile.flush()
                gate.wait(WAIT / 1000)
                self.wfile.write(data[1 << 16 :])
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gated)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/shufflenetv2_x0.5-{digest[:10]}.pth"
        monkeypatch.setitem(V2_CHECKPOINTS, 0.5, Checkpoint(url, 256, 224))
        window = make_window()
        box = window.controls.weights_box
        qtbot.waitUntil(lambda: window.rendered >= 1, timeout=WAIT)
        window.state.request(weights="torchvision")
        qtbot.waitUntil(lambda: box.download_bar.isVisible() and box.download_bar.value() > 0, timeout=WAIT)
        frames = window.rendered
        qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)  # the video runs during the download
        box.cancel_download.click()  # the download is certainly mid-way: the server holds the rest back
        qtbot.waitUntil(lambda: "download cancelled" in window.full_message, timeout=WAIT)
        qtbot.waitUntil(lambda: not window.state.config.weights and not box.download_bar.isVisible(), timeout=WAIT)
        assert not window.engine.bundle.trained
        assert not list((tmp_path / "torch").rglob("*.pth*"))  # no partial file left in the cache
        gate.set()
        window.state.request(weights="torchvision")  # a second attempt completes and verifies the hash
        qtbot.waitUntil(lambda: window.engine.bundle.trained, timeout=WAIT)
        assert "torchvision" in window.engine.bundle.weights_name
    finally:
        gate.set()
        server.shutdown()


def test_the_weights_box_offers_only_what_the_running_networks_entry_can_load(make_window, qtbot):
    window = make_window()
    box = window.controls.weights_box.weights

    def offered():
        return [box.itemData(i) for i in range(box.count())]

    assert TORCHVISION in offered() and MEGVII in offered()  # V2 0.5x: torchvision publishes it, megvii too
    window.state.request(spec=ModelSpec.create("v1", groups=3))
    qtbot.waitUntil(lambda: TORCHVISION not in offered(), timeout=WAIT)  # torchvision has no V1
    assert MEGVII in offered()
    window.state.request(spec=ModelSpec.create("mobilenet_v1", scale=0.25))
    qtbot.waitUntil(lambda: MEGVII not in offered(), timeout=WAIT)  # no megvii layout, no torchvision checkpoint
    assert offered() == [RANDOM, "file"] and box.currentData() == RANDOM


def test_train_before_any_class_or_sample_says_what_to_do_and_starts_no_job(make_window, qtbot):
    window = make_window(ModelSpec.create("v2", scale=0.5, input_size=128))
    teach = window.pages["teach"]
    window.set_tab("teach")
    teach.request_training()
    assert not teach.task.running and "add a class" in teach.status.text()
    assert teach.add_class("cups") and teach.add_class("pens")
    teach.request_training()
    assert not teach.task.running and "no samples yet for cups, pens" in teach.status.text()
