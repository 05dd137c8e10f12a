"""`bilingual update`: extract segments and UI strings, merge them into every
target catalog, write what changed.

The work is split in two so that `bilingual check` can ask "would update change
anything?" without writing: `plan_update` computes every catalog's new text,
`apply_plan` writes the ones that differ.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polib
from babel import Locale
from babel.messages.catalog import Message
from babel.messages.plurals import get_plural

from bilingual.cache import ResultCache, file_state, pickle_by_fields, project_cache, tree_state
from bilingual.catalog import (
    FileVersion,
    PlainMessage,
    decode_catalog,
    format_catalog,
    header_text,
    line_starting,
    parse_catalog,
    read_catalog,
    read_catalog_bytes,
    read_plain_or_parsed,
    set_header_text,
    unholdable_character,
    unholdable_message,
    with_header_field,
    write_if_changed,
)
from bilingual.config import BUILTIN, SiteConfig
from bilingual.errors import BilingualError, CatalogError, FileChangedError, SourceError
from bilingual.formats import FormatError, parse_plural_forms, plural_forms_problem
from bilingual.merge import (
    Key,
    MemoryPart,
    MergeStats,
    Remembered,
    combine_memory,
    memory_part,
    merge_catalog,
)
from bilingual.parallel import map_chunks
from bilingual.progress import NullProgress, ProgressLike
from bilingual.reading import cached_segments, cached_source, prefetch
from bilingual.segment import Segment, SegmentedDoc, front_matter_segments
from bilingual.sitetext import SITE_TEXT_CONTEXTS, site_text_entries
from bilingual.sources import (
    SourceDoc,
    article_files,
    content_files,
    content_key,
    content_keys,
    content_name_warnings,
    file_names_below,
    relative_posix,
)

# Every run loads the stats of each stable catalog from the cache (`_stable_by_state`).
pickle_by_fields(MergeStats)

UI_CATALOG = "_ui.po"
"""The catalog of the templates' UI strings; the underscore keeps it apart from
article catalogs (articles whose name starts with `_` are not read)."""
UI_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
               "npgettext": ((1, "c"), 2, 3)}


@dataclass(frozen=True, slots=True)
class CatalogPlan:
    """What `update` would do to one catalog."""

    path: Path
    planned: str | None
    """The new text; None for a catalog known to stay as it is, read when asked for."""
    changed: bool
    created: bool
    stats: MergeStats
    source: str
    """The article (or `templates/`) the catalog translates, relative to the root."""
    read: FileVersion | None
    """The version of the catalog file the new text was merged from, which
    `apply_plan` replaces only while the file still holds it; None when the
    file was not read (it stays as it is)."""

    @property
    def text(self) -> str:
        """The catalog's text after `update`."""
        return self.planned if self.planned is not None else \
            self.path.read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    """Every catalog's new text plus the problems that held some back."""

    catalogs: tuple[CatalogPlan, ...]
    errors: tuple[BilingualError, ...] = field(default=())
    articles: int = 0
    """Source-language articles found, readable or not."""
    warnings: tuple[tuple[str, str], ...] = field(default=())
    """(file as shown, message) of what the user should know but blocks
    nothing: names in the content folders that build here but not for every
    author (`sources.content_name_warnings`)."""

    @property
    def changed(self) -> tuple[CatalogPlan, ...]:
        return tuple(c for c in self.catalogs if c.changed)


@dataclass(frozen=True, slots=True)
class AppliedPlan:
    """What `apply_plan` wrote, and the catalogs it left alone because they
    changed on disk after `plan_update` read them."""

    written: tuple[CatalogPlan, ...]
    errors: tuple[FileChangedError, ...] = field(default=())


def catalog_path(config: SiteConfig, lang: str, key: PurePosixPath) -> Path:
    """`content/de/blog/x.md` -> `locales/<lang>/LC_MESSAGES/blog/x.po`."""
    return config.locale_dir(lang) / key.with_suffix(".po")


def relative(config: SiteConfig, path: Path) -> str:
    """A path as shown in catalogs and messages: relative to the root, with `/`."""
    return relative_posix(config.root, path)


