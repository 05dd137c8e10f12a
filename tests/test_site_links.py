"""The built fixture site, read the way crawlers and browsers read it.

HTML goes through the standard library's HTML parser, XML through ElementTree;
every claim a page makes about other pages (hreflang, canonical, switcher,
relative links) is checked against the files actually written.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bilingual.build import build_site
from bilingual.config import load_config
from bilingual.site import _PLAIN_PATH, _WEB_LINK, absolute_url, quoted_path, relative_url

FIXTURE = Path(__file__).parent / "fixtures" / "site"
BASE = "https://www.example.com/"
LANGS = ("de", "es")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class PageInfo:
    """What one HTML page declares."""

    lang: str | None = None
    canonical: str | None = None
    alternates: dict[str, str] = field(default_factory=dict)
    robots: str | None = None
    og_locale: str | None = None
    og_locale_alternates: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    """href of every <a>, src of every <img>, href of stylesheets and feeds."""
    switcher: dict[str, str] = field(default_factory=dict)
    """hreflang -> href of the language switcher's links."""
    times: list[tuple[str, str]] = field(default_factory=list)
    """(datetime, text) of every <time>."""
    lang_elements: list[tuple[str, str, str]] = field(default_factory=list)
    """(tag, lang, class) of every element below <html> with a lang attribute."""
    ids: set[str] = field(default_factory=set)
    """Every id: what a link's #fragment can name."""
    heading_ids: list[str] = field(default_factory=list)
    """The id of every <h1>...<h6> that has one, in order."""
    text: str = ""


