"""`bilingual check`: catalogs and source articles -> findings.

A finding has a code (see `config.CHECK_CODES`), a severity taken from the
site's policy for the catalog's language, the file and 1-based line it is
about, and a message a translator understands: it quotes the segment and says
what differs.

The checks are plain functions `(entry, context) -> Iterable[Finding]`
(`ENTRY_CHECKS`), plus a few over a whole catalog. They never read files;
`run_checks` does the reading (catalogs, sources, `update`'s plan for
staleness, and optionally a built site through `sitecheck`) and weighs every
finding with the policy. Findings are created with severity "error" and
re-weighed once, in `run_checks`, so a check never needs the policy.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import polib

from bilingual.catalog import decode_catalog, line_starting, parse_catalog, read_catalog_bytes
from bilingual.config import CHECK_CODES, CONFIG_NAME, CheckPolicy, SiteConfig
from bilingual.errors import BilingualError, CatalogError, ConfigError, location
from bilingual.formats import (
    FormatError,
    PluralRule,
    checked_formats,
    compare_formats,
    parse_plural_forms,
    parse_python_format,
    plural_forms_problem,
)
from bilingual.markup import html_dangers, html_shape, is_javascript_url
from bilingual.merge import (
    LONG_DIFF,
    common_ends,
    composed_key,
    entry_key,
    has_translation,
    is_filled,
    is_fuzzy,
    matcher,
)
from bilingual.segment import PLAIN_TEXT_KINDS, SLUG_CONTEXT, block_parser, markdown_parser
from bilingual.site import describe_unfit, unfit_character
from bilingual.sitetext import SITE_TEXT_CONTEXTS
from bilingual.sources import (
    SourceDoc,
    article_paths,
    content_key,
    display_path,
    files_below,
    hand_written,
    read_source,
)
from bilingual.update import (
    UI_CATALOG,
    CatalogPlan,
    UnmergeableCatalog,
    UpdatePlan,
    plan_update,
)

QUOTE_LIMIT = 70
"""Characters of a segment quoted in a message before it is cut with `…`."""
LIST_LIMIT = 5
"""Segments named in one stale finding before `and N more`."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, where it is, and how bad the site's policy says it is."""

    severity: str
    """`error` or `warning`."""
    code: str
    """One of `config.CHECK_CODES`, or `site` for a built site."""
    file: str
    """Relative to the project root (with `/`) where the file is inside it."""
    line: int | None
    """1-based; None when the finding is about a whole file."""
    message: str


@dataclass(frozen=True, slots=True)
class CatalogContext:
    """What entry checks need to know about the catalog an entry is in."""

    file: str
    lang: str
    source_language: str
    ui: bool = False
    """The templates' UI catalog: strings with placeholders, not Markdown."""
    plural: PluralRule | None = None
    handwritten: bool = False
    """The article has a hand-written translation, so its catalog may stay empty."""
    references: Callable[[], Mapping[str, dict]] = field(default=lambda: {})
    """The article's link reference definitions (`[doku]: https://…`), as
    markdown-it keeps them: asked for only by an entry that may use one."""


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything `bilingual check` found, plus what it looked at."""

    findings: tuple[Finding, ...]
    catalogs: int = 0
    articles: int = 0
    pages: int = 0
    ignored: int = 0
    """Findings dropped because the policy ignores their code."""

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def summary(self) -> dict[str, object]:
        """Counts for reports; the JSON `summary` object (see docs/check.md)."""
        codes = Counter(f.code for f in self.findings)
        return {
            "errors": self.errors,
            "warnings": self.warnings,
            "ignored": self.ignored,
            "by_code": {code: codes.get(code, 0) for code in (*CHECK_CODES, *sorted(
                set(codes) - set(CHECK_CODES)))},
            "files": len({f.file for f in self.findings}),
            "catalogs": self.catalogs,
            "articles": self.articles,
            "pages": self.pages,
        }


def finding(code: str, file: str, line: int | None, message: str) -> Finding:
    """A finding before the policy weighs it (severity `error`)."""
    return Finding("error", code, file, line, message)


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A segment as quoted in messages: one line, cut after `limit` characters."""
    shown = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    if len(shown) > limit:
        shown = shown[: limit - 1].rstrip() + "…"
    return f'"{shown}"'


# --- missing, fuzzy, obsolete -------------------------------------------------------


def _forms(entry: polib.POEntry) -> list[tuple[str, str, str]]:
    """(name, msgid it translates, text) of each translation form of an entry."""
    if entry.msgid_plural:
        return [(f"msgstr[{index}]", entry.msgid if index == 0 else entry.msgid_plural, text)
                for index, text in sorted(entry.msgstr_plural.items())]
    return [("msgstr", entry.msgid, entry.msgstr)]


def _blank_note(texts: Iterable[str]) -> str:
    """Why a translation that is there counts as missing: it is only whitespace."""
    return " (its translation is only whitespace, which counts as none)" if any(texts) else ""


def check_missing(entry: polib.POEntry, ctx: CatalogContext) -> Iterator[Finding]:
    """An entry, or a plural form of it, without any translation; a form of
    only whitespace counts as none (`merge.is_filled`), as in the build. A
    fuzzy entry without a translation is missing (`merge.is_fuzzy`)."""
    if entry.obsolete or is_fuzzy(entry) or ctx.handwritten:
        return
    if not has_translation(entry):
        note = _blank_note(text for _, _, text in _forms(entry))
        if entry.msgctxt == SLUG_CONTEXT:
            note += ("; a slug: `bilingual update` fills in the German word, which the "
                     f"{ctx.lang} page then keeps, unless you translate it")
        yield finding("missing", ctx.file, entry.linenum,
                      f"not translated yet: {quote(entry.msgid)}{note}")
        return
    empty = [name for name, _, text in _forms(entry) if not is_filled(text, entry.msgid)]
    if empty:
        yield finding("missing", ctx.file, entry.linenum,
                      f"{', '.join(empty)} not translated yet in {quote(entry.msgid)} "
                      f"(every plural form needs a translation)")


