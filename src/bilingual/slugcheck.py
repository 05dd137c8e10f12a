"""`bilingual check`'s view of where the pages go: the slugs `build` refuses.

The build refuses a slug that is not a plain URL word (`site.check_slug`) and
two pages, or a page and another file, that would be written to one place
(`site.collisions`). `check` applies those very rules before anything is
built, to every version of every article that `build --drafts` would write
(drafts and unfinished translations included: they are published once done),
and reports each problem where the slug is written: the front matter field,
or the catalog entry that translates it.

A finding in front matter is `syntax`, like any front matter value the build
refuses; one in a catalog is `markup`, like the other slug translation checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import polib

from bilingual.build import fixed_outputs, static_files
from bilingual.cache import file_state, pickle_by_fields, project_cache
from bilingual.checks import Finding, error_finding, finding, quote
from bilingual.config import SiteConfig
from bilingual.errors import BilingualError
from bilingual.reading import cached_source
from bilingual.segment import SLUG_CONTEXT
from bilingual.site import (
    article_route,
    blame_slug,
    collisions,
    output_path,
    page_slug,
    tag_route,
    tag_slug,
)
from bilingual.sources import SourceDoc, article_paths, content_key, display_path
from bilingual.translate import catalog_states, translated_meta
from bilingual.update import catalog_path


@dataclass(frozen=True, slots=True)
class Placement:
    """What decides where an article's pages go: its front matter slug (as
    written, perhaps not text), the slug's line, and its tags."""

    slug: object
    slug_line: int | None
    tags: tuple[str, ...]


pickle_by_fields(Placement)


def placement(doc: SourceDoc) -> Placement:
    """The placement of a read article."""
    return Placement(doc.meta.get("slug"), doc.meta_lines.get("slug"),
                     tuple(doc.meta.get("tags", ()) or ()))


def source_placements(config: SiteConfig, paths: Iterable[Path]) -> list[Placement | None]:
    """The placement of each source-language article in `paths`; None for one
    that cannot be read (`update`'s plan reports why). Kept in the cache by the
    file's state, so that an unchanged article is not even read: `check` runs
    on sites of thousands of articles, most of them unchanged."""
    cache = project_cache(config.root)
    lang = config.source_language
    content = config.content_dir(lang)
    paths = list(paths)
    keys = [f"{path}\0{content}\0{lang}\0{file_state(path)}".encode() for path in paths]
    found = cache.peek_many("placement", keys, keep=False)
    placements: list[Placement | None] = []
    for path, key, known in zip(paths, keys, found, strict=True):
        if not isinstance(known, Placement):
            try:
                known = placement(cached_source(cache, path, content, lang))
            except (BilingualError, OSError):
                placements.append(None)
                continue
            cache.put("placement", key, known, keep=False)
        placements.append(known)
    cache.flush()
    return placements


@dataclass(frozen=True, slots=True)
class PlacedPage:
    """One article version's page and where the slug that placed it is written."""

    output: str
    """Relative to the output folder, as the build writes it."""
    source: str
    """The page's source as the build names it in messages."""
    file: str
    """The file the slug is written in: the article, or the catalog translating it."""
    line: int | None
    slug: str | None
    """None: the page keeps its article's file name."""
    lang: str | None
    """The catalog's language, whose check policy weighs a finding; None for front matter."""


@dataclass(frozen=True, slots=True)
class SlugFinding:
    """A slug problem and the language whose policy weighs it (None: the site's)."""

    lang: str | None
    finding: Finding


