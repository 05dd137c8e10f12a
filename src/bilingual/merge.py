"""Merging: a fresh template + the old catalog -> the updated catalog.

The semantics are GNU msgmerge's (with `--previous`), done on polib objects:

- an unchanged segment keeps its translation, flags and translator comments;
- a segment that is new in this catalog takes the closest old translation of
  the same catalog, live or obsolete, whether its text is still used or not
  (difflib ratio >= 0.6, as msgmerge's fuzzy threshold),
  flagged `fuzzy`, with the old msgid kept as `#| msgid`;
- failing that, an exact translation of the same text from another catalog of
  the language, live or obsolete, is filled in (translation memory, like
  `msgmerge --compendium`),
  with a translator comment naming where it came from;
- every old entry that is no longer used becomes obsolete (`#~`) with its
  translation; an obsolete entry whose text comes back is revived.

polib's own `POFile.merge` does no fuzzy matching, which is why this module exists.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polib

from bilingual.catalog import (
    PlainMessage,
    header_fields,
    header_text,
    kept_when_obsolete,
    set_header_text,
    with_header_field,
)
from bilingual.segment import SLUG_CONTEXT

FUZZY_CUTOFF = 0.6
MEMORY_COMMENT = "Translation memory: "

Key = tuple[str | None, str]


def entry_key(entry: polib.POEntry) -> Key:
    """Identity of an entry inside one catalog: (msgctxt, msgid)."""
    return (entry.msgctxt, entry.msgid)


def is_filled(msgstr: str, msgid: str) -> bool:
    """True when `msgstr` is a translation of `msgid`: it holds more than
    whitespace, or the msgid holds nothing more either. A translation of only
    blanks or line breaks would publish an empty heading or paragraph, so it
    counts as none: build, status, check and update all decide through here."""
    return bool(msgstr.strip()) or (bool(msgstr) and not msgid.strip())


def is_translated(entry: polib.POEntry) -> bool:
    """True when every form is filled (`is_filled`) and the entry is neither fuzzy
    nor obsolete."""
    return not entry.obsolete and _is_finished(entry)


def _is_finished(entry: polib.POEntry) -> bool:
    """Every form filled and not fuzzy, whether the entry is live or obsolete."""
    if "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(
            is_filled(text, entry.msgid) for text in entry.msgstr_plural.values())
    return is_filled(entry.msgstr, entry.msgid)


def has_translation(entry: polib.POEntry) -> bool:
    """True when some form is filled (`is_filled`), fuzzy or not."""
    if entry.msgid_plural:
        return any(is_filled(text, entry.msgid) for text in entry.msgstr_plural.values())
    return is_filled(entry.msgstr, entry.msgid)


def is_fuzzy(entry: polib.POEntry) -> bool:
    """True when the entry is flagged fuzzy and has a translation to review
    (`has_translation`). A fuzzy entry without one (a translation cleared in
    Lokalize keeps its flag) is untranslated, as msgfmt counts it: build,
    status and check then call it missing, not fuzzy."""
    return "fuzzy" in entry.flags and has_translation(entry)


@dataclass(frozen=True, slots=True)
class Remembered:
    """A finished translation somewhere else in the same language."""

    msgstr: str
    msgstr_plural: tuple[tuple[int, str], ...]
    origin: str
    msgid_plural: str = ""
    """Only a text with the same plural takes the translation."""


@dataclass(frozen=True, slots=True)
class MergeStats:
    """What a merge did, for the command's summary line."""

    kept: int = 0
    fuzzy: int = 0
    from_memory: int = 0
    new: int = 0
    obsoleted: int = 0


MemoryPart = tuple[tuple[tuple[Key, Remembered], ...], tuple[tuple[Key, Remembered], ...]]
"""What one catalog gives the memory (`memory_part`): its live, then its
obsolete finished translations, in the catalog's order."""


def build_memory(catalogs: Iterable[tuple[str, polib.POFile | Sequence[PlainMessage]]]
                 ) -> dict[Key, Remembered]:
    """Exact-match memory of every finished (not fuzzy) translation, live or
    obsolete, from (origin, catalog) pairs: each catalog parsed, or as
    `catalog.plain_messages` gives one made only of plain entries (an update
    may read every catalog of a language for its memory, and the full parse
    made a `polib` entry of each of their entries). A live translation wins
    over an obsolete one of the same text, whatever the catalogs' order;
    among equals the first catalog (in the sorted order given) wins."""
    return combine_memory(memory_part(origin, catalog) for origin, catalog in catalogs)


