"""The site plan: which page goes where, and how pages point at each other.

Every page has a *route*, its URL path relative to the site root: `de/x/` for a
page written as `de/x/index.html`, `de/404.html` for a file, `` for the root.
From routes come the output paths, the absolute URLs (`base_url` + route) used
where the web demands them (canonical, hreflang, Open Graph, sitemap, feeds)
and the relative links used everywhere else, so the pages link to each other
under any path or host that serves the site (a web server is needed all the
same: opened from disk, a link to a folder page shows the folder).

Pages that are language versions of each other share a *group*. The hreflang
alternates of a page are derived from its group alone, so they are reciprocal
by construction, and only pages that are published (built and not drafts) take
part, so no hreflang points at a page that does not exist.

Pages, routes and folders go by the configured language code (`pt_BR`, the
gettext and Babel form); what the web reads as a language (hreflang,
`xml:lang`) carries its BCP 47 tag (`pt-BR`, `language_tag`).

Everything here is pure: functions of the plan, no file system.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from urllib.parse import SplitResult, quote, unquote, urlsplit

from babel import Locale, UnknownLocaleError
from babel.core import get_global, parse_locale
from markdown_it.common.normalize_url import normalizeLinkText

from bilingual.config import SCRIPT_MODIFIERS
from bilingual.errors import BilingualError
from bilingual.sources import MAX_NAME_BYTES

X_DEFAULT = "x-default"
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPOCH = dt.date(1970, 1, 1)
"""The `updated` of a feed without entries: fixed, so builds stay identical."""

_SLUG = re.compile(r"\w[\w.-]*")
_NOT_WORD = re.compile(r"[\W_]+")
_LATIN_ACCENTS = re.compile("[\u0300-\u034e\u0350-\u036f]")
"""The combining diacritical marks (U+034F, the grapheme joiner, is none)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page of the built site."""

    kind: str
    """`article`, `home`, `tag`, `404` or `root` (the language chooser)."""
    lang: str
    route: str
    """URL path relative to the site root: `de/x/` (a folder page), `de/404.html`."""
    source: str
    """What the page is made from, for messages: `content/de/x.md`, `the es home page`."""
    group: str | None = None
    """Pages with the same group are language versions of each other."""
    draft: bool = False
    """Built for preview only (`--drafts`): noindex, no hreflang, no sitemap, no feed."""

    @property
    def output(self) -> str:
        """The file the page is written to, relative to the output folder."""
        return output_path(self.route)


@dataclass(frozen=True, slots=True)
class Alternate:
    """One `<link rel="alternate" hreflang>` of a page."""

    hreflang: str
    """A BCP 47 tag (`pt-BR`, `language_tag`) or `x-default`, as written."""
    href: str
    """Absolute URL."""


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """Where an article's source file sits, to resolve `.md` links from it."""

    content_lang: str
    key: str
    """Its path below its content folder, with `/` (`blog/x.md`)."""


@dataclass(frozen=True, slots=True)
class SitePlan:
    """Every page of the site and what links need to know about them; made by `plan_site`."""

    base_url: str
    languages: tuple[str, ...]
    """Source language first."""
    pages: tuple[Page, ...]
    groups: Mapping[str, tuple[Page, ...]]
    """Group -> its built pages (drafts included), in language order."""
    by_route: Mapping[str, Page]
    by_key: Mapping[tuple[str, str], str]
    """(content language, article key) -> group of the built article."""
    unbuilt: Mapping[tuple[str, str], str]
    """(content language, article key) -> why that article has no page (e.g. a draft)."""
    files: frozenset[str]
    """Other outputs a link may point at: static files, stylesheet, feeds."""
    x_default: Mapping[str, str]
    """Group -> route of its x-default page when that is not the source-language page."""

    @property
    def source_language(self) -> str:
        return self.languages[0]

    @property
    def base_path(self) -> str:
        """The path part of base_url (`/blog` for https://host/blog), or ``."""
        return url_base_path(self.base_url)

    def absolute(self, route: str) -> str:
        """The absolute URL of a route."""
        return absolute_url(self.base_url, route)

    def published(self, group: str | None) -> tuple[Page, ...]:
        """The language versions of a group that are public (not drafts, not the chooser)."""
        if group is None:
            return ()
        return tuple(p for p in self.groups.get(group, ()) if not p.draft and p.kind != "root")

    def alternates(self, page: Page) -> tuple[Alternate, ...]:
        """hreflang links of a page: every published version, itself included, plus
        x-default; none for drafts and pages without a group."""
        if page.draft or page.group is None:
            return ()
        versions = self.published(page.group)
        if not versions:
            return ()
        links = [Alternate(language_tag(p.lang), self.absolute(p.route)) for p in versions]
        default = self.x_default.get(page.group)
        if default is None:
            sources = [p for p in versions if p.lang == self.source_language]
            default = (sources or versions)[0].route
        links.append(Alternate(X_DEFAULT, self.absolute(default)))
        return tuple(links)

    def version(self, group: str, lang: str) -> Page:
        """The built page of `group` in `lang`, else the source-language one, else the first."""
        versions = self.groups[group]
        for wanted in (lang, self.source_language):
            for page in versions:
                if page.lang == wanted and page.kind != "root":
                    return page
        return versions[0]

    def counterpart(self, page: Page, lang: str) -> Page | None:
        """The built page of the same group in `lang`, if any."""
        if page.group is None:
            return None
        for other in self.groups.get(page.group, ()):
            if other.lang == lang and other.kind != "root":
                return other
        return None