def check_slugs(config: SiteConfig, langs: Iterable[str],
                catalogs: Mapping[str, Mapping[Path, polib.POFile]],
                docs: Mapping[str, Iterable[SourceDoc]],
                handwritten: Mapping[str, set[PurePosixPath]]) -> list[SlugFinding]:
    """Slugs the build would refuse, in the source articles, in the catalogs of
    `langs` (`catalogs`: the ones that parse, by path) and in the articles
    written in those languages (`docs`); `handwritten` names, by language, the
    source articles that have a hand-written translation (their catalog is
    not used)."""
    src = config.source_language
    content = config.content_dir(src)
    try:
        paths = list(article_paths(content))
    except BilingualError:
        paths = []  # update's plan reports it
    found: list[SlugFinding] = []
    pages: list[PlacedPage] = []
    tags: dict[tuple[str, str], str] = {}

    def add_tags(lang: str, names: Iterable[object]) -> None:
        for name in names:
            tags.setdefault((lang, tag_slug(str(name))), f"the {lang} tag page {str(name)!r}")

    for path, place in zip(paths, source_placements(config, paths), strict=True):
        if place is None:
            continue
        shown = display_path(config, path)
        key = content_key(content, path)
        try:
            slug = page_slug(place.slug, path, place.slug_line)
        except BilingualError as exc:
            # The build leaves the article out in every language.
            found.append(SlugFinding(None, error_finding(config, exc)))
            continue
        pages.append(PlacedPage(output_path(article_route(src, key, slug)), shown, shown,
                                place.slug_line, slug, None))
        add_tags(src, place.tags)
        for lang in langs:
            path_t = catalog_path(config, lang, key)
            if key in handwritten.get(lang, set()):
                continue
            po = catalogs.get(lang, {}).get(path_t)
            if po is None and path_t.is_file():
                continue  # it does not parse: reported as syntax
            states = catalog_states(po) if po is not None else {}
            translations = {key: state.msgstr for key, state in states.items()
                            if state.translated}
            meta = translated_meta({"slug": place.slug, "tags": place.tags}, translations)
            add_tags(lang, meta["tags"])
            slug_t = meta["slug"]
            if not isinstance(slug_t, str) or slug_t == place.slug:
                pages.append(PlacedPage(output_path(article_route(lang, key, slug)),
                                        f"{shown} ({lang})", shown, place.slug_line, slug, None))
                continue
            file = display_path(config, path_t)
            entry = states.get((SLUG_CONTEXT, str(place.slug)))
            line = entry.line if entry is not None else None
            try:
                slug_t = page_slug(slug_t, path_t, line)
            except BilingualError as exc:
                refused = error_finding(config, exc, "markup")
                found.append(SlugFinding(lang, replace(refused, message=(
                    f"the translation of the slug {quote(str(place.slug))}: "
                    f"{refused.message}"))))
                continue
            pages.append(PlacedPage(output_path(article_route(lang, key, slug_t)),
                                    f"{shown} ({lang}, slug from {file})", file, line, slug_t,
                                    lang))

    for lang in langs:
        for doc in docs.get(lang, ()):
            shown = display_path(config, doc.path)
            place = placement(doc)
            try:
                slug = page_slug(place.slug, doc.path, place.slug_line)
            except BilingualError as exc:
                found.append(SlugFinding(None, error_finding(config, exc)))
                continue
            pages.append(PlacedPage(output_path(article_route(lang, doc.key, slug)), shown,
                                    shown, place.slug_line, slug, None))
            add_tags(lang, place.tags)

    found += _collisions(config, pages, tags)
    return found


def _collisions(config: SiteConfig, pages: list[PlacedPage],
                tags: Mapping[tuple[str, str], str]) -> list[SlugFinding]:
    """The build's collisions among `pages`, the tag pages and the files no
    article places, each blamed on the slug that placed a page there (or, when
    no slug did, on the article)."""
    try:
        statics = static_files(config)
    except BilingualError:
        statics = ()  # a problem of the static folder, which the build reports
    outputs = [(page.output, page.source) for page in pages]
    outputs += [(output_path(tag_route(lang, slug)), label)
                for (lang, slug), label in tags.items()]
    outputs += fixed_outputs(config, statics)
    by_source = {page.source: page for page in pages}
    folder = display_path(config, config.output_dir)
    found = []
    for collision in collisions(outputs, folder):
        placed = [by_source[s] for s in collision.sources if s in by_source]
        blamed = next((page for page in placed if page.slug is not None),
                      placed[0] if placed else None)
        if blamed is None:
            continue  # no article involved: a static file, which the build reports
        if blamed.slug is None:
            code, line, message = "syntax", None, collision.message
        else:
            code, line = ("markup" if blamed.lang else "syntax"), blamed.line
            message = blame_slug(collision.message, blamed.slug)
        found.append(SlugFinding(blamed.lang, finding(code, blamed.file, line, message)))
    return found
