"""`bilingual build`: the whole fixture site against its golden tree, and what
the build refuses, reports and removes.

Regenerate the golden tree after an intended change with
`BILINGUAL_UPDATE_GOLDENS=1 python -m pytest tests/test_build.py` and review
the diff of tests/fixtures/golden/.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

import bilingual.build
import bilingual.cache
import bilingual.templates
from bilingual.build import MANIFEST, build_site, render_site
from bilingual.catalog import format_catalog, read_catalog
from bilingual.cli import cli
from bilingual.config import load_config
from bilingual.errors import BilingualError
from bilingual.merge import is_translated
from bilingual.templates import BUILTIN_TEMPLATES, template_files
from bilingual.update import ui_catalog_entries, ui_template_entries

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE = FIXTURES / "site"
GOLDEN = FIXTURES / "golden"
UI_PO = FIXTURE / "locales/es/LC_MESSAGES/_ui.po"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_fixture_site_matches_the_golden_tree(tmp_path):
    site = tmp_path / "site"
    build_site(load_config(FIXTURE), output=site)
    built = tree(site)
    if os.environ.get("BILINGUAL_UPDATE_GOLDENS") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(site, GOLDEN)
        pytest.skip("golden tree regenerated; review the diff")
    golden = tree(GOLDEN)
    assert sorted(built) == sorted(golden), "files differ from tests/fixtures/golden/"
    for name, data in golden.items():
        if built[name] != data:
            diff = "\n".join(difflib.unified_diff(
                data.decode(errors="replace").splitlines(),
                built[name].decode(errors="replace").splitlines(),
                f"golden/{name}", f"built/{name}", lineterm="", n=2))
            pytest.fail(f"{name} differs from the golden tree "
                        f"(BILINGUAL_UPDATE_GOLDENS=1 regenerates):\n{diff}")


def test_two_builds_are_byte_identical_and_a_rebuild_writes_nothing(tmp_path):
    config = load_config(FIXTURE)
    first = build_site(config, output=tmp_path / "a")
    second = build_site(config, output=tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert first.written == first.files and second.written == second.files
    again = build_site(config, output=tmp_path / "a")
    assert again.written == () and again.removed == ()


def test_the_collector_leaves_the_gathered_records_alone_until_thawed(tmp_path, monkeypatch):
    # One core, so no worker is forked (forking freezes the heap anyway): each
    # collection after gathering would walk the thousands of records again.
    import gc

    import bilingual.build
    from bilingual.parallel import thaw_heap

    monkeypatch.setenv("BILINGUAL_JOBS", "1")
    still_tracked: list[bool] = []
    original = bilingual.build.tag_pages

    def spy(config, newest):
        newest = list(newest)
        tracked = {id(o) for o in gc.get_objects()}
        still_tracked.extend(id(a) in tracked for a in newest)
        return original(config, newest)

    monkeypatch.setattr(bilingual.build, "tag_pages", spy)
    thaw_heap()
    try:
        build_site(load_config(FIXTURE), output=tmp_path / "site")
        assert still_tracked and not any(still_tracked)
    finally:
        thaw_heap()
    assert gc.get_freeze_count() == 0


def test_a_rebuild_does_not_hash_the_pages_it_took_from_the_cache(make_project, monkeypatch):
    # Each page's digest is kept with it: comparing and recording thousands of
    # unchanged pages then costs no hashing.
    import bilingual.build
    import bilingual.publish

    root = make_project({f"content/de/a{n}.md": article(f"A{n}") for n in range(30)})
    build(root)
    hashed: list[bytes] = []
    original = bilingual.publish.packed_digest

    def counting(packed: bytes) -> bytes:
        hashed.append(packed)
        return original(packed)

    monkeypatch.setattr(bilingual.publish, "packed_digest", counting)
    monkeypatch.setattr(bilingual.build, "packed_digest", counting, raising=False)
    (root / "content/de/a7.md").write_text(article("A7", "Ein anderer Absatz.\n"),
                                           encoding="utf-8")
    out, summary = build(root)
    assert "de/a7/index.html" in summary.written
    assert 0 < len(hashed) < 30 <= len(summary.pages)
    assert (out / "de/a7/index.html").read_text(encoding="utf-8").count("Ein anderer Absatz.") == 1


def test_a_build_takes_each_file_once_and_sees_a_file_changed_meanwhile(make_project,
                                                                         monkeypatch):
    # The state of every input is taken once, before anything is read, and
    # gathering keys its records by it instead of taking each file's again.
    # A file written after that may show as it was; the build after sees it
    # changed, and the site is then the one a clean build makes.
    import bilingual.build
    import bilingual.gather
    import bilingual.publish

    root = make_project({f"content/de/a{n}.md": article(f"A{n}") for n in range(5)})
    build(root)
    looked_at: list[str] = []
    original = bilingual.gather.file_state

    def counting(path: Path) -> str:
        looked_at.append(str(path))
        return original(path)

    monkeypatch.setattr(bilingual.gather, "file_state", counting)
    config = load_config(root)
    inputs = bilingual.publish.input_state(config)
    (root / "content/de/a3.md").write_text(article("A3", "Später geschrieben.\n"),
                                           encoding="utf-8")
    out = root.parent / "out"
    bilingual.build.rebuild_site(config, False, out, None, inputs)
    assert looked_at == []
    _, summary = build(root)
    assert summary.written  # not taken for the build just made
    assert "Später geschrieben." in (out / "de/a3/index.html").read_text(encoding="utf-8")
    clean = root.parent / "clean"
    shutil.rmtree(root / ".bilingual-cache")
    build_site(load_config(root), output=clean)
    assert tree(out) == tree(clean)


def test_a_listing_keeps_its_entries_when_articles_only_leave_it(make_project, monkeypatch):
    # The kept entries of a listing are written again when one is new, or
    # when more than a tenth of them are no longer shown: an article held
    # back or withdrawn from a home page of thousands does not rewrite them all.
    import bilingual.cache

    root = make_project({f"content/de/a{n:02}.md": article(f"A{n}") for n in range(20)})
    written: list[bytes] = []  # the keys (`entries_key`) of the listings written
    original = bilingual.cache.ResultCache.put

    def counting(self, kind, data, value, keep=True, owner=None):
        if kind == "entries":
            written.append(data)
        return original(self, kind, data, value, keep, owner)

    monkeypatch.setattr(bilingual.cache.ResultCache, "put", counting)

    def withdraw(*numbers: int) -> None:
        for n in numbers:
            (root / f"content/de/a{n:02}.md").write_text(
                article(f"A{n}", draft="true"), encoding="utf-8")

    def home_written() -> bool:
        return any(key.endswith(b"de/index.html") for key in written)

    out, _ = build(root)
    assert home_written()
    written.clear()
    withdraw(1, 2)  # a tenth of the kept entries
    build(root)
    assert not home_written()
    withdraw(3)  # more than a tenth
    build(root)
    assert home_written()
    home = (out / "de/index.html").read_bytes()
    assert b"a01/" not in home and b"a04/" in home
    shutil.rmtree(root / ".bilingual-cache")
    clean = root.parent / "clean"
    build_site(load_config(root), output=clean)
    assert (clean / "de/index.html").read_bytes() == home


def test_a_rebuild_reads_the_html_of_no_page_it_keeps(make_project, monkeypatch):
    # A kept page whose file in the output is the one recorded is not written,
    # so its HTML (a fifth of the pages' bytes, packed) is not even read.
    import zlib

    from bilingual.cache import ResultCache

    root = make_project({f"content/de/a{n}.md": article(f"A{n}") for n in range(30)})
    build(root)
    loaded: list[object] = []
    peek_many, load = ResultCache.peek_many, ResultCache._load

    def peeking_many(self, *args, **kwargs):
        found = peek_many(self, *args, **kwargs)
        loaded.extend(found)
        return found

    def loading(self, *args, **kwargs):
        found = load(self, *args, **kwargs)
        loaded.append(found)
        return found

    monkeypatch.setattr(ResultCache, "peek_many", peeking_many)
    monkeypatch.setattr(ResultCache, "_load", loading)

    def pages_in(value: object) -> int:
        if isinstance(value, tuple | list):
            return sum(pages_in(part) for part in value)
        try:
            return b"<!DOCTYPE html>" in zlib.decompress(value)  # type: ignore[arg-type]
        except (TypeError, zlib.error):
            return 0

    (root / "content/de/a7.md").write_text(article("A7", "Ein anderer Absatz.\n"),
                                           encoding="utf-8")
    out, summary = build(root)
    assert "de/a7/index.html" in summary.written and len(summary.pages) > 30
    assert loaded and sum(pages_in(value) for value in loaded) == 0


def test_pages_kept_in_the_cache_are_written_again_when_the_output_is_gone(make_project):
    # Then their HTML is read from the cache; when another run pruned it, or it
    # is damaged, the page is rendered again: the site is the same either way.
    import sqlite3

    from bilingual.cache import CACHE_FOLDER, ResultCache

    root = make_project({f"content/de/a{n}.md": article(f"A{n}") for n in range(30)})
    out, _ = build(root)
    clean = tree(out)
    shutil.rmtree(out)
    _, summary = build(root)
    assert tree(out) == clean and len(summary.written) == len(clean)
    database = sqlite3.connect(root / CACHE_FOLDER / ResultCache.DATABASE)
    with database:
        pruned = database.execute("DELETE FROM results WHERE key IN (SELECT key FROM results "
                                  "WHERE kind = 'page-html' ORDER BY key LIMIT 16)").rowcount
        damaged = database.execute("UPDATE results SET value = X'00' "
                                   "WHERE kind = 'page-html'").rowcount
    database.close()
    assert pruned == 16 and damaged > 10
    shutil.rmtree(out)
    build(root)
    assert tree(out) == clean


def test_build_reports_held_back_articles_and_broken_links():
    rendered = render_site(load_config(FIXTURE))
    held = {(h.source, h.lang): h for h in rendered.held_back}
    kartell = held[("content/de/kartellrecht.md", "es")]
    assert (kartell.missing, kartell.fuzzy, kartell.built_as_draft) == (1, 1, False)
    assert kartell.describe() == ("held back: content/de/kartellrecht.md [es]: 1 missing, "
                                  "1 fuzzy of 6 segments in "
                                  "locales/es/LC_MESSAGES/kartellrecht.po")
    assert held[("content/de/entwurf.md", "de")].reason == "draft: true in its front matter"
    assert set(held) == {("content/de/kartellrecht.md", "es"), ("content/de/entwurf.md", "de")}
    assert rendered.warnings == (
        "locales/es/LC_MESSAGES/blog/kooperation.po: not used; content/es/blog/cooperacion.md "
        "is the hand-written es version of content/de/blog/kooperation.md",
        "content/de/markteintritt.md: links to 'gibt-es-nicht.md', which is no article",)


def _link_warnings(summary) -> list[str]:
    return [w for w in summary.warnings if "links to" in w]


def test_a_relative_link_or_image_to_no_page_or_file_of_the_site_is_a_warning(make_project):
    # Files beside an article in content/ are not copied: `karte.svg` next to
    # a.md is a broken image on /de/a/, as `/images/fehlt.png` would be.
    body = ("![Karte](karte.svg) [PDF](files/preis.pdf?v=2#seite-2) [B](../b/) "
            "[B oben](../b/#oben) [Stil](../../style.css) [Bild](../../images/x.svg?v=1) "
            "[Start](../) [Ganz oben](../../../b/)\n")
    root = make_project({"content/de/a.md": article("A", body),
                         "content/de/b.md": article("B"),
                         "static/images/x.svg": "<svg/>"})
    out, summary = build(root)
    assert _link_warnings(summary) == [
        "content/de/a.md: links to '../../../b/', which is no page or file of the site",
        "content/de/a.md: links to 'files/preis.pdf?v=2#seite-2', which is no page or file "
        "of the site",
        "content/de/a.md: links to 'karte.svg', which is no page or file of the site"]
    # Published as written, whether they resolve or not.
    page = (out / "de/a/index.html").read_text(encoding="utf-8")
    assert 'src="karte.svg"' in page and 'href="../b/#oben"' in page
    assert 'href="../../images/x.svg?v=1"' in page


def test_a_link_warning_names_the_target_as_the_author_wrote_it(make_project):
    # The parser percent-encodes a target: the author of `Öl-fehlt.md` read
    # `links to '%C3%96l-fehlt.md'`.
    root = make_project({"content/de/a.md": article(
        "A", "[Öl](Öl-fehlt.md) [B](Straße.png) [P](plan%2520final.pdf)\n")})
    _, summary = build(root)
    assert _link_warnings(summary) == [
        "content/de/a.md: links to 'Straße.png', which is no page or file of the site",
        "content/de/a.md: links to 'plan%2520final.pdf', which is no page or file of the site",
        "content/de/a.md: links to 'Öl-fehlt.md', which is no article"]


def test_raw_html_from_the_hosts_root_under_a_base_path_is_a_warning(make_project):
    # Markdown's `/images/x.svg` is the site's root, made relative; raw HTML's
    # is the host's, outside https://www.example.com/kanzlei/: a 404 the build
    # did not mention.
    body = ('![Karte](/images/karte.svg) [Fehlt](/de/fehlt/)\n\n'
            '<img src="/images/karte.svg" alt="Karte"> <a href=\'/de/a/\'>A</a> '
            '<img src="//cdn.example.com/x.png" alt=""> <a href="b/">B</a>\n\n'
            # Text about HTML, not HTML: no warning.
            'Etwa `<a href=/kontakt/>` oder das Attribut src=/logo.png.\n')
    files = {"content/de/a.md": article("A", body), "static/images/karte.svg": "<svg/>"}
    root = make_project(files, config=CONFIG_WITH_PATH)
    out, summary = build(root)
    rooted = [w for w in summary.warnings if "raw HTML" in w]
    assert rooted == [
        f"content/de/a.md: raw HTML links to '{target}' from the host's root, outside the site "
        "at https://www.example.com/kanzlei/: write the link in Markdown, which the build makes "
        "relative, or relative to the page" for target in ("/de/a/", "/images/karte.svg")]
    assert [w for w in _link_warnings(summary) if "raw HTML" not in w] == [
        "content/de/a.md: links to '/de/fehlt/', which is no page or file of the site"]
    page = (out / "de/a/index.html").read_text(encoding="utf-8")
    assert 'src="../../images/karte.svg"' in page and '<img src="/images/karte.svg"' in page
    # At the host's root, the same article is fine.
    (root / "bilingual.toml").write_text(CONFIG_WITH_PATH.replace("/kanzlei/", ""))
    assert not [w for w in build(root)[1].warnings if "raw HTML" in w]


def test_names_written_with_decomposed_letters_are_found_as_written(make_project):
    # A Mac wrote the files and the text with `ö` as `o` + U+0308 (NFD): the
    # text names the files as they are (reading it composed, the hand-written
    # translation's `translation_of` and the image named no file).
    def nfd(text: str) -> str:
        return unicodedata.normalize("NFD", text)
    root = make_project({
        f"static/images/{nfd('Größe.png')}": "png",
        f"content/de/{nfd('Übersicht.md')}": nfd(
            article("Übersicht", "![Größe](/images/Größe.png)\n")),
        "content/es/resumen.md": nfd(
            "---\ntitle: Resumen\ntranslation_of: Übersicht.md\n---\n\nTexto.\n"),
    })
    out, summary = build(root)
    assert not _link_warnings(summary)
    assert (out / "es/resumen/index.html").is_file()
    page = (out / f"de/{nfd('Übersicht')}/index.html").read_text(encoding="utf-8")
    assert 'src="../../images/Gro%CC%88%C3%9Fe.png"' in page


def test_a_translated_page_finds_the_files_beside_the_german_page(make_project):
    # `static/de/karte/plan.svg` beside /de/karte/: the Spanish page, made from
    # the same Markdown, linked `plan.svg` beside /es/karte/, a broken image,
    # and the build warned about the German article, whose page was fine.
    body = "![Plan der Stadt](plan.svg) [das PDF](info.pdf#s2) [fehlt](weg.pdf)\n"
    root = make_project({
        "content/de/karte.md": article("Karte", body),
        "static/de/karte/plan.svg": "<svg/>", "static/de/karte/info.pdf": "%PDF",
        "locales/es/LC_MESSAGES/karte.po": catalog({
            "Karte": "Mapa",
            body.strip(): "![Plano de la ciudad](plan.svg) [el PDF](info.pdf#s2) [falta](weg.pdf)"}),
    })
    out, summary = build(root)
    german = (out / "de/karte/index.html").read_text(encoding="utf-8")
    spanish = (out / "es/karte/index.html").read_text(encoding="utf-8")
    assert 'src="plan.svg"' in german and 'href="info.pdf#s2"' in german
    assert 'src="../../de/karte/plan.svg"' in spanish
    assert 'href="../../de/karte/info.pdf#s2"' in spanish
    # A file that is nowhere stays as written, with the warning it had.
    assert 'href="weg.pdf"' in spanish
    assert _link_warnings(summary) == [
        "content/de/karte.md: links to 'weg.pdf', which is no page or file of the site"]
    # A file of the Spanish page's own is its own.
    (root / "static/es/karte").mkdir(parents=True)
    (root / "static/es/karte/plan.svg").write_text("<svg>es</svg>", encoding="utf-8")
    out, _ = build(root)
    assert 'src="plan.svg"' in (out / "es/karte/index.html").read_text(encoding="utf-8")


def test_a_link_into_another_languages_content_folder_names_that_article(make_project):
    # `../de/willkommen.md` from content/es/ is content/de/willkommen.md; it
    # was called "outside the content folder" and published as a broken link.
    root = make_project({
        "content/de/willkommen.md": article("Willkommen"),
        "content/es/sobre.md": article("Sobre", "[Bienvenida](../de/willkommen.md#a) y "
                                                "[fuera](../../x.md).\n"),
    })
    out, summary = build(root)
    page = (out / "es/sobre/index.html").read_text(encoding="utf-8")
    # Held back in Spanish (no catalog): the German page, as for any `.md` link.
    assert 'href="../../de/willkommen/#a"' in page
    assert _link_warnings(summary) == [
        "content/es/sobre.md: links to '../../x.md', which is outside the content folder"]


def test_a_file_added_later_drops_the_warning_of_a_relative_link(make_project):
    # The page is kept in the cache; its links are checked again when the
    # site's files change, so the next build no longer warns.
    root = make_project({"content/de/a.md": article("A", "[PDF](../../files/preis.pdf)\n")})
    _, summary = build(root)
    assert _link_warnings(summary) == [
        "content/de/a.md: links to '../../files/preis.pdf', which is no page or file of the site"]
    (root / "static/files").mkdir(parents=True)
    (root / "static/files/preis.pdf").write_bytes(b"%PDF")
    _, summary = build(root)
    assert _link_warnings(summary) == []


def test_an_image_field_naming_no_file_of_the_site_is_a_warning_at_its_line(make_project):
    # og:image would point at nothing: link previews show no picture. Once
    # per field, though the German and the Spanish page both carry it.
    root = make_project({
        "content/de/a.md": article("A", image="/images/fehlt.png"),
        "content/de/b.md": article("B", image="bild.svg"),
        "content/de/c.md": article("C", image="/images/da%20hier.svg?v=2"),
        "content/de/d.md": article("D", image="https://cdn.example.org/fehlt.png"),
        "locales/es/LC_MESSAGES/a.po": catalog({"A": "A", "Ein Absatz.": "Un párrafo."}),
        "static/images/da hier.svg": "<svg/>",
    })
    out, summary = build(root)
    assert [w for w in summary.warnings if "image" in w] == [
        "content/de/a.md:4: image '/images/fehlt.png' is no file of the site "
        "(static/images/fehlt.png is missing)",
        "content/de/b.md:4: image 'bild.svg' is no file of the site (static/bild.svg is missing)"]
    assert ('<meta property="og:image" content="https://www.example.com/images/fehlt.png">'
            in (out / "es/a/index.html").read_text(encoding="utf-8"))
    assert ('<meta property="og:image" content="https://www.example.com/images/da%20hier.svg?v=2">'
            in (out / "de/c/index.html").read_text(encoding="utf-8"))
    # The pages are kept in the cache; the warning goes with the missing file.
    (root / "static/images/fehlt.png").write_bytes(b"\x89PNG")
    _, summary = build(root)
    assert [w for w in summary.warnings if "image" in w] == [
        "content/de/b.md:4: image 'bild.svg' is no file of the site (static/bild.svg is missing)"]


def test_an_undated_article_keeps_its_page_but_stays_out_of_the_feed(make_project):
    # `date` is optional: an "about" page has none, and no place in a feed
    # of what was published when (it would claim 1970-01-01 there).
    atom = "{http://www.w3.org/2005/Atom}"
    root = make_project({
        "content/de/a.md": article("Datiert", updated="2025-10-01"),
        "content/de/ueber-uns.md": "---\ntitle: Über uns\n---\n\nWer wir sind.\n",
        "content/de/nur-aktualisiert.md": "---\ntitle: Nur aktualisiert\nupdated: 2025-11-01\n"
                                          "---\n\nOhne Datum.\n",
    })
    out, _ = build(root)
    feed = ET.fromstring((out / "de/feed.xml").read_bytes())
    assert [e.findtext(f"{atom}title") for e in feed.findall(f"{atom}entry")] == ["Datiert"]
    assert feed.findtext(f"{atom}updated") == "2025-10-01T00:00:00Z"
    assert b"1970" not in (out / "de/feed.xml").read_bytes()
    home = (out / "de/index.html").read_text(encoding="utf-8")
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    for slug in ("ueber-uns", "nur-aktualisiert"):
        assert (out / f"de/{slug}/index.html").is_file()
        assert f'href="{slug}/"' in home
        assert f"<loc>https://www.example.com/de/{slug}/</loc>" in sitemap
    # The Spanish versions are held back: a feed without entries, its
    # `updated` fixed, so that builds stay byte-identical.
    empty = ET.fromstring((out / "es/feed.xml").read_bytes())
    assert empty.findall(f"{atom}entry") == []
    assert empty.findtext(f"{atom}updated") == "1970-01-01T00:00:00Z"


def test_cli_build_prints_what_it_held_back(tmp_path):
    result = CliRunner().invoke(cli, ["-C", str(FIXTURE), "build", "--output",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "held back: content/de/kartellrecht.md [es]: 1 missing, 1 fuzzy" in result.stdout
    assert "held back: content/de/entwurf.md [de]: draft: true" in result.stdout
    assert "warning: content/de/markteintritt.md: links to 'gibt-es-nicht.md'" in result.stderr
    assert (tmp_path / "out/es/entrada-en-espana/index.html").is_file()

    drafts = CliRunner().invoke(cli, ["-C", str(FIXTURE), "build", "--drafts", "--output",
                                      str(tmp_path / "drafts")])
    assert drafts.exit_code == 0, drafts.output
    assert "built as draft: content/de/kartellrecht.md [es]" in drafts.stdout
    assert (tmp_path / "drafts/es/kartellrecht/index.html").is_file()


def test_fixture_ui_catalog_translates_every_template_string():
    """Keeps the golden Spanish pages free of German UI (the site's title and
    description included) when templates or the configuration change."""
    catalog = {(e.msgctxt, e.msgid): e for e in read_catalog(UI_PO) if not e.obsolete}
    for entry in ui_catalog_entries(load_config(FIXTURE)):
        key = (entry.msgctxt, entry.msgid)
        assert key in catalog and is_translated(catalog[key]), entry.msgid


# ---------------------------------------------------------------------------
# Small projects made for one question each
# ---------------------------------------------------------------------------

def article(title: str, body: str = "Ein Absatz.\n", **fields: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\ndate: 2025-09-15\n{extra}---\n\n{body}"


def catalog(entries: dict, plural_forms: str = "nplurals=2; plural=(n != 1);") -> str:
    """A catalog text: {msgid or (msgctxt, msgid): msgstr or [forms] or (msgstr, 'fuzzy')}."""
    po = polib.POFile(wrapwidth=79)
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "es",
                   "Plural-Forms": plural_forms}
    for key, value in entries.items():
        msgctxt, msgid = key if isinstance(key, tuple) else (None, key)
        entry = polib.POEntry(msgid=msgid, msgctxt=msgctxt)
        if isinstance(value, tuple):
            entry.msgstr, entry.flags = value[0], [value[1]]
        else:
            entry.msgstr = value
        po.append(entry)
    return format_catalog(po)


def test_an_article_without_a_title_is_a_warning(make_project):
    # Its file name heads every page and listing entry, the Spanish ones
    # too, and no catalog entry could ever translate it.
    root = make_project({"content/de/ohne-titel.md": "---\ndate: 2025-09-15\n---\n\nText.\n",
                         "content/de/leer.md": '---\ntitle: ""\n---\n\nText.\n',
                         "content/de/mit.md": article("Mit Titel")})
    _, summary = build(root)
    assert [w for w in summary.warnings if "no title" in w] == [
        "content/de/leer.md:2: no title; its pages and listings show the file name 'leer', in "
        "every language: give it a `title` to translate",
        "content/de/ohne-titel.md: no title; its pages and listings show the file name "
        "'ohne-titel', in every language: give it a `title` to translate"]


def test_an_update_before_the_date_is_a_warning_at_its_line(make_project):
    # Most likely a slip: the page showed "updated 1 January" under a date of
    # 27 November, while the feed and sitemap kept 27 November.
    root = make_project({"content/de/a.md": article("Alt", updated="2025-01-01"),
                         "content/de/b.md": article("Neu", updated="2025-09-15")})
    _, summary = build(root)
    assert [w for w in summary.warnings if "'updated'" in w] == [
        "content/de/a.md:4: 'updated' (2025-01-01) is before 'date' (2025-09-15); the page "
        "shows both, the feed and sitemap only 'date': correct one of them"]


def build(root: Path, **options) -> tuple[Path, object]:
    out = root.parent / "out"
    return out, build_site(load_config(root), output=out, **options)


def test_pages_rendered_again_take_their_text_as_gathering_kept_it(make_project, monkeypatch):
    # After a template edit every page is rendered again from its article's
    # kept text: its source is not segmented, nor its catalog read, nor its
    # translation made again, and the pages are those of a clean build.
    import bilingual.gather

    root = make_project({
        "content/de/a.md": article("Alpha", "Ein Absatz.\n\nZwei Absätze.\n"),
        "locales/es/LC_MESSAGES/a.po": catalog({"Alpha": "Alfa", "Ein Absatz.": "Un párrafo.",
                                                "Zwei Absätze.": "Dos párrafos."}),
        "templates/article.html": '{% extends "base.html" %}{% block main %}'
                                  '{{ article.body }}{% endblock %}',
    })
    out, _ = build(root)
    assert "Dos párrafos." in (out / "es/a/index.html").read_text(encoding="utf-8")

    def refused(*args, **kwargs):
        raise AssertionError("made again")

    monkeypatch.setenv("BILINGUAL_JOBS", "1")
    for name in ("cached_segments", "cached_catalog_states", "translate_document"):
        monkeypatch.setattr(bilingual.gather, name, refused)
    (root / "templates/article.html").write_text(
        '{% extends "base.html" %}{% block main %}<div>{{ article.body }}</div>{% endblock %}',
        encoding="utf-8")
    _, summary = build(root)
    assert {"de/a/index.html", "es/a/index.html"} <= set(summary.written)
    assert re.search(r"<div>.*Dos párrafos\.", (out / "es/a/index.html").read_text(encoding="utf-8"),
                     re.DOTALL)
    monkeypatch.undo()
    shutil.rmtree(root / ".bilingual-cache")
    clean = root.parent / "clean"
    build_site(load_config(root), output=clean)
    assert tree(out) == tree(clean)


def test_templates_are_compiled_again_only_when_they_changed(make_project, monkeypatch):
    # Compiled templates are kept in the cache: a build after an article edit
    # compiles none, and an edited template is compiled again and shown.
    import jinja2

    monkeypatch.setenv("BILINGUAL_JOBS", "1")
    compiled: list[str | None] = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    root = make_project({"content/de/a.md": article("Alpha"),
                         "templates/article.html": '{% extends "base.html" %}'
                                                   '{% block main %}Erste {{ article.body }}'
                                                   '{% endblock %}'})
    out, _ = build(root)
    assert "article.html" in compiled and "base.html" in compiled
    compiled.clear()
    (root / "content/de/a.md").write_text(article("Alpha", "Neu.\n"), encoding="utf-8")
    _, summary = build(root)
    assert "de/a/index.html" in summary.written and compiled == []
    (root / "templates/article.html").write_text(
        '{% extends "base.html" %}{% block main %}Zweite {{ article.body }}{% endblock %}',
        encoding="utf-8")
    build(root)
    assert compiled == ["article.html"]
    assert "Zweite" in (out / "de/a/index.html").read_text(encoding="utf-8")


def test_a_listing_template_gets_every_field_of_its_entries(make_project):
    # The built-in listings only show each entry's kept HTML; a project's own
    # template may use the fields, for new entries and for those kept from the
    # build before alike.
    probe = ('{% extends "base.html" %}{% block main %}<ol class="probe">'
             '{% for e in entries %}<li>{{ e.title }}|{{ e.title_lang }}|{{ e.href }}|'
             '{{ e.date }}|{{ e.description }}|{{ e.description_lang }}|{{ e.draft }}|'
             '{% for t in e.tags %}{{ t.name }}@{{ t.href }};{% endfor %}</li>{% endfor %}'
             '</ol>{% endblock %}')
    root = make_project({
        "content/de/a.md": article("Alpha", tags="[Stadt, Wetter]", description="Kurz"),
        "templates/listing.html": probe,
    })
    out, _ = build(root)
    alpha = "<li>Alpha|de|a/|2025-09-15|Kurz|de|False|Stadt@tags/stadt/;Wetter@tags/wetter/;</li>"
    assert f'<ol class="probe">{alpha}</ol>' in (out / "de/index.html").read_text()
    (root / "content/de/b.md").write_text(
        "---\ntitle: Beta\ndate: 2025-10-01\ntags: [Stadt]\n---\n\nEin Absatz.\n",
        encoding="utf-8")
    build(root)
    beta = "<li>Beta|de|b/|2025-10-01||de|False|Stadt@tags/stadt/;</li>"
    assert f'<ol class="probe">{beta}{alpha}</ol>' in (out / "de/index.html").read_text()


SITE_CONFIG = """[site]
title = "Kanzlei Beispiel"
description = "Rechtliche Hinweise für den Mittelstand"
base_url = "https://www.example.com"
source_language = "de"
target_languages = ["es"]
"""
SITE_TITLE = ("site title", "Kanzlei Beispiel")
SITE_DESCRIPTION = ("site description", "Rechtliche Hinweise für den Mittelstand")


def site_text_project(make_project, title: object, description: object) -> Path:
    """A one-article project, translated, whose _ui.po gives the site's title
    and description these translations (a str, or (msgstr, 'fuzzy'))."""
    return make_project({
        "content/de/a.md": article("Alpha"),
        "locales/es/LC_MESSAGES/a.po": catalog({"Alpha": "Alfa", "Ein Absatz.": "Un párrafo."}),
        "locales/es/LC_MESSAGES/_ui.po": catalog({SITE_TITLE: title,
                                                  SITE_DESCRIPTION: description}),
    }, config=SITE_CONFIG)


def head_and_feed(out: Path, lang: str) -> tuple[str, ET.Element]:
    return ((out / lang / "index.html").read_text(encoding="utf-8"),
            ET.parse(out / lang / "feed.xml").getroot())


def test_the_site_title_and_description_show_their_translation(make_project):
    root = site_text_project(make_project, "Bufete <Ejemplo>",
                             "Información jurídica para la mediana empresa")
    out, _ = build(root)
    home, feed = head_and_feed(out, "es")
    for shown in ("<title>Bufete &lt;Ejemplo&gt;</title>",
                  '<meta name="description" content="Información jurídica para la mediana '
                  'empresa">',
                  '<meta property="og:site_name" content="Bufete &lt;Ejemplo&gt;">',
                  '<meta property="og:description" content="Información jurídica para la '
                  'mediana empresa">',
                  '<a href="./">Bufete &lt;Ejemplo&gt;</a>', "<h1>Bufete &lt;Ejemplo&gt;</h1>",
                  '<p class="lead">Información jurídica para la mediana empresa</p>'):
        assert shown in home
    assert "Kanzlei" not in home and "Rechtliche" not in home
    article_page = (out / "es/a/index.html").read_text(encoding="utf-8")
    assert "<title>Alfa · Bufete &lt;Ejemplo&gt;</title>" in article_page
    atom = "{http://www.w3.org/2005/Atom}"
    title, subtitle = feed.find(f"{atom}title"), feed.find(f"{atom}subtitle")
    assert (title.text, title.attrib) == ("Bufete <Ejemplo>", {})
    assert (subtitle.text, subtitle.attrib) == ("Información jurídica para la mediana empresa", {})
    assert feed.findtext(f"{atom}author/{atom}name") == "Bufete <Ejemplo>"
    # The source language's pages and feed keep the configured text.
    german, german_feed = head_and_feed(out, "de")
    assert "<h1>Kanzlei Beispiel</h1>" in german
    assert '<p class="lead">Rechtliche Hinweise für den Mittelstand</p>' in german
    assert german_feed.findtext(f"{atom}subtitle") == "Rechtliche Hinweise für den Mittelstand"


@pytest.mark.parametrize("description", ["", ("Información jurídica", "fuzzy")],
                         ids=["untranslated", "fuzzy"])
def test_an_unfinished_site_text_translation_shows_the_german_marked_as_german(make_project,
                                                                                description):
    root = site_text_project(make_project, "Bufete Ejemplo", description)
    out, _ = build(root)
    home, feed = head_and_feed(out, "es")
    assert '<meta name="description" content="Rechtliche Hinweise für den Mittelstand">' in home
    assert '<p class="lead" lang="de">Rechtliche Hinweise für den Mittelstand</p>' in home
    assert "Información" not in home
    assert "<h1>Bufete Ejemplo</h1>" in home  # the title is translated: no lang
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    subtitle = feed.find("{http://www.w3.org/2005/Atom}subtitle")
    assert (subtitle.text, subtitle.get(xml_lang)) == ("Rechtliche Hinweise für den Mittelstand",
                                                       "de")
    assert feed.find("{http://www.w3.org/2005/Atom}title").get(xml_lang) is None


def test_an_untranslated_site_title_is_german_and_marked_so(make_project):
    root = site_text_project(make_project, ("Bufete Ejemplo", "fuzzy"), "Información jurídica")
    out, _ = build(root)
    home, feed = head_and_feed(out, "es")
    assert '<h1 lang="de">Kanzlei Beispiel</h1>' in home
    assert '<a href="./" lang="de">Kanzlei Beispiel</a>' in home
    assert "<title>Kanzlei Beispiel</title>" in home and "Bufete" not in home
    title = feed.find("{http://www.w3.org/2005/Atom}title")
    assert (title.text, title.get("{http://www.w3.org/XML/1998/namespace}lang")) == (
        "Kanzlei Beispiel", "de")


def test_a_changed_site_text_translation_is_on_the_pages_of_the_next_build(make_project):
    # Every page shows the title, and pages come from the build's cache when
    # nothing they depend on changed: the UI catalog is something they depend on.
    root = site_text_project(make_project, "Bufete Ejemplo", "Información jurídica")
    out, first = build(root)
    ui = root / "locales/es/LC_MESSAGES/_ui.po"
    ui.write_text(catalog({SITE_TITLE: "Despacho Ejemplo",
                           SITE_DESCRIPTION: "Asesoría jurídica"}), encoding="utf-8")
    _, second = build(root)
    for page in ("es/index.html", "es/a/index.html", "es/404.html", "es/feed.xml"):
        text = (out / page).read_text(encoding="utf-8")
        assert "Despacho Ejemplo" in text and "Bufete" not in text, page
        assert page in second.written
    assert "Asesoría jurídica" in (out / "es/index.html").read_text(encoding="utf-8")
    assert not [name for name in second.written if name.startswith("de/")]


def test_two_pages_on_one_file_name_both_sources(make_project):
    root = make_project({
        "content/de/a.md": article("A", slug="gleich"),
        "content/de/gleich.md": article("B"),
    })
    with pytest.raises(BilingualError) as caught:
        build(root)
    message = caught.value.format_message()
    assert "\ncontent/de/a.md:4: slug 'gleich': content/de/a.md and content/de/gleich.md would " \
           "both write " in message
    assert "de/gleich/index.html" in message
    assert not (root.parent / "out").exists()


def test_translated_slugs_that_collide_name_both_catalogs(make_project):
    b_po = catalog({"B": "B", ("slug", "b"): "mismo", "Ein Absatz.": "Un párrafo."})
    root = make_project({
        "content/de/a.md": article("A", slug="a"),
        "content/de/b.md": article("B", slug="b"),
        "locales/es/LC_MESSAGES/a.po": catalog({"A": "A", ("slug", "a"): "mismo",
                                                  "Ein Absatz.": "Un párrafo."}),
        "locales/es/LC_MESSAGES/b.po": b_po,
    })
    with pytest.raises(BilingualError) as caught:
        build(root)
    message = caught.value.format_message()
    line = b_po.splitlines().index('msgctxt "slug"') + 1
    assert f"\nlocales/es/LC_MESSAGES/b.po:{line}: slug 'mismo': content/de/a.md (es, slug from " \
           "locales/es/LC_MESSAGES/a.po) and content/de/b.md (es, slug from " \
           "locales/es/LC_MESSAGES/b.po) would both write" in message
    assert "es/mismo/index.html" in message


def test_a_file_and_a_folder_on_one_path_collide(make_project):
    root = make_project({
        "content/de/x.md": article("X"),
        "static/de/x": "not a folder",
    })
    with pytest.raises(BilingualError, match=r"static/de/x writes the file .*/de/x, where "
                                             r"content/de/x.md needs a folder"):
        build(root)


@pytest.mark.parametrize(("slug", "generated"), [
    ("index.html", "the de home page writes the file site/de/index.html"),
    ("feed.xml", "the de Atom feed writes the file site/de/feed.xml"),
    ("404.html", "the de 404 page writes the file site/de/404.html")])
def test_a_slug_on_a_generated_file_names_the_slug_line(make_project, slug, generated):
    root = make_project({"content/de/a.md": article("A", slug=slug),
                         "content/de/b.md": article("B")})
    result = CliRunner().invoke(cli, ["-C", str(root), "build"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: 1 problem(s), nothing was written:\ncontent/de/a.md:4: slug {slug!r}: "
        f"{generated}, where content/de/a.md needs a folder for site/de/{slug}/index.html; "
        "choose another slug\n")
    assert not (root / "site").exists()


def test_a_translated_slug_on_a_generated_file_names_the_catalog_line(make_project):
    po = catalog({"A": "A", ("slug", "a"): "feed.xml", "Ein Absatz.": "Un párrafo."})
    root = make_project({"content/de/a.md": article("A", slug="a"),
                         "locales/es/LC_MESSAGES/a.po": po})
    result = CliRunner().invoke(cli, ["-C", str(root), "build"])
    assert result.exit_code == 1
    line = po.splitlines().index('msgctxt "slug"') + 1
    assert (f"\nlocales/es/LC_MESSAGES/a.po:{line}: slug 'feed.xml': the es Atom feed writes "
            "the file site/es/feed.xml, where content/de/a.md (es, slug from "
            "locales/es/LC_MESSAGES/a.po) needs a folder") in result.stderr


@pytest.mark.parametrize("slug", ["../../etc", "a/b", "..", ".versteckt", "mit leerzeichen"])
def test_slugs_that_could_leave_the_folder_are_refused_with_file_and_line(make_project, slug):
    root = make_project({"content/de/a.md": article("A", slug=f'"{slug}"')})
    with pytest.raises(BilingualError) as caught:
        build(root)
    assert "content/de/a.md:4: slug" in caught.value.format_message()


def test_a_translated_slug_that_escapes_names_the_catalog_line(make_project):
    po = catalog({"A": "A", ("slug", "a"): "../../fuera", "Ein Absatz.": "Un párrafo."})
    line = po.splitlines().index('msgctxt "slug"') + 1
    root = make_project({
        "content/de/a.md": article("A", slug="a"),
        "locales/es/LC_MESSAGES/a.po": po,
    })
    with pytest.raises(BilingualError) as caught:
        build(root)
    assert f"locales/es/LC_MESSAGES/a.po:{line}: slug '../../fuera' would leave its folder" \
        in caught.value.format_message()


def test_translation_of_must_name_an_existing_source_article(make_project):
    root = make_project({
        "content/de/a.md": article("A"),
        "content/es/b.md": article("B", translation_of="fehlt.md"),
        "content/es/c.md": article("C", translation_of="../../etc/passwd.md"),
    })
    with pytest.raises(BilingualError) as caught:
        build(root)
    message = caught.value.format_message()
    assert "2 problem(s)" in message
    assert "content/es/b.md:4: translation_of: there is no article content/de/fehlt.md" in message
    assert "content/es/c.md:4: translation_of '../../etc/passwd.md' must be the path" in message


def test_a_hand_written_translation_of_a_draft_is_a_draft_too(make_project):
    root = make_project({
        "content/de/a.md": article("Entwurf", draft="true"),
        "content/es/a.md": article("Borrador", translation_of="a.md"),
        "content/es/b.md": article("Otro"),
    })
    out, summary = build(root)
    assert "held back: content/es/a.md [es]: draft: true in the front matter of " \
        "content/de/a.md" in [h.describe() for h in summary.held_back]
    assert not (out / "es/a").exists() and not (out / "de/a").exists()
    assert (out / "es/b/index.html").is_file()
    assert "es/a/" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "Borrador" not in (out / "es/feed.xml").read_text(encoding="utf-8")
    assert "Borrador" not in (out / "es/index.html").read_text(encoding="utf-8")

    out, summary = build(root, drafts=True)
    page = (out / "es/a/index.html").read_text(encoding="utf-8")
    assert "Borrador" in page and 'content="noindex' in page


def test_a_hand_written_translation_takes_the_date_and_author_it_leaves_out(make_project):
    # `date` is no text to translate: without the German one the Spanish
    # version was left out of its feed, listed last and shown undated.
    atom = "{http://www.w3.org/2005/Atom}"
    root = make_project({
        "content/de/a.md": article("Recht", author="Ana", updated="2025-10-01"),
        "content/es/a.md": "---\ntitle: Derecho\ntranslation_of: a.md\n---\n\nTexto.\n",
        "content/de/b.md": article("Steuern", author="Ana", updated="2025-10-01"),
        "content/es/b.md": "---\ntitle: Impuestos\ntranslation_of: b.md\ndate: 2025-09-20\n"
                           "author: Luis\n---\n\nTexto.\n",
    })
    out, _ = build(root)
    feed = ET.fromstring((out / "es/feed.xml").read_bytes())
    entries = {e.findtext(f"{atom}title"): e for e in feed.findall(f"{atom}entry")}
    assert entries["Derecho"].findtext(f"{atom}published") == "2025-09-15T00:00:00Z"
    assert entries["Derecho"].findtext(f"{atom}updated") == "2025-10-01T00:00:00Z"
    assert entries["Derecho"].findtext(f"{atom}author/{atom}name") == "Ana"
    # What it writes itself stays its own, and a version dated of its own is
    # updated of its own: not when the German article was.
    assert entries["Impuestos"].findtext(f"{atom}published") == "2025-09-20T00:00:00Z"
    assert entries["Impuestos"].findtext(f"{atom}updated") == "2025-09-20T00:00:00Z"
    assert entries["Impuestos"].findtext(f"{atom}author/{atom}name") == "Luis"
    assert "<time" in (out / "es/a/index.html").read_text(encoding="utf-8")

    # The page follows the German file's date, in a build after it changed too.
    german = root / "content/de/a.md"
    german.write_text(german.read_text(encoding="utf-8").replace("2025-09-15", "2025-08-01"),
                      encoding="utf-8")
    again, _ = build(root)
    assert "2025-08-01" in (again / "es/feed.xml").read_text(encoding="utf-8")
    assert "1 de agosto de 2025" in (again / "es/a/index.html").read_text(encoding="utf-8")


def test_a_hand_written_draft_leaves_the_catalogs_version_published(make_project):
    # Beginning a hand-written rewrite as a draft took the catalog's live
    # Spanish page offline (404), with its hreflang, sitemap and feed entries.
    root = make_project({
        "content/de/a.md": article("Titel"),
        "locales/es/LC_MESSAGES/a.po": catalog({"Titel": "Título", "Ein Absatz.": "Un párrafo."}),
        "content/es/neu.md": article("Borrador", translation_of="a.md", draft="true"),
    })
    out, summary = build(root)
    assert "Título" in (out / "es/a/index.html").read_text(encoding="utf-8")
    assert not (out / "es/neu").exists()
    assert "es/a/" in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert 'hreflang="es"' in (out / "de/a/index.html").read_text(encoding="utf-8")
    assert [h.describe() for h in summary.held_back] == [
        "held back: content/es/neu.md [es]: draft: true in its front matter"]
    assert not any("not used" in w for w in summary.warnings)
    # With drafts, the draft stands in for it, as it will once it is done.
    out, summary = build(root, drafts=True)
    assert "Borrador" in (out / "es/neu/index.html").read_text(encoding="utf-8")
    assert not (out / "es/a").exists()
    # Beside a published hand-written version, in either order of the files;
    # with drafts (as serve builds) the draft stands in for it.
    for name in ("0-alt.md", "z-alt.md"):
        (root / "content/es" / name).write_text(
            article("Publicado", translation_of="a.md"), encoding="utf-8")
        out, summary = build(root)
        assert "Publicado" in (out / f"es/{name[:-3]}/index.html").read_text(encoding="utf-8")
        out, summary = build(root, drafts=True)
        assert "Borrador" in (out / "es/neu/index.html").read_text(encoding="utf-8")
        assert not (out / f"es/{name[:-3]}").exists()
        (root / "content/es" / name).unlink()


def test_tags_whose_slugs_clash_are_named_in_a_warning(make_project):
    # Said where the rarer name is written, naming where the other is: the
    # warning named no file, and on a site of thousands of articles the one
    # tagged `C++` was not to be found.
    root = make_project({
        "content/de/a.md": article("A", tags="[C, KI]"),
        "content/de/b.md": article("B", tags="[C++, ki]"),
        "content/de/c.md": article("C", tags="[C]"),
        "content/de/d.md": article("D", tags="[Recht]"),
        "content/de/e.md": article("E", tags="[Gesetz]"),
        "locales/es/LC_MESSAGES/d.po": catalog({"D": "D", "Recht": "Derecho",
                                                "Ein Absatz.": "Un párrafo."}),
        "locales/es/LC_MESSAGES/e.po": catalog({"E": "E", "Gesetz": "Dérecho",
                                                "Ein Absatz.": "Un párrafo."}),
    })
    out, summary = build(root)
    line = (root / "locales/es/LC_MESSAGES/e.po").read_text(encoding="utf-8").splitlines().index(
        'msgid "Gesetz"') + 1
    assert [w for w in summary.warnings if "share the tag page" in w] == [
        "content/de/b.md:4: tags 'C' and 'C++' share the tag page de/tags/c/ (their slugs are "
        "the same; 'C++' here, 'C' in content/de/a.md:4); rename one to keep them apart",
        f"locales/es/LC_MESSAGES/d.po:{line}: tags 'Derecho' and 'Dérecho' share the tag page "
        "es/tags/derecho/ (their slugs are the same; 'Derecho' here, 'Dérecho' in "
        f"locales/es/LC_MESSAGES/e.po:{line}); rename one to keep them apart"]
    assert (out / "de/tags/c/index.html").is_file()


def test_tags_that_differ_only_in_how_accents_are_encoded_are_told_apart_in_words(make_project):
    # `Übersicht` as one character and as `U` + U+0308 look alike: a warning
    # that names both the same way must say what differs.
    composed, decomposed = "\u00dcbersicht", "U\u0308bersicht"
    root = make_project({
        "content/de/a.md": article("A", tags=f'["{composed}"]'),
        "content/de/b.md": article("B", tags=f'["{decomposed}"]'),
    })
    _, summary = build(root)
    [warning] = [w for w in summary.warnings if "share the tag page" in w]
    assert "Unicode NFC and NFD" in warning and warning.endswith("; type one of them again")
    assert warning.startswith("content/de/a.md:4: ") and "in content/de/b.md:4)" in warning
    # In one article too, where the page shows the first.
    root = make_project({"content/de/c.md": article("C", tags=f'["{composed}", "{decomposed}"]')})
    _, summary = build(root)
    assert any(w.startswith("content/de/c.md:4: ") and "Unicode NFC and NFD" in w
               for w in summary.warnings), summary.warnings


def test_an_article_names_each_tag_page_once(make_project):
    # `Straße` and `Strasse` are one tag page, and so are two tags translated
    # alike: the first stands for both, in its place, on the page, in the
    # listing entry and in the feed.
    root = make_project({
        "content/de/a.md": article("A", tags="[Recht, Straße, Strasse]"),
        "content/de/b.md": article("B", tags="[Weg, Gasse, Recht]"),
        "locales/es/LC_MESSAGES/a.po": catalog({"A": "A", "Recht": "Derecho", "Straße": "Vía",
                                                "Strasse": "Vía", "Ein Absatz.": "Un párrafo."}),
        "locales/es/LC_MESSAGES/b.po": catalog({"B": "B", "Weg": "Calle", "Gasse": "Calle",
                                                "Recht": "Derecho", "Ein Absatz.": "Un párrafo."}),
    })
    out, summary = build(root)

    def tag_links(path: str) -> list[str]:
        html = (out / path).read_text(encoding="utf-8")
        return re.findall(r'<a href="[^"]*" rel="tag"[^>]*>([^<]*)</a>', html)

    assert tag_links("de/a/index.html") == ["Recht", "Straße"]
    assert tag_links("es/a/index.html") == ["Derecho", "Vía"]
    assert tag_links("es/b/index.html") == ["Calle", "Derecho"]
    assert tag_links("es/index.html") == ["Derecho", "Vía", "Calle", "Derecho"]
    assert tag_links("es/tags/calle/index.html") == ["Calle", "Derecho"]
    assert tag_links("de/index.html") == ["Recht", "Straße", "Weg", "Gasse", "Recht"]
    for feed in ("de/feed.xml", "es/feed.xml"):
        entries = (out / feed).read_text(encoding="utf-8").split("<entry>")[1:]
        assert [re.findall(r'<category term="([^"]*)" />', e) for e in entries] == (
            [["Recht", "Straße"], ["Weg", "Gasse", "Recht"]] if feed.startswith("de")
            else [["Derecho", "Vía"], ["Calle", "Derecho"]])
    # `Calle` stands for `Weg` and `Gasse`: its page pairs with neither German
    # page; `Vía` translates the one page of `Straße` and `Strasse`.
    german = '<link rel="alternate" hreflang="de" href="https://www.example.com/de/tags/'
    assert german not in (out / "es/tags/calle/index.html").read_text(encoding="utf-8")
    assert german + 'strasse/">' in (out / "es/tags/via/index.html").read_text(encoding="utf-8")
    # As `shared_tag_pages` has it, names that differ only in case (`ß` folds
    # to `ss`) need no word, nor do two German tags the translator renders alike.
    assert [w for w in summary.warnings if "tag page" in w] == []


def test_an_article_whose_tags_of_other_names_share_a_page_is_named(make_project):
    # The page shows one name: the author (or translator) hears of the other,
    # at the line of the tags or of the catalog entry, as for tags of different
    # articles (`shared_tag_pages`). `C` and `C++` are not named again in Spanish.
    root = make_project({
        "content/de/a.md": article("A", tags="[Markt, C, Handel, C++]"),
        "locales/es/LC_MESSAGES/a.po": catalog({"A": "A", "Markt": "Mercado", "C": "C",
                                                "Handel": "Mércado", "C++": "C++",
                                                "Ein Absatz.": "Un párrafo."}),
    })
    out, summary = build(root)
    line = (root / "locales/es/LC_MESSAGES/a.po").read_text(encoding="utf-8").splitlines().index(
        'msgid "Handel"') + 1
    assert [w for w in summary.warnings if "tag page" in w] == [
        "content/de/a.md:4: tags 'C' and 'C++' share the tag page de/tags/c/ (their slugs are "
        "the same), so the article shows only 'C'; rename one to keep them apart",
        f"locales/es/LC_MESSAGES/a.po:{line}: tags 'Mercado' and 'Mércado' share the tag page "
        "es/tags/mercado/ (their slugs are the same), so the article shows only 'Mercado'; "
        "rename one to keep them apart"]
    assert "C++" not in (out / "de/a/index.html").read_text(encoding="utf-8")
    assert "Mércado" not in (out / "es/a/index.html").read_text(encoding="utf-8")


def test_a_misspelt_front_matter_field_is_named_with_its_line(make_project):
    # `Draft: true` is no draft (YAML keys are case-sensitive): the article is
    # published, so the author must hear of it; `weight` is for another tool.
    root = make_project({
        "content/de/a.md": article("A", Draft="true", weight="3"),
        "content/es/b.md": "---\ntitle: B\nbeschreibung: Kurz\n---\nTexto.\n",
    })
    out, summary = build(root)
    assert [w for w in summary.warnings if "front matter field" in w] == [
        "content/de/a.md:4: front matter field 'Draft' is not one bilingual reads; "
        "did you mean 'draft'? It is ignored",
        "content/es/b.md:3: front matter field 'beschreibung' is not one bilingual reads; "
        "did you mean 'description'? It is ignored"]
    assert (out / "de/a/index.html").is_file()
    # Replayed from the cache while the file is unchanged.
    (root / "content/de/c.md").write_text(article("C"), encoding="utf-8")
    _, again = build(root)
    assert [w for w in again.warnings if "front matter field" in w] == \
        [w for w in summary.warnings if "front matter field" in w]


def test_no_catalog_holds_back_and_drafts_show_the_source_text(make_project):
    root = make_project({"content/de/a.md": article("Titel", "Erster Absatz.\n")})
    out, summary = build(root)
    assert [h.describe() for h in summary.held_back] == [
        "held back: content/de/a.md [es]: no catalog yet (locales/es/LC_MESSAGES/a.po; "
        "run `bilingual update`)"]
    assert not (out / "es/a").exists()
    out, summary = build(root, drafts=True)
    page = (out / "es/a/index.html").read_text(encoding="utf-8")
    assert '<h1 lang="de">Titel</h1>' in page
    assert '<p lang="de">Erster Absatz.</p>' in page
    assert '<meta name="robots" content="noindex">' in page


def test_a_draft_marks_only_the_untranslated_items_of_a_nested_list(make_project):
    root = make_project({
        "content/de/a.md": article("Titel", "- Oben\n  - Unten\n* Links\n  * Rechts\n"),
        "locales/es/LC_MESSAGES/a.po": catalog({"Titel": "Título", "Unten": "Abajo",
                                                 "Links": "Izquierda"}),
    })
    out, _ = build(root, drafts=True)
    page = (out / "es/a/index.html").read_text(encoding="utf-8")
    assert '<li><span lang="de">Oben</span>\n<ul>\n<li>Abajo</li>' in page
    assert '<li>Izquierda\n<ul>\n<li lang="de">Rechts</li>' in page


def test_reading_time_uses_plural_forms(make_project):
    words = " ".join(["Wort"] * 450)
    ui = (FIXTURE / "locales/es/LC_MESSAGES/_ui.po").read_text(encoding="utf-8")
    root = make_project({
        "content/de/lang.md": article("Lang", words + "\n"),
        "locales/es/LC_MESSAGES/lang.po": catalog({"Lang": "Largo",
                                                     words: " ".join(["palabra"] * 450)}),
        "locales/es/LC_MESSAGES/_ui.po": ui,
    })
    out, _ = build(root)
    assert "3 Minuten Lesezeit" in (out / "de/lang/index.html").read_text(encoding="utf-8")
    assert "3 minutos de lectura" in (out / "es/lang/index.html").read_text(encoding="utf-8")


def test_a_ui_catalog_whose_plural_rule_msgfmt_rejects_stops_the_build_at_its_line(
        make_project):
    # nplurals=2 with a rule that gives 2 for 21: gettext picked no form, and
    # the page showed "21 Minuten Lesezeit" in German, build exit 0.
    root = make_project({
        "content/de/a.md": article("A"),
        "locales/es/LC_MESSAGES/a.po": catalog({"A": "A", "Ein Absatz.": "Un párrafo."}),
        "locales/es/LC_MESSAGES/_ui.po": catalog(
            {"Zum Inhalt springen": "Ir al contenido"},
            plural_forms="nplurals=2; plural=(n==1 ? 0 : n%10>=2 ? 1 : 2);"),
    })
    with pytest.raises(BilingualError) as raised:
        build(root)
    ui = root / "locales/es/LC_MESSAGES/_ui.po"
    line = 1 + ui.read_text(encoding="utf-8").split("\n").index(
        next(row for row in ui.read_text(encoding="utf-8").split("\n")
             if row.startswith('"Plural-Forms:')))
    assert f"{ui}:{line}: Plural-Forms " in raised.value.format_message()
    assert "can produce values as large as 2" in raised.value.format_message()


def test_ui_texts_not_translated_yet_are_warned_about(make_project):
    # The pages of a language showed German template texts, and build said nothing.
    root = make_project({
        "content/de/a.md": article("A"),
        "locales/es/LC_MESSAGES/a.po": catalog({"A": "A", "Ein Absatz.": "Un párrafo."}),
        "locales/es/LC_MESSAGES/_ui.po": catalog({"Zum Inhalt springen": "Ir al contenido",
                                                  "Themen": "", "Weiterlesen": ("Leer", "fuzzy"),
                                                  ("site title", "Kanzlei"): ""}),
    })
    _, summary = build(root)
    # And the texts of the templates that update has not brought in yet: a
    # designer's new `_("Ganz neuer Text")` showed German, and build was silent.
    from bilingual.update import ui_template_entries
    absent = len({e.msgid for e in ui_template_entries(load_config(root))}
                 - {"Zum Inhalt springen", "Themen", "Weiterlesen"})
    assert [w for w in summary.warnings if "_ui.po" in w] == [
        "locales/es/LC_MESSAGES/_ui.po: 2 template text(s) not translated yet; the es pages "
        "show them as the templates write them",
        f"locales/es/LC_MESSAGES/_ui.po: {absent} template text(s) not in it yet (run "
        "`bilingual update`); the es pages show them as the templates write them"]
    assert absent > 5


def test_markup_in_a_templates_ui_string_is_markup_and_a_translation_keeps_only_its_tags(
        make_project):
    # Every UI text was escaped: `{% trans %}Lies das <a href="impressum/">…` showed
    # its tags as text, on the German pages too.
    german = 'Lies das <a href="impressum/">Impressum</a> & mehr.'
    root = make_project({
        "content/de/a.md": article("A"),
        "locales/es/LC_MESSAGES/a.po": catalog({"A": "A", "Ein Absatz.": "Un párrafo."}),
        "templates/404.html": (
            '{% extends "base.html" %}{% block main %}\n'
            '<p class="a">{% trans %}Lies das <a href="impressum/">Impressum</a> & mehr.'
            '{% endtrans %}</p>\n<p class="b">{{ _(site_title) }}</p>\n{% endblock %}\n'),
        "locales/es/LC_MESSAGES/_ui.po": catalog({
            german: 'Lea el <a href="impressum/">aviso legal</a> <b>y</b> <script>x</script>.'}),
    }, config=CONFIG_WITH_PATH.replace('title = "', 'title = "<i>T</i> '))
    out, _ = build(root)
    de = (out / "de/404.html").read_text(encoding="utf-8")
    es = (out / "es/404.html").read_text(encoding="utf-8")
    assert f'<p class="a">{german}</p>' in de
    assert ('<p class="a">Lea el <a href="impressum/">aviso legal</a> &lt;b&gt;y&lt;/b&gt; '
            "&lt;script&gt;x&lt;/script&gt;.</p>") in es
    # A string that is no template's (here the site's title, through _()) is text.
    assert '<p class="b">&lt;i&gt;T&lt;/i&gt;' in de
    # check reports the tags the page shows as text, and no other.
    from bilingual.checks import ui_problems
    assert ui_problems(german, 'Lea el <a href="impressum/">aviso legal</a> y más.', True) == []
    assert ui_problems(german, 'Lea el <a href="https://evil.example/">aviso</a>.', True) == [
        'changes the HTML tag <a href="impressum/"> to <a href="https://evil.example/">']


def test_a_hidden_template_a_page_includes_is_an_input_of_the_build(make_project):
    # Names starting with a dot were left out of the inputs though Jinja2
    # loads them: after an edit the site stayed a mix of old and new pages.
    base = (BUILTIN_TEMPLATES / "base.html").read_text(encoding="utf-8")
    root = make_project({
        "content/de/a.md": article("A"),
        "templates/.parts/fuss.html": "<p>Fuß eins</p>",
        "templates/base.html": base.replace("</body>", '{% include ".parts/fuss.html" %}\n</body>'),
    })
    out, _ = build(root)
    assert "Fuß eins" in (out / "de/a/index.html").read_text(encoding="utf-8")
    (root / "templates/.parts/fuss.html").write_text("<p>Fuß zwei</p>", encoding="utf-8")
    out, summary = build(root)
    pages = [p for p in out.rglob("*.html") if "_status" not in p.parts]
    assert all("Fuß zwei" in page.read_text(encoding="utf-8") for page in pages)
    assert "de/a/index.html" in summary.written


def test_reading_time_counts_scripts_written_without_spaces_by_their_characters():
    # Written without spaces, a 5,600-character article was one "word": "1 minute".
    from bilingual.gather import _words, reading_minutes

    text = "日本語の文章です。" * 600  # 4,800 characters counted, one run between spaces
    assert _words(text) == 1 + 4800 // 2
    assert reading_minutes(_words(text)) == reading_minutes(2401) == 13
    assert _words("Ein Satz mit Wörtern und 日本.") == 6 + 1  # a few among words: a word more
    assert _words("plain ascii words") == 3
    # Thai, Lao, Burmese and Khmer by their characters, four to a word.
    thai = "ภาษาไทยเขียนติดกัน" * 100  # 1,800 characters, one run
    assert _words(thai) == 1 + 1800 // 4
    assert reading_minutes(_words(thai)) == 3


def test_block_scalar_front_matter_reaches_the_pages_without_its_line_break(make_project):
    root = make_project({
        "content/de/a.md": article("|\n  Markteintritt", description=">\n  Was Unternehmen\n"
                                   "  wissen müssen.", tags='["  Spanien "]'),
        "locales/es/LC_MESSAGES/a.po": (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Language: es\\n"\n\n'
            'msgid "Markteintritt"\nmsgstr "Entrada en el mercado"\n\n'
            'msgid "Was Unternehmen wissen müssen."\nmsgstr "Lo que las empresas deben saber."\n\n'
            'msgid "Spanien"\nmsgstr "España"\n\n'
            'msgid "Ein Absatz."\nmsgstr "Un párrafo."\n'),
    })
    out, summary = build(root)
    assert summary.held_back == ()
    de = (out / "de/a/index.html").read_text(encoding="utf-8")
    es = (out / "es/a/index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="Was Unternehmen wissen müssen.">' in de
    assert '<meta name="description" content="Lo que las empresas deben saber.">' in es
    assert '<p class="lead">Lo que las empresas deben saber.</p>' in es
    assert "<title>Entrada en el mercado" in es
    assert ">España</a>" in es and (out / "es/tags/espana/index.html").is_file()


def test_the_title_of_a_lone_image_is_translated_on_the_spanish_page(make_project):
    root = make_project({
        "content/de/a.md": article("Bild", '![Nur Bild](c.png "Bildtitel")\n'),
        "locales/es/LC_MESSAGES/a.po": (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Language: es\\n"\n\n'
            'msgid "Bild"\nmsgstr "Imagen"\n\n'
            '#. paragraph\n'
            'msgid "![Nur Bild](c.png \\"Bildtitel\\")"\n'
            'msgstr "![Solo imagen](c.png \\"Título de la imagen\\")"\n'),
    })
    out, summary = build(root)
    assert summary.held_back == ()
    de = (out / "de/a/index.html").read_text(encoding="utf-8")
    es = (out / "es/a/index.html").read_text(encoding="utf-8")
    assert '<img src="c.png" alt="Nur Bild" title="Bildtitel" />' in de
    assert '<p><img src="c.png" alt="Solo imagen" title="Título de la imagen" /></p>' in es
    assert "Bildtitel" not in es


WHITESPACE_PO = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: es\\n"\n\n'
    'msgid "Titel"\nmsgstr "Título"\n\n'
    'msgid "Kapitel"\nmsgstr " "\n\n'
    'msgid "Ein Absatz."\nmsgstr "\\n"\n')


def test_a_translation_of_only_whitespace_holds_the_page_back_like_a_missing_one(make_project):
    root = make_project({"content/de/a.md": article("Titel", "## Kapitel\n\nEin Absatz.\n"),
                         "locales/es/LC_MESSAGES/a.po": WHITESPACE_PO})
    out, summary = build(root)
    assert [h.describe() for h in summary.held_back] == [
        "held back: content/de/a.md [es]: 2 missing, 0 fuzzy of 3 segments in "
        "locales/es/LC_MESSAGES/a.po"]
    assert not (out / "es/a").exists()
    out, _ = build(root, drafts=True)
    page = (out / "es/a/index.html").read_text(encoding="utf-8")
    assert "<h1>Título</h1>" in page
    assert '<h2 id="kapitel" lang="de">Kapitel</h2>' in page
    assert '<p lang="de">Ein Absatz.</p>' in page


def test_a_tag_translated_as_only_whitespace_is_no_empty_tag(make_project):
    # `merge.is_filled`: such a translation counts as none, so the tag is never
    # an unnamed link, an empty tag page heading or `<category term="" />`.
    root = make_project({
        "content/de/a.md": article("Titel", tags="[Recht]"),
        "locales/es/LC_MESSAGES/a.po": catalog({"Titel": "Título", "Recht": " \t",
                                                "Ein Absatz.": "Un párrafo."}),
    })
    out, summary = build(root)
    assert [h.describe() for h in summary.held_back] == [
        "held back: content/de/a.md [es]: 1 missing, 0 fuzzy of 3 segments in "
        "locales/es/LC_MESSAGES/a.po"]
    assert not (out / "es/tags").exists()
    out, _ = build(root, drafts=True)
    page = (out / "es/a/index.html").read_text(encoding="utf-8")
    assert '<a href="../tags/recht/" rel="tag" lang="de">Recht</a>' in page
    assert '<h1 lang="de">Recht</h1>' in (out / "es/tags/recht/index.html").read_text(encoding="utf-8")


def test_a_ui_translation_of_only_whitespace_shows_the_source_text(make_project):
    root = make_project({
        "content/de/a.md": article("Titel", author="Ana"),
        "locales/es/LC_MESSAGES/a.po": catalog({"Titel": "Título", "Ein Absatz.": "Un párrafo."}),
        "locales/es/LC_MESSAGES/_ui.po": (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Language: es\\n"\n\nmsgid "von %(author)s"\nmsgstr " "\n'),
    })
    out, _ = build(root)
    assert "von Ana" in (out / "es/a/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("translation", ["100 % de %(author)s", "por %(autor)s"])
def test_a_ui_translation_the_build_cannot_fill_in_names_its_line(make_project, translation):
    # Jinja2 applies % to every UI string: `% d` asks for a number, `%(autor)s`
    # for a variable the template does not pass.
    root = make_project({
        "content/de/a.md": article("Titel", author="Ana"),
        "locales/es/LC_MESSAGES/a.po": catalog({"Titel": "Título", "Ein Absatz.": "Un párrafo."}),
        "locales/es/LC_MESSAGES/_ui.po": catalog({"Thema": "Tema",
                                                    "von %(author)s": translation}),
    })
    line = next(e.linenum for e in read_catalog(root / "locales/es/LC_MESSAGES/_ui.po")
                if e.msgid == "von %(author)s")
    with pytest.raises(BilingualError) as caught:
        build(root)
    message = caught.value.format_message()
    assert f"locales/es/LC_MESSAGES/_ui.po:{line}: the translation of 'von %(author)s'" \
        in message
    assert "write %% for a percent sign" in message


def test_a_placeholder_a_ui_translation_adds_stops_the_build_at_its_line(make_project):
    # `%s` in the translation of a text without placeholders was filled in from
    # the empty variables, without an error: the page showed "Saltar al {} contenido".
    root = make_project({
        "content/de/a.md": article("Titel"),
        "locales/es/LC_MESSAGES/a.po": catalog({"Titel": "Título", "Ein Absatz.": "Un párrafo."}),
        "locales/es/LC_MESSAGES/_ui.po": catalog({"Zum Inhalt springen": "Saltar al %s contenido"}),
    })
    line = next(e.linenum for e in read_catalog(root / "locales/es/LC_MESSAGES/_ui.po")
                if e.msgid == "Zum Inhalt springen")
    with pytest.raises(BilingualError) as caught:
        build(root)
    assert caught.value.format_message().startswith(
        f"locales/es/LC_MESSAGES/_ui.po:{line}: the translation of 'Zum Inhalt springen' "
        "cannot be filled in: msgid has 0 format specification(s), msgstr has 1")


def test_untrusted_text_is_escaped(make_project):
    root = make_project({
        "content/de/a.md": article('"<script>alert(1)</script> & Co"', "Ein Absatz.\n",
                                   description='"<b>fett</b>"', author='"Ana <em>"',
                                   tags='["<u>x</u>"]'),
        "locales/es/LC_MESSAGES/a.po": catalog({
            "<script>alert(1)</script> & Co": "<script>alert(2)</script> y Cía",
            "<b>fett</b>": "<b>negrita</b>",
            "Ein Absatz.": 'Un <img src=x onerror="alert(3)"> párrafo.',
            "<u>x</u>": "<u>y</u>"}),
        "locales/es/LC_MESSAGES/_ui.po": catalog({"von %(author)s": "<i>por</i> %(author)s",
                                                    "Thema": "<script>x</script>"}),
    })
    out, _ = build(root)
    pages = [p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))]
    assert len(pages) > 6
    for page in pages:
        for markup in ("<script>", "<b>", "<img src=x", "<em>", "<u>", "<i>"):
            assert markup not in page
    es = (out / "es/a/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(2)&lt;/script&gt; y Cía" in es
    assert "&lt;img src=x onerror=" in es
    assert "&lt;i&gt;por&lt;/i&gt; Ana &lt;em&gt;" in es
    tag = (out / "es/tags/u-y-u/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;x&lt;/script&gt;" in tag and "&lt;u&gt;y&lt;/u&gt;" in tag


def test_project_templates_override_built_ins_one_by_one(make_project):
    root = make_project({
        "content/de/a.md": article("A"),
        "templates/404.html": '{% extends "base.html" %}{% block main %}'
                              '<h1>{{ _("Hier ist nichts") }}</h1>{% endblock %}\n',
    })
    config = load_config(root)
    names = dict(template_files(config))
    assert names["404.html"] == root / "templates/404.html"
    assert names["base.html"].parent.name == "templates" and "scaffold" in str(names["base.html"])
    out, _ = build(root)
    assert "<h1>Hier ist nichts</h1>" in (out / "de/404.html").read_text(encoding="utf-8")
    entries = {e.msgid: e.occurrences for e in ui_template_entries(config)}
    assert entries["Hier ist nichts"] == [("templates/404.html", "")]
    assert "Seite nicht gefunden" not in entries  # the built-in 404 is replaced
    assert entries["Zum Inhalt springen"] == [("templates/base.html", "")]


def test_listing_entries_come_from_the_projects_entry_template_or_entry_macro(
        make_project, monkeypatch):
    # The built-in entry.html only calls the `entry` macro, which the build
    # then calls directly; a project's own entry.html, or its own macros.html
    # under the built-in entry.html, must still make the entries.
    templates = []
    render = bilingual.templates._render

    def recording(env, name, context, what):
        templates.append(name)
        return render(env, name, context, what)

    monkeypatch.setattr(bilingual.templates, "_render", recording)
    files = {"content/de/a.md": article("Alpha", tags="[Stadt]"),
             "content/de/b.md": article("Beta", description="Kurz")}
    root = make_project(files)
    out, _ = build(root)
    assert "listing.html" in templates and "entry.html" not in templates
    built_in = {name: (out / name).read_bytes() for name in ("de/index.html",
                                                               "de/tags/stadt/index.html")}
    assert b'<article class="entry">' in built_in["de/index.html"]
    # The built-in entry.html copied into the project renders one template
    # per entry: the pages are the same to the byte.
    shutil.rmtree(out)
    copied = make_project({**files, "templates/entry.html":
                           (BUILTIN_TEMPLATES / "entry.html").read_text(encoding="utf-8")})
    # Else its pages, the same, are taken from the cache.
    shutil.rmtree(copied / ".bilingual-cache")
    monkeypatch.setattr(bilingual.cache, "_caches", {})
    templates.clear()
    out, _ = build(copied)
    assert {name: (out / name).read_bytes() for name in built_in} == built_in
    assert templates.count("entry.html") == 2 + 1  # German home page and tag page

    shutil.rmtree(out)
    (copied / "templates/entry.html").write_text(
        '<li class="own">{{ item.title }}|{{ lang }}|{{ item.href }}</li>\n', encoding="utf-8")
    out, _ = build(copied)
    home = (out / "de/index.html").read_text(encoding="utf-8")
    assert '<li class="own">Alpha|de|a/</li>' in home and "entry" not in home.split("<main")[1]

    (copied / "templates/entry.html").unlink()
    macros = (BUILTIN_TEMPLATES / "macros.html").read_text(encoding="utf-8")
    own_macro = macros.replace('<article class="entry">', '<article class="entry own-macro">')
    assert own_macro != macros
    (copied / "templates/macros.html").write_text(own_macro, encoding="utf-8")
    shutil.rmtree(out)
    out, _ = build(copied)
    tag_page = (out / "de/tags/stadt/index.html").read_text(encoding="utf-8")
    assert '<article class="entry own-macro">' in tag_page


def test_an_error_in_the_entry_macro_names_the_template_and_the_listing(make_project):
    macros = (BUILTIN_TEMPLATES / "macros.html").read_text(encoding="utf-8")
    root = make_project({
        "content/de/a.md": article("Alpha"),
        "templates/macros.html": macros.replace("{{ entry.title }}", "{{ entry.title.nope }}"),
    })
    with pytest.raises(BilingualError) as raised:
        build(root)
    message = raised.value.format_message()
    assert "with template entry.html" in message and "nope" in message
    line = 1 + next(number for number, text in enumerate(macros.splitlines())
                    if "{{ entry.title }}" in text)
    assert message.startswith(f"{root / 'templates/macros.html'}:{line}: ")


@pytest.mark.parametrize(("code", "error"), [
    ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
    ("{{ home_url + 1 }}", "TypeError: can only concatenate str"),
    ("{{ home_url.nope.nope }}", "UndefinedError: 'str object' has no attribute 'nope'"),
])
def test_an_error_the_template_code_raises_names_its_file_and_line(make_project, code, error):
    # The contract's "every error names the file and the line": a ZeroDivisionError
    # was "unexpected" with neither, a TypeError named the template but no line.
    root = make_project({
        "content/de/a.md": article("Alpha"),
        "templates/404.html": '{% extends "base.html" %}\n{% block main %}\n'
                              f"<h1>Nicht da</h1>\n{code}\n{{% endblock %}}\n",
    })
    result = CliRunner().invoke(cli, ["-C", str(root), "build"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: templates/404.html:4: cannot render the de 404 page with template 404.html: "
        + error), result.stderr
    assert not (root / "site").exists()


@pytest.mark.parametrize(("partial", "message"), [
    # A template of another name than .html: the error named the including line.
    ("<nav>\n{{ nosuchvar }}\n</nav>\n",
     "error: templates/partials/nav.jinja:2: cannot render the de 404 page with template "
     "404.html: UndefinedError: 'nosuchvar' is undefined"),
    # A missing include: no file, no line.
    ('<nav>\n\n{% include "partials/gone.html" %}\n</nav>\n',
     "error: templates/partials/nav.jinja:3: template partials/gone.html not found (needed "
     "for the de 404 page)"),
])
def test_an_error_in_an_included_template_names_that_file_and_line(make_project, partial,
                                                                   message):
    root = make_project({
        "content/de/a.md": article("Alpha"),
        "templates/404.html": '{% extends "base.html" %}\n{% block main %}\n'
                              '{% include "partials/nav.jinja" %}\n{% endblock %}\n',
        "templates/partials/nav.jinja": partial,
    })
    result = CliRunner().invoke(cli, ["-C", str(root), "build"])
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr


def test_templates_link_the_projects_own_files_from_root_url(make_project):
    # Templates had style_url, home_url and feed_url only: a project's own
    # css/main.css needed a hack to be found under a base_url with a path.
    base = (BUILTIN_TEMPLATES / "base.html").read_text(encoding="utf-8")
    root = make_project({
        "content/de/a.md": article("A"),
        "static/css/main.css": "body {}\n",
        "templates/base.html": base.replace(
            "</head>", '<link rel="stylesheet" href="{{ root_url }}css/main.css">\n</head>'),
    }, config=CONFIG_WITH_PATH)
    out, _ = build(root)
    links = {page: re.search(r'href="([^"]*)css/main.css"', (out / page).read_text(
        encoding="utf-8")).group(1) for page in ("index.html", "de/index.html",
                                                 "de/a/index.html", "de/404.html")}
    assert links == {"index.html": "./", "de/index.html": "../", "de/a/index.html": "../../",
                     "de/404.html": "/kanzlei/"}


def test_static_files_are_copied_and_the_project_stylesheet_wins(make_project):
    root = make_project({
        "content/de/a.md": article("A"),
        "static/style.css": "body { color: red; }\n",
        "static/img/x.svg": "<svg/>",
        # What static hosts read is copied; leftovers of tools are not.
        "static/.htaccess": "Options -Indexes\n",
        "static/.nojekyll": "",
        "static/.well-known/security.txt": "Contact: mailto:sicherheit@example.org\n",
        "static/.git/config": "[core]\n",
        "static/.DS_Store": "x",
        "static/img/._x.svg": "AppleDouble",
        "static/img/x.svg~": "backup",
        "static/img/.x.svg.swp": "swap",
        "static/img/#x.svg#": "autosave",
        "static/img/.#x.svg": "lock",
    })
    out, _ = build(root)
    assert (out / "style.css").read_text() == "body { color: red; }\n"
    assert (out / "img/x.svg").read_text() == "<svg/>"
    copied = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    assert {".htaccess", ".nojekyll", ".well-known/security.txt"} <= copied
    assert not {".git/config", ".DS_Store"} & copied
    assert [name for name in copied if name.startswith("img/")] == ["img/x.svg"]
    # A hidden file of static/ is an input: changing it is no build with nothing to do.
    (root / "static/.htaccess").write_text("Options +Indexes\n")
    build_site(load_config(root), output=out)
    assert (out / ".htaccess").read_text() == "Options +Indexes\n"


def test_an_unchanged_static_file_is_read_only_when_it_is_written(make_project, monkeypatch):
    # A folder of images of hundreds of megabytes was read, packed and held
    # by every build; its files' digests are now kept under their states.
    root = make_project({"content/de/a.md": article("A"), "static/img/karte.svg": "<svg/>"})
    out, _ = build(root)
    image = root / "static/img/karte.svg"
    read: list[Path] = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path) or read_bytes(path))
    (root / "content/de/a.md").write_text(article("A", "Ein neuer Absatz.\n"), encoding="utf-8")
    _, summary = build(root)
    assert "de/a/index.html" in summary.written and image not in read
    (out / "img/karte.svg").unlink()  # gone from the site: written again, from the file
    _, summary = build(root)
    assert summary.written == ("img/karte.svg",) and image in read
    assert (out / "img/karte.svg").read_text() == "<svg/>"
    image.write_text("<svg></svg>")
    _, summary = build(root)
    assert summary.written == ("img/karte.svg",)
    assert (out / "img/karte.svg").read_text() == "<svg></svg>"


def test_a_static_file_changed_while_the_site_is_built_stops_it_and_the_site_stays(
        make_project, monkeypatch):
    # Its digest was taken from the cache when the build began; written now,
    # the file would be recorded with a digest of other bytes.
    import bilingual.build

    root = make_project({"content/de/a.md": article("A"), "static/img/karte.svg": "<svg/>"})
    out, _ = build(root)
    (out / "img/karte.svg").unlink()  # so that this build writes it
    image = root / "static/img/karte.svg"
    vouched = bilingual.build._add_static_file

    def vouched_then_saved(files, cache, name, path, state) -> None:
        vouched(files, cache, name, path, state)
        if path == image:  # not the built-in stylesheet, also a static file
            path.write_text("<svg>neu</svg>")

    monkeypatch.setattr(bilingual.build, "_add_static_file", vouched_then_saved)
    with pytest.raises(BilingualError, match="changed while the site was built") as raised:
        build(root)
    assert "static/img/karte.svg" in raised.value.format_message()
    monkeypatch.undo()
    assert not (out / "img/karte.svg").exists() and (out / "de/a/index.html").is_file()
    build(root)
    assert (out / "img/karte.svg").read_text() == "<svg>neu</svg>"


def test_a_project_robots_txt_replaces_the_generated_one(make_project):
    # As static/style.css replaces the built-in stylesheet (was: "would both write").
    rules = "User-agent: *\nDisallow: /intern/\n"
    root = make_project({"content/de/a.md": article("A"), "static/robots.txt": rules})
    out, summary = build(root)
    assert (out / "robots.txt").read_text() == rules
    assert summary.files.count("robots.txt") == 1
    (root / "static/robots.txt").unlink()
    out, _ = build(root)
    assert (out / "robots.txt").read_text() == (
        "User-agent: *\nAllow: /\n\nSitemap: https://www.example.com/sitemap.xml\n")


def test_files_of_an_earlier_build_are_removed_when_no_longer_built(make_project):
    po = catalog({"A": "A", "Ein Absatz.": "Un párrafo."})
    root = make_project({"content/de/a.md": article("A"), "locales/es/LC_MESSAGES/a.po": po})
    out, _ = build(root)
    assert (out / "es/a/index.html").is_file()
    (out / "notes.txt").write_text("mine")  # not the build's: left alone
    (root / "locales/es/LC_MESSAGES/a.po").write_text(
        catalog({"A": "A", "Ein Absatz.": ("Un párrafo.", "fuzzy")}), encoding="utf-8")
    _, summary = build(root)
    assert summary.removed == ("es/a/index.html",)
    assert not (out / "es/a").exists()
    assert (out / "notes.txt").read_text() == "mine"
    assert "es/a/index.html" not in (out / MANIFEST).read_text()


def test_output_folder_must_not_be_the_project_or_a_foreign_folder(make_project, tmp_path):
    root = make_project({"content/de/a.md": article("A")})
    config = load_config(root)
    for bad in (root, root / "content", root / "static/site", tmp_path):
        with pytest.raises(BilingualError):
            build_site(config, output=bad)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "index.html").write_text("someone else's")
    with pytest.raises(BilingualError, match="not written by bilingual build"):
        build_site(config, output=foreign)
    assert (foreign / "index.html").read_text() == "someone else's"
    build_site(config)  # the default: site/ in the project
    assert (root / "site/de/a/index.html").is_file()


@pytest.mark.parametrize("command", ["build", "pseudo"])
@pytest.mark.parametrize(("output", "message"), [
    (".", ".: the output folder would hold the project itself; choose a folder such as site/"),
    ("datei", "datei: the output folder is a file; remove it or choose another --output"),
    ("datei/neu", "datei/neu: the output folder lies below the file datei; choose another "
                  "--output"),
    ("content/neu", "content/neu: the output folder lies inside content; choose a folder "
                    "such as site/"),
    ("fremd", "fremd: the output folder is not empty and was not written by bilingual build; "
              "empty it or choose another --output"),
    ("verweis", "verweis: the output folder is a link to nirgends/site, which is no folder; "
                "make that folder or choose another --output"),
    # A link that leads to itself: was "unexpected RuntimeError: Symlink loop".
    ("schleife", "schleife: the output folder is a link to schleife, which is no folder; "
                 "make that folder or choose another --output"),
    # Hidden files count: `--output ~` swapped a home folder out.
    ("privat", "privat: the output folder is not empty and was not written by bilingual build; "
               "empty it or choose another --output"),
])
def test_a_bad_output_folder_is_a_usage_error(make_project, command, output, message):
    # Exit 2 for each, as for any bad option value: a file was click's usage
    # error (2), the project folder a failed build (1).
    root = make_project({"content/de/a.md": article("A"), "datei": "kein Ordner",
                         "fremd/index.html": "von Hand", "privat/.bashrc": "alias x=y"})

    def sources() -> dict[str, bytes]:
        return {name: data for name, data in tree(root).items()
                if not name.startswith(".bilingual-cache/")}

    (root / "verweis").symlink_to("nirgends/site")
    (root / "schleife").symlink_to("schleife")
    before = sources()
    result = CliRunner().invoke(cli, ["-C", str(root), command, "--output", output])
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")
    assert sources() == before


def test_a_publishing_checkout_may_be_the_output_and_keeps_its_folders(make_project):
    # A `gh-pages` checkout holds `.git` (and `.nojekyll`) before the first
    # build; the swap had left out its empty folders (`.git/refs/tags`).
    root = make_project({"content/de/a.md": article("A")})
    pages = root / "pages"
    (pages / ".git" / "refs" / "tags").mkdir(parents=True)
    (pages / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (pages / ".nojekyll").write_text("")
    build_site(load_config(root), output=pages)
    assert (pages / "de/a/index.html").is_file() and (pages / ".git/refs/tags").is_dir()
    assert (pages / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"


def test_a_file_where_the_site_goes_is_refused_before_anything_is_rendered(make_project,
                                                                            monkeypatch):
    import bilingual.build

    def render_site(*args, **kwargs):
        raise AssertionError("the site was rendered")

    monkeypatch.setattr(bilingual.build, "render_site", render_site)
    root = make_project({"content/de/a.md": article("A"), "site": "kein Ordner"})
    result = CliRunner().invoke(cli, ["-C", str(root), "build"])
    assert (result.exit_code, result.stderr) == (
        2, "error: site: the output folder is a file; remove it or choose another --output\n")
    assert (root / "site").read_text() == "kein Ordner"


def test_a_base_url_with_a_path_prefixes_every_absolute_url(make_project):
    config = CONFIG_WITH_PATH
    root = make_project({
        "content/de/a.md": article("A", "Siehe [B](/kanzlei/de/b/) und [C](c.md).\n"),
        "content/de/c.md": article("C"),
        "content/de/b.md": article("B"),
    }, config=config)
    out, summary = build(root)
    page = (out / "de/a/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://www.example.com/kanzlei/de/a/">' in page
    assert '<a href="../b/">B</a>' in page and '<a href="../c/">C</a>' in page
    assert '<a href="/kanzlei/de/">' in (out / "de/404.html").read_text(encoding="utf-8")
    assert "https://www.example.com/kanzlei/sitemap.xml" in (out / "robots.txt").read_text()
    assert [w for w in summary.warnings if "links to" in w] == []


CONFIG_WITH_PATH = """[site]
title = "Beispiel"
base_url = "https://www.example.com/kanzlei/"
source_language = "de"
target_languages = ["es"]
"""


def test_control_characters_in_front_matter_and_catalogs_leave_the_feeds_well_formed(make_project):
    # XML 1.0 cannot hold most C0 controls, not even as `&#1;`; a slip in a
    # catalog or in front matter must not make a feed that no reader parses.
    atom = "{http://www.w3.org/2005/Atom}"
    config = CONFIG_WITH_PATH.replace('"Beispiel"', '"Bei\\u000bspiel"')
    root = make_project({
        "content/de/a.md": article('"Steuer\\x01zeichen"', "Ein Absatz.\n",
                                   description='"Kurz\\x1fgefasst"', author='"Ana\\x08 Pérez"',
                                   tags='["Recht\\x02"]'),
        "locales/es/LC_MESSAGES/a.po": catalog({"Steuer\x01zeichen": "Carácter\x0c de control",
                                                 "Kurz\x1fgefasst": "Resu\x1bmen",
                                                 "Ein Absatz.": "Un párrafo.",
                                                 "Recht\x02": "Derecho\x07"}),
    }, config=config)
    out, summary = build(root)
    assert not summary.held_back
    titles = {}
    for lang in ("de", "es"):
        feed = ET.fromstring((out / lang / "feed.xml").read_bytes())
        assert feed.findtext(f"{atom}title") == "Beispiel"
        entry = feed.find(f"{atom}entry")
        titles[lang] = (entry.findtext(f"{atom}title"), entry.findtext(f"{atom}summary"),
                        entry.findtext(f"{atom}author/{atom}name"),
                        [c.get("term") for c in entry.findall(f"{atom}category")])
    assert titles == {"de": ("Steuerzeichen", "Kurzgefasst", "Ana Pérez", ["Recht"]),
                      "es": ("Carácter de control", "Resumen", "Ana Pérez", ["Derecho"])}
    ET.fromstring((out / "sitemap.xml").read_bytes())


# What HTML5 calls a parse error in text (U+000C aside, which no XML holds),
# written out from the brief rather than taken from the code under test.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _unseen(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "which no reader can see" in line]


def test_control_characters_never_reach_the_html_pages_and_each_file_is_named_once(
        make_project, tmp_path):
    po = catalog({"Steuer\x01zeichen": "Carácter de control", "Kurz\x1fgefasst": "Resumen",
                  "Ein Absatz.": "Un párrafo.", "Recht\x02": "Dere\x7fcho",
                  "Zweiter\x7f Absatz\x0c.": "Segundo\x1b párrafo."})
    ui = catalog({"Thema": "Te\x01ma", "Entwurf": ("Borra\x02dor", "fuzzy")})
    root = make_project({
        # Every field and the body, first on line 2 (the title): one warning.
        "content/de/a.md": article('"Steuer\\x01zeichen"', "Ein Absatz.\n\nZweiter\x7f Absatz\x0c.\n",
                                   description='"Kurz\\x1fgefasst"', author='"Ana\\x08 Pérez"',
                                   tags='["Recht\\x02"]'),
        # The body only, on its line 8.
        "content/de/b.md": article("B", "Eins.\n\nZwei\x01 und\x1b drei.\n"),
        # What YAML lets in as an escape only, and no UTF-8 can hold.
        "content/de/c.md": article("C", author='"Ana \\ud800"'),
        "content/es/d.md": "---\ntitle: D\n---\n\nUno.\n\nDos\x0b.\n",
        "locales/es/LC_MESSAGES/a.po": po,
        "locales/es/LC_MESSAGES/_ui.po": ui,
    }, config=CONFIG_WITH_PATH.replace('"Beispiel"', '"Bei\\u0007spiel"'))
    out = tmp_path / "out"

    def built() -> list[str]:
        result = CliRunner().invoke(cli, ["-C", str(root), "build", "--output", str(out)])
        assert result.exit_code == 0, result.output
        return _unseen(result.stderr)

    first = built()
    po_line = next(n for n, line in enumerate(po.splitlines(), 1) if line.startswith('msgid "Recht'))
    ui_line = ui.splitlines().index('msgid "Thema"') + 1
    assert sorted(first) == sorted([
        "warning: content/de/a.md:2: control character U+0001, which no reader can see; "
        "the pages leave it out (remove it here)",
        "warning: content/de/b.md:8: control character U+0001, which no reader can see; "
        "the pages leave it out (remove it here)",
        "warning: content/de/c.md:4: lone surrogate U+D800, which no reader can see; "
        "the pages leave it out (remove it here)",
        "warning: content/es/d.md:7: control character U+000B, which no reader can see; "
        "the pages leave it out (remove it here)",
        f"warning: locales/es/LC_MESSAGES/a.po:{po_line}: control character U+007F, which "
        "no reader can see; the pages leave it out (remove it here)",
        f"warning: locales/es/LC_MESSAGES/_ui.po:{ui_line}: control character U+0001, which "
        "no reader can see; the pages leave it out (remove it here)"])
    pages = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
             for p in out.rglob("*.html")}
    assert len(pages) > 10 and {n for n, page in pages.items() if _CONTROL.search(page)} == set()
    de, es = pages["de/a/index.html"], pages["es/a/index.html"]
    assert "<h1>Steuerzeichen</h1>" in de and "<p>Zweiter Absatz.</p>" in de
    assert "Kurzgefasst" in de and "Ana Pérez" in de and ">Recht<" in de
    assert "<p>Segundo párrafo.</p>" in es and ">Derecho<" in es
    assert any('<p class="kicker">Tema</p>' in page for page in pages.values())  # a tag page
    assert "<p>Zwei und drei.</p>" in pages["de/b/index.html"]
    assert "Ana " in pages["de/c/index.html"] and "<p>Dos.</p>" in pages["es/d/index.html"]
    assert all("Beispiel" in page for page in pages.values())

    # Unchanged articles and catalogs come from the cache: their warnings too.
    (root / "content/de/e.md").write_text(article("E"), encoding="utf-8")
    assert sorted(built()) == sorted(first)
    assert sorted(built()) == sorted(first)  # nothing changed: the last build's summary


@pytest.mark.parametrize("raw_html", ["", "\n<div>Kasten</div>\n"], ids=["cmark", "markdown-it"])
def test_brackets_in_a_translated_alt_text_keep_the_image(make_project, raw_html):
    # A translator sees an image's alt text alone: an unbalanced `]` ended the
    # image early and the page showed `![Mapa ] 2025](/karte.png)` as text.
    root = make_project({
        "content/de/a.md": article("Alpha", f"![Karte](/karte.png)\n\nKarte\n{raw_html}"),
        "locales/es/LC_MESSAGES/a.po": catalog({"Alpha": "Alfa", "Karte": "Mapa ] 2025 [1"}),
    })
    out, _ = build(root)
    page = (out / "es/a/index.html").read_text(encoding="utf-8")
    assert '<img src="/karte.png" alt="Mapa ] 2025 [1"' in page
    assert "<p>Mapa ] 2025 [1</p>" in page  # the same text as a paragraph: shown as written


@pytest.mark.parametrize("folder", ["static", "templates"])
def test_a_file_name_that_is_not_utf8_in_static_or_templates_is_named(make_project, folder):
    # It failed with "unexpected UnicodeEncodeError", naming nothing.
    root = make_project({"content/de/a.md": article("A")})
    (root / folder).mkdir(exist_ok=True)
    (root / os.fsdecode(f"{folder}/caf".encode() + b"\xe9.png")).write_bytes(b"x")
    result = CliRunner().invoke(cli, ["-C", str(root), "build"])
    assert result.exit_code == 1
    assert f"{folder}/caf\\udce9.png: the file name holds a line break, a control character " \
        "or a byte that is not UTF-8; rename the file" in result.stderr


def test_an_article_with_more_tags_than_anyone_means_is_warned_about(make_project):
    # 7,000 tags in one article made a site of 2.4 GB without a word.
    many = ", ".join(f"t{i}" for i in range(51))
    root = make_project({"content/de/a.md": article("A", tags=f"[{many}]"),
                         "content/de/b.md": article("B", tags="[" + many.rsplit(", ", 1)[0] + "]")})
    _, summary = build(root)
    assert [w for w in summary.warnings if " tags; " in w] == [
        "content/de/a.md:4: 51 tags; each gets a page per language listing the article with all "
        "of them, so the site grows with their square: keep to a few (at most 50)"]


def test_a_second_build_of_one_folder_is_refused_while_the_first_runs(make_project):
    # Two builds at once swapped their staging copies into each other: both
    # exited 0, left a third of a site, and every later build refused it.
    import subprocess
    import sys

    from bilingual.lock import output_lock

    root = make_project({"content/de/a.md": article("A")})
    before = tree(root / "site") if (root / "site").exists() else {}
    with output_lock(root / "site", "bilingual build"):
        second = subprocess.run([sys.executable, "-m", "bilingual", "-C", str(root), "build"],
                                capture_output=True, text=True)
    assert second.returncode == 1
    assert re.fullmatch(r"error: \.site\.lock: the site folder site/ is being built by "
                        r"`bilingual build` \(pid \d+ on .*, since .*\); wait until it has "
                        r"finished and run the command again\n", second.stderr), second.stderr
    assert (tree(root / "site") if (root / "site").exists() else {}) == before
    assert not (root / ".site.lock").exists()
    CliRunner().invoke(cli, ["-C", str(root), "build"])
    assert (root / "site/de/a/index.html").is_file()
    # A folder named through a link has the folder's lock, not one of its own.
    from bilingual.lock import output_lock_path

    (root / "out").symlink_to(root / "site")
    assert output_lock_path(root / "out") == output_lock_path(root / "site") == \
        root.resolve() / ".site.lock"


def test_a_tag_page_keeps_the_name_most_of_its_articles_use(make_project):
    # The newest article's spelling named the page: one new article tagged
    # `politik` renamed the page of the older ones tagged `Politik`.
    root = make_project({
        "content/de/a.md": article("A", tags="[Politik]").replace("2025-09-15", "2025-01-01"),
        "content/de/b.md": article("B", tags="[Politik]").replace("2025-09-15", "2025-02-01"),
        "content/de/c.md": article("C", tags="[politik]").replace("2025-09-15", "2025-03-01"),
    })
    out, _ = build(root)
    page = (out / "de/tags/politik/index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>[^<]*\bPolitik\b", page) and "<title>politik" not in page
    assert re.search(r"<h1[^>]*>[^<]*Politik", page)
    # A tie goes to the oldest article's spelling, whatever comes after it.
    (root / "content/de/b.md").write_text(article("B", tags="[POLITIK]").replace(
        "2025-09-15", "2025-02-01"), encoding="utf-8")
    out, _ = build(root)
    incremental = (out / "de/tags/politik/index.html").read_bytes()
    assert re.search(r"<h1[^>]*>[^<]*Politik<", incremental.decode())
    clean = root.parent / "clean" / "site-project"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns(".bilingual-cache"))
    out, _ = build(clean)
    assert (out / "de/tags/politik/index.html").read_bytes() == incremental


def test_a_tag_translated_differently_by_one_catalog_is_named(make_project):
    # `Políticas` in one catalog split the Spanish articles of `Politik` over
    # two tag pages, neither paired with the German one, and nothing said so.
    files = {}
    for name, translation in (("p1", "Política"), ("p2", "Política"), ("p3", "Políticas")):
        files[f"content/de/{name}.md"] = article(name.upper(), tags="[Politik]")
        files[f"locales/es/LC_MESSAGES/{name}.po"] = catalog({
            name.upper(): name.upper(), "Politik": translation, "Ein Absatz.": "Un párrafo."})
    root = make_project(files)
    out, summary = build(root)
    line = (root / "locales/es/LC_MESSAGES/p3.po").read_text(encoding="utf-8").splitlines().index(
        'msgid "Politik"') + 1
    assert [w for w in summary.warnings if "tag" in w] == [
        f"locales/es/LC_MESSAGES/p3.po:{line}: the tag 'Politik' is translated 'Políticas' here "
        f"and 'Política' in locales/es/LC_MESSAGES/p1.po:{line}, "
        f"locales/es/LC_MESSAGES/p2.po:{line}; its es articles are split over 2 tag pages, "
        "es/tags/politica/ and es/tags/politicas/"]
    alternate = '<link rel="alternate" hreflang="es" href="https://www.example.com/es/tags/'
    assert alternate not in (out / "de/tags/politik/index.html").read_text(encoding="utf-8")
    # Translated alike, or two German tags rendered alike: nothing to say.
    (root / "locales/es/LC_MESSAGES/p3.po").write_text(catalog({
        "P3": "P3", "Politik": "Política", "Ein Absatz.": "Un párrafo."}), encoding="utf-8")
    (root / "content/de/p2.md").write_text(article("P2", tags="[Staat]"), encoding="utf-8")
    (root / "locales/es/LC_MESSAGES/p2.po").write_text(catalog({
        "P2": "P2", "Staat": "Política", "Ein Absatz.": "Un párrafo."}), encoding="utf-8")
    out, summary = build(root)
    assert [w for w in summary.warnings if "tag" in w] == []
    assert not (out / "es/tags/politicas").exists()


def test_reading_time_counts_the_words_a_reader_sees_not_markdown_marks(make_project):
    # 200 list items `- Punkt` were 400 words, "2 Minuten Lesezeit"; a table
    # counted its pipes and its delimiter row.
    from bilingual.gather import _words

    assert _words("- Punkt\n" * 200) == 200
    assert _words("| Wort | Wort |\n|---|---|\n" + "| Wort | Wort |\n" * 10) == 22
    assert _words("## Titel\n\n> Ein *Zitat* mit `code`, E-Mail und 52,5 %.\n\n---\n") == 8
    assert _words("\ud800 Wort") == 2  # a lone surrogate does not stop the count
    # Spaces outside ASCII part words as before (text pasted from a word
    # processor: `10 km`, `z. B.` with no-break spaces, was one word).
    assert _words("Wort\u00a0" * 99 + "Ende.") == 100
    assert _words("10\u202fkm z.\u00a0B. und\u2009so\u3000fort") == 7
    root = make_project({"content/de/a.md": article("A", "- Punkt\n" * 200)})
    out, _ = build(root)
    assert "1 Minute Lesezeit" in (out / "de/a/index.html").read_text(encoding="utf-8")
