"""The README stays a page: two set-up commands (CI runs the second verbatim), links that resolve."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_the_readme_fits_a_page_and_its_two_commands_are_what_ci_runs():
    assert len(README.splitlines()) <= 250
    launch, test = quick_start_commands()
    assert launch.endswith("main.py") and test.endswith("-m pytest")
    assert test in (ROOT / ".ci" / "run").read_text().splitlines()


def test_every_local_link_in_the_readme_and_docs_resolves():
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if not target.startswith(("http://", "https://")) and not (page.parent / target).exists():
                broken.append(f"{page.name}: {target}")
    assert not broken, broken