def template_entries(segmented: SegmentedDoc, reference: str) -> list[polib.POEntry]:
    """The catalog template of one article: one entry per segment."""
    return [
        polib.POEntry(msgid=s.msgid, msgctxt=s.context, comment=s.kind,
                      occurrences=[(reference, "")])
        for s in segmented.segments
    ]


def unholdable_texts(cache: ResultCache, doc: SourceDoc) -> list[SourceError]:
    """The segments of an article that no catalog can hold (they have a NUL or
    an EOT, typed in the body or made by a YAML escape in the front matter),
    each as an error naming the article and the character's line. The body is
    segmented (through the cache) only when it holds such a character at all:
    code blocks, which are not extracted, may."""
    segments: tuple[Segment, ...] | list[Segment] = front_matter_segments(doc)
    if unholdable_character(doc.body) is not None:
        segments = cached_segments(cache, doc).segments
    errors = []
    for segment in segments:
        char = unholdable_character(segment.msgid)
        if char is not None:
            errors.append(SourceError(
                unholdable_message(segment.kind, segment.msgid, char)
                + " (until then the article's catalogs are left as they are)",
                doc.path, _character_line(doc, segment, char)))
    return errors


def _character_line(doc: SourceDoc, segment: Segment, char: str) -> int:
    """The line of `char` in the file: a segment's line is where its block
    starts, and a paragraph can go on for many lines."""
    if segment.line < doc.body_line:
        # A front matter field, whose character may come from a YAML escape
        # (`"\x04"`) and so be nowhere in the file.
        return segment.line
    lines = doc.body.split("\n")
    for index in range(segment.line - doc.body_line, len(lines)):
        if char in lines[index]:
            return doc.body_line + index
    return segment.line


def ui_catalog_entries(config: SiteConfig) -> list[polib.POEntry]:
    """Every entry of the UI catalog (`_ui.po`) and its POT: the site's title
    and description from bilingual.toml first, then the templates' strings."""
    return [*site_text_entries(config), *ui_template_entries(config)]


def template_strings(entries: list[polib.POEntry]) -> list[polib.POEntry]:
    """The templates' strings of `ui_catalog_entries`: what the source
    language's UI catalog holds, as its pages show the configured title and
    description."""
    return [entry for entry in entries if entry.msgctxt not in SITE_TEXT_CONTEXTS]


def ui_template_entries(config: SiteConfig) -> list[polib.POEntry]:
    """UI strings of every template (Babel's Jinja2 extractor), plurals included.

    The templates are the ones the build uses: the project's `templates/`, and
    the built-in template for any name it lacks; both are referenced as
    `templates/<name>`. Extracting loads the build and Jinja2's lexer, some
    50 ms of every `update`, so the strings are kept in the cache under the
    state of both template folders."""
    folder = relative(config, config.templates_dir)
    template_folders = [config.templates_dir, BUILTIN / "templates"]
    state = tree_state(template_folders, hidden_kept=template_folders)
    strings = project_cache(config.root).get(
        "ui-strings", state + folder.encode(), lambda: _extract_ui_strings(config, folder),
        owner=folder)
    return [polib.POEntry(msgid=msgid, msgid_plural=plural, msgctxt=context, comment=comment,
                          occurrences=list(references), flags=ui_flags(msgid, plural))
            for msgid, plural, context, comment, references in strings]


def ui_flags(msgid: str, plural: str) -> list[str]:
    """`python-format` for a UI string with Python placeholders, as `pybabel
    extract` flags it: the build fills in every UI string with `%`, and the
    flag has msgfmt -c, Poedit and Weblate check the translation's
    placeholders too. `update` merges it into existing catalogs (a template's
    flags come first)."""
    return ["python-format"] if Message((msgid, plural) if plural else msgid).python_format \
        else []


TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".xml", ".txt", ".svg", ".j2", ".jinja",
                               ".jinja2"})
"""Names of files that are templates for sure: one that Jinja2 cannot parse
is an error. Any other text file in `templates/` (a README, a script) gives
its strings when it parses and is left alone when it does not."""


