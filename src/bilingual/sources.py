"""Reading articles: `content/<lang>/**/*.md` -> `SourceDoc`.

Front matter is YAML between `---` lines, loaded with the safe loader only and
a size limit. Walks are sorted so every later stage sees the same order.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import os
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING

import yaml

from bilingual.errors import BilingualError, SourceError

if TYPE_CHECKING:
    from bilingual.config import SiteConfig

MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_NAME_BYTES = 200
"""The longest slug or tag (UTF-8): each names a folder of the site."""
MAX_ARTICLE_BYTES = 8 * 1024 * 1024
DATE_FIELDS = ("date", "updated")
TEXT_FIELDS = ("title", "description", "slug", "translation_of", "author", "image")
FIELDS = (*TEXT_FIELDS, "tags", *DATE_FIELDS, "draft")
"""The front matter fields bilingual reads; other fields are kept for other tools."""


@dataclass(frozen=True, slots=True)
class SourceDoc:
    """One article as read from disk."""

    key: PurePosixPath
    """Path relative to `content/<lang>/`, e.g. `blog/markteintritt.md`: the translation key."""
    lang: str
    path: Path
    """Where the file is, for messages."""
    meta: Mapping[str, object]
    body: str
    """The Markdown after the front matter, newlines normalised to `\\n`."""
    body_line: int
    """1-based line of the file where `body` starts."""
    meta_lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """1-based line of each front matter field, for messages."""

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def date(self) -> dt.date | None:
        value = self.meta.get("date")
        return value if isinstance(value, dt.date) else None

    @property
    def draft(self) -> bool:
        return self.meta.get("draft") is True


_OPENING = re.compile(r"((?:[ \t]*\n)*)---[ \t]*(?:\n|\Z)")
"""The line that opens front matter: `---`, blanks after it allowed, after
blank lines if any (Hugo skips them; an editor or a paste leaves them)."""
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
"""The line that closes it: `---`, or YAML's document end `...`."""
_TOML_OPENING = re.compile(r"((?:[ \t]*\n)*)\+\+\+[ \t]*(?:\n|\Z)")
"""Hugo's TOML front matter, which bilingual does not read."""


_FIELD_LINE = re.compile(r"(?:[ \t]*(?:#.*)?\n)*[^\s#:][^:\n]*:(?:[ \t]|$)", re.MULTILINE)
"""The first line with content is a field (`title: x`), comments aside."""


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split `text` into (front matter YAML or None, body, 1-based body line).
    The YAML keeps a line break for each blank line before the opening `---`,
    so its line N + 2 is the file's line N + 2 whatever came before, as
    every line number of a front matter field is counted."""
    opening = _OPENING.match(text)
    if opening is None:
        return None, text, 1
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        return None, text, 1
    if opening.group(1) and not _FIELD_LINE.match(text, opening.end()):
        # After blank lines, a `---` is front matter only when fields follow:
        # a poem between two rules is Markdown, as it was.
        return None, text, 1
    yaml_text = "\n" * opening.group(1).count("\n") + text[opening.end():closing.start()]
    body = text[closing.end() + 1:]
    body_line = text.count("\n", 0, closing.end()) + 2
    return yaml_text, body, body_line


_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _date_value(value: object, name: str, path: Path, line: int) -> dt.date:
    """A date field's date: `YYYY-MM-DD`, or a time that starts with one
    (`2025-09-15T10:00:00+02:00`, the date where it was written). Only that
    form: `20250915` and `2025-W38-1`, which Python's `fromisoformat` reads,
    are refused as the docs promise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if value is None or (isinstance(value, str) and not text):
        raise SourceError(f"front matter {name!r} is empty; write a date (YYYY-MM-DD), or leave "
                          "the line out for an undated article", path, line)
    found = _DATE.match(text)
    if found is not None:
        try:
            day = dt.date(*map(int, found.groups()))
        except ValueError as exc:
            raise SourceError(f"front matter {name!r} is not a possible date: {found.group()} "
                              f"({exc})", path, line) from None
        if found.end() == len(text):
            return day
        if text[found.end()] in "Tt ":
            try:
                return dt.datetime.fromisoformat(f"{text[:10]}T{text[11:].strip()}").date()
            except ValueError:
                pass
    raise SourceError(f"front matter {name!r} is not a date (YYYY-MM-DD): {value!r}", path, line)