_WORD_DIFF_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
_DIFF_CONTEXT = 12
"""Tokens (words, spaces, punctuation) of unchanged text kept around a change."""


def word_diff(old: str, new: str) -> str:
    """A word-level diff in wdiff style: `[-removed-] {+added+}`; long unchanged
    stretches are shortened to `…`."""
    a = _WORD_DIFF_TOKENS.findall(old)
    b = _WORD_DIFF_TOKENS.findall(new)
    # A long text is diffed without its common ends (`merge.matcher`).
    start, end = common_ends(a, b) if len(a) + len(b) > LONG_DIFF else (0, 0)
    before, after = a[:start], a[len(a) - end:]
    a, b = a[start:len(a) - end], b[start:len(b) - end]
    chunks: list[tuple[str, list[str], list[str]]] = [("equal", before, before)] if start else []
    for tag, i1, i2, j1, j2 in matcher(a, b).get_opcodes():
        chunks.append((tag, a[i1:i2], b[j1:j2]))
    if end:
        chunks.append(("equal", after, after))
    chunks = _join_changes(chunks)
    _move_spaces_after(chunks)
    parts: list[str] = []
    for index, (tag, removed, added) in enumerate(chunks):
        if tag == "equal":
            same = removed
            first, last = index == 0, index == len(chunks) - 1
            if first and len(same) > _DIFF_CONTEXT:
                same = ["…", *same[-_DIFF_CONTEXT:]]
            elif last and len(same) > _DIFF_CONTEXT:
                same = [*same[:_DIFF_CONTEXT], "…"]
            elif len(same) > 2 * _DIFF_CONTEXT + 1:
                same = [*same[:_DIFF_CONTEXT], "…", *same[-_DIFF_CONTEXT:]]
            parts.append("".join(same))
            continue
        if removed:
            parts.append(f"[-{''.join(removed)}-]")
        if removed and added:
            parts.append(" ")
        if added:
            parts.append(f"{{+{''.join(added)}+}}")
    return "".join(parts).replace("\n", "\\n")


def _join_changes(chunks: list[tuple[str, list[str], list[str]]],
                  ) -> list[tuple[str, list[str], list[str]]]:
    """Two changes separated only by a blank are one change: `[-Der Hund-]
    {+Die Katze+}` rather than `[-Der-] {+Die+} [-Hund-] {+Katze+}`."""
    joined: list[tuple[str, list[str], list[str]]] = []
    for chunk in chunks:
        if len(joined) >= 2 and chunk[0] == joined[-2][0] == "replace" \
                and joined[-1][0] == "equal" and all(t.isspace() for t in joined[-1][1]):
            blank = joined.pop()[1]
            _, removed, added = joined.pop()
            joined.append(("replace", [*removed, *blank, *chunk[1]],
                           [*added, *blank, *chunk[2]]))
            continue
        joined.append(chunk)
    return joined


def _move_spaces_after(chunks: list[tuple[str, list[str], list[str]]]) -> None:
    """`Ein{+ neuer+} Satz` reads worse than `Ein {+neuer +}Satz`: a pure insertion
    or deletion that starts with the blank the next unchanged text also starts
    with is shifted by one token."""
    for index in range(1, len(chunks) - 1):
        tag, removed, added = chunks[index]
        changed = added if tag == "insert" else removed if tag == "delete" else None
        after = chunks[index + 1]
        if not changed or not changed[0].isspace() or after[0] != "equal" \
                or not after[1] or after[1][0] != changed[0] or chunks[index - 1][0] != "equal":
            continue
        blank = changed[0]
        rotated = [*changed[1:], blank]
        chunks[index - 1] = ("equal", [*chunks[index - 1][1], blank], [])
        chunks[index] = (tag, rotated if tag == "delete" else [], rotated if tag == "insert"
                         else [])
        chunks[index + 1] = ("equal", after[1][1:], [])


def check_fuzzy(entry: polib.POEntry, ctx: CatalogContext) -> Iterator[Finding]:
    """A fuzzy entry, with what changed in the German since it was translated."""
    if entry.obsolete or not is_fuzzy(entry) or ctx.handwritten:
        return
    previous = entry.previous_msgid
    plural_changed = (entry.previous_msgid_plural or "") != entry.msgid_plural
    if previous is None:
        changed = "(no earlier German text is recorded)"
    elif previous == entry.msgid and plural_changed:
        changed = _plural_change(entry.previous_msgid_plural or "", entry.msgid_plural)
    elif previous == entry.msgid:
        # msgmerge keeps the fuzzy flag when an edit is reverted; the translation
        # was made for exactly this text, which the translator should be told.
        changed = ("the German is again the text it was translated from (an edit to it "
                   "was reverted)")
    else:
        changed = f"the German changed: {word_diff(previous, entry.msgid)}"
        if plural_changed:
            changed += f"; {_plural_change(entry.previous_msgid_plural or '', entry.msgid_plural)}"
    yield finding("fuzzy", ctx.file, entry.linenum,
                  f"fuzzy translation of {quote(entry.msgid)}: check it and remove the fuzzy "
                  f"flag; {changed}")


def _plural_change(before: str, now: str) -> str:
    """What became of an entry's German plural (`msgid_plural`)."""
    if not before:
        return f"the German has a plural now: {quote(now)}"
    if not now:
        return f"the German has no plural any more (it was {quote(before)})"
    return f"the German plural changed: {word_diff(before, now)}"


def check_obsolete(entry: polib.POEntry, ctx: CatalogContext) -> Iterator[Finding]:
    """An obsolete (`#~`) entry kept from an earlier version of the source."""
    if entry.obsolete:
        yield finding("obsolete", ctx.file, entry.linenum,
                      f"obsolete entry {quote(entry.msgid)}: the German text is gone; its "
                      "translation is kept for reuse. Delete it once it is of no use")


# --- syntax: what msgfmt -c rejects beyond the parser --------------------------------