class PageParser(HTMLParser):
    """Collects PageInfo; duplicate alternates for one hreflang are an error."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.info = PageInfo()
        self._nav_depth = 0
        self._time: list[str] | None = None
        self._time_attr = ""
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        info = self.info
        if "id" in a:
            assert a["id"] not in info.ids, f"id {a['id']} twice"
            info.ids.add(a["id"])
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                info.heading_ids.append(a["id"])
        if tag == "html":
            info.lang = a.get("lang")
        elif "lang" in a:
            info.lang_elements.append((tag, a["lang"], a.get("class", "")))
        if tag == "link":
            rel = a.get("rel", "")
            if rel == "canonical":
                assert info.canonical is None, "two canonical links"
                info.canonical = a["href"]
            elif rel == "alternate" and "hreflang" in a and "type" not in a:
                assert a["hreflang"] not in info.alternates, f"hreflang {a['hreflang']} twice"
                info.alternates[a["hreflang"]] = a["href"]
            else:
                info.links.append(a["href"])
        elif tag == "meta":
            if a.get("name") == "robots":
                info.robots = a.get("content")
            elif a.get("property") == "og:locale":
                info.og_locale = a.get("content")
            elif a.get("property") == "og:locale:alternate":
                info.og_locale_alternates.append(a.get("content", ""))
        elif tag == "nav" and "language-switcher" in a.get("class", ""):
            self._nav_depth = 1
        elif tag == "nav" and self._nav_depth:
            self._nav_depth += 1
        elif tag == "a" and "href" in a:
            info.links.append(a["href"])
            if self._nav_depth:
                info.switcher[a["hreflang"]] = a["href"]
        elif tag == "img":
            info.links.append(a["src"])
        elif tag == "time":
            self._time = []
            self._time_attr = a.get("datetime", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1
        elif tag == "time" and self._time is not None:
            self.info.times.append((self._time_attr, "".join(self._time).strip()))
            self._time = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._time is not None:
            self._time.append(data)

    def close(self) -> None:
        super().close()
        self.info.text = " ".join(" ".join(self._text).split())


def parse_page(path: Path) -> PageInfo:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.info


def local_file(site: Path, url: str) -> Path | None:
    """The file an absolute site URL is served from, or None when it is not one."""
    if not url.startswith(BASE):
        return None
    path = unquote(urlsplit(url).path).lstrip("/")
    candidate = site / path
    return candidate / "index.html" if url.endswith("/") else candidate


def page_url(site: Path, path: Path) -> str:
    """The absolute URL a built file is served at."""
    relative = path.relative_to(site).as_posix()
    if relative.endswith("index.html"):
        relative = relative[: -len("index.html")]
    return BASE + relative


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("built") / "site"
    build_site(load_config(FIXTURE), output=site)
    return site


@pytest.fixture(scope="module")
def drafts_built(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("drafts") / "site"
    build_site(load_config(FIXTURE), drafts=True, output=site)
    return site


@pytest.fixture(scope="module")
def pages(built) -> dict[Path, PageInfo]:
    # The translation status page is for the team, not a page of the site
    # (noindex, no hreflang); tests/test_statuspage.py checks it.
    return {path: parse_page(path) for path in sorted(built.rglob("*.html"))
            if path.relative_to(built).parts[0] != "_status"}


def is_404(path: Path) -> bool:
    return path.name == "404.html"


# ---------------------------------------------------------------------------


def test_every_page_declares_its_language_and_canonical_url(built, pages):
    for path, info in pages.items():
        assert info.lang in LANGS, path
        if is_404(path):
            assert info.canonical is None and info.robots == "noindex", path
            continue
        assert info.canonical == page_url(built, path), path
        assert info.robots is None, path


def test_hreflang_groups_are_reciprocal_absolute_and_complete(built, pages):
    groups = 0
    for path, info in pages.items():
        if is_404(path):
            assert info.alternates == {}, path
            continue
        alternates = info.alternates
        assert "x-default" in alternates, path
        assert set(alternates) - {"x-default"} <= set(LANGS), path
        for hreflang, href in alternates.items():
            assert href.startswith(BASE), (path, href)
            target = local_file(built, href)
            assert target is not None and target.is_file(), (path, href)
            # Reciprocal: every page of the group declares exactly the same group.
            assert pages[target].alternates == alternates, (path, target)
            if hreflang != "x-default":
                assert pages[target].lang == hreflang, (path, target)
        if path.name == "index.html" and path.parent != built:
            # Itself included (the root chooser is the x-default of the home pages).
            assert alternates[info.lang] == info.canonical, path
        groups += 1
    assert groups > 10


def test_x_default_is_the_source_language_page(pages):
    for path, info in pages.items():
        alternates = info.alternates
        if "de" in alternates and "/tags/" not in path.as_posix() \
                and alternates["de"] != BASE + "de/":
            assert alternates["x-default"] == alternates["de"], path
    root = next(info for path, info in pages.items() if path.as_posix().endswith("site/index.html"))
    assert root.alternates == {"de": BASE + "de/", "es": BASE + "es/", "x-default": BASE}


def test_articles_pair_as_expected(built, pages):
    def alternates(relative: str) -> dict[str, str]:
        return pages[built / relative].alternates

    assert alternates("de/markteintritt-spanien/index.html") == {
        "de": BASE + "de/markteintritt-spanien/", "es": BASE + "es/entrada-en-espana/",
        "x-default": BASE + "de/markteintritt-spanien/"}
    # The hand-written Spanish article pairs with its German original.
    assert alternates("es/blog/cooperacion/index.html")["de"] == BASE + "de/blog/kooperation/"
    # Spanish only: itself and x-default.
    assert alternates("es/solo-aqui/index.html") == {
        "es": BASE + "es/solo-aqui/", "x-default": BASE + "es/solo-aqui/"}
    # Held back: the German page points at no Spanish version.
    assert alternates("de/kartellrecht/index.html") == {
        "de": BASE + "de/kartellrecht/", "x-default": BASE + "de/kartellrecht/"}
    # A tag translated one to one pairs its tag pages.
    assert alternates("es/tags/espana/index.html")["de"] == BASE + "de/tags/spanien/"


def test_open_graph_locales_follow_the_alternates(pages):
    locales = {"de": "de_DE", "es": "es_ES"}
    for path, info in pages.items():
        assert info.og_locale == locales[info.lang], path
        others = [locales[h] for h in info.alternates if h not in ("x-default", info.lang)]
        assert info.og_locale_alternates == others, path


def test_every_relative_link_and_image_resolves_to_a_file_and_section(built, pages):
    broken = []
    for path, info in pages.items():
        base = page_url(built, path)
        if is_404(path):
            base = BASE + "somewhere/deep/missing/"  # shown at any address
        for link in info.links:
            address, _, fragment = link.partition("#")
            if not address:  # the skip link, a link to a section of the same article
                assert fragment in info.ids, (path, link)
                continue
            url = urljoin(base, address)
            if not url.startswith(BASE):
                continue  # external
            target = local_file(built, url)
            if target is None or not target.is_file():
                broken.append((path.relative_to(built).as_posix(), link))
            elif fragment:
                assert fragment in parse_page(target).ids, (path, link)
    # The one link the fixture breaks on purpose (reported as a warning).
    assert sorted(set(broken)) == [("de/markteintritt-spanien/index.html", "gibt-es-nicht.md"),
                                   ("es/entrada-en-espana/index.html", "gibt-es-nicht.md")]


def test_pages_link_to_each_other_wherever_the_site_is_served(built, pages):
    # What docs/build.md promises of the relative links: moved under another
    # path or host, the pages (the 404 pages aside, which link from the
    # root) still link to each other, as no link within the site names the
    # root or the host.
    anchored = []
    for path, info in pages.items():
        if is_404(path):
            continue
        for link in info.links:
            parts = urlsplit(link)
            if link.startswith("/") or link.startswith(BASE) or (
                    not parts.scheme and parts.netloc):
                anchored.append((path.relative_to(built).as_posix(), link))
    assert anchored == []


def test_language_switcher_goes_to_the_counterpart_or_the_other_home(built, pages):
    for path, info in pages.items():
        if path.parent == built and path.name == "index.html":
            assert info.switcher == {}  # the chooser is itself the switch
            continue
        other = "es" if info.lang == "de" else "de"
        assert set(info.switcher) == {other}, path
        base = BASE + "x/y/z/" if is_404(path) else page_url(built, path)
        target = urljoin(base, info.switcher[other])
        expected = info.alternates.get(other, BASE + f"{other}/")
        assert target == expected, path


def test_internal_links_follow_the_language(built, pages):
    es = pages[built / "es/entrada-en-espana/index.html"].links
    assert "../datenschutz/#ki-im-buro" in es       # translated: the Spanish page
    assert "../../de/kartellrecht/" in es           # held back: the German page
    assert "../blog/cooperacion/" in es             # hand-written Spanish version
    de = pages[built / "de/markteintritt-spanien/index.html"].links
    assert {"../datenschutz/#ki-im-buro", "../kartellrecht/", "../blog/kooperation/"} <= \
        set(de)
    cooperacion = pages[built / "es/blog/cooperacion/index.html"].links
    # A /de/ URL in a Spanish original goes to the Spanish version.
    assert "../../entrada-en-espana/" in cooperacion
    assert "../../solo-aqui/" in cooperacion


def test_a_translated_page_has_the_section_ids_of_the_german_page(built, pages):
    # A link to `datenschutz.md#ki-im-buro` lands on either language version,
    # and the language switcher keeps the section.
    for german, spanish in (("de/datenschutz", "es/datenschutz"),
                            ("de/markteintritt-spanien", "es/entrada-en-espana")):
        ids = pages[built / german / "index.html"].heading_ids
        assert ids and pages[built / spanish / "index.html"].heading_ids == ids
    assert pages[built / "es/datenschutz/index.html"].heading_ids == ["ki-im-buro"]
    # A hand-written translation has ids of its own headings' text.
    assert pages[built / "es/blog/cooperacion/index.html"].heading_ids == ["compras-conjuntas"]


def test_dates_are_localised_inside_time_elements(built, pages):
    assert ("2025-09-15", "15. September 2025") in \
        pages[built / "de/markteintritt-spanien/index.html"].times
    es = pages[built / "es/entrada-en-espana/index.html"]
    assert ("2025-09-15", "15 de septiembre de 2025") in es.times
    assert ("2025-10-01", "1 de octubre de 2025") in es.times
    assert "1 minuto de lectura" in es.text
    assert "1 Minute Lesezeit" in pages[built / "de/datenschutz/index.html"].text


def test_held_back_translation_has_no_page_and_nothing_points_at_it(built):
    assert not (built / "es/kartellrecht").exists()
    assert not (built / "de/entwurf").exists() and not (built / "es/entwurf").exists()
    for path in built.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml"):
            text = path.read_text(encoding="utf-8")
            assert "es/kartellrecht" not in text, path
            assert "entwurf/" not in text, path


def test_hand_written_translation_wins_over_the_catalog(built):
    for path in built.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml"):
            assert "catálogo" not in path.read_text(encoding="utf-8"), path


def test_other_language_text_carries_lang(built, pages):
    # The fixture's _ui.po translates the site description: the Spanish home
    # page's lead is Spanish and marked as nothing else (test_build.py covers
    # an untranslated one).
    home = pages[built / "es/index.html"]
    assert not [e for e in home.lang_elements if e[2] == "lead"]
    root = pages[built / "index.html"]
    assert [lang for tag, lang, _ in root.lang_elements if tag == "li"] == ["de", "es"]


def test_sitemap_lists_every_published_url_with_its_alternates(built, pages):
    tree = ET.parse(built / "sitemap.xml")
    urls = tree.getroot().findall(f"{SITEMAP}url")
    seen = set()
    for url in urls:
        loc = url.findtext(f"{SITEMAP}loc")
        target = local_file(built, loc)
        assert target is not None and target.is_file(), loc
        links = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert all(link.get("rel") == "alternate" for link in url.findall(f"{XHTML}link"))
        assert links == pages[target].alternates, loc
        seen.add(target)
    indexable = {p for p, info in pages.items() if info.alternates}
    assert seen == indexable
    assert (built / "robots.txt").read_text().splitlines()[-1] == \
        "Sitemap: https://www.example.com/sitemap.xml"


def test_a_site_over_the_sitemap_limit_gets_an_index_of_parts(built, pages, tmp_path,
                                                              monkeypatch):
    # sitemaps.org allows 50,000 URLs a file; search engines ignore a larger one.
    # The limit made 7 here: the same URLs, in parts, named by an index.
    import bilingual.site

    whole = ET.parse(built / "sitemap.xml").getroot().findall(f"{SITEMAP}url")
    monkeypatch.setattr(bilingual.site, "SITEMAP_URLS", 7)
    out = tmp_path / "parts"
    build_site(load_config(FIXTURE), output=out)
    index = ET.parse(out / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    names = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert names[0] == "https://www.example.com/sitemap-1.xml" and len(names) >= 2
    parts = [ET.parse(out / urlsplit(name).path.lstrip("/")).getroot() for name in names]
    assert all(len(part.findall(f"{SITEMAP}url")) <= 7 for part in parts)
    def entries(urls):
        for url in urls:
            url.tail = None  # the space after it: where it stands in its file
        return [ET.tostring(url) for url in urls]
    assert entries([url for part in parts for url in part.findall(f"{SITEMAP}url")]) == \
        entries(whole)
    manifest = (out / ".bilingual-manifest").read_text().split()
    assert {urlsplit(name).path.lstrip("/") for name in names} <= set(manifest)
    # With drafts, which no sitemap lists, there are no more parts: none is empty.
    drafts = tmp_path / "drafts"
    build_site(load_config(FIXTURE), drafts=True, output=drafts)
    named = [loc.text for loc in ET.parse(drafts / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    assert named == names
    assert all(ET.parse(drafts / urlsplit(name).path.lstrip("/")).getroot().findall(
        f"{SITEMAP}url") for name in named)
    assert not (drafts / f"sitemap-{len(names) + 1}.xml").exists()


def test_feeds_are_valid_atom_with_absolute_urls(built):
    for lang in LANGS:
        root = ET.parse(built / lang / "feed.xml").getroot()
        assert root.tag == f"{ATOM}feed"
        assert root.get(XML_LANG) == lang
        entries = root.findall(f"{ATOM}entry")
        assert entries
        updated = [e.findtext(f"{ATOM}updated") for e in entries]
        assert root.findtext(f"{ATOM}updated") == max(updated)
        published = [e.findtext(f"{ATOM}published") for e in entries]
        assert published == sorted(published, reverse=True)  # newest first
        for link in root.iter(f"{ATOM}link"):
            href = link.get("href")
            assert href.startswith(BASE), href
            target = local_file(built, href)
            assert target is not None and target.is_file(), href
    es = ET.parse(built / "es/feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in es.findall(f"{ATOM}entry")]
    assert titles[0] == "Entrada en el mercado español"
    assert es.findtext(f"{ATOM}updated") == "2025-10-01T00:00:00Z"
    assert es.findtext(f"{ATOM}title") == "Bufete Ejemplo"
    subtitle = es.find(f"{ATOM}subtitle")
    assert (subtitle.text, subtitle.get(XML_LANG)) == (
        "Información jurídica para la mediana empresa", None)


def test_drafts_are_built_noindex_labelled_and_left_out_of_every_index(drafts_built):
    draft = drafts_built / "es/kartellrecht/index.html"
    info = parse_page(draft)
    assert info.robots == "noindex"
    assert info.alternates == {}
    assert "Borrador" in info.text
    untranslated = [(tag, lang) for tag, lang, _ in info.lang_elements
                    if lang == "de" and tag != "a"]  # the switcher's link is German too
    assert untranslated == [("p", "de"), ("p", "de")]
    german = parse_page(drafts_built / "de/kartellrecht/index.html")
    assert "es" not in german.alternates  # a draft is not a published version
    assert german.switcher == {"es": "../../es/kartellrecht/"}
    german_draft = parse_page(drafts_built / "de/entwurf/index.html")
    assert german_draft.robots == "noindex" and "Entwurf" in german_draft.text
    sitemap = (drafts_built / "sitemap.xml").read_text(encoding="utf-8")
    feeds = "".join((drafts_built / lang / "feed.xml").read_text(encoding="utf-8")
                    for lang in LANGS)
    for route in ("es/kartellrecht/", "de/entwurf/", "es/entwurf/"):
        assert route not in sitemap and route not in feeds
    home = parse_page(drafts_built / "es/index.html")
    assert "../es/kartellrecht/" not in home.links and "kartellrecht/" in home.links


def test_relative_links_work_from_every_depth():
    cases = {  # (from route, to route): (relative link, where a browser lands)
        ("de/x/", "es/y/"): ("../../es/y/", "es/y/"),
        ("", "de/"): ("de/", "de/"),
        ("de/x/", ""): ("../../", ""),
        ("de/404.html", "de/x/"): ("x/", "de/x/"),
        ("de/a/b/", "de/a/b/"): ("./", "de/a/b/"),
        ("de/x/", "style.css"): ("../../style.css", "style.css"),
        ("es/a/", "es/año/"): ("../a%C3%B1o/", "es/a%C3%B1o/"),
    }
    for (start, target), (link, lands) in cases.items():
        assert relative_url(start, target) == link
        assert urljoin("https://h/" + start, link) == "https://h/" + lands


@given(st.one_of(st.text(), st.text(st.sampled_from("aZ09_.~/-%+ éß:?#\x00\x7f"))))
def test_urls_are_quoted_as_urllib_quotes_them(path):
    # quoted_path skips `quote` for paths that need nothing encoded; whatever
    # the path, the result must be the one `quote` gives.
    assert quoted_path(path) == quote(path)
    assert absolute_url("https://h", path) == "https://h/" + quote(path)


_ROUTE_PARTS = st.lists(st.sampled_from(["de", "es", "x", "tags", "año", "index.html", "a.svg"]),
                        max_size=4)


@given(_ROUTE_PARTS, st.booleans(), _ROUTE_PARTS, st.booleans())
def test_relative_urls_are_what_posixpath_relpath_gives(start, start_folder, target, folder):
    # relative_url avoids relpath for speed; on clean routes both must agree.
    from_route = "/".join(start) + ("/" if start_folder and start else "")
    to_route = "/".join(target) + ("/" if folder and target else "")
    base = from_route if from_route.endswith("/") or not from_route else \
        posixpath.dirname(from_route) + "/"
    expected = posixpath.relpath(to_route.rstrip("/") or ".", base.rstrip("/") or ".")
    if to_route.endswith("/") or not to_route:
        expected = "./" if expected == "." else expected + "/"
    assert relative_url(from_route, to_route) == quote(expected)


@given(st.text(st.sampled_from("ab/.:?#% \t\n\x7f\x00é[]@-_"), max_size=12).map(lambda t: t + ".md"))
def test_the_fast_path_for_article_links_splits_as_urlsplit_does(target):
    # resolve_link skips urlsplit for plain relative .md paths; it must be what urlsplit gives.
    if _PLAIN_PATH.fullmatch(target):
        assert tuple(urlsplit(target)) == ("", "", target, "", "")


@given(st.sampled_from(["http://", "https://", "HTTPS://", "https:/", "ftp://", ""]),
       st.text(st.sampled_from("ab.:@[]%/?# \t\n\x7f\x00é-"), max_size=14))
def test_the_fast_path_for_links_to_other_sites_finds_the_host_urlsplit_finds(scheme, rest):
    # resolve_link leaves a link to another site as it is without urlsplit when
    # _WEB_LINK matches; its host part must be urlsplit's netloc, its scheme http(s).
    target = scheme + rest
    found = _WEB_LINK.fullmatch(target)
    if found:
        parts = urlsplit(target)
        assert parts.scheme in ("http", "https") and parts.netloc == found[1]


_LINK_TARGET = st.one_of(
    st.text(st.sampled_from("ab#/.:?%é "), max_size=8),
    st.tuples(st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "mailto:", "//"]),
              st.sampled_from(["x.org", "X.org", "x.org:443", "y.org", "u@x.org", ""]),
              st.sampled_from(["", "/", "/base", "/base/de/a/", "/de/a/", "/a.md", "?q", "#f"]))
    .map("".join))


@given(st.sampled_from(["https://x.org", "https://x.org/base", "http://y.org/"]),
       st.lists(st.tuples(st.sampled_from(["de", "es"]), st.sampled_from(["a", "b", "c.md"]),
                          st.sampled_from([None, "g1", "g2"])), max_size=4),
       _LINK_TARGET)
def test_links_off_the_site_resolve_as_written_whatever_the_pages(base_url, pages, target):
    # The build records only the other links of a page for rechecking when
    # the site's pages change; a target off_site accepts must not need it.
    from bilingual.site import ArticleRef, LinkOrigin, Page, off_site, plan_site, resolve_link

    made = [Page("article", lang, f"{lang}/{slug}/", "src", group)
            for lang, slug, group in pages]
    by_key = {(page.lang, f"{page.route.split('/')[1]}.md"): page.group
              for page in made if page.group}
    plans = [plan_site(base_url, ["de", "es"], chosen, keys, {}, files, {})
             for chosen, keys, files in ((made, by_key, ["a.md", "de/a/"]), ([], {}, []))]
    origin = LinkOrigin(Page("article", "es", "es/z/", "src", "g1"), ArticleRef("de", "z.md"))
    if off_site(plans[0], target):
        assert [resolve_link(plan, origin, target) for plan in plans] == [(target, None)] * 2


@pytest.mark.parametrize(("text", "word"), [
    ("Künstliche Intelligenz", "kunstliche-intelligenz"), ("Straße & Weg", "strasse-weg"),
    ("Über-Maß_x", "uber-mass-x"), ("ế Việt", "e-viet"),
    # Marks on letters of other scripts are part of the letter: `ガイド` (guide)
    # was `カイト` (kite), `Йога` was `иога`.
    ("ガイド", "ガイド"), ("データ", "データ"), ("Йога", "йога"), ("Ἀθῆναι", "ἀθῆναι"),
    ("हिन्दी भाषा", "हिन्दी-भाषा"), ("日本 語", "日本-語"), (" ?! ", ""),
    # A soft hyphen, zero-width space or joiner is not shown: no word ends there
    # (a link to `#trennzeichen` missed the heading `Trenn\u00adzeichen`).
    ("Trenn\u00adzeichen", "trennzeichen"), ("Null\u200bbreite", "nullbreite"),
    ("ge\u200dmeinsam \u200e", "gemeinsam")])
def test_url_words_drop_accents_of_latin_letters_only(text, word):
    from bilingual.site import tag_slug, url_word

    assert url_word(text) == word
    assert tag_slug(text) == word if word else tag_slug(text).startswith("tag-")


def _url_word_letter_by_letter(text: str) -> str:
    """`url_word` without its quick way for Latin text: each character looked at."""
    import unicodedata

    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    plain = unicodedata.normalize("NFC", "".join(kept).casefold())
    words, word = [], ""
    for char in plain:
        if char.isalnum() or (word and unicodedata.category(char).startswith("M")):
            word += char
        elif word:
            words.append(word)
            word = ""
    return "-".join([*words, word] if word else words)


@given(st.one_of(st.text(), st.text(st.sampled_from(
    "aeouAZ09 -_&ßÄöüéñçǘ\u0301\u0308\u0323\u034f\u0345\u00ad\u200bαЙガ日ह\u093f"))))
@example("a\u034fb")  # the grapheme joiner is no accent: part of the word, as other marks
@example("\u0345")  # a mark at the start, kept: it is a letter once folded (`ι`)
def test_url_words_of_latin_text_are_the_ones_each_letter_gives(text):
    # Accents of Latin text are dropped in one pass: the same words as when
    # each character is looked at.
    from bilingual.site import url_word

    assert url_word(text) == _url_word_letter_by_letter(text)


def test_a_tag_slug_too_long_for_a_folder_is_cut_and_told_apart_by_a_digest():
    # A translated tag of 40 `日本語`, or 20 `ﷺ` (each 33 letters as a URL word):
    # the build failed with "File name too long" and no line; check passed.
    from bilingual.site import MAX_NAME_BYTES, tag_slug

    for name in ("日本語" * 40, "\ufdfa" * 20, "a" * 300):
        slug = tag_slug(name)
        assert len(slug.encode()) <= MAX_NAME_BYTES and slug == tag_slug(name)
    assert tag_slug("a" * 300) != tag_slug("a" * 301)
    assert tag_slug("a" * 300).startswith("a" * 190 + "-")


def test_a_tag_slug_is_made_from_what_the_pages_show_of_its_name():
    # The pages leave control characters out of the name; the URL word must
    # not keep them as a dash, and a lone surrogate must not stop the build.
    from bilingual.site import tag_slug

    assert tag_slug("Dere\x7fcho") == tag_slug("Derecho") == "derecho"
    assert tag_slug("\ud800\x01") == tag_slug("") and tag_slug("").startswith("tag-")


def test_off_site_accepts_the_common_links_to_other_sites():
    # Without these the build would recheck every link to another site again.
    from bilingual.site import off_site, plan_site

    plan = plan_site("https://x.org/base", ["de", "es"], [], {}, {}, [], {})
    assert off_site(plan, "https://y.org/a?b#c") and off_site(plan, "#top")
    assert not off_site(plan, "https://x.org/base/de/") and not off_site(plan, "a.md")


_XML_TEXT = st.text(st.sampled_from("ab <>&\"'\r\n\tñ"), max_size=6)
_DATE = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 1, 1))
"""A feed entry's publication date: undated articles are no entries."""
_DAY = st.one_of(st.none(), _DATE)


