"""`bilingual check`: one test per finding code and per format, exit codes,
policy, `--lang`, `--site`, and GNU msgfmt as the oracle for `syntax`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import polib
import pytest

from bilingual.catalog import parse_catalog, read_catalog
from bilingual.checks import (
    CatalogContext,
    CheckReport,
    Finding,
    check_catalog,
    check_format,
    markdown_problems,
    ui_problems,
    word_diff,
)
from bilingual.config import CHECK_CODES, load_config
from bilingual.formats import parse_plural_forms
from bilingual.report import escape_data, escape_property, format_github, format_text, use_color
from bilingual.sitetext import site_text
from bilingual.sources import display_path
from tests.checkproject import (
    edit_catalog,
    entry_line,
    fill,
    make_project,
    run_cli,
    set_translation,
    update,
)
from tests.conftest import gettext_tool

REPO = Path(__file__).resolve().parent.parent
HUND_PO = "locales/es/LC_MESSAGES/hund.po"
UI_PO = "locales/es/LC_MESSAGES/_ui.po"
CASES = Path(__file__).resolve().parent / "fixtures_check"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def check(root: Path, *args: str) -> tuple[int, dict]:
    code, out, err = run_cli("-C", str(root), "check", "--format", "json", *args)
    assert err == ""
    return code, json.loads(out)


def with_code(report: dict, code: str) -> list[dict]:
    return [f for f in report["findings"] if f["code"] == code]


def msgfmt_accepts(path: Path) -> bool:
    """GNU msgfmt -c as the oracle; required under CI, skipped elsewhere without it."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU msgfmt is not installed (scripts/install-test-tools installs it)")
        pytest.skip("GNU msgfmt is not installed")
    return subprocess.run([msgfmt, "-c", "-o", os.devnull, str(path)],
                          capture_output=True).returncode == 0


# --- a clean project -----------------------------------------------------------------


def test_clean_project_has_no_findings(project: Path) -> None:
    code, report = check(project)
    assert (code, report["findings"]) == (0, [])
    assert report["summary"]["catalogs"] == 3
    assert report["summary"]["articles"] == 2
    for path in sorted((project / "locales/es/LC_MESSAGES").glob("*.po")):
        assert msgfmt_accepts(path), path


# --- one test per code ----------------------------------------------------------------


def test_missing_names_entry_line_and_segment(project: Path) -> None:
    line = set_translation(project / HUND_PO, "Der Hund schläft im Haus.", "")
    code, report = check(project)
    assert code == 1
    assert report["findings"] == [{
        "severity": "error", "code": "missing", "file": HUND_PO, "line": line,
        "message": 'not translated yet: "Der Hund schläft im Haus."'}]


@pytest.mark.parametrize("blank", [" ", "\u00a0\t "])
def test_a_translation_of_only_whitespace_is_missing(project: Path, blank: str) -> None:
    # The build does not publish it, so check reports it as missing, once (not
    # also as a markup finding about its whitespace).
    line = set_translation(project / HUND_PO, "Der Hund schläft im Haus.", blank)
    code, report = check(project)
    assert code == 1
    assert report["findings"] == [{
        "severity": "error", "code": "missing", "file": HUND_PO, "line": line,
        "message": 'not translated yet: "Der Hund schläft im Haus." (its translation is only '
                   "whitespace, which counts as none)"}]


@pytest.mark.parametrize(("po", "msgid", "msgstr", "char"), [
    # A line break pasted from a word processor is a vertical tab.
    (HUND_PO, "Der Hund schläft im Haus.", "El perro\x0bduerme en casa.", "U+000B"),
    (UI_PO, "Hello %(name)s", "Hola %(name)s\x01", "U+0001"),
])
def test_a_control_character_in_a_translation_is_a_markup_error(
        project: Path, po: str, msgid: str, msgstr: str, char: str) -> None:
    # The build leaves it out of the page and only warns: the gate is check.
    line = set_translation(project / po, msgid, msgstr)
    code, report = check(project)
    assert code == 1
    assert [(f["code"], f["file"], f["line"]) for f in report["findings"]] == [
        ("markup", po, line)]
    assert f"contains the control character {char}, which no reader can see" in \
        report["findings"][0]["message"]


def test_a_line_break_for_a_translation_is_missing_and_what_msgfmt_rejects(project: Path) -> None:
    line = set_translation(project / HUND_PO, "Der Hund schläft im Haus.", "\n")
    _, report = check(project)
    assert [(f["code"], f["line"]) for f in report["findings"]] == [
        ("missing", line), ("syntax", line), ("syntax", line)]
    assert not msgfmt_accepts(project / HUND_PO)


def test_a_plural_form_of_only_whitespace_is_missing(project: Path) -> None:
    line = set_translation(project / UI_PO, "%(count)s minute",
                           msgstr_plural={0: "un minuto", 1: "  "})
    _, report = check(project)
    # The entry is python-format: msgfmt -c rejects the form without %(count)s.
    assert [(f["code"], f["file"], f["line"]) for f in report["findings"]] == [
        ("missing", UI_PO, line), ("syntax", UI_PO, line)]
    assert "msgstr[1] not translated yet" in report["findings"][0]["message"]


def test_missing_plural_form(project: Path) -> None:
    line = set_translation(project / UI_PO, "%(count)s minute",
                           msgstr_plural={0: "un minuto", 1: ""})
    _, report = check(project)
    [found] = with_code(report, "missing")
    assert (found["file"], found["line"]) == (UI_PO, line)
    assert "msgstr[1]" in found["message"] and '"%(count)s minute"' in found["message"]


def test_fuzzy_shows_what_changed_in_the_german(project: Path) -> None:
    article = project / "content/de/hund.md"
    article.write_text(article.read_text().replace("im Haus.", "im Garten."))
    update(project)
    code, report = check(project)
    assert code == 1
    [found] = report["findings"]
    assert found["code"] == "fuzzy"
    assert found["line"] == entry_line(project / HUND_PO, "Der Hund schläft im Garten.")
    assert "Der Hund schläft im [-Haus-] {+Garten+}." in found["message"]
    assert '"Der Hund schläft im Garten."' in found["message"]


def test_fuzzy_after_a_reverted_edit_says_the_german_is_as_translated(project: Path) -> None:
    # As msgmerge: A -> B -> A leaves the entry fuzzy with `#| msgid` equal to msgid.
    article = project / "content/de/hund.md"
    original = article.read_text()
    article.write_text(original.replace("im Haus.", "im Garten."))
    update(project)
    article.write_text(original)
    update(project)
    entry = next(e for e in read_catalog(project / HUND_PO)
                 if e.msgid == "Der Hund schläft im Haus.")
    assert ("fuzzy" in entry.flags, entry.previous_msgid) == (True, entry.msgid)
    [found] = check(project)[1]["findings"]
    assert found["code"] == "fuzzy"
    assert found["message"].endswith("the German is again the text it was translated from "
                                     "(an edit to it was reverted)")


def test_stale_names_article_and_segments(project: Path) -> None:
    vanished_line = entry_line(project / HUND_PO, "Der Hund schläft im Haus.")
    article = project / "content/de/hund.md"
    article.write_text(article.read_text().replace("im Haus.", "im Garten."))
    (project / "content/de/neu.md").write_text("Ganz neu.\n")
    code, report = check(project)
    assert code == 1
    stale = with_code(report, "stale")
    assert [(f["file"], f["line"]) for f in stale] == [
        ("content/de/neu.md", None), (HUND_PO, vanished_line)]
    assert "has no locales/es/LC_MESSAGES/neu.po yet" in stale[0]["message"]
    message = stale[1]["message"]
    assert message.startswith("content/de/hund.md changed since the catalog was updated (or "
                              "a msgid was edited in the catalog, where only msgstr lines are "
                              "the translator's): 1 new, 1 vanished segment(s)")
    assert 'new "Der Hund schläft im Garten."' in message
    assert 'vanished "Der Hund schläft im Haus."' in message
    update(project)
    assert with_code(check(project)[1], "stale") == []


