import gc

import pytest
from PySide6.QtCore import QRect

from explorer.engine.bundle_request import BundleRequest, build_bundle
from explorer.engine.config import RunConfig
from explorer.engine.state import AppState
from explorer.engine.worker import Engine
from explorer.models import ModelSpec
from explorer.sources import SyntheticSource
from explorer.sources.signal_stream import synthetic_signal_source

SMALL = ModelSpec.create("v2", scale=0.5, input_size=96)


@pytest.fixture(scope="session", autouse=True)
def garbage_on_the_ui_thread(qapp):
    """As the app does: closed windows' Qt wrappers must never be collected on a worker thread."""
    from pyqtgraph.util.garbage_collector import GarbageCollector

    collector = GarbageCollector(interval=0.2)
    yield collector
    collector.timer.stop()
    gc.enable()


@pytest.fixture
def make_window(qtbot):
    """Factory for a running window around a fresh state and engine; closes every window it made."""
    from explorer.ui.window.main_window import MainWindow

    made = []

    def make(spec: ModelSpec = SMALL, source=None, pace: bool = False, backend: str = "channels_last"):
        config = RunConfig(spec, backend=backend, threads=1)
        source = source or (
            synthetic_signal_source() if spec.input_kind == "signal" else SyntheticSource(size=(120, 160))
        )
        engine = Engine(
            AppState(config, source.text or "synthetic"),
            build_bundle(BundleRequest.of(config, check_agreement=False)),
            source,
            pace=pace,
        )
        window = MainWindow(engine)
        qtbot.addWidget(window)
        # a desktop screen (the offscreen platform's own is 800x800, a small one: controls folded);
        # tests of small screens fit the window to theirs
        window.fit_to_screen(QRect(0, 0, 1400, 900))
        window.show()
        engine.start()
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
    made.clear()
    gc.collect()  # here, on the UI thread
