"""install.py, the README's set-up: CPU-only torch where PyTorch's index answers, PyPI at once where not."""

import importlib.util
import time
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location("install", Path(__file__).resolve().parent.parent / "install.py")
install = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install)


@pytest.mark.parametrize(
    "override,answers,expected",
    [
        (None, True, install.CPU_INDEX),
        (None, False, install.PYPI),
        ("pypi", True, install.PYPI),
        ("https://mirror.example/whl/cpu/", False, "https://mirror.example/whl/cpu"),
    ],
)
def test_the_route_follows_the_probe_unless_forced(override, answers, expected):
    asked = []
    route = install.torch_route(override, probe=lambda url: asked.append(url) or answers)
    assert route == expected
    assert asked == ([] if override else [install.CPU_INDEX])


def test_an_unreachable_index_is_given_up_in_seconds():
    start = time.perf_counter()
    assert not install.reachable("http://127.0.0.1:1/whl/cpu", timeout=2)
    assert time.perf_counter() - start < 3


@pytest.mark.parametrize("answers", [True, False])
def test_the_cpu_route_installs_torch_from_that_index_before_the_project(tmp_path, monkeypatch, answers):
    calls = []
    monkeypatch.setattr(install, "reachable", lambda url: answers)
    monkeypatch.setattr(install, "pip", lambda python, *args: calls.append(args))
    monkeypatch.delenv("EXPLORER_TORCH_INDEX", raising=False)
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").touch()  # an existing venv is reused, not recreated
    assert install.main(["--test", "--venv", str(tmp_path / "venv")]) == 0
    if answers:
        assert calls[0][:2] == ("torch", "torchvision") and calls[0][3] == install.CPU_INDEX
    assert calls[-1] == ("-e", f"{install.ROOT}[test]") and len(calls) == (2 if answers else 1)
