import os
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The suite never writes into the user's home: this process and every program it starts see a
# home of their own (ONNX Runtime, fontconfig and Qt write there on their own account), set
# before anything is imported.  Each test then gets its own cache, settings and torch hub.
_HOME = tempfile.mkdtemp(prefix="explorer-tests-home-")
os.environ.update(
    {"HOME": _HOME, "XDG_CACHE_HOME": os.path.join(_HOME, ".cache"), "XDG_CONFIG_HOME": os.path.join(_HOME, ".config")}
)


@pytest.fixture(autouse=True)
def private_caches(tmp_path, monkeypatch):
    """No test reads or writes the user's settings, export cache or torch hub."""
    monkeypatch.setenv("EXPLORER_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("EXPLORER_BOARD_CACHE", "0")  # the board path's tests turn the end-of-run export on


@pytest.fixture(scope="session")
def torchvision_models():
    """torchvision.models, or a skip where torchvision is unusable.

    CI sets EXPLORER_REQUIRE_TORCHVISION=1 so a broken install fails the run instead of skipping
    (the torchvision paths must be exercised for real there).
    """
    from explorer.optional import torchvision_status

    status = torchvision_status()
    if not status.available:
        if os.environ.get("EXPLORER_REQUIRE_TORCHVISION") == "1":
            pytest.fail(status.message)
        pytest.skip(status.message)
    import torchvision.models

    return torchvision.models


@pytest.fixture
def auto_candidates(monkeypatch):
    """Limit what `auto` may measure to the named backends (a test about one of them must not
    depend on which other backend this machine happens to run faster)."""
    from explorer.runtime import registry

    def limit(*names: str) -> None:
        entries = [b for b in registry.all_backends() if not b.auto_candidate or b.name in names]
        monkeypatch.setattr(registry, "all_backends", lambda: entries)

    return limit
