"""Pages from templates: the Jinja2 environment of each language, its UI
translations (`_ui.po`), and what templates see of the site (`Renderer`).

The project's `templates/` first, the built-in templates for any it lacks;
one environment per language, with that language's UI catalog, Babel's long
dates and the Markdown body of each article rendered once per page.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import html
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar
from urllib.parse import unquote

import jinja2
import polib
from babel import Locale
from babel.dates import format_date
from markupsafe import Markup, escape

from bilingual.cache import ResultCache, project_cache
from bilingual.catalog import line_starting, read_catalog
from bilingual.config import BUILTIN, SiteConfig
from bilingual.errors import BilingualError, CatalogError
from bilingual.formats import compare_formats, plural_forms_problem
from bilingual.gather import (
    Article,
    ArticleText,
    Tag,
    TagPage,
    article_source,
    article_text,
    first_unfit,
    reading_minutes,
)
from bilingual.markup import carried_over
from bilingual.merge import is_translated
from bilingual.render import render_body
from bilingual.site import (
    Alternate,
    LinkOrigin,
    Page,
    SitePlan,
    feed_route,
    home_route,
    image_url,
    language_tag,
    link_url,
    off_site,
    og_locale,
    resolve_link,
    tag_route,
    text_direction,
)
from bilingual.sitetext import SITE_TEXT_CONTEXTS, SiteText
from bilingual.sources import display_path, refuse_unfit_name, tool_leftover
from bilingual.update import UI_CATALOG

BUILTIN_TEMPLATES = BUILTIN / "templates"
ENTRY_TEMPLATE = "entry.html"
"""One entry of a listing (`Renderer.entries`)."""
BUILTIN_ENTRY = BUILTIN_TEMPLATES / ENTRY_TEMPLATE
STYLESHEET = "style.css"



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
            # A hidden template counts: Jinja2 loads `{% include ".parts/x.html" %}`.
            if path.is_file() and not any(tool_leftover(p) for p in relative.parts):
                refuse_unfit_name(str(base), str(path))
                found[relative.as_posix()] = path
    return tuple(sorted(found.items()))


def ui_catalog(config: SiteConfig, lang: str) -> polib.POFile | None:
    """The UI catalog of a language (`locales/<lang>/LC_MESSAGES/_ui.po`), or
    None when it has none. A `Plural-Forms` that msgfmt -c rejects stops the
    build at its line: gettext then picks no form for some numbers, and the
    pages showed those in German ("21 Minuten Lesezeit" on a Polish page)."""
    path = config.locale_dir(lang) / UI_CATALOG
    if not path.is_file():
        return None
    catalog = read_catalog(path)
    forms = catalog.metadata.get("Plural-Forms")
    if forms is not None and (problem := plural_forms_problem(forms)) is not None:
        text = path.read_text(encoding="utf-8", errors="replace")
        raise CatalogError(f"Plural-Forms {forms!r}: {problem}; correct the header",
                           path, line_starting(text, '"Plural-Forms:'))
    return catalog


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
    translation, made to stop at the UI catalog's file and line when a
    translation's placeholders do not fit its msgid's: `100 % de` holds the
    directive `% d` (a bare TypeError), and a `%s` the msgid lacks took the
    empty variables without an error (`Saltar al {} contenido`). The entries
    are checked once; a failure their placeholders do not explain is the
    template's and passes through."""
    unfit: dict[tuple, str] = {}
    for found, entry in entries.items():
        problem = next((problem for text in entry.texts if (problem := compare_formats(
            "python", entry.source, text, False)) is not None), None)
        if problem is not None:
            unfit[found] = problem

    @jinja2.pass_context
    def call(context: jinja2.runtime.Context, *args: object, **variables: object) -> str:
        if unfit and (found := key(args)) in unfit:
            entry = entries[found]
            raise BilingualError(f"the translation of {found[1]!r} cannot be filled in: "
                                 f"{unfit[found]}; write %% for a percent sign",
                                 entry.path, entry.line)
        return fill(context, *args, **variables)

    return call