def check_format(entry: polib.POEntry, ctx: CatalogContext) -> Iterator[Finding]:
    """What `msgfmt -c` rejects in a finished translation: placeholders that do not
    match (c-format, python-format, python-brace-format) and a line break at the
    start or end of msgid but not of the translation (or the other way round)."""
    if entry.obsolete or "fuzzy" in entry.flags:
        return
    forms = [(name, source, text) for name, source, text in _forms(entry) if text]
    for name, source, text in forms:
        source_name = "msgid" if name in ("msgstr", "msgstr[0]") else "msgid_plural"
        for edge, test in (("begin", str.startswith), ("end", str.endswith)):
            if test(source, "\n") != test(text, "\n"):
                yield finding("syntax", ctx.file, entry.linenum,
                              f"{source_name} and {name} do not both {edge} with a line "
                              f"break (\\n) in {quote(entry.msgid)}; msgfmt -c rejects this")
    if entry.msgid_plural and ctx.plural is None:
        # The parser refuses plural entries without Plural-Forms, so the header's
        # is broken: which form is chosen for few numbers is unknown, and msgfmt
        # stops at the header, which `check_header` reports.
        return
    for language in checked_formats(entry.flags):
        for name, _, text in forms:
            if entry.msgid_plural:
                # msgfmt compares every form with msgid_plural; a form chosen for
                # few numbers (n = 1) may leave a placeholder out.
                problem = compare_formats(language, entry.msgid_plural, text,
                                          _often(ctx, name), "msgid_plural", name)
            else:
                problem = compare_formats(language, entry.msgid, text, True)
            if problem:
                yield finding("syntax", ctx.file, entry.linenum,
                              f"{language}-format placeholders of {quote(entry.msgid)} do not "
                              f"match: {problem}; msgfmt -c rejects this")


def _often(ctx: CatalogContext, name: str) -> bool:
    """Whether plural form `msgstr[N]` is chosen for many numbers (unknown: yes)."""
    form = int(name[len("msgstr["):-1])
    often = ctx.plural.often if ctx.plural else ()
    return often[form] if form < len(often) else True


def check_header(po: polib.POFile, ctx: CatalogContext, text: str) -> Iterator[Finding]:
    """The header: a Plural-Forms that msgfmt rejects, a fuzzy header (gettext
    ignores it, and with it the plural rule and charset)."""
    forms = po.metadata.get("Plural-Forms")
    header_line = line_starting(text, 'msgid ""') or 1
    if forms is not None and (problem := plural_forms_problem(forms)) is not None:
        yield finding("syntax", ctx.file, line_starting(text, '"Plural-Forms:') or header_line,
                      f"Plural-Forms {forms!r}: {problem}")
    if "fuzzy" in po.metadata_is_fuzzy:
        yield finding("fuzzy", ctx.file, header_line,
                      "the header entry is marked fuzzy, so gettext ignores it (its plural "
                      "rule and charset with it); remove the fuzzy flag from the header")


# --- markup --------------------------------------------------------------------------