def link_state(plan: SitePlan) -> bytes:
    """A digest of everything `resolve_link` reads from the plan: equal digests,
    equal hrefs and warnings for every link of every page."""
    state = (plan.base_url, plan.languages,
             tuple((p.route, p.kind, p.lang, p.group) for p in plan.pages),
             sorted(plan.by_key.items()), sorted(plan.unbuilt.items()), sorted(plan.files))
    # `repr`, not a pickle: a pickle also records which equal strings are one object.
    return hashlib.sha256(repr(state).encode()).digest()


def plan_site(base_url: str, languages: Iterable[str], pages: Iterable[Page],
              articles: Mapping[tuple[str, str], str], unbuilt: Mapping[tuple[str, str], str],
              files: Iterable[str], x_default: Mapping[str, str]) -> SitePlan:
    """Index the pages by group and route."""
    languages = tuple(languages)
    order = {lang: index for index, lang in enumerate(languages)}
    pages = tuple(sorted(pages, key=lambda p: (p.route, p.kind)))
    groups: dict[str, list[Page]] = {}
    for page in pages:
        if page.group is not None:
            groups.setdefault(page.group, []).append(page)
    by_route: dict[str, Page] = {}
    for page in pages:
        by_route.setdefault(page.route, page)
    return SitePlan(
        base_url=base_url.rstrip("/"),
        languages=languages,
        pages=pages,
        groups=MappingProxyType({g: tuple(sorted(ps, key=lambda p: (p.kind == "root",
                                                                    order.get(p.lang, 99))))
                                 for g, ps in sorted(groups.items())}),
        by_route=MappingProxyType(by_route),
        by_key=MappingProxyType(dict(articles)),
        unbuilt=MappingProxyType(dict(unbuilt)),
        files=frozenset(files),
        x_default=MappingProxyType(dict(x_default)),
    )


# ---------------------------------------------------------------------------
# Routes and URLs
# ---------------------------------------------------------------------------

def url_base_path(base_url: str) -> str:
    """The path part of a `base_url` (`/blog` for https://host/blog/), or ``."""
    return urlsplit(base_url).path.rstrip("/")


def output_path(route: str) -> str:
    """`de/x/` -> `de/x/index.html`; `` -> `index.html`; a file route stays."""
    return route + "index.html" if route == "" or route.endswith("/") else route


def absolute_url(base_url: str, route: str) -> str:
    """`https://host` + `es/año/` -> `https://host/es/a%C3%B1o/`."""
    return f"{base_url.rstrip('/')}/{quoted_path(route)}"


# What `quote` leaves as it is: its safe characters and `/`.
_NOTHING_TO_QUOTE = re.compile(r"[A-Za-z0-9_.~/-]*")


def quoted_path(path: str) -> str:
    """`quote(path)`: percent-encoded but for ASCII letters, digits, `_.~-/`.
    A site's tens of thousands of URLs mostly need nothing encoded, and one
    regex match says so at a fifth of `quote`'s cost."""
    return path if _NOTHING_TO_QUOTE.fullmatch(path) else quote(path)


def route_folder(route: str) -> str:
    """The folder a relative link on the page at `route` starts from, as a
    browser reads it: `de/x/` for `de/x/`, `de/` for `de/404.html`."""
    return route if route.endswith("/") or route == "" else posixpath.dirname(route) + "/"


def relative_url(from_route: str, to_route: str) -> str:
    """The link from the page at `from_route` to `to_route`, relative, so the
    site works wherever it is served from (`de/x/` -> `es/y/` = `../../es/y/`)."""
    start = route_folder(from_route)
    folder = to_route.endswith("/") or to_route == ""
    # Routes are clean (no `.` or `..` parts), so the relative path is the way up
    # from `start` past the common folders and down to the target; posixpath.relpath
    # would give the same, at the price of the working folder on every call.
    up = [part for part in start.split("/") if part]
    down = [part for part in to_route.split("/") if part]
    common = 0
    for first, second in zip(up, down, strict=False):
        if first != second:
            break
        common += 1
    link = "/".join([".."] * (len(up) - common) + down[common:]) or "."
    if folder:
        link = "./" if link == "." else link + "/"
    return quoted_path(link)


def link_url(plan: SitePlan, from_route: str, to_route: str, rooted: bool = False) -> str:
    """A link between two routes: relative, or from the host's root for pages that
    a server shows at any address (404), where a relative link would break."""
    if rooted:
        return f"{plan.base_path}/{quoted_path(to_route)}"
    return relative_url(from_route, to_route)


def page_slug(value: object, path: Path | str, line: int | None) -> str | None:
    """The slug a front matter value (or its translation) gives a page: None
    for no slug (absent, not text or blank: the page keeps its file name),
    else `check_slug`'s."""
    if not isinstance(value, str) or not value.strip():
        return None
    return check_slug(value, path, line)


