"""This process's age and peak memory (the headless summaries and the benchmarks read them)."""

from __future__ import annotations

import os
import sys
import time


def peak_rss_mb() -> float | None:
    """This process's peak resident memory so far (None where the OS does not say).  Read at the
    end of a headless run, it is the app's own peak: the interpreter's teardown afterwards adds
    ~140 MB for a moment (measured on x86), which a process-level maximum would count."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KB on Linux


def process_age() -> float:
    """Seconds since this process started (Linux /proc), else since this module was imported."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            started = int(stat.read().rsplit(")", 1)[1].split()[19]) / ticks
            return float(uptime.read().split()[0]) - started
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()