_GETTEXT_KEYS: dict[str, Callable[[tuple], tuple]] = {
    "gettext": lambda args: (None, args[0]), "ngettext": lambda args: (None, args[0]),
    "pgettext": lambda args: (args[0], args[1]), "npgettext": lambda args: (args[0], args[1])}
"""(msgctxt, msgid) of a lookup from the arguments of each gettext callable."""


def ui_unfit(catalog: polib.POFile | None) -> tuple[int, str] | None:
    """`first_unfit` of the translations a UI catalog gives the pages."""
    return first_unfit((entry.linenum, text) for entry in catalog or ()
                        if not entry.obsolete and "fuzzy" not in entry.flags
                        for text in (entry.msgstr, *entry.msgstr_plural.values()))


def ui_untranslated(catalog: polib.POFile) -> int:
    """How many template texts a UI catalog leaves untranslated (empty,
    blank or fuzzy): the pages show those as the templates write them."""
    return sum(1 for entry in catalog if not entry.obsolete
               and entry.msgctxt not in SITE_TEXT_CONTEXTS and not is_translated(entry))


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


def other_directions(config: SiteConfig, lang: str) -> dict[str, str]:
    """Language tag -> direction (`ltr`, `rtl`) of each configured language
    written in another direction than `lang`: an element of that language on
    a page of `lang` needs its own `dir` besides `lang`, or German on an
    Arabic page reads with its full stop at the start. Empty on a site whose
    languages all run one way."""
    own = text_direction(config.babel_locale(lang))
    return {language_tag(other): direction for other in config.languages
            if (direction := text_direction(config.babel_locale(other))) != own}


_TAG = re.compile(r"(<[^<>]*>)")


def ui_markup(text: str, asked: tuple[str, ...], own: frozenset[str]) -> Markup:
    """A UI text as a page shows it: `text`, what gettext gave for the
    strings `asked` (a msgid, and a plural). A template's own string (one
    of `own`, the strings `update` extracts) is markup, as Jinja2 treats it,
    so `{% trans %}Lies das <a href="impressum/">Impressum</a>{% endtrans %}`
    shows a link; a translation is untrusted text, whose tags are kept only
    where the template's string has them (`markup.carried_over`), and
    everything else escaped. A string not of the templates (`_(variable)`)
    is text."""
    mine = [msgid for msgid in asked if msgid in own]
    if not mine:
        return escape(text)
    if text in mine:
        return Markup(text)
    allowed = {tag for msgid in mine for tag in _TAG.findall(msgid)}
    if not allowed or "<" not in text:
        return escape(text)
    # Split on a captured pattern, the tags are the pieces at odd places.
    return Markup("".join(piece if index % 2 and carried_over(piece, allowed) else escape(piece)
                          for index, piece in enumerate(_TAG.split(text))))