def memory_part(origin: str, catalog: polib.POFile | Sequence[PlainMessage]) -> MemoryPart:
    """The finished translations of one catalog for `build_memory`, which a
    run may keep (`update` does, under the catalog's file state)."""
    if not isinstance(catalog, polib.POFile):
        return tuple(((message.msgctxt, message.msgid), Remembered(message.msgstr, (), origin))
                     for message in catalog  # live, without plural forms
                     if message.msgid and "fuzzy" not in message.flags
                     and is_filled(message.msgstr, message.msgid)), ()
    live, retired = [], []
    for entry in catalog:
        if entry.msgid and _is_finished(entry):
            (retired if entry.obsolete else live).append((entry_key(entry), Remembered(
                entry.msgstr, tuple(sorted(entry.msgstr_plural.items())), origin,
                entry.msgid_plural)))
    return tuple(live), tuple(retired)


def combine_memory(parts: Iterable[MemoryPart]) -> dict[Key, Remembered]:
    """`build_memory` from the `memory_part` of each catalog, in order."""
    live: dict[Key, Remembered] = {}
    # Obsolete entries count too: an article moved to another folder leaves its
    # catalog all `#~` before its new catalog is made (`msgmerge --compendium`
    # takes a compendium's `#~` messages too). They rank last: a text still in
    # use is translated the way the site shows it now.
    retired: dict[Key, Remembered] = {}
    for live_part, retired_part in parts:
        for key, remembered in live_part:
            live.setdefault(key, remembered)
        for key, remembered in retired_part:
            retired.setdefault(key, remembered)
    return {**retired, **live}


_NPLURALS = re.compile(r"nplurals\s*=\s*([0-9]+)")


def declared_nplurals(catalog: polib.POFile) -> int | None:
    """The `nplurals=N` of a catalog's Plural-Forms header field, if it has one."""
    m = _NPLURALS.search(catalog.metadata.get("Plural-Forms", ""))
    return int(m.group(1)) if m is not None and int(m.group(1)) > 0 else None


def _copy_translation(target: polib.POEntry, source: polib.POEntry) -> None:
    # Between a singular and a plural entry, as msgmerge: a singular translation
    # fills every plural form, a plural one gives its first form.
    if target.msgid_plural:
        forms = dict(source.msgstr_plural) if source.msgid_plural else {}
        target.msgstr_plural = {i: forms.get(i, "" if source.msgid_plural else source.msgstr)
                                for i in target.msgstr_plural}
    else:
        target.msgstr = source.msgstr_plural.get(0, "") if source.msgid_plural \
            else source.msgstr
    target.tcomment = source.tcomment


def _follows_german_slug(entry: polib.POEntry) -> bool:
    """True for a slug entry (`msgctxt "slug"`) that is to be the German word:
    one without a translation (left empty, a slug added to a translated
    article took its Spanish page offline; fuzzy and empty, as Lokalize
    leaves a cleared one), or one fuzzy because the German slug changed
    while its translation was the German word, which no translator touched."""
    untouched = "fuzzy" in entry.flags and entry.previous_msgid is not None \
        and entry.msgstr == entry.previous_msgid
    return untouched or not has_translation(entry)


def _with_origin(origin: str, comment: str) -> str:
    """A translator comment naming `origin` as where the translation came
    from, and the comment it had there (an older such line left out)."""
    kept = [line for line in comment.split("\n") if line and not line.startswith(MEMORY_COMMENT)]
    return "\n".join([MEMORY_COMMENT + origin, *kept])


def _take_as_it_is(entry: polib.POEntry, source: polib.POEntry,
                   origin: str | None = None) -> None:
    """`entry` takes the translation of `source`, an entry of the same text,
    as it is: comments, the flags a translator set (no-wrap, a format flag,
    fuzzy with its previous German). `origin`, for an entry of another
    catalog, is named in the translator comment."""
    _copy_translation(entry, source)
    if origin is not None:
        entry.tcomment = _with_origin(origin, source.tcomment)
    entry.flags += [f for f in source.flags if f not in entry.flags]
    if "fuzzy" in source.flags:
        entry.previous_msgid = source.previous_msgid
        entry.previous_msgctxt = source.previous_msgctxt
        entry.previous_msgid_plural = source.previous_msgid_plural