def check_slug(slug: str, path: Path | str, line: int | None) -> str:
    """The slug, NFC-normalised, or a BilingualError naming `path:line` when it
    could leave its folder or is not a plain URL word."""
    slug = unicodedata.normalize("NFC", slug.strip())
    if "/" in slug or "\\" in slug or ".." in slug:
        raise BilingualError(f"slug {slug!r} would leave its folder ('/', '\\' and '..' are "
                             "refused)", path, line)
    if not _SLUG.fullmatch(slug):
        raise BilingualError(f"slug {slug!r} must consist of letters, digits, '-', '_' and "
                             "'.', starting with a letter or digit", path, line)
    if len(slug.encode()) > MAX_NAME_BYTES:
        # A folder of the site: file systems allow 255 bytes, and a build's
        # temporary names add some.
        raise BilingualError(f"slug {slug[:40]!r}… is {len(slug.encode())} bytes long; "
                             f"{MAX_NAME_BYTES} is the most", path, line)
    return slug



def article_route(lang: str, key: PurePosixPath, slug: str | None) -> str:
    """`de` + `blog/x.md` -> `de/blog/x/`; a slug replaces the file name."""
    parent = key.parent.as_posix()
    parts = [lang, *([parent] if parent != "." else []), slug or key.stem]
    return "/".join(parts) + "/"


def url_word(text: str) -> str:
    """`text` as a word for a URL: lower case, accents dropped, `ß` as `ss`,
    one `-` for every run of other characters than letters and digits
    (`Künstliche Intelligenz` -> `kunstliche-intelligenz`, `Straße & Weg` ->
    `strasse-weg`); empty when `text` has no letter or digit. Letters of
    other scripts stay as they are, marks included (`ガイド`, `йога`).
    Invisible format characters go without a trace: a soft hyphen or a
    zero-width space inside a word (`Trenn\u00adzeichen`) does not split it."""
    if not text.isprintable():  # one pass in C: most texts have none
        text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    decomposed = unicodedata.normalize("NFKD", text)
    # Latin letters and their accents alone (nearly every German or Spanish
    # title): the accents go in one pass in C, not a character at a time. A
    # mark before any letter is no accent and stays (U+0345 folds to `ι`).
    latin = _LATIN_ACCENTS.sub("", decomposed)
    if latin.isascii() and not (decomposed and unicodedata.combining(decomposed[0])):
        return _NOT_WORD.sub("-", latin.casefold()).strip("-")
    kept: list[str] = []
    for char in decomposed:
        # An accent on a Latin letter goes (`ü` -> `u`); a mark on any other is
        # part of the letter: `ガ` is not `カ`, nor `Й` `И`.
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    plain = unicodedata.normalize("NFC", "".join(kept).casefold())
    if plain.isascii():
        return _NOT_WORD.sub("-", plain).strip("-")
    # A mark left is part of its word, though no `\w` (Devanagari's vowel signs).
    words: list[str] = []
    word = ""
    for char in plain:
        if char.isalnum() or (word and unicodedata.category(char).startswith("M")):
            word += char
        elif word:
            words.append(word)
            word = ""
    return "-".join([*words, word] if word else words)


def tag_slug(name: str) -> str:
    """A tag's URL word (`url_word`: `Künstliche Intelligenz` ->
    `kunstliche-intelligenz`), made from what the pages show of the name
    (`html_chars`: `Dere\x7fcho` is `derecho`)."""
    name = html_chars(name)
    slug = url_word(name)
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    if not slug:
        # A tag of punctuation only still needs a stable, safe name.
        slug = f"tag-{digest}"
    elif len(slug.encode()) > MAX_NAME_BYTES:
        # Its page's folder: a translated tag is not limited where it is
        # written, and `ﷺ` alone is 33 letters long as a URL word.
        slug = f"{slug.encode()[:MAX_NAME_BYTES - 10].decode('utf-8', 'ignore')}-{digest}"
    return slug


def tag_route(lang: str, slug: str) -> str:
    return f"{lang}/tags/{slug}/"


def home_route(lang: str) -> str:
    return f"{lang}/"


def feed_route(lang: str) -> str:
    return f"{lang}/feed.xml"


@dataclass(frozen=True, slots=True)
class Collision:
    """Two sources that would write one output path, or one that writes a file
    where the other needs a folder."""

    message: str
    """What clashes, naming both sources and the path."""
    sources: tuple[str, str]
    """The two sources, the one to blame first (the later claimant) first."""


def collisions(outputs: Iterable[tuple[str, str]], folder: str) -> list[Collision]:
    """Every output path claimed twice, and every path that one source writes
    as a file where another needs a folder; `outputs` are (path, source) in
    the order the sources claim them, `folder` names the output folder."""
    owners: dict[str, str] = {}
    found: list[Collision] = []
    for path, source in outputs:
        if path in owners:
            found.append(Collision(f"{owners[path]} and {source} would both write "
                                   f"{folder}/{path}", (source, owners[path])))
        else:
            owners[path] = source
    for path, source in sorted(owners.items()):
        parts = path.split("/")
        for end in range(1, len(parts)):
            prefix = "/".join(parts[:end])
            if prefix in owners:
                found.append(Collision(f"{owners[prefix]} writes the file {folder}/{prefix}, "
                                       f"where {source} needs a folder for {folder}/{path}",
                                       (source, owners[prefix])))
    return found


