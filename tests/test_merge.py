"""Merging follows GNU msgmerge: keep, fuzzy with previous msgid, obsolete, memory."""

from __future__ import annotations

import subprocess
import unicodedata

import polib
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingual.catalog import format_catalog, header_text, parse_catalog, plain_messages
from bilingual.merge import (
    MEMORY_COMMENT,
    build_memory,
    has_translation,
    is_translated,
    merge_catalog,
)
from tests.conftest import gettext_tool, msgfmt_check

HEADER = {"Language": "es", "Content-Type": "text/plain; charset=UTF-8",
          "Plural-Forms": "nplurals=2; plural=(n != 1);"}


def template(*msgids, kind="paragraph"):
    return [polib.POEntry(msgid=m, comment=kind, occurrences=[("content/de/a.md", "")])
            for m in msgids]


def catalog(*pairs, **header):
    po = polib.POFile()
    po.metadata = {**HEADER, **header}
    for msgid, msgstr in pairs:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    return po


def by_msgid(po):
    return {e.msgid: e for e in po}


def msgmerge(old_text, fresh, tmp_path):
    """GNU `msgmerge --previous` of catalog text `old_text` with a template of
    `fresh` entries, parsed."""
    pot = polib.POFile()
    pot.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    pot.extend(fresh)
    (tmp_path / "old.po").write_text(old_text, encoding="utf-8")
    (tmp_path / "new.pot").write_text(format_catalog(pot), encoding="utf-8")
    merged = subprocess.run([gettext_tool("msgmerge"), "--previous", "-q", "-o", "-",
                             str(tmp_path / "old.po"), str(tmp_path / "new.pot")],
                            capture_output=True, text=True, check=True).stdout
    return parse_catalog(merged, "msgmerge")


def msgfmt_accepts(text, tmp_path):
    (tmp_path / "written.po").write_text(text, encoding="utf-8")
    return msgfmt_check(tmp_path / "written.po").returncode == 0


def merged_fields(po):
    """What a merge decides about each entry: text, translation, flags, `#|` fields."""
    return [(e.msgid, e.msgid_plural, e.msgstr, dict(e.msgstr_plural), "fuzzy" in e.flags,
             e.previous_msgid, e.previous_msgid_plural, bool(e.obsolete)) for e in po]


def test_new_catalog_has_header_and_empty_entries():
    merged, stats = merge_catalog(None, template("Eins", "Zwei"), HEADER, "comment", {})
    assert merged.metadata == HEADER
    assert [(e.msgid, e.msgstr, e.comment) for e in merged] == [
        ("Eins", "", "paragraph"), ("Zwei", "", "paragraph")]
    assert stats.new == 2


def test_unchanged_segment_keeps_translation_and_translator_comment():
    old = catalog(("Der Hund schläft.", "El perro duerme."))
    old[0].tcomment = "Terminología revisada"
    merged, stats = merge_catalog(old, template("Der Hund schläft."), HEADER, "", {})
    entry = merged[0]
    assert (entry.msgstr, entry.tcomment, entry.flags) == ("El perro duerme.",
                                                            "Terminología revisada", [])
    assert stats.kept == 1


def test_a_segment_once_written_with_decomposed_letters_keeps_its_translation():
    # The article is read composed (NFC); its catalog was written when it was
    # not (NFD, as a Mac may save it): the same text, no fuzzy, no obsolete.
    decomposed = unicodedata.normalize("NFD", "Ärger über Öl.")
    old = catalog((decomposed, "Enfado por el aceite."))
    merged, stats = merge_catalog(old, template("Ärger über Öl."), HEADER, "", {})
    assert [(e.msgid, e.msgstr, e.flags, e.obsolete) for e in merged] == [
        ("Ärger über Öl.", "Enfado por el aceite.", [], False)]
    assert (stats.kept, stats.fuzzy, stats.obsoleted) == (1, 0, 0)


def test_changed_segment_is_fuzzy_with_previous_msgid():
    old = catalog(("Der Hund schläft im Haus.", "El perro duerme en casa."))
    merged, stats = merge_catalog(old, template("Der Hund schläft im Garten."), HEADER, "", {})
    entry = merged[0]
    assert entry.msgstr == "El perro duerme en casa."
    assert entry.flags == ["fuzzy"]
    assert entry.previous_msgid == "Der Hund schläft im Haus."
    assert not [e for e in merged if e.obsolete]
    assert stats.fuzzy == 1


