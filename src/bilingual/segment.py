"""Segmenting: a German article -> translatable segments plus a skeleton.

Principles, in the order they decide a case:

1. Segments are blocks, never sentences: each heading, paragraph, list item
   paragraph (nested lists separate), table cell, blockquote paragraph and the
   alt text of an image standing alone in its paragraph (an image with a title
   is a paragraph, so the title is translated too), the title of a link
   reference definition (`[ref]: url "Title"`, on one line); plus the front matter
   fields `title`, `description`, each of `tags`, and `slug` (context "slug"),
   as `sources` reads them: without the whitespace around them.
2. Fenced and indented code, raw HTML blocks, thematic breaks, link reference
   definitions (their titles aside), decorative images (no alt text, no title) with nothing
   around them to read, and the blocks between `<!-- notranslate -->` and
   `<!-- /notranslate -->` are not segments; they stay in the skeleton as written.
3. Inline Markdown stays in the msgid as written, so a translator can move a
   link or an emphasis within the sentence.
4. Soft line breaks are joined with one space; a hard line break is kept as a
   backslash followed by a newline.
5. The skeleton keeps every byte that is not segment text, and each slot keeps
   the text it replaced: applying the identity translation (msgstr = msgid)
   rebuilds the source byte for byte.
6. The blocks come from the same markdown-it token stream the renderer uses
   (`iter_blocks`), so segmenting and rendering always agree on structure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.common.html_blocks import block_names
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token

from bilingual.errors import SourceError
from bilingual.sources import SourceDoc

SLUG_CONTEXT = "slug"
NOTRANSLATE = re.compile(r"[ \t]*<!--[ \t]*(/?)notranslate[ \t]*-->[ \t]*\n?", re.IGNORECASE)
"""An HTML comment on a line of its own that starts (`<!-- notranslate -->`) or
ends (`<!-- /notranslate -->`) a passage whose blocks are not segments: they
stay in the source language on every page, and CommonMark renders the
comments as invisible HTML comments."""
FRONT_MATTER_FIELDS = ("title", "description")

Translate = Callable[[str, str | None], str | None]
"""(msgid, msgctxt) -> translation, or None when there is none."""


def _commonmark() -> MarkdownIt:
    """A new parser of the one Markdown the project reads: CommonMark with raw
    HTML, GFM tables and strikethrough."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


@cache
def markdown_parser() -> MarkdownIt:
    """The one CommonMark parser (with GFM tables and strikethrough) used to
    segment and to render, so both see the same blocks."""
    parser = _commonmark()
    # `<del>`, as cmark-gfm writes strikethrough on the pages it renders.
    parser.add_render_rule("s_open", lambda self, tokens, index, options, env: "<del>")
    parser.add_render_rule("s_close", lambda self, tokens, index, options, env: "</del>")
    return parser


@cache
def block_parser() -> MarkdownIt:
    """`markdown_parser` without its inline pass: the same blocks, each inline
    token holding its raw text, in half the time. Segmenting needs no more."""
    return _commonmark().disable("inline")


@dataclass(frozen=True, slots=True)
class Segment:
    """One catalog entry's worth of source text."""

    msgid: str
    kind: str
    """What the text is, for translators: `heading`, `paragraph`, `list item`, ...;
    several kinds joined with `, ` when the same text stands in several places."""
    line: int
    """1-based line in the source file of the first occurrence (diagnostics only)."""
    context: str | None = None