def _field_lines(yaml_text: str, path: Path) -> dict[str, int]:
    """1-based file line of each top-level key (front matter starts on line 2).
    A key written twice is an error: YAML loaders keep the last one silently."""
    lines: dict[str, int] = {}
    for number, line in enumerate(yaml_text.splitlines(), start=2):
        if line and not line[0].isspace() and ":" in line and not line.startswith("#"):
            key = line.split(":", 1)[0].strip().strip("'\"")
            if key in lines:
                raise SourceError(f"front matter field {key!r} appears twice (first on line "
                                  f"{lines[key]})", path, number)
            lines[key] = number
    return lines


_TEXT_LIKE_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                   "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp",
                   "tag:yaml.org,2002:value", "tag:yaml.org,2002:merge"}
_BOOLEAN = re.compile(r"true|True|TRUE|false|False|FALSE")


def _front_matter_schema(loader: type) -> type:
    """`loader` reading plain scalars as front matter wants them: only `true`
    and `false` (any case of them YAML 1.2 allows) are booleans, and numbers
    stay the text written. PyYAML's YAML 1.1 rules turned `title: Off` into
    `False`, `description: 1.10` into `1.1` and made `draft: yes` a draft,
    silently: no field of an article is a number, and `draft` promises
    `true` or `false` only. A date is text too, read by `_date_value` for
    the date fields only (`slug: 2025-09-15` is a slug); `null` is as before.
    `=` and `<<` are text too: YAML 1.1's value and merge keys, which the
    safe loader cannot construct, failed `title: =` with a message about
    tags no author wrote."""
    resolvers = {first: [(tag, pattern) for tag, pattern in found
                         if tag not in _TEXT_LIKE_TAGS]
                 for first, found in loader.yaml_implicit_resolvers.items()}
    for first in "tTfF":
        resolvers.setdefault(first, []).insert(0, ("tag:yaml.org,2002:bool", _BOOLEAN))
    loader.yaml_implicit_resolvers = {first: found for first, found in resolvers.items()
                                      if found}
    return loader


def _unreadable_field(yaml_text: str) -> tuple[str, str, int] | None:
    """(field, value, 1-based file line) of the first top-level one-line field
    that PyYAML cannot load on its own line: where a `ValueError` without a
    position came from."""
    for number, line in enumerate(yaml_text.splitlines(), start=2):
        if not line or line[0].isspace() or line.startswith("#") or ":" not in line:
            continue
        try:
            yaml.load(line, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader
        except (yaml.YAMLError, ValueError):
            name, _, value = line.partition(":")
            return name.strip().strip("'\""), value.strip(), number
    return None


@_front_matter_schema
class _FrontMatterLoader(yaml.SafeLoader):
    """The safe loader without aliases (`*name`): a 400-byte "billion laughs"
    front matter of nested aliases is cheap to load but expands exponentially
    for anything that walks or prints it (repr, caches, templates)."""

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML's hook
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in front matter",
                self.peek_event().start_mark)
        return super().compose_node(parent, index)


@_front_matter_schema
class _FastFrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader with the same schema: ten times faster."""


_FAST_LOADER = _FastFrontMatterLoader if hasattr(yaml, "CSafeLoader") else None
"""libyaml's loader when PyYAML has it: the same data as `_FrontMatterLoader`."""


