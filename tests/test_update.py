"""`bilingual update` end to end: the translator's view of a changing article."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import polib
import pytest
from click.testing import CliRunner

import bilingual.update
from bilingual.catalog import _plain_entries, format_catalog, read_catalog
from bilingual.cli import cli
from bilingual.config import load_config
from bilingual.update import apply_plan, plan_update
from tests.conftest import gettext_tool, msgfmt_check

ARTICLE = """---
title: Markteintritt in Spanien
description: Was Unternehmen wissen müssen.
date: 2025-09-15
tags: [Spanien, Recht]
---
## Die Gründung

Die S.L. ist die häufigste Rechtsform.
Sie braucht wenig Kapital.

- Steuernummer beantragen
- Konto eröffnen

Ein Satz, der gleich bleibt.
"""

EDITED = """---
title: Markteintritt in Spanien
description: Was Unternehmen wissen müssen.
date: 2025-09-15
tags: [Spanien, Recht]
---
## Die Gründung

Die S.L. ist die häufigste Rechtsform in Spanien.
Sie braucht wenig Kapital.

- Steuernummer beantragen

Ein ganz neuer Absatz über die Sozialversicherung.

Ein Satz, der gleich bleibt.
"""


def run(root, *args):
    return subprocess.run([sys.executable, "-m", "bilingual", "-C", str(root), *args],
                          capture_output=True, text=True)


def catalog_file(root):
    return root / "locales/es/LC_MESSAGES/markt.po"


def translate_all(path, prefix="ES: "):
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {i: prefix + entry.msgid_plural for i in entry.msgstr_plural}
        else:
            entry.msgstr = prefix + entry.msgid
    po.save()
    # Re-save through our own writer, as a translator's tool would write the file.
    run(path.parents[3], "update")


def test_translator_scenario_shows_exactly_fuzzy_obsolete_and_new(make_project):
    root = make_project({"content/de/markt.md": ARTICLE})
    assert run(root, "update").returncode == 0
    created = read_catalog(catalog_file(root))
    assert [e.msgid for e in created] == [
        "Markteintritt in Spanien", "Was Unternehmen wissen müssen.", "Spanien", "Recht",
        "Die Gründung", "Die S.L. ist die häufigste Rechtsform. Sie braucht wenig Kapital.",
        "Steuernummer beantragen", "Konto eröffnen", "Ein Satz, der gleich bleibt."]
    assert created[5].comment == "paragraph"
    assert created[5].occurrences == [("content/de/markt.md", "")]

    translate_all(catalog_file(root))
    before = {e.msgid: e for e in read_catalog(catalog_file(root))}
    (root / "content/de/markt.md").write_text(EDITED, encoding="utf-8")
    result = run(root, "update")
    assert result.returncode == 0, result.stderr
    after = read_catalog(catalog_file(root))
    changed = [e for e in after if e.obsolete or "fuzzy" in e.flags or not e.msgstr
               or before.get(e.msgid) is None or before[e.msgid].msgstr != e.msgstr]
    assert [(e.msgid, e.msgstr, e.flags, e.previous_msgid, bool(e.obsolete)) for e in changed] == [
        ("Die S.L. ist die häufigste Rechtsform in Spanien. Sie braucht wenig Kapital.",
         "ES: Die S.L. ist die häufigste Rechtsform. Sie braucht wenig Kapital.", ["fuzzy"],
         "Die S.L. ist die häufigste Rechtsform. Sie braucht wenig Kapital.", False),
        ("Ein ganz neuer Absatz über die Sozialversicherung.", "", [], None, False),
        ("Konto eröffnen", "ES: Konto eröffnen", [], None, True),
    ]
    assert msgfmt_check(catalog_file(root)).returncode == 0


def test_second_update_rewrites_nothing(make_project):
    root = make_project({"content/de/markt.md": ARTICLE})
    assert run(root, "update").returncode == 0
    files = sorted((root / "locales").rglob("*.po"))
    assert [f.name for f in files] == ["_ui.po", "markt.po"] or [f.name for f in files] == [
        "markt.po"]
    stamps = {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}
    result = run(root, "update")
    assert result.returncode == 0
    assert "0 written" in result.stdout
    assert {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files} == stamps


def test_written_catalogs_pass_msgfmt_and_are_msgcat_fixed_points(make_project):
    root = make_project({"content/de/markt.md": ARTICLE})
    run(root, "update")
    translate_all(catalog_file(root))
    (root / "content/de/markt.md").write_text(EDITED, encoding="utf-8")
    run(root, "update")
    msgcat = gettext_tool("msgcat")
    for path in sorted((root / "locales").rglob("*.po")):
        assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr
        recatted = subprocess.run([msgcat, str(path)], capture_output=True, text=True,
                                  check=True).stdout
        assert recatted == path.read_text(encoding="utf-8"), path


def test_an_article_catalog_as_update_writes_it_is_read_an_entry_at_a_time(make_project):
    # The fast reader must serve the catalogs a project is made of, or it buys nothing;
    # tests/test_fuzz.py proves it reads what the line-by-line reader reads.
    root = make_project({"content/de/markt.md": ARTICLE})
    run(root, "update")
    translate_all(catalog_file(root))
    text = catalog_file(root).read_text(encoding="utf-8")
    entries = _plain_entries(text)
    assert entries is not None
    read = read_catalog(catalog_file(root))
    assert [(e.fields["msgid"], e.fields["msgstr"]) for e in entries[1:]] == [
        (e.msgid, e.msgstr) for e in read]
    assert len(read) > 3 and all(e.msgstr == "ES: " + e.msgid for e in read)



def test_a_template_that_does_not_parse_fails_update_and_keeps_the_ui_catalog(make_project):
    # Jinja2's extractor skips such a template by default: its strings would go obsolete.
    root = make_project({"content/de/markt.md": ARTICLE})
    assert run(root, "update").returncode == 0
    ui = root / "locales/es/LC_MESSAGES/_ui.po"
    before = ui.read_bytes()
    templates = root / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "tag.html").write_text(
        '{% extends "base.html" %}\n{% block main %}{{ _("Thema") }}\n{% if %}\n'
        '{% endblock %}\n', encoding="utf-8")
    result = run(root, "update")
    assert result.returncode == 1
    assert "templates/tag.html:3: cannot extract UI strings" in result.stderr
    assert ui.read_bytes() == before
    checked = run(root, "check")
    assert checked.returncode == 1 and "templates/tag.html:3:" in checked.stdout + checked.stderr


@pytest.mark.parametrize(("ends", "line"), [
    # Saved with old Mac line ends, the file read as one comment: `update`
    # wrote every entry anew, empty, and its translations were gone.
    (lambda text: text.replace("\n", "\r"), 1),
    # CRLF converted twice: the error named bilingual.toml and no line.
    (lambda text: text.replace("\n", "\r\r\n"), 1),
    # A CR typed into a translator comment hid the line after it.
    (lambda text: text.replace("msgid \"Die S.L.", "# revisar\rOK\nmsgid \"Die S.L.", 1),
     None),
])
def test_a_catalog_with_a_lone_carriage_return_is_refused_at_its_line_and_kept(
        make_project, ends, line):
    root = make_project({"content/de/markt.md": ARTICLE})
    assert run(root, "update").returncode == 0
    translate_all(catalog_file(root))
    text = catalog_file(root).read_text(encoding="utf-8")
    line = line or text[:text.index("msgid \"Die S.L.")].count("\n") + 1
    damaged = ends(text).encode()
    catalog_file(root).write_bytes(damaged)
    (root / "content/de/markt.md").write_text(EDITED, encoding="utf-8")
    for command in ("update", "check"):
        result = run(root, command)
        assert result.returncode == 1
        assert re.search(f"^(error: )?locales/es/LC_MESSAGES/markt.po:{line}: (error: )?a carriage "
                         "return without a line feed", result.stdout + result.stderr, re.M)
        assert catalog_file(root).read_bytes() == damaged


STEUER = "---\ntitle: Steuer\n---\nEin Absatz.\n"


@pytest.mark.parametrize(("article", "line", "named"), [
    # Typed into a paragraph of three lines: the line of the character, not of the block.
    ("---\ntitle: Steuer\n---\nEin Absatz\nmit \x04 EOT\ndarin.\n", 5,
     "paragraph 'Ein Absatz mit \\x04 EOT darin.' contains the control character U+0004 (EOT)"),
    # Front matter fields, where a YAML escape makes the character.
    ('---\ntitle: "Steuer\\x04"\n---\nEin Absatz.\n', 2, "title 'Steuer\\x04' contains"),
    ('---\ntitle: Steuer\ndescription: "Kurz\\0"\n---\nEin Absatz.\n', 3,
     "description 'Kurz\\x00' contains the control character U+0000 (NUL)"),
    ('---\ntitle: Steuer\ntags: [Recht, "St\\x04euer"]\n---\nEin Absatz.\n', 3,
     "tag 'St\\x04euer' contains"),
])
def test_a_nul_or_eot_in_an_article_names_its_line_and_every_other_catalog_is_updated(
        make_project, article, line, named):
    root = make_project({"content/de/markt.md": ARTICLE, "content/de/steuer.md": STEUER})
    assert run(root, "update").returncode == 0
    steuer = root / "locales/es/LC_MESSAGES/steuer.po"
    translate_all(steuer)
    kept = steuer.read_bytes()
    (root / "content/de/steuer.md").write_text(article, encoding="utf-8")
    (root / "content/de/markt.md").write_text(EDITED, encoding="utf-8")
    result = run(root, "update", "--pot")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert f"content/de/steuer.md:{line}: {named}" in errors[0]
    assert "which a gettext catalog cannot hold; remove it" in errors[0]
    # Its catalog is kept as it was, not made obsolete; the other article's is updated.
    assert steuer.read_bytes() == kept
    assert read_catalog(catalog_file(root)).find(
        "Ein ganz neuer Absatz über die Sozialversicherung.")
    assert (root / "locales/templates/markt.pot").is_file()
    assert not (root / "locales/templates/steuer.pot").exists()


def test_a_nul_or_eot_in_a_code_block_is_no_catalog_text(make_project):
    root = make_project({"content/de/steuer.md": STEUER + "\n```\nprintf '\x04'\n```\n"})
    result = run(root, "update")
    assert result.returncode == 0, result.stderr
    assert read_catalog(root / "locales/es/LC_MESSAGES/steuer.po").find("Ein Absatz.")


def test_a_nul_or_eot_in_a_ui_string_names_the_template_and_keeps_the_ui_catalog(make_project):
    root = make_project({"content/de/markt.md": ARTICLE})
    assert run(root, "update").returncode == 0
    ui = root / "locales/es/LC_MESSAGES/_ui.po"
    before = ui.read_bytes()
    (root / "templates").mkdir()
    (root / "templates/hinweis.html").write_text('<p>\n{{ _("Hier\x04") }}</p>\n',
                                                 encoding="utf-8")
    (root / "content/de/markt.md").write_text(EDITED, encoding="utf-8")
    result = run(root, "update")
    assert result.returncode == 1
    assert ("templates/hinweis.html:2: UI string 'Hier\\x04' contains the control character "
            "U+0004 (EOT)") in result.stderr
    assert ui.read_bytes() == before
    assert read_catalog(catalog_file(root)).find(
        "Ein ganz neuer Absatz über die Sozialversicherung.")


@pytest.mark.parametrize(("field", "line"), [("title", 2), ("description", 3)])
def test_a_nul_or_eot_in_the_site_text_names_its_line_and_keeps_the_ui_catalog(
        make_project, field, line):
    # The site's title and description are UI catalog entries: such a text
    # cannot be one, and update says where it is written.
    root = make_project({"content/de/markt.md": ARTICLE}, config=SITE_CONFIG)
    assert run(root, "update").returncode == 0
    ui = root / "locales/es/LC_MESSAGES/_ui.po"
    before = ui.read_bytes()
    text = {"title": "Kanzlei Beispiel", "description": "Rechtliche Hinweise"}[field]
    (root / "bilingual.toml").write_text(
        SITE_CONFIG.replace(text, text.replace(" ", "\\u0004 ", 1)), encoding="utf-8")
    (root / "content/de/markt.md").write_text(EDITED, encoding="utf-8")
    result = run(root, "update")
    assert result.returncode == 1
    assert f"bilingual.toml:{line}: [site] {field} " in result.stderr
    assert "contains the control character U+0004 (EOT)" in result.stderr
    assert ui.read_bytes() == before
    assert read_catalog(catalog_file(root)).find(
        "Ein ganz neuer Absatz über die Sozialversicherung.")


def test_new_catalogs_have_the_plural_rule_gnu_msginit_gives_their_language(make_project,
                                                                             tmp_path):
    # Translators start and check catalogs with gettext's tools, whose Spanish
    # has two forms. Babel 2.19 gives Spanish a third one (CLDR's, for
    # millions), so pyproject.toml holds it below 2.19: a new catalog must
    # not ask for a form that the catalogs beside it lack.
    msginit = gettext_tool("msginit")
    root = make_project({"content/de/markt.md": ARTICLE})
    assert run(root, "update").returncode == 0
    template = tmp_path / "plural.pot"
    template.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                        'msgid "one minute"\nmsgid_plural "%d minutes"\nmsgstr[0] ""\n'
                        'msgstr[1] ""\n', encoding="utf-8")
    started = subprocess.run([msginit, "--no-translator", "-l", "es_ES", "-i", str(template),
                              "-o", "-"], capture_output=True, text=True, check=True).stdout
    expected = polib.pofile(started).metadata["Plural-Forms"]
    for path in (catalog_file(root), root / "locales/es/LC_MESSAGES/_ui.po"):
        assert polib.pofile(str(path)).metadata["Plural-Forms"] == expected, path


def test_new_catalogs_take_the_plural_rule_the_language_has_in_the_project(make_project):
    # A team that chose another rule for its language (here CLDR's, with a
    # form for millions) keeps it: a new article's catalog, and a UI catalog
    # made anew, take the rule of the catalogs beside them, not Babel's.
    rule = "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"
    templates = {"templates/base.html": "<p>{% trans count=n %}{{ count }} minute"
                                        "{% pluralize %}{{ count }} minutes{% endtrans %}</p>\n"}
    root = make_project({"content/de/markt.md": ARTICLE, **templates})
    assert run(root, "update").returncode == 0
    locales = root / "locales/es/LC_MESSAGES"
    for path in (catalog_file(root), locales / "_ui.po"):  # as a translator's tool saves it
        catalog = polib.pofile(str(path))
        catalog.metadata["Plural-Forms"] = rule
        for entry in catalog:
            if entry.msgid_plural:
                entry.msgstr_plural[2] = ""
        catalog.save()
    (root / "content/de/zweiter.md").write_text("Ein zweiter Artikel.\n", encoding="utf-8")
    assert run(root, "update").returncode == 0
    assert polib.pofile(str(locales / "zweiter.po")).metadata["Plural-Forms"] == rule

    (locales / "_ui.po").unlink()
    assert run(root, "update").returncode == 0
    ui = polib.pofile(str(locales / "_ui.po"))
    assert ui.metadata["Plural-Forms"] == rule
    plural = next(entry for entry in ui if entry.msgid_plural)
    assert sorted(plural.msgstr_plural) == [0, 1, 2]
    for path in locales.glob("*.po"):
        assert msgfmt_check(path).returncode == 0, path


@pytest.mark.parametrize("forms", ["nplurals=2; plural=(n != 1;",
                                   "nplurals=2; plural=n>5 ? 2 : (n != 1);"])
def test_a_catalog_whose_plural_rule_msgfmt_rejects_is_reported_not_rewritten(make_project,
                                                                                forms):
    root = make_project({"content/de/markt.md": ARTICLE})
    run(root, "update")
    path = catalog_file(root)
    text = path.read_text(encoding="utf-8").replace("nplurals=2; plural=(n != 1);", forms)
    path.write_text(text, encoding="utf-8")
    line = text.split("\n").index(f'"Plural-Forms: {forms}\\n"') + 1
    (root / "content/de/markt.md").write_text(EDITED, encoding="utf-8")
    result = run(root, "update")
    assert result.returncode == 1
    assert f"locales/es/LC_MESSAGES/markt.po:{line}: Plural-Forms" in result.stderr
    assert path.read_text(encoding="utf-8") == text

def test_unparsable_catalog_is_reported_and_left_untouched(make_project):
    broken = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' \
             'msgid "Die Gründung"\nmsgstr "La fundación\n'
    root = make_project({"content/de/markt.md": ARTICLE, "content/de/zwei.md": "Zweiter Text.\n",
                         "locales/es/LC_MESSAGES/markt.po": broken})
    result = run(root, "update")
    assert result.returncode == 1
    assert "locales/es/LC_MESSAGES/markt.po:6:" in result.stderr
    assert catalog_file(root).read_text(encoding="utf-8") == broken
    assert (root / "locales/es/LC_MESSAGES/zwei.po").is_file()


def test_bad_front_matter_keeps_the_catalog_and_names_the_line(make_project):
    root = make_project({"content/de/markt.md": ARTICLE})
    run(root, "update")
    translate_all(catalog_file(root))
    kept = catalog_file(root).read_bytes()
    (root / "content/de/markt.md").write_text("---\ntitle: [kaputt\n---\nText\n",
                                              encoding="utf-8")
    result = run(root, "update")
    assert result.returncode == 1
    # The line where the bracket opens, as every command names it: from the project.
    assert "error: content/de/markt.md:2:" in result.stderr
    assert catalog_file(root).read_bytes() == kept


BLOCK_SCALARS = """---
title: |
  Markteintritt