def test_an_edit_to_a_very_long_paragraph_is_matched_without_comparing_every_letter(
        monkeypatch):
    # difflib without junk is quadratic: one word changed in a paragraph of
    # 20,000 words kept `update` busy for more than five minutes.
    import difflib

    import bilingual.merge

    compared: list[tuple[type, int, bool]] = []
    real = difflib.SequenceMatcher

    def counting(isjunk, a, b, autojunk=True):
        compared.append((type(a), len(a) + len(b), autojunk))
        return real(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(bilingual.merge.difflib, "SequenceMatcher", counting)
    words = [f"Wort{i}" for i in range(20000)]
    before = " ".join(words)
    words[5], words[15000] = "Wurst5", "Käse15000"
    after = " ".join(words)
    old = catalog((before, "Traducción larga."), ("Kurz.", "Corto."))
    merged, stats = merge_catalog(old, template(after, "Kurz!"), HEADER, "", {})
    entry = by_msgid(merged)[after]
    assert (entry.msgstr, entry.flags, entry.previous_msgid) == (
        "Traducción larga.", ["fuzzy"], before)
    assert by_msgid(merged)["Kurz!"].msgstr == "Corto."  # short texts as before
    assert stats.fuzzy == 2
    # Letters were compared only for short texts; the long ones by the words
    # of their differing middle, with difflib's junk heuristic.
    assert all(length <= bilingual.merge.LONG_DIFF for kind, length, _ in compared
               if kind is str)
    assert [autojunk for kind, _, autojunk in compared if kind is list] == [True]
    ratio = bilingual.merge.similarity(before, after)
    assert 0.99 < ratio < 1 and ratio == bilingual.merge.similarity(before, after)


def test_a_singular_fuzzy_entry_has_no_previous_plural():
    old = catalog(("Der Hund schläft im Haus.", "El perro duerme en casa."))
    merged, _ = merge_catalog(old, template("Der Hund schläft im Garten."), HEADER, "", {})
    assert merged[0].previous_msgid_plural is None
    assert "#| msgid_plural" not in format_catalog(merged)


def test_a_fuzzy_entry_that_changes_again_keeps_the_text_its_translation_was_made_for():
    # A -> B -> C: the translator's diff must start from A, as msgmerge's does.
    old = catalog(("Der Hund schläft im Haus.", "El perro duerme en casa."))
    once, _ = merge_catalog(old, template("Der Hund schläft im Garten."), HEADER, "", {})
    twice, stats = merge_catalog(once, template("Der Hund schläft im großen Garten."),
                                 HEADER, "", {})
    entry = twice[0]
    assert (entry.msgstr, entry.flags, entry.previous_msgid) == (
        "El perro duerme en casa.", ["fuzzy"], "Der Hund schläft im Haus.")
    assert stats.fuzzy == 1 and not [e for e in twice if e.obsolete]


def test_fuzzy_matches_stay_within_their_context():
    # As msgmerge: a new paragraph does not take the translation of a slug that
    # went away, however alike the two texts; a changed slug still takes its own.
    old = catalog(("markt-in-spanien", "mercado-en-espana"))
    old[0].msgctxt = "slug"
    merged, stats = merge_catalog(old, template("Markt in Spanien."), HEADER, "", {})
    assert [(e.msgctxt, e.msgid, e.msgstr, e.obsolete) for e in merged] == [
        (None, "Markt in Spanien.", "", False),
        ("slug", "markt-in-spanien", "mercado-en-espana", True)]
    assert (stats.fuzzy, stats.new) == (0, 1)
    fresh = template("markt-in-spanien-neu")
    fresh[0].msgctxt = "slug"
    merged, stats = merge_catalog(old, fresh, HEADER, "", {})
    assert [(e.msgstr, e.previous_msgid) for e in merged] == [
        ("mercado-en-espana", "markt-in-spanien")]


def test_an_edited_text_takes_a_fuzzy_translation_from_an_entry_still_in_use(tmp_path):
    # "Willkommen" is the title and a heading: one entry. The title changes; as
    # msgmerge, the new title takes the heading's translation, fuzzy.
    old = catalog(("Willkommen", "Bienvenida"), ("Schön, dass Sie da sind.", "Qué bien."))
    fresh = template("Willkommen bei uns", "Willkommen", "Schön, dass Sie da sind.")
    merged, stats = merge_catalog(old, fresh, HEADER, "", {})
    assert merged_fields(merged) == merged_fields(msgmerge(format_catalog(old), fresh, tmp_path))
    assert [(e.msgid, e.msgstr, e.flags, e.previous_msgid) for e in merged] == [
        ("Willkommen bei uns", "Bienvenida", ["fuzzy"], "Willkommen"),
        ("Willkommen", "Bienvenida", [], None),
        ("Schön, dass Sie da sind.", "Qué bien.", [], None)]
    assert (stats.kept, stats.fuzzy, stats.new) == (2, 1, 0)


def test_the_closest_of_several_translations_is_taken_first_one_on_a_tie():
    old = catalog(("Der Hund schläft.", "El perro duerme."),
                  ("Der Hund schläft im Haus.", "El perro duerme en casa."),
                  ("Der Hund schläft im Hof.", "El perro duerme en el patio."),
                  ("Die Katze schläft im Haus.", "El gato duerme en casa."))
    merged, _ = merge_catalog(old, template("Der Hund schläft im Haus!", "Der Hund schläft im "
                                            "Hoff.", "Der Hund schläft."), HEADER, "", {})
    assert [(e.msgid, e.previous_msgid) for e in merged if not e.obsolete] == [
        ("Der Hund schläft im Haus!", "Der Hund schläft im Haus."),
        ("Der Hund schläft im Hoff.", "Der Hund schläft im Hof."),
        ("Der Hund schläft.", None)]
    tie = catalog(("abcx", "primero"), ("abcy", "segundo"))
    merged, _ = merge_catalog(tie, template("abcz"), HEADER, "", {})
    assert merged[0].msgstr == "primero"


def test_removed_segment_becomes_obsolete_with_its_translation():
    old = catalog(("Bleibt.", "Se queda."), ("Ganz anderer Satz über Steuern.", "Impuestos."))
    merged, stats = merge_catalog(old, template("Bleibt."), HEADER, "", {})
    gone = [e for e in merged if e.obsolete]
    assert [(e.msgid, e.msgstr) for e in gone] == [("Ganz anderer Satz über Steuern.",
                                                    "Impuestos.")]
    assert stats.obsoleted == 1


def test_obsolete_entry_is_revived_when_its_text_returns():
    old = catalog(("Zurück.", "De vuelta."))
    old[0].obsolete = True
    merged, _ = merge_catalog(old, template("Zurück."), HEADER, "", {})
    assert [(e.msgid, e.msgstr, e.obsolete) for e in merged] == [("Zurück.", "De vuelta.", 0)]


def test_header_fields_survive():
    old = catalog(**{"Last-Translator": "Ana García <ana@example.com>"})
    old.header = "Traducción de a.md"
    merged, _ = merge_catalog(old, template("Neu."), {"Language": "xx"}, "ignored", {})
    assert merged.metadata["Last-Translator"] == "Ana García <ana@example.com>"
    assert merged.header == "Traducción de a.md"


WILD_HEADER = """\
# Traducción de a.md
msgid ""
msgstr ""
"Last-Translator: Ana García <ana@example.com>  \\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"X-Poedit-SearchPath-0: a\\n"
"X-Poedit-SearchPath-0: b\\n"
"X-Empty:\\n"
"X-Last: z"

msgid "Alt."
msgstr "Viejo."
"""


def test_the_header_is_kept_byte_for_byte_as_msgmerge_keeps_it(tmp_path):
    fresh = template("Neu.")
    merged, _ = merge_catalog(parse_catalog(WILD_HEADER, "old.po"), fresh, HEADER, "", {})
    # msgmerge also adds the last line's `\n` (msgcat does not).
    assert header_text(merged) == header_text(msgmerge(WILD_HEADER, fresh, tmp_path)) == (
        "Last-Translator: Ana García <ana@example.com>  \n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Plural-Forms: nplurals=2; plural=(n != 1);\n"
        "X-Poedit-SearchPath-0: a\nX-Poedit-SearchPath-0: b\nX-Empty:\nX-Last: z\n")
    assert merged.header == "Traducción de a.md"
    written = format_catalog(merged)
    assert '"X-Poedit-SearchPath-0: a\\n"\n"X-Poedit-SearchPath-0: b\\n"' in written
    assert msgfmt_accepts(written, tmp_path)


def test_plural_forms_is_added_when_plural_entries_come_to_a_header_without_it(tmp_path):
    old = catalog(("Alt.", "Viejo."))
    del old.metadata["Plural-Forms"]
    fresh = [polib.POEntry(msgid="Eine Minute", msgid_plural="{{ n }} Minuten")]
    merged, _ = merge_catalog(old, fresh, HEADER, "", {})
    assert header_text(merged).endswith("Plural-Forms: nplurals=2; plural=(n != 1);\n")
    assert msgfmt_accepts(format_catalog(merged), tmp_path)
    parse_catalog(format_catalog(merged), "again.po")  # readable: plurals match the header
    merged, _ = merge_catalog(old, template("Neu."), HEADER, "", {})
    assert "Plural-Forms" not in merged.metadata  # no plural entry, no field added


def test_translation_memory_fills_exact_match_and_says_where_from():
    other = catalog(("Spanien", "España"), ("Unfertig", ""))
    memory = build_memory([("content/de/b.md", other)])
    merged, stats = merge_catalog(None, template("Spanien", "Unfertig"), HEADER, "", memory)
    entries = by_msgid(merged)
    assert entries["Spanien"].msgstr == "España"
    assert entries["Spanien"].tcomment == MEMORY_COMMENT + "content/de/b.md"
    assert "fuzzy" not in entries["Spanien"].flags
    assert entries["Unfertig"].msgstr == ""
    assert stats.from_memory == 1


def test_fuzzy_translations_are_not_remembered():
    other = catalog(("Spanien", "España"))
    other[0].flags.append("fuzzy")
    assert build_memory([("b", other)]) == {}


def test_obsolete_translations_are_remembered_after_live_ones():
    gone = catalog(("Die Katze", "El gato"), ("Der Hund", "El perro viejo"),
                   ("Die Maus", "El ratón"))
    for entry in gone:
        entry.obsolete = True
    gone[2].flags.append("fuzzy")
    live = catalog(("Der Hund", "El perro"))
    memory = build_memory([("content/de/blog/katze.md", gone), ("content/de/hund.md", live)])
    assert {msgid: (hit.msgstr, hit.origin) for (_, msgid), hit in memory.items()} == {
        "Die Katze": ("El gato", "content/de/blog/katze.md"),
        "Der Hund": ("El perro", "content/de/hund.md")}


TEXTS = st.sampled_from(["Spanien", "Die Katze", " ", "", "\n", "50 %", "Recht\nund Gesetz"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(st.none() | st.sampled_from(["slug", "title"]), TEXTS, TEXTS,
                                   st.booleans()), max_size=6), max_size=4))