def _elementtree_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _elementtree_feed(feed) -> bytes:
    """The feed as ElementTree writes it, the reference for `atom_feed`."""
    from bilingual.site import ATOM_NS as NS
    from bilingual.site import EPOCH, FeedEntry, atom_time

    root = ET.Element("feed", {"xmlns": NS, "xml:lang": feed.lang})
    ET.SubElement(root, "id").text = feed.feed_url
    ET.SubElement(root, "title").text = feed.title
    if feed.subtitle:
        other = feed.subtitle_lang and feed.subtitle_lang != feed.lang
        ET.SubElement(root, "subtitle",
                      {"xml:lang": feed.subtitle_lang} if other else {}).text = feed.subtitle
    ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml",
                                 "href": feed.feed_url})
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "hreflang": feed.lang,
                                 "href": feed.home_url})

    def updated(entry: FeedEntry) -> dt.date:
        return max(d for d in (entry.published, entry.updated) if d is not None)

    ET.SubElement(root, "updated").text = atom_time(max(map(updated, feed.entries), default=EPOCH))
    ET.SubElement(ET.SubElement(root, "author"), "name").text = feed.author
    for entry in feed.entries:
        element = ET.SubElement(root, "entry")
        ET.SubElement(element, "id").text = entry.url
        ET.SubElement(element, "title").text = entry.title
        ET.SubElement(element, "link", {"rel": "alternate", "type": "text/html",
                                        "href": entry.url})
        ET.SubElement(element, "published").text = atom_time(entry.published)
        ET.SubElement(element, "updated").text = atom_time(updated(entry))
        if entry.author:
            ET.SubElement(ET.SubElement(element, "author"), "name").text = entry.author
        for term in entry.categories:
            ET.SubElement(element, "category", {"term": term})
        if entry.summary:
            ET.SubElement(element, "summary").text = entry.summary
    return _elementtree_bytes(root)


