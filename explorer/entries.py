"""A registry of named entries filled by the modules of one package (backends, architectures).

The package's modules are imported on the first query, each registering its entries at import, so
adding an entry is adding a module (torchvision's ``register_model`` and timm's ``_registry`` work
the same way).  A module that fails to import is skipped and kept in ``failures`` with its error
(doctor and About name it): one broken file costs its own entries, never the others.
"""

from __future__ import annotations

import importlib
import logging
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
        self._state = "unloaded"  # -> "loading" (a module's import may query its own registry) -> "loaded"
        self.failures: dict[str, str] = {}  # module -> "ErrorType: message", for the ones that did not import

    def register(self, entry: Entry) -> Entry:
        if entry.name in self._entries:
            raise ValueError(f"{self.kind} name {entry.name!r} is taken")
        self._entries[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        """Drop an entry (tests that register a fake one clean up with this)."""
        self._entries.pop(name, None)

    def _load(self) -> None:
        if self._state != "unloaded":
            return
        self._state = "loading"
        package = importlib.import_module(self._package)
        for module in pkgutil.iter_modules(package.__path__):
            if not self._loads(module.name):
                continue
            name = f"{self._package}.{module.name}"
            try:
                importlib.import_module(name)
            except Exception as exc:  # a broken module costs its own entries, not the registry
                self.failures[name] = f"{type(exc).__name__}: {exc}"
                logging.getLogger(__name__).exception("%s module %s did not import; skipped", self.kind, name)
        self._state = "loaded"

    def failure_lines(self) -> list[str]:
        """One line per module that did not import, with what fixes it."""
        self._load()
        return [
            f"{self.kind} module {name} did not import ({error}); its entries are missing until the file is fixed"
            for name, error in self.failures.items()
        ]

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
