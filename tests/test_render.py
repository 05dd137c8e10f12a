"""Rendering translated pages from the German block structure."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingual.checks import inline_markup
from bilingual.render import is_plain_markdown, render_body, render_markdown
from bilingual.segment import markdown_parser, rebuild_markdown, segment_document
from bilingual.sources import SourceDoc
from tests.markdown_strategies import documents, wild_documents

REPOSITORY = Path(__file__).resolve().parent.parent


class TagSequence(HTMLParser):
    """The start and end tags of a document, attributes left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        self.tags.append("/" + tag)


def tags(html: str) -> list[str]:
    parser = TagSequence()
    parser.feed(html)
    return parser.tags


def pseudo(msgid, context):
    return "[Ü " + msgid + " ñ]"


@settings(max_examples=300, deadline=None)
@given(documents)
def test_pseudo_translation_keeps_the_html_tag_structure(markdown):
    german = render_markdown(markdown)
    translated = render_markdown(markdown, pseudo)
    assert tags(translated) == tags(german)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_identity_translation_renders_the_german_html(markdown):
    assert render_markdown(markdown, lambda m, c: m) == render_markdown(markdown)


def test_untranslated_blocks_are_marked_with_the_source_language():
    html = render_markdown("Übersetzt.\n\nOffen.\n\n- eins\n- zwei\n",
                           lambda m, c: {"Übersetzt.": "Traducido.", "eins": "uno"}.get(m),
                           untranslated_lang="de")
    assert html == ('<p>Traducido.</p>\n<p lang="de">Offen.</p>\n<ul>\n<li>uno</li>\n'
                    '<li lang="de">zwei</li>\n</ul>\n')


class TextLanguages(HTMLParser):
    """Each text node of a document with the `lang` it inherits."""

    VOID = {"br", "hr", "img", "input", "meta", "link"}

    def __init__(self, page_lang: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = [("", page_lang)]
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("lang") or self.stack[-1][1]))

    def handle_endtag(self, tag):
        while len(self.stack) > 1 and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if data.strip():
            self.texts.append((data.strip(), self.stack[-1][1]))


def text_languages(html: str, page_lang: str = "es") -> list[tuple[str, str]]:
    """(text, inherited lang) of every text node, on a page in `page_lang`."""
    parser = TextLanguages(page_lang)
    parser.feed(html)
    parser.close()
    return parser.texts


def draft(markdown: str, translations: dict[str, str]) -> list[tuple[str, str]]:
    """The text languages of a draft translated with `translations` only."""
    return text_languages(render_markdown(markdown, lambda m, c: translations.get(m),
                                          untranslated_lang="de"))


def test_a_translated_item_in_an_untranslated_item_is_not_marked_german():
    assert draft("- Oben\n  - Unten\n", {"Unten": "Abajo"}) == [("Oben", "de"),
                                                                ("Abajo", "es")]
    assert draft("1. Oben\n   1. Unten\n      - Ganz unten\n",
                 {"Unten": "Abajo"}) == [("Oben", "de"), ("Abajo", "es"), ("Ganz unten", "de")]


def test_an_untranslated_item_in_a_translated_item_alone_is_marked_german():
    assert draft("- Oben\n  - Unten\n", {"Oben": "Arriba"}) == [("Arriba", "es"),
                                                                ("Unten", "de")]


def test_the_text_of_a_tight_item_is_marked_apart_from_what_else_it_holds():
    # Quote, code and a second paragraph share the item with its first text.
    assert draft("- Oben\n  > Zitat\n", {"Zitat": "Cita"}) == [("Oben", "de"),
                                                                ("Cita", "es")]
    html = render_markdown("- Eins\n  ```\n  code\n  ```\n  Zwei\n",
                           lambda m, c: {"Eins": "Uno"}.get(m), untranslated_lang="de")
    assert text_languages(html) == [("Uno", "es"), ("code", "es"), ("Zwei", "de")]
    assert "<code>" in html  # the code is no segment and is not marked


def test_an_item_holding_only_its_text_is_marked_itself():
    html = render_markdown("- Oben\n  - Unten\n", lambda m, c: None, untranslated_lang="de")
    assert html == ('<ul>\n<li><span lang="de">Oben</span>\n<ul>\n<li lang="de">Unten</li>\n'
                    '</ul>\n</li>\n</ul>\n')


def pseudo_some(msgid, context):
    """The texts of even length translated, as one plain word."""
    return None if len(msgid) % 2 else "Traducido"