_REFUSED_JS_LINK = re.compile(r"(?:\]\(|<)\s*<?\s*javascript\s*:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class InlineMarkup:
    """What a translation must keep of its msgid's inline Markdown."""

    links: tuple[str, ...]
    images: tuple[str, ...]
    code: tuple[str, ...]
    emphasis: tuple[tuple[str, int], ...]
    html: tuple[str, ...]
    hard_breaks: int
    blocks: tuple[str, ...]
    dangers: tuple[str, ...]


_EMPHASIS = {"em_open": "emphasis (*…*)", "strong_open": "strong emphasis (**…**)",
             "s_open": "strikethrough (~~…~~)"}


def inline_markup(text: str, references: Mapping[str, dict] | None = None) -> InlineMarkup:
    """The markup of a segment's text, from markdown-it tokens (the parser the
    segmenter and the renderer use); `references`, the article's link
    reference definitions, make `[text][doku]` the link it is on the page."""
    parser = markdown_parser()
    links: list[str] = []
    images: list[str] = []
    code: list[str] = []
    emphasis: Counter[str] = Counter()
    html: list[str] = []
    dangers: list[str] = []
    hard_breaks = 0
    env = {"references": dict(references)} if references else {}
    for token in parser.parseInline(text, env)[0].children or ():
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            links.append(href)
            if is_javascript_url(href):
                dangers.append("contains a javascript: link")
        elif token.type == "image":
            src = str(token.attrGet("src") or "")
            images.append(src)
            if is_javascript_url(src):
                dangers.append("contains a javascript: image source")
        elif token.type == "code_inline":
            code.append(token.content)
        elif token.type in _EMPHASIS:
            emphasis[token.type] += 1
        elif token.type == "hardbreak":
            hard_breaks += 1
        elif token.type == "html_inline":
            dangers += html_dangers(token.content)
            html += html_shape(token.content)
        elif token.type == "text" and _REFUSED_JS_LINK.search(token.content):
            # markdown-it refuses javascript: links and leaves them as text; the
            # intent is still an attack.
            dangers.append("contains a javascript: link")
    blocks = []
    for token in parser.parse(text):
        if token.type == "html_block":
            dangers += html_dangers(token.content)
        if token.type.endswith("_open") or token.type in ("fence", "code_block", "html_block",
                                                          "hr"):
            blocks.append(token.type.removesuffix("_open"))
    return InlineMarkup(tuple(links), tuple(images), tuple(code),
                        tuple(sorted(emphasis.items())), tuple(html), hard_breaks,
                        tuple(blocks), tuple(dict.fromkeys(dangers)))


def _is_internal(href: str, lang: str) -> bool:
    """A link to another article: a relative `.md` path or a URL in `lang`'s
    part of the site (`/de/...`)."""
    if _relative_article(href) is not None:
        return True
    parts = urlsplit(href)
    return not (parts.scheme or parts.netloc) and parts.path.startswith(f"/{lang}/")


def _relative_article(href: str) -> str | None:
    """The article a relative `.md` link names, normalised (`./a/../b.md` is
    `b.md`), without its fragment; None for any other link."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or parts.path.startswith("/") or \
            not parts.path.endswith(".md"):
        return None
    return posixpath.normpath(unquote(parts.path))


def _is_counterpart(href: str, other: str, ctx: CatalogContext) -> bool:
    """True when the translation may use `other` for the internal link `href`.
    A relative `.md` link must name the same article (the build already sends
    it to that article's version in the page's language); its fragment may
    change, as a hand-written version has ids of its own headings (whether
    it lands is for `check --site`: translated pages keep the German ids).
    A `/de/...` URL may become a relative `.md` path or a URL in the target
    language's part of the site (`/es/...`), whose article only the site's
    plan could tell."""
    article = _relative_article(href)
    if article is not None:
        return _relative_article(other) == article
    return _is_internal(other, ctx.lang)


def _compare_links(source: tuple[str, ...], target: tuple[str, ...],
                   ctx: CatalogContext) -> list[str]:
    dropped = Counter(source) - Counter(target)
    added = Counter(target) - Counter(source)
    # An internal link may point at the counterpart article in the translation.
    for href in list(dropped.elements()):
        if not _is_internal(href, ctx.source_language):
            continue
        for other in added.elements():
            if _is_counterpart(href, other, ctx):
                dropped[href] -= 1
                added[other] -= 1
                break
    dropped, added = +dropped, +added
    problems = []
    if len(list(dropped.elements())) == 1 and len(list(added.elements())) == 1:
        return [f"changes the link target {next(dropped.elements())} to "
                f"{next(added.elements())}"]
    problems += [f"drops the link to {href}" for href in dropped.elements()]
    problems += [f"adds a link to {href}" for href in added.elements()]
    return problems


def _compare_multiset(what: str, source: Iterable[str], target: Iterable[str],
                      show=lambda item: item) -> list[str]:
    dropped = list((Counter(source) - Counter(target)).elements())
    added = list((Counter(target) - Counter(source)).elements())
    if len(dropped) == 1 and len(added) == 1:
        return [f"changes {what} {show(dropped[0])} to {show(added[0])}"]
    return ([f"drops {what} {show(item)}" for item in dropped]
            + [f"adds {what} {show(item)}" for item in added])


def _edges(text: str) -> tuple[str, str]:
    """Leading and trailing blanks (spaces and tabs; line breaks are syntax)."""
    inner = text.strip("\n")
    return inner[: len(inner) - len(inner.lstrip(" \t"))], inner[len(inner.rstrip(" \t")):]


def _count_unescaped_pipes(text: str) -> int:
    return len(re.findall(r"(?<!\\)(?:\\\\)*\|", text))


# `[text][label]`, `[label][]` or `[label]` not followed by `(`: what may be a
# reference link. An inline `[text](url)` needs no definitions.
_MAYBE_REFERENCE = re.compile(r"\](?!\()")


def _may_use_references(*texts: str) -> bool:
    return any("[" in text and _MAYBE_REFERENCE.search(text) for text in texts)


def markdown_problems(msgid: str, msgstr: str, ctx: CatalogContext,
                      kind: str = "") -> list[str]:
    """How the Markdown of a translation differs from its msgid's (empty when it
    keeps every link, image, code span, emphasis and HTML tag). A text the
    pages show as written (`PLAIN_TEXT_KINDS`: a title, a tag) is escaped:
    a `<script>` it keeps is words about HTML, and a leading `1.` no list."""
    plain = bool(kind) and set(kind.split(", ")) <= PLAIN_TEXT_KINDS
    references = ctx.references() if _may_use_references(msgid, msgstr) else None
    source, target = inline_markup(msgid, references), inline_markup(msgstr, references)
    problems = [] if plain else list(target.dangers)
    problems += _compare_links(source.links, target.links, ctx)
    problems += _compare_multiset("the image", source.images, target.images)
    problems += _compare_multiset("the inline code", source.code, target.code,
                                  lambda code: f"`{code}`")
    for token_type, label in _EMPHASIS.items():
        a, b = dict(source.emphasis).get(token_type, 0), dict(target.emphasis).get(token_type, 0)
        if a != b:
            problems.append(f"has {b} {label} where the German has {a} (check the marks "
                            "are paired)")
    problems += _compare_multiset("the HTML tag", source.html, target.html)
    if source.hard_breaks != target.hard_breaks:
        problems.append(f"has {target.hard_breaks} hard line break(s) where the German has "
                        f"{source.hard_breaks}")
    elif msgid.strip("\n").count("\n") != msgstr.strip("\n").count("\n"):
        problems.append(f"has {msgstr.strip(chr(10)).count(chr(10))} line break(s) where the "
                        f"German has {msgid.strip(chr(10)).count(chr(10))}")
    if source.blocks != target.blocks and not problems and not plain:
        problems.append("changes the block structure (it would start a "
                        f"{_block_name(target.blocks)} instead of a "
                        f"{_block_name(source.blocks)}); escape the leading mark with \\")
    if "table" in kind and _count_unescaped_pipes(msgstr) > _count_unescaped_pipes(msgid):
        problems.append("has an unescaped | that would split the table cell; write \\|")
    problems += _whitespace_problems(msgid, msgstr)
    return problems


def _block_name(blocks: tuple[str, ...]) -> str:
    names = {"paragraph": "paragraph", "heading": "heading", "bullet_list": "list",
             "ordered_list": "numbered list", "blockquote": "quote", "fence": "code block",
             "code_block": "code block", "html_block": "HTML block", "hr": "rule",
             "table": "table"}
    return ", ".join(dict.fromkeys(names.get(b, b) for b in blocks
                                   if b not in ("list_item", "tr", "thead", "tbody", "th",
                                                "td"))) or "nothing"


def _whitespace_problems(msgid: str, msgstr: str) -> list[str]:
    problems = []
    (lead_a, trail_a), (lead_b, trail_b) = _edges(msgid), _edges(msgstr)
    for where, a, b in (("leading", lead_a, lead_b), ("trailing", trail_a, trail_b)):
        if a != b:
            problems.append(f"has {where} whitespace {b!r} where the German has {a!r}"
                            if a and b else
                            f"has {where} whitespace {b!r} that the German does not have" if b
                            else f"lacks the German's {where} whitespace {a!r}")
    return problems


# Python's directive grammar (`formats.parse_python_format`): the space flag
# counts, so `100 % de` holds the directive `% d`.
_PLACEHOLDER = re.compile(
    r"%%|%\((?P<named>[^)]+)\)[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d*))?[hlL]?[diouxXeEfFgGcrsa]"
    r"|%[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d*))?[hlL]?[diouxXeEfFgGcrsa]"
    r"|\{\{|\}\}|\{(?P<field>[A-Za-z_][\w.\[\]]*|\d*)(?:![rsa])?(?::[^{}]*)?\}")


def placeholders(text: str) -> Counter[str]:
    """The placeholders of a UI string: `%(name)s`, `%s`, `{name}`, `{}`."""
    found: Counter[str] = Counter()
    for m in _PLACEHOLDER.finditer(text):
        if m.group() in ("%%", "{{", "}}"):
            continue
        found[m.group()] += 1
    return found


def _percent_problem(msgid: str, msgstr: str) -> str | None:
    """Why the build cannot fill in a UI translation: Jinja2's i18n extension
    applies `%` to every UI string (with the template's variables, or none),
    so a translation must be a valid Python %-format string wherever its msgid
    is one, flagged `python-format` or not."""
    try:
        parse_python_format(msgid)
    except FormatError:
        return None  # the template's own string: not the translator's to fix
    try:
        parse_python_format(msgstr)
    except FormatError as exc:
        return (f"is not a valid placeholder string ({exc}): the build fills in every UI "
                "string with Python's %, so write %% for a percent sign")
    return None


def ui_problems(msgid: str, msgstr: str, strict: bool) -> list[str]:
    """How a UI string's translation differs in placeholders and HTML (empty when
    it keeps them). `strict` False allows leaving placeholders out (a plural
    form chosen for one number only, such as "un minuto")."""
    problems = html_dangers(msgstr)
    if _REFUSED_JS_LINK.search(msgstr):
        problems.append("contains a javascript: link")
    source, target = placeholders(msgid), placeholders(msgstr)
    if (broken := _percent_problem(msgid, msgstr)) is not None:
        problems.append(broken)
    elif strict:
        problems += _compare_multiset("the placeholder", source, target)
    else:
        problems += [f"adds the placeholder {p}" for p in sorted(set(target) - set(source))]
    # As the pages keep them (`templates.ui_markup`): a tag with its attributes.
    problems += _compare_multiset("the HTML tag", html_shape(msgid), html_shape(msgstr))
    problems += _whitespace_problems(msgid, msgstr)
    return problems


def _unseen_problems(msgid: str, msgstr: str) -> list[str]:
    """A character of the translation that the pages leave out (a control
    character, often a line break pasted from a word processor): the build
    only warns, so the gate is here."""
    found = unfit_character(msgstr)
    if found is None or unfit_character(msgid) is not None:
        return []  # the German's own is reported where the German is written
    return [f"contains the {describe_unfit(found.group())}, which no reader can see; "
            "the pages leave it out"]


def check_markup(entry: polib.POEntry, ctx: CatalogContext) -> Iterator[Finding]:
    """A finished translation that drops, adds or alters markup of its msgid,
    or that carries script into the page."""
    if entry.obsolete or "fuzzy" in entry.flags:
        return
    for name, source, text in _forms(entry):
        if not is_filled(text, entry.msgid):
            continue  # reported as missing: it is not published
        if ctx.ui and entry.msgctxt in SITE_TEXT_CONTEXTS:
            # Shown as text, never filled in with `%` as the templates' strings
            # are: `100 %` is right as it is, and `%%` would show both signs.
            problems = _whitespace_problems(source, text)
        elif ctx.ui:
            strict = True
            if entry.msgid_plural:
                strict = _often(ctx, name)
                # A form for one number may drop placeholders of either msgid.
                source = entry.msgid_plural if strict else \
                    f"{entry.msgid} {entry.msgid_plural}"
            problems = ui_problems(source, text, strict)
            if checked_formats(entry.flags):
                # msgfmt-style format checks report placeholders as syntax.
                problems = [p for p in problems if "placeholder" not in p]
        elif entry.msgctxt == SLUG_CONTEXT:
            problems = html_dangers(text) + _whitespace_problems(source, text)
        else:
            problems = markdown_problems(source, text, ctx, entry.comment or "")
        problems += _unseen_problems(source, text)
        if problems:
            where = f" ({name})" if entry.msgid_plural else ""
            yield finding("markup", ctx.file, entry.linenum,
                          f"the translation{where} of {quote(entry.msgid)} "
                          + "; ".join(problems))


ENTRY_CHECKS = (check_missing, check_fuzzy, check_markup, check_format, check_obsolete)
"""Every check of one catalog entry, in the order findings are listed."""


def check_catalog(po: polib.POFile, ctx: CatalogContext, text: str = "") -> list[Finding]:
    """Every finding of one parsed catalog (`text` is its source, for header lines)."""
    findings = list(check_header(po, ctx, text))
    for entry in po:
        for check in ENTRY_CHECKS:
            findings.extend(check(entry, ctx))
    return findings


# --- stale ------------------------------------------------------------------------


_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class LayoutDifference:
    """Where a catalog's file first differs from what `update` writes, and why,
    when both hold the same entries."""

    line: int
    """1-based, in the file as it is."""
    cause: str


def layout_difference(data: bytes, planned: str) -> LayoutDifference:
    """How a catalog's bytes (`data`) differ from `planned`, the text `update`
    writes for it, when the entries are the same: a byte order mark or CRLF
    line ends (Poedit on Windows, an editor), a previous msgid (`#|`) kept on
    an entry that is no longer fuzzy (`msgattrib --clear-fuzzy`, some Weblate
    and translate-toolkit versions), strings wrapped otherwise, or else
    another order or other comments, at the first line that differs."""
    causes = []
    if data.startswith(_UTF8_BOM):
        causes.append("starts with a UTF-8 byte order mark (BOM)")
    if b"\r\n" in data:
        causes.append("has CRLF (Windows) line endings")
    text = data.removeprefix(_UTF8_BOM).decode("utf-8", "replace").replace("\r\n", "\n")
    lines, wanted = text.split("\n"), planned.split("\n")
    index = next((i for i, (a, b) in enumerate(zip(lines, wanted, strict=False)) if a != b),
                 min(len(lines), len(wanted)))
    if index < max(len(lines), len(wanted)):
        found = lines[index] if index < len(lines) else ""
        expected = wanted[index] if index < len(wanted) else ""
        if found.startswith("#|") and not expected.startswith("#|"):
            causes.append("keeps a previous msgid (#|) on an entry that is not fuzzy; "
                          "`update` keeps it only while the entry is fuzzy")
        elif (charset := _CHARSET.search(found)) and charset.group(1) != "UTF-8":
            causes.append(f"declares charset={charset.group(1)}, where `update` writes "
                          "charset=UTF-8")
        elif found.startswith('"Content-Type:') and _CHARSET.search(expected):
            causes.append("declares no charset in its Content-Type, where `update` writes "
                          "charset=UTF-8")
        elif _is_string_line(found) and _is_string_line(expected):
            ours, theirs = _string_at(lines, index), _string_at(wanted, index)
            causes.append("wraps a string otherwise (`update` wraps at 79 columns, as "
                          "msgcat does)" if ours == theirs else
                          "writes a character of a string otherwise (an escape such as "
                          "`\\101`, or a raw control character, where `update` writes the "
                          "character or its short escape)")
        else:
            causes.append(f"has {quote(found, 50)} where `update` writes "
                          f"{quote(expected, 50)} (entry order or comments)")
    elif not causes:
        causes.append("differs from what `update` writes")
    first = 1 if data.startswith(_UTF8_BOM) or b"\r\n" in data else index + 1
    return LayoutDifference(min(first, len(lines)), " and ".join(causes))


_CHARSET = re.compile(r'^"Content-Type:.*charset=([^\s;\\"]+)', re.IGNORECASE)


def _string_at(lines: list[str], index: int) -> str:
    """The string whose line `index` is, as written: its keyword's line and
    the continuation lines after it, the quoted parts joined."""
    start = index
    while start > 0 and lines[start].lstrip("#~| ").startswith('"'):
        start -= 1
    parts = []
    for number in range(start, len(lines)):
        line = lines[number].lstrip("#~| ")
        if number > start and not line.startswith('"'):
            break
        # Each quoted part of the line: a line may hold several (`"Bienve" "nida"`).
        parts += _QUOTED.findall(line)
    return "".join(parts)


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _is_string_line(line: str) -> bool:
    """A line that holds a string of an entry: a keyword's or a continuation."""
    return line.lstrip("#~ ").startswith(('"', "msgid ", "msgstr", "msgctxt ", "msgid_plural "))


