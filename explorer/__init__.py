"""ShuffleNet Explorer: see and feel how ShuffleNet works."""

import os
import sys

# This app runs on the CPU.  CUDA builds of torch (what PyPI serves for Linux x86 and aarch64)
# ship triton, a GPU kernel compiler; torch._dynamo imports it as soon as a meta-device op runs
# (our shape-only analysis), and at exit triton's bindings print ~50 lines of "nanobind: leaked".
# Nothing here can use triton, so it is marked absent before torch looks for it: torch then
# reports "no triton" and never loads it.  EXPLORER_ALLOW_TRITON=1 keeps it importable.
if os.environ.get("EXPLORER_ALLOW_TRITON") != "1":
    sys.modules.setdefault("triton", None)
