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


@st.composite
def paragraph(draw, prefix: str = "") -> str:
    lines = draw(LINE_TEXT)
    ends = [draw(st.sampled_from(["", "", "  ", "\\"])) for _ in lines[:-1]] + [""]
    indents = [""] + [draw(st.sampled_from(["", " ", "  "])) for _ in lines[1:]]
    body = [f"{indent}{line}{end}" for line, end, indent in zip(lines, ends, indents, strict=True)]
    first = body[0].lstrip()
    if first[:1] in "#>-+*=|0123456789" or not first:
        body[0] = "Text " + body[0]
    return "\n".join(prefix + line if i else line for i, line in enumerate(body))


@st.composite
def block(draw, depth: int = 0) -> str:
    kinds = ["paragraph", "heading", "setext", "list", "ordered", "quote", "table", "fence",
             "indented", "html", "image", "hr"]
    kind = draw(st.sampled_from(kinds if depth < 2 else kinds[:3]))
    if kind == "paragraph":
        return draw(paragraph())
    if kind == "heading":
        level = draw(st.integers(1, 6))
        closing = draw(st.sampled_from(["", " " + "#" * level, " ##"]))
        return f"{'#' * level} {draw(TEXT)}{closing}"
    if kind == "setext":
        return f"{draw(TEXT)}\n{draw(st.sampled_from(['===', '---', '=']))}"
    if kind in ("list", "ordered"):
        items = []
        for number in range(draw(st.integers(1, 3))):
            marker = f"{number + 1}." if kind == "ordered" else draw(st.sampled_from("-*+"))
            pad = " " * (len(marker) + 1)
            text = draw(paragraph(prefix=pad))
            item = f"{marker} {text}"
            if draw(st.booleans()) and depth < 2:
                nested = draw(block(depth=depth + 1))
                item += "\n\n" + "\n".join(pad + line if line else line for line in nested.split("\n"))
            items.append(item)
        return "\n".join(items)
    if kind == "quote":
        inner = draw(block(depth=depth + 1))
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
    if kind == "table":
        columns = draw(st.integers(1, 3))
        cell = TEXT.map(lambda t: t.replace("|", "\\|"))
        header = "| " + " | ".join(draw(cell) for _ in range(columns)) + " |"
        alignments = st.sampled_from(["---", ":--", "--:", ":-:"])
        rule = "|" + "|".join(draw(alignments) for _ in range(columns)) + "|"
        rows = ["| " + " | ".join(draw(cell) for _ in range(columns)) + " |"
                for _ in range(draw(st.integers(0, 2)))]
        return "\n".join([header, rule, *rows])
    if kind == "fence":
        return f"```yaml\nkey: {draw(TEXT)}\n```"
    if kind == "indented":
        return f"    code {draw(TEXT)}"
    if kind == "html":
        return f"<div class=\"box\">\n{draw(TEXT)}\n</div>"
    if kind == "image":
        return f"![{draw(TEXT)}](/images/x.png \"Titel\")"
    return "---"


documents = st.lists(block(), min_size=0, max_size=6).map(
    lambda blocks: "\n\n".join(blocks) + "\n")
