"""Rendering Markdown to HTML from the German block structure.

Two renderers of the same CommonMark, chosen per page:

- cmark-gfm (C, about twenty times faster than markdown-it-py; measured in
  bench/renderers.py) renders plain Markdown: the German body, or the
  translated body rebuilt from the German skeleton (`segment.rebuild_markdown`,
  which keeps every block of the German). Its output equals markdown-it-py's
  on such text (tests/test_render.py checks this on generated documents and
  the benchmark corpus), apart from `style="text-align: right"` spacing.
- markdown-it-py's tokens render everything cmark-gfm would treat differently:
  any page whose Markdown contains `<` (raw HTML, autolinks) or a script-like
  URL scheme, and drafts whose untranslated blocks get a `lang` attribute. A
  translated page is then rendered from the German article's tokens: each
  block's inline text is replaced by its translation and parsed as inline
  Markdown, and raw HTML the German block does not have becomes text, so a
  translation cannot inject markup.

Every Markdown heading gets an `id` (`site.section_ids`) made from the text
the German page shows of it, on every language's page: heading N of a
translation carries the id of heading N of the German, as both have the same
blocks, so a link to a section lands on every language version. A body
rendered as written (the German, a hand-written translation) takes the ids of
its own headings.
"""

from __future__ import annotations

import ctypes
import html
import re
from collections.abc import Callable
from functools import cache

from cmarkgfm import _cmark
from cmarkgfm.cmark import Options, core_extensions_ensure_registered, find_syntax_extension
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token

from bilingual.markup import carried_over
from bilingual.parallel import c_library
from bilingual.segment import (
    Translate,
    definition_titles,
    fill_title,
    iter_blocks,
    markdown_parser,
)
from bilingual.site import section_ids

ResolveLink = Callable[[str], str]
"""Maps a link or image target as written to the URL to publish."""



def _holds_only(tokens: list[Token], inline_index: int) -> bool:
    """True when the hidden paragraph around the inline token is all its tight
    list item holds: no nested list, quote, code or second paragraph."""
    return (tokens[inline_index - 2].type == "list_item_open"
            and tokens[inline_index + 2].type == "list_item_close")


def _wrap_inline(token: Token, lang: str, direction: str | None) -> None:
    """Enclose an inline token's content in `<span lang="...">`."""
    opener = Token("span_open", "span", 1)
    _set_language(opener, lang, direction)
    token.children = [opener, *(token.children or ()), Token("span_close", "span", -1)]


def _set_language(token: Token, lang: str, direction: str | None) -> None:
    token.attrSet("lang", lang)
    if direction is not None:
        token.attrSet("dir", direction)


def _mark_block(tokens: list[Token], inline_index: int, lang: str,
                direction: str | None) -> None:
    """Put `lang` (and `dir`, when given) on an element that holds the inline
    token's text and nothing else, so no translated text inside it inherits
    the source language."""
    opener = tokens[inline_index - 1]
    if not opener.hidden:  # a paragraph, heading or table cell holds only its text
        _set_language(opener, lang, direction)
    elif _holds_only(tokens, inline_index):  # `<li lang="de">text</li>`
        _set_language(tokens[inline_index - 2], lang, direction)
    else:
        # A tight list item's text sits in the item next to what else it holds
        # (a nested list, a quote, code, a second paragraph), each translated or
        # not on its own: a span around the text alone marks it. Marking the
        # item instead and its translated parts with the page's language would
        # take more attributes and could not tell two bare paragraphs apart.
        _wrap_inline(tokens[inline_index], lang, direction)


def _neutralise_new_html(children: list[Token], allowed: set[str]) -> list[Token]:
    """Raw HTML in a translation that is not its source text's
    (`markup.carried_over`) becomes plain text, so a translation cannot
    inject markup into the page."""
    safe = []
    for child in children:
        if child.type == "html_inline" and not carried_over(child.content, allowed):
            text = Token("text", "", 0)
            text.content = child.content
            safe.append(text)
        else:
            safe.append(child)
    return safe


_TAG = re.compile(r"<[^>]*>")


def shown_text(html_fragment: str) -> str:
    """The text a reader sees of an HTML fragment: tags left out (an image's
    alt text with them), character references read. Both renderers' headings
    go through it, so equal HTML gives equal ids."""
    return html.unescape(_TAG.sub("", html_fragment))


def _heading_ids(tokens: list[Token], parser, env: dict) -> tuple[str, ...]:
    """The ids of the headings of a parsed body, from their text as rendered."""
    return section_ids(
        shown_text(parser.renderer.renderInline(tokens[index + 1].children or [],
                                                parser.options, env))
        for index, token in enumerate(tokens) if token.type == "heading_open")


def _rewrite_links(tokens: list[Token], resolve: ResolveLink) -> None:
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("href", resolve(str(child.attrGet("href") or "")))
            elif child.type == "image":
                child.attrSet("src", resolve(str(child.attrGet("src") or "")))


