"""Fuzzing the catalog writer: any entry, any Unicode, control characters included.

write -> read -> write is a fixed point, what is read back is what was written
(or the writer refuses with a clear error), and GNU `msgfmt -c` accepts every
catalog written. The msgfmt runs are batched: the examples are collected first
and checked in one shell afterwards. (The segmenter's fuzzing is in
test_segment.py, over `markdown_strategies.wild_documents`.)
"""

from __future__ import annotations

import subprocess

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilingual.catalog import format_catalog, parse_catalog
from bilingual.errors import CatalogError
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