def check_bom(data: bytes, ctx: CatalogContext) -> Iterator[Finding]:
    """A catalog that starts with a UTF-8 byte order mark. bilingual reads it
    (Windows editors write one), but GNU msgfmt rejects it ("1:2: syntax
    error"), and so would a build step or tool that compiles the catalog with
    gettext: `msgfmt -c` is the contract of every catalog."""
    if data.startswith(_UTF8_BOM):
        yield finding("syntax", ctx.file, 1,
                      "the file starts with a UTF-8 byte order mark (BOM), which msgfmt "
                      "rejects (\"1:2: syntax error\"); save it without one, or run "
                      "`bilingual update`, which leaves it out")


def check_stale(plan: CatalogPlan, current: polib.POFile | None, planned: polib.POFile,
                file: str, source: str, source_exists: bool,
                data: bytes = b"") -> Iterator[Finding]:
    """A catalog that `bilingual update` would change, saying which segments
    came or went (`current` None: the catalog does not exist yet), or, when
    none did, where and why the file (`data`: its bytes) differs."""
    if not plan.changed:
        return
    if current is None:
        count = sum(1 for e in planned if not e.obsolete)
        # Point at the article (a file in the repository); the UI catalog has none.
        yield finding("stale", source if source.endswith(".md") else file, None,
                      f"{source} has no {file} yet ({count} segment(s) to translate); run "
                      "`bilingual update`")
        return
    live_now = {entry_key(e): e for e in current if not e.obsolete}
    live_planned = {entry_key(e): e for e in planned if not e.obsolete}
    new = [e for key, e in live_planned.items() if key not in live_now]
    gone = [e for key, e in live_now.items() if key not in live_planned]
    # The same msgid with another plural: update flags the entry fuzzy.
    replural = [e for key, e in live_now.items()
                if key in live_planned and live_planned[key].msgid_plural != e.msgid_plural]
    line = gone[0].linenum if gone else replural[0].linenum if replural else None
    if not source_exists and not live_planned:
        yield finding("stale", file, line,
                      f"{source} no longer exists; `bilingual update` makes the catalog's "
                      f"{len(gone)} entr{'y' if len(gone) == 1 else 'ies'} obsolete")
        return
    if not new and not gone and not replural:
        now = [e for e in current if not e.obsolete]
        wanted = [entry_key(e) for e in planned if not e.obsolete]
        moved = next((e for e, key in zip(now, wanted, strict=False) if entry_key(e) != key),
                     None)
        if moved is not None:
            # Entries swapped in an editor: the strings are the same, their order is not.
            yield finding("stale", file, moved.linenum,
                          f"has the entries `bilingual update` writes for {source}, but in "
                          f"another order: {quote(moved.msgid, 50)} stands where `update` "
                          f"writes {quote(live_planned[wanted[now.index(moved)]].msgid, 50)} "
                          "(the article's order); run `bilingual update` to rewrite it")
            return
        layout = layout_difference(data, plan.text)
        yield finding("stale", file, layout.line,
                      f"has the entries `bilingual update` writes for {source}, but "
                      f"{layout.cause}; run `bilingual update` to rewrite it")
        return
    if new and not replural and sorted(composed_key(entry_key(e)) for e in new) == sorted(
            composed_key(entry_key(e)) for e in gone):
        # The same texts, their letters composed otherwise: the translator
        # would look for a difference in words that is not there.
        yield finding("stale", file, line,
                      f"{source} writes {len(new)} segment(s) with their letters composed "
                      "otherwise (Unicode NFC, NFD: `ü` or `u` and a combining diaeresis) than "
                      "the catalog; the translations still apply. Run `bilingual update` to "
                      "write them as the article has them")
        return
    named = [f"new {quote(e.msgid, 50)}" for e in new] + \
            [f"vanished {quote(e.msgid, 50)}" for e in gone] + \
            [f"plural changed {quote(e.msgid, 50)}" for e in replural]
    more = f" and {len(named) - LIST_LIMIT} more" if len(named) > LIST_LIMIT else ""
    replurals = f", {len(replural)} with a changed plural" if replural else ""
    # A UI catalog's site title and description come from bilingual.toml.
    from_config = {e.msgctxt in SITE_TEXT_CONTEXTS for e in (*new, *gone, *replural)}
    if from_config == {True}:
        source = CONFIG_NAME
    elif True in from_config:
        source = f"{source} and {CONFIG_NAME}"
    yield finding("stale", file, line,
                  f"{source} changed since the catalog was updated (or a msgid was edited "
                  f"in the catalog, where only msgstr lines are the translator's): "
                  f"{len(new)} new, {len(gone)} vanished segment(s){replurals}: "
                  f"{'; '.join(named[:LIST_LIMIT])}{more}. Run `bilingual update`")