def blame_slug(message: str, slug: str) -> str:
    """A collision's message told of the slug that placed a page there."""
    return f"slug {slug!r}: {message}; choose another slug"


def find_collisions(outputs: Iterable[tuple[str, str]], folder: str,
                    slugs: Mapping[str, tuple[str, str]] = MappingProxyType({})) -> list[str]:
    """Messages for every collision (`collisions`). `slugs` gives, by source,
    where the slug that put its page there is written (`file:line`) and the
    slug: a message about that page starts there, as front matter errors do."""
    problems = []
    for collision in collisions(outputs, folder):
        placed = next((slugs[source] for source in collision.sources if source in slugs), None)
        if placed is None:
            problems.append(collision.message)
        else:
            where, slug = placed
            problems.append(f"{where}: {blame_slug(collision.message, slug)}")
    return problems


@functools.cache
def text_direction(locale: str) -> str:
    """`rtl` for a language written right to left (Arabic, Hebrew, Persian,
    Urdu: Babel's `text_direction` of its locale), else `ltr`."""
    try:
        return Locale.parse(locale).text_direction
    except (UnknownLocaleError, ValueError):
        return "ltr"


@functools.cache
def language_tag(code: str) -> str:
    """The BCP 47 tag of a configured language code, for HTML `lang` and
    `hreflang` and XML `xml:lang`: `pt_BR` -> `pt-BR`, `zh_Hant_TW` ->
    `zh-Hant-TW`, `es` -> `es`. Folders, routes and catalogs keep the code
    (gettext's and Babel's form); only attribute values take the tag."""
    # parse_locale, not Locale.parse: it keeps the parts as configured, where
    # Locale.parse would add likely subtags (`zh_TW` -> `zh_Hant_TW`).
    language, territory, script, variant, *modifier = parse_locale(code)
    # A deprecated code has its successor (`iw` -> `he`), which search
    # engines know; gettext's script modifiers are scripts (`sr@latin` -> `sr-Latn`).
    alias = get_global("language_aliases").get(language, language)
    language = alias if "_" not in alias else language
    if modifier and not script and modifier[0] in SCRIPT_MODIFIERS:
        script, modifier = SCRIPT_MODIFIERS[modifier[0]], []
    parts = [language, script, territory, variant and variant.lower()]
    # Another gettext modifier has no BCP 47 counterpart; as a private use
    # subtag it keeps the tag valid and distinct from the plain language.
    parts += ["x", *modifier] if modifier and modifier[0] else []
    return "-".join(part for part in parts if part)



def og_locale(locale_name: str) -> str:
    """Open Graph's `language_TERRITORY` (`es` -> `es_ES`, by CLDR's likely subtags)."""
    locale = Locale.parse(locale_name)
    if not locale.territory:
        # With its script first: Traditional Chinese is zh_TW, where the
        # language alone gives zh_CN; Punjabi in Arabic script is pa_PK.
        likely_subtags = get_global("likely_subtags")
        likely = (locale.script and likely_subtags.get(f"{locale.language}_{locale.script}")
                  ) or likely_subtags.get(locale.language)
        if likely:
            locale = Locale.parse(likely)
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language


# ---------------------------------------------------------------------------
# Links inside articles
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LinkOrigin:
    """The page a link is on."""

    page: Page
    article: ArticleRef | None = None
    rooted: bool = False


_PLAIN_PATH = re.compile(r"[^/:?#\x00-\x20\x7f][^:?#\x00-\x20\x7f]*")
"""A relative path with no scheme, query, fragment, space or control character."""
_WEB_LINK = re.compile(r"https?://([-!$&'()*+,.0-9:;=@A-Z_a-z~%]*)(?:[/?#][^\x00-\x20\x7f]*)?")
"""An http(s) URL with an ASCII host part and no space or control character:
group 1 is what `urlsplit` gives as its netloc."""


UNNAMED_SECTION = "section"
"""The id of a heading without a letter or digit (`## ?!`), before numbering."""


TEMPLATE_IDS = ("main",)
"""Ids the built-in templates give elements of every page (`<main id="main">`,
the skip link's target): no heading takes them. A heading id never holds
`_`, so a project template's own ids are safe with one (`site_nav`)."""


def section_ids(headings: Iterable[str]) -> tuple[str, ...]:
    """The `id` of each heading of a page, from its text as shown (`url_word`):
    `Erste Überschrift` -> `erste-uberschrift`. A repeated id gets `-2`, `-3`,
    ... in document order, skipping any taken by an earlier heading or by the
    templates (`TEMPLATE_IDS`: `## Main` is `main-2`), so every id of the page
    is distinct and a heading's id changes only with the text of the headings
    up to it."""
    taken: set[str] = set(TEMPLATE_IDS)
    ids = []
    for text in headings:
        base = url_word(text) or UNNAMED_SECTION
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate)
        ids.append(candidate)
    return tuple(ids)


