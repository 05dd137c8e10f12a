"""Adding a third language (docs/languages.md): one config line, `bilingual update`
creates its catalogs, and once translated the build links all three languages."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bilingual.catalog import format_catalog, read_catalog, write_if_changed
from bilingual.site import language_tag
from tests.checkproject import run_cli
from tests.conftest import msgfmt_check

LANGS = ("de", "es", "en")
PAGES = {"de": "de/willkommen/index.html", "es": "es/willkommen/index.html",
         "en": "en/willkommen/index.html"}


def translate_english(path: Path) -> None:
    """What a translator does: every entry gets an (English-ish) translation."""
    po = read_catalog(path)
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid if entry.msgctxt else "EN " + entry.msgid
    write_if_changed(path, format_catalog(po))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    assert run_cli("init", str(root))[0] == 0
    config = root / "bilingual.toml"
    text = config.read_text(encoding="utf-8")
    # The one line a site operator changes, plus the optional locale for dates.
    text = text.replace('target_languages = ["es"]', 'target_languages = ["es", "en"]')
    config.write_text(text + '\n[languages.en]\nlocale = "en_GB"\n', encoding="utf-8")
    return root



def sitemap_alternates(site, loc):
    """{hreflang: href} of the sitemap entry for `loc`, or None when it has none."""
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    for url in ET.parse(site / "sitemap.xml").getroot().findall("s:url", ns):
        if url.findtext("s:loc", namespaces=ns) == loc:
            return {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
    return None


def test_update_creates_the_english_catalogs(project: Path) -> None:
    code, out, _ = run_cli("-C", str(project), "update")
    assert code == 0, out
    english = project / "locales/en/LC_MESSAGES"
    assert sorted(p.name for p in english.glob("*.po")) == ["_ui.po", "willkommen.po"]
    for path in english.glob("*.po"):
        assert msgfmt_check(path).returncode == 0
        text = path.read_text(encoding="utf-8")
        assert '"Language: en\\n"' in text and '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in text
    # Until translated, the English page is held back and check says why.
    code, out, _ = run_cli("-C", str(project), "build")
    assert code == 0 and "held back: content/de/willkommen.md [en]" in out
    assert not (project / PAGES["en"]).exists()
    code, out, _ = run_cli("-C", str(project), "check", "--lang", "en", "--format", "json")
    assert code == 1 and {f["code"] for f in json.loads(out)["findings"]} == {"missing"}


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_three_languages_are_linked_both_ways(project: Path) -> None:
    assert run_cli("-C", str(project), "update")[0] == 0
    for path in (project / "locales/en/LC_MESSAGES").glob("*.po"):
        translate_english(path)
    code, out, _ = run_cli("-C", str(project), "check")
    assert code == 0, out
    code, out, _ = run_cli("-C", str(project), "build")
    assert code == 0, out
    site = project / "site"

    html = {lang: (site / page).read_text(encoding="utf-8") for lang, page in PAGES.items()}
    expected = {lang: f"https://www.example.com/{lang}/willkommen/" for lang in LANGS}
    expected["x-default"] = expected["de"]
    for lang, page in html.items():
        assert f'<html lang="{lang}">' in page
        assert alternates(page) == expected, lang  # the same group on all three: reciprocal
        switcher = re.search(r'<nav class="language-switcher".*?</nav>', page, re.DOTALL).group()
        assert re.findall(r'<li><(?:a|span)[^>]* lang="(\w+)"', switcher) == list(LANGS)
    assert "<h1>EN Willkommen</h1>" in html["en"]
    assert '<time datetime="2025-09-15">15 September 2025</time>' in html["en"]
    assert '<meta property="og:locale" content="en_GB">' in html["en"]

    assert sitemap_alternates(site, expected["en"]) == expected
    chooser = (site / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{lang}/"' in chooser for lang in LANGS)
    code, out, _ = run_cli("-C", str(project), "check", "--site", str(site))
    assert code == 0, out


@pytest.mark.parametrize(("code", "tag"), [("es", "es"), ("pt_BR", "pt-BR"), ("pt_br", "pt-BR"),
                                           ("zh_Hant_TW", "zh-Hant-TW"), ("zh_TW", "zh-TW"),
                                           ("sr_Latn", "sr-Latn"),
                                           # gettext's forms: a script modifier is the
                                           # script, a deprecated code its successor
                                           # (was `sr-x-latin`, `iw`).
                                           ("sr@latin", "sr-Latn"), ("sr@cyrillic", "sr-Cyrl"),
                                           ("iw", "he"), ("in", "id"),
                                           ("sr@ijekavian", "sr-x-ijekavian")])
def test_language_tag(code: str, tag: str) -> None:
    assert language_tag(code) == tag


# Any `lang`, `hreflang` or `xml:lang` attribute (`data-lang` of the status page too).
LANGUAGE_ATTRIBUTE = re.compile(r'(?<![\w:-])(?:xml:lang|hreflang|lang)="([^"]*)"')


def test_a_language_with_a_territory_gets_its_bcp47_tag(tmp_path: Path) -> None:
    """`pt_BR` is the code of folders and catalogs; pages and XML say `pt-BR`."""
    root = tmp_path / "project"
    assert run_cli("init", str(root))[0] == 0
    config = root / "bilingual.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'target_languages = ["es"]', 'target_languages = ["es", "pt_BR"]'), encoding="utf-8")
    assert run_cli("-C", str(root), "update")[0] == 0
    for lang in ("es", "pt_BR"):
        for path in (root / f"locales/{lang}/LC_MESSAGES").glob("*.po"):
            translate_english(path)
    code, out, _ = run_cli("-C", str(root), "build")
    assert code == 0 and "held back: " not in out, out
    site = root / "site"

    files = sorted(p for p in site.rglob("*") if p.suffix in (".html", ".xml"))
    values = {value for path in files
              for value in LANGUAGE_ATTRIBUTE.findall(path.read_text(encoding="utf-8"))}
    assert {"de", "es", "pt-BR", "x-default"} <= values
    assert not [value for value in values if "_" in value]

    page = (site / "pt_BR/willkommen/index.html").read_text(encoding="utf-8")
    assert '<html lang="pt-BR">' in page
    expected = {"de": "https://www.example.com/de/willkommen/",
                "es": "https://www.example.com/es/willkommen/",
                "pt-BR": "https://www.example.com/pt_BR/willkommen/",
                "x-default": "https://www.example.com/de/willkommen/"}
    assert alternates(page) == expected
    assert alternates((site / "de/willkommen/index.html").read_text(encoding="utf-8")) == expected
    # Open Graph has its own form, language_TERRITORY.
    assert '<meta property="og:locale" content="pt_BR">' in page
    assert '<html lang="pt-BR">' in (site / "pt_BR/index.html").read_text(encoding="utf-8")

    assert sitemap_alternates(site, expected["pt-BR"]) == expected
    feed = ET.parse(site / "pt_BR/feed.xml").getroot()
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "pt-BR"

    code, out, _ = run_cli("-C", str(root), "check", "--site", str(site), "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == [], out


FRENCH_SITE = """[site]
title = "Mon site"
description = "Articles en français"
base_url = "https://example.org"
source_language = "fr"
target_languages = ["es"]
"""


def french_project(tmp_path: Path, extra: str = "") -> Path:
    root = tmp_path / "projet"
    (root / "content/fr").mkdir(parents=True)
    (root / "bilingual.toml").write_text(FRENCH_SITE + extra, encoding="utf-8")
    (root / "content/fr/a.md").write_text("---\ntitle: Bonjour\ndate: 2025-09-15\n---\n"
                                          "Un paragraphe.\n", encoding="utf-8")
    assert run_cli("-C", str(root), "update")[0] == 0
    return root


def test_a_source_language_the_templates_are_not_written_in_has_a_ui_catalog(tmp_path):
    # The built-in templates are German: a French site's own pages showed
    # "Zum Inhalt springen" with nothing to translate it in.
    root = french_project(tmp_path)
    ui = root / "locales/fr/LC_MESSAGES/_ui.po"
    entries = read_catalog(ui)
    assert "Zum Inhalt springen" in {e.msgid for e in entries}
    # The source pages show the configured title and description: not entries.
    assert not [e for e in entries if e.msgctxt in ("site title", "site description")]
    assert sorted(p.name for p in (root / "locales/fr/LC_MESSAGES").iterdir()) == ["_ui.po"]
    assert msgfmt_check(ui).returncode == 0
    code, out, _ = run_cli("-C", str(root), "check", "--format", "json")
    assert code == 1
    assert "locales/fr/LC_MESSAGES/_ui.po" in {f["file"] for f in json.loads(out)["findings"]
                                               if f["code"] == "missing"}
    po = read_catalog(ui)
    next(e for e in po if e.msgid == "Zum Inhalt springen").msgstr = "Aller au contenu"
    write_if_changed(ui, format_catalog(po))
    assert run_cli("-C", str(root), "build")[0] == 0
    french = (root / "site/fr/a/index.html").read_text(encoding="utf-8")
    assert ">Aller au contenu</a>" in french and "Mon site" in french
    spanish_home = (root / "site/es/index.html").read_text(encoding="utf-8")
    assert "Aller au contenu" not in spanish_home  # the Spanish catalog's, or the template's


def test_templates_written_in_the_source_language_need_no_ui_catalog_of_it(tmp_path):
    root = french_project(tmp_path, 'ui_language = "fr"\n')
    assert not (root / "locales/fr").exists()
    assert (root / "locales/es/LC_MESSAGES/_ui.po").is_file()


def site_with_targets(tmp_path: Path, *targets: str) -> Path:
    """The folder of a scaffolded project's site, built with drafts, whose
    target languages are Spanish and `targets`."""
    root = tmp_path / "projekt"
    assert run_cli("init", str(root))[0] == 0
    config = root / "bilingual.toml"
    listed = ", ".join(f'"{lang}"' for lang in ("es", *targets))
    config.write_text(config.read_text(encoding="utf-8").replace(
        'target_languages = ["es"]', f"target_languages = [{listed}]"), encoding="utf-8")
    assert run_cli("-C", str(root), "update")[0] == 0
    assert run_cli("-C", str(root), "build", "--drafts")[0] == 0
    return root / "site"


def test_a_language_written_right_to_left_gets_dir_rtl(tmp_path):
    # Arabic pages were `<html lang="ar">` alone: browsers laid them out left to right.
    site = site_with_targets(tmp_path, "ar")
    assert '<html lang="ar" dir="rtl">' in (site / "ar/index.html").read_text(encoding="utf-8")
    for page, lang in (("de/index.html", "de"), ("es/index.html", "es"), ("index.html", "de")):
        html = (site / page).read_text(encoding="utf-8")
        assert re.search(r"<html [^>]*>", html).group() == f'<html lang="{lang}">'
        # The way to the Arabic site is marked right to left where it is a link.
        assert 'hreflang="ar"' in html and re.search(r'<a [^>]*hreflang="ar"[^>]*dir="rtl"', html)
        # German on a page that runs left to right needs no `dir` of its own.
        assert 'dir="ltr"' not in html


def test_german_on_a_right_to_left_page_is_marked_left_to_right(tmp_path):
    # A draft's untranslated blocks, title and listing entries had `lang="de"`
    # alone: inside `dir="rtl"` their full stops stood at the start.
    site = site_with_targets(tmp_path, "ar")
    article = (site / "ar/willkommen/index.html").read_text(encoding="utf-8")
    home = (site / "ar/index.html").read_text(encoding="utf-8")
    for html in (article, home):
        german = re.findall(r'<(\w+)[^>]* lang="de"[^>]*>', html)
        assert len(german) >= 6
        assert german == re.findall(r'<(\w+)[^>]* lang="de" dir="ltr"', html)
    # The title, a paragraph, a list item of the body; the entry on the home page.
    assert {"h1", "p", "li"} <= set(re.findall(r'<(\w+)[^>]* lang="de" dir="ltr"', article))
    assert re.search(r'<h2><a href="willkommen/" lang="de" dir="ltr">', home)
    # The switcher's link to the German site, too.
    assert re.search(r'<a [^>]*hreflang="de" lang="de" dir="ltr">Deutsch</a>', home)


def test_languages_of_one_name_are_told_apart_in_the_switcher(tmp_path):
    # Portuguese of Portugal and of Brazil were both "Português" in the switcher.
    site = site_with_targets(tmp_path, "pt_PT", "pt_BR")
    home = (site / "de/index.html").read_text(encoding="utf-8")
    names = re.findall(r'hreflang="(pt-PT|pt-BR|es)" lang="[^"]+">([^<]+)</a>', home)
    assert sorted(names) == [("es", "Español"), ("pt-BR", "Português (Brasil)"),
                             ("pt-PT", "Português (Portugal)")]


def test_og_locale_alternates_name_each_locale_once_and_never_the_pages_own(tmp_path):
    # `sr` and `sr_Latn` share the locale sr_RS: the Serbian Latin page named
    # itself as an alternate, and the root page named sr_RS twice.
    site = site_with_targets(tmp_path, "sr", "sr_Latn")
    for page in ("sr_Latn/index.html", "index.html", "de/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        own = re.search(r'<meta property="og:locale" content="([^"]+)">', html).group(1)
        others = re.findall(r'<meta property="og:locale:alternate" content="([^"]+)">', html)
        assert own not in others and len(others) == len(set(others)), (page, own, others)


@pytest.mark.parametrize(("locale", "expected"), [
    # Traditional Chinese was labelled zh_CN, mainland Simplified, in previews.
    ("zh_Hant", "zh_TW"), ("zh_Hans", "zh_CN"), ("pa_Arab", "pa_PK"),
    ("es", "es_ES"), ("pt_BR", "pt_BR"), ("sr_Latn", "sr_RS")])
def test_og_locale_takes_the_territory_likely_for_the_script(locale, expected):
    from bilingual.site import og_locale

    assert og_locale(locale) == expected


def test_a_gettext_script_modifier_is_the_script_of_dates_and_names(tmp_path):
    # `sr@latin` pages showed Cyrillic dates and the name `Српски`, like `sr`.
    from bilingual.config import SiteConfig

    config = SiteConfig(tmp_path, "t", "https://example.org", "de", ("sr", "sr@latin"))
    assert (config.babel_locale("sr@latin"), config.babel_locale("sr")) == ("sr_Latn", "sr")
    assert config.language_name("sr@latin") == "srpski (latinica)"
    site = site_with_targets(tmp_path, "sr", "sr@latin")
    latin = (site / "sr@latin/index.html").read_text(encoding="utf-8")
    assert '<html lang="sr-Latn">' in latin and "septembar 2025" in latin
    assert ">Srpski<" in latin and ">Српски<" in latin
