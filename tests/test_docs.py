"""The guides' commands work: every ```console block of docs/translators.md and
docs/authors.md runs, line by line (`$ command`), in a new project made by
`bilingual init`, and every command exits 0. ```sh blocks are examples only
(`bilingual serve` runs until stopped) and are not run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.checkproject import run_cli
from tests.conftest import gettext_tool

DOCS = Path(__file__).parent.parent / "docs"
GUIDES = ("translators.md", "authors.md")
_CONSOLE = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def console_blocks(guide: str) -> list[list[str]]:
    """The commands of each ```console block, without the `$ ` prompt."""
    text = (DOCS / guide).read_text(encoding="utf-8")
    return [[line[2:] for line in block.splitlines() if line.startswith("$ ")]
            for block in _CONSOLE.findall(text)]


def test_the_guides_have_runnable_blocks_and_only_prompted_lines() -> None:
    for guide in GUIDES:
        text = (DOCS / guide).read_text(encoding="utf-8")
        for block in _CONSOLE.findall(text):
            assert all(line.startswith("$ ") for line in block.splitlines()), (guide, block)
        assert len(console_blocks(guide)) >= 2, guide


@pytest.mark.parametrize("guide, index", [(g, i) for g in GUIDES
                                          for i in range(len(console_blocks(g)))])
def test_guide_commands_exit_zero(guide: str, index: int, tmp_path: Path) -> None:
    commands = console_blocks(guide)[index]
    if any(c.split()[0].startswith("msg") for c in commands):
        gettext_tool("msgfmt")  # fails under CI=true, skips elsewhere when missing
    project = tmp_path / "project"
    assert run_cli("init", str(project))[0] == 0
    # `bilingual` is this checkout's, whichever environment runs the tests.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    assert shutil.which("bilingual", path=env["PATH"]), "the bilingual console script"
    for command in commands:
        result = subprocess.run(command, shell=True, cwd=project, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, f"{guide}: $ {command}\n{result.stdout}{result.stderr}"
