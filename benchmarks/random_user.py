"""A seeded random user for benchmarks/soak.py --random: clicks, keys, tab switches, combo and
spin changes, list picks, menu actions and dialogs, all through Qt itself (QTest and the
widgets' own signals), so the window does what it does for a person.

What is left out: Quit (it would end the run), the docs link (it starts a browser) and the
weights download (no network here: the refusal is tested elsewhere).  A modal dialog a click
opens (a file dialog, a message box, a menu) is closed again by a timer, as a person would press
Escape: one started before each action and one that runs throughout (a dialog can open later).
"""

from __future__ import annotations

import os
import random
import sys
from collections import Counter

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QListWidget,
    QSpinBox,
    QWidget,
)

KEYS = [
    (Qt.Key_F9, Qt.NoModifier),
    (Qt.Key_F11, Qt.NoModifier),
    (Qt.Key_Escape, Qt.NoModifier),
    (Qt.Key_L, Qt.ControlModifier),
    (Qt.Key_F1, Qt.NoModifier),
    (Qt.Key_Space, Qt.NoModifier),
    (Qt.Key_S, Qt.NoModifier),
    (Qt.Key_G, Qt.NoModifier),
    (Qt.Key_M, Qt.NoModifier),
]
LEFT_OUT_TEXT = ("quit", "download", "documentation")  # see the module docstring
LEFT_OUT_ACTIONS = ("quit", "docs")
# how often each kind of action is picked: clicks and picks most, as a person's hand goes
WEIGHTS = {"click": 6, "combo": 3, "tab": 3, "key": 2, "spin": 1, "list": 2, "menu": 1, "dialog": 1}


def close_modal_dialogs() -> None:
    """Escape out of whatever modal dialog is open (file dialogs, message boxes, menus)."""
    for _ in range(5):
        modal = QApplication.activeModalWidget() or QApplication.activePopupWidget()
        if modal is None:
            return
        if isinstance(modal, QDialog):
            modal.reject()
        else:
            modal.close()


class RandomUser:
    def __init__(self, window, seed: int) -> None:
        self.window = window
        self.rng = random.Random(seed)
        self.done: Counter[str] = Counter()
        # a dialog or menu can open any time (a queued slot, a finished job): Escape it twice a second
        self._escape = QTimer()
        self._escape.timeout.connect(close_modal_dialogs)
        self._escape.start(500)

    def _visible(self, kind) -> list[QWidget]:
        # findChildren's order is the widget tree's: the same seed picks the same widgets
        widgets = [w for w in self.window.findChildren(kind) if w.isVisible() and w.isEnabled()]
        return [w for w in widgets if not any(t in self._text(w) for t in LEFT_OUT_TEXT)]

    @staticmethod
    def _text(widget: QWidget) -> str:
        return (widget.text() if hasattr(widget, "text") and callable(widget.text) else "").lower()

    def act(self) -> str:
        kind = self.rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
        QTimer.singleShot(400, close_modal_dialogs)  # runs inside a modal's own event loop too
        self.what = kind
        getattr(self, f"_{kind}")()
        self.done[kind] += 1
        if os.environ.get("RANDOM_USER_LOG"):  # each action on stderr: the last one before a hang is the lead
            w, flags = self.window, self.window.actions_by_name
            state = (
                f"{w.width()}x{w.height()} tab {w.current_tab()} dock {w.controls_dock.isVisible()} "
                f"fonts {flags['large_fonts'].isChecked()} touch {flags['touch'].isChecked()} "
                f"present {flags['present'].isChecked()} full {w.isFullScreen()}"
            )
            rss = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
            print(
                f"action {sum(self.done.values())}: {self.what} | {state} | rss {rss} MB", file=sys.stderr, flush=True
            )
        return kind

    def _click(self) -> None:
        buttons = self._visible(QAbstractButton)
        if buttons:
            button = self.rng.choice(buttons)
            self.what = f"click {type(button).__name__} {button.text()!r} {button.objectName()!r}"
            QTest.mouseClick(button, Qt.LeftButton, Qt.NoModifier, QPoint(button.width() // 2, button.height() // 2))

    def _combo(self) -> None:
        boxes = [b for b in self._visible(QComboBox) if b.count() > 0]
        if boxes:
            box = self.rng.choice(boxes)
            index = self.rng.randrange(box.count())
            self.what = f"combo {box.objectName()!r} -> {box.itemText(index)!r}"
            box.setCurrentIndex(index)
            box.activated.emit(index)  # what a pick from the popup sends

    def _tab(self) -> None:
        tabs = self.window.tabs
        index = self.rng.randrange(tabs.count())
        self.what = f"tab {tabs.tabText(index)!r}"
        tabs.setCurrentIndex(index)

    def _key(self) -> None:
        key, modifier = self.rng.choice(KEYS)
        self.what = f"key {key} {modifier}"
        target = QApplication.focusWidget() or self.window
        QTest.keyClick(target, key, modifier)

    def _spin(self) -> None:
        spins = [s for s in self._visible(QAbstractSpinBox) if isinstance(s, QSpinBox)]
        if spins:
            spin = self.rng.choice(spins)
            value = self.rng.randint(spin.minimum(), min(spin.maximum(), spin.minimum() + 64))
            self.what = f"spin {spin.objectName()!r} {spin.suffix()!r} -> {value}"
            spin.setValue(value)

    def _list(self) -> None:
        lists = [w for w in self._visible(QListWidget) if w.count() > 0]
        if lists:
            chosen = self.rng.choice(lists)
            row = self.rng.randrange(chosen.count())
            self.what = f"list row {row}"
            chosen.setCurrentRow(row)

    def _menu(self) -> None:
        actions = {k: a for k, a in self.window.actions_by_name.items() if k not in LEFT_OUT_ACTIONS and a.isEnabled()}
        if actions:
            name, action = self.rng.choice(sorted(actions.items()))
            self.what = f"menu {name}"
            action.trigger()

    def _dialog(self) -> None:
        page = self.rng.choice(["tab", "shortcuts", "weights", "about"])
        self.what = f"dialog {page}"
        self.window.open_help(page)
        if self.window.help_dialog is not None and self.rng.random() < 0.7:
            self.window.help_dialog.close()
