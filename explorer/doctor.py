"""`explorer doctor`: why doesn't it work here?  One check per part, each with what it found and the fix.

Qt-free (it runs where the window cannot start): the display and Qt's X11 libraries, cameras, trained
weights per architecture, the cache and settings folders, every backend, the torch build, and the
optional packages.  Every check is a Check; `doctor --json` prints one key per check.
"""

from __future__ import annotations

import ctypes.util
import importlib.metadata
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from explorer.board.cache import BoardRequest, NoBoardExport, board_dir, find
from explorer.board.choice import LOW_MEMORY_MB, low_memory
from explorer.memory import available_memory_mb, total_memory_mb
from explorer.models.architecture import arch_load_failures, architectures
from explorer.optional import all_statuses
from explorer.paths import cache_root
from explorer.runtime import registry
from explorer.sources.base import SourceError
from explorer.sources.camera import probe_cameras
from explorer.sources.factory import open_source
from explorer.weights.download import checkpoint_dir

XCB_LIBRARIES = {"xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4", "xcb-keysyms": "libxcb-keysyms1"}
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
LEAN_TORCH = f"python3 install.py (a fresh .venv), or: pip install torch torchvision --index-url {CPU_INDEX}"


def cpu_index_reachable(timeout: float = 3.0) -> bool:
    """Whether PyTorch's CPU wheel index answers from here: without it, install.py (and pip) can
    only get PyPI's CUDA build, so advising a reinstall would change nothing."""
    import urllib.request

    try:
        urllib.request.urlopen(urllib.request.Request(f"{CPU_INDEX}/torch/", method="HEAD"), timeout=timeout).close()
        return True
    except Exception:  # DNS, refused, timeout, TLS, HTTP error: all mean "not from here"
        return False


@dataclass
class Check:
    ok: bool
    summary: str  # one line: what was found
    fix: str | None = None  # what to do when not ok (or to improve)
    details: dict = field(default_factory=dict)

    def line(self, name: str) -> str:
        mark = "ok  " if self.ok else "FIX "
        return f"{mark}{name:<12} {self.summary}" + (f"\n     {'':<12} -> {self.fix}" if self.fix else "")


def qt_platform_problem(environ=None, platform: str | None = None, find_library=None) -> str | None:
    """Why Qt would abort at start-up on this machine, in words a user can act on (or None).

    Qt prints a cryptic "could not load the Qt platform plugin" and aborts the process; we
    check the two usual causes first: no display at all, and X11 libraries Qt 6.5+ needs
    that minimal Linux installs (and Raspberry Pi OS Lite) lack.
    """
    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    find_library = find_library or ctypes.util.find_library
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return (
            "no display found (DISPLAY and WAYLAND_DISPLAY are unset): run it from a desktop session, "
            "or headless with QT_QPA_PLATFORM=offscreen and --frames/--screenshot, or use the commands (python -m explorer --help)"
        )
    if environ.get("WAYLAND_DISPLAY") and not environ.get("DISPLAY"):
        return None
    missing = [package for name, package in XCB_LIBRARIES.items() if not find_library(name)]
    if missing:
        return f"Qt's X11 plugin needs {', '.join(missing)}: install with `sudo apt-get install {' '.join(missing)}`"
    return None


