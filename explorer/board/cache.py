"""The board cache: the exports the window ran lately, checksummed, with what the board path needs.

``index.json`` in ``cache_root()/board`` lists them newest first, each with its model files and
their sha256, the spec, the weights, the export's metadata (labels, preprocessing recipe) and
the tap and complexity tables that the torch side computed when it wrote them.  A start finds the
newest one matching what was asked; a file whose checksum no longer matches is moved aside and
said, and the next match (or the full window) is used instead: damage costs time, never a start.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from explorer.paths import cache_root, note_healed, write_atomically

INDEX = "index.json"
VERSION = 1
KEEP = 6  # exports kept (a V2 1x ONNX pair is ~18 MB): the models a class switches between


def board_dir() -> Path:
    return cache_root() / "board"


class NoBoardExport(Exception):
    """No usable cached export for the request; the message says why and what makes one."""


@dataclass(frozen=True)
class BoardRequest:
    """What a start asks for; None matches anything (the newest export wins)."""

    arch: str | None = None
    groups: int | None = None
    scale: float | None = None
    input_size: int | None = None
    shuffle: bool | None = None
    weights: str | None = None
    deploy_format: str | None = None

    def matches(self, entry: dict) -> bool:
        spec = entry["spec"]
        wanted = {
            "arch": self.arch,
            "groups": self.groups,
            "scale": self.scale,
            "input_size": self.input_size,
            "shuffle": self.shuffle,
        }
        if any(value is not None and spec.get(key) != value for key, value in wanted.items()):
            return False
        if self.weights is not None and entry.get("weights_choice") != self.weights:
            return False
        return self.deploy_format is None or entry["format"] == self.deploy_format

    def describe(self) -> str:
        asked = [f"{k} {v}" for k, v in vars(self).items() if v is not None]
        return ", ".join(asked) if asked else "the last model the window ran"


@dataclass
class BoardExport:
    """One cached export: its format, files (checked), spec, metadata and tables."""

    stem: str
    format: str
    files: dict[str, str]  # file name -> sha256
    spec: dict
    label: str
    weights_choice: str | None
    metadata: dict
    taps: list[dict] = field(default_factory=list)  # [{"name", "channels", "groups"}] in graph order
    complexity: dict = field(default_factory=dict)  # {"madds_m", "params_m", "mac_m"}

    def path(self, name: str) -> Path:
        return board_dir() / name

    def to_dict(self) -> dict:
        return dict(vars(self))


def read_index() -> list[dict]:
    """The index's entries, newest first ([] when there is none; a damaged one is set aside and said)."""
    path = board_dir() / INDEX
    try:
        data = json.loads(path.read_text())
        if data.get("version") != VERSION or not isinstance(data.get("entries"), list):
            raise ValueError("not this version's index")
        return [e for e in data["entries"] if isinstance(e, dict) and {"stem", "format", "files", "spec"} <= e.keys()]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, AttributeError) as exc:
        _set_aside(path, f"unreadable: {exc}")
        return []


def _write_index(entries: list[dict]) -> None:
    write_atomically(board_dir() / INDEX, json.dumps({"version": VERSION, "entries": entries}, indent=1).encode())


def _set_aside(path: Path, why: str) -> None:
    try:
        os.replace(path, path.with_name(path.name + ".bad"))
        where = f"moved to {path.name}.bad"
    except OSError:
        where = "left in place"
    note_healed(f"the board cache file {path} was ignored ({why}; {where})")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _intact(entry: dict) -> str | None:
    """None when every file is there with its checksum, else why not."""
    for name, expected in entry["files"].items():
        path = board_dir() / name
        if not path.is_file():
            return f"{name} is missing"
        if sha256_of(path) != expected:
            return f"{name} is damaged: its checksum does not match"
    return None


def find(request: BoardRequest) -> BoardExport:
    """The newest intact export matching ``request`` (raises NoBoardExport saying why not)."""
    entries = read_index()
    if not entries:
        raise NoBoardExport(f"no cached export in {board_dir()} yet: the full window caches the model it runs")
    damaged = []
    for entry in entries:
        if not request.matches(entry):
            continue
        problem = _intact(entry)
        if problem is None:
            if damaged:
                _write_index([e for e in entries if e not in damaged])
            return BoardExport(**{k: entry[k] for k in BoardExport.__dataclass_fields__ if k in entry})
        damaged.append(entry)
        for name in entry["files"]:
            if (board_dir() / name).is_file():
                _set_aside(board_dir() / name, problem)
        note_healed(f"the cached board export {entry.get('label', entry['stem'])} was dropped ({problem})")
    if damaged:
        _write_index([e for e in entries if e not in damaged])
    raise NoBoardExport(
        f"no intact cached export matches {request.describe()} "
        f"(cached: {'; '.join(e.get('label', e['stem']) for e in entries if e not in damaged) or 'none'})"
    )


def record(export: BoardExport) -> None:
    """Put a freshly written export first in the index; the oldest beyond KEEP are deleted."""
    entries = [e for e in read_index() if e["stem"] != export.stem]
    entries.insert(0, export.to_dict())
    for old in entries[KEEP:]:
        for name in old["files"]:
            (board_dir() / name).unlink(missing_ok=True)
    _write_index(entries[:KEEP])


def touch(stem: str) -> None:
    """Move an export to the front: the window ran it last, so a plain ``--board`` start opens it."""
    entries = read_index()
    chosen = [e for e in entries if e["stem"] == stem]
    if chosen and entries[0] is not chosen[0]:
        _write_index(chosen + [e for e in entries if e["stem"] != stem])


def cached(stem: str) -> bool:
    """Whether an intact export with this stem is in the index (the writer skips those)."""
    return any(e["stem"] == stem and _intact(e) is None for e in read_index())