def _extract_ui_strings(config: SiteConfig, folder: str) -> tuple[
        tuple[str, str, str | None, str, tuple[tuple[str, str], ...]], ...]:
    """(msgid, msgid_plural, msgctxt, comment, references) of each UI string."""
    from babel.messages.extract import extract
    from jinja2.ext import babel_extract

    # Imported here: the templates module imports this one.
    from bilingual.templates import template_files

    entries: dict[tuple[str | None, str], polib.POEntry] = {}
    for name, path in template_files(config):
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # an image or font kept beside the templates: no template
        reference = folder + "/" + name
        try:
            found = list(extract(babel_extract, io.BytesIO(data), keywords=UI_KEYWORDS,
                                 comment_tags=("Translators:",),
                                 # Not silent: Jinja2 would skip a template it cannot
                                 # parse, and its strings would go obsolete. Blocks
                                 # trimmed as the build's environment trims them, or
                                 # a `{% trans notrimmed %}` text would not be the
                                 # one the pages look up.
                                 options={"extensions": "jinja2.ext.i18n",
                                          "trimmed": "true", "silent": "false",
                                          "trim_blocks": "true", "lstrip_blocks": "true",
                                          "keep_trailing_newline": "true"}))
        except Exception as exc:  # noqa: BLE001 - Jinja2 raises many kinds
            if PurePosixPath(name).suffix not in TEMPLATE_SUFFIXES:
                continue  # a README or a script beside the templates, no template of Jinja2's
            line = getattr(exc, "lineno", None)
            raise BilingualError(f"cannot extract UI strings: {exc}", path, line) from None
        for lineno, message, comments, context in found:
            singular, plural = (message if isinstance(message, tuple) else (message, None))[:2]
            for text in (singular, plural, context):
                if text and (char := unholdable_character(text)) is not None:
                    raise BilingualError(unholdable_message("UI string", text, char), path, lineno)
            key = (context, singular)
            if key not in entries:
                entries[key] = polib.POEntry(
                    msgid=singular, msgid_plural=plural or "", msgctxt=context,
                    comment="\n".join(comments), occurrences=[])
            elif plural and not entries[key].msgid_plural:
                # `_("Kommentar")` first, `ngettext("Kommentar", …)` after: one
                # entry, and it needs the plural, or ngettext finds no forms.
                entries[key].msgid_plural = plural
            if (reference, "") not in entries[key].occurrences:
                entries[key].occurrences.append((reference, ""))
    return tuple((e.msgid, e.msgid_plural, e.msgctxt, e.comment, tuple(e.occurrences))
                 for e in entries.values())


def new_header(config: SiteConfig, lang: str, plural_forms: str) -> dict[str, str]:
    """Header fields of a catalog that does not exist yet; `plural_forms` is
    the language's rule (`language_plural_forms`)."""
    return {
        "Project-Id-Version": config.title,
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": Locale.parse(config.babel_locale(lang)).english_name or lang,
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms,
    }


def language_plural_forms(config: SiteConfig, lang: str,
                          existing: list[str]) -> tuple[str, int]:
    """The `Plural-Forms` of a language's new catalogs, and its number of
    forms: the rule its UI catalog declares, else its first catalog of
    `existing` (in path order), so that a project keeps one rule per
    language whichever Babel release made its first catalog; for a language
    without either, Babel's rule for its locale. Babel 2.19 and later take
    that from CLDR, which gives Spanish, French, Italian, Portuguese and
    Catalan a third form, for millions, that GNU msginit's rule (and the
    catalogs of any project begun before) lack: without this, a project's
    new catalogs would ask for a form its others do not have."""
    ui = config.locale_dir(lang) / UI_CATALOG
    first = next((path for path in existing if path != str(ui)), None)
    for path in [ui, *([Path(first)] if first is not None else [])]:
        declared = _declared_plural_forms(path)
        if declared is not None:
            return declared
    plural = get_plural(config.babel_locale(lang))
    return f"nplurals={plural.num_plurals}; plural={plural.plural_expr};", plural.num_plurals


