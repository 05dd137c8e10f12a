"""Catalogs: strict reading with file:line errors, msgcat-identical writing, atomic writes."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import time
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilingual import catalog
from bilingual.catalog import (
    FileVersion,
    decode_catalog,
    format_catalog,
    parse_catalog,
    read_catalog,
    write_if_changed,
)
from bilingual.errors import BilingualError, CatalogError, FileChangedError
from tests.conftest import gettext_tool

# --------------------------------------------------------------------------- helpers


def msgcat(text: str | bytes) -> str:
    """GNU msgcat with default options on a UTF-8 catalog; fails on any error."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    done = subprocess.run([gettext_tool("msgcat"), "-"], input=data, capture_output=True)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout.decode("utf-8")


def msgfmt_c(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    path = tmp_path / "check.po"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([gettext_tool("msgfmt"), "-c", "-o", os.devnull, str(path)],
                          capture_output=True, text=True)


def quote(value: str) -> str:
    """A PO string on one line, however long: the input msgcat has to re-wrap."""
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\t", "\\t"),
                         ("\r", "\\r"), ("\a", "\\a"), ("\b", "\\b"), ("\f", "\\f"),
                         ("\v", "\\v")):
        value = value.replace(raw, escaped)
    return f'"{value}"'


def naive_po(po: polib.POFile) -> str:
    """Write `po` with no wrapping at all and comments in an unusual order, so
    that what msgcat makes of it does not depend on format_catalog."""
    blocks = []
    header = "".join(f"{k}: {v}\n" for k, v in po.metadata.items())
    lines = [f"# {line}" for line in po.header.split("\n")] if po.header else []
    blocks.append("\n".join([*lines, 'msgid ""', f"msgstr {quote(header)}"]))
    for entry in po:
        k = "#~ " if entry.obsolete else ""
        lines = []
        lines += [f"#, {', '.join(entry.flags)}"] if entry.flags else []
        lines += [f"#: {file}" for file, _line in entry.occurrences]
        lines += [f"#. {line}" for line in entry.comment.split("\n")] if entry.comment else []
        lines += [f"# {line}" for line in entry.tcomment.split("\n")] if entry.tcomment else []
        p = "#~| " if entry.obsolete else "#| "
        if entry.previous_msgctxt is not None:
            lines.append(f"{p}msgctxt {quote(entry.previous_msgctxt)}")
        if entry.previous_msgid is not None:
            lines.append(f"{p}msgid {quote(entry.previous_msgid)}")
        if entry.msgctxt is not None:
            lines.append(f"{k}msgctxt {quote(entry.msgctxt)}")
        lines.append(f"{k}msgid {quote(entry.msgid)}")
        if entry.msgid_plural:
            lines.append(f"{k}msgid_plural {quote(entry.msgid_plural)}")
            lines += [f"{k}msgstr[{i}] {quote(s)}" for i, s in sorted(entry.msgstr_plural.items())]
        else:
            lines.append(f"{k}msgstr {quote(entry.msgstr)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


HEADER = {
    "Project-Id-Version": "bilingual",
    "Language": "es",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}


def new_catalog(entries=(), header_comment="") -> polib.POFile:
    po = polib.POFile(wrapwidth=79)
    po.header = header_comment
    po.metadata = dict(HEADER)
    po.metadata_is_fuzzy = []
    for entry in entries:
        po.append(entry)
    return po


def fields(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural, entry.msgstr,
            dict(entry.msgstr_plural), entry.tcomment, entry.comment,
            [(f, str(n)) for f, n in entry.occurrences], list(entry.flags),
            entry.previous_msgctxt, entry.previous_msgid, entry.previous_msgid_plural,
            bool(entry.obsolete))


def header_lines(charset: str = "UTF-8") -> str:
    return ('msgid ""\nmsgstr ""\n'
            f'"Content-Type: text/plain; charset={charset}\\n"\n'
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n')


# --------------------------------------------------------------------------- golden file

# What msgcat 0.21 writes for a typical catalog of this project (checked against msgcat
# in test_golden_catalog_is_a_msgcat_fixed_point).
GOLDEN = r"""# Spanische Übersetzung von blog/markteintritt.md.
# Diese Datei wird von bilingual gepflegt.
msgid ""
msgstr ""
"Project-Id-Version: bilingual\n"
"Language: es\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#. paragraph
#: content/de/blog/markteintritt.md
msgctxt "blog/markteintritt.md"
msgid ""
"Der Markteintritt in Spanien erfordert Geduld: Wer „schnell“ wachsen will, "
"sollte zuerst die Übergrößen-Logistik klären – und die Straße kennen."
msgstr ""
"La entrada en el mercado español requiere paciencia: quien quiera crecer "
"«rápido» debe aclarar primero la logística — ¿y conoce la calle?"

#. list item
#: content/de/blog/markteintritt.md
msgctxt "blog/markteintritt.md"
msgid ""
"Siehe [den Leitfaden](https://example.com/leitfaden/markteintritt-"
"spanien-2024?quelle=blog&format=lang) und **fett** gedruckten `code`-"
"Beispiele."
msgstr ""
"Véase [la guía](https://example.com/leitfaden/markteintritt-spanien-2024?"
"quelle=blog&format=lang) y los ejemplos de `código` en **negrita**."

#. code block
#: content/de/blog/markteintritt.md
msgctxt "blog/markteintritt.md"
msgid ""
"Zeile eins\n"
"Zeile zwei mit\tTab\n"
"Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenherstellungsgenossenschaftsvorsitzender\n"
msgstr ""
"Línea uno\n"
"Línea dos con\tTab\n"
"Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenherstellungsgenossenschaftsvorsitzender\n"

# Revisar la terminología.
#. heading
#: content/de/blog/markteintritt.md
#, fuzzy
#| msgid ""
#| "Ein Überblick über die wichtigsten Schritte für den Markteintritt in "
#| "Spanien"
msgctxt "blog/markteintritt.md"
msgid ""
"Überblick über die wichtigsten Schritte beim Markteintritt in Spanien und "
"Portugal"
msgstr "Resumen de los pasos más importantes"

#: templates/partials/artikel-liste.html
#: templates/partials/kategorie-uebersicht.html
#: templates/partials/startseite.html templates/partials/archiv-nach-jahr.html
#: templates/partials/suche.html
msgid "{n} Artikel"
msgid_plural "{n} Artikel"
msgstr[0] "{n} artículo"
msgstr[1] "{n} artículos"

#~ msgctxt "blog/alt.md"
#~ msgid ""
#~ "Ein alter Absatz, den es im Artikel nicht mehr gibt, aber dessen "
#~ "Übersetzung wir aufheben."
#~ msgstr ""
#~ "Un párrafo antiguo que ya no existe en el artículo, pero cuya traducción "
#~ "conservamos."

#, fuzzy
#~| msgid "Alter Titel"
#~ msgid "Neuer Titel"
#~ msgstr "Título nuevo"
"""


def golden_catalog() -> polib.POFile:
    ref = [("content/de/blog/markteintritt.md", "")]
    ctx = "blog/markteintritt.md"
    return new_catalog([
        polib.POEntry(
            msgctxt=ctx, comment="paragraph", occurrences=ref,
            msgid="Der Markteintritt in Spanien erfordert Geduld: Wer „schnell“ wachsen will, "
                  "sollte zuerst die Übergrößen-Logistik klären – und die Straße kennen.",
            msgstr="La entrada en el mercado español requiere paciencia: quien quiera crecer "
                   "«rápido» debe aclarar primero la logística — ¿y conoce la calle?"),
        polib.POEntry(
            msgctxt=ctx, comment="list item", occurrences=ref,
            msgid="Siehe [den Leitfaden](https://example.com/leitfaden/markteintritt-spanien-"
                  "2024?quelle=blog&format=lang) und **fett** gedruckten `code`-Beispiele.",
            msgstr="Véase [la guía](https://example.com/leitfaden/markteintritt-spanien-2024?"
                   "quelle=blog&format=lang) y los ejemplos de `código` en **negrita**."),
        polib.POEntry(
            msgctxt=ctx, comment="code block", occurrences=ref,
            msgid="Zeile eins\nZeile zwei mit\tTab\nDonaudampfschifffahrtsgesellschafts"
                  "kapitänsmützenabzeichenherstellungsgenossenschaftsvorsitzender\n",
            msgstr="Línea uno\nLínea dos con\tTab\nDonaudampfschifffahrtsgesellschafts"
                   "kapitänsmützenabzeichenherstellungsgenossenschaftsvorsitzender\n"),
        polib.POEntry(
            msgctxt=ctx, tcomment="Revisar la terminología.", comment="heading",
            flags=["fuzzy"], occurrences=ref,
            previous_msgid="Ein Überblick über die wichtigsten Schritte für den "
                           "Markteintritt in Spanien",
            msgid="Überblick über die wichtigsten Schritte beim Markteintritt in Spanien "
                  "und Portugal",
            msgstr="Resumen de los pasos más importantes"),
        polib.POEntry(
            msgid="{n} Artikel", msgid_plural="{n} Artikel",
            msgstr_plural={0: "{n} artículo", 1: "{n} artículos"},
            occurrences=[(f"templates/partials/{name}.html", "") for name in (
                "artikel-liste", "kategorie-uebersicht", "startseite", "archiv-nach-jahr",
                "suche")]),
        polib.POEntry(
            msgctxt="blog/alt.md", obsolete=True,
            msgid="Ein alter Absatz, den es im Artikel nicht mehr gibt, aber dessen "
                  "Übersetzung wir aufheben.",
            msgstr="Un párrafo antiguo que ya no existe en el artículo, pero cuya "
                   "traducción conservamos."),
        polib.POEntry(msgid="Neuer Titel", msgstr="Título nuevo", flags=["fuzzy"],
                      previous_msgid="Alter Titel", obsolete=True),
    ], header_comment="Spanische Übersetzung von blog/markteintritt.md.\n"
                      "Diese Datei wird von bilingual gepflegt.")


def test_format_catalog_writes_the_golden_file():
    assert format_catalog(golden_catalog()) == GOLDEN


def test_golden_catalog_is_a_msgcat_fixed_point():
    assert msgcat(GOLDEN) == GOLDEN


def test_msgcat_rewraps_a_naive_file_into_what_format_catalog_writes():
    assert msgcat(naive_po(golden_catalog())) == GOLDEN


def test_parse_golden_file_gives_the_model_back():
    po = parse_catalog(GOLDEN, Path("es.po"))
    expected = golden_catalog()
    assert po.header == expected.header
    assert po.metadata == expected.metadata
    assert po.metadata_is_fuzzy == []
    assert [fields(e) for e in po] == [fields(e) for e in expected]
    assert format_catalog(po) == GOLDEN


def test_parsed_entries_carry_their_line():
    po = parse_catalog(GOLDEN, "es.po")
    assert po[0].linenum == 12  # the "#. paragraph" line
    assert po[0].msgctxt == "blog/markteintritt.md"


# --------------------------------------------------------------------------- strict reading


@pytest.mark.parametrize(("body", "line"), [
    ('msgid "Hallo\nmsgstr "Hola"\n', 1),
    ('msgid "Hallo"\nmsgstr "Hola\n', 2),
    ('msgid ""\n"Hallo Welt"\nmsgstr ""\n"Hola\n"mundo"\n', 4),
    ('#, fuzzy\n#| msgid "Hallo\nmsgid "Hallo"\nmsgstr "Hola"\n', 2),
    ('#~ msgid "Hallo"\n#~ msgstr "Hola\n', 2),
    ('msgid "Hallo"\nmsgstr "Hola \\"\n', 2),  # the quote is escaped
    ('msgid "Hallo"\nmsgstr "Hola\\\n', 2),
])
def test_unterminated_string_is_an_error_with_its_line(body, line):
    text = header_lines() + body
    with pytest.raises(CatalogError) as raised:
        parse_catalog(text, Path("locales/es/a.po"))
    assert raised.value.line == 5 + line
    assert raised.value.format_message() == (
        f"locales/es/a.po:{5 + line}: end-of-line within string")


def test_unterminated_string_in_a_file_leaves_it_untouched(tmp_path):
    path = tmp_path / "es.po"
    data = (header_lines() + 'msgid "Hallo"\nmsgstr "Hola\n\nmsgid "b"\nmsgstr "c"\n').encode()
    path.write_bytes(data)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    with pytest.raises(CatalogError) as raised:
        read_catalog(path)
    assert raised.value.line == 7
    assert raised.value.path == path
    assert f"{path}:7: end-of-line within string" in raised.value.format_message()
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert os.listdir(tmp_path) == ["es.po"]


def test_polib_would_silently_lose_the_unterminated_text():
    """Why parse_catalog does its own lexing: polib mangles the broken string."""
    text = header_lines() + 'msgid "Hallo"\nmsgstr "Hola\n'
    assert polib.pofile(text)[0].msgstr != "Hola"  # polib 1.2 makes it "Hol"
    with pytest.raises(CatalogError):
        parse_catalog(text, "a.po")


@pytest.mark.parametrize("escape", ["\\q", "\\'", "\\?", "\\e", "\\xZ", "\\8", "\\ "])
def test_invalid_escape_sequence_is_an_error(escape):
    text = header_lines() + f'msgid "a"\nmsgstr "b{escape}c"\n'
    with pytest.raises(CatalogError) as raised:
        parse_catalog(text, "a.po")
    assert raised.value.line == 7
    assert "invalid control sequence" in raised.value.format_message()


def test_every_gettext_escape_sequence_is_decoded():
    text = header_lines() + (
        'msgid "a"\nmsgstr "\\a\\b\\f\\n\\r\\t\\v\\\\\\" \\101\\x42 \\303\\244 \\7"\n')
    assert parse_catalog(text, "a.po")[0].msgstr == '\a\b\f\n\r\t\v\\" AB ä \x07'


def test_octal_escapes_that_are_not_utf8_are_an_error():
    text = header_lines() + 'msgid "a"\nmsgstr "\\303"\n'
    with pytest.raises(CatalogError) as raised:
        parse_catalog(text, "a.po")
    assert raised.value.line == 7


# Each damaged body (after the 4 lines of a valid header and a blank line): the line of
# the error, words of the message, and whether GNU msgfmt rejects it too.
DAMAGED = [
    ('msgstr "Hola"\n', 1, "no msgid", True),
    ('msgid "a"\nmsgstr "b"\nmsgstr "c"\n', 3, "out of order", True),
    ('msgid "a"\nmsgstr "b"\nmsgid_plural "c"\n', 3, "out of order", True),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr "b"\n', 3, "expected msgstr[0]", True),
    ('msgid "a"\nmsgstr[0] "b"\n', 2, "without msgid_plural", True),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[1] "b"\n', 3, "nonzero index", True),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[0] "c"\n', 4, "wrong index", True),
    ('msgid "a"\nmsgctxt "k"\nmsgstr "b"\n', 2, "missing 'msgstr'", True),
    ('msgid "a"\nmsgid "b"\nmsgstr "c"\n', 2, "missing 'msgstr'", True),
    ('#| msgctxt "k"\nmsgid "a"\nmsgstr "b"\n', 2, "out of order", True),
    ('#| msgid_plural "k"\nmsgid "a"\nmsgstr "b"\n', 1, "out of order", True),
    ('#| msgid "a"\n#| msgctxt "k"\nmsgid "b"\nmsgstr "c"\n', 2, "out of order", True),
    ('#| msgid "a"\n#, fuzzy\nmsgid "b"\nmsgstr "c"\n', 2, "inside an entry", True),
    # Named at the msgid, as msgfmt does: a msgstr went missing there, or the comment strayed in.
    ('msgid "a"\n# Kommentar\nmsgstr "b"\n', 1, "msgid without msgstr: the comment line 7 "
                                               "comes before its msgstr", True),
    ('msgid "a"\n\n#. paragraph\nmsgid "b"\nmsgstr "c"\n', 1, "msgid without msgstr", True),
    ('msgfoo "a"\nmsgstr "b"\n', 1, 'keyword "msgfoo" unknown', True),
    ('domain "x"\nmsgid "a"\nmsgstr "b"\n', 1, 'keyword "domain" unknown', False),
    ('msgid "a" x\nmsgstr "b"\n', 1, "syntax error", True),
    ('msgid\nmsgstr "b"\n', 1, "without a string", True),
    # After the header and a blank line, msgfmt appends it to the header.
    ('"verwaist"\nmsgid "a"\nmsgstr "b"\n', 1, "continuation line without a keyword", False),
    ('#. Kommentar\n"verwaist"\nmsgid "a"\nmsgstr "b"\n', 2, "without a keyword", True),
    ('#| msgid "a"\n"b"\nmsgid "c"\nmsgstr "d"\n', 2, "without a keyword", True),
    ('msgid "a"\n#| "b"\nmsgstr "d"\n', 2, "without a keyword", True),
    # msgfmt takes a string after a blank line as a continuation; a damaged file.
    ('msgid "a"\nmsgstr "b"\n\n"verwaist"\n', 4, "without a keyword", False),
    ('#~ msgid "a"\nmsgstr "b"\n', 2, "inconsistent use of #~", True),
    ('msgid "a"\n#~ msgstr "b"\n', 2, "inconsistent use of #~", True),
    ('msgid "a"\n', 1, "has no msgstr", True),
    ('msgid "a"\nmsgid_plural "b"\n', 1, "has no msgstr", True),
    ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 4, "duplicate message definition", True),
    ('msgctxt "k"\nmsgid "a"\nmsgstr "b"\n\nmsgctxt "k"\nmsgid "a"\nmsgstr "c"\n', 6,
     "duplicate message definition", True),
    ('msgid "a"\nmsgstr "b"\n\n#~ msgid "a"\n#~ msgstr "c"\n', 4, "duplicate", True),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\n', 3, "nplurals=2", True),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\nmsgstr[2] "d"\n', 3,
     "nplurals=2", True),
]


