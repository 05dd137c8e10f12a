"""Deterministic edits of German articles, as an author would make them.

Only plain paragraphs are touched (not headings, list items, tables, quotes or
code), so an edit changes exactly one catalog entry and never the block structure.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

APPENDED = " Dieser Satz wurde für den Benchmark ergänzt ({n})."
REPLACEMENTS = ("Nachbarschaft", "Gemeinderat", "Stadtteil", "Wochenmarkt", "Fernwärme", "Ortsbeirat")
_BLOCK_START = re.compile(r"^(\s|#|[-*+] |\d+[.)] |>|\||!\[|```|~~~|<|---)")
_WORD = re.compile(r"^[A-Za-zÄÖÜäöüß]{4,}[.,;:?!]?$")


def paragraph_lines(lines: list[str]) -> list[int]:
    """Indices of the first line of every plain paragraph, outside front matter and code fences."""
    found: list[int] = []
    in_front = bool(lines) and lines[0].strip() == "---"
    in_fence = False
    for i, line in enumerate(lines):
        if in_front:
            in_front = i == 0 or line.strip() != "---"
            continue
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        starts_block = i == 0 or not lines[i - 1].strip()
        if not in_fence and starts_block and line.strip() and not _BLOCK_START.match(line):
            found.append(i)
    return found


def articles(root: Path) -> list[Path]:
    """The German articles of a project, in a stable order."""
    return sorted((root / "content" / "de").glob("*.md"))


def append_sentence(root: Path, repetition: int) -> Path:
    """Append a sentence to the first paragraph of one article, a different one for each repetition."""
    paths = articles(root)
    # A large odd stride spreads the chosen articles over the corpus.
    path = paths[(repetition * 7919 + len(paths) // 2) % len(paths)]
    lines = path.read_text(encoding="utf-8").split("\n")
    first = paragraph_lines(lines)[0]
    lines[first] += APPENDED.format(n=repetition + 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def change_word(line: str, rng: random.Random) -> str:
    """The line with one ordinary word (outside code spans) replaced by a different word."""
    tokens = line.split(" ")
    candidates, in_code = [], False
    for i, token in enumerate(tokens):
        if not in_code and _WORD.match(token):
            candidates.append(i)
        if token.count("`") % 2:
            in_code = not in_code
    if not candidates:
        return line + " Ergänzung."
    i = rng.choice(candidates)
    word = tokens[i].rstrip(".,;:?!")
    new = rng.choice([r for r in REPLACEMENTS if r != word])
    tokens[i] = new + tokens[i][len(word):]
    return " ".join(tokens)


def edit_fraction(root: Path, fraction: float, seed: str) -> tuple[int, int]:
    """Change one word in `fraction` of all plain paragraphs of the corpus, chosen with `seed`.

    Returns (paragraphs changed, articles changed).
    """
    texts = {p: p.read_text(encoding="utf-8").split("\n") for p in articles(root)}
    places = [(p, i) for p, lines in texts.items() for i in paragraph_lines(lines)]
    rng = random.Random(seed)
    chosen = rng.sample(places, max(1, round(fraction * len(places))))
    for path, i in chosen:
        texts[path][i] = change_word(texts[path][i], rng)
    touched = {p for p, _ in chosen}
    for path in touched:
        path.write_text("\n".join(texts[path]), encoding="utf-8")
    return len(chosen), len(touched)