description: >
  Was Unternehmen
  wissen müssen.
tags:
  - "  Spanien "
---
Ein Absatz.
"""

OLD_CATALOG = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: es\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#. title
msgid "Markteintritt\n"
msgstr "Entrada en el mercado\n"

#. description
msgid "Was Unternehmen wissen müssen.\n"
msgstr "Lo que las empresas deben saber.\n"

#. tag
msgid "  Spanien "
msgstr "  España "

#. paragraph
msgid "Ein Absatz."
msgstr "Un párrafo."
"""


def test_block_scalar_fields_are_msgids_without_a_final_line_break(make_project):
    root = make_project({"content/de/markt.md": BLOCK_SCALARS})
    assert run(root, "update").returncode == 0
    assert [e.msgid for e in read_catalog(catalog_file(root))] == [
        "Markteintritt", "Was Unternehmen wissen müssen.", "Spanien", "Ein Absatz."]
    # A translation without a line break is then what msgfmt -c accepts.
    text = catalog_file(root).read_text(encoding="utf-8")
    for msgid, msgstr in (("Markteintritt", "Entrada en el mercado"),
                          ("Was Unternehmen wissen müssen.", "Lo que las empresas deben saber."),
                          ("Spanien", "España"), ("Ein Absatz.", "Un párrafo.")):
        text = text.replace(f'msgid "{msgid}"\nmsgstr ""', f'msgid "{msgid}"\nmsgstr "{msgstr}"')
    catalog_file(root).write_text(text, encoding="utf-8")
    assert msgfmt_check(catalog_file(root)).returncode == 0, msgfmt_check(catalog_file(root)).stderr
    assert all(e.msgstr and not e.fuzzy for e in read_catalog(catalog_file(root)))


