"""A lesson's figure: the y = x reference is y = x on the axes shown, labels never cover each
other or leave the plot, units stay as the rows carry them, and a busy run says so."""

import itertools
import math

import numpy as np
import pyqtgraph as pg
import pytest

from explorer.lessons.base import LessonResult, Plot, Verdict
from explorer.ui.figures.label_layout import is_far, place_labels
from explorer.ui.figures.lesson_plot import clear_lesson, draw_lesson


def result(rows, plot, verdicts=()):
    return LessonResult("test", "a test", "", {}, rows, [], list(verdicts), plot)


SPEED_ROWS = [
    {"model": f"V1 1x g={g}", "t": 3.8 + g * 0.01, "a": 2.4 + g * 0.01, "s": "V1 1x"} for g in (1, 2, 3, 4, 8)
]
SPEED_ROWS += [
    {"model": "V1 2x g=3", "t": 1.0, "a": 1.0, "s": "V1 g=3"},
    {"model": "V1 0.25x g=3", "t": 40.0, "a": 9.0, "s": "V1 g=3"},
]
# more than the spots around one point, near and far, can hold
CROWD_ROWS = SPEED_ROWS + [
    {"model": f"V1 {scale}x g={g} #{i}", "t": 3.8 + i * 0.004, "a": 2.4 + i * 0.004, "s": "V1 1x"}
    for i, (scale, g) in enumerate([(s, g) for s in (0.5, 1.5) for g in (1, 2, 3, 4, 8)] * 2)
]


@pytest.fixture
def plot_widget(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(900, 520)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def identity_item(plot):
    return next(item for item in plot.listDataItems() if item.name() and "speed" in item.name())


@pytest.mark.parametrize("log_y", [False, True])
def test_the_flops_equal_speed_line_is_y_equals_x_on_the_axes_shown(plot_widget, log_y):
    plot = plot_widget.getPlotItem()
    draw_lesson(
        plot,
        result(
            SPEED_ROWS,
            Plot(
                "t",
                "a",
                "s",
                "theoretical (x)",
                "actual (x)",
                log_x=True,
                log_y=log_y,
                diagonal=True,
                label="model",
                diagonal_label="FLOPs = speed",
            ),
        ),
    )
    line = identity_item(plot)
    assert np.allclose(line.xData, line.yData)  # in data space
    shown_x, shown_y = line.getData()  # as drawn, through the axes' log transforms
    # at 3.8x theoretical the line reads 3.8x actual, on the screen's own axes
    at = np.interp(math.log10(3.8), shown_x, shown_y)
    assert (10**at if log_y else at) == pytest.approx(3.8, rel=0.01)


def test_labels_never_overlap_and_stay_inside_the_plot(plot_widget, qtbot):
    plot = plot_widget.getPlotItem()
    labels = draw_lesson(
        plot,
        result(
            CROWD_ROWS,
            Plot("t", "a", "s", "theoretical (x)", "actual (x)", log_x=True, log_y=True, diagonal=True, label="model"),
        ),
    )
    qtbot.waitUntil(lambda: len(labels.visible_texts()) >= 3)
    box = plot.getViewBox().sceneBoundingRect()
    shown = [item for item in labels.items if item.isVisible()]
    rects = [item.mapRectToScene(item.boundingRect()) for item in shown]
    for rect in rects:
        assert box.contains(rect), (rect, box)
    for a, b in itertools.combinations(rects, 2):
        assert not a.intersects(b)
    # a crowd on one spot: some are named further out with a leader line, the rest keep their hover tips
    assert len(shown) < len(CROWD_ROWS) and labels.led_texts()
    for item, leader in zip(labels.items, labels.leaders):
        assert leader.isVisible() <= item.isVisible()  # never a line to a hidden label
    # log axes read 1-2-5 as plain numbers, one label per tick, none in between to overprint
    labels_x = [text for _pos, text in plot.getAxis("bottom")._tickLevels[0]]
    assert {"1", "2", "5", "10", "20"} <= set(labels_x) and plot.getAxis("bottom")._tickLevels[1] == []
    assert all(f"{float(text):e}"[0] in "125" for text in labels_x)


def test_axes_keep_the_rows_units_and_a_busy_run_is_flagged(plot_widget):
    plot = plot_widget.getPlotItem()
    rows = [{"seed": s, "accuracy": 70 + s, "s": "on", "seed_name": f"seed {s}"} for s in range(3)]
    verdict = Verdict("a claim", True, "numbers", spread=1.8)
    draw_lesson(
        plot,
        result(rows, Plot("seed", "accuracy", "s", "seed", "held-out accuracy (%)", x_ticks="seed_name"), [verdict]),
    )
    left = plot.getAxis("left")
    assert not left.autoSIPrefix and "x0.001" not in left.labelString()
    assert plot.getAxis("bottom")._tickLevels[0] == [(0.0, "seed 0"), (1.0, "seed 1"), (2.0, "seed 2")]
    assert "1 verdict inconclusive: the machine was busy" in plot.titleLabel.text
    clear_lesson(plot, "not run yet")  # another lesson: nothing of this one's axes is left
    assert plot.getAxis("bottom")._tickLevels is None and plot.titleLabel.text == "not run yet"
    assert not plot.listDataItems() and plot.getAxis("left").labelText == ""


def test_label_layout_skips_a_label_with_no_free_spot_and_keeps_inside():
    bounds = (0.0, 0.0, 200.0, 100.0)
    anchors = [(100.0, 50.0)] * 30
    spots = place_labels(anchors, [(40.0, 12.0)] * 30, bounds)
    placed = [s for s in spots if s is not None]
    assert 1 <= len(placed) < 30
    for left, top, w, h in placed:
        assert left >= 0 and top >= 0 and left + w <= 200 and top + h <= 100
    for a, b in itertools.combinations(placed, 2):
        assert not (a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3])
    # a label at the right edge goes to the left of its point instead of being cut
    ((left, _top, w, _h),) = place_labels([(195.0, 50.0)], [(60.0, 12.0)], bounds)
    assert left + w <= 195.0