def _load_yaml(yaml_text: str) -> object:
    """Load with libyaml when it is there and the text has no alias; anything
    else (an alias, an error) goes through `_FrontMatterLoader`, whose errors
    and refusals are the ones users see."""
    if _FAST_LOADER is not None:
        try:
            if not any(isinstance(token, yaml.AliasToken)
                       for token in yaml.scan(yaml_text, Loader=_FAST_LOADER)):
                return yaml.load(yaml_text, Loader=_FAST_LOADER)  # noqa: S506 - a SafeLoader
        except (yaml.YAMLError, ValueError):
            pass
    return yaml.load(yaml_text, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader


def _text_value(value: str | int | float) -> str:
    """A front matter text as the pipeline uses it: without the whitespace
    around it. YAML's block scalars (`description: >`, `title: |`) keep a
    final line break, which would end the msgid with `\\n`, oblige the
    translation to end with one too (msgfmt -c) and land in the page's meta
    description; a quoted `"  Reise "` tag would differ from `Reise`.
    Stripped here, where the fields are read, so catalogs, pages and listings
    all see the same text. A text of nothing a reader sees (control or
    format characters and blanks, `"\\x01"`) is empty: the pages leave those
    characters out, and a title of them was an empty `<h1>`, a tag of them
    an empty link and `<category term="" />`."""
    text = str(value).strip()
    if not text.isprintable() and not any(c.isprintable() and not c.isspace() for c in text):
        return ""
    return text


_UNCLOSED = ("while scanning a quoted scalar", "while parsing a flow")
"""PyYAML's contexts for a quote or bracket left open: the mistake is where
it opens, and YAML only notices lines later (at the end, often)."""


def _yaml_error_place(error: yaml.MarkedYAMLError) -> tuple[int, str]:
    """(1-based file line, message) of a YAML error in front matter (which
    starts on line 2): the line where an unclosed quote or bracket opens,
    else the line of the problem, with the other line in the message."""
    problem = error.problem or str(error)
    found, opened = error.problem_mark, error.context_mark
    if opened is not None and error.context and error.context.startswith(_UNCLOSED):
        where = f" on line {found.line + 2}" if found is not None else ""
        return opened.line + 2, f"{error.context} that starts here: {problem}{where}"
    mark = found or opened
    return (mark.line + 2 if mark is not None else 1), problem


def parse_front_matter(yaml_text: str, path: Path, lines: dict[str, int]) -> dict[str, object]:
    """Safely load front matter, with dates as `datetime.date` and errors as file:line
    (`lines`: each field's line, from `_field_lines`)."""
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise SourceError(f"front matter larger than {MAX_FRONT_MATTER_BYTES} bytes", path, 1)
    try:
        meta = _load_yaml(yaml_text)
    except yaml.MarkedYAMLError as exc:
        line, message = _yaml_error_place(exc)
        raise SourceError(f"front matter is not valid YAML: {message}", path, line) from None
    except (yaml.YAMLError, ValueError) as exc:
        # An error without a position: name the field and its line when one is to blame.
        if (unreadable := _unreadable_field(yaml_text)) is not None:
            name, value, line = unreadable
            raise SourceError(f"front matter {name!r} cannot be read: {value} ({exc})",
                              path, line) from None
        raise SourceError(f"front matter cannot be read: {exc}", path, 2) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise SourceError("front matter must be a mapping of fields (key: value)", path, 2)
    for key in meta:
        if not isinstance(key, str):
            raise SourceError(f"front matter key {key!r} is not a name", path, 2)
    if "<<" in meta:
        # YAML 1.1's merge key is text by the rules above: said, not ignored.
        raise SourceError("front matter: the YAML merge key '<<' is not supported; write "
                          "the fields themselves", path, lines.get("<<", 2))
    for name in DATE_FIELDS:
        if name in meta:
            meta[name] = _date_value(meta[name], name, path, lines.get(name, 2))
    tags = meta.get("tags")
    if tags is not None:
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list) or not all(isinstance(t, str | int | float) for t in tags):
            raise SourceError("front matter 'tags' must be a list of words", path, lines.get("tags", 2))
        meta["tags"] = tuple(_text_value(t) for t in tags)
        long = next((t for t in meta["tags"] if len(t.encode()) > MAX_NAME_BYTES), None)
        if long is not None:
            # Its tag page's folder is named after it: past 255 bytes no file system takes it.
            raise SourceError(f"front matter 'tags' holds a tag of {len(long.encode())} bytes "
                              f"({long[:40]!r}…); {MAX_NAME_BYTES} is the most",
                              path, lines.get("tags", 2))
        if "" in meta["tags"]:
            # It would be a link with no text, a tag page with an empty heading
            # and `<category term="" />` in the feed.
            raise SourceError(f"front matter 'tags' holds an empty tag (entry "
                              f"{meta['tags'].index('') + 1}); give it a name or remove it",
                              path, lines.get("tags", 2))
    if "draft" in meta and not isinstance(meta["draft"], bool):
        # A quoted "false" would otherwise count as true and hide the article.
        raise SourceError(f"front matter 'draft' must be true or false, not {meta['draft']!r}",
                          path, lines.get("draft", 2))
    for name in TEXT_FIELDS:
        if name in meta and not isinstance(meta[name], str | int | float):
            raise SourceError(f"front matter {name!r} must be text", path, lines.get(name, 2))
        if name in meta:
            meta[name] = _text_value(meta[name])
    return meta