def template_environment(config: SiteConfig, lang: str,
                         translations: gettext.NullTranslations,
                         entries: UIEntries = MappingProxyType({}),
                         own: frozenset[str] = frozenset()) -> jinja2.Environment:
    """The Jinja2 environment of one language: autoescape, the i18n extension with
    this language's UI translations (`entries`: their lines, for messages), and
    Babel date formatting in its locale. `own` are the templates' strings
    (`ui_markup`)."""
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
    # escaped before Jinja2 sees it, but for the tags of the template's string.
    t = translations
    env.install_gettext_callables(
        gettext=lambda s: ui_markup(t.gettext(s), (s,), own),
        ngettext=lambda s, p, n: ui_markup(t.ngettext(s, p, n), (s, p), own),
        pgettext=lambda c, s: ui_markup(t.pgettext(c, s), (s,), own),
        npgettext=lambda c, s, p, n: ui_markup(t.npgettext(c, s, p, n), (s, p), own),
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
    env.globals["other_dir"] = other_directions(config, lang)
    return env


_Made = TypeVar("_Made")


def _render(env: jinja2.Environment, name: str, context: Mapping[str, object],
            what: str) -> str:
    return rendering(lambda: env.get_template(name).render(context), name, what)


def rendering(make: Callable[[], _Made], name: str, what: str) -> _Made:
    """`make()`, which renders template `name` for `what`, its template
    errors as a `BilingualError` naming both."""
    try:
        return make()
    except jinja2.TemplateSyntaxError as exc:
        raise BilingualError(f"template error: {exc.message}", exc.filename or name,
                             exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        # Named where an include, extends or import asks for it, when one does.
        file, line = template_place(exc, name)
        if line is None:
            raise BilingualError(f"template {exc.name} not found (needed for {what})") from None
        raise BilingualError(f"template {exc.name} not found (needed for {what})",
                             file, line) from None
    except BilingualError:
        raise  # a filter's or a translation's own, with its place
    except Exception as exc:  # noqa: BLE001 - whatever the template's code raised
        # A translation with a wrong placeholder ends up here too.
        file, line = template_place(exc, name)
        raise BilingualError(f"cannot render {what} with template {name}: "
                             f"{type(exc).__name__}: {exc} (check the template and "
                             f"{UI_CATALOG})", file, line) from None


def template_place(error: BaseException, name: str) -> tuple[str, int | None]:
    """(file, line) of the template code that raised `error` while `name` was
    rendered: Jinja2 gives the frames of template code the template's file and
    line, and the innermost such frame is where the template went wrong (an
    `{% extends %}` or an include may lead into another file). Without one,
    `name` and no line."""
    place: tuple[str, int | None] = (name, None)
    trace = error.__traceback__
    while trace is not None:
        template = trace.tb_frame.f_globals.get("__jinja_template__")
        if isinstance(template, jinja2.Template) and template.filename:
            # Compiled template code (a macro called from Python): its own
            # line, mapped back to the template's.
            place = (template.filename, template.get_corresponding_lineno(trace.tb_lineno))
        elif not trace.tb_frame.f_code.co_filename.endswith((".py", ">")):
            # A frame `render` already gave the template's file and line,
            # whatever the template's name ends in (`nav.jinja`, `icon.svg`).
            place = (trace.tb_frame.f_code.co_filename, trace.tb_lineno)
        trace = trace.tb_next
    return place


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
    dir: str = "ltr"
    """`rtl` for a language written right to left (`site.text_direction`)."""


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


_ROOTED = re.compile(r"""<[a-zA-Z][^<>]*?\s(?:href|src|poster|action)\s*=\s*["']?"""
                     r"""(/(?![/\\])[^"'\s>]*)""", re.IGNORECASE)
"""An attribute of raw HTML that holds a URL from the host's root (`/x`, not `//host/x`)."""


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
        self.plain_names = {
            lang: Locale.parse(config.babel_locale(lang)).get_language_name(
                config.babel_locale(lang)) or config.language_name(lang)
            for lang in config.languages}
        """Each language's name in itself, without territory or script."""
        self.other_directions = {lang: other_directions(config, lang)
                                 for lang in config.languages}
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
        locale's territory is left out (`Deutsch`, not `Deutsch (Deutschland)`)
        unless another language of the site has the same name: `中文 (简体)`
        and `中文 (繁體)`, `Português (Brasil)` and `Português (Portugal)`."""
        name = dict(self.config.language_names).get(lang)
        if not name:
            name = self.plain_names[lang]
            if list(self.plain_names.values()).count(name) > 1:
                name = self.config.language_name(lang)
        return name[:1].upper() + name[1:]

    def switcher(self, page: Page) -> tuple[LanguageLink, ...]:
        links = []
        for lang in self.config.languages:
            other = page if lang == page.lang else self.plan.counterpart(page, lang)
            route = other.route if other is not None else home_route(lang)
            links.append(LanguageLink(language_tag(lang), self.language_name(lang),
                                      self.href(page, route), lang == page.lang,
                                      other is not None,
                                      text_direction(self.config.babel_locale(lang))))
        return tuple(links)

    def page_view(self, page: Page, title: str, description: str, og_type: str = "website",
                  image: str | None = None) -> PageView:
        alternates = self.plan.alternates(page)
        indexed = page.kind != "404" and not page.draft
        # The alternates carry tags; og_locale reads the codes of the same versions.
        own = og_locale(self.config.babel_locale(page.lang))
        # Once each, and never the page's own (`sr` and `sr_Latn` are both sr_RS).
        others = tuple(dict.fromkeys(
            locale for p in (self.plan.published(page.group) if alternates else ())
            if p.lang != page.lang and (locale := og_locale(self.config.babel_locale(p.lang)))
            != own))
        return PageView(
            kind=page.kind, title=title, description=description,
            canonical=self.plan.absolute(page.route) if page.kind != "404" else None,
            alternates=alternates, og_type=og_type,
            og_locale=own,
            og_locale_alternates=others,
            og_image=image_url(self.plan, image) if image else None, noindex=not indexed)

    def common(self, page: Page, view: PageView, switcher: bool = True) -> dict[str, object]:
        lang = page.lang
        site = self.site_texts[lang]
        return {
            "lang": language_tag(lang),
            "dir": text_direction(self.config.babel_locale(lang)),
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
            # The site's root from this page (`../../`, or `/blog/` on a 404
            # page), for a project's own files: `{{ root_url }}css/main.css`.
            "root_url": self.href(page, ""),
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
        if entries_outdated(before, after):
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
        template = rendering(lambda: env.get_template(ENTRY_TEMPLATE), ENTRY_TEMPLATE,
                              page.source)
        if template.filename is None or Path(template.filename) != BUILTIN_ENTRY:
            return lambda item: _render(env, ENTRY_TEMPLATE, {"lang": lang, "item": item},
                                        page.source)
        macros = rendering(lambda: env.get_template("macros.html").make_module({"lang": lang}),
                            ENTRY_TEMPLATE, page.source)
        return lambda item: rendering(lambda: str(macros.entry(item)), ENTRY_TEMPLATE,
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
        rendered = render_body(text.markdown, resolve, text.translated_markdown, translate,
                               marked, self.other_directions[article.page.lang].get(
                                   language_tag(self.config.source_language)))
        if self.plan.base_path:
            self._warn_rooted_html(article, rendered)
        return Markup(rendered)

    def _warn_rooted_html(self, article: Article, rendered: str) -> None:
        """Warn of each URL written from the host's root in the raw HTML of a
        body (`<img src="/images/x.svg">`) of a site published below a path:
        it leads outside the site. A Markdown link from the root is the site's
        root, which the build makes relative; raw HTML is published as written,
        and its links are all that still start with `/` in a body, but for a
        Markdown link to no page, which is warned of as such."""
        written = {href for _, href, _ in self.resolved}
        for target in dict.fromkeys(_ROOTED.findall(rendered)):
            if target in written:
                continue
            self._warn(article, target, (
                f"raw HTML links to {unquote(html.unescape(target))!r} from the host's root, "
                f"outside the site at {self.plan.absolute('')}: write the link in Markdown, which "
                "the build makes relative, or relative to the page"))

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
            reading_minutes(article.words), self.body(article), page.draft, article.untranslated)
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
                "dir": text_direction(self.config.babel_locale(lang)),
                "href": self.href(page, home_route(lang))}, "the language chooser")
            options.append(LanguageOption(language_tag(lang), Markup(html.strip())))
        context["options"] = tuple(options)
        return _render(self.envs[page.lang], "choose.html", context, page.source)


# ---------------------------------------------------------------------------
# Listing entries kept between builds
# ---------------------------------------------------------------------------

def entries_outdated(kept: Mapping[bytes, str], shown: Mapping[bytes, str]) -> bool:
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