def _elementtree_sitemap(plan, lastmod, clean=lambda text: text) -> bytes:
    """The sitemap as ElementTree writes it, each value passed through `clean` first."""
    from bilingual.site import SITEMAP_NS as NS
    from bilingual.site import XHTML_NS as XNS

    root = ET.Element("urlset", {"xmlns": NS, "xmlns:xhtml": XNS})
    for page in plan.pages:
        alternates = plan.alternates(page)
        if not alternates:
            continue
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = clean(plan.absolute(page.route))
        if page.route in lastmod:
            ET.SubElement(url, "lastmod").text = lastmod[page.route].isoformat()
        for alternate in alternates:
            ET.SubElement(url, "xhtml:link", {"rel": "alternate",
                                              "hreflang": clean(alternate.hreflang),
                                              "href": clean(alternate.href)})
    return _elementtree_bytes(root)


def _feed_of(title, subtitle, subtitle_lang, items, lang="es", author="Autor"):
    from bilingual.site import Feed, FeedEntry

    entries = tuple(FeedEntry(t, u, s, p, up, a, tuple(c)) for t, u, s, p, up, a, c in items)
    return Feed(lang, title, subtitle, "https://x.org/es/atom.xml", "https://x.org/es/", author,
                entries, subtitle_lang)


@given(_XML_TEXT, _XML_TEXT, st.sampled_from([None, "", "de", "es"]), st.lists(
    st.tuples(_XML_TEXT, _XML_TEXT, _XML_TEXT, _DATE, _DAY, _XML_TEXT,
              # Tags recur across entries, as on a site (each is written once).
              st.lists(st.one_of(_XML_TEXT, st.sampled_from(["C++", "a&b"])), max_size=2)),
    max_size=3))