def _kept_header(text: str, template: Sequence[polib.POEntry],
                 header: Mapping[str, str]) -> str:
    """An old catalog's header msgstr as the merge keeps it: every byte the
    translators' tools wrote (a repeated field, an empty value, blanks), as
    msgmerge keeps it. Like msgmerge, the last line gets its `\n`. Plural-Forms
    is added from `header`, the language's default, when plural entries come
    in and the header has none: without it the catalog is not readable."""
    if text and not text.endswith("\n"):
        text += "\n"
    if any(e.msgid_plural for e in template) and "Plural-Forms" not in header_fields(text) \
            and "Plural-Forms" in header:
        text = with_header_field(text, "Plural-Forms", header["Plural-Forms"])
    return text


def _mark_fuzzy(entry: polib.POEntry, source: polib.POEntry) -> None:
    """Flag `entry`, which took `source`'s translation, fuzzy, recording as
    `#|` fields the German that translation was made for."""
    if "fuzzy" not in entry.flags:
        entry.flags.append("fuzzy")
    if "fuzzy" in source.flags and source.previous_msgid is not None:
        # As msgmerge: the translation was made for the older text, not for
        # the one in between, so the translator's diff starts there.
        entry.previous_msgid = source.previous_msgid
        entry.previous_msgctxt = source.previous_msgctxt
        entry.previous_msgid_plural = source.previous_msgid_plural or None
    else:
        entry.previous_msgid = source.msgid
        entry.previous_msgctxt = source.msgctxt
        entry.previous_msgid_plural = source.msgid_plural or None


def _empty_plural_forms(entry: polib.POEntry, nplurals: int) -> None:
    if entry.msgid_plural:
        entry.msgstr_plural = {i: "" for i in range(nplurals)}


def composed_key(key: Key) -> Key:
    """`key` with the letters of its msgid composed (Unicode NFC): the same
    for a text written with `ü` or with `u` and a combining diaeresis."""
    context, msgid = key
    if msgid.isascii() or unicodedata.is_normalized("NFC", msgid):
        return key
    return context, unicodedata.normalize("NFC", msgid)