def test_translations_of_untrimmed_front_matter_msgids_come_back_fuzzy(make_project):
    # Catalogs written before front matter text was trimmed hold `...\n` msgids:
    # the update carries each translation to the trimmed msgid as fuzzy, for the
    # translator to confirm; none is lost.
    root = make_project({"content/de/markt.md": BLOCK_SCALARS,
                         "locales/es/LC_MESSAGES/markt.po": OLD_CATALOG})
    assert msgfmt_check(catalog_file(root)).returncode == 0
    result = run(root, "update")
    assert result.returncode == 0, result.stderr
    assert "1 kept, 3 fuzzy, 0 from memory, 0 new, 0 obsolete" in result.stdout
    entries = read_catalog(catalog_file(root))
    assert [(e.msgid, e.msgstr, e.flags, e.previous_msgid, e.obsolete) for e in entries] == [
        ("Markteintritt", "Entrada en el mercado\n", ["fuzzy"], "Markteintritt\n", 0),
        ("Was Unternehmen wissen müssen.", "Lo que las empresas deben saber.\n", ["fuzzy"],
         "Was Unternehmen wissen müssen.\n", 0),
        ("Spanien", "  España ", ["fuzzy"], "  Spanien ", 0),
        ("Ein Absatz.", "Un párrafo.", [], None, 0)]
    assert msgfmt_check(catalog_file(root)).returncode == 0, msgfmt_check(catalog_file(root)).stderr