@dataclass(frozen=True, slots=True)
class Block:
    """A translatable place in the token stream: where an inline token's text,
    or part of it, is one segment."""

    token_index: int
    kind: str
    msgid: str
    content_start: int
    """Offsets in the inline token's content that the translation replaces."""
    content_end: int
    line: int
    """0-based line of the body where the block starts."""
    source_start: int
    """Offsets in the body of the text the translation replaces."""
    source_end: int
    continuation: str
    """What starts each continuation line in the source (container markers and
    indentation), used when a translation spans several lines."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A place in the skeleton where a segment's translation goes."""

    msgid: str
    original: str
    """The source text the slot replaced, exactly as written."""
    continuation: str
    """What starts each continuation line in the source (container markers and
    indentation), used when a translation spans several lines."""
    starts_block: bool = False
    """True when the slot's text starts a line where a block may start (a
    paragraph, list item or quote, a setext heading), where a leading `1)`,
    `-` or a link reference definition in a translation would make one."""
    one_line: bool = False
    """True for a table cell or a heading of one line, which a line break
    in the translation would end."""
    title_end: str = ""
    """The character that ends the link title the slot holds (`"`, `'` or
    `)`), which a translation must not end early; empty for other slots."""


@dataclass(frozen=True, slots=True)
class SegmentedDoc:
    """An article split into segments and the skeleton around them."""

    source: SourceDoc
    segments: tuple[Segment, ...]
    skeleton: tuple[str | Slot, ...]


_CONTAINER_KINDS = {"list_item_open": "list item", "blockquote_open": "blockquote"}
_HARD_LINE_END = re.compile(r"(?: {2,}|\\)\n")
"""A line that may end in a hard break, one search over the paragraph."""
_CONTAINER_PREFIX = re.compile(r"(?:[ \t]*(?:>|[-+*]|\d{1,9}[.)])(?=[ \t]|$))*[ \t]*")
_ATX_CLOSING = re.compile(r"(?:[ \t]+#+)?[ \t]*$")


@cache
def _break_parser() -> MarkdownIt:
    """`markdown_parser` that notes where each line break it reads is hard
    (`env["hard"]`, offsets of the line ends), for `_hard_breaks`."""
    parser = _commonmark()
    for name in ("newline", "escape"):
        rule = next(r for r in parser.inline.ruler.__rules__ if r.name == name).fn

        def noting(state, silent, rule=rule):  # type: ignore[no-untyped-def]
            start, count = state.pos, len(state.tokens)
            found = rule(state, silent)
            # Not inside an image's alt text, which is parsed as a text of its
            # own, shorter than the paragraph: its offsets are not the paragraph's.
            if found and not silent and len(state.src) == state.env["length"] and any(
                    t.type == "hardbreak" for t in state.tokens[count:]):
                # At the line end (`newline`) or at the backslash before it.
                state.env["hard"].add(start if state.src[start] == "\n" else start + 1)
            return found
        parser.inline.ruler.at(name, noting)
    return parser


def _hard_breaks(paragraph: str, lines: list[str]) -> set[int]:
    """Indexes of the lines of `paragraph` (`lines`) that end in a hard break,
    asked of the parser for a paragraph with a line that could (most have
    none, `_HARD_LINE_END`, and need no parse): `C:\\` ends in an escaped
    backslash, and two spaces inside a code span are code."""
    env: dict = {"hard": set(), "length": len(paragraph)}
    _break_parser().parseInline(paragraph, env)
    ends, offset = {}, 0
    for index, line in enumerate(lines[:-1]):
        offset += len(line)
        ends[offset] = index
        offset += 1
    return {ends[end] for end in env["hard"] if end in ends}


def _msgid_of(paragraph: str) -> str:
    """Join a paragraph's lines: soft breaks become one space, hard breaks stay."""
    if "\n" not in paragraph:
        return paragraph.rstrip(" \t")
    lines = paragraph.split("\n")
    parts: list[str] = []
    hard = _hard_breaks(paragraph, lines) if _HARD_LINE_END.search(paragraph) else set()
    for index, line in enumerate(lines):
        text = line.strip(" \t") if index else line.rstrip(" \t")
        if index in hard:
            # A backslash break's backslash, not the escaped ones before it (`C:\\\`).
            parts.append((text[:-1] if line.endswith("\\") else text) + "\\\n")
        else:
            parts.append(text + (" " if index + 1 < len(lines) else ""))
    return "".join(parts)