def test_memory_from_plain_messages_equals_memory_from_parsed_catalogs(catalogs):
    # An update reads every catalog of a language for the memory, most of them
    # with the fast reader; the memory must be the one the full parse gives.
    texts = []
    for pairs in catalogs:
        po = catalog()
        for msgctxt, msgid, msgstr, fuzzy in pairs:
            if msgid and (msgctxt, msgid) not in {(e.msgctxt, e.msgid) for e in po}:
                po.append(polib.POEntry(msgctxt=msgctxt, msgid=msgid, msgstr=msgstr,
                                        flags=["fuzzy"] if fuzzy else []))
        texts.append(format_catalog(po))
    plain = [plain_messages(text) for text in texts]
    assert all(messages is not None for messages in plain)
    origins = [f"content/de/{n}.md" for n in range(len(texts))]
    assert build_memory(zip(origins, plain, strict=True)) == build_memory(
        zip(origins, (parse_catalog(text, "x.po") for text in texts), strict=True))


def test_translations_of_only_whitespace_count_as_none():
    old = catalog(("Spanien", " "), ("Recht", "\n"), (" ", " "))
    assert [(is_translated(e), has_translation(e)) for e in old] == [
        (False, False), (False, False), (True, True)]
    # Neither remembered for other catalogs nor carried over as fuzzy.
    assert list(build_memory([("b", old)])) == [(None, " ")]
    merged, stats = merge_catalog(old, template("Spaniens"), HEADER, "", {})
    assert (merged[0].msgstr, stats.fuzzy) == ("", 0)


