"""Bad articles through the real command: `file[:line]: message`, a non-zero exit,
no traceback; or, where the input is legitimate, the documented behaviour."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")


def bilingual(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "bilingual", "-C", str(root), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def write_article(root: Path, data: bytes, name: str = "a.md") -> Path:
    path = root / "content" / "de" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("data", "where", "message"), [
    (b"---\ntitle: T\ndate: 2025-02-30\n---\nText.\n", "a.md:3",
     "front matter 'date' is not a possible date: 2025-02-30"),
    (b"---\ntitle: T\ndate: morgen\n---\nText.\n", "a.md:3",
     "front matter 'date' is not a date (YYYY-MM-DD): 'morgen'"),
    # Not Python's `None`: the field is there, with nothing in it.
    (b"---\ntitle: T\ndate:\n---\nText.\n", "a.md:3",
     "front matter 'date' is empty; write a date (YYYY-MM-DD), or leave the line out"),
    (b'---\ntitle: T\nupdated: ""\n---\nText.\n', "a.md:3", "front matter 'updated' is empty"),
    (b"---\ntitle: [a, b]\n---\nText.\n", "a.md:2", "front matter 'title' must be text"),
    (b'---\ntitle: T\ntags: [Recht, "  "]\n---\nText.\n', "a.md:3",
     "front matter 'tags' holds an empty tag (entry 2); give it a name or remove it"),
    (b"---\n- a\n---\nText.\n", "a.md:2", "front matter must be a mapping of fields"),
    (b"+++\ntitle = 'T'\n+++\nText.\n", "a.md:1",
     "TOML front matter (+++) is not read; write YAML between --- lines"),
    (b"---\ntitle: !!python/object/apply:os.system [touch /tmp/pwned]\n---\nText.\n", "a.md:2",
     "front matter is not valid YAML: could not determine a constructor for the tag"),
    (b"---\ntitle: T\ndescription: " + b"x" * 70_000 + b"\n---\nText.\n", "a.md:1",
     "front matter larger than 65536 bytes"),
    ("---\ntitle: Größe\n---\nText.\n".encode("latin-1"), "a.md:2", "not UTF-8 text (byte 0xf6)"),
    ("---\ntitle: Ärger\n---\nText.\n".encode("utf-16"), "a.md:1",
     "UTF-16 text; save it as UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a.md", "binary file (contains NUL bytes)"),
    ("---\ntitle: T\n---\n<<<<<<< HEAD\nÄrger über Öl.\n=======\nÄrger über Fett.\n"
     ">>>>>>> feature\n".encode(), "a.md:4",
     "unresolved merge conflict (git's <<<<<<< marker); resolve it"),
])
@pytest.mark.parametrize("command", ["update", "build", "check"])
def test_bad_article_is_named_with_its_line_and_fails(make_project, data, where, message, command):
    root = make_project({})
    write_article(root, data)
    done = bilingual(root, command)
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert f"content/de/{where}: " in output and message in output
    assert "Traceback" not in output


def test_update_keeps_the_catalog_of_an_article_that_became_unreadable(make_project):
    root = make_project({"content/de/a.md": "---\ntitle: T\n---\nText.\n"})
    assert bilingual(root, "update").returncode == 0
    catalog = root / "locales" / "es" / "LC_MESSAGES" / "a.po"
    before = catalog.read_bytes()
    write_article(root, b"\x00binary")
    assert bilingual(root, "update").returncode == 1
    assert catalog.read_bytes() == before  # not made obsolete


def test_yaml_alias_bomb_is_refused(make_project):
    # A "billion laughs" front matter: 400 bytes of nested aliases that expand
    # exponentially for anything walking the data (a cache key took a minute and GBs).
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    root = make_project({"content/de/a.md": "---\ntitle: T\n" + "\n".join(levels) +
                         "\n---\nText.\n"})
    done = bilingual(root, "update")
    assert done.returncode == 1
    assert ("content/de/a.md:4: front matter is not valid YAML: YAML aliases (*name) are not "
            "allowed in front matter") in done.stderr


def test_missing_title_falls_back_to_the_file_name(make_project):
    root = make_project({"content/de/ohne-titel.md": "---\ndate: 2025-09-15\n---\nText.\n"})
    assert bilingual(root, "update").returncode == 0
    done = bilingual(root, "build")
    assert done.returncode == 0, done.stderr
    page = (root / "site" / "de" / "ohne-titel" / "index.html").read_text(encoding="utf-8")
    assert "<title>ohne-titel · " in page


@pytest.mark.parametrize("text", ["", "\n\n", "---\ndate: 2025-09-15\n---\n```\nnur Code\n```\n"])
def test_article_without_any_segment_needs_no_catalog_and_is_published_as_it_is(make_project,
                                                                                 text):
    root = make_project({"content/de/leer.md": text})
    done = bilingual(root, "update")
    assert done.returncode == 0, done.stderr
    assert not (root / "locales" / "es" / "LC_MESSAGES" / "leer.po").exists()
    done = bilingual(root, "build")
    assert done.returncode == 0, done.stderr
    assert (root / "site" / "de" / "leer" / "index.html").is_file()
    assert (root / "site" / "es" / "leer" / "index.html").is_file()  # nothing to translate


def test_two_articles_on_one_url_fail_the_build_naming_both(make_project):
    root = make_project({"content/de/a.md": "---\ntitle: T\nslug: x\n---\nText.\n",
                         "content/de/x.md": "---\ntitle: U\n---\nText zwei.\n"})
    done = bilingual(root, "build")
    assert done.returncode == 1
    assert ("content/de/a.md:3: slug 'x': content/de/a.md and content/de/x.md would both write "
            "site/de/x/index.html; choose another slug") in done.stderr
    assert not (root / "site").exists()


@pytest.mark.parametrize("slug", ["../../etc", "/etc/x"])
def test_slug_leaving_the_output_folder_fails_the_build(make_project, slug):
    root = make_project({"content/de/a.md": f"---\ntitle: T\nslug: {slug}\n---\nText.\n"})
    done = bilingual(root, "build")
    assert done.returncode == 1
    assert f"content/de/a.md:3: slug '{slug}' would leave its folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_symlink_out_of_content_fails_every_command(make_project):
    root = make_project({"outside.md": "---\ntitle: Geheim\n---\nText.\n"})
    link = root / "content" / "de" / "a.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(root / "outside.md")
    for command in ("update", "build", "check"):
        done = bilingual(root, command)
        assert done.returncode == 1, command
        # check reports it as a finding of the link (`file: error: message [code]`).
        severity = "error: " if command == "check" else ""
        assert (f"content/de/a.md: {severity}symbolic link leads outside the content folder; "
                "refused") in done.stdout + done.stderr


@pytest.mark.parametrize("command", ["update", "build", "check"])
def test_markdown_files_not_named_md_are_named_in_a_warning(make_project, command):
    # Were ignored without a word: no page, no catalog, `check` green.
    root = make_project({"content/de/a.md": "---\ntitle: T\n---\nText.\n",
                         **{f"content/{name}": "---\ntitle: U\n---\nText.\n" for name in (
                             "de/Gross.MD", "de/x.markdown", "de/y.mdown", "de/blog/notiz.md.txt",
                             "es/z.mkdn",
                             # Not Markdown, or hidden as articles are: no warning.
                             "de/bild.png", "de/liesmich.txt", "de/.alt.markdown",
                             "de/_entwurf/b.markdown")}})
    if command != "update":
        assert bilingual(root, "update").returncode == 0
    done = bilingual(root, command)
    # A warning blocks nothing (`check` fails here for the untranslated catalog only).
    assert done.returncode == (command == "check"), done.stdout + done.stderr
    found = sorted(line for line in (done.stdout + done.stderr).splitlines() if "not read" in line)
    rename = "not read: only .md files are articles; rename to"
    if command == "check":
        assert found == [
            f"content/de/Gross.MD: warning: {rename} Gross.md [obsolete]",
            f"content/de/blog/notiz.md.txt: warning: {rename} notiz.md [obsolete]",
            f"content/de/x.markdown: warning: {rename} x.md [obsolete]",
            f"content/de/y.mdown: warning: {rename} y.md [obsolete]",
            f"content/es/z.mkdn: warning: {rename} z.md [obsolete]"]
    else:
        assert found == [
            f"warning: content/de/Gross.MD: {rename} Gross.md",
            f"warning: content/de/blog/notiz.md.txt: {rename} notiz.md",
            f"warning: content/de/x.markdown: {rename} x.md",
            f"warning: content/de/y.mdown: {rename} y.md",
            f"warning: content/es/z.mkdn: {rename} z.md"]


@pytest.mark.parametrize("command", ["update", "build", "check"])
def test_names_that_only_build_here_are_named_in_a_warning(make_project, command):
    # A Windows or macOS checkout of the project lost an article, or failed:
    # the build here made both `de/Bericht/` and `de/bericht/` without a word.
    article = "---\ntitle: T\n---\nText.\n"
    nfd = unicodedata.normalize("NFD", "Übersicht")
    root = make_project({f"content/de/{name}.md": article for name in (
        "Bericht", "bericht", "was?", "aux", "Übersicht", nfd, "blog./ende", "gut")})
    if command != "update":
        assert bilingual(root, "update").returncode == 0
    done = bilingual(root, command)
    lines = (done.stdout + done.stderr).splitlines()
    named = sorted(line.removeprefix("warning: ").split(": ")[0] for line in lines
                   if "one file" in line or "Windows cannot hold" in line)
    # Of two names, the second in file-name order is named (NFD sorts first).
    assert named == sorted(["content/de/bericht.md", "content/de/was?.md", "content/de/aux.md",
                            "content/de/Übersicht.md", "content/de/blog./ende.md"])
    assert any(f"is the name of content/de/{nfd}.md with its letters encoded otherwise" in line
               for line in lines)
    assert not any("gut.md" in line and "warning" in line for line in lines)


def test_a_locale_that_is_not_utf8_reads_the_project_as_utf8(make_project, tmp_path):
    # `LC_ALL=C` with Python's UTF-8 mode off: file names came as undecodable
    # bytes, `über.md` was refused as "not UTF-8" and a project folder named
    # `Über` ended every command with a UnicodeEncodeError.
    root = make_project({"content/de/über.md": "---\ntitle: Über\n---\nText.\n"})
    project = tmp_path / "Über"
    root.rename(project)
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
           "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for command in ("update", "check", "build"):
        done = subprocess.run([sys.executable, "-m", "bilingual", "-C", str(project), command],
                              capture_output=True, env=env, timeout=120)
        output = (done.stdout + done.stderr).decode("utf-8")
        assert "Traceback" not in output and "not UTF-8" not in output, output
        assert done.returncode == (command == "check"), output  # check: untranslated
    assert (project / "locales/es/LC_MESSAGES/über.po").is_file()
    assert (project / "site/de/über/index.html").is_file()