# --- running everything ----------------------------------------------------------------


def error_finding(config: SiteConfig, exc: BilingualError, code: str = "syntax") -> Finding:
    """A `BilingualError` (file, line, message) as a finding."""
    message = exc.format_message()
    if exc.path is not None:
        prefix = f"{location(exc.path, exc.line)}: "
        message = message.removeprefix(prefix)
    file = display_path(config, exc.path) if exc.path is not None else \
        display_path(config, config.config_path)
    return finding(code, file, exc.line, message)


def weigh(findings: Iterable[Finding], policy: CheckPolicy) -> tuple[list[Finding], int]:
    """Findings with the policy's severities; the ignored ones are dropped and counted."""
    kept, ignored = [], 0
    for item in findings:
        severity = policy.severity(item.code)
        if severity is None:
            ignored += 1
        else:
            kept.append(replace(item, severity=severity))
    return kept, ignored


def handwritten_keys(config: SiteConfig, lang: str, docs: Iterable[SourceDoc],
                     source_keys: set[PurePosixPath]) -> tuple[set[PurePosixPath],
                                                              tuple[BilingualError, ...]]:
    """The source articles that have a hand-written translation among `docs`
    (articles written in `lang`), paired as the build pairs them
    (`sources.hand_written`), and the pairings it would refuse."""
    paired = hand_written(config, {lang: docs}, source_keys)
    return {key for _, key in paired.claimed}, paired.errors