def _declared_plural_forms(path: Path) -> tuple[str, int] | None:
    """A catalog's `Plural-Forms` and its number of forms, when it has one
    that msgfmt -c accepts."""
    try:
        declared = read_catalog(path).metadata.get("Plural-Forms") if path.is_file() else None
        return (declared, parse_plural_forms(declared).nplurals) if declared else None
    except (BilingualError, FormatError):
        return None  # a catalog that cannot be read, or its rule, is reported by its merge


def _header_comment(config: SiteConfig, lang: str, source: str) -> str:
    name = Locale.parse(config.babel_locale(lang)).english_name or lang
    return f"{name} translation of {source}.\nMaintained by bilingual; edit msgstr lines only."


def _existing_catalogs(config: SiteConfig, lang: str) -> list[str]:
    """Every catalog of a language, as `Path`s sort: strings, as most are only looked up."""
    return file_names_below(config.locale_dir(lang), ".po")


def catalog_files(config: SiteConfig, lang: str, keys: list[str]) -> list[str]:
    """`catalog_path` of each article of `keys` (`sources.content_keys`), as
    strings: made by joining, without pathlib."""
    folder = f"{config.locale_dir(lang)}{os.sep}"
    # An article's name ends in `.md`: the catalog's ends in `.po` instead.
    return [f"{folder}{key[:-3].replace('/', os.sep)}.po" for key in keys]


@dataclass(frozen=True, slots=True)
class _Article:
    doc: SourceDoc
    reference: str
    digest: bytes
    """SHA-256 of the article file's bytes."""
    state: str
    """`cache.file_state` of the article file, taken before reading it."""


class _Memory:
    """The translation memory of one language (`merge.build_memory` of every
    catalog), asked for the few texts a merge finds missing from its own
    catalog. It holds no translation: each catalog's texts are known by
    their digests, kept in the cache under the catalog's file state, and the
    catalog that has a text first is read when the text is asked for. An
    update after an author added a paragraph read and parsed every catalog
    of the language to make the whole memory: at 10,000 articles 7.8 s of an
    update that takes 0.7 s after a paragraph was edited."""

    def __init__(self, config: SiteConfig, cache: ResultCache, lang: str, catalogs: list[str],
                 reader: _CatalogReader):
        self._config, self._cache, self._lang = config, cache, lang
        self._catalogs, self._reader = catalogs, reader
        self._index: tuple[dict[bytes, int], dict[bytes, int]] | None = None
        self._parts: dict[int, MemoryPart | None] = {}
        self._whole: dict[Key, Remembered] | None = None

    def get(self, key: Key) -> Remembered | None:
        if self._whole is not None:
            return self._whole.get(key)
        if self._index is None:
            self._index = self._read_index()
        digest = _text_digest(key)
        for first, side in zip(self._index, (0, 1), strict=True):  # live, then obsolete
            index = first.get(digest)
            if index is None:
                continue
            part = self._part(index)
            found = next((hit for known, hit in part[side] if known == key), None) \
                if part is not None else None
            if found is None:
                # The catalog changed since its digests were kept, or two
                # texts share a digest: the whole memory, as it is now.
                self._whole = combine_memory(
                    part for index in range(len(self._catalogs))
                    if (part := self._part(index)) is not None)
                return self._whole.get(key)
            return found
        return None

    def _part(self, index: int) -> MemoryPart | None:
        """The `merge.memory_part` of one catalog, read now (None: unreadable)."""
        if index not in self._parts:
            path = Path(self._catalogs[index])
            catalog = self._reader.read_for_memory(path)
            self._parts[index] = None if catalog is None else memory_part(
                _origin(self._config, self._lang, path), catalog)
        return self._parts[index]

    def _read_index(self) -> tuple[dict[bytes, int], dict[bytes, int]]:
        """Text digest -> the first catalog holding it, among live and among
        obsolete finished translations; each catalog's digests from the cache
        when its state is the one they were kept under, else from the file."""
        keys = [f"{path}\0{file_state(path)}".encode() for path in self._catalogs]
        first: tuple[dict[bytes, int], dict[bytes, int]] = ({}, {})
        kept = self._cache.peek_many("memory-texts", keys, keep=False)
        for index, (path, key, digests) in enumerate(zip(self._catalogs, keys, kept,
                                                         strict=True)):
            if not isinstance(digests, tuple):
                part = self._part(index)
                if part is None:
                    continue  # reported by its own merge
                digests = tuple(b"".join(_text_digest(text) for text, _ in side)
                                for side in part)
                self._cache.put("memory-texts", key, digests, keep=False, owner=str(path))
            for known, joined in zip(first, digests, strict=True):
                for start in range(0, len(joined), _TEXT_DIGEST_SIZE):
                    known.setdefault(joined[start:start + _TEXT_DIGEST_SIZE], index)
        return first