def test_deleted_article_makes_its_catalog_obsolete_not_lost(make_project):
    root = make_project({"content/de/markt.md": ARTICLE})
    run(root, "update")
    translate_all(catalog_file(root))
    (root / "content/de/markt.md").unlink()
    assert run(root, "update").returncode == 0
    entries = read_catalog(catalog_file(root))
    assert entries and all(e.obsolete for e in entries)
    assert all(e.msgstr.startswith("ES: ") for e in entries)


def test_translation_memory_across_articles(make_project):
    root = make_project({"content/de/markt.md": ARTICLE})
    run(root, "update")
    translate_all(catalog_file(root))
    (root / "content/de/neu.md").write_text("---\ntags: [Spanien]\n---\nDie Gründung\n",
                                            encoding="utf-8")
    run(root, "update")
    entries = {e.msgid: e for e in read_catalog(root / "locales/es/LC_MESSAGES/neu.po")}
    assert entries["Spanien"].msgstr == "ES: Spanien"
    assert entries["Spanien"].tcomment == "Translation memory: content/de/markt.md"
    assert entries["Die Gründung"].msgstr == "ES: Die Gründung"


MEMORY_TEXTS = ("Der Hafen liegt still.", "Die Stadt wächst schnell.",
                "Im Winter schneit es selten.", "Das Museum öffnet um neun.",
                "Zwei Fähren verkehren täglich.", "Der Markt ist samstags voll.")


def _memory_project(make_project):
    """Six translated articles, and an update that asked the memory (a new
    paragraph in a1), so the catalogs' texts are kept as digests; then a0
    gets the paragraph of a4."""
    root = make_project({f"content/de/a{n}.md": f"---\ntitle: A{n}\n---\n{text}\n"
                         for n, text in enumerate(MEMORY_TEXTS)})
    run(root, "update")
    for n in range(6):
        translate_all(root / f"locales/es/LC_MESSAGES/a{n}.po")
    (root / "content/de/a1.md").write_text(
        f"---\ntitle: A1\n---\n{MEMORY_TEXTS[1]}\n\nGanz neu.\n", encoding="utf-8")
    apply_plan(plan_update(load_config(root)))
    (root / "content/de/a0.md").write_text(
        f"---\ntitle: A0\n---\n{MEMORY_TEXTS[0]}\n\n{MEMORY_TEXTS[4]}\n", encoding="utf-8")
    return root


def _memory_reads(monkeypatch) -> list[str]:
    read: list[str] = []
    original = bilingual.update._CatalogReader.read_for_memory
    monkeypatch.setattr(bilingual.update._CatalogReader, "read_for_memory",
                        lambda self, path: read.append(path.name) or original(self, path))
    return read