_GERMAN_FIELDS = {"titel": "title", "beschreibung": "description", "schlagworte": "tags",
                  "schlagwörter": "tags", "datum": "date", "aktualisiert": "updated",
                  "autor": "author", "bild": "image", "entwurf": "draft"}
"""What the firm's authors may write for a field in their own language."""


def misspelt_fields(doc: SourceDoc) -> tuple[tuple[str, str, int], ...]:
    """(field as written, the field it looks meant to be, 1-based line) for
    each front matter field bilingual does not read but that is close to one
    it does (`titel`, `Tags`, `translation-of`): such a field is ignored, so the
    author would otherwise never learn why the article has no title. Fields
    unlike any (`weight`, `layout`, kept for other tools) are not reported;
    the German names of fields (`beschreibung`, `datum`) are."""
    found = []
    for name in doc.meta:
        if name in FIELDS:
            continue
        written = name.lower().replace("-", "_")
        meant = _GERMAN_FIELDS.get(written) or next(
            iter(difflib.get_close_matches(written, FIELDS, n=1, cutoff=0.75)), None)
        if meant is not None:
            found.append((name, meant, doc.meta_lines.get(name, 2)))
    return tuple(found)


_UTF16_SAMPLE = 4096
"""Bytes `is_utf16` looks at: enough to tell, without reading a whole image."""


def is_utf16(data: bytes) -> bool:
    """Whether `data` looks like UTF-16 text, what Windows Notepad saves as
    "Unicode": a UTF-16 byte order mark, or, without one, a NUL byte beside
    every other byte (text mostly of Latin letters), on one side of each pair
    only. Such a file is text in the wrong encoding, not a binary file, and
    is told so rather than called binary or invalid UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = data[:_UTF16_SAMPLE]
    pairs = len(sample) // 2
    first, second = sample[0:2 * pairs:2].count(0), sample[1:2 * pairs:2].count(0)
    return pairs >= 2 and max(first, second) * 2 >= pairs and min(first, second) * 10 < max(
        first, second)


UTF16_MESSAGE = "UTF-16 text; save it as UTF-8"
"""What a file in UTF-16 is told (`is_utf16`), article or catalog."""


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 text with a BOM dropped and newlines normalised, or a clear error.
    Letters stay as written, composed or not (NFC, NFD): the names of files
    the text links to are written either way too. A segment's catalog entry
    is found whichever way its letters are written (`translate.translate_document`,
    `merge.merge_catalog`)."""
    if is_utf16(data):
        raise SourceError(UTF16_MESSAGE, path, 1)
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes), not a Markdown article", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path, line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


_CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})(?:[ \t]|$)", re.MULTILINE)
"""A line git writes around an unresolved merge conflict (`<<<<<<< HEAD`,
`>>>>>>> branch`). Its `=======` is left out: it is a setext underline too."""


def _refuse_merge_conflict(text: str, first_line: int, path: Path, markdown: bool) -> None:
    """Raise SourceError at the first conflict marker of `text`, whose first
    line is the file's line `first_line`: CommonMark reads the markers as a
    heading and nested quotes, so both sides of the conflict were published
    and sent to translators. In Markdown (`markdown`), a marker in a code
    block or a raw HTML block (`<pre>`) is text a tutorial shows, published
    as written, told by the block parser's tokens."""
    if _CONFLICT_MARKER.search(text) is None:
        return
    code_lines: set[int] = set()
    if markdown:
        # Imported here: segment reads the SourceDocs this module makes.
        from bilingual.segment import block_parser

        for token in block_parser().parse(text):
            if token.type in ("fence", "code_block", "html_block") and token.map is not None:
                code_lines.update(range(*token.map))
    for found in _CONFLICT_MARKER.finditer(text):
        line = text.count("\n", 0, found.start())
        if line not in code_lines:
            raise SourceError(f"unresolved merge conflict (git's {found.group(1)} marker); "
                              "resolve it", path, first_line + line)


