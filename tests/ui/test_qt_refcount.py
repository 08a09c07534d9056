"""Guards the PySide6 pin: PySide6 6.12.0 decrefs True on every Signal.emit() under Python 3.11,
so the live view (one emit per frame) crashed with "deallocating True or False" after a few
thousand frames.  If a PySide6 upgrade brings that back, this fails instead of the app."""

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    plain = Signal()
    text = Signal(str)
    obj = Signal(object)


def test_emitting_signals_does_not_leak_references_to_singletons(qtbot):
    emitter = Emitter()
    received = [0]  # a counter: storing the payloads would hold references to None itself

    def count(*_):
        received[0] += 1

    emitter.plain.connect(count)
    emitter.text.connect(count)
    emitter.obj.connect(count)
    before = [sys.getrefcount(v) for v in (True, False, None)]
    for _ in range(300):
        emitter.plain.emit()
        emitter.text.emit("")
        emitter.obj.emit(None)
    after = [sys.getrefcount(v) for v in (True, False, None)]
    assert received[0] == 900
    assert all(abs(a - b) < 50 for a, b in zip(before, after)), (
        f"refcounts of True/False/None moved by {[a - b for a, b in zip(after, before)]}"
    )
