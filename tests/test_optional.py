import importlib

from explorer import optional
from explorer.cli import main


def test_broken_torchvision_is_reported_with_what_is_disabled_and_the_fix(monkeypatch, capsys):
    real_import = importlib.import_module

    def fake_import(name, *args):
        if name == "torchvision":
            raise RuntimeError("operator torchvision::nms does not exist")
        return real_import(name, *args)

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


def test_doctor_json_lists_every_optional_part(capsys):
    assert main(["doctor", "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert {"torchvision", "onnxruntime"} <= set(data)
    assert all(isinstance(v["available"], bool) for v in data.values())