def parse_source(text: str, key: PurePosixPath, lang: str, path: Path) -> SourceDoc:
    """Build a SourceDoc from decoded text; pure apart from raising SourceError."""
    yaml_text, body, body_line = split_front_matter(text)
    if yaml_text is not None:
        _refuse_merge_conflict(yaml_text, 2, path, markdown=False)
    _refuse_merge_conflict(body, body_line, path, markdown=True)
    if yaml_text is None and (opening := _OPENING.match(text)) is not None \
            and _CLOSING.search(text, opening.end()) is None:
        raise SourceError("front matter is never closed: no '---' line after the opening one "
                          "(an article that begins with a thematic break needs front matter "
                          "before it)", path, opening.group(1).count("\n") + 1)
    if (toml := _TOML_OPENING.match(text)) is not None:
        # It would be published as a paragraph of its fields, and translated.
        raise SourceError("TOML front matter (+++) is not read; write YAML between --- lines",
                          path, toml.group(1).count("\n") + 1)
    lines = _field_lines(yaml_text, path) if yaml_text is not None else {}
    meta = parse_front_matter(yaml_text, path, lines) if yaml_text is not None else {}
    return SourceDoc(key=key, lang=lang, path=path, meta=MappingProxyType(meta),
                     body=body, body_line=body_line, meta_lines=MappingProxyType(lines))


def relative_posix(base: Path, path: Path) -> str:
    """`path` below `base`, with `/` (ValueError when it is not below): the
    common case without pathlib's parsing, as runs do this for every article."""
    text, folder = str(path), f"{base}{os.sep}"
    if os.sep == "/" and text.startswith(folder):
        return text[len(folder):]
    return path.relative_to(base).as_posix()


def short_name(name: str, limit: int = 100) -> str:
    """`name` cut to at most `limit` bytes of UTF-8, for a temporary file
    beside it: `.<name>.<32 hex digits>.tmp` of a catalog whose name is 233
    bytes long was too long for the file system (255), and the catalog
    could never be written."""
    return os.fsdecode(os.fsencode(name)[:limit])


_TOOL_FILES = {".git", ".hg", ".svn", ".DS_Store", "Thumbs.db", "desktop.ini"}
_SWAP_FILE = re.compile(r"\..*\.sw[a-p]")


def tool_leftover(name: str) -> bool:
    """A name in `static/` or `templates/` that is no file of the project:
    version control folders, the metadata file managers leave (macOS writes
    an AppleDouble `._x` beside each file copied to a foreign disk or
    archive), editors' backups (`x~`, `#x#`), lock (`.#x`) and swap files
    (`.x.swp`). Other
    hidden files count: a static host needs `.htaccess`, `.nojekyll` or
    `.well-known/`, and a template may include `.parts/x.html`."""
    return (name in _TOOL_FILES or name.endswith("~") or name.startswith((".#", "._"))
            or (len(name) > 1 and name.startswith("#") and name.endswith("#"))
            or _SWAP_FILE.fullmatch(name) is not None)


def display_path(config: SiteConfig, path: Path | str) -> str:
    """A path as messages and findings show it: relative to the project root
    where possible, with `/`. A file below the root as written is named
    without asking the file system (runs name thousands, and resolving took
    a third of a millisecond each). Else the path is made absolute and,
    failing that, resolved: a symbolic link is named as written, not as the
    file it leads to, and a root reached through a link of its own still
    names the files inside it."""
    path = Path(path)
    try:
        return relative_posix(config.root, path)
    except ValueError:
        pass
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(config.root)).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def content_key(content_dir: Path, path: Path) -> PurePosixPath:
    """An article's key: its path below its content folder (`blog/x.md`)."""
    return PurePosixPath(relative_posix(content_dir, path))


def content_keys(content_dir: Path, names: Iterable[str]) -> list[str]:
    """`content_key` of each article of `names` (as `article_files` lists
    them below `content_dir`), as text: cut from the name, without pathlib."""
    start = len(str(content_dir)) + len(os.sep)
    return [name[start:].replace(os.sep, "/") for name in names]


def read_source(path: Path, content_dir: Path, lang: str) -> SourceDoc:
    """Read one article from disk."""
    if path.stat().st_size > MAX_ARTICLE_BYTES:
        raise SourceError(f"article larger than {MAX_ARTICLE_BYTES} bytes", path)
    key = content_key(content_dir, path)
    return parse_source(decode_text(path.read_bytes(), path), key, lang, path)


