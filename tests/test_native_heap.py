"""The native heap hands large freed blocks back (explorer.memory.bound_native_heap)."""

import os
import subprocess
import sys

import pytest

PROBE = """
import ctypes, sys
from explorer.memory import bound_native_heap

class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
print("bound" if bound_native_heap() else "default")
block = bytearray(16 << 20)  # freed: glibc's default raises its mmap threshold to 16 MB here
del block
block = bytearray(16 << 20)
print(libc.mallinfo2().hblkhd >= 16 << 20)  # mmapped (handed back when freed) or kept in the heap
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_freed_large_block_goes_back_to_the_system_and_not_into_the_heap():
    def probe(bound: str) -> list[str]:
        env = {**os.environ, "EXPLORER_HEAP_BOUND": bound}
        proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    assert probe("1") == ["bound", "True"]
    assert probe("0") == ["default", "False"]  # what the bound changes: the second block lands in the heap
