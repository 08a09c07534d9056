import importlib

from explorer import optional
from explorer.cli import main
from explorer.models.architecture import arch_names, architecture
from explorer.runtime import registry


def test_broken_torchvision_is_reported_with_what_is_disabled_and_the_fix(monkeypatch, capsys):
    real_import = importlib.import_module

    def fake_import(name, *args, **kwargs):
        if name == "torchvision":
            raise RuntimeError("operator torchvision::nms does not exist")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(optional.importlib, "import_module", fake_import)
    optional.torchvision_status.cache_clear()
    try:
        status = optional.torchvision_status()
        assert not status.available
        assert "torchvision::nms" in status.message
        assert "pip --isolated install torch==" in status.message and "disabled" in status.message
        assert main(["doctor"]) == 0
        assert "torchvision unavailable" in capsys.readouterr().out
        # the core keeps working without it
        assert main(["info", "--arch", "v2", "--json"]) == 0
    finally:
        optional.torchvision_status.cache_clear()


def test_doctor_json_has_one_key_per_check_each_saying_ok_and_the_fix(capsys):
    import json

    assert main(["doctor", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    wanted = {"display", "cameras", "weights", "cache", "settings", "backends", "torch_build"}
    assert wanted | {"torchvision", "onnxruntime"} <= set(data)
    assert all(isinstance(v["ok"], bool) and v["summary"] and (v["ok"] or v["fix"]) for v in data.values())
    assert set(data["backends"]["backends"]) == set(registry.names())
    assert data["weights"]["architectures"].keys() == set(arch_names())


def test_doctor_names_what_it_finds_and_the_fix(tmp_path, monkeypatch, capsys):
    import json

    from explorer import doctor
    from explorer.sources import camera
    from explorer.weights.download import checkpoint_dir

    monkeypatch.setattr(doctor, "probe_cameras", lambda: [camera.Camera(0, "HD Webcam", (640, 480))])
    monkeypatch.setenv("EXPLORER_CACHE", "/proc/not-writable")
    checkpoint_dir().mkdir(parents=True)
    v2 = architecture("v2").torchvision_checkpoints[1.0]
    (checkpoint_dir() / v2.filename).write_bytes(b"x")
    assert main(["doctor", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cameras"]["found"] == [{"index": 0, "name": "HD Webcam", "resolution": [640, 480]}]
    assert data["weights"]["ok"] and data["weights"]["architectures"]["v2"]["present"]["1x"]
    assert not data["cache"]["ok"] and "EXPLORER_CACHE" in data["cache"]["fix"]
    assert data["settings"]["path"] == str(tmp_path / "settings.ini")  # the test's own (conftest)


def test_doctor_opens_a_given_source(capsys):
    import json

    assert main(["doctor", "--source", "synthetic", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["source"]["ok"]
    assert main(["doctor", "--source", "rtsp://127.0.0.1:1/x", "--json"]) == 0
    check = json.loads(capsys.readouterr().out)["source"]
    assert not check["ok"] and "check the address" in check["fix"]


def test_the_settings_file_doctor_names_is_the_one_the_window_uses(monkeypatch):
    from explorer import doctor
    from explorer.ui.window import settings

    monkeypatch.delenv("EXPLORER_SETTINGS")
    assert str(doctor.settings_file()) == settings.store().fileName()
