"""What the benchmark scripts share: a real window around a real engine, an idle-waiting event
loop, memory readings.  Prints nothing itself."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def qt_app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


def open_window(config, pace: bool = False, size=(1400, 860)):
    """The app's own window on the synthetic 640x480 scene, started as main.py starts it; ``size``
    None keeps the size the window chose for its screen."""
    from explorer.app import quiet_qt_messages
    from explorer.engine.bundles import load_bundle
    from explorer.engine.state import AppState
    from explorer.engine.worker import Engine
    from explorer.memory import bound_native_heap
    from explorer.sources import SyntheticSource
    from explorer.ui.base.collect import settle_after_startup
    from explorer.ui.window.main_window import MainWindow

    bound_native_heap()  # as main.py's start does
    qt_app()
    quiet_qt_messages()
    engine = Engine(AppState(config), load_bundle(config, check_agreement=False), SyntheticSource(), pace=pace)
    window = MainWindow(engine)
    if size:
        window.resize(*size)
    window.show()
    window.collector = settle_after_startup()  # the benchmark keeps it alive as the app does
    engine.start()
    return window


def run_for(seconds: float) -> None:
    """A real event loop (idle between events, like app.exec()), not a polling loop."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_for(condition, timeout: float, step: float = 0.05) -> bool:
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        run_for(step)
    return False


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def census() -> dict[str, int]:
    """How many of the things that could pile up are alive now: bundles, runners and their sessions
    or nets, torch modules at the root of a model, Qt objects, threads.  For finding what grows."""
    import gc
    import threading

    from PySide6.QtWidgets import QApplication

    gc.collect()
    counts: dict[str, int] = {}
    for obj in gc.get_objects():
        kind = type(obj)
        name = kind.__name__
        module = kind.__module__ or ""
        if name in ("ModelBundle", "InferenceSession", "Net", "Extractor", "FrameResult") or (
            module.startswith("explorer.runtime") and name.endswith("Runner")
        ):
            counts[name] = counts.get(name, 0) + 1
        elif module.startswith("explorer.models") and hasattr(obj, "state_dict"):
            counts["explorer modules"] = counts.get("explorer modules", 0) + 1
    widgets = QApplication.allWidgets()
    counts["widgets"] = len(widgets)
    scenes = {id(w.scene()): (w, w.scene()) for w in widgets if hasattr(w, "scene") and callable(w.scene) and w.scene()}
    counts["scene items"] = sum(len(scene.items()) for _view, scene in scenes.values())
    largest = max(scenes.values(), key=lambda pair: len(pair[1].items()), default=None)
    if largest is not None:  # which view holds most: a scene that keeps growing names itself here
        owner = largest[0].parent()
        counts[f"largest scene ({type(owner).__name__ if owner else type(largest[0]).__name__})"] = len(
            largest[1].items()
        )
    counts["threads"] = threading.active_count()
    counts.update(cache_sizes())
    counts.update(malloc_figures())
    return counts


def cache_sizes() -> dict[str, int]:
    """What the bounded caches hold now: ONNX bytes in memory (MB), entries of the lru caches."""
    from explorer.analysis.complexity import spec_tables
    from explorer.engine import pipeline
    from explorer.runtime import onnx_backend

    return {
        "onnx in memory MB": round(sum(len(b) for b in onnx_backend._MEMORY.values()) / 2**20),
        "spec tables": spec_tables.cache_info().currsize,
        "synthetic inputs": pipeline._synthetic_inputs.cache_info().currsize,
    }


def malloc_figures() -> dict[str, int]:
    """glibc's own accounting (mallinfo2, MB): in use, free but kept in its arenas, mmapped.  Free
    memory kept in arenas after a trim is fragmentation, not a leak; in use is what a leak moves."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in (
                "arena",
                "ordblks",
                "smblks",
                "hblks",
                "hblkhd",
                "usmblks",
                "fsmblks",
                "uordblks",
                "fordblks",
                "keepcost",
            )
        ]

    try:
        libc = ctypes.CDLL(None)
        libc.mallinfo2.restype = MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    mb = 2**20
    return {
        "malloc in use MB": round(info.uordblks / mb),
        "malloc free kept MB": round(info.fordblks / mb),
        "mmapped MB": round(info.hblkhd / mb),
    }


def record_exceptions() -> list[str]:
    """Every exception that reaches sys.excepthook (Qt prints a slot's and goes on), kept as text."""
    import traceback

    raised: list[str] = []
    previous = sys.excepthook

    def hook(kind, value, tb):
        raised.append("".join(traceback.format_exception_only(kind, value)).strip())
        previous(kind, value, tb)

    sys.excepthook = hook
    return raised
