"""Phase one of `bilingual build`: every article version that will have a page.

Reads every source article, segments and translates it through its catalogs,
decides what is published (a translation only when every segment is
translated and none is fuzzy; `draft: true` articles only with `--drafts`),
pairs hand-written translations with their source, and says why the others
are held back. The results (`Gathered`) are kept in the project's cache by
the state of each article's files, so a build after one edit reads one
article. The listing pages (home, tags) follow from the gathered articles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import os
import pickle
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from bilingual.cache import ResultCache, TreeState, file_state, pickle_by_fields, project_cache
from bilingual.config import SiteConfig
from bilingual.errors import BilingualError, location
from bilingual.parallel import map_chunks
from bilingual.publish import HeldBack
from bilingual.reading import cached_catalog_states, cached_segments, cached_source
from bilingual.render import is_plain_markdown
from bilingual.segment import SLUG_CONTEXT, SegmentedDoc, rebuild_markdown
from bilingual.site import (
    ArticleRef,
    Page,
    article_route,
    describe_unfit,
    has_unfit_character,
    page_slug,
    tag_route,
    tag_slug,
    unfit_character,
)
from bilingual.sources import (
    SourceDoc,
    article_files,
    article_paths,
    content_keys,
    content_name_warnings,
    display_path,
    hand_written,
    misspelt_fields,
)
from bilingual.status import ArticleStatus, article_status
from bilingual.translate import CatalogStates, TranslatedDoc, catalog_entry, translate_document
from bilingual.update import catalog_files, catalog_path

WORDS_PER_MINUTE = 200

Translations = Mapping[tuple[str | None, str], str]


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
    """Catalog translations applied block by block, or None to render
    `translated_markdown` (or, without it, the body as written) alone."""
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


# Han ideographs and kana: Chinese and Japanese write no spaces between words.
_SPACELESS = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CHARACTERS_PER_WORD = 2
"""Han and kana characters read in the time of a word: some 400 a minute,
against 200 words (`WORDS_PER_MINUTE`)."""
# Thai, Lao, Burmese and Khmer write no spaces between words either, with
# vowels and tones as characters of their own.
_SPACELESS_LETTERS = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
_ANY_SPACELESS = re.compile(f"[{_SPACELESS.pattern[1:-1]}{_SPACELESS_LETTERS.pattern[1:-1]}]")
LETTERS_PER_WORD = 4
"""Characters of those scripts in a word, marks included: ภาษาไทย, "Thai
language", is two words in seven characters."""


_MARKS = string.punctuation.encode()
"""ASCII punctuation, which Markdown's marks are made of: a run between spaces
of these alone (a list's `-`, a heading's `#`, a table's `|` and `|---|`) is
no word a reader sees."""


_WIDE_SPACE = re.compile(rb"\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]"
                         rb"|\xe2\x81\x9f|\xe3\x80\x80")
"""A space outside ASCII in UTF-8, each `str.isspace` (no-break U+00A0,
U+2000 to U+200A, narrow no-break U+202F, ideographic U+3000...): one pass
of the bytes, where a search for each cost twice the count itself."""