_TEXT_DIGEST_SIZE = 16


def _text_digest(key: Key) -> bytes:
    """A digest of a memory's key (context, text); neither can hold NUL or EOT."""
    context, msgid = key
    text = f"\0{msgid}" if context is None else f"{context}\x04{msgid}"
    return hashlib.blake2b(text.encode(), digest_size=_TEXT_DIGEST_SIZE).digest()


def _stable_input(config: SiteConfig, lang: str, article: _Article, catalog: bytes) -> bytes:
    # Everything a merge of an existing catalog depends on, besides the memory,
    # which only fills segments the catalog lacks (and a stable catalog lacks none).
    # `catalog` is the SHA-256 of the catalog's bytes.
    return (f"{lang}\0{config.babel_locale(lang)}\0{article.reference}\0".encode()
            + article.digest + catalog)


def _stable_files(config: SiteConfig, lang: str, reference: str, article: str,
                  catalog: str) -> bytes:
    # `_stable_input` with the files' states (`cache.file_state`) for their bytes.
    return f"{lang}\0{config.babel_locale(lang)}\0{reference}\0{article}\0{catalog}".encode()


def _stable_by_state(config: SiteConfig, paths: list[str], references: list[str],
                     catalogs: dict[str, list[str]],
                     cache: ResultCache) -> dict[str, list[MergeStats | None]]:
    """Language -> the merge stats of each article's catalog (`catalogs`, by
    language, in the order of `paths`) known to be stable (its own merge
    result) for the very file states of it and its article, else None: found
    without reading either file. `references` are the articles as catalogs
    name them."""
    states = [file_state(path) for path in paths]
    inputs: list[bytes] = []
    for lang in config.target_languages:
        inputs.extend(_stable_files(config, lang, reference, state, file_state(catalog))
                      for state, reference, catalog in zip(states, references, catalogs[lang],
                                                           strict=True))
    found = cache.peek_many("stable-files", inputs, keep=False)
    return {lang: [stats if isinstance(stats, MergeStats) else None
                   for stats in found[index * len(paths):(index + 1) * len(paths)]]
            for index, lang in enumerate(config.target_languages)}


