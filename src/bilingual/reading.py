"""Reading articles and catalogs once: through the result cache, on every core.

The expensive reads of the pipeline (an article's front matter and segments, a
catalog's entries) depend on one file's bytes each; `cache.ResultCache` keeps
their results across runs, and `prefetch` computes the missing ones on every
core before the sequential passes of `update`, `build` and `status` ask for them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType

import polib

from bilingual.cache import ResultCache, pickle_by_fields
from bilingual.catalog import read_catalog_bytes, read_plain_or_parsed
from bilingual.errors import BilingualError, SourceError
from bilingual.merge import is_filled
from bilingual.parallel import MIN_PARALLEL_ITEMS, map_chunks
from bilingual.segment import Segment, SegmentedDoc, Slot, segment_document
from bilingual.sources import MAX_ARTICLE_BYTES, SourceDoc, read_source
from bilingual.translate import CatalogStates, EntryState, catalog_states

pickle_by_fields(Segment, Slot, SourceDoc, SegmentedDoc, EntryState)


def _source_input(path: Path, content_dir: Path, lang: str) -> bytes:
    # An article that cannot be read is reported as one that cannot be parsed
    # (by check as a finding, in its JSON too), not an OSError ending the command.
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}", path) from None
    return f"{path}\0{content_dir}\0{lang}\0".encode() + data


def cached_source(cache: ResultCache, path: Path, content_dir: Path, lang: str) -> SourceDoc:
    """`sources.read_source`, reused while the file's bytes are unchanged."""
    if path.stat().st_size > MAX_ARTICLE_BYTES:
        return read_source(path, content_dir, lang)  # raises the size error
    return cache.get("source", _source_input(path, content_dir, lang),
                     lambda: read_source(path, content_dir, lang), owner=str(path))


def document_input(doc: SourceDoc) -> bytes:
    """Everything of an article that segmenting reads, as bytes for a cache key."""
    header = (doc.path, doc.lang, doc.key, doc.body_line, sorted(doc.meta.items()),
              sorted(doc.meta_lines.items()))
    return repr(header).encode() + b"\0" + doc.body.encode()


def cached_segments(cache: ResultCache, doc: SourceDoc) -> SegmentedDoc:
    """`segment.segment_document`, reused while the article is unchanged. The
    cache keeps the segments and the skeleton, not the article: `doc` is the
    one they were made from (the key holds all of it that segmenting reads),
    and the "source" result keeps it already: nearly half of what was stored."""
    segments, skeleton = cache.get("segments", document_input(doc),
                                   lambda: _segments_alone(segment_document(doc)),
                                   owner=str(doc.path))
    return SegmentedDoc(doc, segments, skeleton)


def _segments_alone(segmented: SegmentedDoc) -> tuple[tuple[Segment, ...],
                                                      tuple[str | Slot, ...]]:
    return segmented.segments, segmented.skeleton


def cached_catalog_states(cache: ResultCache, path: Path) -> CatalogStates:
    """The live entries of the catalog at `path`, reused while its bytes are
    unchanged; raises BilingualError for a catalog that cannot be read."""
    return cache.get("catalog", _catalog_input(path), lambda: read_catalog_states(path),
                     owner=str(path))


def read_catalog_states(path: Path) -> CatalogStates:
    """`catalog_states(read_catalog(path))`; most catalogs are read by
    `catalog.plain_messages`, without making a `polib` entry of each."""
    catalog = read_plain_or_parsed(path)
    if isinstance(catalog, polib.POFile):
        return catalog_states(catalog)
    return MappingProxyType({
        (m.msgctxt, m.msgid): EntryState(m.msgstr, "fuzzy" not in m.flags and filled,
                                         "fuzzy" in m.flags and filled, m.line)
        for m in catalog for filled in (is_filled(m.msgstr, m.msgid),)})


def _catalog_input(path: Path) -> bytes:
    return f"{path}\0".encode() + read_catalog_bytes(path)


def prefetch(cache: ResultCache, articles: Sequence[tuple[Path, Path, str]],
             catalogs: Sequence[Path]) -> None:
    """Read and segment the articles (path, content folder, language) and read
    the catalogs that the cache lacks, on every core, so that the sequential
    pass that follows finds them cached. Files that cannot be read are left to
    that pass, which reports them."""
    jobs: list[tuple[str, tuple]] = []
    for path, content_dir, lang in articles:
        try:
            if not cache.has("source", _source_input(path, content_dir, lang)):
                jobs.append(("article", (path, content_dir, lang)))
        except OSError:
            continue
    for path in catalogs:
        try:
            if not cache.has("catalog", _catalog_input(path)):
                jobs.append(("catalog", (path,)))
        except OSError:
            continue
    if len(jobs) < MIN_PARALLEL_ITEMS:
        return  # the sequential pass computes these few itself

    parent = os.getpid()

    def compute(job: tuple[str, tuple]) -> list[tuple[str, str, bytes]]:
        kind, args = job
        try:
            if kind == "article":
                cached_segments(cache, cached_source(cache, *args))
            else:
                cached_catalog_states(cache, *args)
        except (BilingualError, OSError, ValueError):
            pass
        if os.getpid() == parent or cache.folder is None:
            return cache.take_pending()
        # A worker writes its results itself (at the end of its run of jobs,
        # one transaction) and keeps none: a parent that adopted every
        # article's segments held them all at once.
        cache.release()
        return []

    for pending in map_chunks(compute, jobs, finish_chunk=cache.flush):
        cache.adopt(pending)
    cache.flush()
