"""The Live tab: constant per-frame work, the honest untrained notice, the download offer."""

import numpy as np

from explorer.models import ModelSpec
from explorer.ui.views.live_view import HISTORY, RingBuffer, download_size_mb

WAIT = 60_000


def test_the_latency_history_is_a_fixed_ring_whatever_the_frame_count():
    ring = RingBuffer(5)
    for value in range(1, 4):
        ring.append(value)
    assert ring.ordered().tolist() == [1, 2, 3]
    for value in range(4, 1004):
        ring.append(value)
    assert ring.ordered().tolist() == [999, 1000, 1001, 1002, 1003]  # oldest first, newest last
    assert ring.values.size == 5  # never grows


def test_live_tab_draws_predictions_without_relayout_and_keeps_the_history_bounded(make_window, qtbot):
    window = make_window()
    qtbot.waitUntil(lambda: window.rendered >= HISTORY + 20, timeout=WAIT * 2)
    assert len(window.pages["live"].predictions.rows) == 5
    assert window.pages["live"].history.values.size == HISTORY and window.pages["live"].history.count >= HISTORY + 20
    # the plot redraws a few times a second from the ring: it settles at exactly HISTORY points
    qtbot.waitUntil(
        lambda: (
            window.pages["live"].curve.getData()[1] is not None
            and len(window.pages["live"].curve.getData()[1]) == HISTORY
        ),
        timeout=WAIT,
    )
    assert np.all(window.pages["live"].curve.getData()[1] > 0)


def test_untrained_v2_offers_the_trained_weights_download(make_window, qtbot, monkeypatch):
    window = make_window()  # V2 0.5x, nothing in the (private) torch hub cache
    button = window.pages["live"].download_button
    assert button.isVisible() and f"~{download_size_mb(window.state.bundle.spec):.0f} MB" in button.text()
    assert 4 < download_size_mb(ModelSpec.create("v2", scale=0.5)) < 7  # 1.37 M parameters, fp32
    requested = []
    window.state.requested.connect(lambda config, explicit: requested.append((str(config.weights), explicit)))
    button.click()
    assert requested[0] == ("torchvision", True)
    # offline here: the build fails, the message says why, the app keeps running untrained
    qtbot.waitUntil(
        lambda: "cannot download" in window.full_message or "could not build" in window.full_message, timeout=WAIT
    )
    qtbot.waitUntil(lambda: not window.state.config.weights, timeout=WAIT)
    frames = window.rendered
    qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)
    assert button.isVisible()  # still on offer


def test_v1_has_no_download_offer(make_window):
    window = make_window(ModelSpec.create("v1", groups=3, scale=0.5, input_size=96))
    assert not window.pages["live"].download_button.isVisible()
    assert window.pages["live"].notice.isVisible()


def test_the_frame_watch_says_stale_past_its_limit_and_live_again_on_the_next_frame(qtbot):
    from explorer.ui.widgets.frame_watch import STALE_AFTER_S, FrameWatch

    now = [100.0]
    paused = [False]
    watch = FrameWatch(lambda: paused[0], clock=lambda: now[0])
    said: list[object] = []
    watch.stale.connect(said.append)
    watch.live_again.connect(lambda: said.append("live"))
    watch.frame()
    now[0] += STALE_AFTER_S / 2
    watch.check()
    assert said == [] and watch.stale_for is None  # a short gap is a slow frame, not a dropped stream
    now[0] += STALE_AFTER_S
    watch.check()
    assert said == [STALE_AFTER_S * 1.5] and watch.stale_for == STALE_AFTER_S * 1.5
    watch.frame()
    assert said[-1] == "live" and watch.stale_for is None
    paused[0] = True  # a paused view is frozen on purpose: never called stale
    now[0] += STALE_AFTER_S * 10
    watch.check()
    paused[0] = False
    now[0] += STALE_AFTER_S / 2
    watch.check()
    assert said[-1] == "live" and watch.stale_for is None  # counted from the resume, not from the pause


def test_a_wrapping_button_takes_two_lines_in_a_narrow_column_and_one_when_there_is_room(qtbot):
    from explorer.ui.widgets.wrapping_button import WrappingButton

    text = "Download trained weights (~9 MB)"
    button = WrappingButton(text)
    qtbot.addWidget(button)
    button.show()
    need = button.fontMetrics().horizontalAdvance(text)
    button.resize(need // 2 + 60, 60)
    assert button.text() == "Download trained\nweights (~9 MB)" and button.full_text == text
    for line in button.text().splitlines():  # each line fits the button: nothing cut at either end
        assert button.fontMetrics().horizontalAdvance(line) < button.width()
    button.resize(need + 80, 60)
    assert button.text() == text
    font = button.font()
    font.setPointSizeF(font.pointSizeF() * 2)  # large fonts at the same width: wraps again
    button.setFont(font)
    assert "\n" in button.text()