PLURALS = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "{{ count }} Minute Lesezeit"
msgid_plural "{{ count }} Minuten Lesezeit"
msgstr[0] "{{ count }} minuto de lectura"
msgstr[1] "{{ count }} minutos de lectura"

msgid "Ein Abschnitt"
msgid_plural "Viele Abschnitte"
msgstr[0] "una sección"
msgstr[1] "varias secciones"

msgid "Ein Entwurf"
msgstr "un borrador"

#, fuzzy
#| msgid "Eine Stunde"
#| msgid_plural "Viele Stunden"
msgid "Eine Stunde Lesezeit"
msgid_plural "Viele Stunden Lesezeit"
msgstr[0] "una hora"
msgstr[1] "muchas horas"

msgid "Bleibt"
msgid_plural "Bleiben"
msgstr[0] "queda"
msgstr[1] "quedan"
"""


def test_a_changed_plural_is_fuzzy_as_msgmerge_makes_it(tmp_path):
    # The same msgid with another msgid_plural, a plural lost, a plural gained,
    # a plural changed again while fuzzy, and one unchanged.
    fresh = [polib.POEntry(msgid="{{ count }} Minute Lesezeit",
                           msgid_plural="{{ count }} Minuten zum Lesen"),
             polib.POEntry(msgid="Ein Abschnitt"),
             polib.POEntry(msgid="Ein Entwurf", msgid_plural="Viele Entwürfe"),
             polib.POEntry(msgid="Eine Stunde Lesezeit", msgid_plural="{{ n }} Stunden Lesezeit"),
             polib.POEntry(msgid="Bleibt", msgid_plural="Bleiben")]
    merged, stats = merge_catalog(parse_catalog(PLURALS, "old.po"), fresh, HEADER, "", {})
    assert (stats.kept, stats.fuzzy) == (1, 4)
    assert merged_fields(merged) == merged_fields(msgmerge(PLURALS, fresh, tmp_path))
    assert merged_fields(merged)[0] == (
        "{{ count }} Minute Lesezeit", "{{ count }} Minuten zum Lesen", "",
        {0: "{{ count }} minuto de lectura", 1: "{{ count }} minutos de lectura"}, True,
        "{{ count }} Minute Lesezeit", "{{ count }} Minuten Lesezeit", False)


def test_remembered_translation_needs_the_same_plural():
    other = catalog(("Ein Entwurf", "un borrador"))
    memory = build_memory([("b", other)])
    fresh = polib.POEntry(msgid="Ein Entwurf", msgid_plural="Viele Entwürfe")
    merged, stats = merge_catalog(None, [fresh], HEADER, "", memory)
    assert (merged[0].msgstr_plural, stats.new) == ({0: "", 1: ""}, 1)


def test_plural_entries_get_forms_from_nplurals():
    entry = polib.POEntry(msgid="%(n)s minute", msgid_plural="%(n)s minutes")
    merged, _ = merge_catalog(None, [entry], HEADER, "", {}, nplurals=3)
    assert merged[0].msgstr_plural == {0: "", 1: "", 2: ""}


sentences = st.lists(st.text(alphabet="abcdefgh ÄÖÜß.", min_size=1, max_size=30),
                     min_size=0, max_size=8, unique=True)


@settings(max_examples=200, deadline=None)
@given(sentences, sentences)
def test_no_translation_ever_vanishes(old_msgids, new_msgids):
    old = catalog(*[(m, f"ES:{m}") for m in old_msgids])
    merged, _ = merge_catalog(old, template(*new_msgids), HEADER, "", {})
    surviving = {e.msgstr for e in merged if e.msgstr}
    assert {f"ES:{m}" for m in old_msgids} <= surviving
    assert [e.msgid for e in merged if not e.obsolete] == new_msgids


def test_flags_a_translator_set_survive():
    old = catalog(("Hallo %(name)s", "Hola %(name)s"))
    old[0].flags = ["fuzzy", "python-format"]
    old[0].previous_msgid = "Hallo"
    merged, _ = merge_catalog(old, template("Hallo %(name)s"), HEADER, "", {})
    assert merged[0].flags == ["fuzzy", "python-format"]
    assert merged[0].previous_msgid == "Hallo"
