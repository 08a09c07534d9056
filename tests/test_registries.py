"""Backends and architectures are registered entries: the rest of the app asks them, never names them.

The counts print every place they find, so a new name comparison is found where it was written.
"""

import ast
import subprocess
import sys
from pathlib import Path

from explorer.models.architecture import arch_names
from explorer.runtime import registry

PACKAGE = Path(__file__).resolve().parent.parent / "explorer"


def literals(names: set[str], *outside: str) -> list[str]:
    """Every string literal equal to one of ``names`` in explorer/, outside the packages ``outside``."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(path.is_relative_to(PACKAGE / package) for package in outside):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value!r}")
    return found


def test_backend_names_stay_inside_the_runtime_package():
    # explorer/board runs the formats the backends write, without torch: its runners are keyed by format
    found = literals({*registry.names(), registry.AUTO}, "runtime", "board")
    print("\n".join(found))
    assert len(found) <= 3, found


def test_architecture_names_stay_inside_the_models_package():
    found = literals(set(arch_names()), "models")
    print("\n".join(found))
    assert len(found) <= 10, found


def test_the_package_is_typed_without_excuses_and_its_classes_stay_small():
    ignores = [
        f"{p.name}:{i}"
        for p in PACKAGE.rglob("*.py")
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if "type: ignore" in line
    ]
    print("\n".join(ignores))
    assert len(ignores) <= 5, ignores
    large = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 300:
                large.append(f"{path.name}: {node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not large, large


def test_the_engine_waits_on_events_not_by_polling():
    sleeping = [
        f"{p.name}:{n.lineno}"
        for p in (PACKAGE / "engine").rglob("*.py")
        for n in ast.walk(ast.parse(p.read_text()))
        if isinstance(n, ast.Attribute) and n.attr == "sleep" and isinstance(n.value, ast.Name) and n.value.id == "time"
    ]
    assert not sleeping, sleeping


def test_ruff_finds_nothing_to_lint_or_format():
    """The pyproject's ruff settings hold on every file (ruff is a test dependency)."""
    root = PACKAGE.parent
    for command in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([sys.executable, "-m", "ruff", *command], cwd=root, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def compared_literals(names: set[str], outside: tuple[str, ...]) -> list[str]:
    """Every comparison (==, !=, in, not in) against one of ``names`` in explorer/, outside ``outside``."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(path.is_relative_to(PACKAGE / package) for package in outside):  # a package or one module
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Compare):
                continue
            for side in (node.left, *node.comparators):
                constants = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                if any(isinstance(c, ast.Constant) and c.value in names for c in constants):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


def test_weights_kinds_and_layouts_are_compared_only_inside_their_packages():
    from explorer.models.architecture import LAYOUTS
    from explorer.weights import source

    kinds = {source.RANDOM, source.TORCHVISION, source.MEGVII, source.FILE, "none"}
    found = compared_literals(kinds | set(LAYOUTS), ("weights", "models", "optional.py"))  # optional: package names
    print("\n".join(found))
    assert not found, found


def test_no_ui_file_outgrows_one_screenful_of_reading():
    large = {
        str(path.relative_to(PACKAGE)): n
        for path in (PACKAGE / "ui").rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 400
    }
    assert not large, large