def test_stale_after_clearing_fuzzy_names_the_kept_previous_msgid(project: Path) -> None:
    article = project / "content/de/hund.md"
    article.write_text(article.read_text().replace("im Haus.", "im Garten."))
    update(project)
    path = project / HUND_PO
    # Weblate and translate-toolkit may clear the flag as msgattrib does: the
    # #| line stays.
    subprocess.run([gettext_tool("msgattrib"), "--clear-fuzzy", str(path), "-o", str(path)],
                   check=True)
    lines = path.read_text(encoding="utf-8").split("\n")
    previous = 1 + next(i for i, line in enumerate(lines) if line.startswith("#| msgid"))
    code, report = check(project)
    assert code == 1
    [stale] = with_code(report, "stale")
    assert (stale["file"], stale["line"]) == (HUND_PO, previous)
    assert "keeps a previous msgid (#|) on an entry that is not fuzzy" in stale["message"]
    assert "run `bilingual update`" in stale["message"]
    update(project)
    assert with_code(check(project)[1], "stale") == []


@pytest.mark.parametrize(("change", "line", "cause"), [
    (lambda text: text.replace("\n", "\r\n"), 1, "has CRLF (Windows) line endings"),
    (lambda text: "\ufeff" + text.replace("\n", "\r\n"), 1,
     "starts with a UTF-8 byte order mark (BOM) and has CRLF (Windows) line endings"),
    (lambda text: text.replace('msgstr "El perro duerme en casa."',
                               'msgstr ""\n"El perro duerme "\n"en casa."'),
     # The msgstr "" line before the continuation, the first line that differs.
     lambda rows: rows.index('"El perro duerme "'), "wraps a string otherwise"),
    (lambda text: text.replace("#. paragraph\n", "#. Absatz\n", 1),
     lambda rows: 1 + rows.index("#. Absatz"),
     'has "#. Absatz" where `update` writes "#. paragraph"'),
    # An octal escape, and a charset: both were "wraps a string otherwise".
    (lambda text: text.replace('msgstr "El perro duerme en casa."',
                               'msgstr "\\105l perro duerme en casa."'),
     lambda rows: 1 + rows.index('msgstr "\\105l perro duerme en casa."'),
     "writes a character of a string otherwise (an escape such as `\\101`"),
    (lambda text: text.replace("charset=UTF-8", "charset=utf-8"),
     lambda rows: 1 + next(i for i, row in enumerate(rows) if "charset=utf-8" in row),
     "declares charset=utf-8, where `update` writes charset=UTF-8"),
    # Both were "writes a character of a string otherwise", which msgfmt accepts.
    (lambda text: text.replace('msgstr "El perro duerme en casa."',
                               'msgstr "El perro " "duerme en casa."'),
     lambda rows: 1 + rows.index('msgstr "El perro " "duerme en casa."'),
     "wraps a string otherwise"),
    (lambda text: text.replace("text/plain; charset=UTF-8", "text/plain"),
     lambda rows: 1 + next(i for i, row in enumerate(rows) if row.startswith('"Content-Type')),
     "declares no charset in its Content-Type, where `update` writes charset=UTF-8"),
])
def test_stale_layout_names_the_line_and_the_cause(project: Path, change, line,
                                                    cause: str) -> None:
    # The same entries as update writes, laid out otherwise.
    path = project / HUND_PO
    text = change(path.read_text(encoding="utf-8"))
    path.write_bytes(text.encode("utf-8"))
    if callable(line):  # found in the rows of the changed text
        line = line(text.split("\n"))
    _, report = check(project)
    [stale] = with_code(report, "stale")
    assert (stale["file"], stale["line"]) == (HUND_PO, line)
    assert cause in stale["message"]
    assert "run `bilingual update`" in stale["message"]


def test_entries_swapped_in_an_editor_are_named_as_another_order(project: Path) -> None:
    # Two entries swapped were reported as "wraps a string otherwise".
    path = project / HUND_PO
    entries = path.read_text(encoding="utf-8").split("\n\n")
    first = next(i for i, entry in enumerate(entries) if 'msgid "Der Hund schläft' in entry)
    entries[first], entries[first + 1] = entries[first + 1], entries[first]
    path.write_text("\n\n".join(entries), encoding="utf-8")
    _, report = check(project)
    [stale] = with_code(report, "stale")
    moved = entries[first].split("\n")
    assert stale["line"] == 1 + "\n\n".join(entries[:first]).count("\n") + 2
    assert stale["message"].startswith(
        "has the entries `bilingual update` writes for content/de/hund.md, but in another "
        "order: ")
    assert 'stands where `update` writes "Der Hund schläft im Haus."' in stale["message"]
    assert moved[0].startswith("#.")


def test_a_byte_order_mark_is_what_msgfmt_rejects(project: Path) -> None:
    path = project / HUND_PO
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    _, report = check(project)
    [syntax] = with_code(report, "syntax")
    assert (syntax["file"], syntax["line"]) == (HUND_PO, 1)
    assert "byte order mark" in syntax["message"]
    assert not msgfmt_accepts(path)
    update(project)
    code, report = check(project)
    assert (code, report["findings"]) == (0, []) and msgfmt_accepts(path)


def test_a_changed_plural_is_stale_then_fuzzy_with_the_plural_diff(project: Path) -> None:
    template = project / "templates/base.html"
    template.write_text(template.read_text().replace("{{ count }} minutes",
                                                     "{{ count }} minutes to read"))
    [stale] = with_code(check(project)[1], "stale")
    assert (stale["file"], stale["line"]) == (UI_PO, entry_line(project / UI_PO,
                                                                "%(count)s minute"))
    assert "0 new, 0 vanished segment(s), 1 with a changed plural: plural changed " \
           '"%(count)s minute"' in stale["message"]
    update(project)
    entry = next(e for e in read_catalog(project / UI_PO) if e.msgid == "%(count)s minute")
    assert (entry.flags, entry.previous_msgid_plural, entry.msgstr_plural) == (
        ["fuzzy", "python-format"], "%(count)s minutes",
        {0: "un minuto", 1: "%(count)s minutos"})
    [found] = check(project)[1]["findings"]
    assert found["code"] == "fuzzy"
    assert found["message"].endswith(
        "the German plural changed: %(count)s minutes{+ to read+}")


def test_stale_when_the_article_is_gone(project: Path) -> None:
    (project / "content/de/katze.md").unlink()
    _, report = check(project)
    [found] = with_code(report, "stale")
    assert found["file"] == "locales/es/LC_MESSAGES/katze.po"
    assert "content/de/katze.md no longer exists" in found["message"]


def test_site_text_entries_new_to_a_ui_catalog_are_stale_then_missing(tmp_path: Path) -> None:
    # A project whose _ui.po was written before the site's title and
    # description were catalog entries: as for any new template string, CI
    # says "run update", then what is left to translate.
    project = make_project(tmp_path / "project",
                           extra='description = "Tiere im Haus"\n')
    ui = project / UI_PO
    edit_catalog(ui, lambda po: [po.remove(e) for e in list(po)
                                 if e.msgctxt in ("site title", "site description")])
    code, report = check(project)
    assert code == 1
    [found] = report["findings"]
    assert (found["code"], found["file"]) == ("stale", UI_PO)
    assert '"Prueba"' in found["message"] and '"Tiere im Haus"' in found["message"]
    update(project)
    code, report = check(project)
    assert code == 1
    assert [(f["code"], f["file"], f["line"]) for f in report["findings"]] == [
        ("missing", UI_PO, entry_line(project / UI_PO, "Prueba")),
        ("missing", UI_PO, entry_line(project / UI_PO, "Tiere im Haus"))]
    set_translation(ui, "Prueba", "Prueba")
    set_translation(ui, "Tiere im Haus", "Animales en casa", flags=["fuzzy"])
    code, report = check(project)
    assert [(f["code"], f["file"]) for f in report["findings"]] == [("fuzzy", UI_PO)]


def test_markup_finding_in_a_catalog(project: Path) -> None:
    msgid = ("Ein [Link](katze.md), ein [Verweis](https://example.org/a), `code`, *Betonung* "
             "und **stark**.")
    line = set_translation(project / HUND_PO, msgid, "Un [enlace](katze.md), una referencia, "
                           "`código`, *énfasis y **fuerte**.")
    code, report = check(project)
    assert code == 1
    [found] = report["findings"]
    assert (found["code"], found["file"], found["line"]) == ("markup", HUND_PO, line)
    message = found["message"]
    assert message.startswith('the translation of "Ein [Link](katze.md)')
    assert "drops the link to https://example.org/a" in message
    assert "changes the inline code `code` to `código`" in message
    assert "has 0 emphasis (*…*) where the German has 1" in message


