"""`bilingual status`: translation progress per article and language.

Counts come from the same reading `build` does (`translate_document`): a
segment is translated only when its catalog entry has a translation that is
not fuzzy and not only whitespace, so "published" here means exactly what
`build` will publish.
Untranslated words (of the German text, markup and URLs left out) are what
translators quote and plan by.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from bilingual.cache import project_cache
from bilingual.checks import handwritten_keys
from bilingual.config import SiteConfig
from bilingual.errors import BilingualError
from bilingual.reading import cached_catalog_states, cached_segments, cached_source, document_input
from bilingual.segment import SLUG_CONTEXT, Segment, markdown_parser
from bilingual.sources import SourceDoc, article_paths, display_path, read_sources
from bilingual.translate import CatalogStates, translate_document
from bilingual.update import catalog_path

_WORD = re.compile(r"\w+(?:[-'’.]\w+)*")


@dataclass(frozen=True, slots=True)
class ArticleStatus:
    """Progress of one article in one target language."""

    article: str
    """The German source, relative to the project root."""
    lang: str
    catalog: str
    segments: int
    translated: int
    fuzzy: int
    untranslated: int
    words: int
    untranslated_words: int
    fuzzy_words: int
    state: str
    """`published`, `held back` (incomplete), `draft` (the German is a draft) or
    `hand-written` (a translation in content/<lang>/ replaces the catalog)."""

    @property
    def complete(self) -> bool:
        return self.translated == self.segments


@dataclass(frozen=True, slots=True)
class LanguageTotals:
    """Sums over every article of one language."""

    lang: str
    articles: int
    published: int
    held_back: int
    segments: int
    translated: int
    fuzzy: int
    untranslated: int
    words: int
    untranslated_words: int
    fuzzy_words: int


@dataclass(frozen=True, slots=True)
class StatusReport:
    rows: tuple[ArticleStatus, ...]
    totals: tuple[LanguageTotals, ...]
    errors: tuple[BilingualError, ...] = ()
    without_catalog: tuple[ArticleStatus, ...] = ()
    """Rows of articles that have no catalog yet (new, renamed or moved):
    `update` makes it, perhaps with every translation from memory."""


def count_words(text: str) -> int:
    """Words of a segment as a reader sees them: link targets, HTML tags and
    Markdown marks do not count; inline code, image alt text and the titles
    of links and images (shown on hover, translated with the rest) do."""
    words = 0
    for token in markdown_parser().parseInline(text)[0].children or ():
        if token.type in ("text", "code_inline"):
            words += len(_WORD.findall(token.content))
        elif token.type == "image":
            words += sum(len(_WORD.findall(c.content)) for c in token.children or ())
        if token.type in ("image", "link_open"):
            words += len(_WORD.findall(str(token.attrGet("title") or "")))
    return words


def segment_words(segments: Iterable[Segment]) -> dict[Segment, int]:
    """Words of each segment; a translated slug is not text a reader sees: 0."""
    return {s: count_words(s.msgid) if s.context != SLUG_CONTEXT else 0 for s in segments}


def article_status(config: SiteConfig, doc: SourceDoc, lang: str,
                   catalog: CatalogStates | None, handwritten: bool,
                   with_words: bool = True) -> ArticleStatus:
    """Progress of one article in `lang` given its catalog's entries (or None);
    the word fields are 0 unless `with_words`."""
    cache = project_cache(config.root)
    segmented = cached_segments(cache, doc)
    # Counting parses every segment's inline Markdown: reuse it while the article is unchanged.
    words = (cache.get("words", document_input(doc), lambda: segment_words(segmented.segments),
                       owner=str(doc.path))
             if with_words else {})

    def _words(segments: Iterable[Segment]) -> int:
        return sum(words.get(s, 0) for s in segments)

    segments = segmented.segments
    if handwritten:
        # The hand-written article is the translation: the catalog, unused,
        # has nothing left to do, and the figures were the team's to plan.
        return ArticleStatus(
            article=display_path(config, doc.path), lang=lang,
            catalog=display_path(config, catalog_path(config, lang, doc.key)),
            segments=len(segments), translated=len(segments), fuzzy=0, untranslated=0,
            words=_words(segments), untranslated_words=0, fuzzy_words=0, state="hand-written")
    translated = translate_document(segmented, catalog, lang)
    fuzzy = set(translated.fuzzy)
    untranslated = [s for s in translated.missing if s not in fuzzy]
    if doc.draft:
        state = "draft"
    else:
        state = "published" if translated.complete else "held back"
    return ArticleStatus(
        article=display_path(config, doc.path), lang=lang,
        catalog=display_path(config, catalog_path(config, lang, doc.key)),
        segments=len(segments), translated=len(segments) - len(translated.missing),
        fuzzy=len(translated.fuzzy), untranslated=len(untranslated),
        words=_words(segments), untranslated_words=_words(untranslated),
        fuzzy_words=_words(translated.fuzzy), state=state)


def totals(lang: str, rows: Iterable[ArticleStatus]) -> LanguageTotals:
    """Sum the rows of one language."""
    rows = [r for r in rows if r.lang == lang]
    return LanguageTotals(
        lang=lang, articles=len(rows),
        published=sum(r.state in ("published", "hand-written") for r in rows),
        held_back=sum(r.state == "held back" for r in rows),
        **{name: sum(getattr(r, name) for r in rows) for name in (
            "segments", "translated", "fuzzy", "untranslated", "words",
            "untranslated_words", "fuzzy_words")})


def collect_status(config: SiteConfig, langs: Iterable[str] | None = None,
                   with_words: bool = True) -> StatusReport:
    """Progress of every German article in every target language; articles or
    catalogs that cannot be read are skipped and returned as errors. Without
    `with_words` the word fields are 0 (the build's status page shows none)."""
    langs = tuple(langs) if langs else config.target_languages
    cache = project_cache(config.root)
    errors: list[BilingualError] = []
    docs: list[SourceDoc] = []
    content = config.content_dir(config.source_language)
    for path in article_paths(content):
        try:
            docs.append(cached_source(cache, path, content, config.source_language))
        except BilingualError as exc:
            errors.append(exc)
    rows: list[ArticleStatus] = []
    missing: list[ArticleStatus] = []
    for lang in langs:
        try:
            handwritten, _ = handwritten_keys(config, lang, read_sources(config.content_dir(lang), lang),
                                              {doc.key for doc in docs})
        except BilingualError as exc:
            errors.append(exc)
            handwritten = set()
        for doc in docs:
            path = catalog_path(config, lang, doc.key)
            catalog = None
            if path.is_file():
                try:
                    catalog = cached_catalog_states(cache, path)
                except BilingualError as exc:
                    errors.append(exc)
                    continue
            rows.append(article_status(config, doc, lang, catalog, doc.key in handwritten,
                                       with_words))
            if catalog is None and doc.key not in handwritten:
                missing.append(rows[-1])
    cache.flush()
    return StatusReport(tuple(rows), tuple(totals(lang, rows) for lang in langs), tuple(errors),
                        tuple(missing))


def without_catalog_note(report: StatusReport) -> str | None:
    """What `status` says below its table when articles have no catalog yet:
    their counts are all "untranslated" until `update` has run."""
    if not report.without_catalog:
        return None
    shown = ", ".join(f"{row.article} [{row.lang}]" for row in report.without_catalog[:3])
    more = len(report.without_catalog) - 3
    return (f"{len(report.without_catalog)} article version(s) have no catalog yet ({shown}"
            f"{f' and {more} more' if more > 0 else ''}): new, renamed or moved articles; run "
            "`bilingual update`, which may fill them from translations made before")


def format_status_json(report: StatusReport) -> str:
    """`{"articles": [...], "totals": {lang: {...}}}` (docs/check.md)."""
    document = {
        "articles": [{**asdict(r), "complete": r.complete,
                      "published": r.state in ("published", "hand-written")}
                     for r in report.rows],
        "totals": {t.lang: {k: v for k, v in asdict(t).items() if k != "lang"}
                   for t in report.totals},
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


_COLUMNS = (("article", "article", "<"), ("lang", "lang", "<"), ("segments", "segments", ">"),
            ("translated", "translated", ">"), ("fuzzy", "fuzzy", ">"),
            ("untranslated", "untranslated", ">"),
            ("untranslated_words", "untranslated words", ">"), ("state", "state", "<"))


def _columns(text: str) -> int:
    """The columns a terminal gives `text`: none for a combining mark or an
    invisible format character (a name written decomposed, `U` + U+0308),
    two for a wide character (`日`, most emoji)."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(char) or unicodedata.category(char) == "Cf"
               else 2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _padded(text: str, width: int, align: str) -> str:
    """`text` padded with spaces to `width` columns (`_columns`), `<` or `>`."""
    padding = " " * max(0, width - _columns(text))
    return text + padding if align == "<" else padding + text


def format_status_text(report: StatusReport) -> str:
    """A table: one row per article and language, then a total per language."""
    rows = [[str(getattr(r, name)) for name, _, _ in _COLUMNS] for r in report.rows]
    for t in report.totals:
        rows.append(["total", t.lang, str(t.segments), str(t.translated), str(t.fuzzy),
                     str(t.untranslated), str(t.untranslated_words),
                     f"{t.published} of {t.articles} published"])
    header = [title for _, title, _ in _COLUMNS]
    widths = [max(_columns(cell) for cell in column)
              for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(_padded(cell, width, align) for cell, width, (_, _, align)
                         in zip(cells, widths, _COLUMNS, strict=True)).rstrip()

    body = [line(header), line(["-" * w for w in widths])]
    body += [line(cells) for cells in rows[: len(report.rows)]]
    if report.totals:
        body.append(line(["-" * w for w in widths]))
        body += [line(cells) for cells in rows[len(report.rows):]]
    return "\n".join(body) + "\n"
