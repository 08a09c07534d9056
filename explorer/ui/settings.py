"""What the window remembers between runs (QSettings): architecture, groups, scale, backend,
weights choice, source and tab.  Command-line switches always win; headless ``--frames`` runs
neither read nor write (scripts must be reproducible); ``--reset`` starts from defaults.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QSettings

KEYS = ("arch", "groups", "scale", "backend", "weights", "source", "tab")


def store() -> QSettings:
    """The settings file: EXPLORER_SETTINGS (an .ini path) moves it, e.g. for tests."""
    path = os.environ.get("EXPLORER_SETTINGS")
    if path:
        return QSettings(path, QSettings.IniFormat)
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "ShuffleNetExplorer", "explorer")


def load() -> dict:
    """Remembered values, parsed; anything unreadable is dropped rather than trusted."""
    settings = store()
    values = {}
    for key in KEYS:
        value = settings.value(key)
        if value in (None, ""):
            continue
        try:
            if key == "groups":
                value = int(value)
            elif key == "scale":
                value = float(value)
            else:
                value = str(value)
        except (TypeError, ValueError):
            continue
        values[key] = value
    return values


def save(values: dict) -> None:
    settings = store()
    for key in KEYS:
        value = values.get(key)
        if value is None:
            settings.remove(key)
        else:
            settings.setValue(key, value)
    settings.sync()


def reset() -> None:
    settings = store()
    settings.clear()
    settings.sync()
