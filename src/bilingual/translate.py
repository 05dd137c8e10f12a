"""Applying translations: a segmented article + its catalog -> `TranslatedDoc`.

Only finished translations are applied: an entry that is empty, only
whitespace (`merge.is_filled`) or fuzzy counts as missing, and the article is
complete (publishable) only when nothing is missing. Fuzzy entries are listed
apart so messages can say why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import polib

from bilingual.merge import composed_key, entry_key, is_fuzzy, is_translated
from bilingual.segment import SLUG_CONTEXT, Segment, SegmentedDoc, as_image_alt


@dataclass(frozen=True, slots=True)
class TranslatedDoc:
    """An article in one target language: its translations and what is lacking."""

    segmented: SegmentedDoc
    lang: str
    translations: Mapping[tuple[str | None, str], str]
    missing: tuple[Segment, ...] = ()
    """Segments with no usable translation (untranslated or fuzzy)."""
    fuzzy: tuple[Segment, ...] = ()
    meta: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """Front matter with title, description, tags and slug translated."""

    @property
    def complete(self) -> bool:
        return not self.missing

    def lookup(self, msgid: str, context: str | None = None) -> str | None:
        """The finished translation of a segment, or None."""
        return self.translations.get((context, msgid))


def translated_meta(source_meta: Mapping[str, object],
                    translations: Mapping[tuple[str | None, str], str]) -> dict[str, object]:
    """The front matter with its translatable fields replaced where translated
    (`translations`: finished ones, by (msgctxt, msgid))."""
    meta = dict(source_meta)
    for name in ("title", "description"):
        value = meta.get(name)
        if isinstance(value, str):
            meta[name] = translations.get((None, value), value)
    if meta.get("tags"):
        meta["tags"] = tuple(translations.get((None, t), t) for t in meta["tags"])
    slug = meta.get("slug")
    if isinstance(slug, str):
        meta["slug"] = translations.get((SLUG_CONTEXT, slug), slug)
    return meta


@dataclass(frozen=True, slots=True)
class EntryState:
    """What applying translations needs of one live catalog entry."""

    msgstr: str
    translated: bool
    """Has a translation that is not fuzzy (`merge.is_translated`)."""
    fuzzy: bool
    line: int
    """1-based line of the entry in its catalog, for messages."""


CatalogStates = Mapping[tuple[str | None, str], EntryState]


def catalog_states(catalog: polib.POFile) -> CatalogStates:
    """The live (not obsolete) entries of a catalog by (msgctxt, msgid)."""
    return MappingProxyType({
        entry_key(e): EntryState(e.msgstr, is_translated(e), is_fuzzy(e), e.linenum)
        for e in catalog if not e.obsolete})


def catalog_entry(catalog: CatalogStates, key: tuple[str | None, str]) -> EntryState | None:
    """The entry of `key` in `catalog`, or of the same text with its letters
    composed otherwise (NFC, NFD: an article saved again by a Mac tool), as
    long as `update` has not written it as the article has it."""
    entry = catalog.get(key)
    if entry is None and not key[1].isascii():  # a new segment, mostly: one pass
        wanted = composed_key(key)
        entry = next((state for other, state in catalog.items()
                      if not other[1].isascii() and composed_key(other) == wanted), None)
    return entry


def translate_document(segmented: SegmentedDoc, catalog: CatalogStates | None,
                       lang: str) -> TranslatedDoc:
    """Apply a catalog's entries (None when there is no catalog yet) to a
    segmented article."""
    entries = catalog or {}
    translations: dict[tuple[str | None, str], str] = {}
    missing: list[Segment] = []
    fuzzy: list[Segment] = []
    for segment in segmented.segments:
        key = (segment.context, segment.msgid)
        # A function call for each of a site's segments only where it finds none.
        entry = entries.get(key)
        if entry is None:
            entry = catalog_entry(entries, key)
        if entry is not None and entry.translated:
            # An alt text's `]` is escaped; elsewhere `\]` shows as `]` all the same.
            translations[key] = (
                as_image_alt(entry.msgstr)
                if "image alt" in segment.kind and "image alt" in segment.kind.split(", ")
                else entry.msgstr)
        else:
            missing.append(segment)
            if entry is not None and entry.fuzzy:
                fuzzy.append(segment)
    frozen = MappingProxyType(translations)
    return TranslatedDoc(segmented, lang, frozen, tuple(missing), tuple(fuzzy),
                         MappingProxyType(translated_meta(segmented.source.meta, frozen)))
