"""Segmenting: which text becomes a segment, and the skeleton round trip."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings

from bilingual.errors import SourceError
from bilingual.render import cmark_html, render_markdown
from bilingual.segment import markdown_parser, rebuild_markdown, segment_document
from bilingual.sources import SourceDoc, parse_source, read_sources
from tests.markdown_strategies import documents, wild_documents

REPO = Path(__file__).resolve().parent.parent


def segmented(text: str):
    return segment_document(parse_source(text, PurePosixPath("a.md"), "de", Path("a.md")))


def segmented_body(body: str):
    """Segment Markdown as an article body (no front matter split)."""
    return segment_document(SourceDoc(PurePosixPath("a.md"), "de", Path("a.md"), {}, body, 1))


def identity(msgid, context):
    return msgid


def pseudo(msgid, context):
    return "Ü" + msgid + "ñ"


def block_structure(markdown: str) -> list[tuple[str, str]]:
    """Block token types plus code contents: what a translation must not change."""
    return [(t.type, t.content if t.type in ("fence", "code_block", "html_block") else "")
            for t in markdown_parser().parse(markdown) if t.type != "inline"]


def inline_structure(markdown: str) -> list[str]:
    """Inline token types (links, emphasis, code, hard breaks) of every block, in
    order; soft breaks are joined into spaces by design."""
    return [child.type for t in markdown_parser().parse(markdown) if t.type == "inline"
            for child in t.children or () if child.type not in ("text", "softbreak")]


SAMPLE = """---
title: Markteintritt
description: Wie es geht.
tags: [Spanien, Recht]
slug: markteintritt
---
## Erste *Schritte* ##

Ein Absatz, der über
zwei Zeilen läuft.

- Punkt eins
  - verschachtelt
- Punkt zwei

| Form | Kosten \\| Zeit |
|------|------|
| S.L. | 3 000 € |

> Ein Zitat.

![Eine Karte von Spanien](/images/karte.svg)

```
nicht: übersetzen
```

<div>roh</div>