def test_a_catalog_whose_article_is_gone_is_one_finding(project: Path) -> None:
    # One warning per entry, every check, and none said the file could go.
    (project / "content/de/katze.md").unlink()
    update(project)
    code, report = check(project)
    assert code == 0
    [found] = report["findings"]
    assert (found["severity"], found["code"], found["file"], found["line"]) == (
        "warning", "obsolete", "locales/es/LC_MESSAGES/katze.po", 1)
    assert found["message"].startswith(
        "content/de/katze.md is gone, so every entry here is obsolete (3 translation(s) kept")


def test_a_locales_folder_of_no_configured_language_is_named(project: Path) -> None:
    # A language removed from target_languages left its catalogs unchecked and
    # unbuilt, and nothing said so.
    config = project / "bilingual.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('target_languages = ["es"]',
                                   'target_languages = ["es", "fr"]'), encoding="utf-8")
    update(project)
    config.write_text(text, encoding="utf-8")
    code, report = check(project)
    assert code == 0
    [found] = report["findings"]
    assert (found["severity"], found["code"], found["file"], found["line"]) == (
        "warning", "obsolete", "locales/fr/", None)
    assert found["message"].startswith("fr is not a language of bilingual.toml")
    # The source language's folder (a UI catalog of its own once) is no stranger.
    (project / "locales/de/LC_MESSAGES").mkdir(parents=True)
    (project / "locales/de/LC_MESSAGES/_ui.po").write_text('msgid ""\nmsgstr ""\n')
    assert [f["file"] for f in check(project)[1]["findings"]] == ["locales/fr/"]


def test_obsolete_is_a_warning(project: Path) -> None:
    article = project / "content/de/katze.md"
    article.write_text(article.read_text().replace("Die Katze jagt eine Maus.\n\n", ""))
    update(project)
    code, report = check(project)
    assert code == 0
    [found] = report["findings"]
    assert (found["severity"], found["code"], found["file"]) == (
        "warning", "obsolete", "locales/es/LC_MESSAGES/katze.po")
    assert '"Die Katze jagt eine Maus."' in found["message"]
    lines = (project / found["file"]).read_text().split("\n")
    assert lines[found["line"] - 1].startswith("#~")


def test_syntax_unparseable_catalog(project: Path) -> None:
    path = project / HUND_PO
    text = path.read_text().replace('msgstr "El perro duerme en casa."',
                                    'msgstr "El perro duerme en casa.')
    path.write_text(text)
    line = text.split("\n").index('msgstr "El perro duerme en casa.') + 1
    code, report = check(project)
    assert code == 1
    assert [(f["code"], f["file"], f["line"]) for f in report["findings"]] == [
        ("syntax", HUND_PO, line)]
    assert "end-of-line within string" in report["findings"][0]["message"]
    assert not msgfmt_accepts(path)


def test_syntax_format_flag_mismatch(project: Path) -> None:
    line = set_translation(project / UI_PO, "Hello %(name)s", "Hola %(nombre)s",
                           flags=["python-format"])
    code, report = check(project)
    assert code == 1
    # update keeps flags a translator set, so the catalog is not stale.
    assert [f["code"] for f in report["findings"]] == ["syntax"]
    found = report["findings"][0]
    assert found["line"] == line
    assert "msgstr uses %(nombre), which msgid does not have" in found["message"]
    assert not msgfmt_accepts(project / UI_PO)


def test_ui_entries_with_placeholders_are_python_format(project: Path) -> None:
    flagged = {e.msgid for e in read_catalog(project / UI_PO) if "python-format" in e.flags}
    assert {"Hello %(name)s", "%(count)s minute"} <= flagged
    assert "Read more" not in flagged


@pytest.mark.parametrize(("translation", "problem"), [
    ("Véase [la documentación][doku] y [corto](https://example.org/kurz).", None),
    ("Véase [la documentación](https://example.org/doku) y [Kurz].", None),
    ("Véase la documentación y [Kurz].", "drops the link to https://example.org/doku"),
    ("Véase [la documentación][otra] y [Kurz].", "drops the link to https://example.org/doku"),
    ("Véase [la documentación][doku] y [Kurz][doku].",
     "changes the link target https://example.org/kurz to https://example.org/doku"),
])
def test_reference_links_are_checked_as_the_links_they_are(project: Path, translation: str,
                                                         problem: str | None) -> None:
    # Parsed without the article's definitions, `[die Doku][doku]` was no link:
    # dropping it passed, and writing it inline was "adds a link".
    (project / "content/de/ref.md").write_text(
        "---\ntitle: Ref\n---\nSiehe [die Doku][doku] und [Kurz].\n\n"
        "[doku]: https://example.org/doku\n[kurz]: https://example.org/kurz\n")
    update(project)
    po = project / "locales/es/LC_MESSAGES/ref.po"
    set_translation(po, "Ref", "Ref")
    line = set_translation(po, "Siehe [die Doku][doku] und [Kurz].", translation)
    code, report = check(project)
    if problem is None:
        assert (code, report["findings"]) == (0, [])
    else:
        [found] = report["findings"]
        assert (found["code"], found["file"], found["line"]) == (
            "markup", "locales/es/LC_MESSAGES/ref.po", line)
        assert problem in found["message"]


@pytest.mark.parametrize(("written", "message"), [
    ({"x.md": "fehlt.md"}, "translation_of: there is no article content/de/fehlt.md"),
    ({"x.md": "hund"}, "translation_of 'hund' must be the path of a de article relative to "
                       "content/de/, e.g. x.md"),
    ({"a.md": "hund.md", "x.md": "hund.md"},
     "translation_of: content/es/a.md already is the es version of content/de/hund.md"),
])
def test_check_reports_the_translation_of_the_build_refuses(project: Path, written: dict,
                                                            message: str) -> None:
    # `check` passed these, and CI let through a project whose build failed.
    (project / "content/es").mkdir()
    for name, source in written.items():
        (project / "content/es" / name).write_text(
            f"---\ntitle: Von Hand\ntranslation_of: {source}\n---\nTexto.\n")
    code, report = check(project)
    assert code == 1
    assert [(f["code"], f["file"], f["line"], f["message"]) for f in report["findings"]] == [
        ("syntax", "content/es/x.md", 3, message)]
    code, _, err = run_cli("-C", str(project), "build")
    assert code == 1 and f"content/es/x.md:3: {message}" in err


def test_a_changed_site_title_makes_the_ui_catalog_stale_because_of_the_configuration(
        project: Path) -> None:
    # The message sent translators to templates/ for a change of bilingual.toml.
    config = project / "bilingual.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('title = "Prueba"',
                                                                 'title = "Probe"'))
    code, report = check(project)
    assert code == 1
    [stale] = with_code(report, "stale")
    assert stale["file"] == UI_PO
    assert stale["message"].startswith("bilingual.toml changed since the catalog was updated")
    assert 'new "Probe"' in stale["message"] and 'vanished "Prueba"' in stale["message"]


@pytest.mark.parametrize("folder", ["static", "templates"])
def test_a_file_name_the_build_refuses_in_static_or_templates_is_a_finding(
        project: Path, folder: str) -> None:
    (project / folder).mkdir(exist_ok=True)
    (project / os.fsdecode(f"{folder}/a".encode() + b"\xffb.css")).write_bytes(b"")
    code, report = check(project)
    assert code == 1
    assert [(f["code"], f["file"]) for f in report["findings"]] == [
        ("syntax", f"{folder}/a\\udcffb.css")]


def test_a_catalog_whose_name_is_not_utf8_is_one_finding(project: Path) -> None:
    (project / os.fsdecode(b"locales/es/LC_MESSAGES/caf\xe9.po")).write_bytes(b"")
    code, report = check(project)
    assert code == 1
    assert [(f["code"], f["file"], f["line"]) for f in report["findings"]] == [
        ("syntax", "locales/es/LC_MESSAGES/caf\\udce9.po", None)]


def test_a_percent_sign_in_the_site_title_is_text_not_a_placeholder(tmp_path: Path) -> None:
    # The site's title and description are shown as written, never filled in
    # with `%`: CI demanded `%%`, which the pages then showed as it is.
    project = make_project(tmp_path / "project", extra='description = "Tiere im Haus"\n')
    set_translation(project / UI_PO, "Prueba", "100% Prueba")
    set_translation(project / UI_PO, "Tiere im Haus", "Animales al 100 % de casa")
    code, report = check(project)
    assert (code, report["findings"]) == (0, [])
    assert msgfmt_accepts(project / UI_PO)
    # `%%` would be shown as both signs: the texts are not %-format strings.
    assert site_text(load_config(project), "es", read_catalog(project / UI_PO)).title == \
        "100% Prueba"


