"""The registry: a module that fails to import is skipped and named, the others still register."""

import logging
from dataclasses import dataclass

from explorer import doctor
from explorer.entries import Registry
from explorer.models import architecture
from explorer.runtime import registry as backends


@dataclass
class Thing:
    name: str
    order: int


def make_package(root, name):
    package = root / name
    package.mkdir()
    register = f"from {name} import REGISTRY\n"
    (package / "__init__.py").write_text(
        "from explorer.entries import Registry\nREGISTRY = Registry('thing', __name__)\n"
    )
    (package / "a_good.py").write_text(
        register + "from tests.test_entries import Thing\nREGISTRY.register(Thing('a', 1))\n"
    )
    (package / "b_broken.py").write_text("import a_module_that_is_not_installed\n")
    (package / "c_good.py").write_text(
        register + "from tests.test_entries import Thing\n"
        "REGISTRY.names()  # a module may ask its own registry while it loads\n"
        "REGISTRY.register(Thing('c', 3))\n"
    )
    (package / "d_raises.py").write_text("raise RuntimeError('a bug at import')\n")


def test_a_broken_module_is_skipped_and_named_and_the_others_register(tmp_path, monkeypatch, caplog):
    make_package(tmp_path, "things_pkg")
    monkeypatch.syspath_prepend(str(tmp_path))
    import things_pkg

    reg: Registry = things_pkg.REGISTRY
    with caplog.at_level(logging.ERROR):
        assert reg.names() == ("a", "c")  # the first query: the good ones, whatever breaks between them
    assert reg.names() == ("a", "c")  # and every later one
    assert set(reg.failures) == {"things_pkg.b_broken", "things_pkg.d_raises"}
    assert "ModuleNotFoundError" in reg.failures["things_pkg.b_broken"]
    assert "RuntimeError: a bug at import" in reg.failures["things_pkg.d_raises"]
    lines = reg.failure_lines()
    assert len(lines) == 2 and all("did not import" in line for line in lines)
    assert "Traceback" in caplog.text and "d_raises" in caplog.text  # the full story is in the log


def test_doctor_and_the_real_registries_name_a_failed_module(monkeypatch):
    assert doctor.check_modules().ok  # this checkout: everything imports
    monkeypatch.setitem(backends._REGISTRY.failures, "explorer.runtime.broken_backend", "SyntaxError: bad")
    check = doctor.check_modules()
    assert not check.ok and "explorer.runtime.broken_backend" in check.summary and "SyntaxError" in check.summary
    assert check.fix and architecture.arch_names()  # the architectures are all still there