def _walk(folder: Path, suffix: str, skip: tuple[str, ...]) -> list[tuple[str, str]]:
    """(path, kind) of the entries `files_below` lists, kind "file", "link" or
    "other" as the directory listing tells (no `stat` on most file systems)."""
    found: list[tuple[tuple[str, ...], str, str]] = []
    pending: list[tuple[tuple[str, ...], str]] = [((), str(folder))]
    while pending:
        parts, current = pending.pop()
        try:
            scanner = os.scandir(current)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with scanner:
            for entry in scanner:
                if skip and entry.name.startswith(skip):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(((*parts, entry.name), entry.path))
                elif entry.name.endswith(suffix):
                    kind = ("link" if entry.is_symlink() else
                            "file" if entry.is_file(follow_symlinks=False) else "other")
                    found.append(((*parts, entry.name), entry.path, kind))
    return [(path, kind) for _, path, kind in sorted(found)]


def files_below(folder: Path, suffix: str, skip: tuple[str, ...] = ()) -> list[Path]:
    """Files (and links) under `folder` whose name ends in `suffix`, sorted as
    `Path`s sort (part by part); entries whose name starts with one of `skip`
    are left out, folders included; linked folders are not entered, as with
    `Path.rglob`. Walked with `os.scandir`: every run lists thousands. A
    name no project file may have is refused (`refuse_unfit_name`)."""
    return [Path(path) for path in file_names_below(folder, suffix, skip)]


def file_names_below(folder: Path, suffix: str, skip: tuple[str, ...] = ()) -> list[str]:
    """`files_below` as strings, for a run that only joins, compares and
    `stat`s them: a `Path` costs some microseconds to make, and `update`
    listed 10,000 catalogs on every run."""
    paths = []
    for path, _ in _walk(folder, suffix, skip):
        refuse_unfit_name(str(folder), path)
        paths.append(path)
    return paths


_UNFIT_NAME = re.compile("[\x00-\x1f\x7f\x80-\x9f\udc80-\udcff]")
"""What no file name of a project may hold: control characters (C0, DEL,
C1) and the stand-ins Python reads for bytes that are not UTF-8."""


def refuse_unfit_name(folder: str, path: str) -> None:
    """Raise SourceError for a file below `folder` whose name (below it)
    holds what `_UNFIT_NAME` matches: an article's becomes a `#:` line of its
    catalog, split in two; a catalog's or a static file's, a line of the
    build's manifest and part of a URL. Shown with the character escaped."""
    if _UNFIT_NAME.search(path, len(folder)):
        shown = _UNFIT_NAME.sub(lambda found: repr(found.group())[1:-1], path)
        raise SourceError("the file name holds a line break, a control character or a "
                          "byte that is not UTF-8; rename the file", shown)


def article_paths(content_dir: Path) -> Iterator[Path]:
    """Markdown files under `content_dir`, sorted, hidden files and folders
    (`.x`, `_x`) skipped; a symlink that leads outside the content folder is refused."""
    for path in _article_names(content_dir):
        yield Path(path)


def article_files(content_dir: Path,
                  listed: Sequence[tuple[str, str]] | None = None) -> list[str]:
    """`article_paths` as strings, for a run that only joins and `stat`s them:
    `update` made four `Path`s of each of 10,000 articles, a tenth of its time.
    `listed`: what `content_files` found in the folder, when a run has it."""
    return list(_article_names(content_dir, listed))


def content_files(content_dir: Path) -> list[tuple[str, str]]:
    """(path, kind) of each file below a content folder, hidden ones (`.x`,
    `_x`) left out, kind "file", "link" or "other": one walk for both
    `article_files` and `content_name_warnings`, which a run would make twice."""
    return _walk(content_dir, "", (".", "_"))


def _article_names(content_dir: Path,
                   listed: Sequence[tuple[str, str]] | None = None) -> Iterator[str]:
    if not content_dir.is_dir():
        return
    root = content_dir.resolve()
    for name, kind in _walk(content_dir, ".md", (".", "_")) if listed is None else listed:
        if not name.endswith(".md"):
            continue  # listed by `content_files`, which keeps every file
        refuse_unfit_name(str(content_dir), name)
        if kind == "link":
            path = Path(name)
            if not path.resolve().is_relative_to(root):
                raise SourceError("symbolic link leads outside the content folder; refused", path)
            if path.is_file():
                yield name
        elif kind == "file":
            yield name


