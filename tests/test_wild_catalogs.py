"""Catalogs from the wild: what Poedit, Weblate, Lokalize, Windows editors and
other projects write is read correctly and keeps every translation through
`update`, or is refused with `file:line: message` and left byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

from bilingual.catalog import decode_catalog, format_catalog, parse_catalog, read_catalog
from bilingual.cli import cli
from bilingual.config import load_config
from bilingual.errors import CatalogError
from bilingual.update import apply_plan, plan_update
from tests.conftest import msgfmt_check

WILD = Path(__file__).parent / "fixtures_wild"
LONG = ("Wer in Spanien ein Unternehmen gründet, braucht eine Steuernummer (NIE und NIF), ein "
        "Konto bei einer spanischen Bank, eine notarielle Urkunde und die Eintragung im "
        "Handelsregister, was zusammen selten weniger als sechs Wochen dauert und ohne einen "
        "Berater vor Ort kaum zu schaffen ist.")
ARTICLE = f"""---
title: Markteintritt in Spanien
slug: markteintritt-in-spanien
tags: [Recht]
---
## Die Gründung

Die S.L. ist die häufigste Rechtsform.

{LONG}
"""
CATALOGS = "locales/es/LC_MESSAGES"


def translations(catalog: polib.POFile) -> dict[tuple, tuple]:
    """(msgctxt, msgid, obsolete?) -> (translation forms, fuzzy?) of every translated entry."""
    found = {}
    for entry in catalog:
        forms = (entry.msgstr,) if not entry.msgid_plural else tuple(
            entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        if any(forms):
            found[(entry.msgctxt, entry.msgid)] = (forms, "fuzzy" in entry.flags)
    return found


def assert_every_translation_kept(before: polib.POFile, after: polib.POFile) -> None:
    """An entry still in the catalog (live or obsolete) has the same translation and
    fuzzy state; one that is gone lent its translation to a fuzzy entry, as msgmerge does."""
    now = translations(after)
    texts = {forms for forms, _fuzzy in now.values()}
    for key, (forms, fuzzy) in translations(before).items():
        if key in now:
            assert now[key] == (forms, fuzzy), key
        else:
            assert forms in texts, key


def update(root: Path, monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(root)  # `-C` changes the directory; give it back afterwards
    done = CliRunner().invoke(cli, ["-C", str(root), "update"])
    return done.exit_code, done.output


@pytest.fixture
def project(make_project):
    return make_project({"content/de/wild.md": ARTICLE})


@pytest.mark.parametrize(("fixture", "target"), [
    ("poedit_crlf_bom.po", "wild.po"),
    ("weblate_long_lines.po", "wild.po"),
    ("lokalize_contexts.po", "wild.po"),
    ("latin1.po", "wild.po"),
    ("no_header.po", "wild.po"),
    ("no_content_type.po", "wild.po"),
    ("ui_nplurals_3.po", "_ui.po"),
    # Read with msgfmt's nplurals=2, as msginit leaves a language it knows no
    # rule for; update adds the language's rule.
    ("ui_plural_without_plural_forms.po", "_ui.po"),
])
def test_catalog_from_the_wild_keeps_every_translation_through_update(project, monkeypatch,
                                                                       fixture, target):
    source = WILD / fixture
    before = read_catalog(source)
    path = project / CATALOGS / target
    path.parent.mkdir(parents=True)
    shutil.copyfile(source, path)
    code, output = update(project, monkeypatch)
    assert code == 0, output
    after = read_catalog(path)
    # Every translation is still there, the same text and the same fuzzy state,
    # whether its entry is still used or became obsolete.
    assert_every_translation_kept(before, after)
    # The translators' header fields survive; only the charset becomes UTF-8.
    for field, value in before.metadata.items():
        if field != "Content-Type":
            assert after.metadata[field] == value
    assert after.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert after.header == before.header or not before.header
    data = path.read_bytes()
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
    assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr
    assert update(project, monkeypatch)[0] == 0
    assert path.read_bytes() == data  # a second update changes nothing


def test_crlf_bom_and_latin1_read_as_gettext_reads_them():
    crlf = read_catalog(WILD / "poedit_crlf_bom.po")
    assert crlf.metadata["X-Generator"] == "Poedit 3.4.2"
    assert crlf.header.startswith("Spanish translation")
    assert [e.tcomment for e in crlf][2] == "Revisar con el despacho."
    assert not any("\r" in e.msgid + e.msgstr for e in crlf)
    latin1 = read_catalog(WILD / "latin1.po")
    assert [(e.msgid, e.msgstr) for e in latin1] == [
        ("Markteintritt in Spanien", "Entrada al mercado en España"),
        ("Die Gründung", "La constitución")]


def test_previous_fields_and_obsolete_contexts_survive_unchanged():
    text = (WILD / "weblate_long_lines.po").read_text(encoding="utf-8")
    catalog = parse_catalog(text, "weblate_long_lines.po")
    fuzzy = next(e for e in catalog if "fuzzy" in e.flags and not e.obsolete)
    assert fuzzy.previous_msgid == "Die S.L. ist die seltenste Rechtsform."
    gone = [e for e in catalog if e.obsolete]
    assert [(e.msgctxt, e.msgid, e.previous_msgid) for e in gone] == [
        ("slug", "markteintritt", None), (None, "Ein gestrichener Satz.", "Ein alter Satz.")]
    written = format_catalog(catalog)
    assert '#~ msgctxt "slug"' in written and '#~| msgid "Ein alter Satz."' in written
    # The long line is wrapped at 79 columns as msgcat does; the text is the same.
    assert max(len(line) for line in written.splitlines()) <= 79
    assert [(e.msgctxt, e.msgid, e.msgstr) for e in parse_catalog(written, "x.po")] == [
        (e.msgctxt, e.msgid, e.msgstr) for e in catalog]


@pytest.mark.parametrize(("fixture", "target", "line", "message"), [
    ("duplicate.po", "wild.po", 12, "duplicate message definition (first defined at line 6)"),
    ("undeclared_latin1.po", "wild.po", 7, "invalid utf-8 byte sequence"),
    # Notepad's "Unicode" (UTF-16 with a byte order mark), and UTF-16 without
    # one: was "invalid utf-8 byte sequence b'\xff'", as if a byte were damaged.
    ("notepad_utf16.po", "wild.po", 1, "UTF-16 text; save it as UTF-8"),
    ("utf16_without_bom.po", "wild.po", 1, "UTF-16 text; save it as UTF-8"),
    ("ui_plural_count_mismatch.po", "_ui.po", 10,
     "plural entry has 3 msgstr[N] forms, but the header says nplurals=2"),
])
def test_broken_catalog_is_refused_with_file_and_line_and_left_untouched(
        project, monkeypatch, fixture, target, line, message):
    path = project / CATALOGS / target
    path.parent.mkdir(parents=True)
    shutil.copyfile(WILD / fixture, path)
    before = path.read_bytes()
    code, output = update(project, monkeypatch)
    assert code == 1
    assert f"{CATALOGS}/{target}:{line}: {message}" in output
    assert path.read_bytes() == before
    with pytest.raises(CatalogError) as raised:
        parse_catalog(decode_catalog(before, fixture), fixture)
    assert raised.value.format_message().startswith(f"{fixture}:{line}: ")


# --------------------------------------------------------------------------- other projects' catalogs


def installed_catalogs() -> list[Path]:
    """Catalogs shipped by installed Python packages (humanize, in the test extra)."""
    humanize = pytest.importorskip("humanize")
    found = sorted(Path(humanize.__file__).parent.rglob("*.po"))
    assert len(found) > 20
    return found


def test_installed_catalogs_include_contexts_plurals_and_obsolete_entries():
    catalogs = [read_catalog(p) for p in installed_catalogs()]
    assert any(e.msgctxt for c in catalogs for e in c)
    assert any(e.msgid_plural for c in catalogs for e in c)
    assert any(e.obsolete for c in catalogs for e in c)
    assert {len(e.msgstr_plural) for c in catalogs for e in c if e.msgid_plural} >= {1, 2, 3, 4}


@pytest.mark.parametrize("path", installed_catalogs(), ids=lambda p: p.parent.parent.name)
def test_installed_catalog_round_trips_through_parser_and_writer(path):
    catalog = read_catalog(path)
    text = format_catalog(catalog)
    again = parse_catalog(text, path)
    assert format_catalog(again) == text
    assert translations(again) == {k: v for k, v in translations(catalog).items()}
    assert again.metadata == catalog.metadata


@pytest.mark.parametrize("language", ["el_GR", "sl_SI", "ar", "ko_KR"])
@pytest.mark.parametrize("target", ["_ui.po", "wild.po"])
def test_installed_catalog_keeps_every_translation_through_update(project, language, target):
    source = next(p for p in installed_catalogs() if p.parent.parent.name == language)
    path = project / CATALOGS / target
    path.parent.mkdir(parents=True)
    shutil.copyfile(source, path)
    before = read_catalog(source)
    plan = plan_update(load_config(project))
    assert plan.errors == ()
    apply_plan(plan)
    after = read_catalog(path)  # and it still parses, plural counts included
    assert_every_translation_kept(before, after)
    assert after.metadata["Plural-Forms"] == before.metadata["Plural-Forms"]
    assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr
