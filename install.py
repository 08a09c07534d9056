"""Set up .venv for the app (or, with --test, for the tests too): the lean, CPU-only torch where it can.

    python3 install.py            # then: .venv/bin/python main.py
    python3 install.py --test     # then: .venv/bin/python -m pytest

Standard library only.  Where PyTorch's CPU wheel index answers (a 4 s probe), torch and
torchvision come from it: about 1 GB installed instead of PyPI's CUDA build (~6 GB on Linux x86),
and the app never uses a GPU.  Where it does not (offline mirrors, this project's CI), pip
resolves a matching pair from PyPI at once, no retries.  EXPLORER_TORCH_INDEX=pypi or =URL forces
a route.  pip runs with --isolated: machine-wide pip settings can pin a torch build that PyPI's
torchvision cannot import beside.

Then one convolution runs in a child process.  Recent aarch64 torch builds die with SIGILL there
on a Raspberry Pi 4 (ARMv8.0); if the child dies by any signal, the newest pair known to run on
such cores (ARMV8_0_PAIR) replaces them and the check runs again, and one line says so.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
import venv
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PYPI = "pypi"
PROBE_SECONDS = 4
# The newest torch/torchvision pair known to run on ARMv8.0 cores (the Raspberry Pi 4's Cortex-A72):
# later aarch64 builds use instructions those cores lack (LSE atomics) and die with SIGILL at the
# first model they run (pytorch/pytorch#132032, #174344); this pair passed every check under QEMU
# emulating a Cortex-A72 (docs/arm.md).  Raise it when a newer pair passes that check.
ARMV8_0_PAIR = ("torch==2.9.1", "torchvision==0.24.1")
# A convolution and a matrix product, the two kernels every model here runs.  Under QEMU's
# Cortex-A72, torch 2.15's tiny convolution passes while a 64x64 matmul dies, so both are needed.
FIRST_CONVOLUTION = (
    "import torch; torch.nn.Conv2d(3, 8, 3)(torch.randn(1, 3, 8, 8)); torch.randn(64, 64) @ torch.randn(64, 64)"
)


def reachable(url: str, timeout: float = PROBE_SECONDS) -> bool:
    try:
        urllib.request.urlopen(urllib.request.Request(f"{url}/torch/", method="HEAD"), timeout=timeout).close()
        return True
    except Exception:  # DNS, refused, timeout, TLS, HTTP error: all mean "not this route"
        return False


def torch_route(override: str | None, probe: Callable[[str], bool] | None = None) -> str:
    """Where torch and torchvision come from: an index URL (the CPU one by default) or PYPI."""
    if override:
        return PYPI if override.lower() == PYPI else override.rstrip("/")
    return CPU_INDEX if (probe or reachable)(CPU_INDEX) else PYPI


def pip(python: Path, *args: str) -> None:
    command = [str(python), "-m", "pip", "--isolated", "--disable-pip-version-check", "install", *args]
    print("+", " ".join(command[2:]), flush=True)
    subprocess.run(command, check=True)


def run_first_convolution(python: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-c", FIRST_CONVOLUTION], capture_output=True, text=True)


def torch_version(python: Path) -> str:
    done = subprocess.run([str(python), "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True)
    return done.stdout.strip() or "torch"


def cuda_leftovers(python: Path) -> list[str]:
    """CUDA packages a CUDA torch brought along, useless beside a CPU-only torch."""
    listed = subprocess.run(
        [str(python), "-m", "pip", "--isolated", "list", "--format=freeze"], capture_output=True, text=True
    ).stdout
    names = [line.split("==")[0] for line in listed.splitlines() if "==" in line]
    return [n for n in names if n.lower().startswith(("nvidia-", "triton", "cuda-"))]


def check_torch_runs(python: Path, route: str, first_convolution=run_first_convolution) -> int:
    """Run one convolution in a child.  If it dies by a signal (SIGILL: a CPU older than the
    build expects), install ARMV8_0_PAIR and check again.  Returns 0 when torch runs."""
    done = first_convolution(python)
    if done.returncode == 0:
        return 0
    if done.returncode > 0:  # an error, not a crash: the pin would not help
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"install: torch does not run here: {last}", file=sys.stderr, flush=True)
        return 1
    name = signal_name(-done.returncode)
    newest = torch_version(python)
    print(
        f"install: torch {newest} died with {name} at its first convolution: this CPU lacks instructions "
        f"that build uses (an ARMv8.0 core such as the Raspberry Pi 4's); installing {' and '.join(ARMV8_0_PAIR)}, "
        "the newest pair known to run on these cores",
        flush=True,
    )
    pip(
        python,
        *ARMV8_0_PAIR,
        *(() if route == PYPI else ("--index-url", route, "--extra-index-url", "https://pypi.org/simple")),
    )
    leftovers = cuda_leftovers(python)
    if leftovers and "+cu" not in torch_version(python):
        subprocess.run([str(python), "-m", "pip", "--isolated", "uninstall", "-y", "-q", *leftovers], check=False)
    again = first_convolution(python)
    if again.returncode != 0:
        print(
            f"install: {ARMV8_0_PAIR[0]} fails here too (exit {again.returncode}); see docs/arm.md",
            file=sys.stderr,
            flush=True,
        )
        return 1
    print(f"install: torch {newest} crashed on this CPU ({name}); installed {ARMV8_0_PAIR[0]}, which runs", flush=True)
    return 0


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def megabytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink()) // 1_000_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test", action="store_true", help="also the test tools (pytest, pytest-qt, ruff, ...)")
    parser.add_argument("--venv", default=str(ROOT / ".venv"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    folder = Path(args.venv)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        venv.create(folder, with_pip=True)
    route = torch_route(os.environ.get("EXPLORER_TORCH_INDEX"))
    if route == PYPI:
        print("install: PyTorch's CPU index is not reachable from here; torch comes from PyPI", flush=True)
    else:
        print(f"install: torch and torchvision from {route} (CPU-only)", flush=True)
        pip(python, "torch", "torchvision", "--index-url", route, "--extra-index-url", "https://pypi.org/simple")
    pip(python, "-e", f"{ROOT}[test]" if args.test else str(ROOT))
    if check_torch_runs(python, route) != 0:
        return 1
    site = next(folder.glob("lib/python3*/site-packages"), folder)
    print(
        f"install: done in {time.perf_counter() - started:.0f} s; {folder} holds {megabytes(site)} MB of packages "
        f"(torch from {'PyPI' if route == PYPI else route})",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:
        print(f"install: pip failed (exit {exc.returncode}); its output above names the package", file=sys.stderr)
        sys.exit(exc.returncode)
