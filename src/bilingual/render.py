"""Rendering Markdown to HTML from the German block structure.

A translated page is rendered from the German article's tokens: each block's
inline text is replaced by its translation and parsed as inline Markdown, so
the Spanish page has exactly the German page's blocks. Untranslated blocks can
be marked with the source language (`lang="de"`) for draft builds.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it.token import Token

from bilingual.segment import Translate, iter_blocks, markdown_parser

ResolveLink = Callable[[str], str]
"""Maps a link or image target as written to the URL to publish."""



def _mark_block(tokens: list[Token], inline_index: int, lang: str) -> None:
    """Put `lang` on the element that holds the inline token."""
    opener = tokens[inline_index - 1]
    if opener.hidden:  # a tight list's paragraph: the list item is the element
        opener = tokens[inline_index - 2]
    opener.attrSet("lang", lang)


def _neutralise_new_html(children: list[Token], allowed: set[str]) -> list[Token]:
    """Raw HTML in a translation that is not in its source text becomes plain
    text, so a translation cannot inject markup into the page."""
    safe = []
    for child in children:
        if child.type == "html_inline" and child.content not in allowed:
            text = Token("text", "", 0)
            text.content = child.content
            safe.append(text)
        else:
            safe.append(child)
    return safe


def _rewrite_links(tokens: list[Token], resolve: ResolveLink) -> None:
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("href", resolve(str(child.attrGet("href") or "")))
            elif child.type == "image":
                child.attrSet("src", resolve(str(child.attrGet("src") or "")))


def render_markdown(body: str, translate: Translate | None = None,
                    untranslated_lang: str | None = None,
                    resolve_link: ResolveLink | None = None) -> str:
    """HTML of an article body, translated block by block when `translate` is
    given; blocks without a translation stay in the source language and, when
    `untranslated_lang` is set, carry that `lang` attribute."""
    parser = markdown_parser()
    env: dict = {}
    tokens = parser.parse(body, env)
    if translate is not None:
        for block in iter_blocks(tokens, body):
            token = tokens[block.token_index]
            translation = translate(block.msgid, None)
            if translation is None:
                if untranslated_lang:
                    _mark_block(tokens, block.token_index, untranslated_lang)
                continue
            if translation == block.msgid:
                continue
            content = (token.content[:block.content_start] + translation
                       + token.content[block.content_end:])
            allowed = {c.content for c in token.children or () if c.type == "html_inline"}
            parsed = parser.parseInline(content, env)[0]
            token.content = content
            token.children = _neutralise_new_html(parsed.children or [], allowed)
    if resolve_link is not None:
        _rewrite_links(tokens, resolve_link)
    return parser.renderer.render(tokens, parser.options, env)
