"""Text that reads: WCAG 2 contrast ratios, and the dark theme's colours a style sheet cannot set
(rich-text links come from the palette, plot axes from pyqtgraph's foreground)."""

from __future__ import annotations

WINDOW_BACKGROUND = "#262626"  # style.qss: QWidget
PLOT_BACKGROUND = "#202020"  # every PlotWidget
LINK = "#8ab4f8"  # Qt's default link blue (#0000ff) is 1.8:1 on the window: unreadable
AXIS_TEXT = "#c8c8c8"  # pyqtgraph's default foreground (#969696) is 5.5:1, its titles read dim
AA_TEXT = 4.5  # WCAG AA for normal text


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a "#rrggbb" (or "#rgb") colour."""
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def apply_link_colour(app) -> None:
    """Links (About's documentation, the weights' download addresses) in a colour that reads on
    the dark window."""
    from PySide6.QtGui import QColor, QPalette

    palette = app.palette()
    for role in (QPalette.ColorRole.Link, QPalette.ColorRole.LinkVisited):
        palette.setColor(role, QColor(LINK))
    app.setPalette(palette)