@pytest.mark.parametrize(("body", "line", "words", "msgfmt_rejects"), DAMAGED)
def test_damaged_catalog_is_an_error_with_its_line(body, line, words, msgfmt_rejects):
    with pytest.raises(CatalogError) as raised:
        parse_catalog(header_lines() + body, Path("es.po"))
    message = raised.value.format_message()
    assert message.startswith(f"es.po:{5 + line}: "), message
    assert words in message


@pytest.mark.parametrize(("body", "line", "words", "msgfmt_rejects"),
                         [d for d in DAMAGED if d[3]])
def test_msgfmt_rejects_the_damaged_catalogs_too(tmp_path, body, line, words, msgfmt_rejects):
    done = msgfmt_c(tmp_path, header_lines() + body)
    assert done.returncode != 0, done.stderr


def test_a_later_flags_line_replaces_an_earlier_one_as_in_gettext():
    text = header_lines() + '#, fuzzy\n#: a.md\n#, c-format\nmsgid "a %s"\nmsgstr "b %s"\n'
    po = parse_catalog(text, "a.po")
    assert po[0].flags == ["c-format"]
    assert format_catalog(po) == msgcat(text)


def test_same_msgid_in_different_contexts_is_fine():
    po = parse_catalog(header_lines() + 'msgctxt "a"\nmsgid "x"\nmsgstr "1"\n\n'
                       'msgctxt "b"\nmsgid "x"\nmsgstr "2"\n\nmsgid "x"\nmsgstr "3"\n', "a.po")
    assert [(e.msgctxt, e.msgstr) for e in po] == [("a", "1"), ("b", "2"), (None, "3")]