def merge_catalog(old: polib.POFile | None, template: Sequence[polib.POEntry],
                  header: Mapping[str, str], header_comment: str,
                  memory: Mapping[Key, Remembered], nplurals: int = 2,
                  predecessors: Sequence[tuple[str, polib.POFile]] = (),
                  ) -> tuple[polib.POFile, MergeStats]:
    """Merge `template` entries into `old` (None for a new catalog).

    `template` entries carry msgid, msgctxt, extracted comments and references;
    the result takes those from the template and translations from `old`.

    `predecessors`, (origin, catalog) of the catalogs whose article is gone,
    are searched for what `old` and the memory lack, as msgmerge searches a
    compendium: an article renamed or moved and edited in one change gets a
    fuzzy translation of its edited text from its old catalog, and keeps the
    translators' comments and fuzzy translations of its unchanged texts
    (the memory has only finished translations, without comments).
    """
    result = polib.POFile(wrapwidth=79)
    # The header belongs to the translators: when their Plural-Forms says another
    # number of forms than the language's default, every plural entry gets that
    # many, or the catalog would contradict its own header (and not load).
    nplurals = declared_nplurals(old) or nplurals if old is not None else nplurals
    if old is None:
        result.header = header_comment
        result.metadata = dict(header)
        result.metadata_is_fuzzy = []
    else:
        result.header = old.header
        set_header_text(result, _kept_header(header_text(old), template, header))
        result.metadata_is_fuzzy = old.metadata_is_fuzzy

    old_entries = [e for e in old if not e.obsolete] if old is not None else []
    old_obsolete = [e for e in old if e.obsolete] if old is not None else []
    by_key = {entry_key(e): e for e in old_entries}
    obsolete_by_key = {entry_key(e): e for e in old_obsolete}
    # An article saved again with its letters composed otherwise (NFC, NFD:
    # `ü` as `u` and a combining diaeresis, as some Mac tools write it): the
    # same text, whose entries keep their translations as they are.
    composed = {composed_key(entry_key(e)): e for e in old_entries if not e.msgid.isascii()}
    template_keys = {entry_key(e) for e in template}
    # As msgmerge, a fuzzy translation may come from any old translated entry,
    # one the template still uses too: a heading that repeats the title keeps
    # its translation when the title is edited, and the title takes it, fuzzy.
    # Counted only when some text has no exact match: most merges need none.
    unmatched = any(entry_key(e) not in by_key and entry_key(e) not in obsolete_by_key
                    for e in template)
    candidates = _candidates([*old_entries, *old_obsolete]) if unmatched else []
    earlier_by_key: dict[Key, tuple[str, polib.POEntry]] = {}
    for origin, catalog in predecessors if unmatched else ():
        for earlier in catalog:
            if has_translation(earlier):
                earlier_by_key.setdefault(entry_key(earlier), (origin, earlier))
    earlier_origin = {id(e): origin for origin, e in earlier_by_key.values()}
    earlier_candidates = _candidates(e for _, e in earlier_by_key.values())
    used: set[int] = set()
    kept = fuzzy = remembered = new = 0

    for fresh in template:
        entry = polib.POEntry(
            msgid=fresh.msgid, msgctxt=fresh.msgctxt, msgid_plural=fresh.msgid_plural,
            comment=fresh.comment, occurrences=list(fresh.occurrences),
            flags=[f for f in fresh.flags if f != "fuzzy"],
        )
        _empty_plural_forms(entry, nplurals)
        key = entry_key(fresh)
        counted_fuzzy = fuzzy
        match = (by_key.get(key) or obsolete_by_key.get(key)
                 or (composed.get(composed_key(key)) if composed else None))
        if match is not None:
            used.add(id(match))
            _take_as_it_is(entry, match)
            if match.msgid_plural != fresh.msgid_plural:
                # As msgmerge: the same msgid with another plural (or a plural
                # gained or lost) needs a look at every form.
                _mark_fuzzy(entry, match)
                fuzzy += 1
            else:
                kept += 1
        elif (closest := _closest(fresh, candidates)) is not None:
            used.add(id(closest))
            _copy_translation(entry, closest)
            _mark_fuzzy(entry, closest)
            fuzzy += 1
        elif (earlier := earlier_by_key.get(key)) is not None and _is_finished(earlier[1]):
            _take_as_it_is(entry, earlier[1], earlier[0])
            remembered += 1
        elif (hit := memory.get(key)) is not None and hit.msgid_plural == fresh.msgid_plural:
            entry.msgstr = hit.msgstr
            if entry.msgid_plural:
                entry.msgstr_plural = {i: dict(hit.msgstr_plural).get(i, "")
                                       for i in range(nplurals)}
            entry.tcomment = MEMORY_COMMENT + hit.origin
            remembered += 1
        elif earlier is not None:  # a fuzzy translation of the very text: fuzzy still
            _take_as_it_is(entry, earlier[1], earlier[0])
            fuzzy += 1
        elif (closest := _closest(fresh, earlier_candidates)) is not None:
            _copy_translation(entry, closest)
            _mark_fuzzy(entry, closest)
            entry.tcomment = _with_origin(earlier_origin[id(closest)], closest.tcomment)
            fuzzy += 1
        else:
            new += 1
        if fresh.msgctxt == SLUG_CONTEXT and _follows_german_slug(entry):
            if fuzzy > counted_fuzzy:  # counted fuzzy above, now the German word
                fuzzy, kept = fuzzy - 1, kept + 1
            entry.msgstr = fresh.msgid
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
        result.append(entry)

    obsoleted = 0
    for entry in [*old_entries, *old_obsolete]:
        if entry_key(entry) in template_keys or id(entry) in used:
            continue
        if not entry.obsolete and kept_when_obsolete(entry):  # else dropped, as msgmerge does
            obsoleted += 1
        gone = polib.POEntry(
            msgid=entry.msgid, msgctxt=entry.msgctxt, msgid_plural=entry.msgid_plural,
            msgstr=entry.msgstr, msgstr_plural=dict(entry.msgstr_plural),
            tcomment=entry.tcomment, flags=list(entry.flags), obsolete=True,
            previous_msgid=entry.previous_msgid, previous_msgctxt=entry.previous_msgctxt,
            previous_msgid_plural=entry.previous_msgid_plural,
        )
        result.append(gone)
    return result, MergeStats(kept, fuzzy, remembered, new, obsoleted)