@settings(max_examples=100, deadline=None)
@given(documents)
def test_translated_text_never_inherits_the_source_language(markdown):
    # The strategy's lone `<span>` is the author's unbalanced HTML, not ours.
    markdown = markdown.replace("<span>", "span")
    html = render_markdown(markdown, pseudo_some, untranslated_lang="de")
    assert ("Traducido", "de") not in text_languages(html)


def test_translation_cannot_inject_html_or_script_urls():
    html = render_markdown("Ein <b>fetter</b> Satz mit [Link](https://example.com).\n",
                           lambda m, c: 'Una <b>frase</b> <img src=x onerror=alert(1)> '
                                        '[enlace](javascript:alert(1)).')
    assert "<b>frase</b>" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html


def test_a_translated_tag_check_passes_is_shown_as_a_tag():
    # `check` compares tags by name and href, src, id and class; the page let
    # a tag through only when it was the German's byte for byte. A tag the
    # editor broke over two lines (the entry joins them), a translated title,
    # `<br/>` for `<br>` and other quotes passed check and showed as text.
    german = ('Die <abbr\ntitle="Datenschutz-Grundverordnung">DSGVO</abbr> gilt.\n\n'
              'Zeile<br>zwei <span class="x">rot</span>.\n\n'
              'Das heißt <span lang="en">Compliance</span>.\n')
    spanish = {
        'Die <abbr title="Datenschutz-Grundverordnung">DSGVO</abbr> gilt.':
            'El <abbr title="Reglamento General de Protección de Datos">RGPD</abbr> rige.',
        'Zeile<br>zwei <span class="x">rot</span>.':
            "Línea<br/>dos <span class='x'>rojo</span> <span class='y'>mal</span> "
            "<b onclick=x>no</b> <abbr title=\"t\" onmouseover=x>z</abbr>.",
        # The language of a word in another language, translated into Spanish.
        'Das heißt <span lang="en">Compliance</span>.':
            'Se llama <span lang="es">cumplimiento</span>.'}
    html = render_markdown(german, lambda m, c: spanish.get(m))
    assert '<abbr title="Reglamento General de Protección de Datos">RGPD</abbr>' in html
    assert "Línea<br/>dos <span class='x'>rojo</span>" in html
    # Another class, a tag the German lacks, an event handler: text, as before.
    assert "&lt;span class='y'&gt;" in html and "&lt;b onclick=x&gt;" in html
    assert "&lt;abbr title=&quot;t&quot; onmouseover=x&gt;" in html
    assert '<span lang="es">cumplimiento</span>' in html
    # The tags shown as tags are the ones check finds the same.
    for msgid, msgstr in spanish.items():
        shown = msgstr.split(" <span class='y'>")[0] + "."
        assert inline_markup(msgid).html == inline_markup(shown).html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "VBScript:x",
                                 "File:///etc/passwd", "dATa:text/html,x",
                                 # Character references cmark-gfm decodes into the URL.
                                 "&#106;avascript:alert(1)", "javascript&#58;alert(1)",
                                 "JAVASCRIPT&colon;alert(1)", "data&#x3a;text/html,x"])
def test_a_body_with_a_script_like_link_is_rendered_by_markdown_it(url):
    # cmark-gfm would keep the link with an emptied href; markdown-it-py, which
    # renders the translations, refuses it: one body, one rendering.
    source = f"Zeit: 10:30. Ein [Link]({url}) und [noch einer](https://a.de).\n"
    html = render_body(source, lambda target: target)
    assert html == render_markdown(source, resolve_link=lambda target: target)
    assert "href=\"\"" not in html and html.count("<a ") == 1
    assert not re.search(r'href="\s*(javascript|vbscript|file|data)', html, re.IGNORECASE)


def test_a_translation_cannot_publish_a_script_link_written_with_character_references():
    # `&#106;avascript:` in a msgstr went to cmark-gfm, which decoded it into
    # a working `href="javascript:…"` on the Spanish page.
    german = "Ein [Link](https://example.org/) hier.\n"
    spanish = "Un [enlace](&#106;avascript:alert(document.domain)) aqui."

    def translate(msgid, context):
        return spanish

    rebuilt = translated_body(german, translate)
    html = render_body(german, str, rebuilt, translate)
    assert "<a " not in html and "javascript:alert" in html  # shown as text, not a link


