"""`bilingual build`: articles + catalogs -> one static site per language.

Two phases, so that nothing is written when anything is wrong:

1. Gather: read every article, segment and translate it, decide what is
   published (a translation only when every segment is translated and none is
   fuzzy; `draft: true` articles only with `--drafts`), plan every route, and
   refuse bad slugs, bad `translation_of` pairings and two sources claiming
   one output file. Every problem is collected and reported at once.
2. Render and write: one Jinja2 environment per language with that
   language's UI catalog, then the files; a file whose bytes did not change is
   not rewritten, and files an earlier build wrote that this one does not are
   removed (listed in the output folder's manifest), so a translation that is
   held back again really disappears.

Output is deterministic: no timestamps, sorted walks, dates from front matter.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import hashlib
import io
import operator
import os
import pickle
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TypeVar

import jinja2
import polib
from babel import Locale
from babel.dates import format_date
from markupsafe import Markup, escape

from bilingual.cache import ResultCache, TreeState, file_state, pickle_by_fields, project_cache
from bilingual.catalog import read_catalog
from bilingual.config import BUILTIN, SiteConfig
from bilingual.errors import BilingualError, ConfigError, location
from bilingual.formats import compare_formats
from bilingual.merge import is_translated
from bilingual.parallel import beside, freeze_heap, map_chunks
from bilingual.progress import NullProgress, ProgressLike
from bilingual.publish import (
    MANIFEST,
    BuildSummary,
    HeldBack,
    PackedFiles,
    check_output_files,
    input_state,
    pack,
    packed_digest,
    prepare_staging,
    recorded_site,
    recorded_staging,
    remember_site,
    remember_staging,
    unchanged_site,
    write_site,
)
from bilingual.reading import cached_catalog_states, cached_segments, cached_source
from bilingual.render import render_body
from bilingual.segment import SLUG_CONTEXT, SegmentedDoc, rebuild_markdown
from bilingual.site import (
    Alternate,
    ArticleRef,
    Feed,
    FeedEntry,
    LinkOrigin,
    Page,
    SitePlan,
    article_route,
    atom_feed,
    describe_unfit,
    feed_route,
    find_collisions,
    has_unfit_character,
    home_route,
    html_bytes,
    image_url,
    language_tag,
    link_state,
    link_url,
    missing_image,
    off_site,
    og_locale,
    page_slug,
    plan_site,
    resolve_link,
    robots_txt,
    sitemap_xml,
    tag_route,
    tag_slug,
    unfit_character,
)
from bilingual.sitetext import SiteText, site_text
from bilingual.sources import (
    SourceDoc,
    article_paths,
    content_key,
    misspelt_fields,
    relative_posix,
)
from bilingual.status import ArticleStatus, article_status
from bilingual.statuspage import STATUS_PAGE, status_page
from bilingual.translate import CatalogStates, TranslatedDoc, translate_document
from bilingual.update import UI_CATALOG, catalog_path

BUILTIN_TEMPLATES = BUILTIN / "templates"
BUILTIN_STATIC = BUILTIN / "static"
ENTRY_TEMPLATE = "entry.html"
"""One entry of a listing (`Renderer.entries`)."""
BUILTIN_ENTRY = BUILTIN_TEMPLATES / ENTRY_TEMPLATE
STYLESHEET = "style.css"
ROBOTS = "robots.txt"
"""Generated unless the project's `static/` has one, which then replaces it."""
WORDS_PER_MINUTE = 200

Translations = Mapping[tuple[str | None, str], str]


# ---------------------------------------------------------------------------
# What the build reports
# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# Gathered articles
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Tag:
    """A tag as shown on one article."""

    name: str
    slug: str
    lang: str
    """Language of the name: the source language for an untranslated tag in a draft."""
    source_slugs: tuple[str, ...] = ()
    """Slugs of the source-language tags it translates, for pairing tag pages:
    more than one when two of an article's tags are translated alike (`Calle`);
    none for a tag of an article as written."""


@dataclass(frozen=True, slots=True)
class Article:
    """One article page in one language, ready to render: everything but its
    body text (`ArticleText`), so that the records of unchanged articles that a
    build loads stay small."""

    page: Page
    ref: ArticleRef
    """Its source file (`article_source`), kept as text: thousands of these
    are loaded by every build, and a `Path` costs more to unpickle than the
    rest of the record."""
    inputs: bytes
    """Identifies everything the record and its body come from (`_source_state`):
    with the same configuration, the same value means the same `Article` and
    `ArticleText`."""
    listed: bytes
    """What a listing shows of the article (`_listed`), as a digest: a home or
    tag page is a function of those of its articles (with the configuration),
    so an edit to an article's body leaves the listings it is on as they are."""
    translated: bool
    """Rendered from the source with catalog translations (else as written)."""
    title: str
    title_lang: str
    description: str
    description_lang: str
    tags: tuple[Tag, ...]
    date: dt.date | None
    updated: dt.date | None
    author: str
    image: str | None
    words: int
    untranslated: int
    """Segments shown in the source language (drafts only)."""
    slug_at: str | None = None
    """Where the slug that names the page's folder is written (`file:line` of
    the front matter field or catalog entry), for messages; None without one."""
    image_at: str | None = None
    """Where the `image` field is written (`file:line`), for messages; None
    without one."""

    @property
    def newest(self) -> dt.date | None:
        dates = [d for d in (self.date, self.updated) if d is not None]
        return max(dates) if dates else None


@dataclass(frozen=True, slots=True)
class ArticleText:
    """What an article page's body is rendered from."""

    markdown: str
    """The body as written: the source-language skeleton for catalog translations."""
    translations: Translations | None
    """Catalog translations applied block by block, or None to render as written."""
    translated_markdown: str | None
    """The body rebuilt with the translations (None when rendered as written)."""


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What gathering learns from one source-language article and its catalogs:
    a pure function of those files, the configuration and `--drafts`, so it is
    kept in the result cache and an unchanged article costs one `stat` per file."""

    articles: tuple[Article, ...]
    held: tuple[HeldBack, ...]
    unbuilt: tuple[tuple[tuple[str, str], str], ...]
    read_errors: tuple[str, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    statuses: tuple[ArticleStatus, ...]
    """The article's translation progress per target language (the status page)."""


# Thousands of these are loaded by every build: pickled as constructor arguments.
pickle_by_fields(Tag, Article, ArticleText, SourceOutcome, Page, ArticleRef, HeldBack, ArticleStatus)


