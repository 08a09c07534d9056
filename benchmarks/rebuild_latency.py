"""Time from a configuration change to the Architecture panel showing the new model.

    QT_QPA_PLATFORM=offscreen python benchmarks/rebuild_latency.py

Every V1/V2 spec at 224, first visit (nothing cached) and revisit; prints numbers only.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from explorer.app import settle_after_startup
    from explorer.engine.pipeline import build_bundle
    from explorer.engine.worker import Engine
    from explorer.models import ModelSpec, list_specs
    from explorer.sources import SyntheticSource
    from explorer.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    engine = Engine(build_bundle(ModelSpec.create("v2")), SyntheticSource(), threads=1)
    window = MainWindow(engine)
    window.show()
    window.tabs.setCurrentWidget(window.architecture)
    settle_after_startup()
    engine.start()
    specs = [s for s in list_specs() if s.arch != "compact"]
    results = {}
    for visit in ("first visit", "revisit"):
        times = []
        for spec in specs:
            start = time.perf_counter()
            window.request_spec(spec)
            while window.architecture.model.report is None or window.architecture.model.report.spec != spec:
                loop = QEventLoop()
                QTimer.singleShot(5, loop.quit)
                loop.exec()
            times.append((time.perf_counter() - start, spec.label, window.engine.bundle.build_ms))
        results[visit] = times
    for visit, times in results.items():
        values = [t for t, *_ in times]
        builds = [b for *_, b in times]
        worst = max(times)
        print(f"{visit}: {len(times)} specs, median {statistics.median(values) * 1000:.0f} ms, "
              f"max {worst[0] * 1000:.0f} ms ({worst[1]}) - target < 1000 ms, live video running meanwhile; "
              f"of which building the bundle: median {statistics.median(builds):.0f} ms, max {max(builds):.0f} ms")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