def test_in_a_crowd_labels_move_out_to_a_second_ring_and_say_they_need_a_leader():
    bounds = (0.0, 0.0, 400.0, 300.0)
    anchors = [(200.0 + dx, 150.0 + dy) for dx in (-6.0, 0.0, 6.0) for dy in (-6.0, 6.0)]  # six points in a clump
    spots = place_labels(anchors, [(50.0, 12.0)] * 6, bounds, points=anchors)
    placed = [(s, a) for s, a in zip(spots, anchors) if s is not None]
    assert len(placed) == 6  # all named: the near spots are covered by the clump's own points
    assert any(is_far(s, a) for s, a in placed)
    assert not is_far((204.0, 130.0, 50.0, 12.0), (200.0, 146.0))  # right above its point: no leader
    for a, b in itertools.combinations([s for s, _ in placed], 2):
        assert not (a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3])


def test_in_a_crowd_the_headline_keeps_its_label(plot_widget, qtbot):
    plot = plot_widget.getPlotItem()
    ordered = sorted(CROWD_ROWS, key=lambda r: r["model"] == "V1 1x g=3")  # the headline comes last in row order
    rows = [{**r, "headline": r["model"] == "V1 1x g=3"} for r in ordered]
    spec = Plot("t", "a", "s", "theoretical (x)", "actual (x)", log_x=True, log_y=True, label="model")
    plain = draw_lesson(plot, result(rows, spec))
    qtbot.waitUntil(lambda: len(plain.visible_texts()) >= 3)
    assert "V1 1x g=3" not in plain.visible_texts()  # in row order, the crowd takes every spot first
    ranked = draw_lesson(plot, result(rows, Plot(**{**spec.__dict__, "first": "headline"})))
    qtbot.waitUntil(lambda: len(ranked.visible_texts()) >= 3)
    assert "V1 1x g=3" in ranked.visible_texts()  # the paper's headline model is named