def _translated_references(tokens: list[Token], body: str, env: dict,
                           translate: Translate) -> dict | None:
    """`env`'s link reference definitions with their titles translated
    (`segment.definition_titles`), as the rebuilt Markdown would define them;
    None when no title has a translation of its own."""
    references = env.get("references") or {}
    labels = {reference["map"][1] - 1: label for label, reference in references.items()}
    translated = {}
    for block in definition_titles(tokens, body, env):
        translation = translate(block.msgid, None)
        if translation is not None and translation != block.msgid:
            label = labels[block.line]
            translated[label] = {**references[label], "title": unescapeAll(
                fill_title(translation, body[block.source_end]))}
    return {**references, **translated} if translated else None


def render_markdown(body: str, translate: Translate | None = None,
                    untranslated_lang: str | None = None,
                    resolve_link: ResolveLink | None = None,
                    untranslated_dir: str | None = None) -> str:
    """HTML of an article body, translated block by block when `translate` is
    given; blocks without a translation stay in the source language and, when
    `untranslated_lang` is set, carry that `lang` attribute, and `dir` when
    `untranslated_dir` is set (German on a right-to-left page)."""
    parser = markdown_parser()
    env: dict = {}
    tokens = parser.parse(body, env)
    if translate is not None and (references := _translated_references(tokens, body, env,
                                                                         translate)):
        # The links read their titles while parsing: the first definition of
        # a label wins, so the translated ones, known before, are taken.
        env = {"references": references}
        tokens = parser.parse(body, env)
    # From the source's headings, before any is translated.
    ids = iter(_heading_ids(tokens, parser, env))
    for token in tokens:
        if token.type == "heading_open":
            token.attrSet("id", next(ids))
    if translate is not None:
        for block in iter_blocks(tokens, body):
            token = tokens[block.token_index]
            translation = translate(block.msgid, None)
            if translation is None:
                if untranslated_lang:
                    _mark_block(tokens, block.token_index, untranslated_lang,
                                untranslated_dir)
                continue
            if translation == block.msgid:
                continue
            if block.kind.startswith("table"):
                # The msgid is the cell as written, where a pipe is `\|`; the
                # cell's token holds it unescaped, as the table rule splits
                # cells before any inline parsing (inline code included).
                translation = translation.replace("\\|", "|")
            content = (token.content[:block.content_start] + translation
                       + token.content[block.content_end:])
            allowed = {c.content for c in token.children or () if c.type == "html_inline"}
            parsed = parser.parseInline(content, env)[0]
            token.content = content
            token.children = _neutralise_new_html(parsed.children or [], allowed)
    if resolve_link is not None:
        _rewrite_links(tokens, resolve_link)
    return parser.renderer.render(tokens, parser.options, env)


# Strikethrough of two tildes only, as markdown-it-py reads it: `~x~` was
# struck through on pages cmark-gfm rendered and text on the others.
_CMARK_OPTIONS = (Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
                  | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE)
_CMARK_EXTENSIONS = ("table", "strikethrough")


@cache
def _cmark_native() -> tuple[ctypes.CDLL, Callable[[int], None]]:
    """cmark's `cmark_node_free` from cmarkgfm's own library (its cffi module
    does not offer it) and the C library's `free`, which cmark's default
    allocator uses."""
    native = ctypes.CDLL(_cmark.__file__)
    native.cmark_node_free.argtypes = [ctypes.c_void_p]
    native.cmark_node_free.restype = None
    libc_free = c_library().free
    libc_free.argtypes = [ctypes.c_void_p]
    libc_free.restype = None
    return native, libc_free


@cache
def _cmark_extensions() -> tuple:
    core_extensions_ensure_registered()
    return tuple(find_syntax_extension(name) for name in _CMARK_EXTENSIONS)


