"""A registry of named entries filled by the modules of one package (backends, architectures).

The package's modules are imported on the first query, each registering its entries at import, so
adding an entry is adding a module (torchvision's ``register_model`` and timm's ``_registry`` work
the same way).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class Named(Protocol):
    name: str
    order: int


Entry = TypeVar("Entry", bound=Named)


class Registry(Generic[Entry]):
    def __init__(self, kind: str, package: str, loads: Callable[[str], bool] = lambda _module: True) -> None:
        self.kind = kind  # "backend", "arch": said in errors
        self._package = package
        self._loads = loads  # which of the package's modules register entries
        self._entries: dict[str, Entry] = {}
        self._loaded = False

    def register(self, entry: Entry) -> Entry:
        if entry.name in self._entries:
            raise ValueError(f"{self.kind} name {entry.name!r} is taken")
        self._entries[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        """Drop an entry (tests that register a fake one clean up with this)."""
        self._entries.pop(name, None)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        package = importlib.import_module(self._package)
        for module in pkgutil.iter_modules(package.__path__):
            if self._loads(module.name):
                importlib.import_module(f"{self._package}.{module.name}")

    def entries(self) -> list[Entry]:
        """Every entry, in display order."""
        self._load()
        return sorted(self._entries.values(), key=lambda e: e.order)

    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.entries())

    def get(self, name: str) -> Entry:
        self._load()
        try:
            return self._entries[name]
        except KeyError:
            raise self.unknown(name) from None

    def unknown(self, name: str) -> Exception:
        return ValueError(f"unknown {self.kind} {name!r}; choose one of {', '.join(self.names())}")