def test_a_paragraph_added_reads_only_the_catalogs_the_memory_needs(make_project, monkeypatch):
    # Every catalog was read to make the whole memory when a merge met one
    # text its catalog lacked (7.8 s at 10,000 articles); now the catalog
    # that has the text, and those changed since their texts were kept.
    root = _memory_project(make_project)
    read = _memory_reads(monkeypatch)
    apply_plan(plan_update(load_config(root)))
    entries = {e.msgid: e for e in read_catalog(root / "locales/es/LC_MESSAGES/a0.po")}
    assert entries[MEMORY_TEXTS[4]].msgstr == "ES: " + MEMORY_TEXTS[4]
    assert entries[MEMORY_TEXTS[4]].tcomment == "Translation memory: content/de/a4.md"
    assert sorted(read) == ["a1.po", "a4.po"]  # a1.po got a paragraph in the update before


def test_texts_that_share_a_digest_still_find_their_translation(make_project, monkeypatch):
    # The catalog found by a text's digest lacks the text: the memory is then
    # made whole, from every catalog, as before digests were kept.
    root = _memory_project(make_project)
    monkeypatch.setattr(bilingual.update, "_text_digest", lambda key: b"\0" * 16)
    read = _memory_reads(monkeypatch)
    apply_plan(plan_update(load_config(root)))
    entries = {e.msgid: e for e in read_catalog(root / "locales/es/LC_MESSAGES/a0.po")}
    assert entries[MEMORY_TEXTS[4]].msgstr == "ES: " + MEMORY_TEXTS[4]
    assert entries[MEMORY_TEXTS[4]].tcomment == "Translation memory: content/de/a4.md"
    assert {f"a{n}.po" for n in range(6)} <= set(read)


def test_an_article_moved_in_two_updates_finds_its_obsolete_translations(make_project):
    root = make_project({"content/de/blog/markt.md": ARTICLE})
    run(root, "update")
    old_catalog = root / "locales/es/LC_MESSAGES/blog/markt.po"
    translate_all(old_catalog)
    moved = root / "content/de/recht/markt.md"
    moved.parent.mkdir()
    (root / "content/de/blog/markt.md").rename(root / "markt.md")
    run(root, "update")
    assert all(e.obsolete for e in read_catalog(old_catalog))
    (root / "markt.md").rename(moved)
    result = run(root, "update")
    assert "9 from memory, 0 new" in result.stdout, result.stdout
    entries = read_catalog(root / "locales/es/LC_MESSAGES/recht/markt.po")
    assert all(e.msgstr == "ES: " + e.msgid and not e.flags for e in entries)
    assert {e.tcomment for e in entries} == {"Translation memory: content/de/blog/markt.md"}


def test_an_article_renamed_and_edited_in_one_change_keeps_its_translations(make_project):
    # The common move: into a subfolder, its relative links fixed on the way.
    # The edited texts came out untranslated, translator comments and fuzzy
    # translations were lost, though all of it sat in the old catalog.
    root = make_project({"content/de/markt.md": ARTICLE})
    run(root, "update")
    old_catalog = catalog_file(root)
    translate_all(old_catalog)
    po = polib.pofile(str(old_catalog))
    for entry in po:
        if entry.msgid == "Konto eröffnen":
            entry.tcomment = "Ana: abrir, no crear"
        if entry.msgid == "Steuernummer beantragen":
            entry.flags.append("fuzzy")
            entry.previous_msgid = "Steuernummer holen"
    po.save()
    assert run(root, "update").returncode == 0
    (root / "content/de/markt.md").unlink()
    moved = root / "content/de/recht/spanien.md"
    moved.parent.mkdir()
    moved.write_text(ARTICLE.replace("Ein Satz, der gleich bleibt.",
                                     "Ein Satz, der fast gleich bleibt."), encoding="utf-8")
    result = run(root, "update")
    assert result.returncode == 0, result.stderr
    new_catalog = root / "locales/es/LC_MESSAGES/recht/spanien.po"
    entries = {e.msgid: e for e in read_catalog(new_catalog)}
    edited = entries["Ein Satz, der fast gleich bleibt."]
    assert (edited.msgstr, edited.flags, edited.previous_msgid) == (
        "ES: Ein Satz, der gleich bleibt.", ["fuzzy"], "Ein Satz, der gleich bleibt.")
    assert entries["Konto eröffnen"].tcomment == (
        "Translation memory: content/de/markt.md\nAna: abrir, no crear")
    fuzzy = entries["Steuernummer beantragen"]
    assert (fuzzy.msgstr, fuzzy.flags, fuzzy.previous_msgid) == (
        "ES: Steuernummer beantragen", ["fuzzy"], "Steuernummer holen")
    assert not [e for e in entries.values() if not e.msgstr]
    assert msgfmt_check(new_catalog).returncode == 0, msgfmt_check(new_catalog).stderr


def test_an_untranslated_entry_dropped_is_not_counted_obsolete(make_project):
    # msgmerge writes no `#~` for it, nor does update; its summary said "1 obsolete".
    root = make_project({"content/de/markt.md": ARTICLE})
    run(root, "update")
    translate_all(catalog_file(root))
    (root / "content/de/markt.md").write_text(ARTICLE + "\nGanz neu.\n", encoding="utf-8")
    assert "1 new, 0 obsolete" in run(root, "update").stdout
    (root / "content/de/markt.md").write_text(ARTICLE, encoding="utf-8")
    assert "0 new, 0 obsolete" in run(root, "update").stdout
    assert "Ganz neu." not in catalog_file(root).read_text(encoding="utf-8")


