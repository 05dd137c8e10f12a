"""`bilingual pseudo`: a pseudo-localized site built without touching the real catalogs."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bilingual.catalog import read_catalog
from bilingual.checks import run_checks
from bilingual.config import load_config
from bilingual.pseudo import pseudo_project, pseudo_translate
from tests.checkproject import make_project, run_cli
from tests.conftest import msgfmt_check

ACCENTED = re.compile(r"[ÅḂÇḊÉḞĜĤÎĴĶĻṀÑÖṖQŔŠŢÛṼŴẊÝŽåḃçḋéḟĝĥîĵķļṁñöṗqŕšţûṽŵẋýž]")


@pytest.mark.parametrize("source, kept", [
    # A title is prose, shown on hover and translated: accented inside its kept target.
    ("Ein [Link](katze.md) und [mehr](https://example.org/a?b=c \"Titel &amp; mehr\").",
     ["](katze.md)", "](https://example.org/a?b=c \"Ţîţéļ &amp; ṁéĥŕ\")"]),
    ("![Karte](/images/karte.svg 'Die Karte')", ["](/images/karte.svg 'Ḋîé Ķåŕţé')"]),
    ("Mit `inline code` und ``zwei `ticks` ``.", ["`inline code`", "``zwei `ticks` ``"]),
    ("![Karte](/images/karte.svg)", ["](/images/karte.svg)"]),
    ("Ein <abbr title=\"x\">Tag</abbr> &amp; &#169; und \\* kein Stern.",
     ["<abbr title=\"x\">", "</abbr>", "&amp;", "&#169;", "\\*"]),
    ("Hallo %(name)s, %s und %d von {author} und {}.", ["%(name)s", "%s", "%d", "{author}", "{}"]),
    ("Siehe <https://example.org/pfad> oder https://example.org/x.", ["<https://example.org/pfad>",
                                                                      "https://example.org/x"]),
    ("Zeile eins\\\nZeile zwei", ["\\\n"]),
])
def test_pseudo_translation_keeps_what_translators_must_keep(source: str, kept: list[str]) -> None:
    result = pseudo_translate(source)
    assert result.startswith("[") and result.endswith("]")
    assert len(result) >= 1.3 * len(source)
    for piece in kept:
        assert piece in result, piece
    assert ACCENTED.search(result)
    assert "Link" not in result and "Zeile" not in result  # prose is accented


def test_a_shortcut_reference_keeps_its_label_and_words_in_brackets_stay_words() -> None:
    # Accented, `[Ķûŕžļîñķ]` named no definition and showed as text; rewritten
    # without one, `[sic]` showed as `[šîç][sic]`.
    references = frozenset({"KURZLINK", "LEERER", "BILD"})
    result = pseudo_translate("Ein [Kurzlink] und ein [leerer][] Verweis und [voll][kurzlink], "
                              "![Bild], [sic] und [Anhang A].", references)
    for piece in ("[Ķûŕžļîñķ][Kurzlink]", "[ļééŕéŕ][leerer]", "][kurzlink]", "![Ḃîļḋ][Bild]",
                  " [šîç] ", " [Åñĥåñĝ Å]."):
        assert piece in result, piece
    # What brackets hold is kept as anywhere else: a placeholder, an entity, a tag.
    result = pseudo_translate('[von %(author)s], [&hellip;] und [<abbr title="x">DSGVO</abbr>]')
    for piece in ("[ṽöñ %(author)s]", "[&hellip;]", '[<abbr title="x">ḊŠĜṼÖ</abbr>]'):
        assert piece in result, piece


def test_the_pseudo_site_keeps_the_links_the_articles_define(tmp_path: Path) -> None:
    project = tmp_path / "project"
    assert run_cli("init", str(project))[0] == 0
    (project / "content/de/verweis.md").write_text(
        "---\ntitle: Verweis\n---\nSiehe [Kurzlink] und [sic].\n\n"
        "[Kurzlink]: https://example.org/kurz\n", encoding="utf-8")
    assert run_cli("-C", str(project), "pseudo")[0] == 0
    page = (project / "site-pseudo/es/verweis/index.html").read_text(encoding="utf-8")
    assert '<a href="https://example.org/kurz">Ķûŕžļîñķ</a>' in page
    assert "[šîç]" in page and "[sic]" not in page


def test_blanks_and_newlines_at_the_ends_stay_outside_the_brackets() -> None:
    assert pseudo_translate("\nGuten Tag ") == "\n[Ĝûţéñ Ţåĝ ···] "
    assert pseudo_translate("") == ""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def test_pseudo_catalogs_pass_msgfmt_and_check(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "pseudo"
    copy.mkdir()
    config = pseudo_project(load_config(project), copy)
    written = sorted((copy / "locales/es/LC_MESSAGES").glob("*.po"))
    assert [p.name for p in written] == ["_ui.po", "hund.po", "katze.po"]
    for path in written:
        result = msgfmt_check(path)
        assert result.returncode == 0, result.stderr
        for entry in read_catalog(path):
            forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            assert all(form.startswith("[") and form.endswith("]") for form in forms), entry
    report = run_checks(config)
    assert [(f.code, f.file, f.message) for f in report.findings] == []


SECOND = """\
---
title: Zweiter Artikel
tags: [Einführung, Recht]
---
# Eine Überschrift

