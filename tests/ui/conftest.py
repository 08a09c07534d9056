import pytest

from explorer.engine.pipeline import build_bundle
from explorer.engine.worker import Engine
from explorer.models import ModelSpec
from explorer.sources import SyntheticSource

SMALL = ModelSpec.create("v2", scale=0.5, input_size=96)


@pytest.fixture
def make_window(qtbot):
    """Factory for a running window around a fresh engine; closes every window it made."""
    from explorer.ui.main_window import MainWindow

    made = []

    def make(spec: ModelSpec = SMALL, source=None, pace: bool = False):
        engine = Engine(build_bundle(spec), source or SyntheticSource(size=(120, 160)), threads=1, pace=pace)
        window = MainWindow(engine)
        qtbot.addWidget(window)
        window.show()
        engine.start()
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