def test_a_slug_entry_is_the_german_word_until_translated(make_project):
    # A slug added to a translated article came in empty and held the Spanish
    # page back, though "leave it as it is" is what translators.md allows.
    root = make_project({"content/de/markt.md": ARTICLE})
    run(root, "update")
    translate_all(catalog_file(root))
    (root / "content/de/markt.md").write_text(
        ARTICLE.replace("tags: [Spanien, Recht]", "tags: [Spanien, Recht]\nslug: markt"),
        encoding="utf-8")
    assert "1 new" in run(root, "update").stdout
    slug = next(e for e in read_catalog(catalog_file(root)) if e.msgctxt == "slug")
    assert (slug.msgid, slug.msgstr, slug.flags) == ("markt", "markt", [])
    assert "LC_MESSAGES/markt.po" not in run(root, "check").stdout  # (_ui.po is untranslated)
    # An empty one, as msginit makes it from the template, is filled too;
    # check says what update will do.
    text = catalog_file(root).read_text(encoding="utf-8")
    catalog_file(root).write_text(text.replace('msgid "markt"\nmsgstr "markt"',
                                               'msgid "markt"\nmsgstr ""'), encoding="utf-8")
    checked = run(root, "check")
    assert "a slug: `bilingual update` fills in the German word" in checked.stdout
    run(root, "update")
    assert 'msgid "markt"\nmsgstr "markt"' in catalog_file(root).read_text(encoding="utf-8")
    assert "LC_MESSAGES/markt.po" not in run(root, "check").stdout
    # Cleared in Lokalize (fuzzy, empty): filled at once, whatever the cache
    # knows; a second merge changes nothing.
    text = catalog_file(root).read_text(encoding="utf-8")
    catalog_file(root).write_text(text.replace('msgctxt "slug"\nmsgid "markt"\nmsgstr "markt"',
                                               '#, fuzzy\nmsgctxt "slug"\nmsgid "markt"\n'
                                               'msgstr ""'), encoding="utf-8")
    assert re.search(r"\d+ kept, 0 fuzzy", run(root, "update").stdout)  # it was "-1 fuzzy"
    filled = catalog_file(root).read_text(encoding="utf-8")
    assert 'msgctxt "slug"\nmsgid "markt"\nmsgstr "markt"' in filled
    shutil.rmtree(root / ".bilingual-cache")
    run(root, "update")
    assert catalog_file(root).read_text(encoding="utf-8") == filled
    # The German slug changes: a slug no translator touched follows it.
    (root / "content/de/markt.md").write_text(
        ARTICLE.replace("tags: [Spanien, Recht]", "tags: [Spanien, Recht]\nslug: markt-2026"),
        encoding="utf-8")
    run(root, "update")
    slug = next(e for e in read_catalog(catalog_file(root)) if e.msgctxt == "slug")
    assert (slug.msgid, slug.msgstr, slug.flags) == ("markt-2026", "markt-2026", [])
    # One a translator gave a word of their own is theirs to look at again.
    set_slug = catalog_file(root).read_text(encoding="utf-8").replace(
        'msgid "markt-2026"\nmsgstr "markt-2026"', 'msgid "markt-2026"\nmsgstr "mercado-2026"')
    catalog_file(root).write_text(set_slug, encoding="utf-8")
    (root / "content/de/markt.md").write_text(
        ARTICLE.replace("tags: [Spanien, Recht]", "tags: [Spanien, Recht]\nslug: markt-2027"),
        encoding="utf-8")
    run(root, "update")
    slug = next(e for e in read_catalog(catalog_file(root)) if e.msgctxt == "slug")
    assert (slug.msgstr, slug.flags) == ("mercado-2026", ["fuzzy"])


def test_update_keeps_the_header_text_and_sets_only_the_charset(make_project):
    root = make_project({"content/de/markt.md": ARTICLE})
    run(root, "update")
    path = catalog_file(root)
    text = path.read_text(encoding="utf-8")
    wild = text.replace('"Content-Type: text/plain; charset=UTF-8\\n"\n',
                        '"Content-Type: text/plain; charset=utf-8\\n"\n'
                        '"X-Poedit-SearchPath-0: a\\n"\n"X-Poedit-SearchPath-0: b\\n"\n'
                        '"X-Empty:\\n"\n"X-Note: value  \\n"\n')
    path.write_text(wild, encoding="utf-8")
    assert run(root, "update").returncode == 0
    assert path.read_text(encoding="utf-8") == wild.replace("charset=utf-8", "charset=UTF-8")
    assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr
    assert "0 written" in run(root, "update").stdout


def test_plan_is_read_only_and_reports_stale(make_project):
    root = make_project({"content/de/markt.md": ARTICLE})
    config = load_config(root)
    plan = plan_update(config)
    assert not (root / "locales").exists()
    assert {c.path.name for c in plan.changed} >= {"markt.po"}
    apply_plan(plan)
    assert not plan_update(config).changed


def test_a_plan_of_catalogs_known_stable_by_state_is_the_plan_made_by_reading_them(
        make_project):
    # Catalogs known stable by their files' states are planned from strings
    # joined without pathlib; names that sort otherwise as strings than as
    # paths (`a-b/` before `a/`, `a.n.md` after `a.md` but `a.n.po` before
    # `a.po`) keep the order, sources and stats of the run that read them.
    names = ("a.md", "a.n.md", "a-b/x.md", "a/x.md", "a/b/ü.md", "z.md")
    root = make_project({f"content/de/{name}": ARTICLE for name in names})
    config = load_config(root)
    apply_plan(plan_update(config))
    read = plan_update(config)  # reads every pair, and learns their states
    settled = plan_update(config)

    def shown(plan):
        return [(c.path, c.text, c.changed, c.created, c.stats, c.source) for c in plan.catalogs]

    assert shown(settled) == shown(read)
    assert [c.path for c in settled.catalogs] == sorted(c.path for c in settled.catalogs)
    assert {c.source for c in settled.catalogs} >= {f"content/de/{name}" for name in names}
    assert all(c.planned is None for c in settled.catalogs if c.path.name != "_ui.po")