def orphaned_catalog(found: Iterable[Finding], po: polib.POFile, ctx: CatalogContext,
                     article: str) -> list[Finding]:
    """`found` for a catalog whose article is gone: once `update` made every
    entry obsolete, one finding for the catalog instead of one per entry (a
    project that deleted seven articles had 61 warnings on every check, and
    none said that the whole file could go)."""
    found = list(found)
    if any(not entry.obsolete for entry in po):
        return found  # `update` has not run since: reported as stale
    kept = sum(1 for entry in po if has_translation(entry))
    return [f for f in found if f.code != "obsolete"] + [finding(
        "obsolete", ctx.file, 1,
        f"{article} is gone, so every entry here is obsolete ({kept} translation(s) kept "
        "for reuse: `update` offers them to new articles, a renamed or moved one "
        "included); delete this catalog once they are of no use")]


def unconfigured_languages(config: SiteConfig) -> list[Finding]:
    """A folder of `locales/` for a language bilingual.toml does not name:
    its catalogs are neither checked nor built, which nothing else says
    (a language removed from `target_languages`, or a folder misnamed)."""
    root = config.root / "locales"
    if not root.is_dir():
        return []
    known = {config.locale_dir(lang).parent.name for lang in config.languages}
    return [finding("obsolete", display_path(config, folder) + "/", None,
                    f"{folder.name} is not a language of bilingual.toml (target_languages), "
                    "so its catalogs are neither checked nor built; add it, or remove the "
                    "folder once its translations are of no use")
            for folder in sorted(root.iterdir())
            if folder.is_dir() and folder.name not in known and folder.name != "templates"
            and not folder.name.startswith(".") and any(folder.rglob("*.po"))]


def _catalog_paths(config: SiteConfig, lang: str) -> list[Path]:
    return files_below(config.locale_dir(lang), ".po")


def _plural_rule(po: polib.POFile) -> PluralRule | None:
    try:
        return parse_plural_forms(po.metadata.get("Plural-Forms", ""))
    except FormatError:
        return None


def _references_of(config: SiteConfig, key: PurePosixPath) -> Callable[[], Mapping[str, dict]]:
    """The link reference definitions of the source article `key`, read
    when first asked for (none when it cannot be read: reported apart)."""
    @cache
    def references() -> Mapping[str, dict]:
        content = config.content_dir(config.source_language)
        try:
            doc = read_source(content / key, content, config.source_language)
        except (BilingualError, OSError):
            return {}
        env: dict = {}
        block_parser().parse(doc.body, env)
        return env.get("references", {})
    return references


