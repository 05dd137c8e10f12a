"""A small site project for the check and status tests: built by `update`,
translated by code, then given one known defect per test."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import polib

from bilingual.catalog import format_catalog, read_catalog, write_if_changed
from bilingual.cli import main
from bilingual.config import load_config
from bilingual.update import apply_plan, plan_update

CONFIG = """\
[site]
title = "Prueba"
base_url = "https://www.example.com"
source_language = "de"
target_languages = {targets}
{extra}"""

ARTICLE = """\
---
title: Der Hund
date: 2025-09-15
tags: [Tiere]
---
# Erste Schritte

Der Hund schläft im Haus.

Ein [Link](katze.md), ein [Verweis](https://example.org/a), `code`, *Betonung* und **stark**.

![Ein Bild](/images/hund.png)

| Spalte | Wert |
|---|---|
| A | B |
"""

OTHER = """\
---
title: Die Katze
---
Die Katze jagt eine Maus.

Mehr über [Hunde](/de/hund/).
"""

TEMPLATE = """\
<p>{{ _("Read more") }}</p>
<p>{% trans count=n %}{{ count }} minute{% pluralize %}{{ count }} minutes{% endtrans %}</p>
<p>{{ _("Hello %(name)s", name=user) }}</p>
"""

SPANISH = {
    "Der Hund": "El perro",
    "Tiere": "Animales",
    "Erste Schritte": "Primeros pasos",
    "Der Hund schläft im Haus.": "El perro duerme en casa.",
    "Ein [Link](katze.md), ein [Verweis](https://example.org/a), `code`, *Betonung* und "
    "**stark**.": "Un [enlace](katze.md), una [referencia](https://example.org/a), `code`, "
                  "*énfasis* y **fuerte**.",
    "Ein Bild": "Una imagen",
    "Spalte": "Columna",
    "Wert": "Valor",
    "A": "A",
    "B": "B",
    "Die Katze": "El gato",
    "Die Katze jagt eine Maus.": "El gato caza un ratón.",
    "Mehr über [Hunde](/de/hund/).": "Más sobre [perros](/es/perro/).",
    "Read more": "Leer más",
    "Hello %(name)s": "Hola %(name)s",
    "%(count)s minute": ("un minuto", "%(count)s minutos"),
}


def make_project(root: Path, targets: tuple[str, ...] = ("es",), extra: str = "",
                 translate: bool = True) -> Path:
    """Write the project, run `update`, and fill every catalog from SPANISH."""
    (root / "content" / "de").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "bilingual.toml").write_text(
        CONFIG.format(targets="[" + ", ".join(f'"{t}"' for t in targets) + "]", extra=extra),
        encoding="utf-8")
    (root / "content" / "de" / "hund.md").write_text(ARTICLE, encoding="utf-8")
    (root / "content" / "de" / "katze.md").write_text(OTHER, encoding="utf-8")
    (root / "templates" / "base.html").write_text(TEMPLATE, encoding="utf-8")
    update(root)
    if translate:
        for lang in targets:
            for path in sorted((root / "locales" / lang / "LC_MESSAGES").glob("*.po")):
                edit_catalog(path, fill)
    return root


def update(root: Path) -> None:
    apply_plan(plan_update(load_config(root)))


def fill(po: polib.POFile) -> None:
    for entry in po:
        # The build's default templates add UI strings; they keep the English
        # text, which is a translation with every placeholder in place.
        translation = SPANISH.get(entry.msgid, (entry.msgid, entry.msgid_plural)
                                  if entry.msgid_plural else entry.msgid)
        if entry.msgid_plural:
            entry.msgstr_plural = dict(enumerate(translation))
        else:
            entry.msgstr = translation


def edit_catalog(path: Path, change: Callable[[polib.POFile], None]) -> None:
    """Change a catalog the way a translator's tool would, and save it as update does."""
    po = read_catalog(path)
    change(po)
    write_if_changed(path, format_catalog(po))


def set_translation(path: Path, msgid: str, msgstr: str | None = None, **fields) -> int:
    """Set one entry's msgstr (and other polib fields); returns its line."""
    def change(po: polib.POFile) -> None:
        entry = next(e for e in po if e.msgid == msgid)
        if msgstr is not None:
            entry.msgstr = msgstr
        for name, value in fields.items():
            setattr(entry, name, value)
    edit_catalog(path, change)
    return entry_line(path, msgid)


def entry_line(path: Path, msgid: str) -> int:
    return next(e.linenum for e in read_catalog(path) if e.msgid == msgid)


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run `bilingual ARGS` through `cli.main` (exit code mapping included)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with mock.patch.object(sys, "argv", ["bilingual", *args]), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, out.getvalue(), err.getvalue()
