#!/usr/bin/env python3
"""Markdown → HTML renderers over a corpus: speed relative to markdown-it-py, and fidelity.

    python bench/renderers.py --corpus DIR [--results bench/RESULTS.md] [--repeat 3]

Renders the body (after the front matter) of every German article of DIR/content/de
with Python-Markdown, markdown-it-py (configured as bilingual's `markdown_parser()`:
CommonMark, tables, strikethrough, raw HTML) and cmark-gfm (`cmarkgfm`, same
extensions, raw HTML allowed), all in this process, best of `--repeat` timings.
Fidelity: documents whose HTML differs between markdown-it-py and cmark-gfm once
whitespace between tags is normalised. The section replaces its previous copy in
RESULTS.md, or is appended.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

SECTION = "## Markdown renderers"
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_BETWEEN_TAGS = re.compile(r">\s+<")
_SPACES = re.compile(r"\s+")
# markdown-it-py writes a column's alignment as style="text-align:x", cmark-gfm as align="x".
_ALIGN_STYLE = re.compile(r' style="text-align:(left|right|center)"')


def body(text: str) -> str:
    """The Markdown after the YAML front matter."""
    return _FRONT_MATTER.sub("", text, count=1)


def markdown_it_renderer() -> Callable[[str], str]:
    """markdown-it-py exactly as bilingual configures it."""
    from bilingual.segment import markdown_parser

    return markdown_parser().render


def cmark_renderer() -> Callable[[str], str] | None:
    """cmark-gfm with tables and strikethrough, raw HTML kept (as markdown-it-py with html=True)."""
    try:
        import cmarkgfm
        from cmarkgfm.cmark import Options
    except ImportError:
        return None
    return lambda text: cmarkgfm.markdown_to_html_with_extensions(
        text, options=Options.CMARK_OPT_UNSAFE, extensions=["table", "strikethrough"])


def python_markdown_renderer() -> Callable[[str], str] | None:
    """Python-Markdown with its tables extension (it has no strikethrough of its own)."""
    try:
        import markdown
    except ImportError:
        return None
    md = markdown.Markdown(extensions=["tables", "fenced_code"])
    return lambda text: md.reset().convert(text)


def best_time(render: Callable[[str], str], documents: list[str], repeat: int) -> float:
    """Fastest of `repeat` passes over all documents, in seconds (the machine is shared)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for doc in documents:
            render(doc)
        best = min(best, time.perf_counter() - start)
    return best


def normalise(html: str) -> str:
    """HTML with whitespace between tags removed and other runs of whitespace collapsed."""
    return _SPACES.sub(" ", _BETWEEN_TAGS.sub("><", html)).strip()


def unify_alignment(html: str) -> str:
    """markdown-it-py's alignment spelling turned into cmark-gfm's, to see the differences that matter."""
    return _ALIGN_STYLE.sub(r' align="\1"', html)


def first_difference(a: str, b: str, context: int = 80) -> tuple[str, str]:
    """The snippets of `a` and `b` around their first differing character."""
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(0, i - context)
    return a[start:i + context], b[start:i + context]


def version(name: str) -> str:
    """Installed version of a distribution."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def speed_lines(documents: list[str], repeat: int) -> list[str]:
    """The speed table: seconds per pass, per 1,000 documents, ratio to markdown-it-py."""
    renderers = {
        f"markdown-it-py {version('markdown-it-py')}": markdown_it_renderer(),
        f"cmark-gfm (cmarkgfm {version('cmarkgfm')})": cmark_renderer(),
        f"Python-Markdown {version('markdown')} (tables, fenced_code)": python_markdown_renderer(),
    }
    times = {name: best_time(r, documents, repeat) for name, r in renderers.items() if r}
    reference = next(iter(times.values()))
    lines = ["| renderer | seconds | per 1,000 articles (s) | ÷ markdown-it-py |", "|---|---:|---:|---:|"]
    for name, seconds in times.items():
        lines.append(f"| {name} | {seconds:.3f} | {seconds * 1000 / len(documents):.3f} | "
                     f"{seconds / reference:.3f} |")
    lines += [f"| {name} | not installed (`pip install -e '.[bench]'`) | | |"
              for name, r in renderers.items() if not r]
    return lines


def difference_lines(pairs: list[tuple[str, str, str]], what: str) -> list[str]:
    """Count of differing (name, ours, theirs) documents and the first differing snippet."""
    differing = [p for p in pairs if p[1] != p[2]]
    lines = [f"Documents whose HTML differs between markdown-it-py and cmark-gfm ({what}): "
             f"{len(differing)} of {len(pairs)}."]
    if differing:
        name, ours, theirs = differing[0]
        a, b = first_difference(ours, theirs)
        lines += ["", f"First difference, in `{name}`:", "", "```", f"markdown-it-py: …{a}…",
                  f"cmark-gfm:      …{b}…", "```"]
    return lines + [""]


def fidelity_lines(documents: list[str], names: list[str]) -> list[str]:
    """Documents rendered differently by markdown-it-py and cmark-gfm, before and after unifying alignment."""
    cmark = cmark_renderer()
    if cmark is None:
        return ["cmark-gfm is not installed: no fidelity comparison."]
    render = markdown_it_renderer()
    pairs = [(name, normalise(render(doc)), normalise(cmark(doc)))
             for name, doc in zip(names, documents, strict=True)]
    unified = [(name, unify_alignment(ours), theirs) for name, ours, theirs in pairs]
    return (difference_lines(pairs, "whitespace between tags normalised")
            + difference_lines(unified, "also table alignment written as align=\"x\" by both"))


def write_section(results: Path, lines: list[str]) -> None:
    """Replace this script's section of RESULTS.md, or append it."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    section = "\n".join([SECTION, "", *lines, ""])
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section
    results.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Time, compare, print and record."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a gen_corpus.py output folder")
    parser.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md")
    parser.add_argument("--repeat", type=int, default=3, help="passes per renderer; the best counts")
    args = parser.parse_args(argv)
    paths = sorted((args.corpus / "content" / "de").glob("*.md"))
    documents = [body(p.read_text(encoding="utf-8")) for p in paths]
    lines = [f"{len(documents):,} German articles of `{args.corpus.name}`, bodies only, in one process; "
             f"best of {args.repeat} passes.", ""]
    lines += speed_lines(documents, args.repeat) + [""] + fidelity_lines(documents, [p.name for p in paths])
    print("\n".join(lines))
    write_section(args.results, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