def test_plural_entries_without_plural_forms_have_msgfmts_two_forms():
    text = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\n')
    assert parse_catalog(text, "a.po")[0].msgstr_plural == {0: "b", 1: "c"}
    with pytest.raises(CatalogError) as raised:
        parse_catalog(text + 'msgstr[2] "d"\n', "a.po")
    assert raised.value.line == 6
    assert raised.value.format_message() == (
        "a.po:6: plural entry has 3 msgstr[N] forms, but a header without Plural-Forms "
        "means nplurals=2")


def test_plural_count_follows_the_header():
    three = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
             '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\\n"\n\n'
             'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\nmsgstr[2] "d"\n')
    assert parse_catalog(three, "a.po")[0].msgstr_plural == {0: "b", 1: "c", 2: "d"}
    with pytest.raises(CatalogError, match="nplurals=3"):
        parse_catalog(three.replace('msgstr[2] "d"\n', ""), "a.po")


def test_template_placeholder_plural_forms_are_not_checked():
    pot = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=CHARSET\\n"\n'
           '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"\n\n'
           'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] ""\n')
    assert parse_catalog(pot, "a.pot")[0].msgid_plural == "as"


def test_obsolete_plural_entries_are_not_counted():
    text = header_lines() + '#~ msgid "a"\n#~ msgid_plural "as"\n#~ msgstr[0] "b"\n'
    assert parse_catalog(text, "a.po")[0].obsolete


