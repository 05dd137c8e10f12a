"""Raw HTML in translations: which tags are the source's, which are dangerous.

`check` compares a translation's inline HTML with its msgid's by `html_shape`,
and the renderer lets a translated tag through by the same rule
(`carried_over`): a tag `check` passes is shown as a tag, one it would report
is shown as text. Before they shared it, a tag the editor had broken over two
lines, or whose `title` was translated, passed `check` and was printed as
text on the page.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html.parser import HTMLParser

Tag = tuple[str, str, tuple[tuple[str, str], ...]]
"""(`open` or `close`, tag name, attributes)."""

TEXT_ATTRIBUTES = frozenset({"title", "alt", "aria-label", "aria-description", "lang", "dir"})
"""Attributes a translation may change: text a reader sees or hears, and
the language and direction of it (`<span lang="en">Compliance</span>` may
become `<span lang="es">cumplimiento</span>`). Every other attribute a
translation keeps as the German has it, value and all, and adds none (a
`srcdoc`, a `style` or a `srcset` brought script or another picture into
the page)."""
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data",
                             "poster", "background", "cite", "srcset"})
_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")


class _Tags(HTMLParser):
    """Start and end tags of an HTML fragment, with their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(("open", tag, tuple((k, v or "") for k, v in attrs)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.tags.append(("close", tag, ()))


def html_tags(fragment: str) -> list[Tag]:
    """(open|close, tag, attributes) of every tag in an HTML fragment."""
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser.tags


def is_javascript_url(url: str) -> bool:
    """True for `javascript:` URLs, however they are spaced or cased."""
    return _CONTROL_AND_SPACE.sub("", url).lower().startswith("javascript:")


def html_dangers(fragment: str) -> list[str]:
    """What in an HTML fragment would run script on the page: a `<script>`
    element, an event handler attribute, a `javascript:` URL."""
    problems = []
    for kind, tag, attrs in html_tags(fragment):
        if kind != "open":
            continue
        if tag == "script":
            problems.append("contains a <script> element")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"contains an event handler attribute {name}=")
            elif name in _URL_ATTRIBUTES and is_javascript_url(value):
                problems.append(f"contains a javascript: URL in {name}=")
    return problems


def html_shape(fragment: str) -> list[str]:
    """What a translation must keep of an HTML fragment: each tag with its
    attributes, in the order of their names, the values of `TEXT_ATTRIBUTES`
    left out (`<abbr title>`, `<a class="x" href="y">`, `</a>`), however they
    are quoted, spaced or broken over lines, and `<!-- comment -->` for a
    comment. A `<script>` is left out: it is a danger (`html_dangers`)."""
    shape = []
    for kind, tag, attrs in html_tags(fragment):
        if tag == "script":
            continue
        kept = " ".join(name if name in TEXT_ATTRIBUTES else f'{name}="{value}"'
                        for name, value in sorted(attrs))
        shape.append(f"<{'/' if kind == 'close' else ''}{tag}{' ' if kept else ''}{kept}>")
    if fragment.startswith("<!--"):
        shape.append("<!-- comment -->")
    return shape


def carried_over(fragment: str, source: Collection[str]) -> bool:
    """True when the inline HTML `fragment` of a translation may be shown as
    HTML: it is one of the `source` fragments (its msgid's), or has the shape
    of one (`html_shape`) and nothing dangerous (`html_dangers`). Anything
    else is shown as text, so a translation cannot bring markup of its own."""
    if fragment in source:
        return True
    shape = html_shape(fragment)
    return bool(shape) and not html_dangers(fragment) and any(
        html_shape(original) == shape for original in source)
