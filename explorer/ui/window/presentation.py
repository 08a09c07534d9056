"""Presentation mode: what a person giving a live demo puts on a projector or a touchscreen.

Full screen, the Live tab's frame as large as the screen allows, the top-5 and fps painted over
it in large type with the model and its backend in one line, and nothing else.  Escape, F11 or
the on-screen button leave it, and the window comes back exactly as it was (tab, controls,
full screen or not).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QWidget


@dataclass
class _Before:
    tab: str
    full_screen: bool
    maximized: bool
    hidden: list[QWidget]  # what presenting hid, and only that, is shown again


class Presentation:
    def __init__(self, window) -> None:
        self.window = window
        self._before: _Before | None = None

    @property
    def on(self) -> bool:
        return self._before is not None

    def chrome(self) -> list[QWidget]:
        """Everything but the frame: menus, status, controls, the banner, the tab row."""
        w = self.window
        return [w.menuBar(), w.statusBar(), w.controls_dock, w.banner, w.tabs.tabBar(), *w.tab_corners]

    def set(self, on: bool) -> None:
        if on == self.on:
            return
        w = self.window
        if on:
            hidden = [widget for widget in self.chrome() if widget.isVisible()]
            self._before = _Before(w.current_tab(), w.isFullScreen(), w.isMaximized(), hidden)
            w.set_tab("live")
            for widget in hidden:
                widget.hide()
            w.pages["live"].set_presenting(True)
            w.showFullScreen()
        else:
            before, self._before = self._before, None
            w.pages["live"].set_presenting(False)
            for widget in before.hidden:
                widget.show()
            if before.full_screen:
                w.showFullScreen()
            elif before.maximized:
                w.showMaximized()
            else:
                w.showNormal()
            w.set_tab(before.tab)
        w.actions_by_name["present"].setChecked(on)
        w.actions_by_name["leave_presentation"].setEnabled(on)
