"""`bilingual status`: counts per article and language, totals, both formats."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from bilingual.config import load_config
from bilingual.status import collect_status, count_words
from tests.checkproject import entry_line, make_project, run_cli, set_translation, update

HUND_PO = "locales/es/LC_MESSAGES/hund.po"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def status_json(root: Path, *args: str) -> tuple[int, dict]:
    code, out, _ = run_cli("-C", str(root), "status", "--format", "json", *args)
    return code, json.loads(out)


def test_complete_project(project: Path) -> None:
    code, report = status_json(project)
    assert code == 0
    rows = {r["article"]: r for r in report["articles"]}
    assert rows["content/de/hund.md"] == {
        "article": "content/de/hund.md", "lang": "es", "catalog": HUND_PO,
        "segments": 10, "translated": 10, "fuzzy": 0, "untranslated": 0,
        "words": 24, "untranslated_words": 0, "fuzzy_words": 0,
        "state": "published", "complete": True, "published": True}
    assert report["totals"] == {"es": {
        "articles": 2, "published": 2, "held_back": 0, "segments": 13, "translated": 13,
        "fuzzy": 0, "untranslated": 0, "words": 34, "untranslated_words": 0,
        "fuzzy_words": 0}}


def test_fuzzy_and_untranslated_hold_an_article_back(project: Path) -> None:
    article = project / "content/de/hund.md"
    article.write_text(article.read_text().replace("im Haus.", "im Garten."))
    update(project)
    set_translation(project / HUND_PO, "Erste Schritte", "")
    _, report = status_json(project)
    row = next(r for r in report["articles"] if r["article"] == "content/de/hund.md")
    assert (row["segments"], row["translated"], row["fuzzy"], row["untranslated"]) == (10, 8, 1, 1)
    assert (row["untranslated_words"], row["fuzzy_words"]) == (2, 5)
    assert (row["state"], row["complete"], row["published"]) == ("held back", False, False)
    assert report["totals"]["es"]["held_back"] == 1
    assert report["totals"]["es"]["published"] == 1


def test_a_fuzzy_entry_without_a_translation_counts_as_untranslated(project: Path) -> None:
    # Lokalize keeps the flag on a cleared translation: status counted it
    # fuzzy and check asked to review a translation that was not there,
    # where msgfmt counts it untranslated.
    # Written as the tool writes it: update, like msgcat, drops the flag there.
    catalog = project / HUND_PO
    text = catalog.read_text(encoding="utf-8")
    text = re.sub(r'(#[^\n]*\n)?(msgid "Erste Schritte"\nmsgstr )"[^"\n]*"',
                  lambda m: f'{m.group(1) or ""}#, fuzzy\n{m.group(2)}""', text, count=1)
    catalog.write_text(text, encoding="utf-8")
    line = entry_line(catalog, "Erste Schritte")
    _, report = status_json(project)
    row = next(r for r in report["articles"] if r["article"] == "content/de/hund.md")
    assert (row["translated"], row["fuzzy"], row["untranslated"]) == (9, 0, 1)
    code, out, _ = run_cli("-C", str(project), "check")
    assert code == 1
    assert f'{HUND_PO}:{line}: error: not translated yet: "Erste Schritte" [missing]' in out
    assert "[fuzzy]" not in out


def test_status_says_when_articles_have_no_catalog_yet(project: Path) -> None:
    # A renamed article showed 0 translated and every word to translate, with
    # no hint that `update` would bring its translations back.
    (project / "content/de/hund.md").rename(project / "content/de/der-hund.md")
    code, out, err = run_cli("-C", str(project), "status")
    assert code == 0
    assert err == ("note: 1 article version(s) have no catalog yet (content/de/der-hund.md "
                   "[es]): new, renamed or moved articles; run `bilingual update`, which may "
                   "fill them from translations made before\n")
    update(project)
    code, out, err = run_cli("-C", str(project), "status")
    assert (code, err) == (0, "")
    assert status_json(project)[1]["totals"]["es"]["untranslated"] == 0


def test_article_without_catalog_counts_everything_untranslated(project: Path) -> None:
    (project / "content/de/neu.md").write_text("---\ntitle: Neu\n---\nGanz neu hier.\n")
    config = load_config(project)
    row = next(r for r in collect_status(config).rows if r.article == "content/de/neu.md")
    assert (row.segments, row.translated, row.untranslated, row.untranslated_words) == (2, 0, 2, 4)
    assert row.state == "held back"


def test_draft_and_handwritten_states(project: Path) -> None:
    article = project / "content/de/katze.md"
    article.write_text(article.read_text().replace("title: Die Katze", "title: Die Katze\n"
                                                   "draft: true"))
    set_translation(project / HUND_PO, "Der Hund", "")  # left, as the catalog is not used
    (project / "content/es").mkdir()
    (project / "content/es/perro.md").write_text(
        "---\ntitle: El perro\ntranslation_of: content/de/hund.md\n---\nEl perro.\n")
    report = collect_status(load_config(project))
    states = {r.article: r.state for r in report.rows}
    assert states == {"content/de/hund.md": "hand-written", "content/de/katze.md": "draft"}
    # The hand-written version is the translation: its unused catalog leaves
    # nothing untranslated in the team's figures (it counted as held back work).
    hund = next(r for r in report.rows if r.article == "content/de/hund.md")
    assert hund.segments > 0 and (hund.translated, hund.fuzzy, hund.untranslated,
                                  hund.untranslated_words) == (hund.segments, 0, 0, 0)


def test_text_table(project: Path) -> None:
    set_translation(project / HUND_PO, "Der Hund", "")
    code, out, _ = run_cli("-C", str(project), "status")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["article", "lang", "segments", "translated", "fuzzy",
                                "untranslated", "untranslated", "words", "state"]
    assert lines[2].split() == ["content/de/hund.md", "es", "10", "9", "0", "1", "2", "held",
                                "back"]
    assert lines[3].split() == ["content/de/katze.md", "es", "3", "3", "0", "0", "0",
                                "published"]
    assert lines[5].split() == ["total", "es", "13", "12", "0", "1", "2", "1", "of", "2",
                                "published"]


def test_text_table_columns_line_up_for_decomposed_and_wide_names(project: Path) -> None:
    # A name written decomposed (`U` + U+0308) took one column less on the
    # terminal than its length, an emoji one more: the rows ran out of line.
    article = (project / "content/de/katze.md").read_text(encoding="utf-8")
    for name in (unicodedata.normalize("NFD", "Übersicht"), "日本🐕"):
        (project / f"content/de/{name}.md").write_text(article, encoding="utf-8")
    _, out, _ = run_cli("-C", str(project), "status")
    lines = out.splitlines()
    state = lines[0].index("state")
    assert all(status_columns(line[:line.rindex("  ") + 2]) == state
               for line in lines[2:] if line and not line.startswith("-"))


def status_columns(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF"
               else 1 for c in text)


def test_unreadable_catalog_is_an_error(project: Path) -> None:
    path = project / HUND_PO
    path.write_text(path.read_text().replace('msgstr "El perro"', 'msgstr "El perro'))
    code, out, err = run_cli("-C", str(project), "status", "--format", "json")
    assert code == 1
    assert [r["article"] for r in json.loads(out)["articles"]] == ["content/de/katze.md"]
    # Named from the project, as `check` names it (was: the absolute path).
    assert "error: locales/es/LC_MESSAGES/hund.po:18: end-of-line within string" in err


def test_usage_errors(project: Path) -> None:
    assert run_cli("-C", str(project), "status", "--format", "xml")[0] == 2
    assert run_cli("-C", str(project), "status", "--lang", "fr")[0] == 2


@pytest.mark.parametrize(("text", "words"), [
    ("Der Hund schläft.", 3),
    ("Ein [Link](https://example.org/lange/adresse) hier.", 3),
    ("Mit `pip install` und **stark**.", 5),
    ("![Ein Bild vom Hund](/a.png)", 4),
    ('![Hund](/a.png "Der Hund im Garten")', 5),
    ('Ein [Link](https://example.org "zur Startseite") hier.', 5),
    ("Die <abbr title=\"Datenschutz\">DSGVO</abbr> gilt seit 2018.", 5),
    ("E-Mail an Müller's Büro, z.B. heute.", 6),
])
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


@pytest.mark.parametrize("blank", [" ", "\n", "\u00a0\t"])
def test_a_translation_of_only_whitespace_counts_as_untranslated(project: Path,
                                                                 blank: str) -> None:
    set_translation(project / HUND_PO, "Erste Schritte", blank)
    _, report = status_json(project)
    row = next(r for r in report["articles"] if r["article"] == "content/de/hund.md")
    assert (row["translated"], row["fuzzy"], row["untranslated"]) == (9, 0, 1)
    assert (row["untranslated_words"], row["state"]) == (2, "held back")