def test_a_stray_percent_sign_in_a_ui_translation_is_what_msgfmt_rejects(
        project: Path) -> None:
    # `100 % de` holds the directive `% d`, which the build's % asks a number for.
    line = set_translation(project / UI_PO, "Hello %(name)s", "100 % de %(name)s")
    code, report = check(project)
    assert code == 1
    [found] = report["findings"]
    assert (found["code"], found["file"], found["line"]) == ("syntax", UI_PO, line)
    assert "mixes named and unnamed directives" in found["message"]
    assert not msgfmt_accepts(project / UI_PO)


@pytest.mark.parametrize(("msgid", "translation", "problem"), [
    ("Hello %(name)s", "100 % de %(name)s", "mixes named and unnamed directives"),
    ("Read more", "Leer el 100% más", "'%m' is not a valid conversion"),
    ("Hello %(name)s", "Hola % d", "changes the placeholder %(name)s to % d"),
])
def test_a_ui_translation_the_build_cannot_fill_in_is_an_error_without_the_flag(
        project: Path, msgid: str, translation: str, problem: str) -> None:
    # A catalog from before UI entries were flagged, or a flag a tool dropped:
    # the build applies % all the same. (`update` would give the flag back:
    # that is a stale finding of its own.)
    line = set_translation(project / UI_PO, msgid, translation, flags=[])
    code, report = check(project)
    found = [f for f in report["findings"] if f["code"] != "stale"]
    assert code == 1
    assert [(f["code"], f["file"], f["line"]) for f in found] == [("markup", UI_PO, line)]
    assert problem in found[0]["message"]


def test_syntax_plural_forms_expression(project: Path) -> None:
    path = project / UI_PO
    text = path.read_text().replace("plural=(n != 1);", "plural=(n > 1 ? 2 : 0);")
    path.write_text(text)
    _, report = check(project)
    syntax = with_code(report, "syntax")
    header_line = '"Plural-Forms: nplurals=2; plural=(n > 1 ? 2 : 0);\\n"'
    assert [(f["file"], f["line"]) for f in syntax] == [
        (UI_PO, 1 + text.split("\n").index(header_line))]
    assert "can produce values as large as 2" in syntax[0]["message"]
    assert not msgfmt_accepts(path)


@pytest.mark.parametrize(("front_matter", "line", "expected"), [
    ("title: [Der Hund\n", 2, "not valid YAML: while parsing a flow sequence that starts here"),
    ("title: Der Hund\ndate: 2025-02-30\n", 3, "'date' is not a possible date: 2025-02-30"),
    ("title: Der Hund\ntags: {a: 1}\n", 3, "'tags' must be a list"),
])
def test_syntax_front_matter(project: Path, front_matter: str, line: int, expected: str) -> None:
    (project / "content/de/kaputt.md").write_text(f"---\n{front_matter}---\nText.\n")
    code, report = check(project)
    assert code == 1
    [found] = report["findings"]
    assert (found["code"], found["file"], found["line"]) == ("syntax", "content/de/kaputt.md",
                                                             line)
    assert expected in found["message"]


@pytest.mark.parametrize(("article", "line"), [
    ("---\ntitle: Steuer\n---\nEin Absatz mit \x04 EOT darin.\n", 4),
    ('---\ntitle: "Steuer\\0"\n---\nText.\n', 2),
])
def test_syntax_nul_or_eot_in_an_article_in_every_format(project: Path, article: str,
                                                         line: int) -> None:
    # update cannot write such a text into a catalog; check says where it is,
    # in every format, and a JSON consumer gets its document.
    (project / "content/de/eot.md").write_text(article, encoding="utf-8")
    code, report = check(project)
    assert code == 1
    [found] = report["findings"]
    assert (found["severity"], found["code"], found["file"], found["line"]) == (
        "error", "syntax", "content/de/eot.md", line)
    assert "which a gettext catalog cannot hold" in found["message"]
    code, out, err = run_cli("-C", str(project), "check", "--format", "github")
    assert (code, err) == (1, "")
    assert out.startswith(f"::error file=content/de/eot.md,line={line}::")
    code, out, err = run_cli("-C", str(project), "check")
    assert (code, err) == (1, "")
    assert f"content/de/eot.md:{line}: " in out


def test_whatever_stops_the_plan_of_update_is_a_finding_in_json(project: Path,
                                                                monkeypatch) -> None:
    import bilingual.checks
    from bilingual.errors import CatalogError

    def stopped(config):
        raise CatalogError("cannot be planned", project / "content/de/hund.md", 3)

    monkeypatch.setattr(bilingual.checks, "plan_update", stopped)
    code, report = check(project)
    assert code == 1
    assert [(f["code"], f["file"], f["line"], f["message"]) for f in report["findings"]] == [
        ("syntax", "content/de/hund.md", 3, "cannot be planned")]


# --- slugs: what the build refuses, found before it runs ---------------------------------


def with_slug(root: Path, name: str, slug: str) -> None:
    """Give content/de/NAME.md the front matter `slug: SLUG` (third line) and update."""
    article = root / "content/de" / name
    article.write_text(article.read_text().replace("---\n", f"---\nslug: {slug}\n", 1))
    update(root)


def build_refuses(root: Path) -> str:
    code, _, err = run_cli("-C", str(root), "build")
    assert code == 1
    return err


@pytest.mark.parametrize(("translation", "problem"), [
    ("el perro", "slug 'el perro' must consist of letters, digits"),
    ("el/perro", "slug 'el/perro' would leave its folder"),
    ("../perro", "slug '../perro' would leave its folder"),
    # A folder name: past 255 bytes no file system takes it.
    ("p" * 201, "slug '" + "p" * 40 + "'… is 201 bytes long; 200 is the most"),
    ("index.html", "the es home page writes the file site/es/index.html"),
    ("feed.xml", "the es Atom feed writes the file site/es/feed.xml"),
])
def test_a_translated_slug_the_build_refuses_is_an_error_at_its_entry(
        project: Path, translation: str, problem: str) -> None:
    with_slug(project, "hund.md", "hund")
    line = set_translation(project / HUND_PO, "hund", translation)
    code, report = check(project)
    assert code == 1
    [found] = report["findings"]
    assert (found["code"], found["file"], found["line"]) == ("markup", HUND_PO, line)
    assert problem in found["message"]
    assert f"{HUND_PO}:{line}:" in build_refuses(project)
    assert problem in build_refuses(project)


def test_two_catalogs_translating_their_slugs_to_one_word_collide(project: Path) -> None:
    with_slug(project, "hund.md", "hund")
    with_slug(project, "katze.md", "katze")
    set_translation(project / HUND_PO, "hund", "animal")
    katze_po = "locales/es/LC_MESSAGES/katze.po"
    line = set_translation(project / katze_po, "katze", "animal")
    code, report = check(project)
    assert code == 1
    [found] = report["findings"]
    assert (found["code"], found["file"], found["line"]) == ("markup", katze_po, line)
    assert "would both write site/es/animal/index.html" in found["message"]
    assert "would both write site/es/animal/index.html" in build_refuses(project)


@pytest.mark.parametrize(("slug", "problem"), [
    ('"../x"', "slug '../x' would leave its folder"),
    ("hund", "content/de/hund.md and content/de/katze.md would both write "
             "site/de/hund/index.html"),
])
def test_a_source_slug_the_build_refuses_is_an_error_at_its_field(
        project: Path, slug: str, problem: str) -> None:
    with_slug(project, "katze.md", slug)
    for path in (project / "locales/es/LC_MESSAGES").glob("*.po"):
        edit_catalog(path, fill)  # the slug's new entry, translated as it is
    code, report = check(project)
    assert code == 1
    found = [f for f in report["findings"] if f["file"] == "content/de/katze.md"]
    # A colliding German slug places the Spanish page too (its translation is the same).
    assert {(f["code"], f["line"]) for f in found} == {("syntax", 2)}
    assert problem in found[0]["message"]
    assert problem in build_refuses(project)


# --- markup rules, one by one --------------------------------------------------------

CTX = CatalogContext("x.po", "es", "de")