# --------------------------------------------------------------------------- what tools write

FULL = r"""# Traducción al español.
#
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: bilingual\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#  zwei Leerzeichen, dann   
#.  extracted
#: content/de/a.md content/de/b.md:12
#, fuzzy, python-format
#| msgctxt "alt"
#| msgid "Alte %s"
#| msgid_plural "Alte %s (viele)"
msgctxt "neu"
msgid "Neue %s"
msgid_plural "Neue %s (viele)"
msgstr[0] "Nueva %s"
msgstr[1] "Nuevas %s"

#foo ohne Leerzeichen
msgid "Zeilenumbruch\u2028im\u0085Text"
msgstr "salto\u2028de\u0085línea"

#, fuzzy
#~| msgctxt "alt"
#~| msgid "Vorher"
#~ msgctxt "k"
#~ msgid "Nachher"
#~ msgstr "Después"
""".replace("\\u2028", "\u2028").replace("\\u0085", "\u0085")


def test_everything_tools_write_is_read():
    po = parse_catalog(FULL, "a.po")
    assert po.header == "Traducción al español.\n"
    assert po.metadata_is_fuzzy == ["fuzzy"]
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    first, second, third = po
    assert first.tcomment == " zwei Leerzeichen, dann   "
    assert first.comment == " extracted"
    assert first.occurrences == [("content/de/a.md", ""), ("content/de/b.md", "12")]
    assert first.flags == ["fuzzy", "python-format"]
    assert (first.previous_msgctxt, first.previous_msgid, first.previous_msgid_plural) == (
        "alt", "Alte %s", "Alte %s (viele)")
    assert (first.msgctxt, first.msgid, first.msgid_plural) == (
        "neu", "Neue %s", "Neue %s (viele)")
    assert first.msgstr_plural == {0: "Nueva %s", 1: "Nuevas %s"}
    assert second.tcomment == "foo ohne Leerzeichen"
    assert second.msgid == "Zeilenumbruch\u2028im\u0085Text"
    assert third.obsolete and third.flags == ["fuzzy"]
    assert (third.previous_msgctxt, third.previous_msgid) == ("alt", "Vorher")
    assert (third.msgctxt, third.msgid, third.msgstr) == ("k", "Nachher", "Después")


def test_what_tools_write_survives_a_round_trip():
    normal = msgcat(FULL)
    assert "# foo ohne Leerzeichen" in normal  # msgcat's spelling of "#foo"
    assert format_catalog(parse_catalog(FULL, "a.po")) == normal
    assert format_catalog(parse_catalog(normal, "a.po")) == normal


GNU_SPELLINGS = header_lines() + r"""#~ # Kommentar eines obsoleten Eintrags
#~ #. extrahiert
#~ #: alt.md
#~ #, fuzzy
#~ msgid "alt"
#~ msgstr "viejo"

#! fuzzy no-wrap,range: 3..4
#, fuzzy c-format,,  python-format no-ellipsis-unicode-check
#: a.md :12 b.md: 3 c.md: d.md:7x ./e.md:0
msgid "%s und %d"
msgstr "%s y %d"
"""


def test_gettext_spellings_of_comments_flags_and_references():
    po = parse_catalog(GNU_SPELLINGS, "a.po")
    old, new = po
    assert old.obsolete and old.tcomment == "Kommentar eines obsoleten Eintrags"
    assert (old.comment, old.occurrences, old.flags) == ("extrahiert", [("alt.md", "")],
                                                         ["fuzzy"])
    # the last flags line wins, as in gettext; tokens are split at commas and blanks
    assert new.flags == ["fuzzy", "c-format", "python-format", "no-ellipsis-unicode-check"]
    assert new.occurrences == [("a.md", "12"), ("b.md", "3"), ("c.md:", ""), ("d.md:7x", ""),
                               ("./e.md", "0")]
    assert format_catalog(po) == msgcat(GNU_SPELLINGS)