def off_site(plan: SitePlan, target: str) -> bool:
    """True for a link target that `resolve_link` gives back as written, with no
    warning, whatever pages and files the site has: an empty target, a fragment
    or an http(s) address on another host. Only the base URL decides these, so
    a page's links of this kind need no checking when the site's pages change.
    False means "maybe not": any other target is resolved against the plan."""
    if not target or target.startswith("#"):
        return True
    web = _WEB_LINK.fullmatch(target)
    return web is not None and web[1] != urlsplit(plan.base_url).netloc


def resolve_link(plan: SitePlan, origin: LinkOrigin, target: str) -> tuple[str, str | None]:
    """(the href to publish, a warning or None) for a link or image target as written.

    Links to articles follow the page's language: a link to a source-language
    article (a relative `.md` path or its URL) goes to the version in the page's
    language when that is built, else to the source-language page. A link to
    another language's page stays there. Links to static files and other pages
    of the site become relative; other relative links stay as written; external
    links stay as they are. A link within the site that leads to no page or
    file of it comes with a warning (its query and fragment aside).
    """
    if not target or target.startswith("#"):
        return target, None
    if target.endswith(".md") and _PLAIN_PATH.fullmatch(target):
        # The common case, a relative link to an article: what urlsplit would give.
        parts = SplitResult("", "", target, "", "")
    elif (web := _WEB_LINK.fullmatch(target)) and web[1] != urlsplit(plan.base_url).netloc:
        return target, None  # the other common case, a link to another site
    else:
        parts = urlsplit(target)
    suffix = (f"?{parts.query}" if parts.query else "") + \
        (f"#{parts.fragment}" if parts.fragment else "")
    if parts.scheme or parts.netloc:
        base = urlsplit(plan.base_url)
        same_site = (parts.scheme in ("http", "https") and parts.netloc == base.netloc
                     and (parts.path + "/").startswith(plan.base_path + "/"))
        if not same_site:
            return target, None
        return _resolve_site_path(plan, origin, parts.path[len(plan.base_path):], target, suffix)
    if parts.path.startswith("/"):
        path = parts.path
        if plan.base_path and (path + "/").startswith(plan.base_path + "/"):
            path = path[len(plan.base_path):]
        return _resolve_site_path(plan, origin, path, target, suffix)
    if parts.path.endswith(".md") and origin.article is not None:
        return _resolve_markdown(plan, origin, unquote(parts.path), target, suffix)
    return _check_relative(plan, origin, unquote(parts.path), target, suffix)


def _image_route(plan: SitePlan, image: str) -> tuple[str, str] | None:
    """(route, query and fragment) of an `image` front matter value, a path
    from the site root with or without its `/` (`/images/x.svg`,
    `images/x.svg`; under base_url's path with or without it); None for an
    address with a scheme or host, which is used as written."""
    parts = urlsplit(image)
    if parts.scheme or parts.netloc:
        return None
    route = unquote(parts.path).lstrip("/")
    base_path = plan.base_path.lstrip("/")
    if base_path and route.startswith(base_path + "/"):
        route = route[len(base_path) + 1:]
    suffix = (f"?{parts.query}" if parts.query else "") + \
        (f"#{parts.fragment}" if parts.fragment else "")
    return route, suffix


def image_url(plan: SitePlan, image: str) -> str:
    """The absolute URL of an `image` front matter value, for `og:image`."""
    found = _image_route(plan, image)
    if found is None:
        return image
    route, suffix = found
    return plan.absolute(route) + suffix


def missing_image(plan: SitePlan, image: str) -> str | None:
    """A warning when an `image` front matter value is no file of the site
    (its `og:image` would point at nothing), else None. Addresses with a
    scheme or host are not checked."""
    found = _image_route(plan, image)
    if found is None or found[0] in plan.files:
        return None
    return f"image {image!r} is no file of the site (static/{found[0]} is missing)"


def _href(plan: SitePlan, origin: LinkOrigin, route: str, suffix: str) -> str:
    return link_url(plan, origin.page.route, route, origin.rooted) + suffix


def _follow_language(plan: SitePlan, origin: LinkOrigin, group: str) -> Page:
    return plan.version(group, origin.page.lang)


def _in_site(plan: SitePlan, route: str) -> Page | str | None:
    """The page at `route` (a URL path below the site root, unquoted, without
    its leading `/`; `x/index.html` and `x` name the folder page `x/`), else
    the route itself when it is a file of the site, else None."""
    if route.endswith("index.html"):
        route = route[: -len("index.html")]
    candidates = [route] if route.endswith("/") or route == "" else [route, route + "/"]
    for candidate in candidates:
        page = plan.by_route.get(candidate)
        if page is not None:
            return page
    return route if route in plan.files else None


def _not_in_site(target: str) -> str:
    return f"links to {_as_written(target)!r}, which is no page or file of the site"


def _as_written(target: str) -> str:
    """A link target as the author wrote it, for messages: the parser gives it
    percent-encoded (`%C3%96l.md` for `Öl.md`), and its own decoding for
    display keeps what the author encoded (`%2520` stays)."""
    return normalizeLinkText(target)


