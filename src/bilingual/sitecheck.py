"""`bilingual check --site DIR`: what a built site must hold together.

Every HTML page declares its language (`<html lang>`); that language and every
hreflang are well-formed BCP 47 tags (`pt-BR`, not gettext's `pt_BR`, which
search engines ignore); every hreflang group is absolute, includes the page
itself, points only at pages that exist and is reciprocal (each page it names
names it back, with the language that page declares); no internal link,
embedded file or `og:image` (`href`/`src`/`content` that is root-relative,
relative, or under `base_url`) points at a missing file; and a link's
`#fragment` names an element of the page it leads to (an `id`, or an
`<a name>`), as a browser looks for it: `#` and `#top` need none, they mean
the top of the page.

Pages are parsed with the standard library's `html.parser`; findings have the
code `site` and the 1-based line of the element.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from bilingual.checks import Finding, finding

_LINK_ATTRIBUTES = {
    "a": ("href",), "area": ("href",), "link": ("href",), "img": ("src", "srcset"),
    "script": ("src",), "iframe": ("src",), "source": ("src", "srcset"),
    "audio": ("src",), "video": ("src", "poster"), "track": ("src",), "embed": ("src",),
}
_SKIPPED_SCHEMES = ("mailto", "tel", "data", "javascript", "sms", "ftp")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
"""A well-formed BCP 47 tag, by its syntax only (`x-default` is one too)."""


@dataclass(frozen=True, slots=True)
class Alternate:
    hreflang: str
    href: str
    line: int


@dataclass(frozen=True, slots=True)
class Page:
    """What the checks need from one HTML file."""

    path: Path
    url: str
    """The page's own absolute URL, from its place in the site."""
    lang: str | None
    html_line: int
    alternates: tuple[Alternate, ...]
    links: tuple[tuple[str, int], ...]
    """Every `href`/`src` URL and `og:image` with its line."""
    ids: frozenset[str] = frozenset()
    """What a fragment may name: every `id`, and the `name` of every `<a>`."""
    language_attributes: tuple[tuple[str, str, int], ...] = ()
    """(attribute, value, line) of every other `lang` and `hreflang`: the
    language switcher's links, the blocks a draft leaves in German."""


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.html_line = 1
        self.alternates: list[Alternate] = []
        self.links: list[tuple[str, int]] = []
        self.ids: set[str] = set()
        self.language_attributes: list[tuple[str, str, int]] = []

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        if tag == "html":
            self.lang = values.get("lang", "").strip() or None
            self.html_line = line
        else:
            self.language_attributes += [(name, values[name].strip(), line)
                                         for name in ("lang", "hreflang") if name in values
                                         and not (tag == "link" and name == "hreflang")]
        if tag == "meta" and values.get("property", "").strip() == "og:image":
            # The picture of link previews: the build warns about a missing one too.
            if values.get("content", "").strip():
                self.links.append((values["content"].strip(), line))
            return
        rel = values.get("rel", "").lower().split()
        if tag == "link" and "alternate" in rel and "hreflang" in values:
            self.alternates.append(Alternate(values["hreflang"].strip(),
                                             values.get("href", "").strip(), line))
            return
        for name in _LINK_ATTRIBUTES.get(tag, ()):
            value = values.get(name)
            if not value:
                continue
            if name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.links.append((candidate.split()[0], line))
            else:
                self.links.append((value.strip(), line))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def page_url(site: Path, path: Path, base_url: str) -> str:
    """The absolute URL a file of the site is served at (`x/index.html` -> `x/`),
    percent-encoded: a `#` or `?` of a file name (`c#.md` is `de/c#/`) is
    part of its path, not the start of a fragment or query."""
    relative = path.relative_to(site).as_posix()
    if relative == "index.html" or relative.endswith("/index.html"):
        relative = relative[: -len("index.html")]
    return f"{base_url.rstrip('/')}/{quote(relative, safe='/')}"


def read_page(site: Path, path: Path, base_url: str) -> Page:
    """Parse one HTML file of the site."""
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return Page(path, page_url(site, path, base_url), parser.lang, parser.html_line,
                tuple(parser.alternates), tuple(parser.links), frozenset(parser.ids),
                tuple(parser.language_attributes))


def normalise(url: str) -> str:
    """A URL without fragment, with `.../index.html` as `.../`, percent-encoded
    one way (a page's own URL is read from its file name, `es/año/`, while the
    build writes hreflang links encoded, `es/a%C3%B1o/`)."""
    parts = urlsplit(url)
    path = quote(unquote(parts.path), safe="/")
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path or "/", parts.query, ""))


def target_file(url: str, page: str, site: Path, base_url: str) -> Path | None:
    """The file an internal URL of `page` points at (whether it exists or not),
    or None when the URL leads elsewhere (another host, mailto:, a fragment)."""
    if not url or url.startswith("#"):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() in _SKIPPED_SCHEMES:
        return None
    absolute = urlsplit(urljoin(page, url))
    base = urlsplit(base_url)
    if (absolute.scheme, absolute.netloc.lower()) != (base.scheme, base.netloc.lower()):
        return None
    prefix = base.path.rstrip("/")
    path = unquote(absolute.path)
    if prefix and not (path == prefix or path.startswith(prefix + "/")):
        return site / "__outside_the_site__" / path.lstrip("/")
    relative = path[len(prefix):].lstrip("/")
    target = site / relative
    if not relative or path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def lands(fragment: str, page: Page) -> bool:
    """Whether a browser finds what `#fragment` names on `page`: an element
    with that id or `<a name>`, as written or percent-decoded; the empty
    fragment and `top` (any case) name the top of the page."""
    if fragment in page.ids or unquote(fragment) in page.ids:
        return True
    return unquote(fragment).lower() in ("", "top")


