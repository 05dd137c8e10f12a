"""The translation status page of the built site: `site/_status/index.html`.

For the team, not for readers: no page links to it, it carries
`<meta name="robots" content="noindex">`, and it is not a page of the site
plan, so it has no hreflang links and no sitemap or feed entry. Per article
and target language it shows a progress bar and the translated, fuzzy and
missing counts, and links to every page the build wrote for the article.

The counts are `bilingual status`'s (`status.article_status`), so the page and the
command never disagree. The page is written in English, a language every
member of a mixed team reads, with no gettext strings: it adds nothing to
`_ui.po`. Its template is `status.html`; a project's `templates/status.html`
replaces the built-in one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import jinja2

from bilingual.config import SiteConfig
from bilingual.site import Page, html_bytes, language_tag, relative_url
from bilingual.status import ArticleStatus, LanguageTotals
from bilingual.status import totals as language_totals
from bilingual.templates import rendering

STATUS_ROUTE = "_status/"
STATUS_PAGE = STATUS_ROUTE + "index.html"
TEMPLATE = "status.html"


@dataclass(frozen=True, slots=True)
class Progress:
    """One bar: an article (or a language's total) in one target language."""

    lang: str
    """The language's BCP 47 tag (`pt-BR`), as the page's `lang` and `hreflang` want it."""
    segments: int
    translated: int
    fuzzy: int
    missing: int
    """Segments without any translation (fuzzy ones not included)."""
    state: str
    href: str | None
    """The built page in this language, relative to the status page; None when
    the build wrote none (held back, draft)."""

    @property
    def percent(self) -> int:
        """Translated share, rounded down, so 100 means really complete."""
        return 100 * self.translated // self.segments if self.segments else 100


@dataclass(frozen=True, slots=True)
class ArticleRow:
    article: str
    """The source file, relative to the project root."""
    href: str | None
    """The source-language page, when built."""
    cells: tuple[Progress, ...]


def _progress(row: ArticleStatus | LanguageTotals, href: str | None, state: str) -> Progress:
    return Progress(language_tag(row.lang), row.segments, row.translated, row.fuzzy,
                    row.untranslated, state, href)


def status_rows(config: SiteConfig, pages: Iterable[Page],
                statuses: Iterable[ArticleStatus]) -> tuple[tuple[ArticleRow, ...],
                                                            tuple[Progress, ...]]:
    """Rows per source article and the per-language totals, from the build's
    `statuses` (`status.article_status`, language by language), with links to
    `pages` (the article pages the build writes)."""
    pages = [p for p in pages if p.kind == "article"]
    src = config.source_language
    groups = {p.source: p.group for p in pages if p.lang == src}
    routes = {(p.group, p.lang): p.route for p in pages}
    statuses = tuple(statuses)
    langs = config.target_languages

    def href(article: str, lang: str) -> str | None:
        route = routes.get((groups.get(article), lang))
        return relative_url(STATUS_ROUTE, route) if route is not None else None

    cells: dict[str, list[Progress]] = {}
    for row in statuses:
        cells.setdefault(row.article, []).append(
            _progress(row, href(row.article, row.lang), row.state))
    rows = tuple(ArticleRow(article, href(article, src), tuple(found))
                 for article, found in cells.items())
    totals = tuple(_progress(t, None, f"{t.published} of {t.articles} published")
                   for t in (language_totals(lang, statuses) for lang in langs))
    return rows, totals


def status_page(config: SiteConfig, env: jinja2.Environment, pages: Iterable[Page],
                statuses: Iterable[ArticleStatus]) -> bytes:
    """The page's HTML, rendered with `env` (the build's source-language
    environment, so a project template overrides the built-in one)."""
    rows, totals = status_rows(config, pages, statuses)
    html = rendering(lambda: env.get_template(TEMPLATE).render(
        # Tags, not codes: the template writes them as `lang` and `hreflang`.
        site_title=config.title,
        languages=tuple(language_tag(lang) for lang in config.target_languages),
        source_language=language_tag(config.source_language), rows=rows, totals=totals,
        style_url=relative_url(STATUS_ROUTE, "style.css"),
        home_url=relative_url(STATUS_ROUTE, "")), TEMPLATE, "the status page")
    return html_bytes(html)  # the site title, say, may hold a control character
