"""Long work off the UI thread, reporting back through Qt signals (the one helper for it).

``task.start(work)`` runs ``work(progress, cancel)`` on a daemon thread; ``progress(fraction,
text)`` becomes the ``progress`` signal, the return value ``finished``, a raised
explorer.progress.Cancelled ``cancelled`` and any other exception ``failed`` (with its text):
all delivered on the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from explorer.progress import Cancelled, Progress

Work = Callable[[Progress, threading.Event], object]


class BackgroundTask(QObject):
    progress = Signal(float, str)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, work: Work) -> bool:
        """Run ``work`` unless a run is still going (then False)."""
        if self.running:
            return False
        self._cancel = cancel = threading.Event()

        def run() -> None:
            try:
                result = work(self.progress.emit, cancel)
            except Cancelled:
                self.cancelled.emit()
            except Exception as exc:  # reported, never raised into a thread nobody watches
                self.failed.emit(str(exc) or type(exc).__name__)
            else:
                self.finished.emit(result)

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