def well_formed_tag(value: str) -> bool:
    """Whether `value` is a language tag by BCP 47's syntax: subtags of letters
    and digits joined by `-` (`pt-BR`, `zh-Hant-TW`, `x-default`; not `pt_BR`)."""
    return _LANGUAGE_TAG.fullmatch(value) is not None


def same_language(lang: str, hreflang: str) -> bool:
    """Whether a page declaring `lang` is what an hreflang naming it promises:
    tags compare case-insensitively, `_` read as `-`, and one may narrow the
    other at a `-` (`es` and `es-ES`)."""
    first, second = (tag.replace("_", "-").lower() for tag in (lang, hreflang))
    return first == second or first.startswith(second + "-") or second.startswith(first + "-")


def html_pages(site: Path) -> list[Path]:
    """Every HTML file of the site, sorted."""
    return sorted(p for p in site.rglob("*") if p.suffix in (".html", ".htm") and p.is_file())


def check_site(site: Path, base_url: str,
               display: Callable[[Path], str] = lambda p: p.as_posix(),
               ) -> tuple[list[Finding], int]:
    """Findings of a built site, and how many pages it has."""
    site = Path(site)
    pages = {p: read_page(site, p, base_url) for p in html_pages(site)}
    by_url = {normalise(page.url): page for page in pages.values()}
    findings: list[Finding] = []
    for page in pages.values():
        findings.extend(_page_findings(page, by_url, site, base_url, display(page.path)))
        findings.extend(_fragment_findings(page, by_url, display))
    return findings, len(pages)


def _fragment_findings(page: Page, by_url: dict[str, Page],
                       display: Callable[[Path], str]) -> Iterator[Finding]:
    """A link to a page of the site whose `#fragment` names nothing there."""
    seen: set[tuple[str, int]] = set()
    for url, line in page.links:
        before, mark, fragment = url.partition("#")
        if not mark or (url, line) in seen:
            continue
        # `urljoin` keeps the page's own URL for a bare `#x`; a missing page
        # is reported as a missing file, not here.
        target = by_url.get(normalise(urljoin(page.url, before))) if before else page
        if target is None or lands(fragment, target):
            continue
        seen.add((url, line))
        where = "this page" if target is page else display(target.path)
        yield finding("site", display(page.path), line,
                      f"internal link {url} points at a section {where} does not have: "
                      f"no element has the id {unquote(fragment)!r}")


def _page_findings(page: Page, by_url: dict[str, Page], site: Path, base_url: str,
                   file: str) -> Iterator[Finding]:
    if page.lang is None:
        yield finding("site", file, page.html_line,
                      "the page has no <html lang=\"...\">; screen readers and search "
                      "engines need its language")
    elif not well_formed_tag(page.lang):
        yield finding("site", file, page.html_line,
                      f'<html lang="{page.lang}"> is not a BCP 47 language tag (such as '
                      "pt-BR)")
    for name, value, line in page.language_attributes:
        if value and not well_formed_tag(value):  # `lang=""` is HTML's "unknown"
            yield finding("site", file, line, f'{name}="{value}" is not a BCP 47 language tag '
                                              "(such as pt-BR)")
    own = normalise(page.url)
    # A language chooser appears in its group as x-default only; that counts.
    if page.alternates and all(normalise(a.href) != own for a in page.alternates):
        yield finding("site", file, page.alternates[0].line,
                      f"the hreflang group does not include the page itself ({page.url})")
    for alternate in page.alternates:
        label = f'hreflang="{alternate.hreflang}" link to {alternate.href or "(empty)"}'
        if not well_formed_tag(alternate.hreflang):
            yield finding("site", file, alternate.line,
                          f"{label}: {alternate.hreflang!r} is not a BCP 47 language tag "
                          "(such as pt-BR); search engines ignore it")
        parts = urlsplit(alternate.href)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            yield finding("site", file, alternate.line,
                          f"{label} is not an absolute URL (https://...)")
            continue
        target = target_file(alternate.href, page.url, site, base_url)
        if target is None:
            continue
        if not target.is_file():
            yield finding("site", file, alternate.line, f"{label} points at a missing page")
            continue
        other = by_url.get(normalise(alternate.href))
        if other is None or alternate.hreflang.lower() == "x-default" or other is page:
            continue
        if not any(normalise(a.href) == own for a in other.alternates):
            yield finding("site", file, alternate.line,
                          f"{label} is not reciprocal: that page has no hreflang link back "
                          f"to {page.url}")
        if other.lang and not same_language(other.lang, alternate.hreflang):
            yield finding("site", file, alternate.line,
                          f"{label} names a page whose <html lang> is {other.lang!r}")
    seen: set[tuple[str, int]] = set()
    for url, line in page.links:
        target = target_file(url, page.url, site, base_url)
        if target is None or target.is_file() or (url, line) in seen:
            continue
        seen.add((url, line))
        yield finding("site", file, line, f"internal link {url} points at a missing file")