def test_range_flag_takes_the_next_token():
    text = header_lines() + '#, fuzzy, range: 3..4\nmsgid "a"\nmsgstr "b"\n'
    po = parse_catalog(text, "a.po")
    assert po[0].flags == ["fuzzy", "range: 3..4"]
    assert format_catalog(po) == msgcat(text)


def test_bom_and_crlf_give_the_same_catalog_as_a_clean_file(tmp_path):
    clean = tmp_path / "clean.po"
    dirty = tmp_path / "dirty.po"
    clean.write_bytes(FULL.encode("utf-8"))
    dirty.write_bytes(b"\xef\xbb\xbf" + FULL.replace("\n", "\r\n").encode("utf-8"))
    a, b = read_catalog(clean), read_catalog(dirty)
    assert [fields(e) for e in a] == [fields(e) for e in b]
    assert (a.header, a.metadata, a.metadata_is_fuzzy) == (b.header, b.metadata,
                                                           b.metadata_is_fuzzy)
    assert format_catalog(a) == format_catalog(b)


def test_errors_in_a_crlf_file_have_the_right_line(tmp_path):
    path = tmp_path / "es.po"
    path.write_bytes(b"\xef\xbb\xbf" + (header_lines() + 'msgid "a"\nmsgstr "b\n')
                     .replace("\n", "\r\n").encode())
    with pytest.raises(CatalogError) as raised:
        read_catalog(path)
    assert raised.value.line == 7


LATIN1 = (header_lines("ISO-8859-1")
          + '#. Absatz\nmsgid "Größe und Fußgänger, ¿año?"\nmsgstr "Tamaño y peatones, «¡ñ!»"\n')


def test_declared_iso_8859_1_is_honoured(tmp_path):
    path = tmp_path / "es.po"
    data = LATIN1.encode("iso-8859-1")
    path.write_bytes(data)
    assert decode_catalog(data, path) == LATIN1
    po = read_catalog(path)
    assert po[0].msgid == "Größe und Fußgänger, ¿año?"
    assert po[0].msgstr == "Tamaño y peatones, «¡ñ!»"
    assert po.metadata["Content-Type"] == "text/plain; charset=ISO-8859-1"
    # msgcat keeps the charset: its bytes, decoded, are what format_catalog writes.
    done = subprocess.run([gettext_tool("msgcat"), str(path)], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert format_catalog(po) == done.stdout.decode("iso-8859-1")


def test_declared_utf8_with_latin1_bytes_is_an_error_with_the_line(tmp_path):
    path = tmp_path / "es.po"
    path.write_bytes(header_lines().encode() + 'msgid "a"\nmsgstr "Größe"\n'.encode("latin-1"))
    with pytest.raises(CatalogError) as raised:
        read_catalog(path)
    assert raised.value.line == 7
    assert "utf-8" in raised.value.format_message()


def test_unknown_charset_is_an_error_on_the_content_type_line():
    data = header_lines("KLINGON-1").encode()
    with pytest.raises(CatalogError) as raised:
        decode_catalog(data, "a.po")
    assert raised.value.line == 3
    assert "KLINGON-1" in raised.value.format_message()


@pytest.mark.parametrize("charset", ["KLINGON-1", "UTF-16", "UTF\0-8"])
def test_parse_catalog_rejects_an_unusable_charset_too(charset):
    with pytest.raises(CatalogError) as raised:
        parse_catalog(header_lines(charset) + 'msgid "a"\nmsgstr "b"\n', "a.po")
    assert raised.value.line == 3


def test_bom_contradicting_the_declared_charset_is_an_error():
    with pytest.raises(CatalogError, match="byte order mark"):
        decode_catalog(b"\xef\xbb\xbf" + header_lines("ISO-8859-1").encode(), "a.po")


def test_template_charset_placeholder_reads_as_utf8():
    data = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=CHARSET\\n"\n\n'
            'msgid "Größe"\nmsgstr ""\n').encode()
    assert parse_catalog(decode_catalog(data, "a.pot"), "a.pot")[0].msgid == "Größe"


def test_unreadable_catalog_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError) as raised:
        read_catalog(tmp_path / "missing.po")
    assert str(tmp_path / "missing.po") in raised.value.format_message()


# --------------------------------------------------------------------------- writing rules


def entry_catalog(**fields_) -> polib.POFile:
    return new_catalog([polib.POEntry(**fields_)])


def body(po: polib.POFile) -> str:
    """format_catalog without the header block, checked against msgcat."""
    text = format_catalog(po)
    assert msgcat(text) == text
    return text.split("\n\n", 1)[1]


def test_short_strings_stay_on_the_keyword_line():
    assert body(entry_catalog(msgid="Hallo", msgstr="Hola")) == 'msgid "Hallo"\nmsgstr "Hola"\n'


def test_a_final_newline_alone_does_not_force_the_empty_first_line():
    assert body(entry_catalog(msgid="Hallo\n", msgstr="Hola\n")) == (
        'msgid "Hallo\\n"\nmsgstr "Hola\\n"\n')
    assert body(entry_catalog(msgid="a\nb", msgstr="")) == (
        'msgid ""\n"a\\n"\n"b"\nmsgstr ""\n')
    assert body(entry_catalog(msgid="\n\n", msgstr="x")) == (
        'msgid ""\n"\\n"\n"\\n"\nmsgstr "x"\n')


@pytest.mark.parametrize("columns", range(70, 82))
def test_the_page_width_is_79_columns(columns):
    msgid = "x" * (columns - len('msgid ""') - 6) + " word"
    line = f'msgid "{msgid}"'
    text = body(entry_catalog(msgid=msgid, msgstr=""))
    if len(line) <= 79:
        assert text.startswith(line + "\n")
    else:
        assert text.startswith('msgid ""\n')
    assert all(len(x) <= 79 for x in text.splitlines())


def test_escapes_count_two_columns_and_are_never_split():
    msgid = "Wort " * 14 + 'ein "Zitat" und C:\\Pfad\\Datei mit\tTab'
    assert body(entry_catalog(msgid=msgid, msgstr="")) == (
        'msgid ""\n'
        '"Wort Wort Wort Wort Wort Wort Wort Wort Wort Wort Wort Wort Wort Wort ein "\n'
        '"\\"Zitat\\" und C:\\\\Pfad\\\\Datei mit\\tTab"\n'
        'msgstr ""\n')


