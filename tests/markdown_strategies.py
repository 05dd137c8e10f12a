"""Hypothesis strategies that write Markdown the way authors do, plus the odd
corners of CommonMark (lazy continuation, hard breaks, escaped pipes, tabs)."""

from __future__ import annotations

from hypothesis import strategies as st

WORDS = st.sampled_from([
    "Markt", "Spanien", "Größe", "Straße", "café", "año", "¿qué?", "z. B.", "3.", "§ 5",
    "*betont*", "**stark**", "`code`", "[Link](https://example.com/a-b)", "ä", "ß",
    "\\*", "a_b", "100 %", "—", "„Zitat“", "x\u00a0y", "<span>", "&amp;", "1)", "+",
])
TEXT = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
LINE_TEXT = st.lists(TEXT, min_size=1, max_size=3)

# Any character an article can hold once read (sources.decode_text refuses NUL
# and turns CR into LF): control characters, tabs, NBSP, other line and
# paragraph separators, combining marks, emoji; plus long unbroken runs.
WILD_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\0\r\n")
WILD_WORDS = WORDS | st.text(WILD_CHARACTERS, min_size=1, max_size=12) | st.sampled_from([
    "\t", "\x0b", "\x0c", "\x1b[0m", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\u00a0",
    "\u200b", "\u202e", "e\u0301", "🇪🇸", "x" * 300, "Donau" * 40,
])
WILD_TEXT = st.lists(WILD_WORDS, min_size=1, max_size=8).map(" ".join)


@st.composite
def paragraph(draw, prefix: str = "", text=TEXT) -> str:
    lines = draw(st.lists(text, min_size=1, max_size=3))
    ends = [draw(st.sampled_from(["", "", "  ", "\\"])) for _ in lines[:-1]] + [""]
    indents = [""] + [draw(st.sampled_from(["", " ", "  "])) for _ in lines[1:]]
    body = [f"{indent}{line}{end}" for line, end, indent in zip(lines, ends, indents, strict=True)]
    first = body[0].lstrip()
    if first[:1] in "#>-+*=|0123456789" or not first:
        body[0] = "Text " + body[0]
    return "\n".join(prefix + line if i else line for i, line in enumerate(body))


@st.composite
def block(draw, depth: int = 0, text=TEXT) -> str:
    kinds = ["paragraph", "heading", "setext", "list", "ordered", "quote", "table", "fence",
             "indented", "html", "image", "hr"]
    kind = draw(st.sampled_from(kinds if depth < 2 else kinds[:3]))
    if kind == "paragraph":
        return draw(paragraph(text=text))
    if kind == "heading":
        level = draw(st.integers(1, 6))
        closing = draw(st.sampled_from(["", " " + "#" * level, " ##"]))
        return f"{'#' * level} {draw(text)}{closing}"
    if kind == "setext":
        return f"{draw(text)}\n{draw(st.sampled_from(['===', '---', '=']))}"
    if kind in ("list", "ordered"):
        items = []
        for number in range(draw(st.integers(1, 3))):
            marker = f"{number + 1}." if kind == "ordered" else draw(st.sampled_from("-*+"))
            pad = " " * (len(marker) + 1)
            item = f"{marker} {draw(paragraph(prefix=pad, text=text))}"
            if draw(st.booleans()) and depth < 2:
                nested = draw(block(depth=depth + 1, text=text))
                item += "\n\n" + "\n".join(pad + line if line else line for line in nested.split("\n"))
            items.append(item)
        return "\n".join(items)
    if kind == "quote":
        inner = draw(block(depth=depth + 1, text=text))
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
    if kind == "table":
        columns = draw(st.integers(1, 3))
        cell = text.map(lambda t: t.replace("|", "\\|"))
        header = "| " + " | ".join(draw(cell) for _ in range(columns)) + " |"
        alignments = st.sampled_from(["---", ":--", "--:", ":-:"])
        rule = "|" + "|".join(draw(alignments) for _ in range(columns)) + "|"
        rows = ["| " + " | ".join(draw(cell) for _ in range(columns)) + " |"
                for _ in range(draw(st.integers(0, 2)))]
        return "\n".join([header, rule, *rows])
    if kind == "fence":
        return f"```yaml\nkey: {draw(text)}\n```"
    if kind == "indented":
        return f"    code {draw(text)}"
    if kind == "html":
        return f"<div class=\"box\">\n{draw(text)}\n</div>"
    if kind == "image":
        # Without a title only the alt text is a segment; with one, the paragraph.
        title = draw(st.sampled_from(["", ' "Titel"', " 'Titel'", " (Titel)"]))
        return f"![{draw(text)}](/images/x.png{title})"
    return "---"


documents = st.lists(block(), min_size=0, max_size=6).map(
    lambda blocks: "\n\n".join(blocks) + "\n")
wild_documents = st.lists(block(text=WILD_TEXT), min_size=0, max_size=6).map(
    lambda blocks: "\n\n".join(blocks) + "\n")
"""Documents whose text is any Unicode, control characters included."""
