"""Rendering translated pages from the German block structure."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings

from bilingual.render import render_markdown
from tests.markdown_strategies import documents


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


def test_translation_cannot_inject_html_or_script_urls():
    html = render_markdown("Ein <b>fetter</b> Satz mit [Link](https://example.com).\n",
                           lambda m, c: 'Una <b>frase</b> <img src=x onerror=alert(1)> '
                                        '[enlace](javascript:alert(1)).')
    assert "<b>frase</b>" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html


def test_links_are_resolved_for_the_page():
    html = render_markdown("Siehe [Studie](markt.md) und ![Bild](/images/a.svg).\n",
                           resolve_link=lambda url: url.replace("markt.md", "/es/mercado/"))
    assert 'href="/es/mercado/"' in html and 'src="/images/a.svg"' in html
