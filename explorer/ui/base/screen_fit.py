"""The window and the screen it opens on: a size inside the screen's available area (in the logical
pixels Qt lays out in, so any scale factor is accounted for), and what kind of screen it is.

The screens this app meets: a Raspberry Pi's 7" touchscreen (800x480), 7" HDMI panels
(1024x600), classroom projectors (1280x720), laptops at 150-200 % (1920x1080 at 200 % is 960x540
logical) and desktops.  On the small ones the controls start folded away and the frame gets the
room; on a touch-sized one every control is at least a fingertip tall.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize
from PySide6.QtGui import QInputDevice
from PySide6.QtWidgets import QWidget

PREFERRED = QSize(1400, 860)  # the window's size where the screen has room for it
# at or below this (logical px) the controls start folded: a projector, a 7" panel, a HiDPI laptop
SMALL_SCREEN = QSize(1280, 800)
# at or below this the screen is a small panel, usually a touchscreen: fingertip-sized controls
TOUCH_PANEL = QSize(1024, 600)
# 9 mm on the Raspberry Pi 7" touchscreen (800x480 px over 155x86 mm: 5.2 px/mm), the smallest
# target a fingertip hits reliably (Apple and Android guidance: 44-48 px at ~160 dpi)
TOUCH_TARGET_PX = 46


def available_area(widget: QWidget) -> QRect:
    """The screen area ``widget`` may use (without panels and docks), in logical pixels."""
    screen = widget.screen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, PREFERRED.width(), PREFERRED.height())


def fitted_geometry(available: QRect, preferred: QSize = PREFERRED, frame: QMargins | None = None) -> QRect:
    """The window's client geometry: ``preferred`` shrunk so that it and its ``frame`` (a window
    manager's title bar and borders) fit ``available``, centred in it."""
    frame = frame or QMargins()
    room = available.marginsRemoved(frame)
    size = preferred.boundedTo(room.size())
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(room.center())
    return rect


def frame_margins(window: QWidget) -> QMargins:
    """The window manager's frame around ``window`` (zero until it is shown)."""
    inner, outer = window.geometry(), window.frameGeometry()
    return QMargins(
        inner.left() - outer.left(),
        inner.top() - outer.top(),
        outer.right() - inner.right(),
        outer.bottom() - inner.bottom(),
    )


def is_small(available: QRect) -> bool:
    return available.width() <= SMALL_SCREEN.width() or available.height() <= SMALL_SCREEN.height()


def has_touchscreen() -> bool:
    return any(device.type() == QInputDevice.DeviceType.TouchScreen for device in QInputDevice.devices())


def wants_touch_targets(available: QRect) -> bool:
    """A touchscreen, or a panel the size of the 7" ones (which are nearly always touchscreens)."""
    small_panel = available.width() <= TOUCH_PANEL.width() and available.height() <= TOUCH_PANEL.height()
    return small_panel or has_touchscreen()


def shown_rect(widget: QWidget) -> QRect:
    """The part of ``widget`` on screen, in its window's coordinates: its rectangle clipped by every
    parent's (a scroll area shows only part of its page)."""
    window = widget.window()
    rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        rect = rect.intersected(QRect(parent.mapTo(window, parent.rect().topLeft()), parent.size()))
        parent = parent.parentWidget()
    return rect.intersected(window.rect())


def wholly_shown(widget: QWidget) -> bool:
    return widget.isVisible() and shown_rect(widget).size() == widget.size()


def live_layout_facts(window, screen: QRect) -> dict:
    """What a person sees on the Live tab: whether the window lies within ``screen``, the share of
    the window the frame takes, and whether the top-5 and fps are wholly on screen."""
    live = window.pages["live"]
    frame = shown_rect(live.stage)
    window_area = window.width() * window.height()
    if live.overlaid:
        top5 = fps = wholly_shown(live.stage.overlay)
    else:
        top5, fps = wholly_shown(live.predictions), wholly_shown(live.fps_label)
    frame_geometry = window.frameGeometry()
    return {
        "screen": [screen.width(), screen.height()],
        "window": [window.x(), window.y(), window.width(), window.height()],
        "with_title_bar": [frame_geometry.x(), frame_geometry.y(), frame_geometry.width(), frame_geometry.height()],
        # a window manager's title bar at a fractional scale rounds to a pixel either way
        "window_inside_screen": screen.adjusted(-1, -1, 1, 1).contains(frame_geometry),
        "frame_share": round(frame.width() * frame.height() / window_area, 3) if window_area else 0.0,
        "predictions_over_frame": live.overlaid,
        "top5_shown": top5,
        "fps_shown": fps,
        "controls_shown": window.controls_dock.isVisible(),
    }
