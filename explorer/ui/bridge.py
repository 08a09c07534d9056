"""The AppState's events as Qt signals, delivered on the UI thread.

The engine changes the state from its worker threads; psygnal calls back on the emitting
thread.  Re-emitting through a QObject that lives on the UI thread lets Qt queue each event
for the UI thread (an AutoConnection across threads is queued), so views never touch widgets
from another thread.  Views take this bridge in their constructor and subscribe themselves.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from explorer.engine.state import AppState

# state event -> Qt signal of the same name and arguments
_EVENTS = {
    "requested": (object, bool), "running": (object,), "source": (str,), "agreement": (object,),
    "layer_times": (object,), "frame_ready": (), "taps_changed": (tuple,), "head_changed": (object,),
    "paused_changed": (bool,), "message": (str, bool), "busy": (str, float),
}


class QtState(QObject):
    requested = Signal(object, bool)
    running = Signal(object)
    source = Signal(str)
    agreement = Signal(object)
    layer_times = Signal(object)
    frame_ready = Signal()
    taps_changed = Signal(tuple)
    head_changed = Signal(object)
    paused_changed = Signal(bool)
    message = Signal(str, bool)
    busy = Signal(str, float)

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        for name in _EVENTS:
            getattr(state, name).connect(getattr(self, name).emit)
