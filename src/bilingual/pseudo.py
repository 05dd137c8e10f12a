"""`bilingual pseudo`: a pseudo-localized site, to see layout problems before
translators start.

Every target language is "translated" by a machine rule instead of a person:
each segment becomes `[Ŵîţĥ àççéñţš ·····]`: letters accented (so missing
glyphs and encoding bugs show), about 30% longer (so tight layouts overflow),
in brackets (so cut-off and concatenated strings show). What must survive
translation is left byte for byte: inline code, link and image targets,
autolinks, raw HTML tags, entities, backslash escapes, URLs and placeholders
(`%(name)s`, `%s`, `{name}`), so `bilingual check` finds nothing to complain
about. Slugs are kept (a bracket is not a URL word).

The real project is never written to: the configuration, content, templates
and static files are copied to a temporary project, its catalogs are made by
`update`'s plan and filled with pseudo-translations there, and the normal
build writes the result to the output folder (default `site-pseudo/`).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path

import polib
from markdown_it.common.utils import normalizeReference

from bilingual.build import BuildSummary, build_site, check_output_folder
from bilingual.catalog import format_catalog, parse_catalog, write_if_changed
from bilingual.config import CONFIG_NAME, SiteConfig, load_config
from bilingual.errors import BilingualError
from bilingual.segment import SLUG_CONTEXT, block_parser
from bilingual.sources import article_paths, read_source
from bilingual.update import plan_update

DEFAULT_OUTPUT = "site-pseudo"
EXPANSION = 0.3
"""How much longer a pseudo-translation is than its source, as German to
Spanish or French often is."""
PAD = "·"
PAD_WORD = 6
"""Padding comes in words of at most this many dots, so lines can still wrap."""

_PLAIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Each accented letter decomposes (NFKD) to its plain one, so a pseudo tag gets
# the same URL slug as the source tag and the tag pages pair up as in real use
# (no Q with a diacritic decomposes to Q, so Q stays plain).
_ACCENTED = "ÅḂÇḊÉḞĜĤÎĴĶĻṀÑÖṖQŔŠŢÛṼŴẊÝŽåḃçḋéḟĝĥîĵķļṁñöṗqŕšţûṽŵẋýž"
_ACCENTS = str.maketrans(_PLAIN, _ACCENTED)

# Spans a translator must keep as they are; everything between them is prose.
_KEEP = re.compile(r"""
      (?P<code>`+)(?:.*?[^`])?(?P=code)(?!`)         # inline code
    | \]\((?:[^()\\\s]|\\.|\([^()]*\))*              # a link or image target ...
      (?:\s+(?P<title>"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)  # ... with its title
    | \]\[[^\]]*\]                                   # a reference label
    | \[(?P<label>[^\[\]`]*[^\[\]`\s][^\[\]`]*)\](?:\[\])?(?![(\[:])  # [shortcut], [collapsed][]
    | <[^<>\s][^<>]*>                                # an HTML tag or autolink
    | &(?:\#[0-9]+|\#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);   # an entity
    | \\.                                            # a backslash escape or hard break
    | (?:https?|ftp)://[^\s<>()\[\]]+                # a bare URL
    | %(?:\([^()]*\))?[-\#0 +]*[0-9*]*(?:\.[0-9*]+)?[hlLqjzt]*[diouxXeEfFgGcrsa%]  # printf
    | \{[^{}\s]*\}                                   # str.format
""", re.VERBOSE | re.DOTALL)


def _accent(text: str, references: Collection[str] = ()) -> str:
    """The prose of `text` accented; protected spans unchanged. `references`
    are the link labels the articles define (`normalizeReference`d)."""
    out = []
    cursor = 0
    for match in _KEEP.finditer(text):
        out.append(text[cursor:match.start()].translate(_ACCENTS))
        label = match.group("label")
        if label and normalizeReference(label) in references:
            # The label must stay as the definition writes it; the text need
            # not: `[Kurzlink]` becomes `[Ķûŕžļîñķ][Kurzlink]`, the same link.
            out.append(f"[{_accent(label, references)}][{label}]")
        elif label:  # words in brackets (`[sic]`), no link: what they hold kept as ever
            out.append(f"[{_accent(label, references)}]{match.group()[len(label) + 2:]}")
        elif match.group("title"):
            # A title is prose (shown on hover, translated), inside a kept target.
            start, end = match.span("title")
            out.append(text[match.start():start] + _accent(text[start:end], references)
                       + text[end:match.end()])
        else:
            out.append(match.group())
        cursor = match.end()
    out.append(text[cursor:].translate(_ACCENTS))
    return "".join(out)


def pseudo_translate(text: str, references: Collection[str] = ()) -> str:
    """`Guten Tag` -> `[Ĝûţéñ Ţåĝ ···]`: accented, bracketed, about 30% longer.

    Leading and trailing blanks and newlines stay outside the brackets (gettext
    requires both ends to match); empty text stays empty. `references`, the
    link labels the articles define, keep their links (`_accent`)."""
    core = text.strip()
    if not core:
        return text
    start = text.index(core[0])
    lead, trail = text[:start], text[start + len(core):]
    count = max(1, math.ceil(len(core) * EXPANSION))
    words = [PAD * min(PAD_WORD, count - i) for i in range(0, count, PAD_WORD)]
    return f"{lead}[{_accent(core, references)} {' '.join(words)}]{trail}"


def pseudo_catalog(catalog: polib.POFile, references: Collection[str] = ()) -> polib.POFile:
    """Every live entry translated by `pseudo_translate` (a slug kept as it is),
    fuzzy flags and previous msgids dropped, obsolete entries left out."""
    entries = [e for e in catalog if not e.obsolete]
    for entry in list(catalog):
        catalog.remove(entry)
    catalog.header = "Pseudo-translation made by `bilingual pseudo`; not a real catalog."
    for entry in entries:
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        if entry.msgctxt == SLUG_CONTEXT:
            entry.msgstr = entry.msgid
        elif entry.msgid_plural:
            entry.msgstr_plural = {
                index: pseudo_translate(entry.msgid if index == 0 else entry.msgid_plural,
                                        references)
                for index in entry.msgstr_plural}
        else:
            entry.msgstr = pseudo_translate(entry.msgid, references)
        catalog.append(entry)
    return catalog


def _reference_labels(config: SiteConfig) -> frozenset[str]:
    """The link labels the source articles define (`[Kurzlink]: https://…`),
    as markdown-it-py keys them; an article that cannot be read defines none
    (the build reports it)."""
    labels: set[str] = set()
    content = config.content_dir(config.source_language)
    for path in article_paths(content):
        try:
            doc = read_source(path, content, config.source_language)
        except BilingualError:
            continue
        env: dict = {}
        block_parser().parse(doc.body, env)
        labels.update(env.get("references", {}))
    return frozenset(labels)


def pseudo_project(config: SiteConfig, target: Path) -> SiteConfig:
    """Copy the project's sources into `target` (an empty folder) and write
    pseudo-translated catalogs for every target language there; returns the
    copy's configuration. The real project is only read."""
    shutil.copyfile(config.config_path, target / CONFIG_NAME)
    for folder in (config.root / "content", config.templates_dir, config.static_dir):
        if folder.is_dir():
            shutil.copytree(folder, target / folder.name, symlinks=False)
    copy = load_config(target)
    # No catalog is copied: update's plan over the copy yields fresh catalogs
    # holding every segment and UI string with the header update would write.
    references = _reference_labels(copy)
    for plan in plan_update(copy).catalogs:
        catalog = pseudo_catalog(parse_catalog(plan.text, plan.path), references)
        write_if_changed(plan.path, format_catalog(catalog))
    return copy


def build_pseudo_site(config: SiteConfig, output: Path, drafts: bool = False) -> BuildSummary:
    """Build the pseudo-localized site of the project into `output`."""
    check_output_folder(config, output)
    with tempfile.TemporaryDirectory(prefix="bilingual-pseudo-") as folder:
        try:
            copy = pseudo_project(config, Path(folder))
            return build_site(copy, drafts=drafts, output=output)
        except BilingualError as exc:
            # Named in the project, as every command names it, not in the copy.
            for copied in {f"{Path(folder).resolve()}{os.sep}", f"{folder}{os.sep}"}:
                exc.message = exc.message.replace(copied, "")
            raise
