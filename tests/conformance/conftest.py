import importlib
import sys

import pytest

from explorer.models.architecture import unregister_architecture

FAKE_ARCHS = ("fake_arch", "fake_shufflenet")  # a rival without figures, a ShuffleNet-like one with them


def register_fakes() -> list:
    return [importlib.import_module(f"tests.fakes.{name}") for name in FAKE_ARCHS]


def unregister_fakes(modules) -> None:
    for module in modules:
        unregister_architecture(module.FAKE.name)
        sys.modules.pop(module.__name__, None)


@pytest.fixture
def fake_archs():
    """The two fake architectures, each registered by importing its one module, and removed after."""
    modules = register_fakes()
    yield [m.FAKE for m in modules]
    unregister_fakes(modules)