def plan_update(config: SiteConfig, progress: ProgressLike | None = None) -> UpdatePlan:
    """Compute every target catalog's new text; read-only.

    A catalog that this version of bilingual wrote from the very same article
    bytes is its own merge result (merging is idempotent), so it is not read
    or merged again; `.bilingual-cache/` remembers which ones those are, by
    the files' bytes and, so that an unchanged pair is not even read, by
    their states (`cache.file_state`)."""
    progress = progress if progress is not None else NullProgress()
    cache = project_cache(config.root)
    errors: list[BilingualError] = []
    # Key -> the article; None when the article cannot be read, so that its
    # catalog is left as it is rather than made obsolete.
    sources: dict[PurePosixPath, _Article | None] = {}
    content = config.content_dir(config.source_language)
    # Every article and catalog as a string, made by joining: most are only
    # `stat`ed, and a `Path` of each took a tenth of an update at 10,000.
    listed = content_files(content)  # for the articles and the names' warnings
    paths = article_files(content, listed)
    shown = relative(config, content)
    keys = content_keys(content, paths)
    references = [f"{shown}/{key}" for key in keys]  # `relative` of each
    catalogs = {lang: catalog_files(config, lang, keys)
                for lang in config.target_languages}
    stable_files = _stable_by_state(config, paths, references, catalogs, cache)
    # Articles whose every catalog is stable are not read at all.
    changed = {index for found in stable_files.values()
               for index, stats in enumerate(found) if stats is None}
    settled = [index for index in range(len(paths)) if index not in changed]
    unsettled = [Path(paths[index]) for index in sorted(changed)]
    prefetch(cache, [(path, content, config.source_language) for path in unsettled], ())
    progress.start(len(paths), "Reading articles")
    progress.advance(len(settled))
    for path in unsettled:
        try:
            state = file_state(path)
            doc = cached_source(cache, path, content, config.source_language)
            digest = hashlib.sha256(path.read_bytes()).digest()
        except BilingualError as exc:
            errors.append(exc)
            sources[content_key(content, path)] = None
        else:
            # Such an article is left out like an unreadable one: no catalog
            # could be written, and its catalogs must not become obsolete.
            unholdable = unholdable_texts(cache, doc)
            errors.extend(unholdable)
            sources[doc.key] = None if unholdable else \
                _Article(doc, relative(config, path), digest, state)
        progress.advance()
    try:
        ui = ui_catalog_entries(config)
    except BilingualError as exc:
        errors.append(exc)
        ui = None

    plans: list[CatalogPlan] = []
    for lang in config.ui_catalog_languages:
        # The source language has a UI catalog only (`SiteConfig.ui_catalog_languages`).
        translated = lang != config.source_language
        existing = _existing_catalogs(config, lang)
        old = _CatalogReader()
        memory = _Memory(config, cache, lang, existing, old)

        settled_catalogs = [catalogs[lang][index] for index in settled] if translated else []
        # By the catalogs' strings, as most are only looked up.
        wanted: dict[str, tuple[str | None, _Article | list[polib.POEntry] | None]] = \
            dict.fromkeys(settled_catalogs, (None, None))  # planned below, as they are
        for key, article in sources.items() if translated else ():
            path = catalog_path(config, lang, key)
            wanted[str(path)] = (article.reference, article) if article is not None \
                else (None, None)
        wanted[str(config.locale_dir(lang) / UI_CATALOG)] = (
            relative(config, config.templates_dir) + "/",
            ui if translated or ui is None else template_strings(ui))
        orphans = [Path(path) for path in existing if path not in wanted]
        for path in orphans:
            # A catalog whose article is gone: every entry becomes obsolete.
            wanted[str(path)] = (_origin(config, lang, path), [])

        # Catalogs that need a merge are merged on every core; the rest are stable.
        first = len(plans)
        # (catalog, source, entries, the catalog's state before it was read, or
        # "missing"): the worker reads the catalog itself.
        jobs: list[tuple[Path, str, _Article | list[polib.POEntry], str]] = []
        for path, source, entries in sorted(
                ((Path(path), source, entries) for path, (source, entries) in wanted.items()
                 if entries is not None and source is not None), key=lambda job: job[0]):
            # The state is taken first: a write after it only makes the next run look again.
            state = file_state(path)
            exists = path.is_file()
            try:
                current = read_catalog_bytes(path) if exists else None
            except CatalogError:
                current = None  # its merge reads it again and reports why
            if isinstance(entries, _Article) and current is not None:
                read = FileVersion.of(current)
                stable = cache.peek("stable", _stable_input(config, lang, entries, read.digest))
                if isinstance(stable, MergeStats):
                    plans.append(CatalogPlan(path, current.decode("utf-8"), False, False,
                                             stable, source, read))
                    cache.put("stable-files", _stable_files(
                        config, lang, source, entries.state, state), stable, owner=str(path))
                    continue
            jobs.append((path, source, entries, state if exists else "missing"))
        for index, catalog in zip(settled if translated else (), settled_catalogs, strict=True):
            plans.append(CatalogPlan(Path(catalog), None, False, False,
                                     stable_files[lang][index], references[index], None))

        plural_forms, nplurals = language_plural_forms(config, lang, existing) if jobs \
            else ("", 0)  # read only when a catalog is merged
        # A new catalog may be an old one's article renamed or moved, and edited.
        predecessors = _predecessors(config, lang, orphans, old) if any(
            state == "missing" and isinstance(entries, _Article)
            for _, _, entries, state in jobs) else ()

        def merge(job: tuple[Path, str, _Article | list[polib.POEntry], str],
                  lang: str = lang, old: _CatalogReader = old, memory: _Memory = memory,
                  plural_forms: str = plural_forms, nplurals: int = nplurals,
                  predecessors: tuple[tuple[str, polib.POFile], ...] = predecessors,
                  ) -> tuple[CatalogPlan, bytes] | CatalogError | SourceError | None:
            """The catalog's plan and the SHA-256 of the text it plans."""
            path, source, entries, state = job
            try:  # a catalog that is there but cannot be read is not made anew
                current = read_catalog_bytes(path) if state != "missing" else None
            except CatalogError as exc:
                return exc
            if isinstance(entries, _Article):
                try:
                    entries = template_entries(cached_segments(cache, entries.doc), source)
                except SourceError as exc:  # nested too deeply: this article's error alone
                    return exc
            try:
                # Parsed from the very bytes whose version the plan records.
                previous = old.read(path, current) if current is not None else None
            except CatalogError as exc:
                return exc
            if previous is not None and current is not None and \
                    ((problem := _plural_forms_problem(previous, path, current)) is not None
                     or (problem := _plural_forms_missing(previous, path, plural_forms,
                                                          nplurals)) is not None):
                return problem
            if previous is None and not entries:
                return None  # nothing to translate: no empty catalog is created
            catalog, stats = merge_catalog(previous, entries,
                                           new_header(config, lang, plural_forms),
                                           _header_comment(config, lang, source), memory,
                                           nplurals, predecessors if previous is None else ())
            # Catalogs are always written in UTF-8, whatever charset they were read in.
            set_header_text(catalog, with_header_field(header_text(catalog), "Content-Type",
                                                       "text/plain; charset=UTF-8"))
            text = format_catalog(catalog)
            cache.release()  # the segments read for this merge: one article at a time
            data = text.encode("utf-8")
            changed = data != current
            # An unchanged catalog's text is the file's: not sent back and held.
            return (CatalogPlan(path, text if changed else None, changed, previous is None,
                                stats, source, FileVersion.of(current)),
                    hashlib.sha256(data).digest())

        merged: list[CatalogPlan] = []
        progress.start(len(jobs), f"Merging {lang} catalogs")
        for job, result in zip(jobs, map_chunks(merge, jobs, progress.advance), strict=True):
            if isinstance(result, (CatalogError, SourceError)):
                errors.append(result)
            elif result is not None:
                planned, digest = result
                article = job[2]
                if isinstance(article, _Article):
                    # Merging the text again would keep every entry and change nothing.
                    stable = MergeStats(kept=planned.stats.kept + planned.stats.fuzzy
                                        + planned.stats.from_memory + planned.stats.new)
                    owner = str(job[0])
                    cache.put("stable", _stable_input(config, lang, article, digest), stable,
                              owner=owner)
                    if not planned.changed:  # the file is the merge result, as it was read
                        cache.put("stable-files", _stable_files(
                            config, lang, article.reference, article.state, job[3]), stable,
                            owner=owner)
                merged.append(planned)
        plans[first:] = sorted([*plans[first:], *merged], key=lambda plan: plan.path)
    progress.finish()
    cache.flush()
    return UpdatePlan(tuple(plans), tuple(errors), len(paths),
                      tuple(content_name_warnings(config, listed={content: listed})))


