"""Rendering translated pages from the German block structure."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings

from bilingual.render import render_body, render_markdown
from tests.markdown_strategies import documents

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


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "VBScript:x",
                                 "File:///etc/passwd", "dATa:text/html,x"])
def test_a_body_with_a_script_like_link_is_rendered_by_markdown_it(url):
    # cmark-gfm would keep the link with an emptied href; markdown-it-py, which
    # renders the translations, refuses it: one body, one rendering.
    source = f"Zeit: 10:30. Ein [Link]({url}) und [noch einer](https://a.de).\n"
    html = render_body(source, lambda target: target)
    assert html == render_markdown(source, resolve_link=lambda target: target)
    assert "href=\"\"" not in html and html.count("<a ") == 1


def test_links_are_resolved_for_the_page():
    html = render_markdown("Siehe [Studie](markt.md) und ![Bild](/images/a.svg).\n",
                           resolve_link=lambda url: url.replace("markt.md", "/es/mercado/"))
    assert 'href="/es/mercado/"' in html and 'src="/images/a.svg"' in html


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
