"""Network cameras (http:// MJPEG, rtsp://) on a real stream served on 127.0.0.1 by tests/sources/mjpeg_server.py."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from explorer.sources.base import SourceError, SourceInterrupted
from explorer.sources.factory import open_source
from explorer.sources.network import shown_address
from tests.sources.mjpeg_server import MjpegServer

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def stream():
    server = MjpegServer().start()
    yield server
    server.stop()


def first_frame_after(source, deadline_s: float = 30):
    """Read until a frame comes (each read blocks until the source has news); the interruptions said meanwhile."""
    said, end = [], time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            return source.read(), said
        except SourceInterrupted as exc:
            said.append(str(exc))
    raise AssertionError(f"no frame within {deadline_s} s; said {said}")


def test_a_stream_delivers_distinct_frames(stream):
    source = open_source(stream.url)
    try:
        frames = [source.read() for _ in range(3)]
        assert all(f.shape == (120, 160, 3) for f in frames) and source.describe() == stream.url
        assert any((a != b).any() for a, b in zip(frames, frames[1:]))  # live: the bar moves
    finally:
        source.close()


def test_a_dropped_stream_says_reconnecting_and_comes_back(stream):
    source = open_source(stream.url)
    try:
        source.read()
        stream.stop()  # every client dropped mid-stream
        with pytest.raises(SourceInterrupted, match="the stream dropped; reconnecting"):
            while True:
                source.read()  # frames already on their way may still arrive first
        stream.start()  # the same address answers again
        frame, said = first_frame_after(source)
        assert frame.shape == (120, 160, 3) and source.reconnects == 1
        assert all("reconnecting" in s for s in said)
    finally:
        source.close()


def test_an_unreachable_address_fails_in_seconds_with_the_fix():
    start = time.monotonic()
    with pytest.raises(SourceError, match="could not be opened.*check the address") as caught:
        open_source("rtsp://127.0.0.1:1/x")
    assert time.monotonic() - start < 15 and "\n" not in str(caught.value)


def test_a_password_never_shows():
    assert shown_address("rtsp://me:secret@10.0.0.5:554/live") == "rtsp://me:***@10.0.0.5:554/live"
    assert shown_address("http://10.0.0.5:8080/video") == "http://10.0.0.5:8080/video"


def run_main(*args, timeout=120):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def test_the_window_runs_on_a_stream_headless_and_exits_0(stream):
    done = run_main("--source", stream.url, "--frames", "60", "--backend", "channels_last")
    assert done.returncode == 0, done.stderr
    assert "frames 60" in done.stdout and stream.url in done.stdout


def test_an_unreachable_rtsp_camera_exits_2_with_one_line_within_15_s():
    start = time.monotonic()
    done = run_main("--source", "rtsp://127.0.0.1:1/x", "--frames", "60", timeout=60)
    assert done.returncode == 2 and time.monotonic() - start < 15
    assert len(done.stderr.strip().splitlines()) == 1 and "rtsp://127.0.0.1:1/x" in done.stderr
