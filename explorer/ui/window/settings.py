"""What the window remembers between runs (QSettings): architecture, groups, scale, backend,
weights choice, source, tab, and how the window was laid out (controls shown, touch-sized).  Command-line switches always win; headless ``--frames`` runs
neither read nor write (scripts must be reproducible); ``--reset`` starts from defaults.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

KEYS = ("arch", "groups", "scale", "backend", "weights", "source", "tab", "controls", "touch")
FLAGS = ("controls", "touch")  # remembered as true/false


def store() -> QSettings:
    """The settings file: EXPLORER_SETTINGS (an .ini path) moves it, e.g. for tests."""
    path = os.environ.get("EXPLORER_SETTINGS")
    if path:
        return QSettings(path, QSettings.IniFormat)
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "ShuffleNetExplorer", "explorer")


WEIGHTS_PREFIX = "weights."  # weights.<arch>: each architecture remembers its own weights


def load() -> dict:
    """Remembered values, parsed; anything unreadable is dropped rather than trusted.

    ``values["problems"]`` says what was ignored and why, naming the file; a file Qt cannot
    parse is moved aside (``.bad``) so the next start begins clean."""
    settings = store()
    values: dict = {"problems": []}
    if settings.status() != QSettings.NoError:
        values["problems"].append(_set_aside(settings.fileName(), "it could not be read"))
        return values
    for key in KEYS:
        value = settings.value(key)
        if value in (None, ""):
            continue
        try:
            if key in FLAGS:
                value = _flag(value)
            elif key == "groups":
                value = int(value)
            elif key == "scale":
                value = float(value)
            else:
                value = str(value)
        except (TypeError, ValueError):
            values["problems"].append(
                f"ignored the remembered {key} {value!r} in {settings.fileName()} (not a valid value)"
            )
            continue
        values[key] = value
    by_arch = {
        key[len(WEIGHTS_PREFIX) :]: str(settings.value(key))
        for key in settings.allKeys()
        if key.startswith(WEIGHTS_PREFIX) and settings.value(key) not in (None, "")
    }
    if "weights" in values and values.get("arch") and values["arch"] not in by_arch:
        by_arch[values["arch"]] = values["weights"]  # an older version remembered one choice, with its arch
    values.pop("weights", None)
    values["weights_by_arch"] = by_arch
    return values


def _flag(value) -> bool:
    text = str(value).strip().lower()
    if text not in ("true", "false", "1", "0"):
        raise ValueError(text)
    return text in ("true", "1")


def _set_aside(name: str, why: str) -> str:
    try:
        os.replace(name, name + ".bad")
        return f"the settings file {name} was ignored ({why}) and moved to {name}.bad: starting from the defaults"
    except OSError as exc:
        return f"the settings file {name} was ignored ({why}; it could not be moved aside: {exc.strerror}): starting from the defaults"


def save(values: dict) -> str | None:
    """Write the remembered values (QSettings writes the file whole, through a temporary file);
    returns what went wrong (a read-only or full disk), or None."""
    settings = store()
    settings.setAtomicSyncRequired(True)
    for key in KEYS:
        value = values.get(key)
        if value is None:
            settings.remove(key)
        else:
            settings.setValue(key, value)
    for arch, weights in values.get("weights_by_arch", {}).items():
        if weights:
            settings.setValue(WEIGHTS_PREFIX + arch, weights)
        else:
            settings.remove(WEIGHTS_PREFIX + arch)
    settings.sync()
    if settings.status() != QSettings.NoError:
        return f"could not remember the settings in {settings.fileName()} (not writable, or the disk is full); the next start uses the defaults"
    return None


def reset() -> None:
    settings = store()
    settings.clear()
    settings.sync()