def _plural_forms_problem(catalog: polib.POFile, path: Path, data: bytes) -> CatalogError | None:
    """A header whose Plural-Forms msgfmt -c rejects: such a catalog is not merged,
    so that update writes none that msgfmt refuses and guesses no plural rule."""
    forms = catalog.metadata.get("Plural-Forms")
    reason = plural_forms_problem(forms) if forms is not None else None
    if reason is None:
        return None
    return CatalogError(f"Plural-Forms {forms!r}: {reason}; correct the header (msgfmt -c "
                        "rejects it), then update again", path,
                        line_starting(data.decode("utf-8", "replace"), '"Plural-Forms:'))


class UnmergeableCatalog(CatalogError):
    """A catalog that can be read but that `update` will not merge, which
    `check` reports from the plan, as it does not find it by reading."""


def _plural_forms_missing(catalog: polib.POFile, path: Path, plural_forms: str,
                          nplurals: int) -> CatalogError | None:
    """A catalog with plural entries and no Plural-Forms, one of whose
    translations is in a form the language has not: `update` would add the
    language's rule and cut every plural entry to its forms, and that
    translation (`msgstr[1]` of a Japanese entry) would be gone. Not merged
    until the header says how many forms it has."""
    if "Plural-Forms" in catalog.metadata:
        return None
    # Only a translation in a form past the language's is lost: padding
    # (Polish, three forms) and cutting empty forms lose nothing.
    plural = next((entry for entry in catalog if entry.msgid_plural and not entry.obsolete
                   and any(text and index >= nplurals
                           for index, text in entry.msgstr_plural.items())), None)
    if plural is None:
        return None
    return UnmergeableCatalog(f"plural entries but no Plural-Forms in the header: gettext reads "
                        f"them with two forms, the language has {nplurals} "
                        f"({plural_forms}); add that Plural-Forms line to the header and "
                        "put each translation in its form, then update again", path,
                        plural.linenum)