@dataclass(frozen=True, slots=True)
class Gathered:
    """Phase one's result."""

    articles: tuple[Article, ...]
    texts: Mapping[str, ArticleText]
    """Bodies computed by this run, by output path; the others are read again
    when their page must be rendered (`article_text`)."""
    unbuilt: Mapping[tuple[str, str], str]
    held_back: tuple[HeldBack, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    statuses: tuple[ArticleStatus, ...]
    read: int
    """Markdown articles read, of every language."""


def display_path(config: SiteConfig, path: Path) -> str:
    """A path as shown in messages: relative to the project root when inside it."""
    try:
        return relative_posix(config.root, path)
    except ValueError:
        return str(path)


def _words(text: str) -> int:
    return len(text.split())


def _minutes(words: int) -> int:
    return max(1, -(-words // WORDS_PER_MINUTE))


def _date(doc: SourceDoc, name: str) -> dt.date | None:
    value = doc.meta.get(name)
    return value if isinstance(value, dt.date) else None


def _text(meta: Mapping[str, object], name: str) -> str:
    value = meta.get(name)
    return value if isinstance(value, str) else ""


_ROUTE = operator.attrgetter("page.route")
_DATE = operator.attrgetter("date")


def _newest_first(articles: Iterable[Article]) -> list[Article]:
    """Newest first; undated last; ties by route, so the order never varies."""
    # Sorts are stable, `reverse` too: by route, then by date. Keys fetched
    # in C, not a key tuple per article, as every build sorts all of them.
    by_route = sorted(articles, key=_ROUTE)
    dated = [a for a in by_route if a.date is not None]
    dated.sort(key=_DATE, reverse=True)
    return dated + [a for a in by_route if a.date is None]


def _read_all(config: SiteConfig, lang: str, errors: list[str]) -> list[SourceDoc]:
    content = config.content_dir(lang)
    docs = []
    try:
        paths = list(article_paths(content))
    except BilingualError as exc:
        errors.append(exc.format_message())
        return []
    for path in paths:
        try:
            docs.append(cached_source(project_cache(config.root), path, content, lang))
        except BilingualError as exc:
            errors.append(exc.format_message())
    return docs


_SKIP = object()
"""Returned by `_buildable_slug` for an article that is not built."""


def _buildable_slug(config: SiteConfig, doc: SourceDoc, lang: str, drafts: bool,
                    held: list[HeldBack], unbuilt: dict[tuple[str, str], str],
                    errors: list[str], draft_source: Path | None = None) -> str | None | object:
    """The slug of an article written in `lang`, or `_SKIP` when it is a draft
    of a build without drafts or its slug is refused (recorded in the lists).
    A hand-written translation of a draft (`draft_source`) is a draft too."""
    if doc.draft or draft_source is not None:
        source = display_path(config, doc.path)
        reason = ("draft: true in its front matter" if doc.draft else
                  f"draft: true in the front matter of {display_path(config, draft_source)}")
        held.append(HeldBack(source, lang, reason, built_as_draft=drafts))
        if not drafts:
            unbuilt[(lang, doc.key.as_posix())] = "draft: true"
            return _SKIP
    try:
        return page_slug(doc.meta.get("slug"), doc.path, doc.meta_lines.get("slug"))
    except BilingualError as exc:
        errors.append(exc.format_message())
        return _SKIP


def _draft_source(config: SiteConfig, cache: ResultCache, key: PurePosixPath) -> Path | None:
    """The source article `key` when it is a draft (its error, if any, is reported
    where it is gathered)."""
    content = config.content_dir(config.source_language)
    try:
        doc = cached_source(cache, content / key, content, config.source_language)
    except BilingualError:
        return None
    return doc.path if doc.draft else None


def _translation_of(config: SiteConfig, doc: SourceDoc) -> PurePosixPath | None:
    """The source article a hand-written translation pairs with, normalised."""
    value = doc.meta.get("translation_of")
    if value is None:
        return None
    line = doc.meta_lines.get("translation_of")
    text = str(value).strip().replace("\\", "/")
    # Accept the path as the project sees it too (content/de/x.md).
    prefix = f"content/{config.source_language}/"
    if text.startswith(prefix):
        text = text[len(prefix):]
    normal = posixpath.normpath(text) if text else ""
    if (not text or text.startswith("/") or normal == ".." or normal.startswith("../")
            or not normal.endswith(".md")):
        raise BilingualError(f"translation_of {value!r} must be the path of a "
                             f"{config.source_language} article relative to "
                             f"content/{config.source_language}/, e.g. x.md", doc.path, line)
    return PurePosixPath(normal)


def _listed(page: Page, title: str, title_lang: str, description: str, description_lang: str,
            tags: tuple[Tag, ...], date: dt.date | None) -> bytes:
    """`Article.listed`: every field a listing entry (`Renderer.entries`) is made
    from, the route its link is made from included."""
    shown = (page.lang, page.route, page.draft, title, title_lang, description, description_lang,
             tuple((t.name, t.slug, t.lang) for t in tags), date and date.isoformat())
    return hashlib.sha256(repr(shown).encode()).digest()


def _slug_at(shown: str, doc: SourceDoc, slug: str | None) -> str | None:
    """`Article.slug_at` of a page named by its article's own slug (`shown`:
    the article's path as messages show it)."""
    return location(shown, doc.meta_lines.get("slug")) if slug is not None else None


def _image_at(config: SiteConfig, doc: SourceDoc) -> str | None:
    """`Article.image_at`: the `image` field of the article written in `doc`
    (a translation shows the source's)."""
    if not _text(doc.meta, "image"):
        return None
    return location(display_path(config, doc.path), doc.meta_lines.get("image"))


def _source_tags(doc: SourceDoc) -> tuple[Tag, ...]:
    """The tags of an article as written in its front matter, one for each entry."""
    return tuple(Tag(t, tag_slug(t), doc.lang) for t in doc.meta.get("tags", ()) or ())


def _translated_tags(doc: SourceDoc, tdoc: TranslatedDoc) -> tuple[Tag, ...]:
    """The tags of a translated article, one for each of the source's entries:
    translated where the catalog has a finished translation, else as written."""
    return tuple(Tag(name, tag_slug(name), tdoc.lang if tdoc.lookup(original) is not None
                     else doc.lang, (tag_slug(original),))
                 for original, name in zip(doc.meta.get("tags", ()) or (),
                                           tdoc.meta.get("tags", ()) or (), strict=True))


def one_tag_per_page(tags: Iterable[Tag]) -> tuple[Tag, ...]:
    """An article's tags with one per tag page, in their order: of the tags whose
    slugs are equal (`Straße` and `Strasse`, two tags translated as `Calle`) the
    first stands for all, so a page, a listing entry and a feed entry name the
    tag once. It keeps the source slugs of all of them, so a tag page pairs
    with a source-language one only when the translation is one to one."""
    kept: dict[str, Tag] = {}
    for tag in tags:
        first = kept.setdefault(tag.slug, tag)
        if missing := tuple(s for s in tag.source_slugs if s not in first.source_slugs):
            kept[tag.slug] = replace(first, source_slugs=first.source_slugs + missing)
    return tuple(kept.values())


def folded_tag_warnings(tags: Sequence[Tag], places: Sequence[str]) -> list[str]:
    """A warning for each tag that `one_tag_per_page` folds into an earlier one
    of another name, not only another case (`places`: the `file:line` of each
    tag's entry): the article shows only the first, so the author hears of it
    as `shared_tag_pages` tells of tags of different articles sharing a page.
    Translations of tags that already share a source-language page are not
    named again: the warning about the source's tags says it."""
    first: dict[str, Tag] = {}
    warnings = []
    for tag, place in zip(tags, places, strict=True):
        shown = first.setdefault(tag.slug, tag)
        folded_at_source = tag.source_slugs and set(tag.source_slugs) <= set(shown.source_slugs)
        if shown.name.casefold() != tag.name.casefold() and not folded_at_source:
            warnings.append(f"{place}: tags {shown.name!r} and {tag.name!r} share the tag "
                            f"page {tag_route(tag.lang, tag.slug)} (their slugs are the same), "
                            f"so the article shows only {shown.name!r}; rename one to keep "
                            "them apart")
    return warnings


def _source_article(config: SiteConfig, doc: SourceDoc, route: str, group: str,
                    inputs: bytes, draft: bool | None = None,
                    slug_at: str | None = None) -> Article:
    """The article written in `doc`'s language (`draft`: its page's, when not its own)."""
    lang = doc.lang
    tags = one_tag_per_page(_source_tags(doc))
    page = Page("article", lang, route, display_path(config, doc.path), group,
                doc.draft if draft is None else draft)
    title, description, date = doc.title or doc.key.stem, _text(doc.meta, "description"), \
        _date(doc, "date")
    return Article(
        page=page, ref=ArticleRef(lang, doc.key.as_posix()), inputs=inputs,
        listed=_listed(page, title, lang, description, lang, tags, date), translated=False,
        title=title, title_lang=lang, description=description, description_lang=lang,
        tags=tags, date=date, updated=_date(doc, "updated"), author=_text(doc.meta, "author"),
        image=_text(doc.meta, "image") or None, words=_words(doc.body), untranslated=0,
        slug_at=slug_at, image_at=_image_at(config, doc))


def _translated_text(segmented: SegmentedDoc, tdoc: TranslatedDoc) -> ArticleText:
    rebuilt = rebuild_markdown(segmented, lambda msgid, ctx: tdoc.lookup(msgid, ctx))
    return ArticleText(segmented.source.body, tdoc.translations, rebuilt)


def _translated_article(config: SiteConfig, segmented: SegmentedDoc, tdoc: TranslatedDoc,
                        route: str, group: str, source: str, draft: bool,
                        inputs: bytes, slug_at: str | None) -> tuple[Article, ArticleText]:
    doc = segmented.source
    src = config.source_language
    meta = tdoc.meta

    def lang_of(value: str) -> str:
        return tdoc.lang if tdoc.lookup(value) is not None else src

    tags = one_tag_per_page(_translated_tags(doc, tdoc))
    text = _translated_text(segmented, tdoc)
    page = Page("article", tdoc.lang, route, source, group, draft)
    title = _text(meta, "title") or doc.key.stem
    title_lang = lang_of(doc.title) if doc.title else tdoc.lang
    description = _text(meta, "description")
    description_lang = lang_of(_text(doc.meta, "description"))
    date = _date(doc, "date")
    article = Article(
        page=page, ref=ArticleRef(src, doc.key.as_posix()), inputs=inputs,
        listed=_listed(page, title, title_lang, description, description_lang, tags, date),
        translated=True, title=title, title_lang=title_lang, description=description,
        description_lang=description_lang, tags=tags, date=date, updated=_date(doc, "updated"),
        author=_text(doc.meta, "author"), image=_text(doc.meta, "image") or None,
        words=_words(text.translated_markdown or ""), untranslated=len(tdoc.missing),
        slug_at=slug_at, image_at=_image_at(config, doc))
    return article, text


def article_source(config: SiteConfig, article: Article) -> Path:
    """The Markdown file an article page is made from."""
    return config.content_dir(article.ref.content_lang) / article.ref.key


def _variant(name: str, drafts: bool) -> str:
    """The owner of a build's result made from `name` (`ResultCache.put`):
    `serve` builds with drafts, `build` without, and each keeps its own."""
    return f"{name}\0drafts" if drafts else name


def _text_key(article: Article) -> bytes:
    """Where an article version's `ArticleText` is kept: its `inputs` (with the
    configuration, they make the text) and which version it is."""
    return article.inputs + b"\0" + article.page.output.encode()


def article_text(config: SiteConfig, article: Article) -> ArticleText:
    """The body of a gathered article, read again through the result cache: for
    an article whose record came from the cache, whose files are unchanged
    (else its `inputs` would differ). Gathering kept the text of each version
    it made; without it (an article as written in a target language, or a
    cache that lost it), the text is made again from the source, its segments
    and its catalog."""
    cache = project_cache(config.root)
    kept = cache.peek("text", _text_key(article), keep=False)
    if isinstance(kept, ArticleText):
        return kept
    content_lang = article.ref.content_lang
    doc = cached_source(cache, article_source(config, article), config.content_dir(content_lang),
                        content_lang)
    if not article.translated:
        return ArticleText(doc.body, None, None)
    segmented = cached_segments(cache, doc)
    path = catalog_path(config, article.page.lang, doc.key)
    catalog = cached_catalog_states(cache, path) if path.is_file() else None
    return _translated_text(segmented, translate_document(segmented, catalog, article.page.lang))


def _slug_line(catalog: CatalogStates | None, slug: str) -> int | None:
    entry = (catalog or {}).get((SLUG_CONTEXT, slug))
    return entry.line if entry is not None else None


def _tag_line(catalog: CatalogStates | None, tag: str) -> int | None:
    entry = (catalog or {}).get((None, tag))
    return entry.line if entry is not None else None


def _folded_source_tag_warnings(where: str, doc: SourceDoc) -> list[str]:
    """`folded_tag_warnings` of an article as written (`where`: its path as shown),
    at the line of its `tags` field."""
    tags = _source_tags(doc)
    return folded_tag_warnings(tags, [location(where, doc.meta_lines.get("tags"))] * len(tags))


# Characters the pages leave out (`site.html_chars`): the build says where
# they are, once per file, as the author should learn that the text holds
# something no reader sees. Gathering finds them, so a warning is kept with
# what an article's files gave (`SourceOutcome`) and replayed while they are
# unchanged, and the rendering only drops them.

def _first_unfit(texts: Iterable[tuple[int, str]]) -> tuple[int, str] | None:
    """(line, character) of the first character the pages leave out, in the
    texts given with their line, the lowest line first; None when there is none."""
    texts = list(texts)
    # One quick look at them all before one search of each: most have none.
    if not has_unfit_character("".join([text for _, text in texts])):
        return None
    return min(((line, match.group()) for line, text in texts
                if (match := unfit_character(text)) is not None), default=None)


def _source_unfit(doc: SourceDoc) -> tuple[int, str] | None:
    """`_first_unfit` of an article: its front matter values, each at its
    field's line (YAML lets such a character in only as an escape, `"\\x01"`),
    and its body, line by line when it has one."""
    values = [(doc.meta_lines.get(name, 2), text) for name, value in doc.meta.items()
              for text in (value if isinstance(value, tuple) else (value,))
              if isinstance(text, str)]
    lines = doc.body.split("\n") if has_unfit_character(doc.body) else ()
    return _first_unfit([*values, *enumerate(lines, doc.body_line)])


def _misspelt_warnings(where: str, doc: SourceDoc) -> list[str]:
    """A warning for each front matter field that looks like one bilingual
    reads but is not (`sources.misspelt_fields`): `Draft: true` would
    otherwise publish the article, `titel:` leave it without its title."""
    return [f"{location(where, line)}: front matter field {name!r} is not one bilingual "
            f"reads; did you mean {meant!r}? It is ignored"
            for name, meant, line in misspelt_fields(doc)]


def _unfit_warning(where: str, found: tuple[int, str] | None) -> list[str]:
    """The warning for a file whose text holds a character the pages leave
    out (`found`, from `_first_unfit`), or none."""
    if found is None:
        return []
    line, char = found
    return [f"{location(where, line)}: {describe_unfit(char)}, which no reader can see; "
            "the pages leave it out (remove it here)"]


def _source_state(config: SiteConfig, settings: bytes, path: Path, key: PurePosixPath,
                  claimed: Mapping[str, str],
                  state_of: Callable[[Path], str] = file_state) -> bytes | None:
    """The cache key of a source article's `SourceOutcome`: `settings` (the
    configuration and `--drafts`), the article's file and each target catalog
    (their `cache.file_state`, as `state_of` gives it) and whether a
    hand-written translation replaces it. None when the article vanished (it
    is then read, and reported, without the cache)."""
    state = state_of(path)
    if state == "missing":
        return None
    catalogs = tuple((lang, state_of(catalog_path(config, lang, key)), claimed.get(lang))
                     for lang in config.target_languages)
    return settings + repr((str(path), state, catalogs)).encode()


def _statuses(config: SiteConfig, cache: ResultCache, doc: SourceDoc,
              claimed: Mapping[str, str]) -> tuple[ArticleStatus, ...]:
    """`status.article_status` per target language; a catalog that cannot be read
    has no row (the build reports it)."""
    rows = []
    for lang in config.target_languages:
        path = catalog_path(config, lang, doc.key)
        try:
            catalog = cached_catalog_states(cache, path) if path.is_file() else None
        except BilingualError:
            continue
        rows.append(article_status(config, doc, lang, catalog, lang in claimed,
                                   with_words=False))
    return tuple(rows)


def _gather_source(config: SiteConfig, cache: ResultCache, path: Path,
                   claimed: Mapping[str, str], drafts: bool,
                   inputs: bytes) -> tuple[SourceOutcome, dict[str, ArticleText]]:
    """Gather one source-language article: its page, the page of each target
    language that the catalogs complete (or every one, with `drafts`), and why
    the others are held back. `claimed` names the hand-written translation
    (shown path) of each language that has one. Returns the outcome and the
    pages' bodies."""
    src = config.source_language
    try:
        doc = cached_source(cache, path, config.content_dir(src), src)
    except BilingualError as exc:
        return SourceOutcome((), (), (), (exc.format_message(),), (), (), ()), {}
    errors: list[str] = []
    warnings: list[str] = []
    held: list[HeldBack] = []
    unbuilt: dict[tuple[str, str], str] = {}
    articles: list[Article] = []
    texts: dict[str, ArticleText] = {}

    def outcome() -> tuple[SourceOutcome, dict[str, ArticleText]]:
        try:
            statuses = _statuses(config, cache, doc, claimed)
        except ValueError:  # cannot be segmented: reported in `errors`
            statuses = ()
        return SourceOutcome(tuple(articles), tuple(held), tuple(unbuilt.items()), (),
                             tuple(errors), tuple(warnings), statuses), texts

    source = display_path(config, doc.path)
    warnings += _misspelt_warnings(source, doc)
    group = f"article:{src}:{doc.key}"
    slug = _buildable_slug(config, doc, src, drafts, held, unbuilt, errors)
    if slug is _SKIP:
        return outcome()
    try:
        segmented = cached_segments(cache, doc)
    except ValueError as exc:  # the segmenter cannot map a block back to its source
        errors.append(f"{source}: cannot split into segments: {exc}")
        return outcome()
    warnings += _unfit_warning(source, _source_unfit(doc))
    slug_at = _slug_at(source, doc, slug)
    article = _source_article(config, doc, article_route(src, doc.key, slug), group, inputs,
                              slug_at=slug_at)
    articles.append(article)
    texts[article.page.output] = ArticleText(doc.body, None, None)
    warnings += _folded_source_tag_warnings(source, doc)
    for lang in config.target_languages:
        path = catalog_path(config, lang, doc.key)
        if lang in claimed:
            if path.is_file():
                warnings.append(f"{display_path(config, path)}: not used; {claimed[lang]} is "
                                f"the hand-written {lang} version of {source}")
            continue
        catalog = None
        if path.is_file():
            try:
                catalog = cached_catalog_states(cache, path)
            except BilingualError as exc:
                errors.append(exc.format_message())
                continue
        tdoc = translate_document(segmented, catalog, lang)
        complete = tdoc.complete
        if not complete:
            fuzzy = len(tdoc.fuzzy)
            missing = len(tdoc.missing) - fuzzy
            where = display_path(config, path)
            reason = (f"no catalog ({where})" if catalog is None else
                      f"{missing} missing, {fuzzy} fuzzy of {len(segmented.segments)} "
                      f"segments in {where}")
            held.append(HeldBack(source, lang, reason, missing, fuzzy, drafts))
            if not drafts:
                continue
        if catalog is not None:  # the translations this page shows
            warnings += _unfit_warning(display_path(config, path), _first_unfit(
                (catalog[key].line, text) for key, text in tdoc.translations.items()))
        translated_slug = tdoc.meta.get("slug")
        try:
            if isinstance(translated_slug, str) and translated_slug != doc.meta.get("slug"):
                line = _slug_line(catalog, str(doc.meta.get("slug")))
                slug_t = page_slug(translated_slug, path, line)
                slug_at_t = (location(display_path(config, path), line)
                             if slug_t is not None else None)
            else:
                slug_t, slug_at_t = slug, slug_at
        except BilingualError as exc:
            errors.append(exc.format_message())
            continue
        page_source = source + (f" ({lang}, slug from {display_path(config, path)})"
                                if slug_t != slug else f" ({lang})")
        translated, text = _translated_article(
            config, segmented, tdoc, article_route(lang, doc.key, slug_t), group,
            page_source, doc.draft or not complete, inputs, slug_at_t)
        articles.append(translated)
        texts[translated.page.output] = text
        shown_catalog = display_path(config, path)
        warnings += folded_tag_warnings(_translated_tags(doc, tdoc), [
            location(shown_catalog, _tag_line(catalog, tag)) for tag in doc.meta.get("tags", ()) or ()])
    return outcome()


def gather(config: SiteConfig, drafts: bool, inputs: TreeState | None = None) -> Gathered:
    """Phase one: every article version that will have a page, and why others
    will not. A file's state is taken from `inputs` when it holds the file."""
    src = config.source_language
    cache = project_cache(config.root)
    content = config.content_dir(src)
    listing_errors: list[str] = []
    try:
        paths = list(article_paths(content))
    except BilingualError as exc:
        listing_errors.append(exc.format_message())
        paths = []
    keys = [content_key(content, path) for path in paths]
    source_keys = set(keys)
    original_errors: list[str] = []
    originals = {lang: _read_all(config, lang, original_errors)
                 for lang in config.target_languages}

    # Hand-written translations claim their source article first: they win over the catalog.
    errors: list[str] = []
    claimed: dict[tuple[str, PurePosixPath], SourceDoc] = {}
    # (language, key of the hand-written article) -> the source key it translates.
    pairs: dict[tuple[str, PurePosixPath], PurePosixPath | None] = {}
    for lang, docs in originals.items():
        for doc in docs:
            try:
                key = _translation_of(config, doc)
            except BilingualError as exc:
                errors.append(exc.format_message())
                continue
            if key is not None and key not in source_keys:
                errors.append(BilingualError(
                    f"translation_of: there is no article content/{src}/{key}", doc.path,
                    doc.meta_lines.get("translation_of")).format_message())
                continue
            if key is not None and (lang, key) in claimed:
                first = display_path(config, claimed[(lang, key)].path)
                errors.append(BilingualError(
                    f"translation_of: {first} already is the {lang} version of "
                    f"content/{src}/{key}", doc.path,
                    doc.meta_lines.get("translation_of")).format_message())
                continue
            if key is not None:
                claimed[(lang, key)] = doc
            pairs[(lang, doc.key)] = key

    claimed_langs = {key: {lang: display_path(config, claimed[(lang, key)].path)
                           for lang in config.target_languages if (lang, key) in claimed}
                     for key in keys}
    settings = pickle.dumps((config, drafts), pickle.HIGHEST_PROTOCOL)
    # A result is kept under the file states found before anything was read:
    # a file changed since is read anew by the next build, which sees it changed.
    known = inputs.file_state if inputs is not None else file_state
    states = [_source_state(config, settings, path, key, claimed_langs[key], known)
              for path, key in zip(paths, keys, strict=True)]
    outcomes: list[SourceOutcome | None] = cache.peek_many(  # type: ignore[assignment]
        "gathered", [state or b"" for state in states], keep=False)
    missing = [index for index, found in enumerate(outcomes)
               if not isinstance(found, SourceOutcome) or states[index] is None]
    parent = os.getpid()

    def gather_one(index: int) -> tuple[SourceOutcome, dict[str, ArticleText]]:
        found, computed = _gather_source(config, cache, paths[index], claimed_langs[keys[index]],
                                         drafts, hashlib.sha256(states[index] or b"").digest())
        # For whatever renders these pages, this build's workers among them:
        # one load instead of the source, its segments and its catalog read
        # and the translation made again, a tenth of the CPU.
        for article in found.articles if states[index] is not None else ():
            if article.page.output in computed:
                cache.put("text", _text_key(article), computed[article.page.output], keep=False,
                          owner=_variant(article.page.output, drafts))
        if os.getpid() == parent:
            return found, computed
        # A worker process: what it read goes to disk (at the end of its run of
        # articles, one transaction) for the workers that render the pages,
        # which read the bodies again; nothing piles up in memory.
        cache.release()
        return found, {}

    texts: dict[str, ArticleText] = {}
    for index, (found, computed) in zip(missing, map_chunks(gather_one, missing,
                                                           finish_chunk=cache.flush),
                                        strict=True):
        outcomes[index] = found
        texts.update(computed)
        if states[index] is not None and not found.read_errors:
            cache.put("gathered", states[index], found, keep=False,
                      owner=_variant(str(paths[index]), drafts))

    done = [outcome for outcome in outcomes if outcome is not None]
    articles = [article for outcome in done for article in outcome.articles]
    held = [entry for outcome in done for entry in outcome.held]
    unbuilt = dict(entry for outcome in done for entry in outcome.unbuilt)
    warnings = [warning for outcome in done for warning in outcome.warnings]
    errors = (listing_errors + [e for outcome in done for e in outcome.read_errors]
              + original_errors + errors + [e for outcome in done for e in outcome.errors])
    statuses = [row for lang in config.target_languages
                for outcome in done for row in outcome.statuses if row.lang == lang]

    for lang, docs in originals.items():
        for doc in docs:
            if (lang, doc.key) not in pairs:
                continue  # its translation_of was refused above
            key = pairs[(lang, doc.key)]
            warnings += _misspelt_warnings(display_path(config, doc.path), doc)
            draft_source = _draft_source(config, cache, key) if key is not None else None
            slug = _buildable_slug(config, doc, lang, drafts, held, unbuilt, errors,
                                   draft_source)
            if slug is _SKIP:
                continue
            warnings += _unfit_warning(display_path(config, doc.path), _source_unfit(doc))
            group = f"article:{src}:{key}" if key is not None else f"article:{lang}:{doc.key}"
            article = _source_article(config, doc, article_route(lang, doc.key, slug), group,
                                      f"{lang}\0{file_state(doc.path)}".encode(),
                                      doc.draft or draft_source is not None,
                                      _slug_at(display_path(config, doc.path), doc, slug))
            articles.append(article)
            texts[article.page.output] = ArticleText(doc.body, None, None)
            warnings += _folded_source_tag_warnings(display_path(config, doc.path), doc)

    return Gathered(tuple(articles), MappingProxyType(texts), MappingProxyType(unbuilt),
                    tuple(held), tuple(errors), tuple(warnings), tuple(statuses),
                    len(paths) + sum(len(docs) for docs in originals.values()))


# ---------------------------------------------------------------------------
# Listing pages
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TagPage:
    """The page listing one language's articles with one tag."""

    page: Page
    name: str
    name_lang: str
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class HomePage:
    """The page listing every article of one language."""

    page: Page
    articles: tuple[Article, ...]
    """Newest first, as listed."""


def tag_pages(config: SiteConfig, newest: Iterable[Article]) -> tuple[TagPage, ...]:
    """One page per language and tag, from the articles newest first
    (`_newest_first`), which each page lists in that order. A target-language
    tag page pairs with a source-language one (hreflang) only when the tag is
    translated one to one by every published translation."""
    src = config.source_language
    by_tag: dict[tuple[str, str], list[tuple[Article, Tag]]] = {}
    forward: dict[tuple[str, str], set[str]] = {}
    backward: dict[tuple[str, str], set[str]] = {}
    for article in newest:
        lang = article.page.lang
        published_translation = lang != src and article.translated and not article.page.draft
        for tag in article.tags:
            by_tag.setdefault((lang, tag.slug), []).append((article, tag))
            if published_translation:
                for source_slug in tag.source_slugs:
                    forward.setdefault((lang, source_slug), set()).add(tag.slug)
                backward.setdefault((lang, tag.slug), set()).update(tag.source_slugs)
    pages = []
    for (lang, slug), items in sorted(by_tag.items()):
        listed = tuple({a.page.route: a for a, _ in items}.values())
        name, name_lang = items[0][1].name, items[0][1].lang
        group = f"tag:{lang}:{slug}"
        if lang == src:
            group = f"tag:{src}:{slug}"
        else:
            origins = backward.get((lang, slug), set())
            if len(origins) == 1:
                (origin,) = origins
                if forward.get((lang, origin)) == {slug}:
                    group = f"tag:{src}:{origin}"
        draft = all(a.page.draft for a in listed)
        page = Page("tag", lang, tag_route(lang, slug), f"the {lang} tag page {name!r}",
                    group, draft)
        pages.append(TagPage(page, name, name_lang, listed))
    return tuple(pages)


def shared_tag_pages(newest: Iterable[Article]) -> list[str]:
    """Warnings for tags of different names (not only different case) whose slugs
    are equal, `C` and `C++` say: they share one tag page, which shows one name."""
    names: dict[tuple[str, str], dict[str, str]] = {}
    for article in newest:
        for tag in article.tags:
            names.setdefault((article.page.lang, tag.slug), {}).setdefault(tag.name.casefold(),
                                                                            tag.name)
    return [f"tags {' and '.join(repr(n) for n in sorted(found.values()))} share the tag page "
            f"{tag_route(lang, slug)} (their slugs are the same); rename one to keep them apart"
            for (lang, slug), found in sorted(names.items()) if len(found) > 1]


# ---------------------------------------------------------------------------
# Templates and UI translations
# ---------------------------------------------------------------------------

def template_files(config: SiteConfig) -> tuple[tuple[str, Path], ...]:
    """Every template by name, as the build sees it: the project's `templates/`
    first, the built-in template of the same name for any it lacks."""
    found: dict[str, Path] = {}
    for base in (BUILTIN_TEMPLATES, config.templates_dir):
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(base)
            if path.is_file() and not any(p.startswith(".") for p in relative.parts):
                found[relative.as_posix()] = path
    return tuple(sorted(found.items()))


def ui_catalog(config: SiteConfig, lang: str) -> polib.POFile | None:
    """The UI catalog of a language (`locales/<lang>/LC_MESSAGES/_ui.po`), or
    None when it has none."""
    path = config.locale_dir(lang) / UI_CATALOG
    return read_catalog(path) if path.is_file() else None


def ui_translations(catalog: polib.POFile | None) -> gettext.NullTranslations:
    """A UI catalog (`ui_catalog`) compiled in memory; fuzzy and empty entries
    are left out, as msgfmt does, and so are translations of only whitespace
    (`merge.is_translated`), which `check` reports as missing: the template
    shows the source text instead."""
    if catalog is None:
        return gettext.NullTranslations()
    compiled = polib.POFile(encoding=catalog.encoding)
    compiled.metadata = catalog.metadata
    compiled.extend(entry for entry in catalog if is_translated(entry))
    return gettext.GNUTranslations(io.BytesIO(compiled.to_binary()))


@dataclass(frozen=True, slots=True)
class UIEntry:
    """A finished UI translation, for a message when the build cannot fill it in."""

    path: str
    """The catalog, as messages show it."""
    line: int
    source: str
    """Its msgid (and msgid_plural): the placeholders the templates fill in."""
    texts: tuple[str, ...]
    """Its translation, or each plural form."""


UIEntries = Mapping[tuple[str | None, str], UIEntry]


def ui_entries(catalog: polib.POFile | None, path: str) -> UIEntries:
    """The finished translations of a UI catalog (`ui_catalog`, read from
    `path` as messages show it) by (msgctxt, msgid): the ones the pages show."""
    return MappingProxyType({
        (entry.msgctxt, entry.msgid): UIEntry(
            path, entry.linenum, f"{entry.msgid} {entry.msgid_plural}".rstrip(),
            tuple(entry.msgstr_plural.values()) if entry.msgid_plural else (entry.msgstr,))
        for entry in catalog or () if not entry.obsolete and is_translated(entry)})


def _blaming_translations(fill: Callable[..., str], key: Callable[[tuple], tuple],
                          entries: UIEntries) -> Callable[..., str]:
    """Jinja2's newstyle gettext callable `fill`, which applies `%` to the
    translation, made to name the UI catalog's file and line when a
    translation breaks that (`100 % de` holds the directive `% d`): else the
    build fails with a bare TypeError. A failure the translation's
    placeholders do not explain is the template's and passes through."""

    @jinja2.pass_context
    def call(context: jinja2.runtime.Context, *args: object, **variables: object) -> str:
        try:
            return fill(context, *args, **variables)
        except (TypeError, ValueError, KeyError) as exc:
            entry = entries.get(key(args))
            problem = next((found for text in entry.texts if (found := compare_formats(
                "python", entry.source, text, False)) is not None), None) if entry else None
            if problem is None:
                raise
            raise BilingualError(
                f"the translation of {key(args)[1]!r} cannot be filled in "
                f"({type(exc).__name__}: {exc}): {problem}; write %% for a percent sign",
                entry.path, entry.line) from None

    return call


_GETTEXT_KEYS: dict[str, Callable[[tuple], tuple]] = {
    "gettext": lambda args: (None, args[0]), "ngettext": lambda args: (None, args[0]),
    "pgettext": lambda args: (args[0], args[1]), "npgettext": lambda args: (args[0], args[1])}
"""(msgctxt, msgid) of a lookup from the arguments of each gettext callable."""


def _ui_unfit(catalog: polib.POFile | None) -> tuple[int, str] | None:
    """`_first_unfit` of the translations a UI catalog gives the pages."""
    return _first_unfit((entry.linenum, text) for entry in catalog or ()
                        if not entry.obsolete and "fuzzy" not in entry.flags
                        for text in (entry.msgstr, *entry.msgstr_plural.values()))


class _CompiledTemplates(jinja2.BytecodeCache):
    """Jinja2's compiled templates, kept in the result cache (whose keys hold
    bilingual's and Jinja2's versions): each build makes its environments
    anew, and every process that renders compiled the templates again, some
    0.1 s, in a build after a one-article edit too. Jinja2 checks that a
    kept template was compiled from the same source."""

    def __init__(self, cache: ResultCache):
        self.cache = cache

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.cache.peek("template", bucket.key.encode(), keep=False)
        if isinstance(code, bytes):
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put("template", bucket.key.encode(), bucket.bytecode_to_string(), keep=False)
        self.cache.flush()  # a worker process that renders pages flushes nothing else


def template_environment(config: SiteConfig, lang: str,
                         translations: gettext.NullTranslations,
                         entries: UIEntries = MappingProxyType({})) -> jinja2.Environment:
    """The Jinja2 environment of one language: autoescape, the i18n extension with
    this language's UI translations (`entries`: their lines, for messages), and
    Babel date formatting in its locale."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(config.templates_dir),
                                    jinja2.FileSystemLoader(BUILTIN_TEMPLATES)]),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build makes its environments anew and its templates do not change
        # while it renders: checking each template's file on every page and
        # listing entry cost a third of an entry's time.
        auto_reload=False,
        bytecode_cache=_CompiledTemplates(project_cache(config.root)),
    )
    # The extractor in `update` trims whitespace in {% trans %}; so must lookups.
    env.policies["ext.i18n.trimmed"] = True
    # Jinja2 treats translations as markup; a catalog is untrusted text, so it is
    # escaped before Jinja2 sees it (the built-in msgids contain no markup).
    t = translations
    env.install_gettext_callables(
        gettext=lambda s: escape(t.gettext(s)),
        ngettext=lambda s, p, n: escape(t.ngettext(s, p, n)),
        pgettext=lambda c, s: escape(t.pgettext(c, s)),
        npgettext=lambda c, s, p, n: escape(t.npgettext(c, s, p, n)),
        newstyle=True,
    )
    for name, key in _GETTEXT_KEYS.items():
        env.globals[name] = _blaming_translations(env.globals[name], key, entries)
    locale = config.babel_locale(lang)

    @functools.cache
    def long_date(day: dt.date) -> str:
        # Babel takes some ten microseconds per date; a listing shows
        # thousands of entries, most sharing their date with others.
        return format_date(day, "long", locale=locale)

    env.filters["long_date"] = long_date
    return env


_Made = TypeVar("_Made")


def _render(env: jinja2.Environment, name: str, context: Mapping[str, object],
            what: str) -> str:
    return _rendering(lambda: env.get_template(name).render(context), name, what)


def _rendering(make: Callable[[], _Made], name: str, what: str) -> _Made:
    """`make()`, which renders template `name` for `what`, its template
    errors as a `BilingualError` naming both."""
    try:
        return make()
    except jinja2.TemplateSyntaxError as exc:
        raise BilingualError(f"template error: {exc.message}", exc.filename or name,
                             exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise BilingualError(f"template {exc.name} not found (needed for {what})") from None
    except (jinja2.TemplateError, KeyError, ValueError, TypeError) as exc:
        # A translation with a wrong placeholder ends up here too.
        raise BilingualError(f"cannot render {what} with template {name}: "
                             f"{type(exc).__name__}: {exc} (check the template and "
                             f"{UI_CATALOG})") from None


# ---------------------------------------------------------------------------
# Template data
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PageView:
    """The `page` every template gets: head metadata."""

    kind: str
    title: str
    description: str
    canonical: str | None
    alternates: tuple[Alternate, ...]
    og_type: str
    og_locale: str
    og_locale_alternates: tuple[str, ...]
    og_image: str | None
    noindex: bool


@dataclass(frozen=True, slots=True)
class LanguageLink:
    """One entry of the language switcher."""

    lang: str
    """Its BCP 47 tag (`pt-BR`), for `lang` and `hreflang`."""
    name: str
    href: str
    current: bool
    counterpart: bool
    """True: the same page in that language; False: that language's home page."""


@dataclass(frozen=True, slots=True)
class TagView:
    name: str
    lang: str
    href: str


@dataclass(frozen=True, slots=True)
class EntryView:
    """An article in a listing. Its fields are made when a template reads
    them: the built-in listings join the kept `html` of thousands of entries
    and read no other field."""

    html: Markup
    """The entry as the `entry` macro of macros.html renders it (entry.html)."""
    renderer: Renderer
    page: Page
    """The listing page it is on: links are relative to it."""
    article: Article
    known_tags: dict[tuple[str, Tag], TagView]
    """The tag views made for this listing (`Renderer.tag_views`)."""

    @property
    def title(self) -> str:
        return self.article.title

    @property
    def title_lang(self) -> str:
        return language_tag(self.article.title_lang)

    @property
    def href(self) -> str:
        return self.renderer.href(self.page, self.article.page.route)

    @property
    def date(self) -> dt.date | None:
        return self.article.date

    @property
    def description(self) -> str:
        return self.article.description

    @property
    def description_lang(self) -> str:
        return language_tag(self.article.description_lang)

    @property
    def tags(self) -> tuple[TagView, ...]:
        return self.renderer.tag_views(self.page, self.article, self.known_tags)

    @property
    def draft(self) -> bool:
        return self.article.page.draft


@dataclass(frozen=True, slots=True)
class ArticleView:
    title: str
    title_lang: str
    description: str
    description_lang: str
    date: dt.date | None
    updated: dt.date | None
    author: str
    tags: tuple[TagView, ...]
    minutes: int
    body: Markup
    draft: bool
    untranslated: int


@dataclass(frozen=True, slots=True)
class LanguageOption:
    lang: str
    html: Markup


class Renderer:
    """Renders the pages of a planned site (phase two). Holds the plan, one
    template environment per language and the warnings links produce.

    Pages, routes and environments go by the configured language code
    (`pt_BR`); every language the templates get (`lang`, the views' `*lang`
    fields) is its BCP 47 tag (`pt-BR`), as `lang` and `hreflang` attributes
    want it, so the templates' comparisons (`value != lang`) compare tags."""

    def __init__(self, config: SiteConfig, plan: SitePlan,
                 envs: Mapping[str, jinja2.Environment], texts: Mapping[str, ArticleText],
                 identity: bytes, site_texts: Mapping[str, SiteText]):
        self.config = config
        self.plan = plan
        self.envs = envs
        self.site_texts = site_texts
        """Each language's site title and description (`sitetext.site_text`)."""
        self.texts = texts
        """Bodies gathered by this run; others are read through `article_text`."""
        self.identity = identity
        """`_site_identity`: with it, a listing entry's fields determine its HTML."""
        self.warnings: dict[tuple[str, str], str] = {}
        self.resolved: list[tuple[str, str, str | None]] = []
        """Every link target resolved against the plan, with its href and
        warning, in order: all but the `site.off_site` ones."""
        self.raised: list[tuple[str, str]] = []
        """Keys of the warnings of the page being rendered, in order."""

    # Links and metadata ------------------------------------------------------

    def href(self, page: Page, route: str) -> str:
        return link_url(self.plan, page.route, route, rooted=page.kind == "404")

    def language_name(self, lang: str) -> str:
        """The language's name in itself, capitalised for a menu (`Español`); the
        locale's territory is left out (`Deutsch`, not `Deutsch (Deutschland)`)."""
        name = dict(self.config.language_names).get(lang)
        if not name:
            locale = Locale.parse(self.config.babel_locale(lang))
            name = locale.get_language_name(lang) or self.config.language_name(lang)
        return name[:1].upper() + name[1:]

    def switcher(self, page: Page) -> tuple[LanguageLink, ...]:
        links = []
        for lang in self.config.languages:
            other = page if lang == page.lang else self.plan.counterpart(page, lang)
            route = other.route if other is not None else home_route(lang)
            links.append(LanguageLink(language_tag(lang), self.language_name(lang),
                                      self.href(page, route), lang == page.lang,
                                      other is not None))
        return tuple(links)

    def page_view(self, page: Page, title: str, description: str, og_type: str = "website",
                  image: str | None = None) -> PageView:
        alternates = self.plan.alternates(page)
        indexed = page.kind != "404" and not page.draft
        # The alternates carry tags; og_locale reads the codes of the same versions.
        others = tuple(og_locale(self.config.babel_locale(p.lang))
                       for p in (self.plan.published(page.group) if alternates else ())
                       if p.lang != page.lang)
        return PageView(
            kind=page.kind, title=title, description=description,
            canonical=self.plan.absolute(page.route) if page.kind != "404" else None,
            alternates=alternates, og_type=og_type,
            og_locale=og_locale(self.config.babel_locale(page.lang)),
            og_locale_alternates=others,
            og_image=image_url(self.plan, image) if image else None, noindex=not indexed)

    def common(self, page: Page, view: PageView, switcher: bool = True) -> dict[str, object]:
        lang = page.lang
        site = self.site_texts[lang]
        return {
            "lang": language_tag(lang),
            "language_name": self.language_name(lang),
            "source_language": language_tag(self.config.source_language),
            "site_title": site.title,
            "site_title_lang": language_tag(site.title_lang),
            "site_description": site.description,
            "site_description_lang": language_tag(site.description_lang),
            "page": view,
            "switcher": self.switcher(page) if switcher else (),
            "home_url": self.href(page, home_route(lang) if page.kind != "root" else ""),
            "feed_url": self.href(page, feed_route(lang)) if page.kind != "root" else None,
            "style_url": self.href(page, STYLESHEET),
        }

    def tag_views(self, page: Page, article: Article,
                  known: dict[tuple[str, Tag], TagView] | None = None) -> tuple[TagView, ...]:
        """The article's tags as shown on `page`; `known` keeps the views made
        for this page, as a listing shows the same tags thousands of times."""
        known = {} if known is None else known
        views = []
        for tag in article.tags:
            view = known.get((article.page.lang, tag))
            if view is None:
                route = tag_route(article.page.lang, tag.slug)
                view = known[(article.page.lang, tag)] = TagView(
                    tag.name, language_tag(tag.lang), self.href(page, route))
            views.append(view)
        return tuple(views)

    def entries(self, page: Page, articles: Iterable[Article]) -> tuple[EntryView, ...]:
        """The listing entries of `page`. The HTML of each entry is kept with
        the page (in the result cache, under `entries_key`): re-rendering the
        home page after one article changed renders that article's entry, not
        the thousands beside it. An entry is known by its article's `listed`,
        of which (with the site identity and the listing page) its fields are
        a function."""
        tags: dict[tuple[str, Tag], TagView] = {}
        cache = project_cache(self.config.root)
        key = entries_key(self.identity, page)
        before = cache.peek("entries", key, keep=False)
        before = before if isinstance(before, dict) else {}
        after: dict[bytes, str] = {}
        views = []
        render_entry = None
        for article in articles:
            known = article.listed
            html = before.get(known)
            if html is None:
                render_entry = render_entry or self._entry_renderer(page)
                html = render_entry(EntryView(Markup(""), self, page, article, tags))
            after[known] = html
            views.append(EntryView(Markup(html), self, page, article, tags))
        if _entries_outdated(before, after):
            cache.put("entries", key, after, keep=False)
        return tuple(views)

    def _entry_renderer(self, page: Page) -> Callable[[EntryView], str]:
        """Renders an entry of listing `page` as its entry.html does. The
        built-in entry.html only calls the `entry` macro of macros.html, which
        is then called directly, from a module made once per listing: 23
        against 109 µs an entry, and a cold build renders one per article and
        listing it is on. A project's own entry.html is rendered for each."""
        env = self.envs[page.lang]
        lang = language_tag(page.lang)
        template = _rendering(lambda: env.get_template(ENTRY_TEMPLATE), ENTRY_TEMPLATE,
                              page.source)
        if template.filename is None or Path(template.filename) != BUILTIN_ENTRY:
            return lambda item: _render(env, ENTRY_TEMPLATE, {"lang": lang, "item": item},
                                        page.source)
        macros = _rendering(lambda: env.get_template("macros.html").make_module({"lang": lang}),
                            ENTRY_TEMPLATE, page.source)
        return lambda item: _rendering(lambda: str(macros.entry(item)), ENTRY_TEMPLATE,
                                       page.source)

    def _warn(self, article: Article, target: str, message: str) -> None:
        # The same broken link shows on every language version; report it once,
        # naming the source file (where it is fixed for all of them).
        key = (article.page.group or article.page.route, target)
        if key not in self.warnings:
            source = article_source(self.config, article)
            self.warnings[key] = f"{display_path(self.config, source)}: {message}"
        # Raised by each page that has it, though one process reports it once:
        # a relative link resolves against each version's own URL, so a later
        # build may take from the cache a version that still has it after the
        # one that reported it first no longer does.
        if key not in self.raised:
            self.raised.append(key)

    def body(self, article: Article) -> Markup:
        origin = LinkOrigin(article.page, article.ref)

        def resolve(target: str) -> str:
            if off_site(self.plan, target):
                # Not recorded: its href stays the same whatever pages the site has.
                return target
            href, warning = resolve_link(self.plan, origin, target)
            self.resolved.append((target, href, warning))
            if warning is not None:
                self._warn(article, target, warning)
            return href

        text = self.texts.get(article.page.output) or article_text(self.config, article)
        translate = None
        marked = None
        if text.translations is not None:
            translations = text.translations

            def translate(msgid: str, context: str | None) -> str | None:
                return translations.get((context, msgid))

            marked = language_tag(self.config.source_language) if article.untranslated else None
        return Markup(render_body(text.markdown, resolve, text.translated_markdown,
                                  translate, marked))

    # Pages -------------------------------------------------------------------

    def article(self, article: Article) -> str:
        page = article.page
        view = self.page_view(page, article.title, article.description, "article",
                              article.image)
        context = self.common(page, view)
        context["article"] = ArticleView(
            article.title, language_tag(article.title_lang), article.description,
            language_tag(article.description_lang),
            article.date, article.updated, article.author, self.tag_views(page, article),
            _minutes(article.words), self.body(article), page.draft, article.untranslated)
        return _render(self.envs[page.lang], "article.html", context,
                       f"{page.source} [{page.lang}]")

    def home(self, page: Page, newest: Iterable[Article]) -> str:
        view = self.page_view(page, "", self.site_texts[page.lang].description)
        context = self.common(page, view)
        context["entries"] = self.entries(page, newest)
        return _render(self.envs[page.lang], "listing.html", context, page.source)

    def tag(self, tag_page: TagPage) -> str:
        page = tag_page.page
        view = self.page_view(page, tag_page.name, "")
        context = self.common(page, view)
        context["tag"] = TagView(tag_page.name, language_tag(tag_page.name_lang),
                                 self.href(page, page.route))
        context["entries"] = self.entries(page, tag_page.articles)
        return _render(self.envs[page.lang], "tag.html", context, page.source)

    def not_found(self, page: Page) -> str:
        view = self.page_view(page, "", "")
        return _render(self.envs[page.lang], "404.html", self.common(page, view), page.source)

    def chooser(self, page: Page) -> str:
        view = self.page_view(page, "", self.site_texts[page.lang].description)
        context = self.common(page, view, switcher=False)
        options = []
        for lang in self.config.languages:
            html = _render(self.envs[lang], "language-option.html", {
                "lang": language_tag(lang), "name": self.language_name(lang),
                "href": self.href(page, home_route(lang))}, "the language chooser")
            options.append(LanguageOption(language_tag(lang), Markup(html.strip())))
        context["options"] = tuple(options)
        return _render(self.envs[page.lang], "choose.html", context, page.source)


# ---------------------------------------------------------------------------
# Static files and writing
# ---------------------------------------------------------------------------

def static_files(config: SiteConfig) -> tuple[tuple[str, Path, str], ...]:
    """(output path, file, source label) of every static file: the project's
    `static/` copied as it is, plus the built-in stylesheet unless it has one."""
    found: dict[str, tuple[Path, str]] = {}
    root = config.static_dir
    if root.is_dir():
        resolved = root.resolve()
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if any(p.startswith(".") for p in relative.parts) or not path.is_file():
                continue
            if not path.resolve().is_relative_to(resolved):
                raise BilingualError("symbolic link leads outside the static folder; refused",
                                     path)
            found[relative.as_posix()] = (path, display_path(config, path))
    if STYLESHEET not in found:
        found[STYLESHEET] = (BUILTIN_STATIC / STYLESHEET, "the built-in stylesheet")
    return tuple((name, path, label) for name, (path, label) in sorted(found.items()))


def home_pages(config: SiteConfig) -> dict[str, Page]:
    """Each language's home page (its article listing), by language."""
    return {lang: Page("home", lang, home_route(lang), f"the {lang} home page", "home")
            for lang in config.languages}


def chooser_page(config: SiteConfig) -> Page:
    """The language chooser at the site's root."""
    return Page("root", config.source_language, "", "the language chooser", "home")


def not_found_pages(config: SiteConfig) -> list[Page]:
    """Each language's 404 page, plus `/404.html`, where static hosts look for
    it (it shows the source language)."""
    pages = [Page("404", lang, f"{lang}/404.html", f"the {lang} 404 page")
             for lang in config.languages]
    pages.append(Page("404", config.source_language, "404.html", "the 404 page"))
    return pages


def generated_files(config: SiteConfig, statics: Sequence[tuple[str, Path, str]],
                    ) -> list[tuple[str, str]]:
    """(output path, label) of the files the build writes besides pages and
    `statics` (`static_files`): feeds, sitemap, robots.txt, status page,
    manifest. A project's static/robots.txt replaces the generated one, as
    its static/style.css replaces the built-in stylesheet: a site may want
    other rules."""
    generated = [(feed_route(lang), f"the {lang} Atom feed") for lang in config.languages]
    robots = [] if _own_robots(statics) else [(ROBOTS, "robots.txt")]
    return generated + [("sitemap.xml", "the sitemap"), *robots,
                        (STATUS_PAGE, "the translation status page"),
                        (MANIFEST, "the build manifest")]


def _own_robots(statics: Sequence[tuple[str, Path, str]]) -> bool:
    return any(name == ROBOTS for name, _, _ in statics)


def fixed_outputs(config: SiteConfig, statics: Iterable[tuple[str, Path, str]],
                  ) -> list[tuple[str, str]]:
    """(output path, source) of every file of the site that no article places:
    home, chooser and 404 pages, `statics` (`static_files`) and the generated
    files. Tag pages are not among them: the articles' tags make them."""
    pages = [*home_pages(config).values(), chooser_page(config), *not_found_pages(config)]
    return ([(page.output, page.source) for page in pages]
            + [(name, label) for name, _, label in statics]
            + generated_files(config, statics))


def check_output_folder(config: SiteConfig, output: Path) -> None:
    """Refuse, before anything is read, an output folder that is, contains or
    lies inside project sources, is a file, or holds files no build wrote
    (`publish.check_output_files`). A ConfigError, exit 2: a bad `--output`
    is a usage error, whether the folder or the file case finds it."""
    out = output.resolve()
    root = config.root.resolve()
    shown = display_path(config, output)
    if out == root or root.is_relative_to(out):
        raise ConfigError("the output folder would hold the project itself; choose a "
                          "folder such as site/", shown)
    protected = [root / "content", root / "locales", config.templates_dir, config.static_dir]
    protected += [config.content_dir(lang) for lang in config.languages]
    for folder in protected:
        if out.is_relative_to(folder.resolve()):
            raise ConfigError(f"the output folder lies inside {display_path(config, folder)}; "
                              "choose a folder such as site/", shown)
    check_output_files(output, shown)


# ---------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------

def build_site(config: SiteConfig, drafts: bool = False, output: Path | None = None,
               progress: ProgressLike | None = None) -> BuildSummary:
    """Build the whole site into `output` (default `site/`); raises BilingualError
    listing every problem before anything is written. `progress` hears of each
    page rendered."""
    output = output if output is not None else config.output_dir
    inputs = input_state(config)
    # A remembered build passed check_output_folder for the same folder.
    unchanged = unchanged_site(config, output, drafts, inputs)
    if unchanged is not None:
        return unchanged
    return rebuild_site(config, drafts, output, progress, inputs)


def rebuild_site(config: SiteConfig, drafts: bool, output: Path, progress: ProgressLike | None,
                 inputs: TreeState) -> BuildSummary:
    """`build_site` once `publish.unchanged_site` found something changed: render
    (knowing the files as `inputs` found them), swap the site in, remember
    `inputs` (`publish.input_state`, taken before anything was read) for the
    next build."""
    check_output_folder(config, output)
    cache = project_cache(config.root)
    # The staging site is made a copy of the current one on another core
    # while this one renders; `write_site` then replaces what differs.
    record = recorded_site(config, output)
    staged = beside(lambda: prepare_staging(output, record, recorded_staging(config, output)))
    try:
        files = render_site(config, drafts, output, progress, inputs)
    except BaseException:
        staged.abandon()
        raise
    finally:
        cache.flush()  # what was computed helps the next run even when this one fails
    prepared = staged.result()
    written, removed = write_site(output, files.files, prepared.vouched if prepared else {},
                                  prepared, lambda receipt: remember_staging(config, output,
                                                                             receipt))
    summary = BuildSummary(output, files.pages, tuple(sorted(files.files)), written, removed,
                           files.held_back, files.warnings, files.articles)
    remember_site(config, output, drafts, inputs, summary, files.files)
    cache.prune("page")  # writes what is pending, too
    cache.prune("page-html")
    cache.prune("entries")
    return summary


@dataclass(frozen=True, slots=True)
class RenderedSite:
    """Every file of the site in memory (phase two's result, before writing)."""

    files: PackedFiles
    """Not to be changed: kept packed, as `write_site` and `record_site` read it."""
    pages: tuple[str, ...]
    held_back: tuple[HeldBack, ...]
    warnings: tuple[str, ...]
    articles: int
    """Markdown articles read, of every language."""


def render_site(config: SiteConfig, drafts: bool = False, output: Path | None = None,
                progress: ProgressLike | None = None,
                inputs: TreeState | None = None) -> RenderedSite:
    """Gather, plan and render the site without writing anything; `inputs`,
    the `publish.input_state` taken before, spares a `stat` of each file."""
    output = output if output is not None else config.output_dir
    folder = display_path(config, output)
    gathered = gather(config, drafts, inputs)
    # The records live until the build ends: the collector's generation-two
    # passes walked them some 0.2 s per build of 10,000 articles.
    freeze_heap()
    errors = list(gathered.errors)
    src = config.source_language
    articles = gathered.articles

    pages: list[Page] = [a.page for a in articles]
    homes = home_pages(config)
    root = chooser_page(config)
    not_found = not_found_pages(config)
    # One order for every listing: sorting twenty thousand records is not free.
    newest = _newest_first(articles)
    tags = tag_pages(config, newest)
    pages += [t.page for t in tags]

    try:
        statics = static_files(config)
    except BilingualError as exc:
        errors.append(exc.format_message())
        statics = ()
    generated = generated_files(config, statics)
    outputs = [(p.output, p.source) for p in pages] + fixed_outputs(config, statics)
    pages += [*homes.values(), root, *not_found]
    # The last part of an article's route is its slug.
    slugs = {a.page.source: (a.slug_at, PurePosixPath(a.page.route).name)
             for a in articles if a.slug_at is not None}
    errors += find_collisions(outputs, folder, slugs)
    if errors:
        count = len(errors)
        raise BilingualError(f"{count} problem(s), nothing was written:\n" + "\n".join(errors))

    articles_by_key = {(a.ref.content_lang, a.ref.key): a.page.group
                       for a in articles if a.page.group is not None
                       and a.ref.content_lang == a.page.lang}
    plan = plan_site(config.base_url, config.languages, pages, articles_by_key,
                     gathered.unbuilt, [name for name, _ in generated] +
                     [name for name, _, _ in statics], {"home": ""})

    ui = {lang: ui_catalog(config, lang) for lang in config.languages}
    envs = {lang: template_environment(config, lang, ui_translations(ui[lang]), ui_entries(
        ui[lang], display_path(config, config.locale_dir(lang) / UI_CATALOG)))
        for lang in config.languages}
    warnings = []
    for lang in config.target_languages:
        where = display_path(config, config.locale_dir(lang) / UI_CATALOG)
        warnings += _unfit_warning(where, _ui_unfit(ui[lang])) if ui[lang] is not None else [
            f"{where}: missing; the {lang} pages show the template texts untranslated"]
    warnings += shared_tag_pages(newest)
    # The UI catalogs are part of the site identity, so a changed translation
    # of the site's title or description is not hidden by pages in the cache.
    site_identity = _site_identity(config, plan, drafts)
    site_texts = {lang: site_text(config, lang, ui[lang]) for lang in config.languages}
    renderer = Renderer(config, plan, envs, gathered.texts, site_identity, site_texts)

    published = [a for a in newest if not a.page.draft]

    def summaries() -> dict[str, bytes]:
        """The files that list the whole site, apart from its pages."""
        files = {feed_route(lang): atom_feed(_feed(plan, lang, site_texts[lang], published))
                 for lang in config.languages}
        files["sitemap.xml"] = sitemap_xml(plan, _lastmod(published, tags))
        files[STATUS_PAGE] = status_page(config, envs[src], [a.page for a in articles],
                                         gathered.statuses)
        return files

    # Linear in the site even when one article changed: made on another core
    # while the pages are rendered.
    summarised = beside(summaries)
    rendered = PackedFiles()
    order = {lang: index for index, lang in enumerate(config.languages)}
    # An article's language versions one after the other: a translated page
    # takes what it needs of the German's (`render.source_section_ids`) from
    # the page just rendered, in the same worker.
    listed = sorted(articles, key=lambda a: (a.page.group or a.page.route, order[a.page.lang],
                                             a.page.route))
    listings = [HomePage(page, tuple(a for a in newest if a.page.lang == lang))
                for lang, page in homes.items()]
    try:
        packed_pages = _render_pages(renderer, [*listed, *tags, *listings],
                                     progress or NullProgress(), project_cache(config.root),
                                     site_identity)
    except BaseException:
        summarised.abandon()
        raise
    for name, (packed, digest) in packed_pages.items():
        if isinstance(packed, bytes):
            rendered.set_packed(name, packed, digest)
        else:
            rendered.set_stored(name, digest, packed)
    for page in not_found:
        rendered[page.output] = html_bytes(renderer.not_found(page))
    rendered[root.output] = html_bytes(renderer.chooser(root))
    page_outputs = tuple(sorted(rendered))

    for name, data in summarised.result().items():
        rendered[name] = data
    if not _own_robots(statics):
        rendered[ROBOTS] = robots_txt(config.base_url)
    for name, path, _ in statics:
        rendered[name] = path.read_bytes()
    rendered[MANIFEST] = "".join(f"{name}\n" for name in sorted(rendered)).encode()

    warnings += sorted([*renderer.warnings.values(), *_image_warnings(plan, articles)])
    return RenderedSite(rendered, page_outputs,
                        tuple(sorted(gathered.held_back, key=lambda h: (h.source, h.lang))),
                        tuple(gathered.warnings) + tuple(warnings),
                        gathered.read)


def _site_identity(config: SiteConfig, plan: SitePlan, drafts: bool) -> bytes:
    """What every page depends on besides its own article, tag or group, and
    the links it resolves: configuration, templates and UI catalogs."""
    digest = hashlib.sha256(pickle.dumps((config, plan.base_url, plan.languages, drafts),
                                         pickle.HIGHEST_PROTOCOL))
    for name, path in template_files(config):
        digest.update(name.encode() + b"\0" + path.read_bytes())
    for lang in config.target_languages:
        ui = config.locale_dir(lang) / UI_CATALOG
        digest.update(lang.encode() + b"\0" + (ui.read_bytes() if ui.is_file() else b""))
    return digest.digest()


def _entries_outdated(kept: Mapping[bytes, str], shown: Mapping[bytes, str]) -> bool:
    """Whether a listing's kept entries (`Renderer.entries`) must be written
    again after it showed `shown`: when one is new, or when more than a tenth
    of those kept are no longer shown. An entry is a function of its key, so
    kept entries that are not shown harm nothing, and an article held back
    or withdrawn, which leaves thousands of entries as they were, does not
    write them all again (some 10 MB for a home page of 10,000 articles)."""
    if not shown.keys() <= kept.keys():
        return True
    return len(kept) - len(shown) > len(kept) // 10


def entries_key(identity: bytes, page: Page) -> bytes:
    """Where the rendered entries of a listing page are kept (`Renderer.entries`)."""
    return identity + page.output.encode()


def _page_fields(page: Page) -> tuple:
    return (page.kind, page.lang, page.route, page.source, page.group, page.draft)


def _page_keys(plan: SitePlan, items: Sequence[Article | TagPage | HomePage],
               site_identity: bytes) -> list[bytes]:
    """The cache key of each page: a digest of the site identity and of the
    page's own inputs (`_page_identity`). The versions of a group are written
    once for all of its pages."""
    versions: dict[str | None, bytes] = {}
    keys = []
    for item in items:
        group = item.page.group
        written = versions.get(group)
        if written is None:
            written = versions[group] = _group_versions(plan, group)
        keys.append(hashlib.sha256(site_identity + _page_identity(item, written)).digest())
    return keys


def _group_versions(plan: SitePlan, group: str | None) -> bytes:
    """What a page shows of its group's pages (switcher, hreflang)."""
    if group is None:
        return b"None"
    return repr((tuple(_page_fields(p) for p in plan.groups.get(group, ())),
                 plan.x_default.get(group))).encode()


def _page_identity(item: Article | TagPage | HomePage, versions: bytes) -> bytes:
    """A page's own inputs: its article or listed articles, and the pages of its
    group (`versions`, from `_group_versions`). Links in the body are checked
    apart. An article page counts by its article's `inputs`, of which (with
    the site identity) it is a function, a listing by its articles' `listed`.
    Plain tuples, written with `repr` (each one delimits itself, so they are
    joined as they are): a pickle would also record which equal strings are
    one object, which differs between a record read from the cache and one
    just made."""
    if isinstance(item, Article):
        return repr((item.inputs, item.page.output)).encode() + versions
    # Digests of one length, joined: quicker than `repr` of thousands of them.
    listed = hashlib.sha256(b"".join(a.listed for a in item.articles)).digest()
    name = (item.name, item.name_lang) if isinstance(item, TagPage) else None
    return repr((_page_fields(item.page), name, listed)).encode() + versions


def _listed_count(item: Article | TagPage | HomePage) -> int:
    """How many articles a page lists: none for an article's own page."""
    return 0 if isinstance(item, Article) else len(item.articles)


def _links_unchanged(plan: SitePlan, item: Article | TagPage | HomePage,
                     resolved: tuple[tuple[str, str, str | None], ...]) -> bool:
    """True when every link target a cached page resolved still resolves the same."""
    if not isinstance(item, Article):
        return not resolved
    origin = LinkOrigin(item.page, item.ref)
    return all(resolve_link(plan, origin, target) == (href, warning)
               for target, href, warning in resolved)


def _render_pages(renderer: Renderer, pages: list[Article | TagPage | HomePage],
                  progress: ProgressLike, cache: ResultCache,
                  site_identity: bytes) -> dict[str, tuple[bytes | Callable[[], bytes], bytes]]:
    """Article and tag pages by output path: each `publish.pack`ed (or, for
    a page taken from the cache, a function that gives it) with its
    `publish.packed_digest`. A page whose inputs are unchanged since an
    earlier build is taken from the cache: what it raised and resolved and
    its digest (hashing thousands of pages again on every build costs a tenth
    of a second), its HTML (kept apart, under "page-html") read only if the
    page is written. The others are rendered on every core. Warnings are
    merged in page order, as one process would."""
    # Warnings raised, links resolved (target, href, warning), `site.link_state`,
    # the packed HTML's digest.
    Checked = tuple[dict[tuple[str, str], str], tuple[tuple[str, str, str | None], ...],
                    bytes, bytes]
    links = link_state(renderer.plan)

    def render(item: Article | TagPage | HomePage) -> tuple[bytes, Checked]:
        """The page `publish.pack`ed, and what is checked before it is reused."""
        renderer.raised.clear()
        renderer.resolved.clear()
        if isinstance(item, Article):
            html = renderer.article(item)
        elif isinstance(item, TagPage):
            html = renderer.tag(item)
        else:
            html = renderer.home(item.page, item.articles)
        if not isinstance(item, Article):
            cache.flush()  # the entries kept with the page, from a worker process too
        cache.release()  # what the body was rendered from: read again if ever needed
        raised = {key: renderer.warnings[key] for key in renderer.raised}
        # Whatever a page shows (articles, catalogs, the UI catalog, the
        # configuration, templates) is cleaned here at once: one check of the
        # page costs less than one of each text that goes into it.
        packed = pack(html_bytes(html))
        return packed, (raised, tuple(renderer.resolved), links, packed_digest(packed))

    def stored(item: Article | TagPage | HomePage, key: bytes,
               digest: bytes) -> Callable[[], bytes]:
        def load() -> bytes:
            packed = cache.peek("page-html", key, keep=False)
            if isinstance(packed, bytes) and packed_digest(packed) == digest:
                return packed
            # Pruned by another run since, or damaged: the page renders the same.
            return render(item)[0]
        return load

    keys = _page_keys(renderer.plan, pages, site_identity)
    results: list[Checked | None] = []
    for item, key, cached in zip(pages, keys, cache.peek_many("page", keys, keep=False),
                                 strict=True):
        # Links resolve as they did when the page was rendered when every route,
        # group and file is the same; else each is resolved again to be sure.
        fresh = isinstance(cached, tuple) and len(cached) == 4 and (
            cached[2] == links or _links_unchanged(renderer.plan, item, cached[1]))
        results.append(cached if fresh else None)  # type: ignore[arg-type]
        if fresh:
            cache.touch("page-html", key)
    for item in pages:
        if not isinstance(item, Article):
            cache.touch("entries", entries_key(site_identity, item.page))
    missing = [index for index, result in enumerate(results) if result is None]
    # Listings first, longest first: they cost in proportion to the articles
    # they list, and the worker handed them last would go on alone long after
    # the other ran out of pages (a cold build's last chunk took three times
    # as long as the others). Articles keep their order among themselves.
    missing.sort(key=lambda index: -_listed_count(pages[index]))
    html: dict[int, bytes] = {}
    progress.start(len(missing), "Rendering")
    for index, (packed, checked) in zip(missing, map_chunks(render, [pages[i] for i in missing],
                                                           progress.advance), strict=True):
        results[index], html[index] = checked, packed
        cache.put("page", keys[index], checked, keep=False)
        cache.put("page-html", keys[index], packed, keep=False)
    progress.finish()
    rendered: dict[str, tuple[bytes | Callable[[], bytes], bytes]] = {}
    for index, (item, result) in enumerate(zip(pages, results, strict=True)):
        assert result is not None
        raised, _, _, digest = result
        rendered[item.page.output] = (html[index] if index in html
                                      else stored(item, keys[index], digest), digest)
        for key, warning in raised.items():
            renderer.warnings.setdefault(key, warning)
    return rendered


def _image_warnings(plan: SitePlan, articles: Iterable[Article]) -> list[str]:
    """A warning for each `image` field that names no file of the site (its
    `og:image` would point at nothing), once though every language version
    shows it. Made from the plan by every build, not kept with the pages: it
    changes when a static file comes or goes, and costs a set lookup."""
    found: dict[str, str] = {}
    for article in articles:
        where = article.image_at
        if article.image is None or where is None or where in found:
            continue
        problem = missing_image(plan, article.image)
        if problem is not None:
            found[where] = f"{where}: {problem}"
    return list(found.values())


def _feed(plan: SitePlan, lang: str, site: SiteText, newest: Iterable[Article]) -> Feed:
    """The Atom feed of `lang`: its articles that have a `date`. An undated
    article (an "about" page) has no place in a chronology; it keeps its
    page, its listing place and its sitemap entry. Its title, subtitle and
    author are the site's title and description as `lang`'s pages show them."""
    entries = tuple(
        FeedEntry(a.title, plan.absolute(a.page.route), a.description, a.date, a.updated,
                  a.author, tuple(t.name for t in a.tags))
        for a in newest if a.page.lang == lang and a.date is not None)
    return Feed(lang, site.title, site.description, plan.absolute(feed_route(lang)),
                plan.absolute(home_route(lang)), site.title, entries,
                subtitle_lang=site.description_lang, title_lang=site.title_lang)


def _lastmod(articles: list[Article], tags: Iterable[TagPage]) -> dict[str, dt.date]:
    """Route -> date of its newest content, for the sitemap's <lastmod>:
    `articles` are the published ones, of every language."""
    dates: dict[str, dt.date] = {}
    newest = {}  # route -> `Article.newest`, made once: tag pages list each article again
    for article in articles:
        day = article.newest
        if day is None:
            continue
        newest[article.page.route] = day
        for route in (article.page.route, home_route(article.page.lang), ""):
            if route not in dates or day > dates[route]:
                dates[route] = day
    for tag_page in tags:
        days = [newest[a.page.route] for a in tag_page.articles if a.page.route in newest]
        if days:
            dates[tag_page.page.route] = max(days)
    return dates