_MARKDOWN_LIKE = re.compile(r"(.+?)\.(?:md|markdown|mdown|mkdn?|md\.txt)", re.IGNORECASE)
"""Names of Markdown files other editors and tools give (`x.MD`, `x.markdown`,
`x.md.txt` from an editor that adds `.txt`); group 1 is the name before it."""


def _walk_files(folder: Path) -> list[str]:
    """The files and links below `folder`, hidden ones (`.x`, `_x`) left out."""
    return [path for path, kind in _walk(folder, "", (".", "_")) if kind != "other"]


def _files_in(folder: Path, files: Iterable[str]) -> list[str]:
    """Of `files` (in the order `cache.tree_files` walks, which is `_walk`'s),
    those below `folder` and not hidden there (`.x`, `_x`)."""
    prefix = f"{folder}{os.sep}"
    hidden = (f"{os.sep}.", f"{os.sep}_")
    return [path for path in files if path.startswith(prefix)
            and not path.startswith((".", "_"), len(prefix))
            and not any(mark in path[len(prefix):] for mark in hidden)]


_RESERVED_ON_WINDOWS = re.compile(r'[<>:"|?*\\\x00-\x1f]')
_DEVICE_ON_WINDOWS = re.compile(r"(?<![^/])(?:[cC][oO][nN]|[pP][rR][nN]|[aA][uU][xX]"
                                r"|[nN][uU][lL]|(?:[cC][oO][mM]|[lL][pP][tT])\d)[./]")
"""A device name as a file or folder name, with or without a suffix (`aux.md`)."""


def _not_on_windows(relative: str) -> bool:
    """Whether the relative path (`/` between its parts) of an article holds
    a name Windows cannot hold: a character it reserves, a folder ending in a
    dot or space, or a device name. Quick tests first: a build asks it of
    every article."""
    return (_RESERVED_ON_WINDOWS.search(relative) is not None or "./" in relative
            or " /" in relative or _DEVICE_ON_WINDOWS.search(relative) is not None)


def content_name_warnings(config: SiteConfig, files: Iterable[str] | None = None,
                          listed: Mapping[Path, Sequence[tuple[str, str]]] | None = None,
                          ) -> list[tuple[str, str]]:
    """(file as shown, message) for each name in a content folder that builds
    here but not for every author: a file named like Markdown but not `x.md`
    (`Gross.MD`, `x.markdown`), which is no article, and no page, catalog or
    check said so; articles whose names differ only in case or in Unicode
    normalisation (`Bericht.md` and `bericht.md`, `Übersicht.md` typed on a
    Mac), one file on macOS and Windows, where a checkout loses one of them;
    a name a Windows checkout cannot hold (`was?.md`). Hidden files and
    folders are skipped, as `article_paths` skips them. `files`: the paths
    of every file below the content folders, when a walk found them already
    (`cache.TreeState.files`); `listed`: what `content_files` found in some of
    them; else the folders are walked."""
    found = []
    for lang in config.languages:
        folder = config.content_dir(lang)
        start = len(str(folder)) + 1
        spellings: dict[str, list[str]] = {}
        # Each build looks at every article's name: one search in C for most.
        if listed is not None and folder in listed:
            found_here = [path for path, kind in listed[folder] if kind != "other"]
        else:
            found_here = _walk_files(folder) if files is None else _files_in(folder, files)
        for path in found_here:
            if not path.endswith(".md"):
                if (name := _MARKDOWN_LIKE.fullmatch(os.path.basename(path))) is not None:
                    found.append((display_path(config, path), "not read: only .md files are "
                                  f"articles; rename to {name.group(1)}.md"))
                continue
            relative = path[start:].replace(os.sep, "/")
            if _not_on_windows(relative):
                found.append((display_path(config, path), "a name Windows cannot hold (one of "
                              '< > : " | ? * \\, a final dot or space, or a device name such '
                              "as aux): a checkout there fails; rename it"))
            folded = (relative.lower() if relative.isascii()
                      else unicodedata.normalize("NFC", relative).casefold())
            spellings.setdefault(folded, []).append(path)
        for same in spellings.values():
            if len(same) == 1:
                continue
            first = display_path(config, same[0])
            for path in same[1:]:
                shown = display_path(config, path)
                found.append((shown, (
                    f"is the name of {first} with its letters encoded otherwise (NFC, NFD), "
                    "which looks the same: on macOS the two are one file"
                    if unicodedata.normalize("NFC", shown) == unicodedata.normalize("NFC", first)
                    else f"differs from {first} only in case: on macOS and Windows the two "
                    "are one file") + "; rename one"))
    return found