@dataclass(frozen=True, slots=True)
class _Candidate:
    """An old translated entry a fresh text may take a fuzzy translation from,
    with what bounds its similarity cheaply."""

    entry: polib.POEntry
    order: int
    """Its place among the candidates: the first of equally close ones wins."""
    letters: Counter[str]
    """How often each character occurs in its msgid."""


def _candidates(entries: Iterable[polib.POEntry]) -> list[_Candidate]:
    return [_Candidate(entry, order, Counter(entry.msgid))
            for order, entry in enumerate(e for e in entries if has_translation(e))]


LONG_DIFF = 4000
"""Combined length (characters, or tokens) above which two sequences are
compared without their common ends: difflib without its junk heuristic is
quadratic, and one edit in a 190 KB paragraph kept `update` busy for more
than five minutes."""


def common_ends(a: Sequence, b: Sequence) -> tuple[int, int]:
    """(length of the common start, length of the common end) of `a` and `b`,
    the end not overlapping the start."""
    limit = min(len(a), len(b))
    start = 0
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, end


def matcher(a: Sequence, b: Sequence) -> difflib.SequenceMatcher:
    """difflib's matcher of `a` and `b` as a diff of texts wants it (no
    junk), unless they are so long that only its junk heuristic keeps it
    from taking minutes (`LONG_DIFF`)."""
    return difflib.SequenceMatcher(None, a, b, autojunk=len(a) + len(b) > LONG_DIFF)


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two texts (`2 * matched / both lengths`). Long
    texts are compared without their common start and end, the middle by
    words: an edit to a long paragraph is local, and its words are many
    fewer and far more varied than its letters."""
    if len(a) + len(b) <= LONG_DIFF:
        return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    start, end = common_ends(a, b)
    middle_a, middle_b = a[start:len(a) - end], b[start:len(b) - end]
    if len(middle_a) + len(middle_b) <= LONG_DIFF:
        matched = sum(block.size for block in difflib.SequenceMatcher(
            None, middle_a, middle_b, autojunk=False).get_matching_blocks())
    else:
        words_a, words_b = _WORDS.findall(middle_a), _WORDS.findall(middle_b)
        matched = sum(sum(map(len, words_a[block.a:block.a + block.size]))
                      for block in matcher(words_a, words_b).get_matching_blocks())
    return 2 * (start + end + matched) / (len(a) + len(b))


_WORDS = re.compile(r"\w+|\W")


def _closest(fresh: polib.POEntry, candidates: list[_Candidate]) -> polib.POEntry | None:
    """The candidate whose msgid is most similar to the fresh one (difflib
    ratio), if similar enough; as msgmerge, only among those with the same
    msgctxt (a slug never takes a paragraph's translation)."""
    # difflib's ratio is at most 2 * (characters the two texts share, counted
    # with repeats) / (both lengths): its quick_ratio, here from counts made
    # once per text. Candidates are tried from the highest bound down, so the
    # search stops as soon as no bound left can beat the closest found; the
    # costly ratio is computed for a few candidates, not for all of them.
    letters, length = Counter(fresh.msgid), len(fresh.msgid)
    bounded = []
    for candidate in candidates:
        entry = candidate.entry
        if bool(entry.msgid_plural) != bool(fresh.msgid_plural) or \
                entry.msgctxt != fresh.msgctxt:
            continue
        total = length + len(entry.msgid)
        if 2 * min(length, len(entry.msgid)) < FUZZY_CUTOFF * total:
            continue
        bound = 2 * sum((letters & candidate.letters).values()) / total
        if bound >= FUZZY_CUTOFF:
            bounded.append((bound, candidate))
    bounded.sort(key=lambda pair: (-pair[0], pair[1].order))
    best: _Candidate | None = None
    best_ratio = FUZZY_CUTOFF
    for bound, candidate in bounded:
        if bound < best_ratio:
            break
        ratio = similarity(fresh.msgid, candidate.entry.msgid)
        if best is None and ratio >= best_ratio or ratio > best_ratio or \
                (ratio == best_ratio and best is not None and candidate.order < best.order):
            best, best_ratio = candidate, ratio
    return best.entry if best is not None else None
