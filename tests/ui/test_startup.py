from explorer.app import qt_platform_problem
from explorer.models.architecture import architecture  # noqa: E402
from tests.ui.main_py import run_main

V2_CHECKPOINTS = architecture("v2").torchvision_checkpoints


def linux(env, found=("xcb-cursor", "xcb-icccm", "xcb-keysyms")):
    return qt_platform_problem(env, "linux", lambda name: f"lib{name}.so" if name in found else None)


def test_no_display_is_explained_with_the_headless_alternatives():
    message = linux({})
    assert "no display found" in message and "QT_QPA_PLATFORM=offscreen" in message


def test_missing_x11_libraries_are_named_with_the_apt_command():
    message = linux({"DISPLAY": ":0"}, found=("xcb-icccm",))
    assert "sudo apt-get install libxcb-cursor0 libxcb-keysyms1" in message


def test_a_complete_setup_or_an_explicit_platform_passes():
    assert linux({"DISPLAY": ":0"}) is None
    assert linux({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert linux({"WAYLAND_DISPLAY": "wayland-0"}, found=()) is None
    assert qt_platform_problem({}, "darwin") is None


# ---- defaults, remembered settings, clean exits -------------------------------------------
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

from explorer.app import build_gui_parser  # noqa: E402
from explorer.models import ModelSpec, build_model  # noqa: E402
from explorer.startup import startup_choices  # noqa: E402
from explorer.ui.window import settings  # noqa: E402


def choices(argv, remembered=None):
    return startup_choices(build_gui_parser().parse_args(argv), remembered or {})


def cache_torchvision_weights(torch_home, scale=1.0):
    """A checkpoint written where torch.hub keeps torchvision's, under its published file name."""
    target = torch_home / "hub" / "checkpoints" / V2_CHECKPOINTS[scale].filename
    target.parent.mkdir(parents=True)
    torch.save(build_model(ModelSpec.create("v2", scale=scale)).state_dict(), target)
    return target


def test_cached_torchvision_weights_are_used_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    assert not choices([])[0].weights  # nothing cached: untrained, and the Live tab offers the download
    cache_torchvision_weights(tmp_path)
    config, _, _ = choices([])
    assert config.spec == ModelSpec.create("v2") and str(config.weights) == "torchvision"
    assert not choices(["--weights", "none"])[0].weights  # the switch wins
    assert not choices(["--arch", "v1"])[0].weights  # V1 has no torchvision weights
    from explorer.cli import main

    image = tmp_path / "img.png"
    import cv2
    import numpy as np

    cv2.imwrite(str(image), np.full((64, 64, 3), 120, np.uint8))
    assert main(["predict", str(image), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["trained"] is True and data["weights"] == f"torchvision: {V2_CHECKPOINTS[1.0].filename}"


def test_settings_are_remembered_switches_win_and_reset_clears(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_SETTINGS", str(tmp_path / "s.ini"))
    settings.save(
        {
            "arch": "v1",
            "groups": 8,
            "scale": 0.5,
            "backend": "onnxruntime",
            "weights_by_arch": {"v1": "none"},
            "source": "synthetic:2",
            "tab": "features",
        }
    )
    remembered = settings.load()
    config, source, tab = choices([], remembered)
    assert (config.spec.arch, config.spec.groups, config.spec.scale) == ("v1", 8, 0.5)
    assert config.backend == "onnxruntime" and not config.weights and source == "synthetic:2" and tab == "features"
    config, source, tab = choices(
        ["--groups", "3", "--backend", "eager", "--tab", "live", "--source", "synthetic"], remembered
    )
    assert (config.spec.groups, config.spec.scale, config.backend, source, tab) == (
        3,
        0.5,
        "eager",
        "synthetic",
        "live",
    )
    config, _, _ = choices(["--arch", "v2"], remembered)  # V1's groups and scale do not carry over to V2
    assert config.spec == ModelSpec.create("v2")
    settings.save({**remembered, "groups": "many"})  # an unreadable value is dropped, not trusted, and said
    loaded = settings.load()
    assert "groups" not in loaded and any("groups 'many'" in p and "s.ini" in p for p in loaded["problems"])
    settings.reset()
    assert settings.load() == {"problems": [], "weights_by_arch": {}}


def test_weights_belong_to_their_architecture_and_an_old_single_choice_migrates(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_SETTINGS", str(tmp_path / "s.ini"))
    trained = tmp_path / "compact-signals.pt"
    trained.write_bytes(b"a compact checkpoint stands here")
    # what the previous version wrote after training the compact net: one weights key, beside its arch
    settings.save({"arch": "compact", "weights": str(trained)})
    remembered = settings.load()
    assert remembered["weights_by_arch"] == {"compact": str(trained)}
    config, _, _ = choices(["--arch", "v2"], dict(remembered))
    assert config.spec.arch == "v2" and not config.weights  # never carried to a model it cannot fit
    assert str(choices([], dict(remembered))[0].weights) == str(trained)  # and still there for its own


@pytest.mark.parametrize(
    "stale,said",
    [
        ({"arch": "v9"}, "architecture 'v9'"),
        ({"arch": "v1", "groups": 7}, "remembered model settings"),
        ({"backend": "tpu"}, "backend 'tpu'"),
        ({"tab": "gallery"}, "tab 'gallery'"),
        ({"arch": "v2", "weights_by_arch": {"v2": "/nowhere/v2.pth"}}, "/nowhere/v2.pth are gone"),
    ],
)
def test_a_stale_remembered_value_is_dropped_and_said_never_fatal(stale, said):
    remembered = {"problems": [], **stale}
    config, _, tab = choices([], remembered)
    assert config.spec.arch in ("v1", "v2") and tab in ("live",) + (() if "tab" in stale else ("live",))
    assert any(said in p for p in remembered["problems"]), remembered["problems"]


def test_headless_runs_neither_read_nor_write_settings_and_exit_cleanly(tmp_path):
    ini = tmp_path / "s.ini"
    env = {
        "EXPLORER_SETTINGS": str(ini),
        "EXPLORER_CACHE": str(tmp_path / "cache"),
        "TORCH_HOME": str(tmp_path / "torch"),
    }
    subprocess.run(
        [sys.executable, "-c", "from explorer.ui.window import settings; settings.save({'arch': 'v1', 'groups': 8})"],
        check=True,
        env={**os.environ, **env},
    )
    before = ini.read_bytes()
    proc = run_main(
        *("--source", "synthetic", "--frames", "5", "--scale", "0.5", "--input-size", "96", "--threads", "1"),
        env_extra=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ShuffleNet V2 0.5x" in proc.stdout  # the remembered V1 g=8 was not read
    assert ini.read_bytes() == before  # nor written
    assert "leaked" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout.count("\n") == 1 and proc.stderr == ""  # the summary line only


@pytest.mark.parametrize("value", ["0", "-1", "lots", "nan"])
def test_a_bad_fps_target_exits_2_with_one_line(value):
    proc = run_main("--fps-target", value, "--frames", "1")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "--fps-target" in proc.stderr


def test_a_pi_camera_without_picamera2_exits_2_with_one_line_naming_the_package(tmp_path):
    broken = tmp_path / "site" / "picamera2"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text(
        "raise ImportError('libcamera is not installed')\n"
    )  # as on any machine without it
    proc = run_main(
        *("--source", "picamera", "--frames", "1"),
        env_extra={"PYTHONPATH": str(tmp_path / "site"), "EXPLORER_SETTINGS": str(tmp_path / "s.ini")},
    )
    assert proc.returncode == 2
    assert (
        len(proc.stderr.strip().splitlines()) == 1
        and "python3-picamera2" in proc.stderr
        and "Traceback" not in proc.stderr
    )


def test_settings_that_cannot_be_written_are_said_not_raised(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("no folder can be made under a file")
    monkeypatch.setenv("EXPLORER_SETTINGS", str(blocker / "settings.ini"))
    problem = settings.save({"arch": "v2", "weights_by_arch": {"v2": "torchvision"}})
    assert problem and "settings.ini" in problem and "defaults" in problem
    monkeypatch.setenv("EXPLORER_SETTINGS", str(tmp_path / "s.ini"))
    assert settings.save({"arch": "v2"}) is None


def test_a_bad_weights_form_is_one_line_on_the_command_line_and_forgotten_in_the_settings(capsys):
    from explorer.cli import main

    assert main(["predict", "x.png", "--weights", "megvii:"]) == 2
    assert "needs the checkpoint's path" in capsys.readouterr().err
    remembered = {"weights_by_arch": {"v2": "megvii:", "v1": "random"}}
    config, _, _ = choices([], remembered)
    assert not config.weights and any("megvii:" in p for p in remembered["problems"])
    assert "v2" not in remembered["weights_by_arch"]
