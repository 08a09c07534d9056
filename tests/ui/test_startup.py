from explorer.app import qt_platform_problem


def linux(env, found=("xcb-cursor", "xcb-icccm", "xcb-keysyms")):
    return qt_platform_problem(env, "linux", lambda name: f"lib{name}.so" if name in found else None)


def test_no_display_is_explained_with_the_headless_alternatives():
    message = linux({})
    assert "no display found" in message and "QT_QPA_PLATFORM=offscreen" in message


def test_missing_x11_libraries_are_named_with_the_apt_command():
    message = linux({"DISPLAY": ":0"}, found=("xcb-icccm",))
    assert "sudo apt-get install libxcb-cursor0 libxcb-keysyms1" in message


def test_a_complete_setup_or_an_explicit_platform_passes():
    assert linux({"DISPLAY": ":0"}) is None
    assert linux({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert linux({"WAYLAND_DISPLAY": "wayland-0"}, found=()) is None
    assert qt_platform_problem({}, "darwin") is None
