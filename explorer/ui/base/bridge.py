"""The AppState's events as Qt signals, delivered on the UI thread.

The engine changes the state from its worker threads; psygnal calls back on the emitting
thread.  Re-emitting through a QObject that lives on the UI thread lets Qt queue each event
for the UI thread (an AutoConnection across threads is queued), so views never touch widgets
from another thread.  Views take this bridge in their constructor and subscribe themselves.
"""

from __future__ import annotations

from psygnal import Signal as PsygnalSignal
from PySide6.QtCore import QObject, Signal

from explorer.engine.state import AppState


def _qt_signals() -> dict[str, Signal]:
    """A Qt signal for every psygnal signal AppState declares: same name, same argument types."""
    signals = {}
    for name, value in vars(AppState).items():
        if isinstance(value, PsygnalSignal):
            signals[name] = Signal(*(p.annotation for p in value.signature.parameters.values()))
    return signals


_SIGNALS = _qt_signals()


def _init(self, state: AppState, parent: QObject | None = None) -> None:
    QObject.__init__(self, parent)
    self.state = state
    for name in _SIGNALS:
        getattr(state, name).connect(getattr(self, name).emit)


# the class is built from the declaration, so a new state event needs no edit here
QtState = type("QtState", (QObject,), {**_SIGNALS, "__init__": _init})
