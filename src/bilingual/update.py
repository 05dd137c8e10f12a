"""`bilingual update`: extract segments and UI strings, merge them into every
target catalog, write what changed.

The work is split in two so that `bilingual check` can ask "would update change
anything?" without writing: `plan_update` computes every catalog's new text,
`apply_plan` writes the ones that differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polib
from babel import Locale
from babel.messages.extract import extract
from babel.messages.plurals import get_plural
from jinja2.ext import babel_extract

from bilingual.catalog import format_catalog, read_catalog, write_if_changed
from bilingual.config import SiteConfig
from bilingual.errors import BilingualError, CatalogError
from bilingual.merge import MergeStats, build_memory, merge_catalog
from bilingual.segment import SegmentedDoc, segment_document
from bilingual.sources import article_paths, read_source

UI_CATALOG = "_ui.po"
"""The catalog of the templates' UI strings; the underscore keeps it apart from
article catalogs (articles whose name starts with `_` are not read)."""
UI_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
               "npgettext": ((1, "c"), 2, 3)}


@dataclass(frozen=True, slots=True)
class CatalogPlan:
    """What `update` would do to one catalog."""

    path: Path
    text: str
    changed: bool
    created: bool
    stats: MergeStats
    source: str
    """The article (or `templates/`) the catalog translates, relative to the root."""


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    """Every catalog's new text plus the problems that held some back."""

    catalogs: tuple[CatalogPlan, ...]
    errors: tuple[BilingualError, ...] = field(default=())

    @property
    def changed(self) -> tuple[CatalogPlan, ...]:
        return tuple(c for c in self.catalogs if c.changed)


def catalog_path(config: SiteConfig, lang: str, key: PurePosixPath) -> Path:
    """`content/de/blog/x.md` -> `locales/<lang>/LC_MESSAGES/blog/x.po`."""
    return config.locale_dir(lang) / key.with_suffix(".po")


def relative(config: SiteConfig, path: Path) -> str:
    """A path as shown in catalogs and messages: relative to the root, with `/`."""
    return path.relative_to(config.root).as_posix()


def template_entries(segmented: SegmentedDoc, reference: str) -> list[polib.POEntry]:
    """The catalog template of one article: one entry per segment."""
    return [
        polib.POEntry(msgid=s.msgid, msgctxt=s.context, comment=s.kind,
                      occurrences=[(reference, "")])
        for s in segmented.segments
    ]


def ui_template_entries(config: SiteConfig) -> list[polib.POEntry]:
    """UI strings of every template (Babel's Jinja2 extractor), plurals included.

    The templates are the ones the build uses: the project's `templates/`, and
    the built-in template for any name it lacks; both are referenced as
    `templates/<name>`."""
    # Imported here: the build module imports this one.
    from bilingual.build import template_files

    entries: dict[tuple[str | None, str], polib.POEntry] = {}
    for name, path in template_files(config):
        if PurePosixPath(name).suffix not in (".html", ".xml", ".txt", ".j2"):
            continue
        reference = relative(config, config.templates_dir) + "/" + name
        with path.open("rb") as handle:
            try:
                found = list(extract(babel_extract, handle, keywords=UI_KEYWORDS,
                                     comment_tags=("Translators:",),
                                     options={"extensions": "jinja2.ext.i18n",
                                              "trimmed": "true"}))
            except Exception as exc:  # noqa: BLE001 - Jinja2 raises many kinds
                line = getattr(exc, "lineno", None)
                raise BilingualError(f"cannot extract UI strings: {exc}", path, line) from None
        for _lineno, message, comments, context in found:
            singular, plural = (message if isinstance(message, tuple) else (message, None))[:2]
            key = (context, singular)
            if key not in entries:
                entries[key] = polib.POEntry(
                    msgid=singular, msgid_plural=plural or "", msgctxt=context,
                    comment="\n".join(comments), occurrences=[])
            if (reference, "") not in entries[key].occurrences:
                entries[key].occurrences.append((reference, ""))
    return list(entries.values())


