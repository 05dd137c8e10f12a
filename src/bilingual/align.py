"""Aligning an existing translation: German article + its translated Markdown
-> catalog translations (what po4a calls gettextizing).

Both files are segmented the same way; segments pair up one to one when the
translated file keeps the German block structure. A structural difference is
an error naming the line in each file, since a silent misalignment would put
translations against the wrong German text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

from bilingual.catalog import format_catalog, read_catalog_version, write_if_changed
from bilingual.config import SiteConfig
from bilingual.errors import BilingualError, ConfigError, FileChangedError, location
from bilingual.merge import has_translation
from bilingual.segment import (
    SegmentedDoc,
    Slot,
    block_parser,
    document_blocks,
    front_matter_segments,
    segment_document,
)
from bilingual.sources import read_source

Key = tuple[str | None, str]


@dataclass(frozen=True, slots=True)
class Alignment:
    """Translations found by pairing two documents, and conflicts among them."""

    translations: tuple[tuple[Key, str], ...]
    conflicts: tuple[str, ...]


def _slots(doc: SegmentedDoc) -> list[Slot]:
    return [piece for piece in doc.skeleton if isinstance(piece, Slot)]


def _blocks(doc: SegmentedDoc) -> list[tuple[str, int]]:
    """(kind, 1-based file line) of each translatable block, as `_slots` has them."""
    body = doc.source.body
    env: dict = {}
    tokens = block_parser().parse(body, env)
    return [(block.kind, doc.source.body_line + block.line)
            for block in document_blocks(tokens, body, env)]


def _same_structure(german: SegmentedDoc, translated: SegmentedDoc) -> None:
    """Refuse a translation whose blocks are not the German's, kind by kind,
    naming the first that differs in each file: the same number of blocks in
    another order paired a heading with a paragraph's text."""
    ours, theirs = _blocks(german), _blocks(translated)
    path = german.source.path
    for number, (mine, other) in enumerate(zip(ours, theirs, strict=False), start=1):
        if mine[0] != other[0]:
            raise BilingualError(
                f"block {number} is a {other[0]} where the German article's is a {mine[0]} "
                f"({location(path, mine[1])}); keep the same block structure",
                translated.source.path, other[1])
    if len(ours) != len(theirs):
        first = min(len(ours), len(theirs))
        if len(theirs) > first:
            detail = (f"a {theirs[first][0]} more than the German article "
                      f"({location(path, ours[-1][1])} is its last block)" if ours
                      else "blocks where the German article has none")
            line = theirs[first][1]
        else:
            detail = (f"no block for the German article's {ours[first][0]} "
                      f"({location(path, ours[first][1])})")
            line = theirs[-1][1] if theirs else None
        raise BilingualError(
            f"has {len(theirs)} translatable blocks where the German article has "
            f"{len(ours)}: {detail}; keep the same block structure",
            translated.source.path, line)


def align_documents(german: SegmentedDoc, translated: SegmentedDoc) -> Alignment:
    """Pair the segments of `german` with those of `translated`, in order."""
    source_meta = front_matter_segments(german.source)
    target_meta = front_matter_segments(translated.source)
    if [s.kind for s in source_meta] != [s.kind for s in target_meta]:
        raise BilingualError("front matter fields differ from the German article's "
                             f"({', '.join(s.kind for s in source_meta)})", translated.source.path)
    pairs: list[tuple[Key, str]] = [((s.context, s.msgid), t.msgid)
                                    for s, t in zip(source_meta, target_meta, strict=True)]
    _same_structure(german, translated)
    pairs += [((None, s.msgid), t.msgid) for s, t in zip(_slots(german), _slots(translated),
                                                         strict=True)]
    chosen: dict[Key, str] = {}
    conflicts = []
    for key, text in pairs:
        if key in chosen and chosen[key] != text:
            conflicts.append(f"{key[1]!r} is translated as {chosen[key]!r} and as {text!r}; "
                             "kept the first")
            continue
        chosen.setdefault(key, text)
    return Alignment(tuple(chosen.items()), tuple(conflicts))


def fill_catalog(catalog: polib.POFile, alignment: Alignment, overwrite: bool = False) -> int:
    """Put aligned translations into untranslated entries (all entries with
    `overwrite`); returns how many entries changed."""
    found = dict(alignment.translations)
    changed = 0
    for entry in catalog:
        if entry.obsolete or entry.msgid_plural:
            continue
        text = found.get((entry.msgctxt, entry.msgid))
        if text is None or (has_translation(entry) and not overwrite) or entry.msgstr == text:
            continue
        entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgctxt = None
        changed += 1
    return changed


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What `bilingual import-translation` did."""

    path: Path
    filled: int
    conflicts: tuple[str, ...]


def import_translation(config: SiteConfig, german: Path, translated: Path, lang: str,
                       overwrite: bool = False) -> ImportResult:
    """Fill the catalog of the German article `german` from `translated`."""
    from bilingual.update import catalog_path

    if lang not in config.target_languages:
        raise ConfigError(f"{lang!r} is not a target language of this site")
    content = config.content_dir(config.source_language)
    german = german.resolve()
    if not german.is_relative_to(content.resolve()):
        raise ConfigError(f"not an article under {content}", german)
    source = segment_document(read_source(german, content.resolve(), config.source_language))
    other = segment_document(read_source(translated.resolve(), translated.resolve().parent, lang))
    alignment = align_documents(source, other)
    path = catalog_path(config, lang, source.source.key)
    if not path.is_file():
        raise BilingualError("no catalog yet; run `bilingual update` first", path)
    catalog, read = read_catalog_version(path)
    filled = fill_catalog(catalog, alignment, overwrite)
    try:
        write_if_changed(path, format_catalog(catalog), read)
    except FileChangedError:
        raise FileChangedError(path, "bilingual import-translation") from None
    return ImportResult(path, filled, alignment.conflicts)