def test_feeds_are_written_as_elementtree_writes_them(title, subtitle, subtitle_lang, items):
    # atom_feed writes its lines itself, for speed; the bytes are ElementTree's.
    from bilingual.site import atom_feed

    feed = _feed_of(title, subtitle, subtitle_lang, items)
    assert atom_feed(feed) == _elementtree_feed(feed)


@given(st.lists(st.tuples(st.sampled_from(["de", "es"]), st.text("ab<&\"ñ", min_size=1, max_size=4),
                          st.sampled_from([None, "g1", "g2"]), st.booleans(), _DAY), max_size=6))
def test_the_sitemap_is_written_as_elementtree_writes_it(pages):
    from bilingual.site import Page, plan_site, sitemap_xml

    made = [Page("article", lang, f"{lang}/{slug}{n}/", "src", group, draft)
            for n, (lang, slug, group, draft, _) in enumerate(pages)]
    lastmod = {page.route: day for page, (*_, day) in zip(made, pages, strict=True) if day is not None}
    plan = plan_site("https://x.org/base", ["de", "es"], made, {}, {}, [], {})
    assert sitemap_xml(plan, lastmod) == _elementtree_sitemap(plan, lastmod)


# XML 1.0 `Char`: what a document may hold, written out from the specification
# rather than taken from the code under test. ElementTree writes the other
# characters unchanged, into XML no parser reads, so the comparisons above use
# none of them; the tests below compare with ElementTree's output for the text
# without them.
_NOT_XML_CHARS = ([chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
                  + ["\ud800", "\udbff", "\udc00", "\udfff", "\ufffe", "\uffff"])


def _is_xml_char(c: str) -> bool:
    return (c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd"
            or "\U00010000" <= c <= "\U0010ffff")


def _xml_only(text: str) -> str:
    return "".join(c for c in text if _is_xml_char(c))


# Forbidden characters among their allowed neighbours (tab, U+007F, U+FFFD,
# U+10000) and the characters escaping cares about.
_DIRTY_TEXT = st.text(st.sampled_from(_NOT_XML_CHARS + list("a <&\"\t\n\r\x7f\ufffd\U00010000")),
                      max_size=6)


def test_the_forbidden_characters_are_those_of_the_xml_specification():
    from bilingual.site import _NOT_XML

    every = [chr(c) for c in range(0x110000)]
    assert [c for c in every if _NOT_XML.match(c)] == [c for c in every if not _is_xml_char(c)]
    assert not any(map(_is_xml_char, _NOT_XML_CHARS))


# What HTML5 calls a parse error in text and no reader sees, as the brief of
# the pages has it (C0 controls but tab, newline and carriage return; DEL),
# and what XML cannot hold either: written out here, not taken from the code.
_NOT_HTML_CHARS = ([chr(c) for c in [*range(0x20), 0x7f] if chr(c) not in "\t\n\r"]
                   + [chr(c) for c in range(0xD800, 0xE000)] + ["\ufffe", "\uffff"])


def test_pages_drop_each_character_html_cannot_show_and_keep_every_other():
    from bilingual.site import has_unfit_character, html_bytes, html_chars, unfit_character

    # The quick look at the encoded text and the regex search must both find each.
    for bad in _NOT_HTML_CHARS:
        assert html_bytes(f"<p>a{bad}b</p>\n") == b"<p>ab</p>\n", hex(ord(bad))
        assert html_chars(f"<p>a{bad}b</p>\n") == "<p>ab</p>\n", hex(ord(bad))
        assert has_unfit_character(f"a{bad}b") and unfit_character(f"a{bad}b").group() == bad
    unfit = set(_NOT_HTML_CHARS)
    kept = "".join(chr(c) for c in [*range(0x10000), 0x10000, 0x1F600, 0x10FFFF]
                   if chr(c) not in unfit)
    assert set("\t\n\r\x80\x85\xa0\u2028\ufeff\ufffd") <= set(kept)
    assert html_bytes(kept) == kept.encode() and html_chars(kept) is kept
    assert not has_unfit_character(kept) and unfit_character(kept) is None


# Languages are locale codes that the configuration has checked: never dirty.
@given(_DIRTY_TEXT, _DIRTY_TEXT, st.sampled_from([None, "de", "es"]), _DIRTY_TEXT, st.lists(
    st.tuples(_DIRTY_TEXT, _DIRTY_TEXT, _DIRTY_TEXT, _DATE, _DAY, _DIRTY_TEXT,
              st.lists(_DIRTY_TEXT, max_size=2)), max_size=3))
def test_feeds_drop_what_xml_cannot_hold(title, subtitle, subtitle_lang, author, items):
    from bilingual.site import atom_feed

    written = atom_feed(_feed_of(title, subtitle, subtitle_lang, items, "es", author))
    ET.fromstring(written)
    clean = [(_xml_only(t), _xml_only(u), _xml_only(s), p, up, _xml_only(a), map(_xml_only, c))
             for t, u, s, p, up, a, c in items]
    assert written == _elementtree_feed(_feed_of(
        _xml_only(title), _xml_only(subtitle), subtitle_lang and _xml_only(subtitle_lang), clean,
        "es", _xml_only(author)))


@pytest.mark.parametrize("bad", _NOT_XML_CHARS)
def test_every_forbidden_character_is_dropped_from_feed_and_sitemap(bad):
    from bilingual.site import Page, atom_feed, plan_site, sitemap_xml

    item = (f"Ti{bad}tel\t", f"https://x.org/es/a{bad}/", f"Zu{bad}sammen & mehr",
            dt.date(2025, 1, 2), None, f"Ana{bad} Pérez", [f"Re{bad}cht", bad])
    feed = ET.fromstring(atom_feed(_feed_of(f"Blog{bad}", f"Be{bad}schreibung", "de", [item],
                                            author=f"Au{bad}tor")))
    assert feed.findtext(f"{ATOM}title") == "Blog"
    assert feed.findtext(f"{ATOM}subtitle") == "Beschreibung"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Autor"
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Titel\t"
    assert entry.findtext(f"{ATOM}summary") == "Zusammen & mehr"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ana Pérez"
    assert entry.find(f"{ATOM}link").get("href") == "https://x.org/es/a/"
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Recht", ""]

    pages = [Page("article", "de", "de/a/", "src", "g"), Page("article", "es", "es/a/", "src", "g")]
    plan = plan_site(f"https://x.org/b{bad}", ["de", "es"], pages, {}, {}, [], {})
    sitemap = ET.fromstring(sitemap_xml(plan, {}))
    assert [u.findtext(f"{SITEMAP}loc") for u in sitemap] == \
        ["https://x.org/b/de/a/", "https://x.org/b/es/a/"]
    assert {link.get("href") for link in sitemap.iter(f"{XHTML}link")} == \
        {"https://x.org/b/de/a/", "https://x.org/b/es/a/"}


@given(st.lists(st.tuples(st.sampled_from(["de", "es"]), st.text("ab<&\"ñ", min_size=1, max_size=4),
                          st.sampled_from([None, "g1", "g2"]), _DAY), max_size=4), _DIRTY_TEXT)
def test_the_sitemap_drops_what_xml_cannot_hold(pages, base_path):
    from bilingual.site import Page, plan_site, sitemap_xml

    # Routes are percent-encoded and languages checked locale codes: the base URL
    # is the way in.
    made = [Page("article", lang, f"{lang}/{slug}{n}/", "src", group)
            for n, (lang, slug, group, _) in enumerate(pages)]
    lastmod = {page.route: day for page, (*_, day) in zip(made, pages, strict=True) if day is not None}
    plan = plan_site(f"https://x.org/{base_path}", ["de", "es"], made, {}, {}, [], {})
    written = sitemap_xml(plan, lastmod)
    ET.fromstring(written)
    assert written == _elementtree_sitemap(plan, lastmod, _xml_only)