def check_display() -> Check:
    problem = qt_platform_problem()
    where = {k: os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    try:
        qt = importlib.metadata.version("PySide6-Essentials")
    except importlib.metadata.PackageNotFoundError:
        qt = None
    details = {**where, "pyside6": qt}
    if qt is None:
        return Check(False, "PySide6 is not installed", "pip install 'PySide6-Essentials<6.12'", details)
    if problem:
        found, _, fix = problem.partition(": ")
        return Check(False, found, fix, details)
    shown = where["QT_QPA_PLATFORM"] and f"Qt platform {where['QT_QPA_PLATFORM']}"
    return Check(
        True, f"{shown or 'display ' + str(where['DISPLAY'] or where['WAYLAND_DISPLAY'])}, PySide6 {qt}", None, details
    )


def check_cameras() -> Check:
    cameras = probe_cameras()
    found = [{"index": c.index, "name": c.name, "resolution": list(c.size) if c.size else None} for c in cameras]
    if not cameras:
        return Check(
            False,
            "no camera answered",
            "plug a webcam in (Linux: it appears as /dev/videoN); or use --source synthetic, a video, "
            "http://PHONE:PORT/video (an IP-camera app) or rtsp://...",
            {"found": []},
        )
    names = ", ".join(f"{c.label}" for c in cameras)
    return Check(True, names, None, {"found": found})


def check_weights() -> Check:
    """Which trained weights are present, per architecture, and where missing ones go."""
    folder = checkpoint_dir()
    per_arch: dict[str, dict] = {}
    for arch in architectures():
        entry: dict = {}
        if arch.torchvision_checkpoints:
            present = {
                f"{scale:g}x": (folder / c.filename).is_file() for scale, c in arch.torchvision_checkpoints.items()
            }
            entry = {"source": "torchvision", "present": present, "folder": str(folder)}
        elif arch.foreign is not None:
            entry = {
                "source": f"{arch.foreign.name} (load a downloaded file with --weights {arch.foreign.name}:PATH)",
                "present": None,
            }
        elif arch.input_kind == "signal":  # the one architecture `explorer train` trains end to end
            from explorer.teach.signal_trainer import kept_models

            kept = kept_models()
            entry = {
                "source": f"none published (train it here: Teach tab or `explorer train --arch {arch.name}`)",
                "present": {"trained here": bool(kept)},
                "kept": [str(p) for p in kept],
            }
        else:
            entry = {
                "source": "none published (the Teach tab teaches it your own classes on its frozen features)",
                "present": None,
            }
        per_arch[arch.name] = entry
    have = [f"{name} {scale}" for name, e in per_arch.items() for scale, ok in (e["present"] or {}).items() if ok]
    summary = f"present: {', '.join(have)}" if have else "no trained weights cached: predictions are untrained noise"
    fix = (
        None
        if have
        else f"in the window: Help > Get trained weights; or copy torchvision's .pth files into {folder}; "
        "V1: megvii's ShuffleNet-Series files with --weights megvii:PATH"
    )
    return Check(bool(have), summary, fix, {"folder": str(folder), "architectures": per_arch})


def writable(folder: Path) -> tuple[bool, str]:
    """Whether a file can be created in ``folder`` (made if missing); the reason when not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
        return True, ""
    except OSError as exc:
        return False, exc.strerror or str(exc)


def check_folder(folder: Path, what: str, moved_by: str) -> Check:
    ok, why = writable(folder)
    if ok:
        return Check(True, f"{folder} (writable)", None, {"path": str(folder), "writable": True})
    return Check(
        False,
        f"{folder} is not writable ({why})",
        f"fix its permissions, or point {moved_by} at a writable folder ({what} is then kept there)",
        {"path": str(folder), "writable": False},
    )


def settings_file() -> Path:
    """Where the window keeps its settings: what QSettings picks for an .ini in the user scope."""
    if os.environ.get("EXPLORER_SETTINGS"):
        return Path(os.environ["EXPLORER_SETTINGS"])
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "ShuffleNetExplorer" / "explorer.ini"


def check_settings() -> Check:
    path = settings_file()
    check = check_folder(path.parent, "the settings", "EXPLORER_SETTINGS (a file path)")
    check.details["path"] = str(path)
    check.details["exists"] = path.is_file()
    if check.ok:
        check.summary = f"{path} ({'exists' if path.is_file() else 'not yet written'}; folder writable)"
    return check


def check_backends() -> Check:
    rows = {
        b.name: {"available": b.available, "version": b.version, "reason": b.reason}
        for b in registry.available_backends()
    }
    usable = [b.name for b in registry.available_backends() if b.available]
    missing = [f"{b.name}: {b.reason}" for b in registry.available_backends() if not b.available]
    summary = ", ".join(f"{b.name} {b.version or ''}".strip() for b in registry.available_backends() if b.available)
    return Check(bool(usable), summary, "; ".join(missing) or None, {"backends": rows})


def check_modules() -> Check:
    """Backend and architecture modules that failed to import: the others still work."""
    failed = registry.load_failures() + arch_load_failures()
    if not failed:
        return Check(True, "every backend and architecture module imported")
    return Check(
        False,
        f"{len(failed)} module{'s' if len(failed) != 1 else ''} did not import: " + "; ".join(failed),
        "fix or remove the named file (the full traceback is in the log); the other entries work meanwhile",
        {"failed": failed},
    )


def gpu_present() -> bool:
    """An NVIDIA GPU this machine could use (its driver's device node), without touching CUDA."""
    return Path("/dev/nvidia0").exists() or Path("/proc/driver/nvidia/version").exists()


def check_torch_build() -> Check:
    import torch

    cuda = torch.version.cuda
    details = {"version": torch.__version__, "cuda_build": cuda, "gpu_present": gpu_present()}
    if cuda and not details["gpu_present"]:
        site = Path(torch.__file__).resolve().parent.parent
        extra = sum(f.stat().st_size for d in site.glob("nvidia*") for f in d.rglob("*") if f.is_file()) / 1e9
        details["cuda_libraries_gb"] = round(extra, 1)
        found = f"torch {torch.__version__}: a CUDA {cuda} build ({extra:.1f} GB of CUDA libraries) on a machine without a GPU"
        details["cpu_index_reachable"] = cpu_index_reachable()
        if not details["cpu_index_reachable"]:  # the only build this machine can get: nothing to fix
            return Check(
                True, f"{found}; it runs on the CPU (PyTorch's CPU index is not reachable from here)", None, details
            )
        return Check(
            False, found, f"it runs, on the CPU; the lean CPU-only build is about 1 GB in all: {LEAN_TORCH}", details
        )
    return Check(True, f"torch {torch.__version__} ({'CUDA ' + cuda if cuda else 'CPU-only build'})", None, details)


def check_memory() -> Check:
    total, free = total_memory_mb(), available_memory_mb()
    if total is None:
        return Check(True, "not reported by this system", None, {})
    summary = f"{total / 1024:.1f} GB, {free / 1024:.1f} GB available" if free is not None else f"{total / 1024:.1f} GB"
    details = {"total_mb": round(total), "available_mb": round(free) if free is not None else None}
    if low_memory():
        return Check(
            True,
            f"{summary}: below {LOW_MEMORY_MB / 1024:.0f} GB, so a window start takes the board path (no torch)",
            "--full starts the full window anyway (torch needs ~900 MB)",
            details,
        )
    return Check(True, summary, None, details)


def check_start_path() -> Check:
    """Which path a window start takes, what the board path would run, and what loads torch."""
    path = "board (from a cached export, no torch)" if low_memory() else "full (torch, every view)"
    loads_torch = (
        "on the board path torch loads only for the other views (the More views tab opens them), "
        "another model, export, lessons and training"
    )
    try:
        export = find(BoardRequest())
    except NoBoardExport as exc:
        return Check(True, f"a window start: {path}; --board: {exc}", None, {"path": path, "board": None})
    board = f"{export.label} ({export.format}, {export.metadata.get('weights', '?')})"
    return Check(
        True,
        f"a window start: {path}; --board runs {board}; {loads_torch}",
        None,
        {"path": path, "board": board, "board_folder": str(board_dir())},
    )


def check_source(text: str) -> Check:
    """Open a source as the window would (a camera, a file, http://, rtsp://) and read one frame."""
    try:
        source = open_source(text)
    except SourceError as exc:
        return Check(False, f"{text}: cannot open", str(exc), {"source": text})
    try:
        frame = source.read()
        shape = getattr(frame, "shape", None)
        return Check(True, f"{source.describe()}: a frame {shape[1]}x{shape[0]}" if shape else text, None, {})
    except SourceError as exc:
        return Check(False, f"{text}: opened but no frame", str(exc), {"source": text})
    finally:
        source.close()


def optional_packages() -> dict[str, Check]:
    return {
        s.name: Check(
            s.available,
            s.message,
            None if s.available else s.fix,
            {"available": s.available, "version": s.version, "error": s.error, "disables": s.disables},
        )
        for s in all_statuses()
    }


def run_checks(source: str | None = None) -> dict[str, Check]:
    checks = {
        "display": check_display(),
        "cameras": check_cameras(),
        "weights": check_weights(),
        "cache": check_folder(cache_root(), "the export cache", "EXPLORER_CACHE"),
        "settings": check_settings(),
        "backends": check_backends(),
        "modules": check_modules(),
        "memory": check_memory(),
        "start_path": check_start_path(),
        "torch_build": check_torch_build(),
        **optional_packages(),
    }
    if source:
        checks["source"] = check_source(source)
    return checks