Ein Absatz, der über zwei Zeilen läuft.
"""


def test_segments_follow_the_spec_kinds_and_order():
    doc = segmented(SAMPLE)
    assert [(s.msgid, s.kind, s.context) for s in doc.segments] == [
        ("Markteintritt", "title", None),
        ("Wie es geht.", "description", None),
        ("Spanien", "tag", None),
        ("Recht", "tag", None),
        ("markteintritt", "slug", "slug"),
        ("Erste *Schritte*", "heading", None),
        ("Ein Absatz, der über zwei Zeilen läuft.", "paragraph", None),
        ("Punkt eins", "list item", None),
        ("verschachtelt", "list item", None),
        ("Punkt zwei", "list item", None),
        ("Form", "table header cell", None),
        ("Kosten \\| Zeit", "table header cell", None),
        ("S.L.", "table cell", None),
        ("3 000 €", "table cell", None),
        ("Ein Zitat.", "blockquote", None),
        ("Eine Karte von Spanien", "image alt", None),
    ]


def test_segment_lines_point_into_the_file():
    doc = segmented(SAMPLE)
    lines = SAMPLE.split("\n")
    for segment in doc.segments:
        if segment.kind in ("heading", "list item", "table cell", "image alt"):
            first_word = segment.msgid.split()[0].strip("*")
            assert first_word in lines[segment.line - 1], segment


def test_code_and_html_are_not_segments():
    msgids = {s.msgid for s in segmented(SAMPLE).segments}
    assert not any("übersetzen" in m or "roh" in m for m in msgids)


def test_hard_break_is_kept_as_backslash_newline():
    doc = segmented("Zeile eins  \nZeile zwei\\\nZeile drei\n")
    assert [s.msgid for s in doc.segments] == ["Zeile eins\\\nZeile zwei\\\nZeile drei"]


def test_translation_spanning_lines_stays_inside_its_container():
    doc = segmented("> - Punkt\n>   weiter\n")
    rebuilt = rebuild_markdown(doc, lambda m, c: "punto\\\nsigue")
    assert rebuilt == "> - punto\\\n>   sigue\n"
    assert block_structure(rebuilt) == block_structure(doc.source.body)


def test_a_translation_cannot_change_the_blocks_of_the_rebuilt_markdown():
    # The rebuilt Markdown is what cmark-gfm renders: a definition in a
    # translation took over the German link's label, a blank line split the
    # paragraph, a line break in a cell made a row and in a heading a paragraph.
    body = ("Erster Absatz.\n\nMit [Verweis][ref] hier.\n\n## Titel\n\n"
            "| A | B |\n|---|---|\n| x | y |\n\nSetext\n===\n\n[ref]: https://example.com/ref\n")
    spanish = {"Erster Absatz.": "[ref]: https://evil.example.com/a",
               "Mit [Verweis][ref] hier.": "Con [referencia][ref] aquí.\n\n    otro párrafo",
               "Titel": "Título\\\ncontinuado", "x": "equis\nnueva fila", "Setext": "[x]: /y",
               "A": "    A", "B": "B", "y": "y"}
    rebuilt = rebuild_markdown(segmented_body(body), lambda m, c: spanish[m])
    assert block_structure(rebuilt) == block_structure(body)
    assert "evil" not in "".join(re.findall(r'href="([^"]*)"', cmark_html(rebuilt)))
    assert "<h2>Título continuado</h2>" in cmark_html(rebuilt)
    assert "<td>equis nueva fila</td>" in cmark_html(rebuilt)


def test_a_shortcut_link_at_a_lines_start_stays_a_link_and_a_setext_heading_no_definition():
    # `[Python]: un lenguaje` is a link and words, not a definition: escaping it
    # lost the link in list items, headings and cells. A heading underlined
    # with `=` over two lines starts a block, where a definition could be made.
    body = ("- [Python]: eine Programmiersprache\n\n## [Python]: Einführung\n\n"
            "| [Rust]: schnell |\n|---|\n| x |\n\nErste Zeile\nzweite Zeile\n===\n\n"
            "Siehe [Start][home].\n\n[Python]: https://www.python.org/\n"
            "[Rust]: https://www.rust-lang.org/\n[home]: https://www.example.com/\n")
    spanish = {"[Python]: eine Programmiersprache": "[Python]: un lenguaje",
               "[Python]: Einführung": "[Python]: una introducción",
               "[Rust]: schnell": "[Rust]: rápido", "x": "x",
               "Erste Zeile zweite Zeile": "[home]: https://evil.example/\nPrimera línea",
               "Siehe [Start][home].": "Véase [inicio][home]."}
    html = cmark_html(rebuild_markdown(segmented_body(body), lambda m, c: spanish[m]))
    assert html.count('href="https://www.python.org/"') == 2
    assert '<th><a href="https://www.rust-lang.org/">Rust</a>: rápido</th>' in html
    assert "evil" not in "".join(re.findall(r'href="([^"]*)"', html))
    # A definition whose URL is on the next line is one too.
    body = "[Doku] erklärt  \nalles.\n\nSiehe [Doku].\n\n[Doku]: https://good.example/\n"
    spanish = {"[Doku] erklärt\\\nalles.": "[Doku]:  \nhttps://evil.example/  \nVéase.",
               "Siehe [Doku].": "Véase [Doku]."}
    html = cmark_html(rebuild_markdown(segmented_body(body), lambda m, c: spanish[m]))
    assert 'href="https://good.example/"' in html and "evil.example/\"" not in html


def test_a_hard_break_inside_an_alt_text_is_not_the_paragraphs():
    # The alt text is parsed as a text of its own: its break was taken for the
    # end of the paragraph's first line, a hard break the German does not have.
    doc = segmented_body("xyz\n![a  \nb](i.png) und mehr\n")
    assert [s.msgid for s in doc.segments] == ["xyz ![a b](i.png) und mehr"]


def test_identity_and_pseudo_translation_of_sample():
    doc = segmented(SAMPLE)
    assert rebuild_markdown(doc, identity) == doc.source.body
    translated = rebuild_markdown(doc, pseudo)
    assert block_structure(translated) == block_structure(doc.source.body)
    assert "Ü" + "Punkt eins" + "ñ" in translated


@settings(max_examples=300, deadline=None)
@given(documents)
def test_identity_translation_rebuilds_source_byte_for_byte(markdown):
    assert rebuild_markdown(segmented_body(markdown), identity) == markdown


@settings(max_examples=300, deadline=None)
@given(documents)
def test_pseudo_translation_keeps_block_and_inline_structure(markdown):
    translated = rebuild_markdown(segmented_body(markdown), pseudo)
    assert block_structure(translated) == block_structure(markdown)
    assert inline_structure(translated) == inline_structure(markdown)


def repository_articles():
    return read_sources(REPO / "content" / "de", "de")


@pytest.mark.parametrize("doc", repository_articles(), ids=lambda d: str(d.key))
def test_every_repository_article_round_trips(doc):
    segmented_doc = segment_document(doc)
    assert rebuild_markdown(segmented_doc, identity) == doc.body
    assert block_structure(rebuild_markdown(segmented_doc, pseudo)) == block_structure(doc.body)


@settings(max_examples=300, deadline=None)
@given(wild_documents)
def test_identity_round_trip_survives_control_characters_and_any_unicode(markdown):
    doc = segmented_body(markdown)
    assert rebuild_markdown(doc, identity) == markdown
    # No segment is empty or carries the block's own line end.
    assert all(s.msgid and not s.msgid.endswith("\n") for s in doc.segments)


@settings(max_examples=200, deadline=None)
@given(wild_documents)
def test_pseudo_translation_of_any_unicode_keeps_block_structure(markdown):
    translated = rebuild_markdown(segmented_body(markdown), pseudo)
    assert block_structure(translated) == block_structure(markdown)


@pytest.mark.parametrize("title", ['"Bildtitel"', "'Bildtitel'", "(Bildtitel)"])
def test_a_lone_image_with_a_title_is_a_paragraph_so_the_title_is_translated(title):
    doc = segmented_body(f"![Nur Bild](c.png {title})\n\n![Ohne Titel](d.png)\n")
    assert [(s.msgid, s.kind) for s in doc.segments] == [
        (f"![Nur Bild](c.png {title})", "paragraph"), ("Ohne Titel", "image alt")]
    assert rebuild_markdown(doc, identity) == doc.source.body
    spanish = {f"![Nur Bild](c.png {title})": '![Solo imagen](c.png "Título")',
               "Ohne Titel": "Sin título"}
    assert rebuild_markdown(doc, lambda msgid, context: spanish[msgid]) == (
        '![Solo imagen](c.png "Título")\n\n![Sin título](d.png)\n')


def test_a_blank_image_title_leaves_the_alt_text_alone_a_segment():
    doc = segmented_body('![Nur Bild](c.png " ")\n')
    assert [(s.msgid, s.kind) for s in doc.segments] == [("Nur Bild", "image alt")]


def test_a_decorative_image_alone_is_no_segment():
    # `![](deko.png)` has nothing to translate: as an entry, its Markdown held
    # the page back until a translator copied it.
    doc = segmented_body("![](deko.png)\n\nText.\n\n![](x.png \"Titel\")\n\n![ ](linie.png)\n")
    assert [(s.msgid, s.kind) for s in doc.segments] == [
        ("Text.", "paragraph"), ('![](x.png "Titel")', "paragraph")]
    assert rebuild_markdown(doc, lambda msgid, context: "Texto") == (
        "![](deko.png)\n\nTexto\n\nTexto\n\n![ ](linie.png)\n")
    assert "<p><img" in render_markdown(doc.source.body, lambda msgid, context: "Texto")


@pytest.mark.parametrize(("body", "msgid"), [
    # An escaped backslash at a line's end is text: the entry had lost it and
    # gained a hard break, and the Spanish page showed `C:<br>`.
    ("Der Pfad ist C:\\\\\nund weiter.\n", "Der Pfad ist C:\\\\ und weiter."),
    # Two spaces inside a code span are code, not a hard break.
    ("Code `eins  \nzwei` Ende.\n", "Code `eins zwei` Ende."),
    # A backslash break after an escaped backslash keeps the escaped one.
    ("A\\\\\\\nB\n", "A\\\\\\\nB"),
    ("Zeile eins\\\nZeile zwei  \nZeile drei\n", "Zeile eins\\\nZeile zwei\\\nZeile drei"),
])
def test_hard_line_breaks_are_the_ones_the_parser_reads(body, msgid):
    doc = segmented_body(body)
    assert [s.msgid for s in doc.segments] == [msgid]
    # The entry, as a translation, renders as the German does.
    assert inline_structure(rebuild_markdown(doc, lambda m, c: m + " ")) == \
        inline_structure(body)


def test_decorative_images_side_by_side_linked_or_in_a_table_cell_are_no_segment():
    # Each of these became an entry of its own Markdown that held the page back.
    body = ("![](a.png) ![](b.png)\n\n[![](logo.png)](https://example.com)\n\n"
            "| Bild | Text |\n|---|---|\n| ![](c.png) | Zelle |\n\n"
            "![Karte](d.png) ![](e.png)\n\n[![](f.png)](/x \"Zur Startseite\")\n")
    doc = segmented_body(body)
    assert [(s.msgid, s.kind) for s in doc.segments] == [
        ("Bild", "table header cell"), ("Text", "table header cell"), ("Zelle", "table cell"),
        # Words to translate beside them, an alt text or a link title: an entry as before.
        ("![Karte](d.png) ![](e.png)", "paragraph"),
        ('[![](f.png)](/x "Zur Startseite")', "paragraph")]
    spanish = {"Bild": "Imagen", "Text": "Texto", "Zelle": "Celda",
               "![Karte](d.png) ![](e.png)": "![Mapa](d.png) ![](e.png)",
               '[![](f.png)](/x "Zur Startseite")': '[![](f.png)](/x "Al inicio")'}
    assert rebuild_markdown(doc, lambda msgid, context: spanish[msgid]) == (
        "![](a.png) ![](b.png)\n\n[![](logo.png)](https://example.com)\n\n"
        "| Imagen | Texto |\n|---|---|\n| ![](c.png) | Celda |\n\n"
        "![Mapa](d.png) ![](e.png)\n\n[![](f.png)](/x \"Al inicio\")\n")


@pytest.mark.parametrize(("body", "line"), [
    ("Text.\n\n" + "\n".join("  " * i + f"- Ebene {i}" for i in range(12)) + "\n", 12),
    ("> " * 20 + "Tief zitiert.\n", 1)])
def test_blocks_nested_deeper_than_the_parser_goes_are_an_error_at_their_line(body, line):
    # markdown-it skips what lies deeper than 20 levels, cmark-gfm renders it:
    # those blocks were no segments, and the Spanish page showed them in German.
    doc = SourceDoc(PurePosixPath("a.md"), "de", Path("content/de/a.md"), {}, body, 5)
    with pytest.raises(SourceError) as raised:
        segment_document(doc)
    assert raised.value.format_message().startswith(
        f"content/de/a.md:{4 + line}: lists or quotes nested too deeply (more than 20 levels")
    # One level less is segmented whole.
    shallower = "\n".join("  " * i + f"- Ebene {i}" for i in range(9)) + "\n" + "> " * 19 + "Q\n"
    assert len(segmented_body(shallower).segments) == 10


def test_an_empty_table_cell_between_two_pipes_keeps_the_cells_after_it():
    # Found by the fuzzer: the cells after an empty one took their neighbour's
    # source text, and the empty one became an empty msgid (the header's key).
    markdown = "| Markt |  | Preis |\n|---|---|---|\n| a |  | b |\n"
    doc = segmented_body(markdown)
    assert [s.msgid for s in doc.segments] == ["Markt", "Preis", "a", "b"]
    assert rebuild_markdown(doc, pseudo) == "| ÜMarktñ |  | ÜPreisñ |\n|---|---|---|\n| Üañ |  | Übñ |\n"


def test_a_tab_in_a_list_items_indentation_is_placed():
    # Found by the fuzzer: markdown-it turns the tab into spaces, and the line
    # could not be found in the source (a ValueError, i.e. a traceback).
    markdown = "- \t Markt\n    \t Markt\n  Markt\n"
    doc = segmented_body(markdown)
    assert [s.msgid for s in doc.segments] == ["Markt Markt Markt"]
    assert rebuild_markdown(doc, identity) == markdown
    assert block_structure(rebuild_markdown(doc, pseudo)) == block_structure(markdown)


def test_a_tab_expanding_to_more_spaces_than_the_source_has_is_placed():
    # Found by the fuzzer: "\t " under a list item became three spaces of content
    # where the source line has two characters before the text.
    markdown = "Markt\n\n- Markt\n\n\t Markt\n\t Markt\n"
    doc = segmented_body(markdown)
    assert [s.msgid for s in doc.segments] == ["Markt", "Markt Markt"]  # one entry per msgid
    assert rebuild_markdown(doc, identity) == markdown
    assert block_structure(rebuild_markdown(doc, pseudo)) == block_structure(markdown)


def test_a_table_row_starting_with_a_vertical_tab_keeps_its_cells():
    # Found by the fuzzer: markdown-it-py trims the row with str.strip, so "\v |0"
    # has the one cell "0"; the segmenter took "\v" for the first cell.
    markdown = "\x0b |0\n---\n"
    doc = segmented_body(markdown)
    assert [s.msgid for s in doc.segments] == ["0"]
    assert block_structure(rebuild_markdown(doc, pseudo)) == block_structure(markdown)


def test_a_line_blank_only_to_markdown_it_before_a_paragraph_is_skipped():
    # Found by the fuzzer: `\x0b` is blank to markdown-it, so the item's paragraph
    # starts a line later than its map says (was a ValueError, i.e. a traceback).
    markdown = "Markt\n\n3. \x0b\n===\n"
    doc = segmented_body(markdown)
    assert rebuild_markdown(doc, identity) == markdown
    assert block_structure(rebuild_markdown(doc, pseudo)) == block_structure(markdown)


def test_the_kept_segments_hold_each_text_once_beside_the_body():
    # The cache keeps an article's segments for every build: a text that
    # stands in the source as its segment is one string, pickled once, and
    # one written differently (wrapped over two lines) keeps both forms.
    import pickle

    import bilingual.reading  # noqa: F401 - registers how the cache pickles documents

    doc = segmented_body("Ein Absatz über Brücken.\n\n- Ein Punkt in einer Liste.\n\n"
                         "Zwei Zeilen\nin einem Absatz.\n")
    kept = pickle.dumps(doc, pickle.HIGHEST_PROTOCOL)
    for text in ("Ein Absatz über Brücken.", "Ein Punkt in einer Liste."):
        assert kept.count(text.encode()) == 2  # the body, the segment
    assert kept.count(b"Zwei Zeilen in einem Absatz.") == 1
    assert kept.count(b"Zwei Zeilen\nin einem Absatz.") == 2  # the body, the slot
    assert rebuild_markdown(pickle.loads(kept), identity) == doc.source.body


DEFINITIONS = (
    "Die [Doku][d], das [Archiv][a] und ein Bild:\n\n"
    "![Karte][k]\n\n"
    '[d]: https://example.org/doku "Die Dokumentation"\n'
    "> Zitat.\n>\n> [a]: /archiv 'Das Archiv'\n"
    "[k]: karte.png (Karte im Maßstab)\n"
    '[d]: /zweite "Nie gezeigt"\n'
    '[alt]: /alt "Von keinem Link genannt"\n'
)


def test_the_titles_of_link_reference_definitions_are_segments():
    # A reader sees them on hover, on every link naming the label: they
    # stayed German on the Spanish page, with nothing to translate them.
    doc = segmented_body(DEFINITIONS)
    assert [(s.msgid, s.kind) for s in doc.segments if s.kind == "link title"] == [
        ("Die Dokumentation", "link title"), ("Das Archiv", "link title"),
        ("Karte im Maßstab", "link title")]  # the second [d] and [alt]: shown nowhere
    assert rebuild_markdown(doc, identity) == DEFINITIONS


@pytest.mark.parametrize("translation", [
    'La "documentación"', "Archivo d'Or", "Mapa (a escala)", "Mapa \\(x)", "Ruta C:\\",
    "Ruta C:\\\\", "Dos\nlíneas", 'Fin"', "Ancho ) y ( alto",
    # A CR ends a line too: two were a blank line, which ended the definition.
    "La\r\rdocumentación", "Uno\rdos\r\ntres",
])
def test_a_translated_title_stays_the_title_whichever_renderer_shows_it(translation):
    # Quotes, parentheses and a final backslash would end the title early
    # (the definition then showed as a paragraph and the links as text).
    doc = segmented_body(DEFINITIONS)
    titles = {s.msgid for s in doc.segments if s.kind == "link title"}

    def spanish(msgid, context):
        return translation if msgid in titles else None

    rebuilt = rebuild_markdown(doc, spanish)
    cmark = cmark_html(rebuilt)
    tokens_page = render_markdown(DEFINITIONS, spanish)
    assert cmark.replace(" />", ">") == tokens_page.replace(" />", ">")
    shown = re.sub(r"[\r\n]+", " ", translation).replace("\\(", "(")
    if shown.endswith("\\\\"):
        shown = shown[:-1]
    quoted = shown.replace('"', "&quot;")
    assert tokens_page.count(f'title="{quoted}"') == 3
    assert 'href="https://example.org/doku"' in tokens_page and 'href="/archiv"' in tokens_page
    assert "[d]:" not in tokens_page and "[d]:" not in cmark


def test_titles_across_lines_or_kept_from_translation_are_no_segments():
    body = ('[x] [y]\n\n[x]: /x "Zwei\nZeilen"\n\n<!-- notranslate -->\n\n'
            '[y]: /y "Bleibt deutsch"\n\n<!-- /notranslate -->\n')
    doc = segmented_body(body)
    assert [s.kind for s in doc.segments] == ["paragraph"]
    assert rebuild_markdown(doc, identity) == body