def save_as_poedit_does(path, msgid, msgstr):
    """A translator's save: the catalog with one translation changed, written
    to a file of its own and renamed over the old one; returns the bytes saved."""
    po = read_catalog(path)
    po.find(msgid).msgstr = msgstr
    saved = path.with_name(path.name + ".poedit")
    saved.write_text(format_catalog(po), encoding="utf-8")
    os.replace(saved, path)
    return path.read_bytes()


@pytest.mark.parametrize("name", ["a2.po", "_ui.po"])
def test_a_translation_saved_while_update_runs_is_kept_and_reported(make_project, monkeypatch,
                                                                    name):
    articles = {f"content/de/a{n}.md": f"# Titel {n}\n\nAbsatz {n}.\n" for n in (1, 2, 3)}
    root = make_project(articles)
    assert run(root, "update").returncode == 0
    # Every catalog changes: each article, and the UI strings with a new template.
    for n in (1, 2, 3):
        (root / f"content/de/a{n}.md").write_text(f"# Titel {n}\n\nAbsatz {n}, neu.\n",
                                                  encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates/hinweis.html").write_text('{{ _("Hier ist nichts") }}\n',
                                                 encoding="utf-8")
    folder = root / "locales/es/LC_MESSAGES"
    path = folder / name
    msgid = next(iter(read_catalog(path))).msgid
    saved = []
    plan_update = bilingual.update.plan_update

    def plan_then_save(config, progress=None):
        # The translator saves after update has read the catalogs, before it writes.
        plan = plan_update(config, progress=progress)
        saved.append(save_as_poedit_does(path, msgid, "Guardado mientras tanto"))
        return plan

    monkeypatch.setattr(bilingual.update, "plan_update", plan_then_save)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["update"])
    assert result.exit_code == 1, result.output
    assert (f"locales/es/LC_MESSAGES/{name}: changed while `bilingual update` ran"
            in result.output)
    assert "run `bilingual update` again" in result.output
    assert "3 written" in result.output
    assert path.read_bytes() == saved[0]
    for other in {"a1.po", "a2.po", "a3.po", "_ui.po"} - {name}:
        assert {e.msgid for e in read_catalog(folder / other)} & {
            "Absatz 1, neu.", "Absatz 2, neu.", "Absatz 3, neu.", "Hier ist nichts"}
    # The next run merges what the translator saved.
    monkeypatch.undo()
    assert run(root, "update").returncode == 0
    assert read_catalog(path).find(msgid).msgstr == "Guardado mientras tanto"


@pytest.mark.parametrize("lang", ["en", "ca"])
def test_third_language_is_one_config_line(make_project, lang):
    root = make_project({"content/de/markt.md": ARTICLE})
    config_path = root / "bilingual.toml"
    config_path.write_text(config_path.read_text().replace('["es"]', f'["es", "{lang}"]'))
    assert run(root, "update").returncode == 0
    po = read_catalog(root / f"locales/{lang}/LC_MESSAGES/markt.po")
    assert po.metadata["Language"] == lang
    assert msgfmt_check(root / f"locales/{lang}/LC_MESSAGES/markt.po").returncode == 0


def test_ui_strings_are_extracted_once_and_again_when_a_template_changes(make_project,
                                                                          monkeypatch):
    # Extracting loads the build and Jinja2's lexer, some 50 ms of every update:
    # the strings are kept in the cache under the state of the template folders.
    import bilingual.templates
    from bilingual.update import ui_template_entries

    extracted = []
    template_files = bilingual.templates.template_files

    def counting(config):
        extracted.append(config.root)
        return template_files(config)

    monkeypatch.setattr(bilingual.templates, "template_files", counting)
    root = make_project({"content/de/markt.md": ARTICLE})
    config = load_config(root)
    first = ui_template_entries(config)
    seen = [(e.msgid, e.msgctxt, list(e.occurrences)) for e in first]
    first[0].occurrences.append(("changed/by/a/caller.html", ""))  # not in the cache's copy
    again = ui_template_entries(config)
    assert len(extracted) == 1
    assert [(e.msgid, e.msgctxt, e.occurrences) for e in again] == seen
    assert "Hier ist nichts" not in {e.msgid for e in again}

    (root / "templates").mkdir()
    (root / "templates/404.html").write_text(
        '{% extends "base.html" %}{% block main %}{{ _("Hier ist nichts") }}{% endblock %}\n',
        encoding="utf-8")
    entries = {e.msgid: e.occurrences for e in ui_template_entries(config)}
    assert len(extracted) == 2
    assert entries["Hier ist nichts"] == [("templates/404.html", "")]
    apply_plan(plan_update(config))
    assert read_catalog(root / "locales/es/LC_MESSAGES/_ui.po").find("Hier ist nichts")


def test_ui_strings_of_every_template_are_extracted_as_the_pages_look_them_up(make_project):
    # A `.jinja` template was rendered but not extracted; a `notrimmed` block
    # was extracted with the newline the build trims away; `_("Kommentar")`
    # before `ngettext("Kommentar", …)` made an entry without the plural.
    # Each showed German on the Spanish pages, with no finding.
    root = make_project({
        "content/de/markt.md": ARTICLE,
        "templates/404.html": (
            '{% extends "base.html" %}{% block main %}\n{% include "nav.jinja" %}\n'
            "<p>{% trans notrimmed %}\nZeile eins\n{% endtrans %}</p>\n"
            '<p>{{ _("Kommentar") }} / {{ ngettext("Kommentar", "Kommentare", 3) }}</p>\n'
            "{% endblock %}\n"),
        "templates/nav.jinja": '<nav>{{ _("Menü") }}</nav>\n',
        # A designer's notes beside the templates: no template, and no error.
        "templates/README.md": "Variablen: `{{ page.title }`.\n",
    })
    (root / "templates/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")  # no template
    assert run(root, "update").returncode == 0
    ui = root / "locales/es/LC_MESSAGES/_ui.po"
    entries = {e.msgid: e for e in read_catalog(ui)}
    assert entries["Menü"].occurrences == [("templates/nav.jinja", "")]
    # One that is a template and does not parse stops update, at its line.
    (root / "templates/broken.jinja").write_text("{% if %}\n", encoding="utf-8")
    result = run(root, "update")
    assert result.returncode == 1 and "templates/broken.jinja:1: cannot extract" in result.stderr
    (root / "templates/broken.jinja").unlink()
    assert "Zeile eins\n" in entries
    assert entries["Kommentar"].msgid_plural == "Kommentare"
    po = polib.pofile(str(ui))
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: "ES " + entry.msgid, 1: "ES " + entry.msgid_plural}
        else:
            entry.msgstr = "ES " + entry.msgid
    po.save()
    assert run(root, "build").returncode == 0
    page = (root / "site/es/404.html").read_text(encoding="utf-8")
    assert "<nav>ES Menü</nav>" in page
    assert "ES Zeile eins" in page
    assert "ES Kommentar / ES Kommentare" in page


