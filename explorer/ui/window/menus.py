"""The window's menus and keyboard shortcuts: each action forwards intent to the state or to
the window's file actions."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from explorer.ui.window.tabs import TABS


def next_groups(spec):
    """The next group count (G key), or None for architectures whose groups are not the user's."""
    choices = spec.architecture.group_choices
    if not choices:
        return None
    return choices[(choices.index(spec.groups) + 1) % len(choices)]


def build_menus(window) -> dict[str, QAction]:
    state, files = window.state, window.files
    actions: dict[str, QAction] = {}

    def action(menu, key, text, shortcut, slot, checkable=False):
        act = QAction(text, window)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        menu.addAction(act)
        window.addAction(act)
        actions[key] = act
        return act

    def cycle_groups() -> None:
        groups = next_groups(state.config.spec)
        if groups is None:
            spec = state.config.spec
            state.say(spec.architecture.groups_note or f"{spec.label} has no group count to choose")
        else:
            state.request(spec=state.config.spec.with_changes(groups=groups))

    menu = window.menuBar().addMenu("&File")
    action(
        menu,
        "save_png",
        "Save window (the diagram or the lesson figure, on their tabs)…",
        "Ctrl+S",
        lambda: files.save_current(),
    )
    action(menu, "save_grid", "Save feature grid as PNG…", "Ctrl+Shift+S", lambda: files.save_feature_png())
    action(menu, "export_csv", "Export layer table as CSV…", "Ctrl+E", lambda: files.save_layer_csv())
    menu.addSeparator()
    action(menu, "quit", "Quit", "Ctrl+Q", window.close)
    menu = window.menuBar().addMenu("&Model")

    def toggle_shuffle() -> None:
        spec = state.config.spec
        if not spec.architecture.has_shuffle:
            state.say(f"{spec.label} has no channel shuffle to turn off")
            return
        state.request(spec=spec.with_changes(shuffle=not spec.shuffle))

    action(menu, "shuffle", "Toggle channel shuffle", "S", toggle_shuffle)
    action(menu, "groups", "Next group count (V1)", "G", cycle_groups)
    action(menu, "measure", "Measure layer times again", "M", state.request_layer_times)
    menu = window.menuBar().addMenu("&View")
    action(menu, "pause", "Pause", "Space", state.set_paused, checkable=True)
    action(menu, "large_fonts", "Large fonts (classroom)", "Ctrl+L", window.set_large_fonts, checkable=True)
    # not the dock's own toggleViewAction: Qt disables that one when the dock is not closable,
    # and touch mode takes the close button away (a finger cannot hit it), so F9 and the
    # "Controls" button stopped unfolding the panel on a touch panel
    controls = action(
        menu, "controls", "Controls panel", "F9", lambda on: window.controls_dock.setVisible(on), checkable=True
    )
    controls.setChecked(window.controls_dock.isVisible())
    window.controls_dock.visibilityChanged.connect(lambda _visible: controls.setChecked(window.controls_shown()))
    action(menu, "touch", "Touch-sized controls", None, window.set_touch, checkable=True)
    action(menu, "present", "Presentation mode", "F11", window.set_presenting, checkable=True)
    leave = action(
        menu, "leave_presentation", "Leave presentation mode", "Escape", lambda: window.set_presenting(False)
    )
    leave.setEnabled(False)
    action(
        menu,
        "full_screen",
        "Full screen",
        "Shift+F11",
        lambda: window.showNormal() if window.isFullScreen() else window.showFullScreen(),
    )
    for i, entry in enumerate(TABS, 1):
        action(menu, f"tab{i}", entry.title, f"Ctrl+{i}", lambda _=False, i=i: window.tabs.setCurrentIndex(i - 1))
    menu = window.menuBar().addMenu("&Help")
    action(menu, "tab_help", "What am I looking at? (this tab)", "F1", lambda: window.open_help("tab"))
    action(menu, "shortcuts", "Keyboard shortcuts", "Ctrl+/", lambda: window.open_help("shortcuts"))
    action(menu, "get_weights", "Get trained weights…", None, lambda: window.open_help("weights"))
    action(menu, "docs", "Documentation (docs/ folder)", None, lambda: window.open_help("docs"))
    menu.addSeparator()
    action(menu, "about", "About ShuffleNet Explorer", None, lambda: window.open_help("about"))
    return actions
