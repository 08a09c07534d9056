"""scripts/debian_mirror.sh: the mirror arm64_check.sh hands to debootstrap, on both apt layouts."""

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "debian_mirror.sh"

DEB822 = """Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.example.org/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://deb.example.org/debian-security
Suites: bookworm-security
"""
ONE_LINE = """# deb http://snapshot.debian.org/archive/debian/20250520T000000Z bookworm main
deb http://security.debian.org/debian-security bookworm-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://ftp.example.net/debian/ bookworm main
"""


def mirror(apt: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), str(apt)], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize(
    "files,expected",
    [
        ({"sources.list.d/debian.sources": DEB822}, "http://deb.example.org/debian"),  # Debian 12: no sources.list
        ({"sources.list": ONE_LINE}, "http://ftp.example.net/debian/"),
        ({"sources.list": "# only a comment\n", "sources.list.d/x.sources": DEB822}, "http://deb.example.org/debian"),
        ({}, ""),  # nothing configured: the caller falls back to deb.debian.org
    ],
)
def test_the_mirror_comes_from_live_lines_on_either_layout(tmp_path, files, expected):
    (tmp_path / "sources.list.d").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    done = mirror(tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == expected, done.stderr
