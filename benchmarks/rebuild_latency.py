"""Time from a configuration change to the Architecture panel showing the new model.

    QT_QPA_PLATFORM=offscreen python benchmarks/rebuild_latency.py

Every V1/V2 spec at 224, first visit (nothing cached) and revisit; prints numbers only.
"""

from __future__ import annotations

import statistics
import sys
import time

import harness  # sets up the path and offscreen Qt


def main() -> int:
    from explorer.engine.config import RunConfig
    from explorer.models import ModelSpec, list_specs

    window = harness.open_window(RunConfig(ModelSpec.create("v2"), backend="channels_last", threads=1), pace=True)
    window.set_tab("architecture")
    specs = [s for s in list_specs() if s.arch != "compact"]
    results = {}
    for visit in ("first visit", "revisit"):
        times = []
        for spec in specs:
            start = time.perf_counter()
            window.state.request(spec=spec)
            harness.wait_for(
                lambda: (
                    window.pages["architecture"].model.report is not None
                    and window.pages["architecture"].model.report.spec == spec
                ),
                timeout=60,
                step=0.005,
            )
            times.append((time.perf_counter() - start, spec.label, window.engine.bundle.build_ms))
        results[visit] = times
    for visit, times in results.items():
        values = [t for t, *_ in times]
        builds = [b for *_, b in times]
        worst = max(times)
        print(
            f"{visit}: {len(times)} specs, median {statistics.median(values) * 1000:.0f} ms, "
            f"max {worst[0] * 1000:.0f} ms ({worst[1]}) - target < 1000 ms, live video running meanwhile; "
            f"of which building the bundle: median {statistics.median(builds):.0f} ms, max {max(builds):.0f} ms"
        )
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
