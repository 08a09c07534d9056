"""Long work off the UI thread, reporting back through Qt signals (the one helper for it).

``task.start(work)`` runs ``work(progress, cancel)`` on a daemon thread; ``progress(fraction,
text)`` becomes the ``progress`` signal, the return value ``finished``, a raised
explorer.progress.Cancelled ``cancelled`` and any other exception ``failed`` (its text and its
whole traceback, also written to the log): all delivered on the UI thread.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from explorer.memory import release_freed_memory
from explorer.progress import Cancelled, Progress

Work = Callable[[Progress, threading.Event], object]


class BackgroundTask(QObject):
    _all: weakref.WeakSet[BackgroundTask] = weakref.WeakSet()  # for winding every one down at quit

    progress = Signal(float, str)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str, str)  # the message, the traceback (for Copy and a bug report)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._active = False  # set at start, cleared just before the outcome is emitted
        BackgroundTask._all.add(self)

    @classmethod
    def wind_down_all(cls, timeout: float) -> bool:
        """Cancel every running task and wait up to ``timeout`` s in all for them to stop (True when
        they did): a thread still in torch when the interpreter exits aborts the process."""
        running = [task for task in list(cls._all) if task.alive]
        for task in running:
            task.cancel()
        end = time.monotonic() + timeout
        for task in running:
            task.wait(max(0.0, end - time.monotonic()))
        return not any(task.alive for task in running)

    @classmethod
    def any_running(cls) -> bool:
        """Some job (a lesson, a sweep, the fit, a training) is busy and holds its working set."""
        return any(task.running for task in list(cls._all))

    @property
    def running(self) -> bool:
        """Busy with a run (False from the moment its outcome is sent: Run may be pressed again)."""
        return self._active

    @property
    def alive(self) -> bool:
        """Its thread still exists (quitting waits for this, not for ``running``)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, work: Work) -> bool:
        """Run ``work`` unless a run is still going (then False)."""
        if self.running:
            return False
        self._cancel = cancel = threading.Event()
        self._active = True

        def run() -> None:
            outcome: tuple = ()
            try:
                outcome = (self.finished, work(self.progress.emit, cancel))
            except Cancelled:
                outcome = (self.cancelled,)
            except Exception as exc:  # reported, never raised into a thread nobody watches
                logging.getLogger(__name__).exception("%s failed", self.name)
                outcome = (self.failed, str(exc) or type(exc).__name__, traceback.format_exc())
            finally:
                release_freed_memory()  # a lesson's or a training's tensors are gone: hand their pages back
                # idle before the owner hears of it: a Run pressed the moment it is told is never refused
                self._active = False
                if outcome:
                    outcome[0].emit(*outcome[1:])

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
