"""Every text colour of the dark theme, the plots and the white report reaches WCAG AA (4.5:1)
against the background it is drawn on (#33.8)."""

import re
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel

from explorer.ui.base.contrast import AA_TEXT, PLOT_BACKGROUND, WINDOW_BACKGROUND, apply_link_colour, contrast_ratio
from explorer.ui.base.font_scale import set_axis_label
from explorer.ui.figures import images  # noqa: F401  (sets pyqtgraph's foreground, as the app's import does)
from explorer.ui.figures.lesson_report import STYLE
from explorer.ui.views.lessons_view import TONE_COLOURS

QSS = (Path(__file__).resolve().parents[2] / "resources" / "style.qss").read_text()


def test_the_contrast_formula_matches_wcags_anchors():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-below-AA grey


def style_sheet_text_colours() -> list[tuple[str, str, str]]:
    """(rule, text colour, background it sits on) for every rule in style.qss that sets a colour."""
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", QSS, flags=re.S)):
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", body)
        if colour:
            background = re.search(r"background:\s*(#[0-9a-fA-F]{3,6})", body)
            found.append((selector.strip(), colour.group(1), background.group(1) if background else WINDOW_BACKGROUND))
    return found


def test_every_text_colour_in_the_style_sheet_reads_on_its_background():
    rules = style_sheet_text_colours()
    assert len(rules) >= 5
    weak = [(r, c, b, round(contrast_ratio(c, b), 2)) for r, c, b in rules if contrast_ratio(c, b) < AA_TEXT]
    assert not weak, weak


def test_links_and_plot_axes_read_on_the_dark_theme(qapp):
    apply_link_colour(qapp)  # as app.py does after the style sheet
    link = QLabel().palette().color(QPalette.ColorRole.Link).name()
    assert contrast_ratio(link, WINDOW_BACKGROUND) >= AA_TEXT, link
    foreground = pg.mkColor(pg.getConfigOption("foreground")).name()
    assert contrast_ratio(foreground, PLOT_BACKGROUND) >= AA_TEXT, foreground  # tick text
    plot = pg.PlotWidget(background=PLOT_BACKGROUND)
    set_axis_label(plot.getPlotItem(), "bottom", "measured latency (ms)")
    axis = plot.getPlotItem().getAxis("bottom")
    title = re.search(r"color: (#[0-9a-fA-F]{6})", axis.labelString()).group(1)  # what the title is drawn in
    assert contrast_ratio(title, PLOT_BACKGROUND) >= AA_TEXT, title  # pyqtgraph's own default is black


def test_the_verdict_colours_read_in_the_window_and_on_the_white_report():
    for colour in TONE_COLOURS.values():
        assert contrast_ratio(colour, "#262626") >= AA_TEXT, colour
    for tone in ("yes", "no", "unsure"):
        colour = re.search(rf"\.{tone} {{ color: (#[0-9a-fA-F]{{6}})", STYLE).group(1)
        assert contrast_ratio(colour, "#ffffff") >= AA_TEXT, (tone, colour)
