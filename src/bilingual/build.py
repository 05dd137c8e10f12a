"""`bilingual build`: articles + catalogs -> one static site per language.

Two phases, so that nothing is written when anything is wrong:

1. Gather (`gather`): read every article, segment and translate it, decide
   what is published, then plan every route here, refusing bad slugs, bad
   `translation_of` pairings and two sources claiming one output file. Every
   problem is collected and reported at once.
2. Render (`templates`, one Jinja2 environment per language with that
   language's UI catalog) and write (`publish`): a file whose bytes did not
   change is not rewritten, and files an earlier build wrote that this one
   does not are removed (listed in the output folder's manifest), so a
   translation that is held back again really disappears.

This module joins them: the site plan, which pages the cache still holds,
the feeds, sitemap and status page, and the swap of the new site into place.
Output is deterministic: no timestamps, sorted walks, dates from front matter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from bilingual.cache import ResultCache, TreeState, file_state, project_cache
from bilingual.config import BUILTIN, SiteConfig
from bilingual.errors import BilingualError, ConfigError
from bilingual.gather import (
    Article,
    HomePage,
    TagPage,
    gather,
    newest_first,
    shared_tag_pages,
    split_tag_translations,
    tag_pages,
    unfit_warning,
)
from bilingual.lock import output_lock
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
from bilingual.site import (
    SITEMAP,
    Feed,
    FeedEntry,
    LinkOrigin,
    Page,
    SitePlan,
    atom_feed,
    feed_route,
    find_collisions,
    home_route,
    html_bytes,
    link_state,
    missing_image,
    plan_site,
    resolve_link,
    robots_txt,
    sitemap_index,
    sitemap_parts,
    sitemap_urls,
    sitemap_xml,
)
from bilingual.sitetext import SiteText, site_text
from bilingual.sources import display_path, refuse_unfit_name, tool_leftover
from bilingual.statuspage import STATUS_PAGE, status_page
from bilingual.templates import (
    STYLESHEET,
    Renderer,
    entries_key,
    template_environment,
    template_files,
    ui_catalog,
    ui_entries,
    ui_translations,
    ui_unfit,
    ui_untranslated,
)
from bilingual.update import UI_CATALOG, ui_template_entries

BUILTIN_STATIC = BUILTIN / "static"
ROBOTS = "robots.txt"
"""Generated unless the project's `static/` has one, which then replaces it."""



# ---------------------------------------------------------------------------
# Static files and writing
# ---------------------------------------------------------------------------

