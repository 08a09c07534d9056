"""The main window: lays out the controls, the tabs and the status bar, and hands each frame to
the visible tab.  It holds no model logic and no state of its own: views draw the AppState
(through the Qt bridge) and forward the user's intent to it."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.engine.worker import Engine
from explorer.ui.base.background import BackgroundTask
from explorer.ui.base.bridge import QtState
from explorer.ui.base.font_scale import set_large_fonts as set_app_large_fonts
from explorer.ui.base.font_scale import set_touch_targets, touch_targets
from explorer.ui.base.screen_fit import (
    TOUCH_TARGET_PX,
    available_area,
    fitted_geometry,
    frame_margins,
    is_small,
    wants_touch_targets,
)
from explorer.ui.base.tab_page import PageScroller, TabPage
from explorer.ui.controls.panel import ControlsPanel
from explorer.ui.widgets.elided_label import ElidedLabel
from explorer.ui.window.files import FileActions
from explorer.ui.window.menus import build_menus
from explorer.ui.window.message_banner import MessageBanner, short_form
from explorer.ui.window.presentation import Presentation
from explorer.ui.window.tabs import TAB_NAMES, TABS, TabEntry

MIN_DOCK_WIDTH = 220  # below this the controls are no use even with a sideways scroll bar
QUIT_WAIT_S = 10.0  # at quit, how long a cancelled lesson, sweep or training may take to stop


class MainWindow(QMainWindow):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.state = engine.state
        self.qt_state = QtState(self.state, self)
        self.rendered = 0
        self.full_message = ""  # the status bar shows its short form
        self._message_is_busy = False  # the message shown is the engine's busy text (cleared when idle)
        self.inference_ms: list[float] = []  # for the headless summary
        self.setWindowTitle("ShuffleNet Explorer")

        self.controls = ControlsPanel(self.qt_state)
        self._add_controls_dock()
        self.pages: dict[str, TabPage] = {entry.name: entry.view(self.qt_state) for entry in TABS}
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(True)  # tabs that do not fit scroll; the Tabs button lists them all
        self.tabs.tabBar().setElideMode(Qt.ElideNone)
        for entry in TABS:
            self.tabs.addTab(PageScroller(self.pages[entry.name]), entry.title)
            self.tabs.setTabToolTip(self.tabs.count() - 1, entry.tip or entry.title)
        self.banner = MessageBanner()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._add_status_bar()

        self.files = FileActions(self)
        self.presentation = Presentation(self)
        self.actions_by_name = build_menus(self)
        self._add_tab_corners()
        q = self.qt_state
        q.frame_ready.connect(self._on_result)
        q.running.connect(self._show_model)
        q.message.connect(self.show_message)
        q.failure.connect(lambda text, details: self.show_message(text, details=details))
        q.busy.connect(self._on_busy)
        q.paused_changed.connect(self.actions_by_name["pause"].setChecked)
        for entry in TABS:
            if entry.save is not None:
                self.pages[entry.name].save_requested.connect(lambda save=entry.save: save(self.files))
            self.pages[entry.name].wire(self)
        self.setAcceptDrops(True)  # a checkpoint file dropped anywhere on the window loads it
        self.help_dialog = None  # the Help page open now (one at a time)
        self._show_model(self.state.bundle)
        self.fit_to_screen()

    def _add_controls_dock(self) -> None:
        dock = self.controls_dock = QDockWidget("Controls")
        dock.setObjectName("controls")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.controls)
        # never clip the controls sideways: the dock is at least as wide as the panel needs
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.controls_scroll = scroll
        self._fit_controls_dock()
        dock.setWidget(scroll)
        self.addDockWidget(Qt.LeftDockWidgetArea, dock)

    def _add_tab_corners(self) -> None:
        """Buttons a finger can reach beside the tabs: fold the controls, every tab by name (when
        they do not all fit), presentation mode, and Help for this tab."""
        controls = QPushButton("☰ Controls")
        controls.setCheckable(True)
        controls.setToolTip("show or hide the controls (F9)")
        toggle = self.actions_by_name["controls"]
        controls.setChecked(toggle.isChecked())
        controls.clicked.connect(toggle.trigger)
        toggle.toggled.connect(controls.setChecked)
        tabs_button = QPushButton("Tabs ▾")
        tabs_menu = QMenu(tabs_button)
        for i, entry in enumerate(TABS):
            tabs_menu.addAction(entry.title, lambda i=i: self.tabs.setCurrentIndex(i))
        tabs_button.setMenu(tabs_menu)
        present = QPushButton("▶ Present")
        present.setToolTip("presentation mode: the frame full screen with the top-5 over it (F11; Escape leaves)")
        present.clicked.connect(lambda: self.set_presenting(True))
        help_button = QPushButton("? Help")
        help_button.setToolTip("what this tab shows (F1)")
        help_button.clicked.connect(lambda: self.open_help("tab"))
        right = QWidget()
        row = QHBoxLayout(right)
        row.setContentsMargins(0, 0, 0, 0)
        for button in (tabs_button, present, help_button):
            row.addWidget(button)
        self.tabs.setCornerWidget(controls, Qt.TopLeftCorner)
        self.tabs.setCornerWidget(right, Qt.TopRightCorner)
        self.tab_corners = [controls, right]
        self.corner_buttons = {"controls": controls, "tabs": tabs_button, "present": present, "help": help_button}

    # ---- the screen: size, controls, touch, presentation --------------------------------------
    def fit_to_screen(self, available: QRect | None = None) -> None:
        """Open within the screen's available area (``available``: another screen's, for tests):
        never larger than the screen, the controls folded on a small one unless the user last
        chose otherwise, fingertip-sized controls on a touch-sized panel."""
        self._given_area = available
        area = self._screen_area()
        self.set_touch(wants_touch_targets(area) or touch_targets() is not None)  # on by the screen, or kept
        self.controls_dock.setVisible(not is_small(area))  # first: the folded dock asks for no width
        self._fit_controls_dock()  # shown later (F9), it fits beside the tabs on this screen
        self.setGeometry(fitted_geometry(area, frame=frame_margins(self)))

    def _screen_area(self) -> QRect:
        """The area the window fits in: its screen's, or the one it was last fitted to by a caller."""
        given = getattr(self, "_given_area", None)
        return given if given is not None else available_area(self)

    def show_on_screen(self) -> None:
        """Shown as fitted; on a small screen maximized, so a window manager's title bar and panels
        are accounted for by the window manager itself."""
        if is_small(available_area(self)):
            self.showMaximized()
        else:
            self.show()

    def restore_view(self, remembered: dict) -> None:
        """The controls and touch sizing as the user last left them (else as the screen suggests)."""
        if remembered.get("touch") is not None:
            self.set_touch(remembered["touch"])
        if remembered.get("controls") is not None:
            self.controls_dock.setVisible(remembered["controls"])

    def view_settings(self) -> dict:
        """What the next start restores of the window's layout."""
        return {"controls": self.controls_shown(), "touch": touch_targets() is not None}

    def set_touch(self, on: bool) -> None:
        set_touch_targets(TOUCH_TARGET_PX if on else None)
        # the dock's title-bar buttons are too small for a finger: the Controls button folds it
        every = QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable | QDockWidget.DockWidgetClosable
        self.controls_dock.setFeatures(QDockWidget.NoDockWidgetFeatures if on else every)
        QTimer.singleShot(0, self, self._fit_to_fonts)  # cancelled if the window goes first
        if "touch" in getattr(self, "actions_by_name", {}):
            self.actions_by_name["touch"].setChecked(on)

    def controls_shown(self) -> bool:
        """Whether the controls are unfolded (as the user had them before presenting)."""
        if self.presentation.on:
            return self.controls_dock in self.presentation._before.hidden
        return self.controls_dock.isVisible()

    def set_presenting(self, on: bool) -> None:
        self.presentation.set(on)

    def _fit_controls_dock(self) -> None:
        """As wide as the controls need, unless the screen cannot hold that beside the tabs (an
        800-px panel with touch-sized controls): then what is left, scrolling sideways."""
        scroll = self.controls_scroll
        needed = self.controls.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4
        central = self.centralWidget()
        if central is not None:
            frame = frame_margins(self)
            beside = central.minimumSizeHint().width() + frame.left() + frame.right() + 8  # 8: the dock's splitter
            needed_room = self._screen_area().width() - beside
            width = max(min(needed, needed_room), MIN_DOCK_WIDTH)
        else:
            width = needed
        scroll.setMinimumWidth(width)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded if width < needed else Qt.ScrollBarAlwaysOff)

    def _add_status_bar(self) -> None:
        self.model_label = ElidedLabel()
        self.busy_bar = QProgressBar()
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.hide()
        self.message_label = ElidedLabel()
        self.message_label.setObjectName("message")
        self.statusBar().addWidget(self.model_label, 3)
        self.statusBar().addWidget(self.busy_bar)
        self.statusBar().addPermanentWidget(self.message_label, 2)

    def open_help(self, page: str) -> None:
        """A Help page: "tab" (what the current tab shows), "shortcuts", "weights", "about" or "docs"."""
        from explorer.ui.window import help_dialogs
        from explorer.ui.window.weights_dialog import WeightsDialog

        if page == "docs":
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(help_dialogs.DOCS)))
            return
        pages = {
            "tab": help_dialogs.tab_help_dialog,
            "shortcuts": help_dialogs.shortcuts_dialog,
            "about": help_dialogs.about_dialog,
            "weights": lambda window: WeightsDialog(window.qt_state, window),
        }
        if self.help_dialog is not None:
            self.help_dialog.close()
        self.help_dialog = dialog = pages[page](self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)  # closed is gone: a demo opening Help all day keeps nothing
        dialog.destroyed.connect(lambda: self._forget_help(dialog))
        dialog.show()

    def _forget_help(self, dialog) -> None:
        if self.help_dialog is dialog:
            self.help_dialog = None

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        from explorer.ui.window.weights_dialog import load_checkpoint_file

        for url in event.mimeData().urls():
            if url.isLocalFile():
                problem = load_checkpoint_file(self.state, url.toLocalFile())
                if problem:
                    self.state.say(problem)
                event.acceptProposedAction()
                return

    def set_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TAB_NAMES.index(name))

    def open_feature_tap(self, name: str) -> None:
        if self.pages["features"].select_tap(name):
            self.set_tab("features")

    def current_tab(self) -> str:
        return TAB_NAMES[self.tabs.currentIndex()]

    def current_entry(self) -> TabEntry:
        return TABS[self.tabs.currentIndex()]

    def set_large_fonts(self, on: bool) -> None:
        set_app_large_fonts(on)
        # the new sizes settle once Qt has laid the widgets out again: then widen the panel so no
        # control is clipped, and keep the window on the screen
        QTimer.singleShot(0, self, self._fit_to_fonts)  # cancelled if the window goes first
        self.actions_by_name["large_fonts"].setChecked(on)

    def _fit_to_fonts(self) -> None:
        self._fit_controls_dock()
        for i in range(self.tabs.count()):
            self.tabs.widget(i).refit()
        screen = self._screen_area()
        if self.width() > screen.width() or self.height() > screen.height():
            self.resize(self.size().boundedTo(screen.size()))

    # ---- engine -> views ---------------------------------------------------------------
    def _on_result(self) -> None:
        result = self.engine.take_result()
        if result is None:
            return
        self.rendered += 1
        self.inference_ms.append(result.timings["inference"])
        for page in self.pages.values():
            page.every_result(result)
        self.pages[self.current_tab()].show_result(result)

    def _show_model(self, bundle) -> None:
        weights = "trained" if bundle.trained else "untrained (random init)"
        t = bundle.report.totals
        self.model_label.setText(
            f"{bundle.spec.label} · {weights} · {bundle.entry.short_title} · {t.madds / 1e6:.1f} MFLOPs · {t.params / 1e6:.2f} M params"
        )

    def _on_busy(self, busy) -> None:
        self.busy_bar.setVisible(not busy.idle)
        self.busy_bar.setRange(0, 0 if busy.fraction < 0 else 1000)
        if busy.fraction >= 0:
            self.busy_bar.setValue(int(busy.fraction * 1000))
        if not busy.idle:
            self.show_message(busy.text, error=False)
            self._message_is_busy = True
        elif self._message_is_busy:  # the work it described is done; a message said since stays
            self.show_message("")

    def show_message(self, text: str, error: bool = True, details: str = "") -> None:
        """An error in full above the tabs (wrapped, never cut) and short in the status bar;
        ``details`` (a traceback) is what the banner's Copy adds."""
        self.message_label.setProperty("error", error and bool(text))
        self.message_label.setStyleSheet("color: #ff6b6b;" if error and text else "")
        self.message_label.setText(short_form(text))
        self.message_label.setToolTip(text)
        self.full_message = text
        self._message_is_busy = False
        if error and text:
            self.banner.show_text(text, details)
        elif text:
            self.banner.settle(text)

    def closeEvent(self, event) -> None:  # noqa: N802
        for page in self.pages.values():
            page.cancel()
        self.controls.cancel()
        BackgroundTask.wind_down_all(timeout=QUIT_WAIT_S)  # every cancelled job checks often: seconds at most
        self.engine.stop()
        super().closeEvent(event)
