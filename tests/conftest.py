"""Shared fixtures: throw-away site projects and the real GNU gettext tools."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bilingual.parallel import thaw_heap

CONFIG = """[site]
title = "Beispiel"
base_url = "https://www.example.com"
source_language = "de"
target_languages = ["es"]
"""


def gettext_tool(name: str) -> str:
    """Path of a GNU gettext program; a missing one fails under CI=true."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} (GNU gettext) is missing; scripts/install-test-tools installs it")
        pytest.skip(f"{name} (GNU gettext) is not installed")
    return path


def msgfmt_check(path: Path) -> subprocess.CompletedProcess:
    """Run `msgfmt -c` on a catalog; the result's returncode tells."""
    return subprocess.run([gettext_tool("msgfmt"), "-c", "-o", os.devnull, str(path)],
                          capture_output=True, text=True)


@pytest.fixture
def make_project(tmp_path):
    """Write a site project from {relative path: text}; returns its root."""

    def make(files: dict[str, str], config: str = CONFIG) -> Path:
        root = tmp_path / "site-project"
        root.mkdir(exist_ok=True)
        (root / "bilingual.toml").write_text(config, encoding="utf-8")
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root

    return make


@pytest.fixture(autouse=True)
def thawed_heap():
    """Give the collector back what a test's builds froze, as the preview
    server does between builds: the suite runs hundreds of them in one process."""
    yield
    thaw_heap()
