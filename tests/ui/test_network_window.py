"""The window on a network camera whose stream drops mid-run: a visible notice, then live frames again."""

from explorer.sources.factory import open_source
from tests.sources.mjpeg_server import MjpegServer

WAIT = 60_000


def test_the_window_says_reconnecting_when_the_stream_drops_and_goes_on_after(make_window, qtbot):
    stream = MjpegServer().start()
    try:
        window = make_window(source=open_source(stream.url))
        qtbot.waitUntil(lambda: window.rendered >= 3, timeout=WAIT)
        stream.stop()
        qtbot.waitUntil(lambda: "reconnecting" in window.full_message, timeout=WAIT)
        assert window.banner.isVisible() and stream.url in window.banner.text.text()
        assert "reconnecting" in window.state.source_description
        live = window.pages["live"]
        # the frozen frame is not shown as live: the rate says there are none, the top-5 turn grey
        qtbot.waitUntil(lambda: "no frames for" in live.fps_label.text(), timeout=WAIT)
        assert live.predictions.stale and "stale" in live.title.text()
        stream.start()
        qtbot.waitUntil(lambda: "reconnected" in window.full_message, timeout=WAIT)
        assert not window.banner.isVisible()  # the news replaced the problem
        qtbot.waitUntil(lambda: "no frames" not in live.fps_label.text(), timeout=WAIT)
        window.set_tab("live")
        qtbot.waitUntil(lambda: not live.predictions.stale and live.title.text() == "Top-5", timeout=WAIT)
        frames = window.rendered
        qtbot.waitUntil(lambda: window.rendered > frames + 2, timeout=WAIT)
        assert window.engine.source.describe() == stream.url  # kept, never swapped for the synthetic scene
    finally:
        stream.stop()