def test_links_are_resolved_for_the_page():
    html = render_markdown("Siehe [Studie](markt.md) und ![Bild](/images/a.svg).\n",
                           resolve_link=lambda url: url.replace("markt.md", "/es/mercado/"))
    assert 'href="/es/mercado/"' in html and 'src="/images/a.svg"' in html


@pytest.mark.parametrize("translation", [
    # Script by an attribute that is no event handler, another picture, a veil
    # over the page: a translation keeps the German attributes and adds none.
    'El <iframe src="https://v.example/e" srcdoc="<script>alert(1)</script>"></iframe> aquí.',
    'El <iframe src="https://v.example/e" style="position:fixed;inset:0"></iframe> aquí.',
    'El <iframe src="https://evil.example/e"></iframe> aquí.',
])
def test_a_translated_tag_with_other_attributes_is_text_and_a_finding(translation):
    german = 'Das <iframe src="https://v.example/e"></iframe> hier.\n'
    html = render_markdown(german, lambda m, c: translation)
    assert "<iframe" not in html and "&lt;iframe" in html
    assert inline_markup(german.strip()).html != inline_markup(translation).html


@pytest.mark.parametrize("source", [
    # cmark-gfm struck `~x~` through, markdown-it-py did not.
    "Etwa ~5 km~ weit und ~~gestrichen~~.\n",
    # `<del>` against `<s>`: one tag whichever renders the page.
    "Preis ~~10~~ 8 Euro.\n",
    # A host name of non-ASCII letters: percent-encoded against punycode.
    "Siehe [München](https://münchen.de/info) und [k].\n\n[k]: https://bücher.de/x\n",
    "Ohne Schema: [M](//münchen.de/) und [k].\n\n[k]: //bücher.de/x\n",
])
def test_the_renderers_agree_where_they_once_did_not(source):
    # The German page (plain Markdown: cmark-gfm) and the Spanish page of the
    # same article (markdown-it-py once a translation holds HTML or a
    # character reference) showed the same Markdown differently.
    assert render_body(source, lambda target: target) == render_markdown(
        source, resolve_link=lambda target: target)