@pytest.mark.parametrize(("msgid", "msgstr", "problem"), [
    ("Ein [Link](https://a.de/x).", "Un [enlace](https://a.de/x).", None),
    ("Ein [Link](https://a.de/x).", "Un enlace.", "drops the link to https://a.de/x"),
    ("Ein [Link](https://a.de/x).", "Un [enlace](https://a.es/x).",
     "changes the link target https://a.de/x to https://a.es/x"),
    ("Ein Satz.", "Una [frase](https://a.es).", "adds a link to https://a.es"),
    ("Siehe [Katze](katze.md).", "Véase [gato](./tiere/../katze.md#el-gato).", None),
    ("Siehe [Katze](katze.md).", "Véase [gato](/es/gato/).",
     "changes the link target katze.md to /es/gato/"),
    ("Siehe [Katze](tiere/katze.md).", "Véase [gato](tiere/perro.md).",
     "changes the link target tiere/katze.md to tiere/perro.md"),
    ("Siehe [Katze](/de/katze/).", "Véase [gato](katze.md).", None),
    ("Siehe [Katze](/de/katze/).", "Véase [gato](/es/gato/).", None),
    ("Siehe [Katze](/de/katze/).", "Véase [gato](/de/hund/).",
     "changes the link target /de/katze/ to /de/hund/"),
    ("Siehe [Katze](/de/katze/).", "Véase [gato](https://evil.example/).",
     "changes the link target /de/katze/ to https://evil.example/"),
    ("Bild ![Hund](/i/hund.png)", "Imagen ![Perro](/i/hund.png)", None),
    ('![Hund](/i/hund.png "Unser Hund")', '![Perro](/i/hund.png "Nuestro perro")', None),
    ('![Hund](/i/hund.png "Unser Hund")', '![Perro](/i/perro.png "Nuestro perro")',
     "changes the image /i/hund.png to /i/perro.png"),
    ("Bild ![Hund](/i/hund.png)", "Imagen ![Perro](/i/perro.png)",
     "changes the image /i/hund.png to /i/perro.png"),
    ("Mit `pip install` hier.", "Con `pip instalar` aquí.",
     "changes the inline code `pip install` to `pip instalar`"),
    ("Das ist *wichtig*.", "Esto es *importante.", "has 0 emphasis (*…*) where the German has 1"),
    ("Das ist **sehr** wichtig.", "Esto es *muy* importante.",
     "has 0 strong emphasis (**…**) where the German has 1"),
    ("Die <abbr>DSGVO</abbr> gilt.", "El RGPD rige.", "drops the HTML tag <abbr>"),
    ("Text.", "Texto <script>alert(1)</script>.", "contains a <script> element"),
    ("Text.", 'Texto <img src="x.png" onerror="alert(1)">.',
     "contains an event handler attribute onerror="),
    ("Ein [Link](https://a.de).", "Un [enlace](javascript:alert(1)).",
     "contains a javascript: link"),
    ("Text.", '<a href=" JavaScript:alert(1)">Texto</a>.', "contains a javascript: URL in href="),
    ("Text.", " Texto.", "has leading whitespace ' ' that the German does not have"),
    ("Zeile eins\\\nZeile zwei", "Línea uno Línea dos",
     "has 0 hard line break(s) where the German has 1"),
    ("Eine Zelle", "Una | celda", "unescaped | that would split the table cell"),
    ("1. Schritt", "1. Paso", None),
    ("Erste Schritte", "1. Primeros pasos", "changes the block structure"),
])
def test_markup_rules(msgid: str, msgstr: str, problem: str | None) -> None:
    kind = "table cell" if "Zelle" in msgid else "paragraph"
    problems = markdown_problems(msgid, msgstr, CTX, kind)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(("msgid", "msgstr", "strict", "problem"), [
    ("Hello %(name)s", "Hola %(name)s", True, None),
    ("Hello %(name)s", "Hola", True, "drops the placeholder %(name)s"),
    ("Hello {name}", "Hola {nombre}", True, "changes the placeholder {name} to {nombre}"),
    ("%(count)s minute %(count)s minutes", "un minuto", False, None),
    ("%(count)s minute %(count)s minutes", "un %(n)s minuto", False,
     "adds the placeholder %(n)s"),
    ("100 % sure", "100 % seguro", True, None),
    ("von %(author)s", "100 % de %(author)s", True, "mixes named and unnamed directives"),
    ("Read more", "100% más", True, "write %% for a percent sign"),
    ("Read more", "100%% más", True, None),
    ("<b>Hi</b>", "Hola", True, "drops the HTML tag <b>"),
    ("Hi", '<span onclick="x()">Hola</span>', True, "event handler attribute onclick="),
])
def test_ui_rules(msgid: str, msgstr: str, strict: bool, problem: str | None) -> None:
    problems = ui_problems(msgid, msgstr, strict)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_word_diff() -> None:
    assert word_diff("Der Hund schläft im Haus.", "Der Hund schläft im Garten.") == \
        "Der Hund schläft im [-Haus-] {+Garten+}."
    assert word_diff("Ein Satz.", "Ein neuer Satz.") == "Ein {+neuer +}Satz."
    long = " ".join(f"w{i}" for i in range(40))
    diff = word_diff(long + " alt", long + " neu")
    assert diff.startswith("…") and diff.endswith("[-alt-] {+neu+}")
    # A paragraph of 20,000 words, diffed without its common ends (difflib
    # without junk is quadratic in the thousands of spaces between them).
    words = [f"w{i}" for i in range(20000)]
    edited = [*words[:5], "neu", *words[6:]]
    assert word_diff(" ".join(words), " ".join(edited)) == \
        "w0 w1 w2 w3 w4 [-w5-] {+neu+} w6 w7 w8 w9 w10 w11…"


# --- syntax: msgfmt -c as the oracle for format strings and line breaks ----------------

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n')

FORMAT_CASES = [
    ("python-format", "%(n)s minute", "%(n)s minutes", ["un minuto", "%(n)s minutos"]),
    ("python-format", "%d file", "%d files", ["un archivo", "%d archivos"]),
    ("c-format", "%d file", "%d files", ["un archivo", "%d archivos"]),
    ("c-format", "%d file", "%d files", ["%d archivo", "archivos"]),
    ("c-format", "%d items of %s", None, ["%s de %d"]),
    ("c-format", "%2$s %1$d", None, ["%1$d %2$s"]),
    ("c-format", "%2$s %1$d", None, ["%1$s %2$d"]),
    ("c-format", "%s: %m", None, ["%s: %m"]),
    ("c-format", "%5.2f%%", None, ["%5.2f %%"]),
    ("c-format", "%ld", None, ["%d"]),
    ("c-format", "%*d", None, ["%d"]),
    ("python-format", "%(a)s and %(b)d", None, ["%(a)s y %(b)s"]),
    ("python-format", "%(a)s x", None, ["x"]),
    ("python-format", "%(a)s y", None, ["%(a)s %(c)s y"]),
    ("python-format", "100%% sure %s", None, ["seguro %s al 100%%"]),
    ("python-format", "%s and %s", None, ["%s y %r"]),
    ("python-format", "%f and %s", None, ["%d y %s"]),
    ("python-format", "%(a)s q", None, ["%(a)s q %"]),
    ("python-format", "%(a)s z %", None, ["%(a)s z"]),
    ("python-format", "%(a)s", None, ["%s"]),
    ("python-format", "%c, %s", None, ["%s, %s"]),
    ("python-brace-format", "{a} and {b}", None, ["{a} y {c}"]),
    ("python-brace-format", "{n} file", "{n} files", ["un archivo", "{n} archivos"]),
    ("python-brace-format", "{n} file", "{n} files", ["{n} archivo", "archivos"]),
    ("python-brace-format", "{0} of {1}", None, ["{1} de {0}"]),
    ("python-brace-format", "{name!r:>10}", None, ["{name}"]),
    ("python-brace-format", "{a}", None, ["{a"]),
    ("python-brace-format", "{a.b} {c[0]}", None, ["{c[1]} {a.x}"]),
    ("", "Hallo\n", None, ["Hola"]),
    ("", "\nHallo", None, ["\nHola"]),
    ("", "Ein\n", "Zwei\n", ["Uno\n", "Dos"]),
    ("no-c-format", "%d", None, ["x"]),
    ("fuzzy, c-format", "%d", None, ["x"]),
]


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"') + '"'


