"""`bilingual init`: a new project that updates, checks and builds clean at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import msgfmt_check


def run(cwd, *args):
    return subprocess.run([sys.executable, "-m", "bilingual", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_new_project_is_clean_from_the_start(tmp_path):
    result = run(tmp_path, "init", "magazin")
    assert result.returncode == 0, result.stderr
    root = tmp_path / "magazin"
    assert (root / "bilingual.toml").is_file()
    assert (root / "templates" / "base.html").is_file()
    catalogs = sorted((root / "locales/es/LC_MESSAGES").glob("*.po"))
    assert [c.name for c in catalogs] == ["_ui.po", "willkommen.po"]
    before = {c: c.read_bytes() for c in catalogs}

    update = run(root, "update")
    assert update.returncode == 0 and "0 written" in update.stdout
    assert {c: c.read_bytes() for c in catalogs} == before
    for catalog in catalogs:
        assert msgfmt_check(catalog).returncode == 0
    assert run(root, "check").returncode == 0
    build = run(root, "build")
    assert build.returncode == 0, build.stderr
    assert (root / "site/de/willkommen/index.html").is_file()
    assert (root / "site/es/willkommen/index.html").is_file()
    # What builds write beside the site, a killed build's lock included, is ignored.
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split("\n")
    assert {"/site/", "/.bilingual-cache/", "/.*.building/", "/.*.previous/", "/.*.lock"} <= \
        set(ignored)


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")
    result = run(tmp_path, "init", "busy")
    assert result.returncode == 2
    assert "busy: already exists and is not empty" in result.stderr
    assert (tmp_path / "busy" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_next_step_init_prints_can_be_pasted_where_it_was_run(tmp_path):
    (tmp_path / "sub").mkdir()
    result = run(tmp_path, "init", "Mein Blög")
    assert result.stdout.endswith("Next: cd 'Mein Blög' && bilingual update && bilingual build\n")
    result = run(tmp_path, "-C", "sub", "init", "rel")
    assert result.stdout.endswith("Next: cd sub/rel && bilingual update && bilingual build\n")
    assert (tmp_path / "sub/rel/bilingual.toml").is_file()


def test_init_inside_a_project_is_refused_and_a_subfolder_names_its_project(tmp_path):
    # From a project's subfolder the error suggested `init`, which made a
    # project whose article the outer site then published.
    assert run(tmp_path, "init", "magazin").returncode == 0
    inside = tmp_path / "magazin/content/de"
    result = run(inside, "status")
    assert result.returncode == 2
    assert f"this folder is inside the project {tmp_path / 'magazin'}: run there, or pass -C" \
        in result.stderr
    result = run(inside, "init", "neu")
    assert result.returncode == 2
    assert f"neu: lies inside the project {tmp_path / 'magazin'}; choose a folder outside it" \
        in result.stderr
    assert not (inside / "neu").exists()


def test_a_windows_checkout_of_a_new_project_stays_clean(tmp_path):
    # Git for Windows (and Windows CI runners) check files out with CRLF
    # under core.autocrlf: every catalog was then `stale` for check, and the
    # next checkout undid what `update` wrote.
    git = shutil.which("git")
    if git is None:
        if os.environ.get("CI") == "true":
            pytest.fail("git is missing")
        pytest.skip("git is not installed")
    assert run(tmp_path, "init", "magazin").returncode == 0
    root = tmp_path / "magazin"
    identity = ["-c", "user.name=Ana", "-c", "user.email=ana@example.com"]
    for args in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-qm", "Start"]):
        subprocess.run([git, *args], cwd=root, check=True, capture_output=True)
    subprocess.run([git, "-c", "core.autocrlf=true", "clone", "-q", str(root), "windows"],
                   cwd=tmp_path, check=True, capture_output=True)
    clone = tmp_path / "windows"
    assert b"\r\n" not in (clone / "locales/es/LC_MESSAGES/willkommen.po").read_bytes()
    assert b"\r\n" in (clone / "bilingual.toml").read_bytes()  # the checkout did convert
    result = run(clone, "check")
    assert result.returncode == 0, result.stdout