Ein Absatz mit [Link](willkommen.md) und `code`.

> Ein Zitat.

| Spalte | Wert |
|---|---|
| Eins | Zwei |

![Eine Karte](/style.css)
"""


def test_cli_builds_every_page_in_pseudo_text_and_leaves_catalogs_alone(tmp_path: Path) -> None:
    project = tmp_path / "project"
    assert run_cli("init", str(project))[0] == 0
    (project / "content/de/zweiter.md").write_text(SECOND, encoding="utf-8")
    assert run_cli("-C", str(project), "update")[0] == 0
    real = catalog_files(project)
    code, out, err = run_cli("-C", str(project), "pseudo")
    assert code == 0, out + err
    assert catalog_files(project) == real
    assert not (project / "site").exists()

    site = project / "site-pseudo"
    german = sorted(p.relative_to(site / "de") for p in (site / "de").rglob("index.html"))
    spanish = sorted(p.relative_to(site / "es") for p in (site / "es").rglob("index.html"))
    # Every German page has its Spanish version, though zweiter.md has no translation.
    assert len(spanish) == len(german) == 5  # home, 2 articles, 2 tags
    for page in spanish:
        text = page_text(site / "es" / page)
        assert text["lang"] == "es"
        assert all(h.startswith("[") and h.endswith("]") for h in text["h1"]), text["h1"]
        assert ACCENTED.search(" ".join(text["p"] + text["h1"])), page
        body = re.search(r'<div class="article-body">(.*?)\n  </div>', text["raw"][0], re.DOTALL)
        for paragraph in re.findall(r"<p>(.*?)</p>", body.group(1) if body else "", re.DOTALL):
            assert re.match(r"\[|<img [^>]*alt=\"\[", paragraph) and ACCENTED.search(paragraph), paragraph
    # The site's title and description are UI catalog entries: accented too,
    # and no longer marked as German text.
    home = page_text(site / "es/index.html")
    title = pseudo_translate("Mein zweisprachiges Magazin")
    description = pseudo_translate("Artikel auf Deutsch und Spanisch")
    assert home["h1"] == [title] and description in home["p"]
    assert f'<p class="lead">{description}</p>' in home["raw"][0]
    assert f"<title>{title}</title>" in home["raw"][0]
    feed = (site / "es/feed.xml").read_text(encoding="utf-8")
    assert f"<title>{title}</title>" in feed and f"<subtitle>{description}</subtitle>" in feed
    article = page_text(site / "es/zweiter/index.html")
    assert article["h1"] == ["[Žŵéîţéŕ Åŕţîķéļ ·····]", "[Éîñé Üḃéŕšçĥŕîḟţ ·····]"]
    html = article["raw"][0]
    assert '<a href="../willkommen/">Ļîñķ</a>' in html and "<code>code</code>" in html
    assert "<td>[Éîñš ··]</td>" in html and 'alt="[Éîñé Ķåŕţé ···]"' in html
    # The pseudo site is sound (the real catalogs' missing entries are another matter).
    _, out, _ = run_cli("-C", str(project), "check", "--site", str(site), "--format", "json")
    assert [f for f in json.loads(out)["findings"] if f["code"] == "site"] == []


def catalog_files(root: Path) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted((root / "locales").rglob("*")) if p.is_file()}


class _Text(HTMLParser):
    """`<html lang>` and the texts of every <h1> and <p> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.result: dict = {"lang": None, "h1": [], "p": [], "raw": []}
        self._buffer: list[str] | None = None
        self._current = ""

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.result["lang"] = dict(attrs).get("lang")
        if tag in ("h1", "p"):
            self._buffer, self._current = [], tag

    def handle_endtag(self, tag):
        if self._buffer is not None and tag == self._current:
            self.result[tag].append("".join(self._buffer).strip())
            self._buffer = None

    def handle_data(self, data):
        if self._buffer is not None:
            self._buffer.append(data)


def page_text(path: Path) -> dict:
    parser = _Text()
    html = path.read_text(encoding="utf-8")
    parser.feed(html)
    parser.result["raw"] = [html]
    return parser.result


def test_a_pseudo_tag_keeps_the_url_slug_of_its_source_tag() -> None:
    from bilingual.site import tag_slug

    for tag in ("Einführung", "Recht & Steuern", "KI-Werkzeuge", "Quiz"):
        assert tag_slug(pseudo_translate(tag)) == tag_slug(tag)


def test_an_error_names_the_projects_file_not_the_temporary_copys(tmp_path: Path) -> None:
    # The pseudo site is built from a copy of the project in a temporary folder,
    # whose path the message named.
    project = tmp_path / "project"
    assert run_cli("init", str(project))[0] == 0
    (project / "content/de/kaputt.md").write_text("---\ntitle: [x\n---\nText.\n", encoding="utf-8")
    code, _, err = run_cli("-C", str(project), "pseudo")
    assert code == 1
    assert "\ncontent/de/kaputt.md:2: front matter is not valid YAML" in err, err
    assert "bilingual-pseudo-" not in err