def new_header(config: SiteConfig, lang: str) -> dict[str, str]:
    """Header fields of a catalog that does not exist yet."""
    plural = get_plural(config.babel_locale(lang))
    return {
        "Project-Id-Version": config.title,
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": Locale.parse(config.babel_locale(lang)).english_name or lang,
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": f"nplurals={plural.num_plurals}; plural={plural.plural_expr};",
    }


def _header_comment(config: SiteConfig, lang: str, source: str) -> str:
    name = Locale.parse(config.babel_locale(lang)).english_name or lang
    return f"{name} translation of {source}.\nMaintained by bilingual; edit msgstr lines only."


def _existing_catalogs(config: SiteConfig, lang: str) -> Iterator[Path]:
    directory = config.locale_dir(lang)
    if directory.is_dir():
        yield from sorted(directory.rglob("*.po"))


def plan_update(config: SiteConfig) -> UpdatePlan:
    """Compute every target catalog's new text; read-only."""
    errors: list[BilingualError] = []
    # Key -> (reference, template entries); None when the article cannot be read,
    # so that its catalog is left as it is rather than made obsolete.
    sources: dict[PurePosixPath, tuple[str, list[polib.POEntry]] | None] = {}
    content = config.content_dir(config.source_language)
    for path in article_paths(content):
        try:
            doc = read_source(path, content, config.source_language)
            reference = relative(config, path)
            sources[doc.key] = (reference, template_entries(segment_document(doc), reference))
        except BilingualError as exc:
            errors.append(exc)
            sources[PurePosixPath(path.relative_to(content).as_posix())] = None
    try:
        ui_entries = ui_template_entries(config)
    except BilingualError as exc:
        errors.append(exc)
        ui_entries = None

    plans: list[CatalogPlan] = []
    for lang in config.target_languages:
        old: dict[Path, polib.POFile] = {}
        unreadable: set[Path] = set()
        for path in _existing_catalogs(config, lang):
            try:
                old[path] = read_catalog(path)
            except CatalogError as exc:
                errors.append(exc)
                unreadable.add(path)
        memory = build_memory((_origin(config, lang, p), c) for p, c in sorted(old.items()))
        nplurals = get_plural(config.babel_locale(lang)).num_plurals

        wanted: dict[Path, tuple[str, list[polib.POEntry] | None]] = {}
        for key, value in sources.items():
            path = catalog_path(config, lang, key)
            wanted[path] = value if value is not None else (None, None)
        wanted[config.locale_dir(lang) / UI_CATALOG] = (relative(config, config.templates_dir)
                                                       + "/", ui_entries)
        for path in old:
            # A catalog whose article is gone: every entry becomes obsolete.
            wanted.setdefault(path, (_origin(config, lang, path), []))

        for path, (source, entries) in sorted(wanted.items()):
            if path in unreadable or entries is None:
                continue
            previous = old.get(path)
            if previous is None and not entries:
                continue  # nothing to translate: no empty catalog is created
            catalog, stats = merge_catalog(previous, entries, new_header(config, lang),
                                           _header_comment(config, lang, source), memory,
                                           nplurals)
            # Catalogs are always written in UTF-8, whatever charset they were read in.
            catalog.metadata["Content-Type"] = "text/plain; charset=UTF-8"
            text = format_catalog(catalog)
            current = path.read_bytes() if previous is not None else None
            plans.append(CatalogPlan(path, text, text.encode("utf-8") != current,
                                     previous is None, stats, source))
    return UpdatePlan(tuple(plans), tuple(errors))


def _origin(config: SiteConfig, lang: str, path: Path) -> str:
    """The source a catalog translates, from the catalog's own path."""
    key = path.relative_to(config.locale_dir(lang)).with_suffix(".md")
    if path.name == UI_CATALOG:
        return relative(config, config.templates_dir) + "/"
    return relative(config, config.content_dir(config.source_language) / key)


def apply_plan(plan: UpdatePlan) -> tuple[CatalogPlan, ...]:
    """Write every changed catalog atomically; returns the ones written."""
    written = []
    for catalog in plan.changed:
        if write_if_changed(catalog.path, catalog.text):
            written.append(catalog)
    return tuple(written)
