"""The one small interface every frame source implements.

An image source hands out RGB uint8 frames (H x W x 3, C-contiguous); a signal source hands out
explorer.sources.signal_stream.SignalWindow (the newest samples of a sensor stream).  ``read()`` returns the newest
frame or raises SourceError with a message a user can act on; it never returns garbage.
"""

from __future__ import annotations

import numpy as np


class SourceError(Exception):
    """A source cannot be opened or stopped delivering; the text names the problem and the fix."""


class SourceInterrupted(SourceError):
    """The source has no frame now but is recovering on its own (a network stream reconnecting):
    say the text, keep the source, read again shortly."""


class FrameSource:
    name: str = "source"
    kind: str = "base"
    fps: float = 30.0  # natural rate; the engine paces to it unless told to run flat out
    live: bool = False  # True: read() blocks until the device delivers (no pacing needed)
    input_kind: str = "image"  # what read() hands out: "image" (RGB frames) or "signal" (sensor windows)
    text: str = ""  # what the user typed to open it (set by open_source)

    def read(self) -> np.ndarray:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return self.name
