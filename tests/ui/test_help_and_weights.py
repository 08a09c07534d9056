"""Help menu pages, the Get trained weights dialog, and a checkpoint dropped on the window."""

import torch
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from explorer.models import ModelSpec, build_model
from explorer.models.architecture import architecture
from explorer.runtime import registry
from explorer.weights.download import checkpoint_dir
from tests.weights.megvii_reference import randomise

WAIT = 60_000


def test_f1_explains_the_tab_showing_and_shortcuts_come_from_the_actions(make_window):
    window = make_window()
    window.set_tab("shuffle")
    window.actions_by_name["tab_help"].trigger()
    assert "Shuffle" in window.help_dialog.windowTitle() and "group" in window.help_dialog.text.text()
    window.actions_by_name["shortcuts"].trigger()
    text = window.help_dialog.text.text()
    assert "Space" in text and "Pause" in text and "Ctrl+L" in text and "F1" in text


def test_about_names_versions_backends_and_folders(make_window, tmp_path):
    window = make_window()
    window.actions_by_name["about"].trigger()
    text = window.help_dialog.text.text()
    assert str(tmp_path / "settings.ini") in text and str(tmp_path / "cache") in text
    assert all(b.title in text for b in registry.available_backends())
    assert window.state.bundle.spec.label in text
    assert "did not import" not in text


def test_about_names_a_backend_module_that_did_not_import(make_window, monkeypatch):
    monkeypatch.setitem(registry._REGISTRY.failures, "explorer.runtime.broken_backend", "ImportError: no libfoo")
    window = make_window()
    window.actions_by_name["about"].trigger()
    text = window.help_dialog.text.text()
    assert "explorer.runtime.broken_backend" in text and "no libfoo" in text


def test_the_weights_dialog_gives_torchvisions_offline_route_in_full(make_window, qtbot):
    window = make_window()
    window.actions_by_name["get_weights"].trigger()
    dialog = window.help_dialog
    dialog.arch.setCurrentIndex(dialog.arch.findData("v2"))
    checkpoint = architecture("v2").torchvision_checkpoints[dialog._spec().scale]
    offline = dialog.offline.text()
    assert checkpoint.url in offline and checkpoint.filename in offline and str(checkpoint_dir()) in offline
    assert dialog.download.isVisibleTo(dialog) and dialog.open_folder.isVisibleTo(dialog)
    assert dialog.offline.wordWrap() and dialog.where.wordWrap()  # shown whole, never cut


def test_the_weights_dialog_sends_v1_to_megvii_and_loads_their_file(make_window, qtbot, tmp_path):
    from explorer.models.megvii import RELEASE
    from tests.weights.megvii_reference import MegviiV1, save_as_dataparallel

    window = make_window()
    window.actions_by_name["get_weights"].trigger()
    dialog = window.help_dialog
    dialog.arch.setCurrentIndex(dialog.arch.findData("v1"))
    assert RELEASE in dialog.where.text() and "megvii:PATH" in dialog.offline.text()
    assert not dialog.download.isVisibleTo(dialog) and dialog.pick.isVisibleTo(dialog)
    path = tmp_path / "snet_g8_0.5x.pth.tar"
    save_as_dataparallel(randomise(MegviiV1(8, 0.5), seed=2), path)
    dialog.load(str(path))
    target = ModelSpec.create("v1", groups=8, scale=0.5, input_size=window.state.config.spec.input_size)
    qtbot.waitUntil(lambda: window.engine.bundle.spec == target and window.engine.bundle.trained, timeout=WAIT)
    assert str(window.engine.bundle.config.weights) == f"megvii:{path}"


def test_a_checkpoint_dropped_on_the_window_loads_and_a_bad_one_is_named(make_window, qtbot, tmp_path):
    window = make_window()
    spec = ModelSpec.create("v1", groups=3, scale=0.5)
    good, bad = tmp_path / "mine.pth", tmp_path / "notes.pth"
    torch.save(randomise(build_model(spec), seed=1).state_dict(), good)
    bad.write_text("not a checkpoint")

    def drop(path):
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(path))])
        window.dropEvent(QDropEvent(QPointF(10, 10), Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier))

    drop(bad)
    assert "notes.pth cannot be loaded" in window.full_message
    drop(good)
    qtbot.waitUntil(lambda: str(window.engine.bundle.config.weights) == str(good), timeout=WAIT)
    assert window.engine.bundle.spec.groups == 3 and window.engine.bundle.spec.scale == 0.5


def test_help_dialogs_opened_and_closed_all_day_leave_nothing_behind(make_window, qtbot):
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QDialog

    window = make_window()
    for page in ["tab", "shortcuts", "weights", "about"] * 5:
        window.open_help(page)
        if page != "about":
            window.help_dialog.close()  # closed by the user, or replaced by the next one
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)  # what the event loop does next
    dialogs = [d for d in window.findChildren(QDialog)]
    assert len(dialogs) == 1 and window.help_dialog is dialogs[0]  # only the one still open
    window.state.say("a problem while the weights dialogs are gone")  # no slot of a deleted dialog runs
    qtbot.waitUntil(lambda: "a problem while" in window.full_message)
