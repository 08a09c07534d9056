"""Set up .venv for the app (or, with --test, for the tests too): the lean, CPU-only torch where it can.

    python3 install.py            # then: .venv/bin/python main.py
    python3 install.py --test     # then: .venv/bin/python -m pytest

Standard library only.  Where PyTorch's CPU wheel index answers (a 4 s probe), torch and
torchvision come from it: about 1 GB installed instead of PyPI's CUDA build (~6 GB on Linux x86),
and the app never uses a GPU.  Where it does not (offline mirrors, this project's CI), pip
resolves a matching pair from PyPI at once, no retries.  EXPLORER_TORCH_INDEX=pypi or =URL forces
a route.  pip runs with --isolated: machine-wide pip settings can pin a torch build that PyPI's
torchvision cannot import beside.
"""

from __future__ import annotations

import argparse
import os
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