def test_a_piece_without_break_opportunity_overflows_like_in_msgcat():
    msgid = "a" * 74 + '"b" c'
    assert body(entry_catalog(msgid=msgid, msgstr="")) == (
        'msgid ""\n"' + "a" * 74 + '\\"b\\" "\n"c"\nmsgstr ""\n')


def test_control_characters_are_written_raw_or_escaped_like_msgcat():
    text = body(entry_catalog(msgid="bell\a back\b ff\f cr\r vt\v esc\x1b del\x7f", msgstr=""))
    assert 'msgid "bell\\a back\\b ff\\f cr\\r vt\\v esc\x1b del\x7f"' in text


@pytest.mark.parametrize("char", ["\0", "\x04"])
def test_nul_and_the_context_separator_cannot_be_written(char):
    with pytest.raises(CatalogError, match="NUL or EOT"):
        format_catalog(entry_catalog(msgid=f"a{char}b", msgstr=""))


@pytest.mark.parametrize(("string", "words"), [
    ("a\\000b", "NUL"), ("a\\004b", "EOT"), ("a\x04b", "EOT"), ("a\x00b", "NUL")])
def test_nul_and_the_context_separator_cannot_be_read(string, words):
    with pytest.raises(CatalogError) as raised:
        parse_catalog(header_lines() + f'msgid "{string}"\nmsgstr ""\n', "a.po")
    assert raised.value.line == 6
    assert words in raised.value.format_message()


def test_flags_are_normalised_like_msgcat():
    po = new_catalog([
        polib.POEntry(msgid="a", msgstr="b",
                      flags=["wrap", "bilingual-custom", "python-format", "fuzzy", "no-wrap",
                             "c-format", "range: 1..5", "no-java-format"]),
        polib.POEntry(msgid="leer", msgstr="", flags=["fuzzy"]),
        polib.POEntry(msgid="p", msgid_plural="ps", msgstr_plural={0: "", 1: "x"},
                      flags=["fuzzy"]),
    ])
    text = body(po)
    assert text.startswith("#, fuzzy, c-format, python-format, no-java-format, range: 1..5, "
                           "no-wrap\nmsgid \"a\"")
    assert '\n\nmsgid "leer"' in text
    assert '\n\nmsgid "p"' in text
    assert msgcat(naive_po(po)).split("\n\n", 1)[1] == text


def test_no_wrap_flag_disables_wrapping():
    long = "Ein sehr langer Satz, der weit über die Seitenbreite von neunundsiebzig " \
           "Zeichen hinausgeht."
    text = body(entry_catalog(msgid=long, msgstr="", flags=["no-wrap"]))
    assert f'msgid "{long}"' in text


def test_references_are_deduplicated_and_wrapped():
    refs = [("./content/de/blog/" + "x" * 40 + ".md", ""), ("content/de/b.md", ""),
            ("content/de/b.md", ""), ("templates/base.html", "12"),
            ("templates/base.html", "012"), ("c" * 90 + ".md", "")]
    text = body(entry_catalog(msgid="a", msgstr="b", occurrences=refs))
    assert text.split("msgid")[0] == (
        "#: content/de/blog/" + "x" * 40 + ".md content/de/b.md\n"
        "#: templates/base.html:12\n"
        "#: " + "c" * 90 + ".md\n")


def test_reference_width_is_counted_in_bytes_like_msgcat():
    refs = [(f"content/de/größenübersicht-{i}-äöü.md", "") for i in range(3)]
    text = body(entry_catalog(msgid="a", msgstr="b", occurrences=refs))
    # 2 + 36 + 36 characters would fit in 79, but not 2 + 42 + 42 bytes
    assert text.startswith("".join(f"#: {name}\n" for name, _ in refs))


def test_an_empty_msgid_plural_is_kept():
    po = entry_catalog(msgid="a", msgid_plural="", msgstr_plural={0: "x", 1: "y"})
    text = body(po)
    assert text == 'msgid "a"\nmsgid_plural ""\nmsgstr[0] "x"\nmsgstr[1] "y"\n'
    again = parse_catalog(format_catalog(po), "a.po")[0]
    assert (again.msgid_plural, again.msgstr_plural) == ("", {0: "x", 1: "y"})


def test_multiline_comments_get_one_mark_per_line():
    text = body(entry_catalog(msgid="a", msgstr="b", tcomment="eins\n\nzwei",
                              comment="Übersetzer: bitte\nkurz"))
    assert text.startswith("# eins\n#\n# zwei\n#. Übersetzer: bitte\n#. kurz\nmsgid")


def test_obsolete_entries_go_last_and_untranslated_ones_vanish():
    po = new_catalog([
        polib.POEntry(msgid="alt", msgstr="viejo", obsolete=True),
        polib.POEntry(msgid="leer", msgstr="", obsolete=True),
        polib.POEntry(msgid="neu", msgstr="nuevo"),
    ])
    assert body(po) == 'msgid "neu"\nmsgstr "nuevo"\n\n#~ msgid "alt"\n#~ msgstr "viejo"\n'


def test_header_fuzzy_and_comment():
    po = new_catalog([], header_comment="Kopf\n\nzweiter Absatz")
    po.metadata_is_fuzzy = ["fuzzy"]
    text = format_catalog(po)
    assert text.startswith('# Kopf\n#\n# zweiter Absatz\n#, fuzzy\nmsgid ""\nmsgstr ""\n'
                           '"Project-Id-Version: bilingual\\n"\n')
    # msgcat writes nothing at all for a catalog without messages, unless forced.
    assert msgcat(text) == ""
    forced = subprocess.run([gettext_tool("msgcat"), "--force-po", "-"], input=text.encode(),
                            capture_output=True)
    assert forced.stdout.decode() == text


def test_empty_catalog_is_empty():
    assert format_catalog(polib.POFile()) == ""


def test_duplicate_entries_cannot_be_written():
    po = new_catalog([polib.POEntry(msgid="a", msgstr="1"), polib.POEntry(msgid="a", msgstr="2")])
    with pytest.raises(CatalogError, match="duplicate"):
        format_catalog(po)
    po = new_catalog([polib.POEntry(msgid="a", msgstr="1"),
                      polib.POEntry(msgid="a", msgstr="2", obsolete=True)])
    with pytest.raises(CatalogError, match="duplicate"):
        format_catalog(po)