def _lone_image_alt(content: str) -> tuple[int, int] | None:
    """Offsets of the alt text when the paragraph is a single image without a
    title (`(2, 2)`: an empty one, a decorative image), else None. The alt
    text is then all a reader sees of it; an image with a title is a
    paragraph like any other, so both get translated."""
    if not content.startswith("!["):
        return None
    depth, index = 1, 2
    while index < len(content):
        char = content[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                break
        index += 1
    else:
        return None
    rest = content[index + 1:]
    tail = re.fullmatch(r"\((?:[^()\\]|\\.)*\)|\[[^\]]*\]", rest)
    # A title is quoted in the destination's parentheses; only then is it
    # worth asking the parser (a lone image is in most articles).
    if tail is None or (('"' in rest or "'" in rest) and _image_title(content)):
        return None
    return 2, index


_DECORATIVE_PARTS = frozenset({"softbreak", "hardbreak", "link_close"})
_BLANK_ALT = re.compile(r"!\[\s*\]")


def _only_decorative_images(content: str) -> bool:
    """True when inline `content` shows a reader no words: images without alt
    text or title (decorative), alone or several, linked or in a table cell,
    with nothing but blanks and line breaks between them. As an entry, its
    Markdown held the page back until a translator copied it."""
    if not content.startswith(("![", "[![")) or _BLANK_ALT.search(content) is None:
        return False  # spares the parse for an image with alt text, the common case
    children = markdown_parser().parseInline(content)[0].children or ()
    for child in children:
        if child.type == "image":
            shown = child.content + str(child.attrGet("title") or "")
        elif child.type == "link_open":
            shown = str(child.attrGet("title") or "")
        elif child.type == "text":
            shown = child.content
        elif child.type in _DECORATIVE_PARTS:
            continue
        else:  # code, HTML, emphasis: left to the translator
            return False
        if shown.strip():
            return False
    return any(child.type == "image" for child in children)


def as_image_alt(text: str) -> str:
    """`text` fit to stand between `![` and `](`: a `]` that would end the alt
    text early and a `[` never closed are escaped, as is a final backslash.
    A translator sees the alt text alone and has no reason to escape them;
    unescaped, `Mapa ] 2025` ended the image and the page showed its Markdown."""
    pieces: list[str] = []
    unclosed: list[int] = []  # places in `pieces` of `[` not closed yet
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            pieces.append(text[index:index + 2] if index + 1 < len(text) else "\\\\")
            index += 2
            continue
        if char == "[":
            unclosed.append(len(pieces))
        elif char == "]":
            if not unclosed:
                char = "\\]"
            else:
                unclosed.pop()
        pieces.append(char)
        index += 1
    for place in unclosed:
        pieces[place] = "\\["
    return "".join(pieces)


def _image_title(content: str) -> str:
    """The title of the first image in `content` as the renderer reads it
    (`![Alt](a.png "Title")`), blank when it has none."""
    children = markdown_parser().parseInline(content)[0].children or ()
    return next((str(c.attrGet("title") or "").strip() for c in children if c.type == "image"),
                "")


def iter_blocks(tokens: list[Token], body: str) -> Iterator[Block]:
    """The translatable blocks of `body` parsed into `tokens`, in document order,
    each with the span of source text a translation replaces."""
    places = list(_inline_places(tokens))
    spans = _slot_spans(body, tokens, [p[1] for p in places], [p[0] for p in places])
    for (_, place), (start, end, continuation) in zip(places, spans, strict=True):
        index, kind, msgid, content_start, content_end, line = place
        if kind.startswith("table"):
            msgid = body[start:end]
        yield Block(index, kind, msgid, content_start, content_end, line, start, end,
                    continuation)


TITLE_KIND = "link title"
PLAIN_TEXT_KINDS = frozenset({*FRONT_MATTER_FIELDS, "tag", TITLE_KIND})
"""Kinds of segment whose text every page shows as written, escaped, never
read as Markdown or HTML (the front matter fields, a link title)."""
_TITLE_OPENERS = {'"': '"', "'": "'", ")": "("}


def definition_titles(tokens: list[Token], body: str, env: dict) -> list[Block]:
    """The titles of the link reference definitions that `body`, parsed into
    `tokens` with `env`, uses (the first of each label), as blocks of kind
    `TITLE_KIND`: a reader sees them on hover, on the links and images of
    every paragraph that names the label. Only a title on one line, outside
    `<!-- notranslate -->`: one across lines stays as written."""
    references = env.get("references") or {}
    titled = [reference for reference in references.values() if reference["title"].strip()]
    if not titled:  # nearly every article
        return []
    markers = [(token.map[0], marker) for token in tokens
               if (marker := notranslate_marker(token)) is not None and token.map is not None]
    used = _linked(body)
    starts = _line_starts(body)
    blocks = []
    for reference in titled:
        title, (first, end) = reference["title"], reference["map"]
        kept = [marker for line, marker in markers if line < first]
        if (reference["href"], title) not in used or (kept and kept[-1]):
            continue  # shown nowhere, or not to be translated
        span = _title_span(body, starts, end - 1)
        if span is None or unescapeAll(body[span[0]:span[1]]) != title:
            continue
        raw = body[span[0]:span[1]]
        blocks.append(Block(-1, TITLE_KIND, raw, 0, len(raw), end - 1, span[0], span[1], ""))
    return sorted(blocks, key=lambda block: block.source_start)


def _linked(body: str) -> set[tuple[str, str]]:
    """(href, title) of every link and image of `body`: a definition whose
    pair is not among them is used by none, and its title shown nowhere."""
    found = set()
    for token in markdown_parser().parse(body):
        for child in token.children or ():
            if child.type in ("link_open", "image"):
                found.add((str(child.attrGet("href") or child.attrGet("src") or ""),
                           str(child.attrGet("title") or "")))
    return found


def _title_span(body: str, starts: list[int], line_no: int) -> tuple[int, int] | None:
    """Offsets in `body` of the text of the quoted title ending line `line_no`."""
    line_start = starts[line_no]
    line_end = starts[line_no + 1] - 1 if line_no + 1 < len(starts) else len(body)
    line = body[line_start:line_end].rstrip(" \t")
    if not line or line[-1] not in _TITLE_OPENERS or not _unescaped(line, len(line) - 1):
        return None
    opener = _TITLE_OPENERS[line[-1]]
    index = len(line) - 2
    while index >= 0 and not (line[index] == opener and _unescaped(line, index)):
        index -= 1
    return None if index < 0 else (line_start + index + 1, line_start + len(line) - 1)


def document_blocks(tokens: list[Token], body: str, env: dict) -> list[Block]:
    """Every translatable place of `body` (`iter_blocks` and `definition_titles`),
    in source order: the slots of its skeleton."""
    titles = definition_titles(tokens, body, env)
    blocks = list(iter_blocks(tokens, body))
    if titles:
        blocks = sorted([*blocks, *titles], key=lambda block: block.source_start)
    return blocks


_ANY_LINE_BREAK = re.compile(r"(?:[ \t]*\\?(?:\r\n|\r|\n)[ \t]*)+")


def fill_title(translation: str, end: str) -> str:
    """`translation` fit to stand in a link title that `end` closes (`"`, `'`
    or `)`): on one line, that character (and `(` in parentheses) escaped
    where the translator wrote it plain. A final backslash, alone or escaped,
    is written `&#92;`: cmark-gfm ends no title at `\\\\"` when another
    definition follows (markdown-it-py does), and both pages must agree."""
    # A CR ends a line in CommonMark too: two made a blank line, which ended
    # the definition (`_LINE_BREAK` is for translations of blocks, whose CRs
    # `check` reports).
    text = _ANY_LINE_BREAK.sub(" ", translation)
    special = {end, _TITLE_OPENERS[end]}
    pieces: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            pair = text[index:index + 2]
            pieces.append("&#92;" if index + len(pair) == len(text) and pair in ("\\", "\\\\")
                          else pair)
            index += 2
            continue
        pieces.append("\\" + char if char in special else char)
        index += 1
    return "".join(pieces)


def notranslate_marker(token: Token) -> bool | None:
    """True for a `<!-- notranslate -->` HTML block, False for its closing
    `<!-- /notranslate -->`, None for any other token."""
    if token.type != "html_block":
        return None
    found = NOTRANSLATE.fullmatch(token.content)
    return None if found is None else not found.group(1)


def _inline_places(tokens: list[Token]) -> Iterator[tuple[str, tuple]]:
    containers: list[str] = []
    cell_kind = "table cell"
    kept = False  # inside <!-- notranslate --> ... <!-- /notranslate -->
    for index, token in enumerate(tokens):
        marker = notranslate_marker(token)
        if marker is not None:
            kept = marker
        elif token.type in _CONTAINER_KINDS:
            containers.append(_CONTAINER_KINDS[token.type])
        elif token.type in ("list_item_close", "blockquote_close"):
            containers.pop()
        elif token.type in ("th_open", "td_open"):
            cell_kind = "table header cell" if token.type == "th_open" else "table cell"
        elif token.type == "inline" and not kept:
            place = _inline_place(tokens, index, containers, cell_kind)
            if place is not None:
                yield place


def _inline_place(tokens: list[Token], index: int, containers: list[str],
                  cell_kind: str) -> tuple[str, tuple] | None:
    token = tokens[index]
    opener = tokens[index - 1].type
    content = token.content
    if not content.strip() or token.map is None:
        return None
    if opener == "heading_open":
        kind = "heading"
    elif opener in ("th_open", "td_open"):
        kind = cell_kind
    elif containers:
        kind = containers[-1]
    else:
        kind = "paragraph"
    if "![" in content and _only_decorative_images(content):
        return None  # `![](x.png)`, `[![](logo.png)](/)`: nothing to translate
    if opener == "paragraph_open":
        alt = _lone_image_alt(content)
        if alt is not None and not content[alt[0]:alt[1]].strip():
            return None  # `![][k]`: decorative too, its reference out of `content`'s sight
        if alt is not None:
            start, end = alt
            return opener, (index, "image alt", content[start:end], start, end, token.map[0])
    if opener in ("th_open", "td_open"):
        # The token holds the cell with `\|` unescaped; the msgid is taken from the source.
        return opener, (index, kind, content, 0, len(content), token.map[0])
    return opener, (index, kind, _msgid_of(content), 0, len(content),
                    token.map[0])


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _locate_inline(body: str, starts: list[int], token: Token) -> list[tuple[int, int]]:
    """Source offsets (start, end) of each line of an inline token's content."""
    lines = token.content.split("\n")
    # markdown-it may leave out lines at the start that are blank to it but not
    # to Python's str.strip (`3. \x0b` then `===`): the content then starts later.
    first = token.map[0]
    for shift in range(max(0, token.map[1] - token.map[0] - len(lines)) + 1):
        if _place_line(body, starts, first + shift, lines[0]) is not None:
            first += shift
            break
    spans = []
    for number, text in enumerate(lines):
        line_no = first + number
        place = _place_line(body, starts, line_no, text)
        if place is None:
            raise ValueError(f"cannot place line {line_no + 1} of a block in its source")
        spans.append((starts[line_no] + place[0], starts[line_no] + place[1]))
    return spans


def _place_line(body: str, starts: list[int], line_no: int,
                text: str) -> tuple[int, int] | None:
    """Columns (start, end) of one line of an inline token's content in source
    line `line_no`. The span is shorter than `text` only where markdown-it
    turned a tab of the indentation into spaces."""
    if line_no >= len(starts):
        return None
    line_start = starts[line_no]
    line_end = starts[line_no + 1] - 1 if line_no + 1 < len(starts) else len(body)
    line = body[line_start:line_end]
    if line.endswith(text):
        return len(line) - len(text), len(line)
    # Only then the line without trailing blanks or a heading's closing `#`s:
    # most lines end with their text, and this runs for every line of a site.
    for candidate in (line.rstrip(" \t"), _ATX_CLOSING.sub("", line)):
        if candidate.endswith(text):
            return len(candidate) - len(text), len(candidate)
    if (column := line.rfind(text)) >= 0:
        return column, column + len(text)
    # markdown-it turns a tab in a line's indentation into spaces (`-\tx` then
    # `  \t y`); place the text after the indentation, and let the span start
    # as many characters earlier as the content has leading spaces, or at the
    # words when the tab expanded to more spaces than the source has characters.
    words = text.lstrip(" ")
    found = line.rfind(words) if words else -1
    if found < 0:
        return None
    return max(found - (len(text) - len(words)), 0), found + len(words)


def _row_cells(line: str) -> list[tuple[int, int]]:
    """Column spans of the trimmed cells in a table row (escaped pipes kept)."""
    prefix = _CONTAINER_PREFIX.match(line).end()
    return [(start + prefix, end + prefix) for start, end in _split_row(line[prefix:])]


def _split_row(line: str) -> list[tuple[int, int]]:
    pipes = [i for i, c in enumerate(line) if c == "|" and _unescaped(line, i)]
    edges = [-1, *pipes, len(line)]
    cells = []
    for left, right in zip(edges, edges[1:], strict=False):
        raw = line[left + 1:right]
        # markdown-it-py trims rows and cells with str.strip: \v, \f and NBSP too.
        text = raw.strip()
        if left == -1 and not text:
            continue
        if right == len(line) and not text:
            continue
        offset = left + 1 + (len(raw) - len(raw.lstrip()))
        cells.append((offset, offset + len(text)))
    return cells


def _unescaped(line: str, index: int) -> bool:
    backslashes = len(line[:index]) - len(line[:index].rstrip("\\"))
    return backslashes % 2 == 0


def _slot_spans(body: str, tokens: list[Token], places: list[tuple],
                openers: list[str]) -> list[tuple[int, int, str]]:
    """For each place, its source span and the continuation-line prefix."""
    starts = _line_starts(body)
    spans: list[tuple[int, int, str]] = []
    row_cells: dict[int, list[tuple[int, int]]] = {}
    for (token_index, _, _, content_start, content_end, _), opener in zip(
            places, openers, strict=True):
        token = tokens[token_index]
        if opener in ("th_open", "td_open"):
            line_no = token.map[0]
            if line_no not in row_cells:
                line_end = starts[line_no + 1] - 1 if line_no + 1 < len(starts) else len(body)
                row_cells[line_no] = _row_cells(body[starts[line_no]:line_end])
            cell_index = _cell_index(tokens, token_index)
            start, end = row_cells[line_no][cell_index]
            spans.append((starts[line_no] + start, starts[line_no] + end, ""))
            continue
        lines = _locate_inline(body, starts, token)
        continuation = ""
        if len(lines) > 1:
            second = lines[1][0]
            continuation = body[starts[token.map[0] + 1]:second]
        else:
            continuation = _guess_continuation(body, starts, token, lines[0][0])
        texts = token.content.split("\n")
        spans.append((_source_offset(texts, lines, content_start),
                      _source_offset(texts, lines, content_end), continuation))
    return spans


def _cell_index(tokens: list[Token], index: int) -> int:
    """Position of the cell in its row, empty cells counted: `_row_cells` keeps
    an empty cell between two pipes too (`| a |  | b |`)."""
    position = 0
    cursor = index - 1
    while tokens[cursor].type != "tr_open":
        if tokens[cursor].type == "inline":
            position += 1
        cursor -= 1
    return position


def _guess_continuation(body: str, starts: list[int], token: Token, column_offset: int) -> str:
    """A one-line block: continue with its prefix made of spaces and `>` markers."""
    line_start = starts[token.map[0]]
    prefix = body[line_start:column_offset]
    return re.sub(r"[^>\s]", " ", prefix)


def _source_offset(texts: list[str], lines: list[tuple[int, int]], offset: int) -> int:
    """The source offset of `offset` in an inline token's content, given its
    lines `texts` and their source spans `lines` (`_locate_inline`)."""
    for text, (start, end) in zip(texts, lines, strict=True):
        if offset <= len(text):
            # Spaces markdown-it made of a tab, beyond the source's characters,
            # all stand where the span starts.
            expanded = len(text) - (end - start)
            return start if offset < expanded else start + offset - expanded
        offset -= len(text) + 1  # the line and its newline
    raise ValueError("an offset past the end of the inline content")


def front_matter_segments(doc: SourceDoc) -> list[Segment]:
    """Segments of the translatable front matter fields."""
    field_lines = doc.meta_lines
    segments: list[Segment] = []
    for field in FRONT_MATTER_FIELDS:
        value = doc.meta.get(field)
        if isinstance(value, str) and value.strip():
            segments.append(Segment(value, field, field_lines.get(field, 1)))
    for tag in doc.meta.get("tags", ()) or ():
        if str(tag).strip():
            segments.append(Segment(str(tag), "tag", field_lines.get("tags", 1)))
    slug = doc.meta.get("slug")
    if isinstance(slug, str) and slug.strip():
        segments.append(Segment(slug, "slug", field_lines.get("slug", 1), SLUG_CONTEXT))
    return segments


def _refuse_nesting_too_deep(doc: SourceDoc, tokens: list[Token]) -> None:
    """Raise SourceError at the first container whose content markdown-it
    skipped: it stops at `maxNesting` levels, where cmark-gfm goes on, so the
    deeper blocks were no segments and the translated page showed them in
    German while `check` passed."""
    limit = block_parser().options["maxNesting"]
    for token in tokens:
        # The content of a quote or list item opened at the last level is skipped.
        if token.type in ("blockquote_open", "list_item_open") and token.level >= limit - 1 \
                and token.map is not None:
            raise SourceError(f"lists or quotes nested too deeply (more than {limit} levels, "
                              "a quote counting one, a list two: the list and its item); what "
                              "lies deeper would not be translated: nest less",
                              doc.path, doc.body_line + token.map[0])


def segment_document(doc: SourceDoc) -> SegmentedDoc:
    """Split an article into segments (front matter first, then the body in
    document order, identical texts merged) and the skeleton around them."""
    body = doc.body
    env: dict = {}
    tokens = block_parser().parse(body, env)
    _refuse_nesting_too_deep(doc, tokens)
    blocks = document_blocks(tokens, body, env)

    skeleton: list[str | Slot] = []
    cursor = 0
    for block in blocks:
        skeleton.append(body[cursor:block.source_start])
        original = body[block.source_start:block.source_end]
        # Most texts stand in the source as their segment: one string then,
        # which a pickle holds once (a quarter of what the cache keeps of an
        # article's segments).
        if block.kind == TITLE_KIND:
            skeleton.append(Slot(block.msgid, original, "", one_line=True,
                                 title_end=body[block.source_end]))
        else:
            skeleton.append(Slot(
                block.msgid, block.msgid if original == block.msgid else original,
                block.continuation,
                block.kind in ("paragraph", "list item", "blockquote")
                or _setext(tokens[block.token_index - 1]),
                block.kind.startswith("table") or (block.kind == "heading"
                                                   and "\n" not in original)))
        cursor = block.source_end
    skeleton.append(body[cursor:])

    ordered: dict[tuple[str | None, str], Segment] = {}
    meta = front_matter_segments(doc)
    body_segments = [Segment(b.msgid, b.kind, doc.body_line + b.line) for b in blocks]
    for segment in [*meta, *body_segments]:
        key = (segment.context, segment.msgid)
        known = ordered.get(key)
        if known is None:
            ordered[key] = segment
        elif segment.kind not in known.kind.split(", "):
            ordered[key] = Segment(known.msgid, f"{known.kind}, {segment.kind}", known.line,
                                   known.context)
    return SegmentedDoc(doc, tuple(ordered.values()), tuple(p for p in skeleton if p != ""))


_BLOCK_START = re.compile(r"""[ \t]*(?:
      \d{1,9}(?=[.)](?:[ \t]|$))     # ordered list marker: escape its punctuation
    | (?=[-+*](?:[ \t]|$))           # bullet list marker
    | (?=\#{1,6}(?:[ \t]|$))         # ATX heading
    | (?=>)                          # blockquote
    | (?=`{3,}|~{3,})                # code fence
    | (?=[=-]+[ \t]*$)               # setext underline
    | (?=(?:[*_-][ \t]*){3,}$)       # thematic break
    | (?=<(?:[!?]|/?(?:{html_blocks})(?:[\s/>]|$)))  # HTML block that may interrupt
    | (?=\[(?:[^\]\\]|\\.)+\]:)      # maybe a link reference definition
)""".replace("{html_blocks}", "|".join(sorted(block_names, key=len, reverse=True))
             + "|script|pre|style|textarea"), re.VERBOSE | re.IGNORECASE)


_LINE_BREAK = re.compile(r"[ \t]*\\?\n[ \t]*")


def _keep_inline(line: str, block: str | None = None) -> str:
    """Escape what would start a new block (a list marker, `#`, `>`, a fence...)
    at the start of a translated line, so the translation stays one block. A
    link reference definition too, when `block`, the text from this line on,
    starts with one (its URL may be on the next line): one before the
    German's own, with its label, would send every link of that label
    elsewhere. Without `block` no definition can start there (a paragraph's
    later lines)."""
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    if line[match.end()] == "[" and (block is None or not _is_definition(block)):
        return line  # `[Python]: eine Sprache` is a link and words, no definition
    return line[:match.end()] + "\\" + line[match.end():]


def _setext(opener: Token) -> bool:
    """True for the opening token of a heading underlined with `=` or `-`."""
    return opener.type == "heading_open" and opener.markup in ("=", "-")


def _is_definition(text: str) -> bool:
    """True when `text`, a block of its own, starts with a link reference
    definition."""
    env: dict = {}
    block_parser().parse(text, env)
    return bool(env.get("references"))


def fill_slot(slot: Slot, translation: str | None) -> str:
    """The text for a slot: the original when untranslated or unchanged, else the
    translation with its line breaks continued inside the slot's containers."""
    if translation is None or translation == slot.msgid:
        return slot.original
    if slot.title_end:
        return fill_title(translation, slot.title_end)
    if "\n" not in translation or slot.one_line:
        # One line; a line break ended a cell (the rest a table row of its own)
        # or a heading (the rest a paragraph). An indented line would be code.
        line = _LINE_BREAK.sub(" ", translation) if slot.one_line else translation.lstrip(" \t")
        return _keep_inline(line, line) if slot.starts_block else line
    # A blank line would end the paragraph, and an indented first line make it code.
    lines = [line for line in translation.split("\n") if line.strip()] or [""]
    lines[0] = lines[0].lstrip(" \t")
    if slot.starts_block:
        lines[0] = _keep_inline(lines[0], "\n".join(lines))
    return ("\n" + slot.continuation).join(
        [lines[0], *(_keep_inline(line) for line in lines[1:])])


def rebuild_markdown(segmented: SegmentedDoc, translate: Translate) -> str:
    """The body with every slot filled by `translate` (None keeps the source text)."""
    return "".join(
        piece if isinstance(piece, str) else fill_slot(piece, translate(piece.msgid, None))
        for piece in segmented.skeleton
    )