def cmark_html(markdown: str) -> str:
    """cmark-gfm's HTML for `markdown` (tables, strikethrough). cmarkgfm's
    `markdown_to_html_with_extensions` frees neither the document tree nor the
    HTML buffer, about 70 MB per 1,000 articles: a build of 10,000 grew by
    gigabytes. This frees both."""
    lib, ffi = _cmark.lib, _cmark.ffi
    native, libc_free = _cmark_native()
    parser = lib.cmark_parser_new(_CMARK_OPTIONS)
    try:
        for extension in _cmark_extensions():
            lib.cmark_parser_attach_syntax_extension(parser, extension)
        data = markdown.encode("utf-8")
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        try:
            raw = lib.cmark_render_html(root, _CMARK_OPTIONS,
                                        lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return ffi.string(raw).decode("utf-8")
            finally:
                libc_free(int(ffi.cast("uintptr_t", raw)))
        finally:
            native.cmark_node_free(int(ffi.cast("uintptr_t", root)))
    finally:
        lib.cmark_parser_free(parser)


_SCRIPT_LIKE_SCHEME = re.compile(r"(?:javascript|vbscript|file|data)\Z", re.IGNORECASE)
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
"""Before a colon: a URL cmark-gfm would pass through where markdown-it-py refuses it."""
_LONGEST_SCHEME = len("javascript")
_NON_ASCII_HOST = re.compile(r"//[^/?#\s()<>\[\]]*[^\x00-\x7f]")
_LINK_TARGET = re.compile(r'(<a href="|<img src=")([^"]*)"')


def is_plain_markdown(markdown: str) -> bool:
    """True when `markdown` has no raw HTML, autolink or script-like URL: text
    both renderers turn into the same HTML."""
    if "<" in markdown:
        return False
    # `&#106;avascript:` and `javascript&colon;` are script URLs once decoded,
    # which cmark-gfm does after any look at the text here: markdown-it-py
    # decodes, then refuses them.
    if "&" in markdown and _CHARACTER_REFERENCE.search(markdown):
        return False
    # Only the few colons are looked at: one case-insensitive pattern over the
    # whole text took a fifth of a millisecond per article.
    colon = markdown.find(":")
    while colon >= 0:
        if _SCRIPT_LIKE_SCHEME.search(markdown, max(colon - _LONGEST_SCHEME, 0), colon):
            return False
        colon = markdown.find(":", colon + 1)
    # A host name of other letters than ASCII, after a scheme or without one
    # (`[M](//münchen.de/)`): markdown-it-py writes it in punycode
    # (`xn--mnchen-3ya.de`), cmark-gfm percent-encodes it.
    host = _NON_ASCII_HOST.search(markdown)
    while host is not None:
        if host.start() and markdown[host.start() - 1] in ":( \t<":
            return False
        host = _NON_ASCII_HOST.search(markdown, host.start() + 2)
    return True


def _resolve_targets(page: str, resolve_link: ResolveLink) -> str:
    def replace(match: re.Match[str]) -> str:
        target = resolve_link(html.unescape(match.group(2)))
        escaped = (target.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   .replace('"', "&quot;"))
        return f'{match.group(1)}{escaped}"'
    return _LINK_TARGET.sub(replace, page)


_CMARK_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
"""A heading in cmark-gfm's HTML of plain Markdown, where every tag is its own."""
_CMARK_HEADING_OPEN = re.compile(r"<h([1-6])>")


def _cmark_heading_ids(page: str) -> tuple[str, ...]:
    return section_ids(shown_text(match.group(2)) for match in _CMARK_HEADING.finditer(page))


_RECENT_SECTION_IDS: dict[str, tuple[str, ...]] = {}
"""`source_section_ids` of the bodies rendered last in this process: the build
renders an article's language versions one after the other, and a translated
page then takes the German's ids from here instead of rendering it again."""
_RECENT_KEPT = 64


def _remember_section_ids(source: str, ids: tuple[str, ...]) -> tuple[str, ...]:
    if len(_RECENT_SECTION_IDS) >= _RECENT_KEPT:
        del _RECENT_SECTION_IDS[next(iter(_RECENT_SECTION_IDS))]  # the oldest
    _RECENT_SECTION_IDS[source] = ids
    return ids


def source_section_ids(source: str) -> tuple[str, ...]:
    """The ids of the headings of `source`, in order, as its own page has them."""
    known = _RECENT_SECTION_IDS.get(source)
    if known is not None:
        return known
    if is_plain_markdown(source):
        return _remember_section_ids(source, _cmark_heading_ids(cmark_html(source)))
    parser = markdown_parser()
    env: dict = {}
    return _remember_section_ids(source, _heading_ids(parser.parse(source, env), parser, env))


def _with_heading_ids(page: str, ids: tuple[str, ...]) -> str:
    """cmark-gfm's HTML with the ids put on its headings in order. A heading
    past the last id (none, as a translation keeps the German's blocks) keeps
    none rather than one no German heading has."""
    numbered = iter(ids)

    def open_tag(match: re.Match[str]) -> str:
        section = next(numbered, None)
        # The ids are letters, digits and `-` (`url_word`): nothing to escape.
        return match.group(0) if section is None else f'<h{match.group(1)} id="{section}">'
    return _CMARK_HEADING_OPEN.sub(open_tag, page)


def render_body(source: str, resolve_link: ResolveLink, translated: str | None = None,
                translate: Translate | None = None, untranslated_lang: str | None = None,
                untranslated_dir: str | None = None) -> str:
    """HTML of an article body: `source` itself, or its translation, given both
    as the rebuilt Markdown `translated` and as `translate` for the token path.
    `untranslated_lang` (and `untranslated_dir`, when the page's direction is
    not the source language's) marks blocks left in the source language (drafts)."""
    markdown = source if translated is None else translated
    if untranslated_lang is None and is_plain_markdown(markdown):
        page = cmark_html(markdown)
        if _CMARK_HEADING_OPEN.search(page):
            ids = (_remember_section_ids(source, _cmark_heading_ids(page))
                   if translated is None else source_section_ids(source))
            page = _with_heading_ids(page, ids)
        return _resolve_targets(page.replace('style="text-align: ', 'style="text-align:'),
                                resolve_link)
    return render_markdown(source, translate, untranslated_lang, resolve_link, untranslated_dir)