def test_msgfmt_c_accepts_what_format_catalog_writes(tmp_path):
    text = format_catalog(golden_catalog())
    done = msgfmt_c(tmp_path, text)
    assert done.returncode == 0, done.stderr
    assert "fatal" not in done.stderr
    # and the parts are really there: a context, plural forms, obsolete and fuzzy entries
    assert "msgctxt" in text and "msgstr[1]" in text and "#~ msgid" in text
    assert "#, fuzzy\n#| msgid" in text


# --------------------------------------------------------------------------- msgcat, generated

WORDS = [
    "Füße", "Straße", "Übergröße", "größer", "Äpfel", "ñandú", "niño", "año", "¿Qué", "tal?",
    "¡Hola!", "«cita»", "„Zitat“", "‚so‘", "—", "–", "…", "e.g.", "z.\u00a0B.", "10\u00a0%",
    "Fußgänger\u2011Zone", "3,14", "1.000", "(Klammer)", "[1]", "foo/bar", '"zitiert"',
    "'apóstrofo'", "C:\\Pfad\\Datei", "a\\b", "#Überschrift", "- Liste", "1.", "> Zitat",
    "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenherstellungsgenossenschaft",
    "https://example.com/a-b-c?x=1&y=2#frag", "<https://de.wikipedia.org/wiki/Stra%C3%9Fe>",
    "[Text](https://example.com/a-b-c)", "![Bild](bild-1.png \"Titel\")", "**fett**",
    "__fett__", "*kursiv*", "`code`", "``a`b``", "<br>", "{n}", "%s", "%(name)s", "$5",
    "5 €", "-x", "x-", "--", "a—b", "Bindestrich-Wort", "E-Mail-Adresse", "日本語", "中文",
    "한국어", "😀", "👍🏽", "🇪🇸🇩🇪", "e\u0301", "\u200b", "\u2060", "x\u00ady",
]
SEPARATORS = [" ", " ", " ", " ", " ", "  ", "\n", "\n\n", "", "-", "/", " — ", "\t", ", ",
              ". ", " \n", "\u00a0"]

prose = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)),
                 max_size=45).map(lambda parts: "".join(w + s for w, s in parts))
latin = st.text(st.sampled_from(list(
    "  abcdefghijklmnopqrstuvwxyzABCÄÖÜäöüßñáéíóú¿¡«»—–-.,;:!?'\"\\()[]{}*_`#/<>=&%$\n\t"
    "\u00a0\u2011")), max_size=250)
anything = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0\x04"),
                   max_size=120)


@st.composite
def catalogs(draw, text):
    entries = []
    for i in range(draw(st.integers(1, 12))):
        entry = polib.POEntry(msgctxt=f"k{i}", msgid=draw(text), msgstr=draw(text))
        if draw(st.booleans()):
            entry.msgctxt = f"k{i} " + draw(text)
        if draw(st.integers(0, 4)) == 0:
            entry.msgid_plural = draw(text) or "p"
            entry.msgstr_plural = {0: draw(text), 1: draw(text)}
            entry.msgstr = ""
        if draw(st.integers(0, 3)) == 0 and (entry.msgstr or entry.msgstr_plural.get(0)):
            entry.flags = ["fuzzy"]
            entry.previous_msgid = draw(text)
        if draw(st.integers(0, 5)) == 0 and (entry.msgstr or entry.msgstr_plural.get(0)):
            entry.obsolete = True
        entries.append(entry)
    return new_catalog(entries)


def check_against_msgcat(po: polib.POFile) -> None:
    text = format_catalog(po)
    assert msgcat(naive_po(po)) == text
    assert msgcat(text) == text
    again = parse_catalog(text, "a.po")
    assert [fields(e) for e in again] == [fields(e) for e in po if not e.obsolete] + [
        fields(e) for e in po if e.obsolete]
    assert format_catalog(again) == text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs(prose))
def test_german_and_spanish_prose_is_written_exactly_like_msgcat(po):
    check_against_msgcat(po)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs(latin))
def test_latin_text_with_punctuation_is_written_exactly_like_msgcat(po):
    check_against_msgcat(po)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs(anything))
def test_any_unicode_text_is_written_exactly_like_msgcat(po):
    check_against_msgcat(po)


def test_thousands_of_entries_per_second():
    words = ("Der Markteintritt in Spanien «erfordert» Geduld — ¿verdad? [Leitfaden]"
             "(https://example.com/a-b-c) **fett** `code` Übergrößen-Logistik").split()
    po = new_catalog(polib.POEntry(msgctxt=str(i), msgid=" ".join(words[:i % 17] * 3),
                                   msgstr=" ".join(reversed(words[:i % 13] * 3)))
                     for i in range(2000))
    started = time.perf_counter()
    text = format_catalog(po)
    assert len(parse_catalog(text, "a.po")) == 2000
    assert time.perf_counter() - started < 4.0  # about 0.5 s on a laptop


# --------------------------------------------------------------------------- line breaking


def libunistring():
    """libunistring 1.0, the library whose tables catalog.py carries, or skip."""
    name = ctypes.util.find_library("unistring")
    if name is None:
        pytest.skip("libunistring is not installed")
    lib = ctypes.CDLL(name)
    if ctypes.c_int.in_dll(lib, "_libunistring_version").value != 0x010000:
        pytest.skip("catalog.py carries the tables of libunistring 1.0")
    lib.u8_possible_linebreaks_v2.argtypes = [ctypes.c_char_p, ctypes.c_size_t,
                                              ctypes.c_char_p, ctypes.c_char_p]
    lib.uc_width.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    return lib


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
               max_size=60) | prose)
def test_break_opportunities_are_libunistrings(text):
    lib = libunistring()
    data = text.encode("utf-8")
    out = ctypes.create_string_buffer(len(data))
    lib.u8_possible_linebreaks_v2(data, len(data), b"UTF-8", out)
    starts, offset = [], 0
    for ch in text:
        starts.append(offset)
        offset += len(ch.encode("utf-8"))
    assert list(catalog._possible_linebreaks(text)) == [out.raw[i] for i in starts]
    assert [catalog._COLUMNS[ord(c)] for c in text] == [
        max(lib.uc_width(ord(c), b"UTF-8"), 0) for c in text]