@pytest.mark.parametrize(("flags", "msgid", "plural", "msgstrs"), FORMAT_CASES)
def test_format_checks_agree_with_msgfmt(tmp_path: Path, flags: str, msgid: str,
                                         plural: str | None, msgstrs: list[str]) -> None:
    text = HEADER + (f"#, {flags}\n" if flags else "") + f"msgid {_po_string(msgid)}\n"
    if plural is None:
        text += f"msgstr {_po_string(msgstrs[0])}\n"
    else:
        text += f"msgid_plural {_po_string(plural)}\n" + "".join(
            f"msgstr[{i}] {_po_string(s)}\n" for i, s in enumerate(msgstrs))
    path = tmp_path / "x.po"
    path.write_text(text)
    po = parse_catalog(text, path)
    ctx = CatalogContext("x.po", "es", "de", plural=parse_plural_forms(
        po.metadata["Plural-Forms"]))
    findings = [f for entry in po for f in check_format(entry, ctx)]
    assert (not findings) == msgfmt_accepts(path), findings


# --- a real catalog: a package's Spanish .po -------------------------------------------


def _real_catalogs() -> list[Path]:
    try:
        import humanize
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("humanize (in the test extra) is not installed")
        pytest.skip("humanize is not installed")
    found = sorted(Path(humanize.__file__).parent.glob("locale/es*/LC_MESSAGES/*.po"))
    assert found, "humanize ships no Spanish .po file any more"
    return [*found, CASES / "obsolete_and_contexts.po"]


def test_real_spanish_catalogs_have_no_false_syntax_findings() -> None:
    for path in _real_catalogs():
        po = read_catalog(path)
        plural = parse_plural_forms(po.metadata["Plural-Forms"])
        ctx = CatalogContext(path.name, "es", "en", ui=True, plural=plural)
        findings = check_catalog(po, ctx, path.read_text(encoding="utf-8"))
        assert [f for f in findings if f.code in ("syntax", "markup")] == [], path
        # The file has what we claim to cope with.
        assert any(e.msgid_plural for e in po) and any(e.msgctxt for e in po), path
        assert msgfmt_accepts(path), path
    obsolete = [e for e in read_catalog(CASES / "obsolete_and_contexts.po") if e.obsolete]
    assert obsolete


# --- output formats ------------------------------------------------------------------

REPORT = CheckReport((
    Finding("error", "missing", "locales/es/LC_MESSAGES/a.po", 12, 'not translated yet: "Hallo"'),
    Finding("warning", "obsolete", "locales/es/LC_MESSAGES/a.po", 40, 'obsolete entry "Alt"'),
    Finding("error", "stale", "content/de/x,y:z.md", None, "100% new\nline"),
), catalogs=2, articles=3)


def test_text_format_groups_by_file() -> None:
    assert format_text(REPORT) == (
        'locales/es/LC_MESSAGES/a.po:12: error: not translated yet: "Hallo" [missing]\n'
        'locales/es/LC_MESSAGES/a.po:40: warning: obsolete entry "Alt" [obsolete]\n'
        "\n"
        "content/de/x,y:z.md: error: 100% new\nline [stale]\n"
        "\n"
        "2 errors, 1 warning in 2 catalogs and 3 articles\n")


def test_text_format_colours() -> None:
    coloured = format_text(REPORT, color=True)
    assert "\x1b[31m" in coloured and "\x1b[33m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == format_text(REPORT)
    assert use_color("text", True, {})
    assert not use_color("text", True, {"NO_COLOR": "1"})
    assert use_color("text", True, {"NO_COLOR": ""})
    assert not use_color("text", False, {})
    assert not use_color("text", True, {"TERM": "dumb"})
    assert use_color("text", True, {"TERM": "xterm-256color"})
    assert not use_color("json", True, {})


def test_github_format_line_by_line() -> None:
    assert format_github(REPORT).split("\n") == [
        '::error file=locales/es/LC_MESSAGES/a.po,line=12::not translated yet: "Hallo" [missing]',
        '::warning file=locales/es/LC_MESSAGES/a.po,line=40::obsolete entry "Alt" [obsolete]',
        "::error file=content/de/x%2Cy%3Az.md::100%25 new%0Aline [stale]",
        "2 errors, 1 warning in 2 catalogs and 3 articles",
        "",
    ]
    assert escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"


def test_github_format_from_the_command(project: Path) -> None:
    line = set_translation(project / HUND_PO, "Der Hund", "")
    code, out, _ = run_cli("-C", str(project), "check", "--format", "github")
    assert code == 1
    assert out.split("\n") == [
        f'::error file={HUND_PO},line={line}::not translated yet: "Der Hund" [missing]',
        "1 error, 0 warnings in 3 catalogs and 2 articles",
        "",
    ]


