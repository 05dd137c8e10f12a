"""Importing an existing translation by aligning blocks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import bilingual.align
from bilingual.align import import_translation
from bilingual.catalog import read_catalog
from bilingual.config import load_config
from bilingual.errors import FileChangedError

GERMAN = "---\ntitle: Hallo\ntags: [Recht]\n---\n## Kopf\n\nErster Absatz.\n\n- Punkt\n"
SPANISH = "---\ntitle: Hola\ntags: [Derecho]\n---\n## Cabecera\n\nPrimer párrafo.\n\n- Punto\n"


def run(root, *args):
    return subprocess.run([sys.executable, "-m", "bilingual", "-C", str(root), *args],
                          capture_output=True, text=True)


def test_import_fills_untranslated_entries_in_order(make_project, tmp_path):
    root = make_project({"content/de/a.md": GERMAN})
    (tmp_path / "a.es.md").write_text(SPANISH, encoding="utf-8")
    assert run(root, "update").returncode == 0
    result = run(root, "import-translation", "content/de/a.md", str(tmp_path / "a.es.md"),
                 "--lang", "es")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "locales/es/LC_MESSAGES/a.po: 5 translations filled\n"
    entries = {e.msgid: e.msgstr for e in read_catalog(root / "locales/es/LC_MESSAGES/a.po")}
    assert entries == {"Hallo": "Hola", "Recht": "Derecho", "Kopf": "Cabecera",
                       "Erster Absatz.": "Primer párrafo.", "Punkt": "Punto"}
    assert "0 written" in run(root, "update").stdout


@pytest.mark.parametrize(("spanish", "message"), [
    (SPANISH + "\nOtro párrafo.\n",
     "a.es.md:11: has 4 translatable blocks where the German article has 3: a paragraph more "
     "than the German article (content/de/a.md:9 is its last block)"),
    ("---\ntitle: Hola\ntags: [Derecho]\n---\n## Cabecera\n\nPrimer párrafo.\n",
     "a.es.md:7: has 2 translatable blocks where the German article has 3: no block for the "
     "German article's list item (content/de/a.md:9)"),
    # As many blocks, in another order: a heading took a paragraph's text.
    ("---\ntitle: Hola\ntags: [Derecho]\n---\nPrimer párrafo.\n\n- Punto\n\n## Cabecera\n",
     "a.es.md:5: block 1 is a paragraph where the German article's is a heading "
     "(content/de/a.md:5)"),
])
def test_import_refuses_a_different_structure_naming_the_line_in_each_file(
        make_project, tmp_path, spanish, message):
    root = make_project({"content/de/a.md": GERMAN})
    (tmp_path / "a.es.md").write_text(spanish, encoding="utf-8")
    run(root, "update")
    before = (root / "locales/es/LC_MESSAGES/a.po").read_bytes()
    result = run(root, "import-translation", "content/de/a.md", str(tmp_path / "a.es.md"),
                 "--lang", "es")
    assert result.returncode == 1
    assert f"error: {tmp_path}/{message}; keep the same block structure\n" == result.stderr
    assert (root / "locales/es/LC_MESSAGES/a.po").read_bytes() == before


def test_import_fills_an_entry_whose_translation_is_only_whitespace(make_project, tmp_path):
    root = make_project({"content/de/a.md": GERMAN})
    (tmp_path / "a.es.md").write_text(SPANISH, encoding="utf-8")
    assert run(root, "update").returncode == 0
    catalog = root / "locales/es/LC_MESSAGES/a.po"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace('msgid "Kopf"\nmsgstr ""', 'msgid "Kopf"\nmsgstr " "'),
                       encoding="utf-8")
    assert 'msgstr " "' in catalog.read_text(encoding="utf-8")
    result = run(root, "import-translation", "content/de/a.md", str(tmp_path / "a.es.md"),
                 "--lang", "es")
    assert result.returncode == 0, result.stderr
    assert {e.msgid: e.msgstr for e in read_catalog(catalog)}["Kopf"] == "Cabecera"


def test_import_leaves_a_catalog_saved_meanwhile_as_it_was_saved(make_project, tmp_path,
                                                                 monkeypatch):
    root = make_project({"content/de/a.md": GERMAN})
    (tmp_path / "a.es.md").write_text(SPANISH, encoding="utf-8")
    assert run(root, "update").returncode == 0
    catalog = root / "locales/es/LC_MESSAGES/a.po"
    fill_catalog = bilingual.align.fill_catalog

    def save_then_fill(po, alignment, overwrite=False):
        # A translator saves after the import has read the catalog.
        text = catalog.read_text(encoding="utf-8")
        saved = catalog.with_name("a.po.poedit")
        saved.write_text(text.replace('msgid "Kopf"\nmsgstr ""', 'msgid "Kopf"\nmsgstr "Mía"'),
                         encoding="utf-8")
        os.replace(saved, catalog)
        return fill_catalog(po, alignment, overwrite)

    monkeypatch.setattr(bilingual.align, "fill_catalog", save_then_fill)
    with pytest.raises(FileChangedError) as raised:
        import_translation(load_config(root), root / "content/de/a.md", tmp_path / "a.es.md",
                           "es")
    assert raised.value.format_message().startswith(
        f"{catalog}: changed while `bilingual import-translation` ran")
    assert {e.msgid: e.msgstr for e in read_catalog(catalog)} == {
        "Hallo": "", "Recht": "", "Kopf": "Mía", "Erster Absatz.": "", "Punkt": ""}
