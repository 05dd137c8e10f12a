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