def test_cmark_rendering_frees_the_tree_and_the_html():
    # cmarkgfm's markdown_to_html_with_extensions frees neither (tens of MB per
    # thousand articles; a 10,000-article build grew by gigabytes): repeated
    # renders must not grow the process.
    script = (
        "import resource\n"
        "from bilingual.render import cmark_html\n"
        "doc = '| a | b |\\n|---|---|\\n| x | y |\\n\\n' + "
        "'Ein *Satz* mit ~~Text~~ und [Link](x.md).\\n\\n' * 400\n"
        "cmark_html(doc)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "for _ in range(300):\n"
        "    cmark_html(doc)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert int(done.stdout) < 20_000, f"grew by {done.stdout.strip()} KiB"


def test_cmark_html_is_cmarkgfms_html():
    import cmarkgfm

    from bilingual.render import _CMARK_EXTENSIONS, _CMARK_OPTIONS, cmark_html
    for path in sorted((REPOSITORY / "content" / "de").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert cmark_html(text) == cmarkgfm.markdown_to_html_with_extensions(
            text, options=_CMARK_OPTIONS, extensions=list(_CMARK_EXTENSIONS))


# --- heading ids ------------------------------------------------------------------

_HEADING_ID = re.compile(r'<h[1-6] id="([^"]*)"')


def heading_ids(html: str) -> list[str]:
    return _HEADING_ID.findall(html)


def translated_body(markdown: str, translate) -> str:
    """The body rebuilt from its skeleton with `translate`, as the build does."""
    doc = SourceDoc(PurePosixPath("a.md"), "de", Path("a.md"), {}, markdown, 1)
    return rebuild_markdown(segment_document(doc), translate)


def test_headings_get_ids_from_their_text_numbered_when_repeated():
    html = render_body("# Erste Überschrift\n\n## Zweiter *Abschnitt*\n\n## Zweiter Abschnitt\n\n"
                       "Straße & Weg\n---\n\n### `cmark-gfm` [Link](a.md) ![Bild](b.png)\n\n"
                       "## ?!\n\n## Zweiter Abschnitt 2\n", lambda target: target)
    assert heading_ids(html) == ["erste-uberschrift", "zweiter-abschnitt", "zweiter-abschnitt-2",
                                 "strasse-weg", "cmark-gfm-link", "section",
                                 "zweiter-abschnitt-2-2"]
    assert html.count("<h") == 7  # every heading, nothing else


@pytest.mark.parametrize("raw_html", ["", "<div>x</div>\n\n"], ids=["cmark", "markdown-it"])
def test_no_heading_takes_the_id_the_templates_give_the_main_element(raw_html):
    # `## Main` was a second `id="main"`: the skip link jumped to the heading.
    html = render_body(f"{raw_html}## Main\n\n## Main\n", lambda target: target)
    assert heading_ids(html) == ["main-2", "main-3"]
    assert 'id="main"' in (REPOSITORY / "src/bilingual/scaffold/templates/base.html").read_text()


def markdown_headings(markdown: str) -> int:
    return sum(t.type == "heading_open" for t in markdown_parser().parse(markdown))


@settings(max_examples=300, deadline=None)
@given(st.one_of(documents, wild_documents))
def test_both_renderers_give_every_heading_the_same_id(markdown):
    # Plain Markdown goes to cmark-gfm; the same text with a raw HTML tag
    # added after it to markdown-it-py. Their HTML may differ in whitespace
    # (`\u2029` at a heading's end); the ids ignore it.
    if is_plain_markdown(markdown):
        ids = heading_ids(render_body(markdown, str))
        assert len(ids) == markdown_headings(markdown)
        assert heading_ids(render_body(markdown + "\n<br>\n", str)) == ids
        assert heading_ids(render_markdown(markdown)) == ids


@settings(max_examples=200, deadline=None)
@given(documents)
def test_a_translated_page_has_the_ids_of_the_german_headings(markdown):
    german = heading_ids(render_body(markdown, str))
    assert len(german) == markdown_headings(markdown)
    rebuilt = translated_body(markdown, pseudo)
    # cmark-gfm renders the rebuilt body when it is plain, markdown-it-py the
    # German tokens with the translations otherwise, and the drafts: all alike.
    assert heading_ids(render_body(markdown, str, rebuilt, pseudo)) == german
    assert heading_ids(render_markdown(markdown, pseudo)) == german
    assert heading_ids(render_markdown(markdown, lambda m, c: None, "de")) == german


def test_a_translated_heading_keeps_the_german_id_on_either_renderer():
    german = "## Zweiter Abschnitt\n\nSiehe [oben](#zweiter-abschnitt).\n"
    spanish = {"Zweiter Abschnitt": "Segunda sección",
               "Siehe [oben](#zweiter-abschnitt).": "Véase [arriba](#zweiter-abschnitt)."}

    def translate(msgid, context):
        return spanish.get(msgid)

    expected = ('<h2 id="zweiter-abschnitt">Segunda sección</h2>\n'
                '<p>Véase <a href="#zweiter-abschnitt">arriba</a>.</p>\n')
    rebuilt = translated_body(german, translate)
    assert render_body(german, str, rebuilt, translate) == expected  # cmark-gfm
    assert render_markdown(german, translate) == expected  # markdown-it-py


def test_an_escaped_pipe_in_a_translated_table_cell_is_a_pipe_on_either_renderer():
    # The cell's msgid is written as in the table, `\|` for a pipe: the
    # translation carries it so, and a pipe it must show, in code too.
    german = "| Befehl | Bedeutung |\n|---|---|\n| `a \\| b` | x \\| y |\n"
    spanish = {"Befehl": "Orden", "Bedeutung": "Significado", "`a \\| b`": "`a \\| b` (es)",
               "x \\| y": "x \\| y (es)"}

    def translate(msgid, context):
        return spanish.get(msgid)

    cells = "<td><code>a | b</code> (es)</td>\n<td>x | y (es)</td>"
    rebuilt = translated_body(german, translate)
    assert cells in render_body(german, str, rebuilt, translate)  # cmark-gfm
    assert cells in render_markdown(german, translate)  # markdown-it-py
    # A draft's translated cells beside untranslated ones, marked German.
    draft = render_markdown(german, lambda m, c: None if m == "Befehl" else translate(m, c), "de")
    assert cells in draft and '<th lang="de">Befehl</th>' in draft


def test_a_body_rendered_as_written_takes_the_ids_of_its_own_headings():
    # A hand-written translation is rendered as written, with raw HTML or without.
    assert heading_ids(render_body("## Segunda sección\n", str)) == ["segunda-seccion"]
    assert heading_ids(render_body("## Segunda <i>sección</i>\n", str)) == ["segunda-seccion"]