def test_ui_entries_get_the_python_format_flag_on_the_next_update(tmp_path):
    # As `pybabel extract` flags them, so that msgfmt -c, Poedit and Weblate
    # check the placeholders; a catalog written before keeps its translations.
    from tests.checkproject import edit_catalog, make_project

    root = make_project(tmp_path / "project")
    ui = root / "locales/es/LC_MESSAGES/_ui.po"

    def unflag(po: polib.POFile) -> None:
        for entry in po:
            entry.flags = [f for f in entry.flags if f != "python-format"]
    edit_catalog(ui, unflag)
    apply_plan(plan_update(load_config(root)))
    entries = {e.msgid: e for e in read_catalog(ui)}
    assert entries["Hello %(name)s"].flags == ["python-format"]
    assert entries["Hello %(name)s"].msgstr == "Hola %(name)s"
    assert entries["%(count)s minute"].flags == ["python-format"]
    assert entries["Read more"].flags == []
    assert msgfmt_check(ui).returncode == 0
    text = ui.read_text(encoding="utf-8").replace('msgstr "Hola %(name)s"',
                                                  'msgstr "100 % de %(name)s"')
    ui.write_text(text, encoding="utf-8")
    assert msgfmt_check(ui).returncode != 0


SITE_CONFIG = """[site]
title = "Kanzlei Beispiel"
description = "Rechtliche Hinweise für den Mittelstand"
base_url = "https://www.example.com"
source_language = "de"
target_languages = ["es", "ca"]
"""


def site_entries(path):
    """(msgctxt, msgid) -> entry of the site's title and description in a catalog."""
    return {(e.msgctxt, e.msgid): e for e in read_catalog(path)
            if e.msgctxt in ("site title", "site description")}


def test_update_puts_the_site_title_and_description_into_every_ui_catalog(make_project):
    root = make_project({"content/de/markt.md": ARTICLE}, config=SITE_CONFIG)
    apply_plan(plan_update(load_config(root)))
    for lang in ("es", "ca"):
        path = root / f"locales/{lang}/LC_MESSAGES/_ui.po"
        found = site_entries(path)
        assert sorted(found) == [("site description", "Rechtliche Hinweise für den Mittelstand"),
                                 ("site title", "Kanzlei Beispiel")]
        title = found[("site title", "Kanzlei Beispiel")]
        assert title.occurrences == [("bilingual.toml", "")]
        assert "[site] title in bilingual.toml" in title.comment
        assert "A brand name may stay as it is" in " ".join(title.comment.split())
        assert "[site] description" in found[("site description",
                                               "Rechtliche Hinweise für den Mittelstand")].comment
        assert all(entry.msgstr == "" for entry in found.values())
        assert msgfmt_check(path).returncode == 0
    # Nothing else moves: a second update rewrites nothing.
    assert not plan_update(load_config(root)).changed


def test_an_empty_site_description_adds_no_entry(make_project):
    config = SITE_CONFIG.replace('"Rechtliche Hinweise für den Mittelstand"', '""')
    root = make_project({"content/de/markt.md": ARTICLE}, config=config)
    apply_plan(plan_update(load_config(root)))
    assert list(site_entries(root / "locales/es/LC_MESSAGES/_ui.po")) == [
        ("site title", "Kanzlei Beispiel")]


def test_a_changed_site_title_makes_its_translation_fuzzy(make_project):
    root = make_project({"content/de/markt.md": ARTICLE}, config=SITE_CONFIG)
    apply_plan(plan_update(load_config(root)))
    ui = root / "locales/es/LC_MESSAGES/_ui.po"
    po = polib.pofile(str(ui))
    po.find("Kanzlei Beispiel", msgctxt="site title").msgstr = "Bufete Ejemplo"
    po.save()
    config_path = root / "bilingual.toml"
    config_path.write_text(SITE_CONFIG.replace("Kanzlei Beispiel", "Kanzlei Beispiel & Partner"),
                           encoding="utf-8")
    apply_plan(plan_update(load_config(root)))
    entry = site_entries(ui)[("site title", "Kanzlei Beispiel & Partner")]
    assert entry.msgstr == "Bufete Ejemplo" and "fuzzy" in entry.flags
    assert entry.previous_msgid == "Kanzlei Beispiel"
    assert msgfmt_check(ui).returncode == 0


def test_an_article_nested_too_deeply_is_its_own_error_the_others_are_updated(make_project):
    # Its error ended the whole run: no catalog was written, a new article's neither.
    root = make_project({"content/de/tief.md": "---\ntitle: Tief\n---\n" + "> " * 21 + "Zitat.\n",
                         "content/de/neu.md": "---\ntitle: Neu\n---\nNeu.\n"})
    result = run(root, "update")
    assert result.returncode == 1
    assert "content/de/tief.md:4: lists or quotes nested too deeply" in result.stderr
    assert (root / "locales/es/LC_MESSAGES/neu.po").is_file()
    assert not (root / "locales/es/LC_MESSAGES/tief.po").exists()
    assert "2 articles, 2 catalogs, 2 written, 1 error(s)" in result.stdout