class _CatalogReader:
    """Reads catalogs for the merges and the translation memory. A catalog that
    cannot be read fails once and is remembered; a parsed one is not kept (the
    memory, when a merge needs it, parses it again): ten thousand parsed
    catalogs held side by side took gigabytes."""

    def __init__(self) -> None:
        self._errors: dict[Path, CatalogError] = {}

    def read(self, path: Path, data: bytes | None = None) -> polib.POFile:
        """The parsed catalog (from `data` when given, the file's bytes);
        raises CatalogError when it cannot be read."""
        if path in self._errors:
            raise self._errors[path]
        try:
            if data is not None:
                return parse_catalog(decode_catalog(data, path), path)
            return read_catalog(path)
        except CatalogError as exc:
            self._errors[path] = exc
            raise

    def read_for_memory(self, path: Path) -> polib.POFile | list[PlainMessage] | None:
        """The catalog as `merge.build_memory` takes it (`read_plain_or_parsed`);
        None when it cannot be read (its own merge reports it)."""
        if path in self._errors:
            return None
        try:
            return read_plain_or_parsed(path)
        except CatalogError as exc:
            self._errors[path] = exc
            return None


def _predecessors(config: SiteConfig, lang: str, orphans: list[Path],
                  reader: _CatalogReader) -> tuple[tuple[str, polib.POFile], ...]:
    """(origin, catalog) of each catalog whose article is gone that can be
    read (one that cannot is reported by its own merge)."""
    found = []
    for path in orphans:
        if path.name == UI_CATALOG:
            continue
        try:
            found.append((_origin(config, lang, path), reader.read(path)))
        except CatalogError:
            continue
    return tuple(found)


def _origin(config: SiteConfig, lang: str, path: Path) -> str:
    """The source a catalog translates, from the catalog's own path."""
    key = path.relative_to(config.locale_dir(lang)).with_suffix(".md")
    if path.name == UI_CATALOG:
        return relative(config, config.templates_dir) + "/"
    return relative(config, config.content_dir(config.source_language) / key)


def apply_plan(plan: UpdatePlan) -> AppliedPlan:
    """Write every changed catalog atomically, each only while the file still
    holds the version its plan was merged from: a translation saved while
    `update` ran is kept as saved (and reported), never replaced."""
    written = []
    errors = []
    for catalog in plan.changed:
        try:
            if write_if_changed(catalog.path, catalog.text, catalog.read):
                written.append(catalog)
        except FileChangedError:
            errors.append(FileChangedError(catalog.path, "bilingual update"))
    return AppliedPlan(tuple(written), tuple(errors))
