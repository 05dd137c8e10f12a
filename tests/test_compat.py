"""Compatibility with translators' tools, through the real GNU gettext programs.

Poedit and Weblate save catalogs through gettext's own writer; `msgcat` is that
writer. A catalog `bilingual update` wrote must come back from `msgcat` byte
for byte, whatever it holds (plural forms, msgctxt, fuzzy entries with their
previous msgid, obsolete entries), and `msgfmt --statistics` must count what
`bilingual status` counts.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from bilingual.catalog import read_catalog
from tests.checkproject import make_project, run_cli, set_translation, update
from tests.conftest import gettext_tool, msgfmt_check

HUND = "content/de/hund.md"
HUND_PO = "locales/es/LC_MESSAGES/hund.po"
SLUGGED = """\
---
title: Mit Slug
slug: mit-slug
---
Ein Absatz, der gleich bleibt.

Ein Absatz, der sich ändern wird.

Ein Absatz, der verschwindet.
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Catalogs in every state an update can leave them: translated (with a
    plural UI entry and a msgctxt slug), fuzzy with `#| msgid`, untranslated,
    obsolete."""
    root = tmp_path / "project"
    make_project(root)
    (root / "content/de/slug.md").write_text(SLUGGED, encoding="utf-8")
    update(root)
    slug_po = root / "locales/es/LC_MESSAGES/slug.po"
    set_translation(slug_po, "mit-slug", "con-slug")
    set_translation(slug_po, "Mit Slug", "Con slug")
    for text in ("Ein Absatz, der gleich bleibt.", "Ein Absatz, der sich ändern wird.",
                 "Ein Absatz, der verschwindet."):
        set_translation(slug_po, text, "Un párrafo.")
    article = root / "content/de/slug.md"
    article.write_text(SLUGGED.replace("sich ändern wird", "sich geändert hat")
                       .replace("Ein Absatz, der verschwindet.\n", "Ganz neu.\n"),
                       encoding="utf-8")
    hund = root / HUND
    hund.write_text(hund.read_text(encoding="utf-8").replace("im Haus.", "im Garten."),
                    encoding="utf-8")
    update(root)
    return root


def catalogs(root: Path) -> list[Path]:
    return sorted((root / "locales").rglob("*.po"))


def test_the_fixture_covers_every_entry_state(project: Path) -> None:
    kinds = set()
    for path in catalogs(project):
        for entry in read_catalog(path):
            if entry.obsolete:
                kinds.add("obsolete")
            elif "fuzzy" in entry.flags and entry.previous_msgid:
                kinds.add("fuzzy with previous msgid")
            elif entry.msgctxt is not None:
                kinds.add("msgctxt")
            elif entry.msgid_plural and all(entry.msgstr_plural.values()):
                kinds.add("translated plural")
            elif not entry.msgstr and not entry.msgid_plural:
                kinds.add("untranslated")
    assert kinds == {"obsolete", "fuzzy with previous msgid", "msgctxt", "translated plural",
                     "untranslated"}


def test_msgcat_resaves_every_catalog_byte_for_byte(project: Path) -> None:
    msgcat = gettext_tool("msgcat")
    for path in catalogs(project):
        assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr
        resaved = subprocess.run([msgcat, str(path)], capture_output=True, check=True).stdout
        assert resaved.decode("utf-8") == path.read_text(encoding="utf-8"), path


def test_a_catalog_resaved_by_msgcat_is_not_stale_and_update_leaves_it(project: Path) -> None:
    msgcat = gettext_tool("msgcat")
    path = project / HUND_PO
    subprocess.run([msgcat, "-o", str(path), str(path)], check=True)
    before = path.stat().st_mtime_ns
    update(project)
    assert path.stat().st_mtime_ns == before
    code, out, _ = run_cli("-C", str(project), "check", "--format", "json")
    assert not [f for f in json.loads(out)["findings"] if f["code"] == "stale"]


_STATISTICS = re.compile(r"(\d+) (translated|fuzzy|untranslated)")


def msgfmt_statistics(path: Path) -> dict[str, int]:
    """`msgfmt -c --statistics` counts: translated, fuzzy, untranslated."""
    result = subprocess.run([gettext_tool("msgfmt"), "-c", "--statistics", "-o", "/dev/null",
                             str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    counts.update({kind: int(n) for n, kind in _STATISTICS.findall(result.stderr)})
    return counts


def test_msgfmt_statistics_agree_with_bilingual_status(project: Path) -> None:
    code, out, _ = run_cli("-C", str(project), "status", "--format", "json")
    assert code == 0
    rows = json.loads(out)["articles"]
    assert {r["article"] for r in rows} == {HUND, "content/de/katze.md", "content/de/slug.md"}
    seen_fuzzy = seen_untranslated = False
    for row in rows:
        counts = msgfmt_statistics(project / row["catalog"])
        assert counts == {"translated": row["translated"], "fuzzy": row["fuzzy"],
                          "untranslated": row["untranslated"]}, row["catalog"]
        seen_fuzzy |= row["fuzzy"] > 0
        seen_untranslated |= row["untranslated"] > 0
    assert seen_fuzzy and seen_untranslated  # the comparison covered every count