def static_files(config: SiteConfig) -> tuple[tuple[str, Path, str], ...]:
    """(output path, file, source label) of every static file: the project's
    `static/` copied as it is (`tool_leftover`s aside), plus the built-in
    stylesheet unless it has one."""
    found: dict[str, tuple[Path, str]] = {}
    root = config.static_dir
    if root.is_dir():
        resolved = root.resolve()
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if any(tool_leftover(p) for p in relative.parts) or not path.is_file():
                continue
            refuse_unfit_name(str(root), str(path))
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
    return generated + [(SITEMAP, "the sitemap"), *robots,
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
    out = Path(os.path.realpath(output))  # `resolve` raises for a link to itself
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
    next build. One build of a folder at a time (`lock.output_lock`): the
    check that finds nothing changed only reads, and needs no lock."""
    check_output_folder(config, output)  # a usage error, before the lock beside the folder
    with output_lock(output, "bilingual build"):
        return _rebuild_site(config, drafts, output, progress, inputs)


def _rebuild_site(config: SiteConfig, drafts: bool, output: Path,
                  progress: ProgressLike | None, inputs: TreeState) -> BuildSummary:
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
    remember_site(config, output, drafts, inputs, summary, files.files, record, prepared)
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
    newest = newest_first(articles)
    tags = tag_pages(config, newest)
    pages += [t.page for t in tags]

    try:
        statics = static_files(config)
    except BilingualError as exc:
        errors.append(exc.format_message())
        statics = ()
    # A site too large for one sitemap file: its parts, at most so many
    # (drafts are never listed; the plan below tells how many it lists).
    parts = sitemap_parts(sum(not page.draft for page in pages) + len(homes) + 1)
    generated = generated_files(config, statics) + [(name, "a part of the sitemap")
                                                    for name in parts]
    outputs = ([(p.output, p.source) for p in pages] + fixed_outputs(config, statics)
               + [(name, "a part of the sitemap") for name in parts])
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

    if parts:  # no part without a URL: sitemaps.org wants one at least
        parts = sitemap_parts(sitemap_urls(plan))
    ui = {lang: ui_catalog(config, lang) if lang in config.ui_catalog_languages else None
          for lang in config.languages}
    template_entries = ui_template_entries(config)  # kept in the cache under the templates' state
    own = frozenset(text for e in template_entries for text in (e.msgid, e.msgid_plural) if text)
    envs = {lang: template_environment(config, lang, ui_translations(ui[lang]), ui_entries(
        ui[lang], display_path(config, config.locale_dir(lang) / UI_CATALOG)), own)
        for lang in config.languages}
    warnings = []
    template_texts = {(e.msgctxt, e.msgid) for e in template_entries}
    for lang in config.ui_catalog_languages:
        where = display_path(config, config.locale_dir(lang) / UI_CATALOG)
        catalog = ui[lang]
        if catalog is None:
            warnings.append(f"{where}: missing; the {lang} pages show the template texts "
                            "untranslated")
            continue
        warnings += unfit_warning(where, ui_unfit(catalog))
        if untranslated := ui_untranslated(catalog):
            warnings.append(f"{where}: {untranslated} template text(s) not translated yet; the "
                            f"{lang} pages show them as the templates write them")
        if new := len(template_texts - {(e.msgctxt, e.msgid) for e in catalog
                                        if not e.obsolete}):
            warnings.append(f"{where}: {new} template text(s) not in it yet (run `bilingual "
                            f"update`); the {lang} pages show them as the templates write them")
    warnings += shared_tag_pages(config, newest) + split_tag_translations(config, tags)
    # The UI catalogs are part of the site identity, so a changed translation
    # of the site's title or description is not hidden by pages in the cache.
    site_identity = _site_identity(config, plan, drafts)
    site_texts = {lang: site_text(config, lang, ui[lang]) for lang in config.languages}
    renderer = Renderer(config, plan, envs, gathered.texts, site_identity, site_texts)

    published = [a for a in newest if not a.page.draft]

    def feed(lang: str) -> bytes:
        return atom_feed(_feed(plan, lang, site_texts[lang], published))

    # The files that list the whole site, apart from its pages, the longest first.
    summaries: dict[str, Callable[[], bytes]] = {
        STATUS_PAGE: lambda: status_page(config, envs[src], [a.page for a in articles],
                                         gathered.statuses),
        **({SITEMAP: lambda: sitemap_index(plan, parts)} if parts else
           {SITEMAP: lambda: sitemap_xml(plan, _lastmod(published, tags))}),
        **{name: partial(_sitemap_part, plan, published, tags, number)
           for number, name in enumerate(parts, start=1)},
        **{feed_route(lang): partial(feed, lang) for lang in config.languages}}
    # Linear in the site even when one article changed: made on another core
    # while the pages are rendered (this one takes back what is left then).
    summarised = beside(*summaries.values())
    rendered = PackedFiles()
    order = {lang: index for index, lang in enumerate(config.languages)}
    # An article's language versions one after the other: a translated page
    # takes what it needs of the German's (`render.source_section_ids`) from
    # the page just rendered, in the same worker.
    listed = sorted(articles, key=lambda a: (a.page.group or a.page.route, order[a.page.lang],
                                             a.page.route))
    listings = [HomePage(page, tuple(a for a in newest if a.page.lang == lang))
                for lang, page in homes.items()]
    cache = project_cache(config.root)
    try:
        packed_pages = _render_pages(renderer, [*listed, *tags, *listings],
                                     progress or NullProgress(), cache, site_identity)
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

    for name, data in zip(summaries, summarised.results(), strict=True):
        rendered[name] = data
    if not _own_robots(statics):
        rendered[ROBOTS] = robots_txt(config.base_url)
    known = inputs.file_state if inputs is not None else file_state
    for name, path, _ in statics:
        _add_static_file(rendered, cache, name, path, known(path))
    rendered[MANIFEST] = "".join(f"{name}\n" for name in sorted(rendered)).encode()

    warnings += sorted([*renderer.warnings.values(), *_image_warnings(plan, articles)])
    return RenderedSite(rendered, page_outputs,
                        tuple(sorted(gathered.held_back, key=lambda h: (h.source, h.lang))),
                        tuple(gathered.warnings) + tuple(warnings),
                        gathered.read)


def _add_static_file(files: PackedFiles, cache: ResultCache, name: str, path: Path,
                     state: str) -> None:
    """Add the static file at `path` to `files` as `name`. Its `packed_digest`
    is kept under the file's `cache.file_state`, so an unchanged file is read
    only if it is written: every build read and packed every image of
    `static/` and held them all until the swap (200 MB of them made a build
    after one edit of 1,000 articles 0.3 s slower and 190 MB larger)."""
    key = f"{path}\0{state}".encode()
    digest = cache.peek("static", key, keep=False)
    if isinstance(digest, bytes) and state != "missing":
        files.set_stored(name, digest, partial(_packed_static_file, path, digest))
        return
    files.set_packed(name, pack(path.read_bytes()))
    cache.put("static", key, files.digest(name), keep=False, owner=str(path))


def _packed_static_file(path: Path, digest: bytes) -> bytes:
    """The file `_add_static_file` vouched for, packed; refused when it is no
    longer the file of `digest`: it was changed while the site was built."""
    packed = pack(path.read_bytes())
    if packed_digest(packed) != digest:
        raise BilingualError("changed while the site was built; build again", path)
    return packed


def _site_identity(config: SiteConfig, plan: SitePlan, drafts: bool) -> bytes:
    """What every page depends on besides its own article, tag or group, and
    the links it resolves: configuration, templates and UI catalogs."""
    digest = hashlib.sha256(pickle.dumps((config, plan.base_url, plan.languages, drafts),
                                         pickle.HIGHEST_PROTOCOL))
    for name, path in template_files(config):
        digest.update(name.encode() + b"\0" + path.read_bytes())
    for lang in config.ui_catalog_languages:
        ui = config.locale_dir(lang) / UI_CATALOG
        digest.update(lang.encode() + b"\0" + (ui.read_bytes() if ui.is_file() else b""))
    return digest.digest()


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


def _sitemap_part(plan: SitePlan, published: list[Article], tags: Sequence[TagPage],
                  number: int) -> bytes:
    return sitemap_xml(plan, _lastmod(published, tags), number)


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
