"""The Help menu's pages: keyboard shortcuts (read off the window's own actions), what the current tab
shows, and About (versions, backends, where the cache and settings live)."""

from __future__ import annotations

import platform
import sys
from html import escape
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout

from explorer.doctor import settings_file
from explorer.models.architecture import arch_load_failures
from explorer.paths import cache_root
from explorer.runtime import registry
from explorer.weights.download import checkpoint_dir

DOCS = Path(__file__).resolve().parents[3] / "docs"  # explorer/ui/window/ -> the project root


def _page(parent, title: str, html: str) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    text = QLabel(html)
    text.setWordWrap(True)
    text.setTextFormat(Qt.RichText)
    text.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.LinksAccessibleByMouse)
    text.setOpenExternalLinks(True)
    text.setAlignment(Qt.AlignTop | Qt.AlignLeft)
    scroll = QScrollArea()
    scroll.setWidget(text)
    scroll.setWidgetResizable(True)
    buttons = QDialogButtonBox(QDialogButtonBox.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(scroll)
    layout.addWidget(buttons)
    dialog.text = text
    dialog.resize(620, 460)
    return dialog


def shortcuts_dialog(window) -> QDialog:
    rows = "".join(
        f"<tr><td><b>{escape(a.shortcut().toString())}</b>&nbsp;&nbsp;</td><td>{escape(a.text().replace('&', ''))}</td></tr>"
        for a in window.actions_by_name.values()
        if not a.shortcut().isEmpty()
    )
    return _page(window, "Keyboard shortcuts", f"<table cellspacing='4'>{rows}</table>")


def tab_help_dialog(window) -> QDialog:
    entry = window.current_entry()
    return _page(window, f"What am I looking at: {entry.title}", f"<h3>{entry.title}</h3><p>{entry.help}</p>")


def about_dialog(window) -> QDialog:
    bundle = window.state.bundle
    running = (
        f"{escape(bundle.spec.label)} on {escape(registry.timed_on(bundle.backend, bundle.config.threads))}"
        if bundle is not None
        else "nothing yet"
    )
    backends = "".join(
        f"<li>{escape(b.title)}: {escape(b.version or '') if b.available else 'unavailable: ' + escape(b.reason)}</li>"
        for b in registry.available_backends()
    )
    failed = registry.load_failures() + arch_load_failures()
    broken = (
        "<p><b>Modules that did not import</b> (their entries are missing)</p><ul>"
        + "".join(f"<li>{escape(line)}</li>" for line in failed)
        + "</ul>"
        if failed
        else ""
    )
    html = (
        "<h3>ShuffleNet Explorer</h3>"
        "<p>See and feel how efficient CNNs work, starting with ShuffleNet.</p>"
        f"<p>Running: {running}.<br>Python {platform.python_version()} on {escape(platform.machine())} "
        f"({escape(sys.platform)}), PySide6 {pyside_version}.</p>"
        f"<p><b>Backends</b></p><ul>{backends}</ul>{broken}"
        "<p><b>Where things live</b><br>"
        f"settings: <code>{escape(str(settings_file()))}</code><br>"
        f"cache (exports, conversions): <code>{escape(str(cache_root()))}</code><br>"
        f"trained weights (torch hub): <code>{escape(str(checkpoint_dir()))}</code></p>"
        f"<p>Documentation: <a href='{(DOCS / 'usage.md').as_uri()}'>{escape(str(DOCS))}</a>; "
        "<code>python -m explorer doctor</code> says what works here and the fix for what does not.</p>"
    )
    return _page(window, "About ShuffleNet Explorer", html)
