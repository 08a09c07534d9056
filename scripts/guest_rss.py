"""Run a Python script and sample its resident memory as a board would count it.

Under QEMU user-mode emulation the process's RSS also holds QEMU's own memory (its
translated-code cache, its heap, its binary), which grows with the code the program runs and
which a board does not have.  QEMU answers /proc/self/maps with the *guest's* mappings only
but passes /proc/self/smaps through from the host, so the guest's own resident memory is the
smaps Rss of the ranges the guest maps.  On a real machine both files list the same ranges and
the two figures are equal.

    python scripts/guest_rss.py --out rss.json [--every 1.0] -- main.py --frames 80 ...
    python scripts/guest_rss.py --out rss.json -- -m explorer predict IMAGE ...

The JSON holds the peaks of both figures (sampled), QEMU's share at the guest's peak, and the
peak of the guest's anonymous memory (its own heap and buffers, the steadiest figure).
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import runpy
import sys
import threading
import time

RANGE = re.compile(rb"^([0-9a-f]+)-([0-9a-f]+) ", re.M)
# one smaps entry: its range, then its Rss and (further down) its Anonymous kB
SMAPS_ENTRY = re.compile(
    rb"^([0-9a-f]+)-([0-9a-f]+) [^\n]*\n(?:[^\n]*\n)*?Rss:\s+(\d+) kB\n(?:[^\n]*\n)*?Anonymous:\s+(\d+) kB", re.M
)


def guest_ranges() -> tuple[list[int], list[int]]:
    with open("/proc/self/maps", "rb") as f:
        pairs = sorted((int(a, 16), int(b, 16)) for a, b in RANGE.findall(f.read()))
    return [a for a, _ in pairs], [b for _, b in pairs]


def resident_mb() -> tuple[float, float, float]:
    """(all resident MB, the guest's resident MB, the guest's anonymous MB): an entry counts for
    the guest in proportion to how much of it lies inside the guest's mappings.  Anonymous
    memory is the program's own heap and buffers; the rest is library pages mapped from files,
    which the kernel can drop and re-read, and whose count varies from run to run with the page
    cache (the kernel maps cached neighbours of a faulting page too)."""
    starts, ends = guest_ranges()
    with open("/proc/self/smaps", "rb") as f:
        text = f.read()
    total = guest = anonymous = 0.0
    for a, b, rss, anon in SMAPS_ENTRY.findall(text):
        start, end, kb = int(a, 16), int(b, 16), int(rss)
        total += kb
        if not kb:
            continue
        inside = 0
        i = max(0, bisect.bisect_right(starts, start) - 1)
        while i < len(starts) and starts[i] < end:
            inside += max(0, min(end, ends[i]) - max(start, starts[i]))
            i += 1
        share = inside / (end - start)
        guest += kb * share
        anonymous += int(anon) * share
    return total / 1024, guest / 1024, anonymous / 1024


class Sampler(threading.Thread):
    def __init__(self, every: float) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.peak_total = self.peak_guest = self.emulator_at_guest_peak = self.peak_anonymous = 0.0
        self.samples = 0
        self.lock = threading.Lock()

    def sample(self) -> None:
        total, guest, anonymous = resident_mb()
        with self.lock:
            self.samples += 1
            self.peak_total = max(self.peak_total, total)
            self.peak_anonymous = max(self.peak_anonymous, anonymous)
            if guest > self.peak_guest:
                self.peak_guest, self.emulator_at_guest_peak = guest, total - guest

    def run(self) -> None:
        while True:
            self.sample()
            time.sleep(self.every)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="where the JSON goes")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between samples")
    parser.add_argument("script", help="the script to run (or -m MODULE), then its arguments (after --)")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    sampler = Sampler(options.every)
    sampler.start()
    module = options.args.pop(0) if options.script == "-m" else None
    sys.argv = [module or options.script, *options.args]
    code = 0
    try:
        if module:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(options.script, run_name="__main__")
    except SystemExit as exc:  # the script's own exit code is the result
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sampler.sample()
        with sampler.lock:
            result = {
                "peak_mb": round(sampler.peak_total),
                "guest_peak_mb": round(sampler.peak_guest),
                "emulator_at_guest_peak_mb": round(sampler.emulator_at_guest_peak),
                "guest_anonymous_peak_mb": round(sampler.peak_anonymous),
                "samples": sampler.samples,
                "every_s": options.every,
            }
        with open(options.out, "w") as f:
            json.dump(result, f)
    return code


if __name__ == "__main__":
    sys.exit(main())