def _documented_fields(marker: str) -> list[str]:
    text = (REPO / "docs" / "check.md").read_text(encoding="utf-8")
    table = text.split(f"<!-- fields:{marker} -->", 1)[1].strip().split("\n\n", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\| `(\w+)` \|", table, re.M)]


def test_json_output_matches_documented_fields(project: Path) -> None:
    set_translation(project / HUND_PO, "Der Hund", "")
    (project / "content/de/katze.md").unlink()
    _, report = check(project)
    assert set(report) == {"findings", "summary"}
    finding_fields = _documented_fields("finding")
    assert finding_fields == ["severity", "code", "file", "line", "message"]
    for found in report["findings"]:
        assert list(found) == finding_fields
        assert found["severity"] in ("error", "warning")
        assert found["code"] in CHECK_CODES
        assert isinstance(found["file"], str) and isinstance(found["message"], str)
        assert found["line"] is None or (isinstance(found["line"], int) and found["line"] > 0)
    summary = report["summary"]
    assert list(summary) == _documented_fields("summary")
    assert list(summary["by_code"]) == list(CHECK_CODES)
    assert summary["errors"] == sum(f["severity"] == "error" for f in report["findings"])
    assert sum(summary["by_code"].values()) == len(report["findings"])


def test_text_is_the_default_format(project: Path) -> None:
    line = set_translation(project / HUND_PO, "Der Hund", "")
    code, out, _ = run_cli("-C", str(project), "check")
    assert code == 1
    assert out.startswith(f'{HUND_PO}:{line}: error: not translated yet: "Der Hund" [missing]\n')
    assert "\x1b[" not in out


# --- exit codes, policy, languages ----------------------------------------------------


def test_exit_codes(project: Path, tmp_path: Path) -> None:
    assert run_cli("-C", str(project), "check")[0] == 0
    assert run_cli("-C", str(project), "check", "--lang", "fr")[0] == 2
    assert run_cli("-C", str(project), "check", "--format", "xml")[0] == 2
    assert run_cli("-C", str(project), "check", "--site", str(tmp_path / "nowhere"))[0] == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("-C", str(empty), "check")[0] == 2
    set_translation(project / HUND_PO, "Der Hund", "")
    assert run_cli("-C", str(project), "check")[0] == 1


def test_exit_codes_through_python_m(project: Path) -> None:
    run = subprocess.run(["python", "-m", "bilingual", "-C", str(project), "check", "--format",
                          "json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["summary"]["errors"] == 0
    set_translation(project / HUND_PO, "Der Hund", "")
    run = subprocess.run(["python", "-m", "bilingual", "-C", str(project), "check"],
                         capture_output=True, text=True)
    assert run.returncode == 1


@pytest.mark.parametrize(("policy", "severity", "exit_code", "ignored"), [
    ('[check]\nwarnings = ["obsolete", "missing"]\n', "warning", 0, 0),
    ('[check.es]\nignore = ["missing"]\n', None, 0, 1),
    ('[check]\nignore = ["missing"]\n[check.es]\nignore = []\n', "error", 1, 0),
])
def test_policy(tmp_path: Path, policy: str, severity: str | None, exit_code: int,
                ignored: int) -> None:
    project = make_project(tmp_path / "p", extra=policy)
    set_translation(project / HUND_PO, "Der Hund", "")
    code, report = check(project)
    assert code == exit_code
    assert [f["severity"] for f in report["findings"]] == ([severity] if severity else [])
    assert report["summary"]["ignored"] == ignored


def test_lang_restricts_the_languages(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", targets=("es", "ca"))
    set_translation(project / "locales/ca/LC_MESSAGES/hund.po", "Der Hund", "")
    assert check(project, "--lang", "es") == (0, check(project, "--lang", "es")[1])
    code, report = check(project, "--lang", "ca")
    assert code == 1
    # The Catalan catalogs hold the Spanish test translations: their link to the
    # Spanish page is rightly a markup error. Nothing of Spanish is reported.
    assert {f["file"] for f in report["findings"]} == {"locales/ca/LC_MESSAGES/hund.po",
                                                      "locales/ca/LC_MESSAGES/katze.po"}
    assert check(project)[0] == 1


def test_handwritten_translation_needs_no_catalog_translations(project: Path) -> None:
    set_translation(project / HUND_PO, "Der Hund", "")
    (project / "content/es").mkdir()
    (project / "content/es/perro.md").write_text(
        "---\ntitle: El perro\ntranslation_of: hund.md\n---\nEl perro.\n")
    code, report = check(project)
    assert (code, report["findings"]) == (0, [])
    assert report["summary"]["articles"] == 3


# --- --site ---------------------------------------------------------------------------

BASE = "https://www.example.com"


def page(lang: str | None, alternates: dict[str, str], body: str = "") -> str:
    links = "\n".join(f'<link rel="alternate" hreflang="{code}" href="{href}">'
                      for code, href in alternates.items())
    html_lang = f' lang="{lang}"' if lang else ""
    return (f"<!doctype html>\n<html{html_lang}>\n<head>\n{links}\n"
            f'<link rel="stylesheet" href="/style.css">\n</head>\n<body>\n{body}\n</body>\n'
            "</html>\n")


def write_site(root: Path, pages: dict[str, str]) -> Path:
    for name, text in {**pages, "style.css": "", "images/hund.png": ""}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


GROUP = {"de": f"{BASE}/de/hund/", "es": f"{BASE}/es/perro/", "x-default": f"{BASE}/de/hund/"}


def good_site() -> dict[str, str]:
    return {
        "de/hund/index.html": page("de", GROUP, '<a href="../katze/">Katze</a>\n'
                                   '<img src="/images/hund.png" alt="">\n'
                                   '<a href="https://elsewhere.example/x">x</a>\n'
                                   '<a href="#top">top</a> <a href="mailto:a@b.c">m</a>'),
        "es/perro/index.html": page("es", GROUP, f'<a href="{BASE}/de/hund/">de</a>'),
        "de/katze/index.html": page("de", {}),
        "index.html": page("de", {}, '<a href="/de/hund/">Hund</a>'),
    }


def site_findings(project: Path, site: Path) -> tuple[int, list[dict]]:
    code, report = check(project, "--site", str(site))
    assert report["summary"]["pages"] == len(list(site.rglob("*.html")))
    return code, report["findings"]


def test_site_clean(project: Path, tmp_path: Path) -> None:
    assert site_findings(project, write_site(tmp_path / "site", good_site())) == (0, [])


def test_site_defects(project: Path, tmp_path: Path) -> None:
    pages = good_site()
    pages["de/katze/index.html"] = page(None, {}, '<p>\n<a href="/de/fehlt/">weg</a>\n'
                                        '<img src="../../images/fehlt.png" alt=""></p>')
    pages["es/perro/index.html"] = page("es", {"es": f"{BASE}/es/perro/",
                                               "de": "/de/hund/"})
    code, findings = site_findings(project, write_site(tmp_path / "site", pages))
    assert code == 1
    shown = [(f["code"], f["file"], f["line"], f["message"]) for f in findings]
    assert shown == [
        ("site", str(tmp_path / "site/de/hund/index.html"), 5,
         f'hreflang="es" link to {BASE}/es/perro/ is not reciprocal: that page has no '
         f"hreflang link back to {BASE}/de/hund/"),
        ("site", str(tmp_path / "site/de/katze/index.html"), 2,
         'the page has no <html lang="...">; screen readers and search engines need its '
         "language"),
        ("site", str(tmp_path / "site/de/katze/index.html"), 9,
         "internal link /de/fehlt/ points at a missing file"),
        ("site", str(tmp_path / "site/de/katze/index.html"), 10,
         "internal link ../../images/fehlt.png points at a missing file"),
        ("site", str(tmp_path / "site/es/perro/index.html"), 5,
         'hreflang="de" link to /de/hund/ is not an absolute URL (https://...)'),
    ]


def test_site_link_to_a_section_the_page_does_not_have(project: Path, tmp_path: Path) -> None:
    pages = good_site()
    pages["de/hund/index.html"] = page("de", GROUP, (
        '<h2 id="fell">Fell</h2> <h2 id="\u00fcber">Über</h2> <a name="alt"></a>\n'
        '<a href="#fell">a</a> <a href="#%C3%BCber">b</a> <a href="../katze/#">c</a>\n'
        '<a href="/de/hund/index.html#alt">d</a> <a href="https://elsewhere.example/#x">e</a>\n'
        '<a href="#krallen">f</a> <a href="../katze/#fell">g</a> <a href="#Fell">h</a>\n'
        '<a href="/de/fehlt/#fell">i</a>'))
    code, findings = site_findings(project, write_site(tmp_path / "site", pages))
    assert code == 1
    hund, katze = (str(tmp_path / "site" / name / "index.html") for name in ("de/hund", "de/katze"))
    assert [(f["file"], f["line"], f["message"]) for f in findings] == [
        (hund, 13, "internal link #krallen points at a section this page does not have: no "
                   "element has the id 'krallen'"),
        (hund, 13, f"internal link ../katze/#fell points at a section {katze} does not have: "
                   "no element has the id 'fell'"),
        (hund, 13, "internal link #Fell points at a section this page does not have: no "
                   "element has the id 'Fell'"),
        # A page that is missing is reported as such, not for its sections.
        (hund, 14, "internal link /de/fehlt/#fell points at a missing file"),
    ]


def test_site_og_image_to_a_missing_file(project: Path, tmp_path: Path) -> None:
    # The build warns about an `image` field naming no file; a built site
    # checked on its own must say the same.
    pages = good_site()
    pages["de/katze/index.html"] = page("de", {}, (
        f'<meta property="og:image" content="{BASE}/images/hund.png">\n'
        '<meta property="og:image" content="https://cdn.example.org/x.png">'))
    assert site_findings(project, write_site(tmp_path / "good", pages)) == (0, [])
    pages["de/katze/index.html"] = page("de", {}, (
        f'<meta property="og:image" content="{BASE}/images/fehlt.png">'))
    _, findings = site_findings(project, write_site(tmp_path / "bad", pages))
    assert [(f["line"], f["message"]) for f in findings] == [
        (8, f"internal link {BASE}/images/fehlt.png points at a missing file")]


def test_site_hreflang_to_missing_page_and_wrong_language(project: Path, tmp_path: Path) -> None:
    pages = good_site()
    group = {**GROUP, "ca": f"{BASE}/ca/gos/"}
    pages["de/hund/index.html"] = page("de", group)
    pages["es/perro/index.html"] = page("ca", group)
    _, findings = site_findings(project, write_site(tmp_path / "site", pages))
    messages = [f["message"] for f in findings]
    assert f'hreflang="ca" link to {BASE}/ca/gos/ points at a missing page' in messages
    assert f"hreflang=\"es\" link to {BASE}/es/perro/ names a page whose <html lang> is 'ca'" \
        in messages


def test_site_language_chooser_and_group_without_itself(project: Path, tmp_path: Path) -> None:
    pages = good_site()
    chooser = {"de": f"{BASE}/de/", "es": f"{BASE}/es/", "x-default": f"{BASE}/"}
    pages["index.html"] = page("de", chooser)
    pages["de/index.html"] = page("de", chooser)
    pages["es/index.html"] = page("es", chooser)
    assert site_findings(project, write_site(tmp_path / "good", pages)) == (0, [])
    pages["de/katze/index.html"] = page("de", {"es": f"{BASE}/es/perro/"})
    _, findings = site_findings(project, write_site(tmp_path / "bad", pages))
    assert f"the hreflang group does not include the page itself ({BASE}/de/katze/)" in [
        f["message"] for f in findings]


def test_site_language_tags(project: Path, tmp_path: Path) -> None:
    """gettext's `pt_BR` is no language tag; `pt-BR` is, in any case."""
    group = {**GROUP, "pt-BR": f"{BASE}/pt_BR/cao/"}
    pages = {**good_site(), "de/hund/index.html": page("de", group),
             "es/perro/index.html": page("es", group), "pt_BR/cao/index.html": page("PT-br", group)}
    assert site_findings(project, write_site(tmp_path / "good", pages)) == (0, [])
    group = {**GROUP, "pt_BR": f"{BASE}/pt_BR/cao/"}
    pages = {**good_site(), "de/hund/index.html": page("de", group),
             "es/perro/index.html": page("es", group), "pt_BR/cao/index.html": page("pt_BR", group)}
    code, findings = site_findings(project, write_site(tmp_path / "bad", pages))
    assert code == 1
    shown = [(f["file"].split("/bad/")[1], f["line"], f["message"]) for f in findings]
    not_a_tag = (f'hreflang="pt_BR" link to {BASE}/pt_BR/cao/: \'pt_BR\' is not a BCP 47 '
                 "language tag (such as pt-BR); search engines ignore it")
    assert shown == [
        ("de/hund/index.html", 7, not_a_tag),
        ("es/perro/index.html", 7, not_a_tag),
        ("pt_BR/cao/index.html", 2, '<html lang="pt_BR"> is not a BCP 47 language tag (such as '
         "pt-BR)"),
        ("pt_BR/cao/index.html", 7, not_a_tag),
    ]


def test_site_language_tags_on_links_and_blocks(project: Path, tmp_path: Path) -> None:
    # The switcher's `<a hreflang>` and a draft's `lang` on a block were not
    # checked, though check.md says every hreflang is.
    body = (f'<a href="{BASE}/es/perro/" hreflang="es" lang="es">Español</a>\n'
            '<p lang="">?</p>\n<p lang="de-AT">Servus</p>')
    pages = {**good_site(), "de/hund/index.html": page("de", GROUP, body)}
    assert site_findings(project, write_site(tmp_path / "good", pages)) == (0, [])
    body = (f'<a href="{BASE}/es/perro/" hreflang="es_ES" lang="es">Español</a>\n'
            '<p lang="de_AT">Servus</p>')
    pages = {**good_site(), "de/hund/index.html": page("de", GROUP, body)}
    code, findings = site_findings(project, write_site(tmp_path / "bad", pages))
    assert code == 1
    assert [(f["line"], f["message"]) for f in findings] == [
        (10, 'hreflang="es_ES" is not a BCP 47 language tag (such as pt-BR)'),
        (11, 'lang="de_AT" is not a BCP 47 language tag (such as pt-BR)')]


def test_findings_name_files_from_the_project_root_through_links(tmp_path, monkeypatch):
    # A linked file is named as written, not as the file it leads to; a root
    # reached through a link of its own names the resolved files inside it;
    # a file outside the project keeps its whole path; a relative path is
    # taken from the working folder.
    from types import SimpleNamespace

    real = tmp_path / "real"
    (real / "content" / "de").mkdir(parents=True)
    article = real / "content" / "de" / "a.md"
    article.write_text("# A\n", encoding="utf-8")
    (real / "content" / "de" / "b.md").symlink_to(article)
    (tmp_path / "link").symlink_to(real)
    outside = tmp_path / "outside.md"
    for root in (real, tmp_path / "link"):
        config = SimpleNamespace(root=root)
        assert display_path(config, root / "content/de/b.md") == "content/de/b.md"
        assert display_path(config, article) == "content/de/a.md"
        assert display_path(config, outside) == outside.as_posix()
    monkeypatch.chdir(real / "content")
    assert display_path(SimpleNamespace(root=real), Path("de/a.md")) == "content/de/a.md"


@pytest.mark.parametrize(("msgstr", "problem"), [
    # A title is shown as written: no list starts in it.
    ("1. Primeros pasos", None),
    ("La *doc*", "has 1 emphasis"),
    ("La documentación ", "has trailing whitespace ' '"),
])
def test_a_link_title_is_checked_as_text(msgstr: str, problem: str | None) -> None:
    problems = markdown_problems("Die Dokumentation", msgstr, CTX, "link title")
    assert problems == ([] if problem is None else [p for p in problems if problem in p])
    assert problem is None or problems


@pytest.mark.parametrize("kind", ["title", "description", "tag", "title, tag"])
def test_a_front_matter_text_about_html_may_keep_its_words(kind: str) -> None:
    # The pages escape a title: `<script>` in it is words, and the faithful
    # translation failed the CI gate with no way to pass it.
    assert markdown_problems("Das <script>-Element erklärt", "El elemento <script> explicado",
                             CTX, kind) == []


def test_a_front_matter_text_still_keeps_its_msgids_markup() -> None:
    assert markdown_problems("Das Element", "El <b>elemento</b>", CTX, "title") == [
        "adds the HTML tag <b>", "adds the HTML tag </b>"]
    # As a paragraph too, the same text is Markdown whose HTML runs.
    assert "contains a <script> element" in markdown_problems(
        "Das <script>-Element", "El <script>-elemento", CTX, "title, paragraph")


def test_site_of_articles_named_with_hash_or_question_mark_is_clean(tmp_path: Path) -> None:
    # `c#.md` is served at `de/c%23/`: read from its folder's name unencoded,
    # its URL ended at the `#`, and every built page of it had false errors.
    root = tmp_path / "project"
    (root / "content/de").mkdir(parents=True)
    (root / "bilingual.toml").write_text(
        '[site]\ntitle = "T"\nbase_url = "https://www.example.com"\n'
        'source_language = "de"\ntarget_languages = ["es"]\n', encoding="utf-8")
    for name in ("c#.md", "frage?.md", "start.md"):
        (root / "content/de" / name).write_text(
            "---\ntitle: C\ndate: 2026-01-02\n---\nSiehe [C#](c%23.md) und [Frage](frage%3F.md).\n",
            encoding="utf-8")
    assert run_cli("-C", str(root), "update", "-q")[0] == 0
    for name in ("c#.po", "frage?.po", "start.po"):
        edit_catalog(root / "locales/es/LC_MESSAGES" / name,
                     lambda po: [setattr(e, "msgstr", e.msgid) for e in po])
    site = tmp_path / "site"
    assert run_cli("-C", str(root), "build", "-q", "--output", str(site))[0] == 0
    assert (site / "es/c#/index.html").is_file() and (site / "de/frage?/index.html").is_file()
    assert [f for f in site_findings(root, site)[1] if f["code"] == "site"] == []


@pytest.mark.parametrize("unreadable", ["content/de/hund.md", HUND_PO])
def test_a_file_that_cannot_be_read_is_a_finding_of_every_command(project: Path, monkeypatch,
                                                                   unreadable: str) -> None:
    # A permission denied ended each command with the OSError and the file's
    # absolute path: check printed no JSON for the CI step parsing it.
    locked = (project / unreadable).resolve()
    read_bytes = Path.read_bytes

    def denied(path: Path) -> bytes:
        if path.resolve() == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", denied)
    what = "cannot read catalog" if unreadable.endswith(".po") else "cannot read"
    code, report = check(project)
    assert code == 1
    assert [(f["code"], f["file"], f["message"]) for f in with_code(report, "syntax")] == [
        ("syntax", unreadable, f"{what}: Permission denied")]
    for command in ("update", "status", "build"):
        code, _, err = run_cli("-C", str(project), command)
        assert code == 1 and f"{unreadable}: {what}: Permission denied" in err, (command, err)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert (project / unreadable).read_bytes()  # nothing written over it


def test_an_article_saved_with_decomposed_letters_keeps_its_translations(project: Path) -> None:
    # A Mac tool saved the article with `ü` as `u` + U+0308 (NFD): every
    # segment with an umlaut was new, its translation fuzzy or obsolete, old
    # and new text looking the same, and the Spanish page was held back.
    article = project / "content/de/hund.md"
    article.write_text(unicodedata.normalize("NFD", article.read_text(encoding="utf-8")),
                       encoding="utf-8")
    from bilingual.gather import gather

    gathered = gather(load_config(project), drafts=False)
    assert not [h for h in gathered.held_back if h.source == "content/de/hund.md"]
    spanish = next(a for a in gathered.articles if a.ref.key == "hund.md" and a.page.lang == "es")
    assert spanish.untranslated == 0
    code, report = check(project)
    [stale] = with_code(report, "stale")
    assert (stale["file"], code) == (HUND_PO, 1)
    assert "with their letters composed otherwise (Unicode NFC, NFD" in stale["message"]
    assert "the translations still apply" in stale["message"]
    before = {e.msgid: e.msgstr for e in polib.pofile(str(project / HUND_PO)) if e.msgstr}
    update(project)
    after = polib.pofile(str(project / HUND_PO))
    assert not [e for e in after if "fuzzy" in e.flags or e.obsolete]
    composed = {unicodedata.normalize("NFC", e.msgid): e.msgstr for e in after if e.msgstr}
    assert composed == before
    assert with_code(check(project)[1], "stale") == []