def test_line_break_table_covers_every_code_point():
    assert len(catalog._CLASS) == len(catalog._COLUMNS) == 0x110000
    assert catalog._CLASS[ord(" ")] == catalog._SP
    assert catalog._COLUMNS[ord("語")] == 2 and catalog._COLUMNS[0x301] == 0


# --------------------------------------------------------------------------- write_if_changed


def test_write_if_changed_creates_parents_and_writes_utf8(tmp_path):
    path = tmp_path / "locales" / "es" / "LC_MESSAGES" / "a.po"
    assert write_if_changed(path, "msgid \"Größe\"\n") is True
    assert path.read_bytes() == 'msgid "Größe"\n'.encode()
    assert os.listdir(path.parent) == ["a.po"]


@pytest.mark.parametrize("stem", ["x" * 240, "ü" * 120])
def test_write_if_changed_writes_a_catalog_whose_name_is_near_the_file_systems_limit(
        tmp_path, monkeypatch, stem):
    # `.<name>.<32 hex digits>.tmp` of a 243-byte name was over 255 bytes:
    # the catalog could never be written ("File name too long").
    import bilingual.catalog

    path = tmp_path / f"{stem}.po"
    made: list[str] = []
    real_open = os.open

    def recording(name, *args, **kwargs):
        made.append(os.path.basename(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(bilingual.catalog.os, "open", recording)
    assert write_if_changed(path, 'msgid "a"\n') is True
    assert path.read_text() == 'msgid "a"\n'
    [temporary] = [name for name in made if name.endswith(".tmp")]
    assert len(temporary.encode()) <= 1 + 100 + 1 + 32 + 4
    assert bilingual.catalog._TEMPORARY.fullmatch(temporary)


def test_write_if_changed_writes_through_a_symbolic_link_and_keeps_it(tmp_path):
    # A catalog shared by a link became a file of its own; the shared one
    # never got the update.
    shared = tmp_path / "shared" / "a.po"
    shared.parent.mkdir()
    shared.write_text("old\n", encoding="utf-8")
    link = tmp_path / "project" / "a.po"
    link.parent.mkdir()
    link.symlink_to(shared)
    assert write_if_changed(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == str(shared)
    assert shared.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in (tmp_path / "project").iterdir()) == ["a.po"]


def test_write_if_changed_leaves_an_identical_file_alone(tmp_path):
    path = tmp_path / "a.po"
    path.write_bytes("Größe\n".encode())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    inode = path.stat().st_ino
    assert write_if_changed(path, "Größe\n") is False
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert path.stat().st_ino == inode


def test_write_if_changed_replaces_a_different_file_atomically(tmp_path):
    path = tmp_path / "a.po"
    path.write_bytes(b"alt\n")
    path.chmod(0o640)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    inode = path.stat().st_ino
    assert write_if_changed(path, "neu\n") is True
    assert path.read_bytes() == b"neu\n"
    assert path.stat().st_mtime_ns != 1_000_000_000
    assert path.stat().st_ino != inode  # a new file renamed over the old one
    assert path.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["a.po"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_write_if_changed_never_leaves_a_temporary_file(tmp_path, monkeypatch, failing):
    path = tmp_path / "a.po"
    path.write_bytes(b"alt\n")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(catalog.os, failing, fail)
    with pytest.raises(BilingualError) as raised:
        write_if_changed(path, "neu\n")
    assert str(path) in raised.value.format_message()
    assert "No space left on device" in raised.value.format_message()
    monkeypatch.undo()
    assert path.read_bytes() == b"alt\n"
    assert os.listdir(tmp_path) == ["a.po"]


def test_write_if_changed_cleans_up_after_an_interrupt(tmp_path, monkeypatch):
    path = tmp_path / "a.po"

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(catalog.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_if_changed(path, "neu\n")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_write_if_changed_leaves_a_file_saved_after_it_was_read_as_it_was_saved(tmp_path):
    path = tmp_path / "a.po"
    path.write_bytes(b"alt\n")
    read = FileVersion.of(path.read_bytes())
    path.write_bytes(b"ALT\n")  # in place, same size: the bytes tell, not the times
    with pytest.raises(FileChangedError) as raised:
        write_if_changed(path, "neu\n", read)
    assert raised.value.format_message().startswith(f"{path}: changed since it was read")
    assert path.read_bytes() == b"ALT\n"
    assert os.listdir(tmp_path) == ["a.po"]


def test_write_if_changed_looks_again_right_before_the_rename(tmp_path, monkeypatch):
    # A save while the temporary file is flushed, which can take long, is kept too.
    path = tmp_path / "a.po"
    path.write_bytes(b"alt\n")
    read = FileVersion.of(path.read_bytes())
    fsync = os.fsync

    def save_during_the_fsync(fd):
        fsync(fd)
        saved = tmp_path / "a.po.poedit"
        saved.write_bytes(b"gespeichert\n")
        os.replace(saved, path)

    monkeypatch.setattr(catalog.os, "fsync", save_during_the_fsync)
    with pytest.raises(FileChangedError):
        write_if_changed(path, "neu\n", read)
    monkeypatch.undo()
    assert path.read_bytes() == b"gespeichert\n"
    assert os.listdir(tmp_path) == ["a.po"]


def test_write_if_changed_replaces_a_file_saved_again_with_the_same_bytes(tmp_path):
    # An editor that saves without a change makes a new file (new inode and times)
    # with the bytes that were read: nothing of it can be lost.
    path = tmp_path / "a.po"
    path.write_bytes(b"alt\n")
    read = FileVersion.of(path.read_bytes())
    (tmp_path / "copy").write_bytes(b"alt\n")
    os.replace(tmp_path / "copy", path)
    assert write_if_changed(path, "neu\n", read) is True
    assert path.read_bytes() == b"neu\n"


def test_write_if_changed_does_not_replace_a_file_created_after_it_looked(tmp_path):
    path = tmp_path / "a.po"
    absent = FileVersion.of(None)
    path.write_bytes(b"neu angelegt\n")
    with pytest.raises(FileChangedError):
        write_if_changed(path, "neu\n", absent)
    assert path.read_bytes() == b"neu angelegt\n"
    path.unlink()
    assert write_if_changed(path, "neu\n", absent) is True
