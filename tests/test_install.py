"""install.py, the README's set-up: CPU-only torch where PyTorch's index answers, PyPI at once where not."""

import importlib.util
import signal
import subprocess
import sys
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
    monkeypatch.setattr(install, "check_torch_runs", lambda python, route: 0)
    monkeypatch.delenv("EXPLORER_TORCH_INDEX", raising=False)
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").touch()  # an existing venv is reused, not recreated
    assert install.main(["--test", "--venv", str(tmp_path / "venv")]) == 0
    if answers:
        assert calls[0][:2] == ("torch", "torchvision") and calls[0][3] == install.CPU_INDEX
    assert calls[-1] == ("-e", f"{install.ROOT}[test]") and len(calls) == (2 if answers else 1)


def dies_by(sig):
    """A real child process that dies by ``sig``, as torch does on a CPU lacking an instruction."""
    return subprocess.run([sys.executable, "-c", f"import os; os.kill(os.getpid(), {int(sig)})"], capture_output=True)


def fake_venv(monkeypatch, tmp_path, children, version="2.15.0"):
    calls = []
    monkeypatch.setattr(install, "pip", lambda python, *args: calls.append(args))
    monkeypatch.setattr(install, "torch_version", lambda python: version)
    monkeypatch.setattr(install, "cuda_leftovers", lambda python: [])
    results = iter(children)
    return calls, lambda python: next(results)()


@pytest.mark.parametrize("route", [install.PYPI, install.CPU_INDEX])
def test_a_torch_that_dies_by_a_signal_is_replaced_by_the_armv8_0_pair(tmp_path, monkeypatch, capsys, route):
    ok = lambda: subprocess.CompletedProcess([], 0)  # noqa: E731
    calls, child = fake_venv(monkeypatch, tmp_path, [lambda: dies_by(signal.SIGILL), ok])
    assert install.check_torch_runs(tmp_path / "python", route, first_convolution=child) == 0
    assert calls[0][:2] == install.ARMV8_0_PAIR
    assert (route in calls[0]) == (route != install.PYPI)  # from the same place as the first torch
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert "SIGILL" in last and "2.15.0" in last and install.ARMV8_0_PAIR[0] in last


def test_a_torch_that_runs_is_left_alone(tmp_path, monkeypatch):
    calls, child = fake_venv(monkeypatch, tmp_path, [lambda: subprocess.CompletedProcess([], 0)])
    assert install.check_torch_runs(tmp_path / "python", install.PYPI, first_convolution=child) == 0
    assert calls == []


def test_an_error_is_said_and_not_mistaken_for_an_old_cpu(tmp_path, monkeypatch, capsys):
    broken = lambda: subprocess.CompletedProcess([], 1, "", "ModuleNotFoundError: No module named 'torch'")  # noqa: E731
    calls, child = fake_venv(monkeypatch, tmp_path, [broken])
    assert install.check_torch_runs(tmp_path / "python", install.PYPI, first_convolution=child) == 1
    assert calls == [] and "No module named 'torch'" in capsys.readouterr().err


def test_when_the_pinned_pair_dies_too_the_install_fails_and_says_where_to_look(tmp_path, monkeypatch, capsys):
    calls, child = fake_venv(monkeypatch, tmp_path, [lambda: dies_by(signal.SIGILL), lambda: dies_by(signal.SIGSEGV)])
    assert install.check_torch_runs(tmp_path / "python", install.PYPI, first_convolution=child) == 1
    assert "docs/arm.md" in capsys.readouterr().err