def run_checks(config: SiteConfig, langs: Iterable[str] | None = None,
               site: Path | None = None) -> CheckReport:
    """Check every target catalog of `langs` (all targets when None), every
    source article, staleness against `update`'s plan, and `site` when given."""
    langs = tuple(langs) if langs else config.target_languages
    default_policy = config.default_check_policy
    findings: list[Finding] = []
    ignored = 0
    articles = 0
    catalogs = 0

    def add(new: Iterable[Finding], policy: CheckPolicy) -> None:
        nonlocal ignored
        kept, dropped = weigh(new, policy)
        findings.extend(kept)
        ignored += dropped

    # Sources: German articles (front matter) come from update's plan, which reads
    # them all; articles written in a target language are read here.
    try:
        plan = plan_update(replace(config, target_languages=langs))
    except BilingualError as exc:
        if isinstance(exc, ConfigError):
            raise  # a usage error: exit 2, as for every command
        # Still a finding, so that every format reports it (a JSON consumer
        # gets its document); without a plan no catalog can be called stale.
        plan = UpdatePlan(())
        add([error_finding(config, exc)], default_policy)
    articles += plan.articles
    add((error_finding(config, exc) for exc in plan.errors
         if not isinstance(exc, CatalogError) or isinstance(exc, UnmergeableCatalog)),
        default_policy)

    content = config.content_dir(config.source_language)
    try:
        source_keys = {content_key(content, path) for path in article_paths(content)}
    except BilingualError:
        source_keys = set()  # the plan's errors say why
    planned_by_path = {p.path: p for p in plan.catalogs}
    # What the slug rules need of every language: read once, below.
    parsed: dict[str, dict[Path, polib.POFile]] = {}
    written: dict[str, list[SourceDoc]] = {}
    translated: dict[str, set[PurePosixPath]] = {}
    src = config.source_language
    # The source language's UI catalog, when it has one, with every target's.
    every = set(langs) == set(config.target_languages)
    catalog_langs = (src, *langs) if every and src in config.ui_catalog_languages else langs
    for lang in catalog_langs:
        policy = config.check_policy(lang)
        docs = []
        for path in article_paths(config.content_dir(lang)) if lang != src else ():
            articles += 1
            try:
                docs.append(read_source(path, config.content_dir(lang), lang))
            except BilingualError as exc:
                add([error_finding(config, exc)], default_policy)
        handwritten, refused = handwritten_keys(config, lang, docs, source_keys)
        add((error_finding(config, exc) for exc in refused), policy)
        written[lang], translated[lang] = docs, handwritten

        on_disk: dict[Path, polib.POFile] = {}
        parsed[lang] = on_disk
        try:
            catalog_paths = _catalog_paths(config, lang)
        except BilingualError as exc:  # a catalog's name no file may have
            add([error_finding(config, exc)], policy)
            catalog_paths = []
        for path in catalog_paths:
            catalogs += 1
            file = display_path(config, path)
            try:
                data = read_catalog_bytes(path)
                text = decode_catalog(data, path)
                po = parse_catalog(text, path)
            except CatalogError as exc:
                add([error_finding(config, exc)], policy)
                continue
            on_disk[path] = po
            key = PurePosixPath(path.relative_to(config.locale_dir(lang)).as_posix())
            ctx = CatalogContext(file, lang, config.source_language, ui=path.name == UI_CATALOG
                                 and len(key.parts) == 1, plural=_plural_rule(po),
                                 handwritten=key.with_suffix(".md") in handwritten,
                                 references=_references_of(config, key.with_suffix(".md")))
            found = check_catalog(po, ctx, text)
            if not ctx.ui and key.with_suffix(".md") not in source_keys:
                found = orphaned_catalog(found, po, ctx, display_path(
                    config, content / key.with_suffix(".md")))
            add(found, policy)
            add(check_bom(data, ctx), policy)

        for path, catalog_plan in sorted(planned_by_path.items()):
            if not path.is_relative_to(config.locale_dir(lang)):
                continue
            try:
                planned = parse_catalog(catalog_plan.text, path)
            except CatalogError as exc:  # what update would write: never so, but say it
                add([error_finding(config, exc)], policy)
                continue
            source = catalog_plan.source
            # The file's bytes say why it differs when no entry does (rarely read).
            data = path.read_bytes() if catalog_plan.changed and path in on_disk else b""
            add(check_stale(catalog_plan, on_disk.get(path), planned,
                            display_path(config, path), source,
                            (config.root / source).exists(), data), policy)

    if every:
        add(unconfigured_languages(config), default_policy)
    # Like a folder of a language not configured: a file neither checked nor built.
    add((finding("obsolete", file, None, message) for file, message in plan.warnings),
        default_policy)

    # Imported here: it loads the build, which the other checks do not need.
    from bilingual.build import static_files
    from bilingual.slugcheck import check_slugs
    from bilingual.templates import template_files

    for listing in (static_files, template_files):
        try:
            listing(config)  # a file name the build refuses (not UTF-8, a control character)
        except BilingualError as exc:
            add([error_finding(config, exc)], default_policy)

    for slug_finding in check_slugs(config, langs, parsed, written, translated):
        lang = slug_finding.lang
        add([slug_finding.finding], config.check_policy(lang) if lang else default_policy)

    pages = 0
    if site is not None:
        from bilingual.sitecheck import check_site

        site_findings, pages = check_site(site, config.base_url,
                                          lambda p: display_path(config, p))
        add(site_findings, default_policy)

    order = {code: index for index, code in enumerate(CHECK_CODES)}
    # One problem found on two ways (the plan's walk and the catalogs' own) is said once.
    findings = sorted(dict.fromkeys(findings),
                      key=lambda f: (f.file, f.line or 0, order.get(f.code, len(order))))
    return CheckReport(tuple(findings), catalogs, articles, pages, ignored)