def _resolve_site_path(plan: SitePlan, origin: LinkOrigin, path: str, target: str,
                       suffix: str) -> tuple[str, str | None]:
    found = _in_site(plan, unquote(path).lstrip("/"))
    if found is None:
        return target, _not_in_site(target)
    if isinstance(found, str):
        return _href(plan, origin, found, suffix), None
    page = found
    if page.group is not None and page.lang == plan.source_language:
        page = _follow_language(plan, origin, page.group)
    return _href(plan, origin, page.route, suffix), None


def _check_relative(plan: SitePlan, origin: LinkOrigin, path: str, target: str,
                    suffix: str) -> tuple[str, str | None]:
    """A relative link that names no article (`karte.svg`, `../b/`), unquoted
    `path` without query or fragment (`suffix`): published as written, as
    the browser resolves it against the page's URL, with a warning when that
    is no page or file of the site. Files beside an article in `content/` are
    not copied, so `![Karte](karte.svg)` there would show a broken image.

    A translated page is made from its German article, whose relative links
    mean what lies beside the German page (`static/de/karte/plan.svg` for
    `![Plan](plan.svg)` in `content/de/karte.md`): when the translated page has
    no such file beside it, the link leads to the German page's. Written as
    it was, it showed a broken image on every translation."""
    if _relative_route(plan, origin.page.route, path) is not None:
        return target, None
    article = origin.article
    source = (plan.counterpart(origin.page, article.content_lang)
              if article is not None and origin.page.lang != article.content_lang else None)
    beside_source = _relative_route(plan, source.route, path) if source is not None else None
    if beside_source is not None:
        return _href(plan, origin, beside_source, suffix), None
    return target, _not_in_site(target)


def _relative_route(plan: SitePlan, page_route: str, path: str) -> str | None:
    """The route of the page or file of the site that `path` names relative
    to the page at `page_route`; None when it names none."""
    route = posixpath.normpath(posixpath.join(route_folder(page_route), path))
    if route == ".":
        route = ""
    elif path.endswith("/"):
        route += "/"  # normpath drops it, and `x.pdf/` is no file
    if route == ".." or route.startswith("../"):
        return None
    found = _in_site(plan, route)
    return found.route if isinstance(found, Page) else found


def _resolve_markdown(plan: SitePlan, origin: LinkOrigin, path: str, target: str,
                      suffix: str) -> tuple[str, str | None]:
    article = origin.article
    assert article is not None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(article.key), path))
    languages = [article.content_lang]
    if joined.startswith("../") or joined == "..":
        # `../de/x.md` from content/es/: an article of another language's folder.
        lang, _, joined = posixpath.normpath(posixpath.join(
            article.content_lang, posixpath.dirname(article.key), path)).partition("/")
        if lang not in plan.languages or not joined:
            return target, f"links to {_as_written(target)!r}, which is outside the content folder"
        languages = [lang]
    # A Spanish original links among its own folder first, then to source articles.
    if plan.source_language not in languages:
        languages.append(plan.source_language)
    for lang in languages:
        group = plan.by_key.get((lang, joined))
        if group is not None:
            return _href(plan, origin, _follow_language(plan, origin, group).route, suffix), None
    for lang in languages:
        reason = plan.unbuilt.get((lang, joined))
        if reason is not None:
            return target, f"links to {_as_written(target)!r}, which is not published ({reason})"
    return target, f"links to {_as_written(target)!r}, which is no article"


# ---------------------------------------------------------------------------
# Sitemap, feeds, robots.txt
# ---------------------------------------------------------------------------

_XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>"


# What XML 1.0 cannot hold at all, not even as a character reference: the C0
# controls but tab, newline and carriage return, the noncharacters U+FFFE and
# U+FFFF, and surrogates (a `str` holds them only unpaired, e.g. from
# `surrogateescape` or a `\ud800` escape in YAML). One in a translation or in
# front matter would make a feed or the sitemap unreadable to every reader
# while the build succeeds.
_NOT_XML_CLASS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_NOT_XML = re.compile(f"[{_NOT_XML_CLASS}]")
# An HTML page: the same, each a parse error in HTML5 text (a surrogate cannot
# even be written as UTF-8), and DEL, a control character like the C0 ones.
_NOT_HTML = re.compile(f"[{_NOT_XML_CLASS}\x7f]")


def _without(unfit: re.Pattern[str], text: str) -> str:
    """`text` without the characters `unfit` matches.

    They are dropped, not replaced with U+FFFD, as most feed generators do:
    they carry no meaning in a title or a URL, and a U+FFFD would show readers
    a glyph for an invisible slip in a catalog."""
    # Every such character is unprintable, and `isprintable` is one pass in C:
    # a short text (a title, each URL of the sitemap) mostly ends here. A
    # page has newlines: one `search`, in C too, before any copy is made.
    if text.isprintable() or unfit.search(text) is None:
        return text
    return unfit.sub("", text)