def read_sources(content_dir: Path, lang: str) -> tuple[SourceDoc, ...]:
    """Every article of one language, sorted by key."""
    return tuple(read_source(path, content_dir, lang) for path in article_paths(content_dir))


# ---------------------------------------------------------------------------
# Hand-written translations
# ---------------------------------------------------------------------------

def translation_of(config: SiteConfig, doc: SourceDoc) -> PurePosixPath | None:
    """The source article a hand-written translation names in `translation_of`,
    as a key below `content/<source>/` (`x.md`; `content/de/x.md` is accepted
    too); None without the field. Raises BilingualError at the field's line
    for a value that is no such path."""
    value = doc.meta.get("translation_of")
    if value is None:
        return None
    line = doc.meta_lines.get("translation_of")
    text = str(value).strip().replace("\\", "/")
    prefix = f"content/{config.source_language}/"
    if text.startswith(prefix):
        text = text[len(prefix):]
    normal = posixpath.normpath(text) if text else ""
    if (not text or text.startswith("/") or normal == ".." or normal.startswith("../")
            or not normal.endswith(".md")):
        raise BilingualError(f"translation_of {value!r} must be the path of a "
                             f"{config.source_language} article relative to "
                             f"content/{config.source_language}/, e.g. x.md", doc.path, line)
    return PurePosixPath(normal)


@dataclass(frozen=True, slots=True)
class HandWritten:
    """How the articles written in target languages pair with source articles."""

    claimed: Mapping[tuple[str, PurePosixPath], SourceDoc]
    """(language, source key) -> the hand-written translation of that article."""
    pairs: Mapping[tuple[str, PurePosixPath], PurePosixPath | None]
    """(language, key of a hand-written article) -> the source key it
    translates, None for an article of its own; refused ones are left out."""
    errors: tuple[BilingualError, ...]
    """A `translation_of` that names no path, no article, or one another
    article of the language already translates (the first one wins)."""


def hand_written(config: SiteConfig, originals: Mapping[str, Iterable[SourceDoc]],
                 source_keys: set[PurePosixPath], drafts: bool = False) -> HandWritten:
    """Pair the articles written in each target language (`originals`, by
    language, in order) with the source articles (`source_keys`). `build`
    refuses what `errors` lists, and `check` reports it, so CI learns of it.
    A draft claims its source article only with `drafts`: a hand-written
    version begun as a draft leaves the catalog's version published (it
    had taken a live page offline) until the draft is done."""
    src = config.source_language
    claimed: dict[tuple[str, PurePosixPath], SourceDoc] = {}
    pairs: dict[tuple[str, PurePosixPath], PurePosixPath | None] = {}
    errors: list[BilingualError] = []
    for lang, docs in originals.items():
        for doc in docs:
            line = doc.meta_lines.get("translation_of")
            try:
                key = translation_of(config, doc)
            except BilingualError as exc:
                errors.append(exc)
                continue
            if key is not None and key not in source_keys:
                errors.append(BilingualError(
                    f"translation_of: there is no article content/{src}/{key}", doc.path, line))
                continue
            # A draft is not the article's version but in a build with drafts,
            # whatever the order of the files; there it stands in for the
            # published one it will replace (`serve` builds with drafts).
            claims = key is not None and (drafts or not doc.draft)
            earlier = claimed.get((lang, key)) if claims else None
            if earlier is not None and earlier.draft != doc.draft:
                draft, published = (earlier, doc) if earlier.draft else (doc, earlier)
                claimed[(lang, key)] = draft
                pairs.pop((lang, published.key), None)
                pairs[(lang, draft.key)] = key
                continue
            if earlier is not None:
                errors.append(BilingualError(
                    f"translation_of: {display_path(config, earlier.path)} already is the "
                    f"{lang} version of content/{src}/{key}", doc.path, line))
                continue
            if claims:
                claimed[(lang, key)] = doc
            pairs[(lang, doc.key)] = key
    return HandWritten(MappingProxyType(claimed), MappingProxyType(pairs), tuple(errors))