def _words(text: str) -> int:
    """The text's length in words, for the reading time: runs between spaces
    that hold a letter or digit (200 list items `- Punkt` were 400 words). A
    text in a script written without spaces, one run of characters between
    them, counts by its characters (a 5,600-character Japanese article was
    "1 minute")."""
    # Deleting the marks keeps every run with a letter or digit whole and drops
    # the others: done on bytes, as fast as the plain split of every article
    # was, where a regular expression or `str.translate` cost 50 to 400 ms per
    # thousand. A space outside ASCII (U+00A0 in `10 km`) parts words as
    # `str.split` parts them: the bytes' split knows ASCII spaces only.
    data = text.encode("utf-8", "surrogatepass").translate(None, _MARKS)
    if not text.isascii():
        data = _WIDE_SPACE.sub(b" ", data)
    words = len(data.split())
    if text.isascii() or _ANY_SPACELESS.search(text) is None:  # one pass for most texts
        return words
    return (words + len(_SPACELESS.findall(text)) // CHARACTERS_PER_WORD
            + len(_SPACELESS_LETTERS.findall(text)) // LETTERS_PER_WORD)


def reading_minutes(words: int) -> int:
    return max(1, -(-words // WORDS_PER_MINUTE))


def _date(doc: SourceDoc, name: str) -> dt.date | None:
    value = doc.meta.get(name)
    return value if isinstance(value, dt.date) else None


def _text(meta: Mapping[str, object], name: str) -> str:
    value = meta.get(name)
    return value if isinstance(value, str) else ""


_ROUTE = operator.attrgetter("page.route")
_DATE = operator.attrgetter("date")


def newest_first(articles: Iterable[Article]) -> list[Article]:
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


def _translated_source(config: SiteConfig, cache: ResultCache,
                       key: PurePosixPath) -> SourceDoc | None:
    """The source article `key` a hand-written translation names (None when it
    cannot be read: its error is reported where it is gathered)."""
    content = config.content_dir(config.source_language)
    try:
        return cached_source(cache, content / key, content, config.source_language)
    except BilingualError:
        return None


INHERITED_FIELDS = ("date", "updated", "author", "image")
"""Front matter fields no translation changes (authors.md): a hand-written
translation that leaves one out has the source article's."""


def _with_inherited_fields(doc: SourceDoc, source: SourceDoc | None) -> SourceDoc:
    """`doc`, a hand-written translation, with the `INHERITED_FIELDS` of its
    `source` that it leaves out: without the German `date` it was left out
    of its feed and listed after every dated article, silently."""
    if source is None:
        return doc
    own_date = doc.meta.get("date") is not None
    # A version dated of its own is updated of its own: the German `updated`
    # beside it showed an update a year before its publication.
    taken = {name: source.meta[name] for name in INHERITED_FIELDS
             if name in source.meta and doc.meta.get(name) is None
             and not (name == "updated" and own_date)}
    if not taken:
        return doc
    return replace(doc, meta=MappingProxyType({**doc.meta, **taken}))


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
            reason, remedy = _why_shared((shown.name, tag.name))
            warnings.append(f"{place}: tags {shown.name!r} and {tag.name!r} share the tag "
                            f"page {tag_route(tag.lang, tag.slug)} ({reason}), so the article "
                            f"shows only {shown.name!r}; {remedy}")
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


def kept_text(article: Article, text: ArticleText) -> ArticleText:
    """What the cache keeps of a translated version's body (`article_text`
    reads it). A version rendered as written keeps nothing: its body is the
    source, which the cache holds already. The catalog translations are kept
    only where `Renderer.body` reads them, for a draft that marks its
    untranslated blocks or for Markdown that cmark-gfm does not render
    (`render.is_plain_markdown`); else the page is rendered from the rebuilt
    Markdown alone, and they were half of what a translated text held."""
    rebuilt = text.translated_markdown
    if article.untranslated or rebuilt is None or not is_plain_markdown(rebuilt):
        return text
    return ArticleText(text.markdown, None, rebuilt)


def article_text(config: SiteConfig, article: Article) -> ArticleText:
    """The body of a gathered article, read again through the result cache: for
    an article whose record came from the cache, whose files are unchanged
    (else its `inputs` would differ). A version rendered as written is its
    source's body. Of a translated version, gathering kept the text
    (`kept_text`); without it (a cache that lost it), the text is made again
    from the source, its segments and its catalog."""
    cache = project_cache(config.root)
    if article.translated:
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
    entry = catalog_entry(catalog or {}, (SLUG_CONTEXT, slug))
    return entry.line if entry is not None else None


def _tag_line(catalog: CatalogStates | None, tag: str) -> int | None:
    entry = catalog_entry(catalog or {}, (None, tag))
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

def first_unfit(texts: Iterable[tuple[int, str]]) -> tuple[int, str] | None:
    """(line, character) of the first character the pages leave out, in the
    texts given with their line, the lowest line first; None when there is none."""
    texts = list(texts)
    # One quick look at them all before one search of each: most have none.
    if not has_unfit_character("".join([text for _, text in texts])):
        return None
    return min(((line, match.group()) for line, text in texts
                if (match := unfit_character(text)) is not None), default=None)


def _source_unfit(doc: SourceDoc) -> tuple[int, str] | None:
    """`first_unfit` of an article: its front matter values, each at its
    field's line (YAML lets such a character in only as an escape, `"\\x01"`),
    and its body, line by line when it has one."""
    values = [(doc.meta_lines.get(name, 2), text) for name, value in doc.meta.items()
              for text in (value if isinstance(value, tuple) else (value,))
              if isinstance(text, str)]
    lines = doc.body.split("\n") if has_unfit_character(doc.body) else ()
    return first_unfit([*values, *enumerate(lines, doc.body_line)])


MANY_TAGS = 50
"""More tags than this on one article earns a warning (`_front_matter_warnings`)."""


def _front_matter_warnings(where: str, doc: SourceDoc) -> list[str]:
    """A warning for each front matter field that looks like one bilingual
    reads but is not (`sources.misspelt_fields`): `Draft: true` would
    otherwise publish the article, `titel:` leave it without its title; one
    for a list of tags too long to be meant (a field pasted by mistake):
    every tag page lists the article with all its tags, so 7,000 tags made
    a site of 2.4 GB; one for an article without a title, whose file name
    no translator can translate; and one for an `updated` before the
    `date`, a slip the page would show while the feed and sitemap date it
    by `date`."""
    warnings = [f"{location(where, line)}: front matter field {name!r} is not one bilingual "
                f"reads; did you mean {meant!r}? It is ignored"
                for name, meant, line in misspelt_fields(doc)]
    tags = doc.meta.get("tags") or ()
    if len(tags) > MANY_TAGS:
        warnings.append(f"{location(where, doc.meta_lines.get('tags'))}: {len(tags)} tags; each "
                        "gets a page per language listing the article with all of them, so "
                        f"the site grows with their square: keep to a few (at most {MANY_TAGS})")
    if not doc.title:
        warnings.append(f"{location(where, doc.meta_lines.get('title'))}: no title; its pages "
                        f"and listings show the file name {doc.key.stem!r}, in every language: "
                        "give it a `title` to translate")
    date, updated = _date(doc, "date"), _date(doc, "updated")
    if date is not None and updated is not None and updated < date:
        warnings.append(f"{location(where, doc.meta_lines.get('updated'))}: 'updated' "
                        f"({updated.isoformat()}) is before 'date' ({date.isoformat()}); the "
                        "page shows both, the feed and sitemap only 'date': correct one of them")
    return warnings


def unfit_warning(where: str, found: tuple[int, str] | None) -> list[str]:
    """The warning for a file whose text holds a character the pages leave
    out (`found`, from `first_unfit`), or none."""
    if found is None:
        return []
    line, char = found
    return [f"{location(where, line)}: {describe_unfit(char)}, which no reader can see; "
            "the pages leave it out (remove it here)"]


def _source_state(settings: bytes, path: str, catalogs: Sequence[tuple[str, str]],
                  claimed: Mapping[str, str],
                  state_of: Callable[[str], str] = file_state) -> bytes | None:
    """The cache key of a source article's `SourceOutcome`: `settings` (the
    configuration and `--drafts`), the article's file and each target catalog
    (language, path) (their `cache.file_state`, as `state_of` gives it) and
    whether a hand-written translation replaces it. None when the article
    vanished (it is then read, and reported, without the cache)."""
    state = state_of(path)
    if state == "missing":
        return None
    return settings + repr((path, state, tuple((lang, state_of(catalog), claimed.get(lang))
                                               for lang, catalog in catalogs))).encode()


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
    warnings += _front_matter_warnings(source, doc)
    group = f"article:{src}:{doc.key}"
    slug = _buildable_slug(config, doc, src, drafts, held, unbuilt, errors)
    if slug is _SKIP:
        return outcome()
    try:
        segmented = cached_segments(cache, doc)
    except ValueError as exc:  # the segmenter cannot map a block back to its source
        errors.append(f"{source}: cannot split into segments: {exc}")
        return outcome()
    warnings += unfit_warning(source, _source_unfit(doc))
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
            reason = (f"no catalog yet ({where}; run `bilingual update`)" if catalog is None else
                      f"{missing} missing, {fuzzy} fuzzy of {len(segmented.segments)} "
                      f"segments in {where}")
            held.append(HeldBack(source, lang, reason, missing, fuzzy, drafts))
            if not drafts:
                continue
        if catalog is not None:  # the translations this page shows
            warnings += unfit_warning(display_path(config, path), first_unfit(
                (entry.line, text) for key, text in tdoc.translations.items()
                if (entry := catalog_entry(catalog, key)) is not None))
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
    # Strings joined, not `Path`s: most articles are only `stat`ed, and four
    # `Path`s of each took an eighth of gathering 10,000 unchanged ones.
    try:
        names = article_files(content)
    except BilingualError as exc:
        listing_errors.append(exc.format_message())
        names = []
    keys = content_keys(content, names)
    original_errors: list[str] = []
    originals = {lang: _read_all(config, lang, original_errors)
                 for lang in config.target_languages}

    # Hand-written translations claim their source article first: they win over the catalog.
    paired = hand_written(config, originals, set(map(PurePosixPath, keys))
                          if any(originals.values()) else set(), drafts)
    errors = [exc.format_message() for exc in paired.errors]
    claimed, pairs = paired.claimed, paired.pairs

    claimed_langs: dict[str, dict[str, str]] = {}
    for lang in config.target_languages:
        for (claim_lang, key), doc in claimed.items():
            if claim_lang == lang:
                claimed_langs.setdefault(key.as_posix(), {})[lang] = display_path(config, doc.path)
    settings = pickle.dumps((config, drafts), pickle.HIGHEST_PROTOCOL)
    # A result is kept under the file states found before anything was read:
    # a file changed since is read anew by the next build, which sees it changed.
    known = inputs.file_state if inputs is not None else file_state
    catalogs = {lang: catalog_files(config, lang, keys)
                for lang in config.target_languages}
    states = [_source_state(settings, name, [(lang, catalogs[lang][index]) for lang in catalogs],
                            claimed_langs.get(key, {}), known)
              for index, (name, key) in enumerate(zip(names, keys, strict=True))]
    outcomes: list[SourceOutcome | None] = cache.peek_many(  # type: ignore[assignment]
        "gathered", [state or b"" for state in states], keep=False)
    missing = [index for index, found in enumerate(outcomes)
               if not isinstance(found, SourceOutcome) or states[index] is None]
    parent = os.getpid()

    def gather_one(index: int) -> tuple[SourceOutcome, dict[str, ArticleText]]:
        found, computed = _gather_source(config, cache, Path(names[index]),
                                         claimed_langs.get(keys[index], {}),
                                         drafts, hashlib.sha256(states[index] or b"").digest())
        # For whatever renders these pages, this build's workers among them:
        # one load instead of the source, its segments and its catalog read
        # and the translation made again, a tenth of the CPU.
        for article in found.articles if states[index] is not None else ():
            text = computed.get(article.page.output)
            if text is not None and article.translated:
                cache.put("text", _text_key(article), kept_text(article, text), keep=False,
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
                      owner=_variant(names[index], drafts))

    done = [outcome for outcome in outcomes if outcome is not None]
    articles = [article for outcome in done for article in outcome.articles]
    held = [entry for outcome in done for entry in outcome.held]
    unbuilt = dict(entry for outcome in done for entry in outcome.unbuilt)
    warnings = [f"{file}: {message}" for file, message in content_name_warnings(
        config, inputs.files if inputs is not None else None)]
    warnings += [warning for outcome in done for warning in outcome.warnings]
    errors = (listing_errors + [e for outcome in done for e in outcome.read_errors]
              + original_errors + errors + [e for outcome in done for e in outcome.errors])
    statuses = [row for lang in config.target_languages
                for outcome in done for row in outcome.statuses if row.lang == lang]

    for lang, docs in originals.items():
        for doc in docs:
            if (lang, doc.key) not in pairs:
                continue  # its translation_of was refused above
            key = pairs[(lang, doc.key)]
            warnings += _front_matter_warnings(display_path(config, doc.path), doc)
            source = _translated_source(config, cache, key) if key is not None else None
            draft_source = source.path if source is not None and source.draft else None
            slug = _buildable_slug(config, doc, lang, drafts, held, unbuilt, errors,
                                   draft_source)
            if slug is _SKIP:
                continue
            warnings += unfit_warning(display_path(config, doc.path), _source_unfit(doc))
            group = f"article:{src}:{key}" if key is not None else f"article:{lang}:{doc.key}"
            inputs = f"{lang}\0{file_state(doc.path)}"
            if (inheriting := _with_inherited_fields(doc, source)) is not doc:
                # The page shows fields of the source: it changes with that file too.
                doc, inputs = inheriting, f"{inputs}\0{file_state(source.path)}"
            article = _source_article(config, doc, article_route(lang, doc.key, slug), group,
                                      inputs.encode(), doc.draft or draft_source is not None,
                                      _slug_at(display_path(config, doc.path), doc, slug))
            articles.append(article)
            texts[article.page.output] = ArticleText(doc.body, None, None)
            warnings += _folded_source_tag_warnings(display_path(config, doc.path), doc)

    return Gathered(tuple(articles), MappingProxyType(texts), MappingProxyType(unbuilt),
                    tuple(held), tuple(errors), tuple(warnings), tuple(statuses),
                    len(names) + sum(len(docs) for docs in originals.values()))


# ---------------------------------------------------------------------------
# Listing pages
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TagPage:
    """The page listing one language's articles with one tag."""

    page: Page
    slug: str
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
    (`newest_first`), which each page lists in that order. A target-language
    tag page pairs with a source-language one (hreflang) only when the tag is
    translated one to one by every published translation (`split_tag_translations`
    says when one German tag is not)."""
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
        named = _page_name(items)
        name, name_lang = named.name, named.lang
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
        pages.append(TagPage(page, slug, name, name_lang, listed))
    return tuple(pages)


def _page_name(items: Sequence[tuple[Article, Tag]]) -> Tag:
    """The tag that names a tag page, of its articles' tags (newest first):
    the spelling most of them use, of those the oldest article's. One new
    article tagged `politik` does not rename the page of seven tagged `Politik`."""
    newest = items[0][1]
    spellings = {tag.name for _, tag in items}
    if len(spellings) == 1:  # nearly every page
        return newest
    counts = Counter(tag.name for _, tag in items)
    most = max(counts.values())
    return next(tag for _, tag in reversed(items) if counts[tag.name] == most)


def shared_tag_pages(config: SiteConfig, newest: Sequence[Article]) -> list[str]:
    """Warnings for tags of different names (not only different case) whose slugs
    are equal, `C` and `C++` say: they share one tag page, which shows one name.
    Each is said at the newest article of the least used name, and names the
    newest article of each other name (`tag_place`)."""
    names: dict[tuple[str, str], dict[str, str]] = {}
    for article in newest:
        for tag in article.tags:
            names.setdefault((article.page.lang, tag.slug), {}).setdefault(tag.name.casefold(),
                                                                            tag.name)
    shared = {key for key, found in names.items() if len(found) > 1}
    if not shared:  # nearly every build: no second pass
        return []
    # name's casefold -> [articles using it, newest article, its tag], per page
    uses: dict[tuple[str, str], dict[str, list]] = {}
    for article in newest:
        for tag in article.tags:
            if (article.page.lang, tag.slug) in shared:
                by_name = uses.setdefault((article.page.lang, tag.slug), {})
                use = by_name.setdefault(tag.name.casefold(), [0, article, tag])
                use[0] += 1
    warnings = []
    for (lang, slug), by_name in sorted(uses.items()):
        # The least used name is the likely slip; of equally rare ones, the newest.
        order = list(by_name.values())
        here = min(order, key=lambda use: use[0])
        found = names[(lang, slug)].values()
        reason, remedy = _why_shared(found)
        elsewhere = ", ".join(f"{tag.name!r} in {tag_place(config, article, tag)}"
                              for _, article, tag in order if article is not here[1])
        warnings.append(f"{tag_place(config, here[1], here[2])}: tags "
                        f"{' and '.join(repr(n) for n in sorted(found))} share the tag page "
                        f"{tag_route(lang, slug)} ({reason}; {here[2].name!r} here, "
                        f"{elsewhere}); {remedy}")
    return warnings


PLACES_NAMED = 3
"""Articles named for one translation of a tag in `split_tag_translations`."""


def split_tag_translations(config: SiteConfig, pages: Sequence[TagPage]) -> list[str]:
    """Warnings for a source-language tag that published translations render
    differently (`Politik` as `Política` and, in one catalog, `Políticas`):
    its translated articles are split over two tag pages, neither paired with
    the source's (`tag_pages`). One for each translation but the one most
    articles use, said at the catalog entry of its newest article. Two tags
    translated alike (`Weg` and `Gasse` as `Calle`) are a translation, not a
    slip, and are not named."""
    src = config.source_language
    # Such pages are among those `tag_pages` left unpaired: a walk of their
    # articles alone, as nearly every target page is paired.
    unpaired = [p for p in pages
                if p.page.lang != src and p.page.group == f"tag:{p.page.lang}:{p.slug}"]
    # (lang, source slug) -> target slug -> [(article, tag)], newest first
    uses: dict[tuple[str, str], dict[str, list[tuple[Article, Tag]]]] = {}
    for tag_page in unpaired:
        lang, slug = tag_page.page.lang, tag_page.slug
        for article in tag_page.articles:
            if not article.translated or article.page.draft:
                continue
            tag = next(t for t in article.tags if t.slug == slug)
            for source_slug in tag.source_slugs:
                uses.setdefault((lang, source_slug), {}).setdefault(slug, []).append(
                    (article, tag))
    source_pages = {p.slug: p for p in pages if p.page.lang == src}
    warnings = []
    for (lang, source_slug), by_slug in sorted(uses.items()):
        if len(by_slug) < 2:
            continue
        name = source_pages[source_slug].name if source_slug in source_pages else source_slug
        # The translation most articles use first; of equally used ones, the
        # oldest article's, as `_page_name` names a page.
        ranked = sorted(by_slug.values(), key=lambda items: (
            len(items), _newest_first_place(items[-1][0])), reverse=True)
        routes = " and ".join(tag_route(lang, slug) for slug in sorted(by_slug))
        for odd in ranked[1:]:
            (first, tag), *more = odd
            shown = [f"{tag.name!r} here" + (f" and in {_places(config, more)}" if more else "")]
            shown += [f"{_page_name(items).name!r} in {_places(config, items)}"
                      for items in ranked if items is not odd]
            warnings.append(f"{tag_place(config, first, tag)}: the tag {name!r} is translated "
                            f"{', '.join(shown[:-1])} and {shown[-1]}; its {lang} articles are "
                            f"split over {len(by_slug)} tag pages, {routes}")
    return warnings


def _newest_first_place(article: Article) -> tuple[bool, int, str]:
    """Where `newest_first` puts the article: a later place is an older article."""
    date = article.date
    return date is None, -date.toordinal() if date is not None else 0, article.page.route


def _places(config: SiteConfig, items: Sequence[tuple[Article, Tag]]) -> str:
    """Where the first `PLACES_NAMED` of `items` write their tag (`tag_place`)."""
    named = [tag_place(config, article, tag) for article, tag in items[:PLACES_NAMED]]
    more = len(items) - len(named)
    return ", ".join(named) + (f" and {more} more" if more else "")


def tag_place(config: SiteConfig, article: Article, tag: Tag) -> str:
    """Where `tag` of `article` is written, as `file:line`: the catalog entry
    that translates it, or the article's `tags` field. Read again from the
    cache: asked for only by a warning, so the records carry no line per tag."""
    cache = project_cache(config.root)
    source = article_source(config, article)
    try:
        doc = cached_source(cache, source, config.content_dir(article.ref.content_lang),
                            article.ref.content_lang)
    except BilingualError:  # changed since it was gathered: reported by the next build
        return display_path(config, source)
    tags_at = location(display_path(config, doc.path), doc.meta_lines.get("tags"))
    if not article.translated or tag.lang != article.page.lang:
        return tags_at
    path = catalog_path(config, article.page.lang, doc.key)
    try:
        catalog = cached_catalog_states(cache, path) if path.is_file() else {}
    except BilingualError:
        return tags_at
    entries = [entry for original in doc.meta.get("tags", ()) or ()
               if tag_slug(original) in tag.source_slugs
               and (entry := catalog_entry(catalog, (None, original))) is not None]
    entry = next((e for e in entries if tag_slug(e.msgstr) == tag.slug),
                 entries[0] if entries else None)
    return location(display_path(config, path), entry.line) if entry is not None else tags_at


def _why_shared(names: Iterable[str]) -> tuple[str, str]:
    """(why tags of different names share a page, what to do about it)."""
    if len({unicodedata.normalize("NFC", name).casefold() for name in names}) == 1:
        # They look alike: say what no eye can see.
        return ("the same letters, but accents written once as one character and once as "
                "a letter followed by a combining mark: Unicode NFC and NFD, as some editors "
                "and file systems save them", "type one of them again")
    return "their slugs are the same", "rename one to keep them apart"