def _xml_chars(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (`_without`)."""
    return _without(_NOT_XML, text)


def html_chars(html: str) -> str:
    """A page's HTML without the characters readers cannot see and the feeds
    drop too: C0 controls but tab, newline and carriage return, DEL, lone
    surrogates, U+FFFE and U+FFFF (`_without`). Each is a parse error in HTML5
    text, form feed aside (whitespace there, but no XML can hold it).
    `unfit_character` finds them in the text a page is made from."""
    return _without(_NOT_HTML, html)


# The controls of `_NOT_HTML` as UTF-8: one byte each, a byte no other
# character's encoding holds.
_NOT_HTML_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])


def _unfit_in(text: str, data: bytes) -> bool:
    """Whether `text`, encoded as `data`, holds what `html_chars` leaves out
    (a lone surrogate aside: no UTF-8 holds one)."""
    # Deleting the control bytes from a copy is one pass in C, and looking
    # for a character one more (instant in a text of Latin-1 only): with the
    # encoding, some three times quicker than a regex `search` of the text,
    # eight times for a page, which is encoded anyway (14 against 110 ms for
    # the 1,445 pages, 20 million characters, of a 1,000-article site).
    return (len(data.translate(None, _NOT_HTML_BYTES)) != len(data)
            or "\ufffe" in text or "\uffff" in text)


def html_bytes(html: str) -> bytes:
    """A page as UTF-8, without what `html_chars` leaves out."""
    try:
        data = html.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return html_chars(html).encode()
    return html_chars(html).encode() if _unfit_in(html, data) else data


def has_unfit_character(text: str) -> bool:
    """Whether `text` holds a character that the pages leave out: the quick
    question (`_unfit_in`), for texts that mostly hold none."""
    try:
        return _unfit_in(text, text.encode())
    except UnicodeEncodeError:  # a lone surrogate
        return True


def unfit_character(text: str) -> re.Match[str] | None:
    """The first character of `text` that the pages leave out (`html_chars`)."""
    return _NOT_HTML.search(text)


def describe_unfit(char: str) -> str:
    """How messages name a character the pages leave out: `control character U+0001`."""
    kind = {"Cs": "lone surrogate", "Cn": "noncharacter"}.get(unicodedata.category(char),
                                                              "control character")
    return f"{kind} U+{ord(char):04X}"


def _escape_text(text: str) -> str:
    return _xml_chars(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return (_escape_text(value).replace('"', "&quot;").replace("\r", "&#13;")
            .replace("\n", "&#10;").replace("\t", "&#09;"))


def _leaf(indent: str, tag: str, text: str, attributes: str = "") -> str:
    """An element with text only; empty text as ElementTree writes it (`<x />`).
    `attributes` is written as it is after the tag's name (` a="b"`)."""
    # Escaped first: text of forbidden characters only is empty text.
    text = _escape_text(text)
    return (f"{indent}<{tag}{attributes}>{text}</{tag}>" if text
            else f"{indent}<{tag}{attributes} />")


def _lang_attribute(lang: str | None, feed_lang: str) -> str:
    """` xml:lang="de"` for an element whose text is in another language than
    its feed (an untranslated site title or description); else nothing."""
    if not lang or lang == feed_lang:
        return ""
    return f' xml:lang="{_escape_attribute(language_tag(lang))}"'


def _xml(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def atom_time(day: dt.date) -> str:
    """RFC 3339 at midnight UTC: articles carry dates, not times."""
    return f"{day.isoformat()}T00:00:00Z"


# The sitemap and the feeds are written line by line, as ElementTree's
# `indent` and `tostring` would write them: building and indenting an element
# tree of a 20,000-page sitemap took most of a build that changed one article.

SITEMAP = "sitemap.xml"
SITEMAP_URLS = 50_000
"""The most URLs one sitemap file may list (sitemaps.org); a site with more
pages gets a sitemap index at `SITEMAP` naming its parts."""


def sitemap_parts(pages: int) -> tuple[str, ...]:
    """The sitemap's part files for a site of at most `pages` pages: none when
    one `sitemap.xml` can list them all (`sitemap-1.xml`, ... otherwise)."""
    if pages <= SITEMAP_URLS:
        return ()
    return tuple(f"sitemap-{number}.xml" for number in range(1, -(-pages // SITEMAP_URLS) + 1))


def _listed_in_sitemap(plan: SitePlan) -> Iterator[tuple[Page, str]]:
    """Each page the sitemap lists, with its alternates written as `xhtml:link`
    lines: every published page with a group, each with the same set of
    hreflang alternates its HTML declares."""
    # The pages of a group share their alternates (`SitePlan.alternates`
    # reads only the group of a page that is no draft): written once per group.
    written_by_group: dict[str, str] = {}
    for page in plan.pages:
        if page.draft or page.group is None:
            continue
        written = written_by_group.get(page.group)
        if written is None:
            written = written_by_group[page.group] = "\n".join(
                f'    <xhtml:link rel="alternate" hreflang="{_escape_attribute(a.hreflang)}" '
                f'href="{_escape_attribute(a.href)}" />' for a in plan.alternates(page))
        if written:
            yield page, written


def sitemap_urls(plan: SitePlan) -> int:
    """How many URLs the sitemap of `plan` lists (for `sitemap_parts`)."""
    return sum(1 for _ in _listed_in_sitemap(plan))


def sitemap_index(plan: SitePlan, parts: Sequence[str]) -> bytes:
    """`sitemap.xml` of a site too large for one: a sitemap index naming
    `parts` (`sitemap_parts`), written by `sitemap_xml` with their number."""
    lines = [_XML_DECLARATION, f'<sitemapindex xmlns="{_escape_attribute(SITEMAP_NS)}">']
    for name in parts:
        lines += ["  <sitemap>", f"    <loc>{_escape_text(plan.absolute(name))}</loc>",
                  "  </sitemap>"]
    lines.append("</sitemapindex>")
    return _xml(lines)


def sitemap_xml(plan: SitePlan, lastmod: Mapping[str, dt.date], part: int = 0) -> bytes:
    """`sitemap.xml`: every published page with a group, each with its hreflang
    alternates as `xhtml:link` (the same set its HTML declares). `part`, from
    1: only the `part`-th `SITEMAP_URLS` of them, for `sitemap_parts`."""
    urlset = f'urlset xmlns="{_escape_attribute(SITEMAP_NS)}" xmlns:xhtml="{_escape_attribute(XHTML_NS)}"'
    lines = [_XML_DECLARATION]
    first, last = ((part - 1) * SITEMAP_URLS, part * SITEMAP_URLS) if part else (0, None)
    listed = 0
    for page, written in _listed_in_sitemap(plan):
        listed += 1
        if listed <= first:
            continue
        if last is not None and listed > last:
            break
        if len(lines) == 1:
            lines.append(f"<{urlset}>")
        lines.append("  <url>")
        lines.append(f"    <loc>{_escape_text(plan.absolute(page.route))}</loc>")
        if page.route in lastmod:
            lines.append(f"    <lastmod>{lastmod[page.route].isoformat()}</lastmod>")
        lines.append(written)
        lines.append("  </url>")
    lines.append("</urlset>" if len(lines) > 1 else f"<{urlset} />")
    return _xml(lines)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One article in an Atom feed: a dated one, as a feed is a chronology."""

    title: str
    url: str
    """Absolute URL."""
    summary: str
    published: dt.date
    updated: dt.date | None
    author: str
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Feed:
    """An Atom feed of one language, newest entries first."""

    lang: str
    """The language code (`pt_BR`); the XML carries its tag (`language_tag`)."""
    title: str
    subtitle: str
    feed_url: str
    home_url: str
    author: str
    entries: tuple[FeedEntry, ...]
    subtitle_lang: str | None = None
    """Language of the subtitle (the site description) when it differs from the feed's."""
    title_lang: str | None = None
    """Language of the title (the site title) when it differs from the feed's."""


def _entry_updated(entry: FeedEntry) -> dt.date:
    return max(entry.published, entry.updated or entry.published)


def atom_feed(feed: Feed) -> bytes:
    """The feed as Atom XML; `updated` is the newest article date, never the
    build time (`EPOCH` for a feed without entries)."""
    lang = _escape_attribute(language_tag(feed.lang))
    feed_url = _escape_attribute(feed.feed_url)
    lines = [_XML_DECLARATION, f'<feed xmlns="{_escape_attribute(ATOM_NS)}" xml:lang="{lang}">',
             _leaf("  ", "id", feed.feed_url),
             _leaf("  ", "title", feed.title, _lang_attribute(feed.title_lang, feed.lang))]
    # Optional elements are left out as if the forbidden characters had never
    # been there: a subtitle of `\x0c` alone is no subtitle.
    subtitle = _xml_chars(feed.subtitle)
    if subtitle:
        lines.append(_leaf("  ", "subtitle", subtitle,
                           _lang_attribute(feed.subtitle_lang, feed.lang)))
    lines.append(f'  <link rel="self" type="application/atom+xml" href="{feed_url}" />')
    lines.append(f'  <link rel="alternate" type="text/html" hreflang="{lang}" '
                 f'href="{_escape_attribute(feed.home_url)}" />')
    newest = max((_entry_updated(e) for e in feed.entries), default=EPOCH)
    lines += [f"  <updated>{atom_time(newest)}</updated>", "  <author>",
              _leaf("    ", "name", feed.author), "  </author>"]
    # Thousands of entries share a few dozen tags: each written once.
    categories: dict[str, str] = {}
    for item in feed.entries:
        lines.append("  <entry>")
        lines.append(_leaf("    ", "id", item.url))
        lines.append(_leaf("    ", "title", item.title))
        lines.append(f'    <link rel="alternate" type="text/html" '
                     f'href="{_escape_attribute(item.url)}" />')
        lines.append(f"    <published>{atom_time(item.published)}</published>")
        lines.append(f"    <updated>{atom_time(_entry_updated(item))}</updated>")
        author = _xml_chars(item.author)
        if author:
            lines += ["    <author>", _leaf("      ", "name", author), "    </author>"]
        for term in item.categories:
            category = categories.get(term)
            if category is None:
                category = categories[term] = f'    <category term="{_escape_attribute(term)}" />'
            lines.append(category)
        summary = _xml_chars(item.summary)
        if summary:
            lines.append(_leaf("    ", "summary", summary))
        lines.append("  </entry>")
    lines.append("</feed>")
    return _xml(lines)


def robots_txt(base_url: str) -> bytes:
    """Allow everything and name the sitemap (drafts carry their own noindex)."""
    return (f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url(base_url, SITEMAP)}\n"
            .encode())

