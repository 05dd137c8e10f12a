"""Fuzzing the catalog writer: any entry, any Unicode, control characters included.

write -> read -> write is a fixed point, what is read back is what was written
(or the writer refuses with a clear error), and GNU `msgfmt -c` accepts every
catalog written. The msgfmt runs are batched: the examples are collected first
and checked in one shell afterwards. (The segmenter's fuzzing is in
test_segment.py, over `markdown_strategies.wild_documents`.)
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from unittest import mock

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilingual import catalog
from bilingual.catalog import format_catalog, parse_catalog
from bilingual.errors import CatalogError
from bilingual.reading import read_catalog_states
from tests.conftest import gettext_tool
from tests.test_catalog import fields, new_catalog

# Everything but surrogates, NUL and EOT (gettext's context separator), which no
# catalog can hold: GNU msgfmt 0.21 accepts every other control character in a
# string (checked for \x01..\x1f, \x7f, \x85, U+2028, U+FEFF).
CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\0\x04")
TEXT = (st.text(CHARACTERS, max_size=40)
        | st.text(st.sampled_from("\t\n\r\x0b\x0c\x01\x1b\x7f\x85\u2028\u00a0 aé\\\"%"),
                  max_size=40)
        | st.lists(st.sampled_from(["Straße", "año", "\u00a0", "\t", " ", "x" * 120, "語" * 50,
                                    "\\n", '"', "\n", "a-b", "https://example.com/" + "p" * 90]),
                   max_size=12).map("".join))
# Comment lines: a comment cannot hold NUL, nor end in CR (a CRLF file's line end).
COMMENT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0\r"),
                  max_size=60).filter(lambda text: not any(line.endswith("\\")
                                                           for line in text.split("\n")))
FILE = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_./-]{0,30}", fullmatch=True)
FLAGS = st.lists(st.sampled_from(["fuzzy", "no-wrap", "wrap", "no-c-format", "no-python-format",
                                  "unknown-flag"]), max_size=3, unique=True)


def same_edges(text: str, model: str) -> str:
    """`text`, beginning and ending with a newline exactly when `model` does:
    `msgfmt -c` requires that of a msgid and its translations."""
    text = text.strip("\n")
    if not text and model.strip("\n"):
        text = "x"
    if model == "\n":  # begins and ends with the one newline: so must the translation
        return f"\n{text}\n" if text else "\n"
    return ("\n" if model.startswith("\n") else "") + text + (
        "\n" if model.endswith("\n") else "")


@st.composite
def entries(draw, index: int) -> polib.POEntry:
    msgid = draw(TEXT) or f"m{index}"
    entry = polib.POEntry(msgid=msgid, msgctxt=draw(st.none() | TEXT.map(f"c{index}".__add__)))
    if entry.msgctxt is None:
        entry.msgid = f"m{index}" + msgid  # unique, and never the header's empty msgid
    if draw(st.integers(0, 3)) == 0:
        entry.msgid_plural = same_edges(draw(TEXT), entry.msgid) or "p"
        entry.msgstr_plural = {i: same_edges(draw(TEXT), entry.msgid) for i in range(2)}
    else:
        entry.msgstr = same_edges(draw(TEXT), entry.msgid)
    entry.tcomment = draw(st.lists(COMMENT, max_size=3).map("\n".join))
    entry.comment = draw(st.lists(COMMENT, max_size=2).map("\n".join))
    entry.occurrences = draw(st.lists(st.tuples(FILE, st.sampled_from(["", "1", "42"])),
                                      max_size=4, unique=True))
    entry.flags = draw(FLAGS)
    if draw(st.booleans()):
        entry.previous_msgctxt = draw(st.none() | TEXT)
        entry.previous_msgid = draw(TEXT)
        if entry.msgid_plural:
            entry.previous_msgid_plural = draw(st.none() | TEXT)
    entry.obsolete = draw(st.integers(0, 4)) == 0
    return entry


@st.composite
def catalogs(draw) -> polib.POFile:
    count = draw(st.integers(1, 8))
    po = new_catalog([draw(entries(i)) for i in range(count)],
                     header_comment=draw(st.lists(COMMENT, max_size=3).map("\n".join)))
    po.metadata_is_fuzzy = draw(st.sampled_from([[], ["fuzzy"]]))
    return po


def expected_fields(entry: polib.POEntry) -> tuple:
    """What reading back must give: the entry as the writer normalises it."""
    strings = fields(entry)[:8]
    return strings + (entry.previous_msgctxt, entry.previous_msgid,
                      entry.previous_msgid_plural, bool(entry.obsolete))


def read_back_fields(entry: polib.POEntry) -> tuple:
    return fields(entry)[:8] + fields(entry)[9:]


def test_writer_output_is_a_fixed_point_and_msgfmt_accepts_it(tmp_path):
    written: list[str] = []

    @settings(max_examples=120, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(catalogs())
    def round_trip(po):
        text = format_catalog(po)
        again = parse_catalog(text, "fuzz.po")
        assert format_catalog(again) == text
        # Every string and comment reads back exactly; obsolete entries without
        # a translation are not written (as msgcat), and obsolete entries go last.
        kept = [e for e in po if not e.obsolete] + [
            e for e in po if e.obsolete and (e.msgstr or any(e.msgstr_plural.values()))]
        assert [read_back_fields(e) for e in again] == [expected_fields(e) for e in kept]
        assert again.header == po.header
        written.append(text)

    round_trip()
    paths = []
    for number, text in enumerate(written):
        path = tmp_path / f"{number}.po"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    script = 'for f in "$@"; do "$0" -c -o /dev/null "$f" || echo "REFUSED $f"; done'
    done = subprocess.run(["sh", "-c", script, gettext_tool("msgfmt"), *paths],
                          capture_output=True, text=True)
    refused = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("REFUSED")]
    assert not refused, (done.stderr[:2000], open(refused[0], encoding="utf-8").read()[:2000])
    assert "fatal" not in done.stderr and "error" not in done.stderr, done.stderr[:2000]


@pytest.mark.parametrize(("comment", "problem"), [
    ("gut\x00", "NUL"),
    ("Zeile mit CR am Ende\r", "carriage return"),
    ("zwei\r\nZeilen", "carriage return"),
    ("C:\\Users\\\nnächste Zeile", "backslash"),
])
def test_writer_refuses_comments_it_could_not_read_back(comment, problem):
    po = new_catalog([polib.POEntry(msgid="a", msgstr="b", tcomment=comment)])
    with pytest.raises(CatalogError, match=problem):
        format_catalog(po)
    po = new_catalog([polib.POEntry(msgid="a", msgstr="b")], header_comment=comment)
    with pytest.raises(CatalogError, match=problem):
        format_catalog(po)


def test_reader_refuses_a_comment_ending_in_a_backslash_with_its_line():
    # msgfmt would read "msgid" below as part of the comment and the entry as broken.
    text = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            '# C:\\Users\\\nmsgid "a"\nmsgstr "b"\n')
    with pytest.raises(CatalogError, match=r"^fuzz.po:4: .*backslash"):
        parse_catalog(text, "fuzz.po")


def test_reader_refuses_a_nul_in_a_comment_with_its_line():
    text = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            '# gut\x00\nmsgid "a"\nmsgstr "b"\n')
    with pytest.raises(CatalogError, match=r"^fuzz.po:4: .*NUL"):
        parse_catalog(text, "fuzz.po")


# --------------------------------------------------------------------------- whole-entry reader

def read_outcome(text: str) -> tuple:
    """Everything `parse_catalog` gives for `text`, or the error it raises."""
    try:
        po = parse_catalog(text, "fuzz.po")
    except CatalogError as exc:
        return ("error", str(exc))
    return (po.header, po.metadata, po.metadata_is_fuzzy,
            [fields(e) + (e.linenum,) for e in po])


def line_by_line_outcome(text: str) -> tuple:
    with mock.patch.object(catalog, "_plain_entries", lambda text: None):
        return read_outcome(text)


PLAIN_TEXT = st.text(st.characters(blacklist_categories=("Cs",),
                                   blacklist_characters="\0\x04\r"), max_size=30)
# Lines a damaged or hand-edited catalog may gain anywhere.
INSERTIONS = st.sampled_from(["\n", " ", "\t", "\r", "\r\n", "#", "#~ ", "#| ", "\\", "\\q",
                              "\\101", '"', '"x"', "\n\n", 'msgid "a"\nmsgstr "b"\n', "#. c\n", "#, fuzzy\n",
                              'msgctxt "k"\n', "msgstr[0] ", "\x00", "\u2028", "ü"])


@st.composite
def plain_catalog_texts(draw) -> str:
    """Catalogs of plain entries as the writer makes them, sometimes damaged."""
    entries = []
    for index in range(draw(st.integers(0, 6))):
        entry = polib.POEntry(msgid=f"m{index}{draw(PLAIN_TEXT)}",
                              msgstr=draw(PLAIN_TEXT),
                              msgctxt=draw(st.none() | PLAIN_TEXT),
                              tcomment=draw(st.lists(COMMENT, max_size=2).map("\n".join)),
                              comment=draw(st.lists(COMMENT, min_size=1, max_size=2).map(
                                  "\n".join)),
                              occurrences=draw(st.lists(st.tuples(FILE, st.sampled_from(
                                  ["", "7"])), min_size=1, max_size=2, unique=True)),
                              flags=draw(FLAGS))
        entries.append(entry)
    text = format_catalog(new_catalog(entries))
    if draw(st.booleans()):  # an entry twice: an error, on its second msgid line
        blocks = text.split("\n\n")
        text = "\n\n".join([*blocks, draw(st.sampled_from(blocks))])
    damage = draw(st.sampled_from(["none", "line end", "anywhere"]))
    if damage == "anywhere":
        position = draw(st.sampled_from(range(len(text) + 1)))
        text = text[:position] + draw(INSERTIONS) + text[position:]
    elif damage == "line end":
        lines = text.split("\n")
        number = draw(st.sampled_from([i for i, line in enumerate(lines) if line]))
        lines[number] += draw(st.sampled_from(["\r", " ", "\\", "\t"]))
        text = "\n".join(lines)
    return text


def test_the_whole_entry_reader_reads_what_the_line_reader_reads():
    """Most catalogs are read an entry at a time (`_plain_entries`); every
    catalog it accepts must read exactly as line by line: same strings,
    comments, flags, references and lines, same errors."""
    accepted = []

    @settings(max_examples=400, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(plain_catalog_texts())
    def agree(text):
        assert read_outcome(text) == line_by_line_outcome(text)
        accepted.append(catalog._plain_entries(text) is not None)

    agree()
    # Both kinds occurred: the comparison covered the fast reader, not only the fallback.
    assert any(accepted) and not all(accepted)




def test_catalog_states_read_without_polib_entries_are_the_full_readers():
    """A build reads most catalogs for their states alone (`reading.read_catalog_states`
    through `catalog.plain_messages`): the same strings, flags, lines and
    translated/fuzzy verdicts as the full reader, and the same error."""
    fast_paths = []

    def states(text: str, path: Path) -> object:
        path.write_text(text, encoding="utf-8")
        try:
            return dict(read_catalog_states(path))
        except CatalogError as exc:
            return ("error", str(exc))

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(plain_catalog_texts())
    def agree(text):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "fuzz.po"
            fast = states(text, path)
            with mock.patch.object(catalog, "plain_messages", lambda text: None):
                full = states(text, path)
        assert fast == full
        fast_paths.append(catalog.plain_messages(text) is not None)

    agree()
    assert any(fast_paths) and not all(fast_paths)

PLAIN_HEADER = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'


@pytest.mark.parametrize("entry", [
    '#. Absatz\r\nmsgid "a"\nmsgstr "b"\n',              # CRLF after a comment
    '#. Absatz\nmsgid "a"\r\nmsgstr "b"\n',              # CRLF after a string
    '#. Absatz\nmsgid "a" \nmsgstr "b"\n',               # blank after a string
    'msgid"a"\nmsgstr "b"\n',                            # no blank after the keyword
    'msgid "a\\101"\nmsgstr "b"\n',                      # an octal escape
    'msgid "a"\nmsgstr "b\\q"\n',                        # an invalid escape
    '#. x\n\nmsgid "a"\nmsgstr "b"\n',                   # a blank line inside the entry
    'msgid "a"\nmsgstr "b"\n\n"c"\n',                    # a string after a blank line
    'msgctxt "k"\nmsgid "a"\nmsgstr "b"\n\nmsgctxt "k"\nmsgid "a"\nmsgstr "c"\n',  # twice
    '#: a.md:3 b.md\n#, fuzzy, no-wrap\n#, c-format\n# Übersetzer\n#\nmsgid ""\n"a"\n'
    'msgstr "\\"b\\"\\n"\n',
])
def test_the_whole_entry_reader_agrees_on_edge_cases(entry):
    assert read_outcome(PLAIN_HEADER + entry) == line_by_line_outcome(PLAIN_HEADER + entry)
