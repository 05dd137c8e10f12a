"""Configuration: `bilingual.toml` -> `SiteConfig`.

Every problem in the file is collected and reported at once, each naming the
file and the line of the key it concerns, so a site operator fixes the
configuration in one pass (exit code 2).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from babel import Locale, UnknownLocaleError

from bilingual.errors import ConfigError

CONFIG_NAME = "bilingual.toml"
BUILTIN = Path(__file__).parent / "scaffold"
"""The built-in templates and stylesheet: an input of every build too."""

CHECK_CODES = ("missing", "fuzzy", "stale", "markup", "syntax", "obsolete", "site")
"""Finding codes of `bilingual check`; `site` is for `--site DIR` (a built site)."""
DEFAULT_WARNINGS = ("obsolete",)

_SITE_KEYS = {"title", "base_url", "source_language", "target_languages", "description",
              "ui_language"}
_LANGUAGE_KEYS = {"locale", "name"}
_CHECK_KEYS = {"warnings", "ignore"}
_TOP_KEYS = {"site", "languages", "check"}


@dataclass(frozen=True, slots=True)
class CheckPolicy:
    """How `bilingual check` weighs each finding code for one language."""

    warnings: frozenset[str] = frozenset(DEFAULT_WARNINGS)
    ignore: frozenset[str] = frozenset()

    def severity(self, code: str) -> str | None:
        """`error`, `warning`, or None when the code is ignored."""
        if code in self.ignore:
            return None
        return "warning" if code in self.warnings else "error"


@functools.lru_cache(maxsize=64)
def _locale_dir(root: Path, lang: str) -> Path:
    """`SiteConfig.locale_dir`, made once: runs ask for it for every article."""
    return root / "locales" / lang / "LC_MESSAGES"


SCRIPT_MODIFIERS = {"latin": "Latn", "cyrillic": "Cyrl", "devanagari": "Deva", "arabic": "Arab"}
"""gettext's script modifiers (`sr@latin`) and their ISO 15924 codes."""

UI_LANGUAGE = "de"
"""The language of the built-in templates' UI strings."""


def _primary(lang: str) -> str:
    """A language code's language (`de_AT` -> `de`): a German template text
    needs no catalog for Austrian pages."""
    return lang.replace("-", "_").split("_")[0].lower()


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The site project: where things are and which languages it speaks."""

    root: Path
    title: str
    base_url: str
    source_language: str
    target_languages: tuple[str, ...]
    description: str = ""
    locales: tuple[tuple[str, str], ...] = ()
    language_names: tuple[tuple[str, str], ...] = ()
    check_policies: tuple[tuple[str, CheckPolicy], ...] = ()
    default_check_policy: CheckPolicy = field(default_factory=CheckPolicy)
    ui_language: str = UI_LANGUAGE
    """The language the templates' UI strings are written in (`[site]
    ui_language`): German, as the built-in templates are."""

    @property
    def languages(self) -> tuple[str, ...]:
        """Source language first, then the targets."""
        return (self.source_language, *self.target_languages)

    @property
    def ui_catalog_languages(self) -> tuple[str, ...]:
        """The languages with a UI catalog (`_ui.po`): every target, and the
        source language when the templates are written in another one (a
        French site's own pages would show German template texts)."""
        if _primary(self.source_language) == _primary(self.ui_language):
            return self.target_languages
        return (self.source_language, *self.target_languages)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    def content_dir(self, lang: str) -> Path:
        return self.root / "content" / lang

    def locale_dir(self, lang: str) -> Path:
        return _locale_dir(self.root, lang)

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @property
    def output_dir(self) -> Path:
        return self.root / "site"

    def babel_locale(self, lang: str) -> str:
        """The Babel locale used for dates, numbers and names (`de` -> `de_DE`
        when configured so): gettext's script modifier becomes the script
        (`sr@latin` -> `sr_Latn`), which Babel would ignore."""
        configured = dict(self.locales).get(lang)
        if configured is not None:
            return configured
        language, _, modifier = lang.partition("@")
        script = SCRIPT_MODIFIERS.get(modifier)
        return f"{language}_{script}" if script and "_" not in language else lang

    def language_name(self, lang: str) -> str:
        """The language's name in itself (`Deutsch`, `español`)."""
        name = dict(self.language_names).get(lang)
        if name:
            return name
        locale = self.babel_locale(lang)
        return Locale.parse(locale).get_display_name(locale) or lang

    def check_policy(self, lang: str) -> CheckPolicy:
        return dict(self.check_policies).get(lang, self.default_check_policy)


def enclosing_project(folder: Path) -> Path | None:
    """The nearest folder above `folder` (itself excluded) that holds a
    bilingual.toml, for messages and for `init`; None when there is none."""
    for parent in folder.resolve().parents:
        if (parent / CONFIG_NAME).is_file():
            return parent
    return None


def _no_config(folder: Path) -> ConfigError:
    """The error of a command run where there is no bilingual.toml: from a
    project's subfolder it names the project (no command searches upward,
    so none acts on a project the user did not name)."""
    project = enclosing_project(folder)
    if project is not None:
        return ConfigError(f"no {CONFIG_NAME} here; this folder is inside the project "
                           f"{project}: run there, or pass -C {project}", folder)
    return ConfigError(f"no {CONFIG_NAME} found; run `bilingual init DIR` or pass -C DIR",
                       folder)


def find_config_root(start: Path) -> Path:
    """The directory holding bilingual.toml: `start` itself (no upward search,
    so a command never acts on a project the user did not name)."""
    if not (start / CONFIG_NAME).is_file():
        raise _no_config(start)
    return start


def load_config(root: Path) -> SiteConfig:
    """Read and validate `root/bilingual.toml`, reporting every problem at once."""
    path = root / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise _no_config(root) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason})", path) from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error carries the position only in its message.
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found.group(1)) if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"not valid TOML: {reason}", path, line) from None
    return parse_config(raw, root, path, key_lines(text))


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# A number, boolean or date: everything up to what ends a value (a date may hold a space).
_SCALAR = re.compile(r"[^,\]}#\r\n]+")

Keys = tuple[str, ...]
"""A key's path from the document's root: `("languages", "es", "locale")`."""


def key_lines(text: str) -> dict[Keys, int]:
    """The 1-based line of every table and key of a TOML document, by key path.

    `[languages.es]` places ("languages", "es"); `locale = ...` below it places
    ("languages", "es", "locale"). A dotted key, a header or an inline table also
    places the tables it implies; the first mention wins. Quoted keys are unquoted
    as TOML does. tomllib reports no positions, and a line-by-line pattern would take
    a `[` or `=` inside a string, a comment or a multi-line array for a header or a
    key, so this walks the document as TOML reads it and skips whole values. Meant
    for text tomllib has accepted; on anything else it returns what it found so far.
    """
    found: dict[Keys, int] = {}
    table: Keys = ()
    pos = 0
    try:
        while (pos := _skip_blank(text, pos, newlines=True)) < len(text):
            if text[pos] != "[":
                pos = _read_keyval(text, pos, table, found)
                continue
            brackets = 2 if text.startswith("[[", pos) else 1
            line = _line_at(text, pos)
            pos, table = _read_key(text, pos + brackets)
            _place(found, table, line)
            if not text.startswith("]" * brackets, pos):
                break
            pos += brackets
    except (ValueError, IndexError):
        pass  # Not TOML after all: the lines found so far are still right.
    return found


def line_of(lines: dict[Keys, int], keys: Keys) -> int | None:
    """The line of `keys`, or of the nearest table holding them when they are absent
    (a missing key is reported at its table's header); None when nothing is there."""
    for end in range(len(keys), 0, -1):
        if keys[:end] in lines:
            return lines[keys[:end]]
    return None


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _place(found: dict[Keys, int], keys: Keys, line: int) -> None:
    for end in range(1, len(keys) + 1):
        found.setdefault(keys[:end], line)


def _skip_blank(text: str, pos: int, newlines: bool = False) -> int:
    """Past spaces and tabs; with `newlines`, past line breaks and comments too."""
    while pos < len(text):
        char = text[pos]
        if char in " \t" or (newlines and char in "\r\n"):
            pos += 1
        elif newlines and char == "#":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
        else:
            break
    return pos


def _read_key(text: str, pos: int) -> tuple[int, Keys]:
    """A bare, quoted or dotted key at `pos`: the position after it and its parts."""
    parts: list[str] = []
    while True:
        pos = _skip_blank(text, pos)
        if text[pos] in "\"'":
            end = _string_end(text, pos)
            # tomllib unquotes it, escapes included, exactly as it did for the data.
            parts.append(tomllib.loads(f"k = {text[pos:end]}")["k"])
            pos = end
        elif bare := _BARE_KEY.match(text, pos):
            parts.append(bare.group())
            pos = bare.end()
        else:
            raise ValueError(f"no key at offset {pos}")
        pos = _skip_blank(text, pos)
        if not text.startswith(".", pos):
            return pos, tuple(parts)
        pos += 1


def _read_keyval(text: str, pos: int, table: Keys | None, found: dict[Keys, int]) -> int:
    """`key = value` at `pos` under `table` (None: inside an array, not placed)."""
    line = _line_at(text, pos)
    pos, keys = _read_key(text, pos)
    path = None if table is None else table + keys
    if path is not None:
        _place(found, path, line)
    if not text.startswith("=", pos):
        raise ValueError(f"no '=' at offset {pos}")
    return _skip_value(text, _skip_blank(text, pos + 1), path, found)


def _skip_value(text: str, pos: int, path: Keys | None, found: dict[Keys, int]) -> int:
    """The position after the value at `pos`, placing the keys of inline tables."""
    char = text[pos]
    if char in "\"'":
        return _string_end(text, pos)
    if char in "[{":
        close = "]" if char == "[" else "}"
        pos += 1
        while (pos := _skip_blank(text, pos, newlines=True)) < len(text) and text[pos] != close:
            if close == "]":
                # An array's inline tables have no key path of their own.
                pos = _skip_value(text, pos, None, found)
            else:
                pos = _read_keyval(text, pos, path, found)
            pos = _skip_blank(text, pos, newlines=True)
            if text.startswith(",", pos):
                pos += 1
        return pos + 1
    scalar = _SCALAR.match(text, pos)
    if scalar is None:
        raise ValueError(f"no value at offset {pos}")
    return scalar.end()


def _string_end(text: str, pos: int) -> int:
    """The position after the string starting at `pos` (basic or literal, one- or
    multi-line)."""
    quote = text[pos]
    delimiter = quote * 3 if text.startswith(quote * 3, pos) else quote
    pos += len(delimiter)
    while not text.startswith(delimiter, pos):
        if text[pos] == "\\" and quote == '"':
            pos += 1  # An escaped character, a quote among them, does not end it.
        elif text[pos] == "\n" and len(delimiter) == 1:
            raise ValueError("string ends at the line's end")
        pos += 1
    end = pos + len(delimiter)
    if len(delimiter) == 3:
        # Up to two quotes may stand right before a multi-line string's closing three.
        while end < pos + 5 and text.startswith(quote, end):
            end += 1
    return end


_NETLOC = re.compile(r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?")
"""A host name or bracketed IP address and an optional port, with no user or password."""
_NOT_IN_URL_PATH = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9/._~!$&'()*+,;=:@%-]")
"""A character RFC 3986 lets a path hold only percent-encoded, or a `%` that starts no escape."""


def base_url_problem(base_url: str) -> str | None:
    """What keeps `base_url` from standing before every route of the site, or None.

    The absolute URLs (canonical, hreflang, sitemap, feeds) are `base_url` + `/`
    + route, so anything after the folder's path (a query, a fragment, a file
    name) or anything a URL cannot hold as written (a space, a character outside
    ASCII) would end up inside every one of them. Such a URL is refused, naming
    the folder address it likely means, rather than repaired behind the
    operator's back: the configuration then reads as the pages' URLs do.
    """
    try:
        parts = urlsplit(base_url)
    except ValueError as exc:  # an unclosed `[` of an IPv6 host
        return f"is not an absolute http(s) URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "is not an absolute http(s) URL"
    flaw = _base_url_flaw(base_url)
    if flaw is None:
        return None
    expected = _folder_address(base_url)
    return (f"{flaw}; base_url is the address of the folder the site is published at, with no "
            "query, fragment or file name" + (f": {expected!r}" if expected else ""))


def _base_url_flaw(base_url: str) -> str | None:
    """`base_url_problem`'s finding about an absolute http(s) URL, without the remedy."""
    parts = urlsplit(base_url)
    if not parts.netloc.isascii():
        # Its ASCII (xn--) form differs between IDNA 2003 and 2008 (`straße`):
        # only the operator knows which one the domain is registered as.
        return ("has a host outside ASCII; write the host's xn-- name, the form the domain "
                "is registered as")
    if odd := next((c for c in base_url if c.isspace() or not c.isprintable()), None):
        return f"holds {'a space' if odd == ' ' else f'the character U+{ord(odd):04X}'}"
    if not base_url.isascii():
        return "holds characters outside ASCII, which a URL holds percent-encoded"
    if "?" in base_url:
        return f"has a query ({base_url[base_url.index('?'):]!r})"
    if "#" in base_url:
        return f"has a fragment ({base_url[base_url.index('#'):]!r})"
    if "@" in parts.netloc:
        return "names a user or password, which every page would publish"
    netloc = _NETLOC.fullmatch(parts.netloc)
    if netloc is None or int(netloc["port"] or 0) > 65535:
        return f"has no valid host and port ({parts.netloc!r})"
    if odd := _NOT_IN_URL_PATH.search(parts.path):
        if odd.group() == "%":
            return "holds a '%' that starts no %XX escape"
        return f"holds {odd.group()!r}, which a URL path holds only percent-encoded"
    segments = parts.path.split("/")
    if any(segment in (".", "..") for segment in segments):
        return "has a '.' or '..' path segment"
    if PurePosixPath(segments[-1]).suffix:
        return f"ends in a file name ({segments[-1]!r}; end it with '/' if that is a folder)"
    return None


def _folder_address(base_url: str) -> str | None:
    """The folder address a flawed `base_url` likely means: without query,
    fragment or file name, its path percent-encoded; None when that is flawed too."""
    if not base_url.replace(" ", "").isprintable():
        return None  # urlsplit drops tabs and line breaks: a guess would hide where they were.
    parts = urlsplit(base_url)
    path = parts.path
    last = path.rsplit("/", 1)[-1]
    if PurePosixPath(last).suffix:
        path = path[: -len(last)]
    path = quote(path, safe="/%!$&'()*+,;=:@~")
    address = f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}/"
    return address if _base_url_flaw(address) is None else None


def _locale_problem(lang: object) -> str | None:
    if not isinstance(lang, str) or not lang:
        return f"language code must be a non-empty string, got {lang!r}"
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        underscored = lang.replace("-", "_")
        if underscored != lang and _locale_problem(underscored) is None:
            # `pt-BR`, the web's form: codes name folders and catalogs as gettext does.
            return (f"write {underscored!r}, the code as gettext and Babel write it, for "
                    f"{lang!r} (the pages get the tag {lang!r})")
        return f"unknown locale {lang!r} (Babel does not know it)"
    return None


def parse_config(raw: dict, root: Path, path: Path, lines: dict[Keys, int] | None = None) -> SiteConfig:
    """Validate the parsed TOML; pure apart from Babel's locale data.

    `lines` (from `key_lines`) places each problem at the line of the key it
    concerns; without it the problems name the file only.
    """
    # Each problem: the key path it concerns, and what is wrong.
    problems: list[tuple[Keys, str]] = []
    for key in sorted(set(raw) - _TOP_KEYS):
        problems.append(((key,), f"unknown table or key {key!r} "
                                 f"(expected one of: {', '.join(sorted(_TOP_KEYS))})"))
    site = raw.get("site")
    if not isinstance(site, dict):
        problems.append((("site",), "missing [site] table"))
        site = {}
    for key in sorted(set(site) - _SITE_KEYS):
        problems.append((("site", key), f"unknown key {key!r} in [site] "
                                        f"(expected one of: {', '.join(sorted(_SITE_KEYS))})"))

    title = site.get("title")
    if title is not None and not isinstance(title, str):
        problems.append((("site", "title"), f"[site] title must be text in quotes, not {title!r}"))
        title = ""
    elif not isinstance(title, str) or not title.strip():
        problems.append((("site", "title"), "[site] title is missing or empty"))
        title = ""
    base_url = site.get("base_url")
    if base_url is not None and not isinstance(base_url, str):
        problems.append((("site", "base_url"), f"[site] base_url must be text in quotes (an "
                                               f"absolute URL), not {base_url!r}"))
        base_url = ""
    elif not isinstance(base_url, str) or not base_url:
        problems.append((("site", "base_url"),
                         "[site] base_url is missing (absolute URL such as https://www.example.com)"))
        base_url = ""
    elif problem := base_url_problem(base_url):
        problems.append((("site", "base_url"), f"[site] base_url {base_url!r} {problem}"))
    source = site.get("source_language")
    if source is None:
        problems.append((("site", "source_language"), "[site] source_language is missing"))
    elif problem := _locale_problem(source):
        problems.append((("site", "source_language"), f"[site] source_language: {problem}"))
    targets = site.get("target_languages")
    target_keys = ("site", "target_languages")
    if not isinstance(targets, list) or not targets:
        problems.append((target_keys, "[site] target_languages must be a non-empty list such as [\"es\"]"))
        targets = []
    for target in targets:
        if problem := _locale_problem(target):
            problems.append((target_keys, f"[site] target_languages: {problem}"))
        elif str(target).lower() == str(source).lower():
            # `DE` beside `de` would be a second German site with its own hreflang.
            problems.append((target_keys, f"[site] target_languages lists the source language {source!r}"
                                          + (f" (as {target!r})" if target != source else "")))
    if len({str(target).lower() for target in targets}) != len(targets):
        problems.append((target_keys, "[site] target_languages lists a language twice (codes "
                                      "that differ only in case, `es` and `ES`, are one language)"))

    ui_language = site.get("ui_language", UI_LANGUAGE)
    if (problem := _locale_problem(ui_language)) is not None:
        problems.append((("site", "ui_language"), f"[site] ui_language (the language the "
                                                  f"templates' texts are written in): {problem}"))
        ui_language = UI_LANGUAGE

    languages = raw.get("languages", {})
    locales: list[tuple[str, str]] = []
    names: list[tuple[str, str]] = []
    if not isinstance(languages, dict):
        problems.append((("languages",), "[languages] must be a table of [languages.<code>] tables"))
        languages = {}
    for code, table in sorted(languages.items()):
        where = ("languages", code)
        if code != source and code not in targets:
            problems.append((where, f"[languages.{code}] is neither the source nor a target language"))
        if not isinstance(table, dict):
            problems.append((where, f"[languages.{code}] must be a table"))
            continue
        for key in sorted(set(table) - _LANGUAGE_KEYS):
            problems.append(((*where, key),
                             f"unknown key {key!r} in [languages.{code}] (expected: locale, name)"))
        if "locale" in table:
            if problem := _locale_problem(table["locale"]):
                problems.append(((*where, "locale"), f"[languages.{code}] locale: {problem}"))
            else:
                locales.append((code, table["locale"]))
        if "name" in table:
            name = table["name"]
            if not isinstance(name, str) or not name.strip():
                problems.append(((*where, "name"), f"[languages.{code}] name must be the "
                                 f"language's name in quotes (\"Español\"), not {name!r}"))
            else:
                names.append((code, name))

    default_policy, policies = _parse_check(raw.get("check", {}), targets, problems)

    if problems:
        # One ConfigError per problem gives each the `file:line: message` form.
        listing = "\n".join(ConfigError(message, path, line_of(lines or {}, keys)).format_message()
                             for keys, message in problems)
        raise ConfigError(f"{len(problems)} problem(s) in the configuration:\n{listing}")
    return SiteConfig(
        root=root,
        title=title,
        base_url=base_url.rstrip("/"),
        source_language=source,
        target_languages=tuple(targets),
        description=str(site.get("description", "")),
        locales=tuple(locales),
        language_names=tuple(names),
        ui_language=ui_language,
        check_policies=tuple(policies),
        default_check_policy=default_policy,
    )


def _parse_policy(table: dict, where: Keys, problems: list[tuple[Keys, str]],
                  base: CheckPolicy) -> CheckPolicy:
    name = ".".join(where)
    for key in sorted(set(table) - _CHECK_KEYS):
        if not isinstance(table[key], dict):
            problems.append(((*where, key), f"unknown key {key!r} in [{name}] (expected: warnings, ignore)"))
    values = {}
    for key in ("warnings", "ignore"):
        codes = table.get(key)
        if codes is None:
            values[key] = getattr(base, key)
            continue
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            problems.append(((*where, key), f"[{name}] {key} must be a list of finding codes"))
            values[key] = getattr(base, key)
            continue
        for code in codes:
            if code not in CHECK_CODES:
                problems.append(((*where, key), f"[{name}] {key}: unknown finding code {code!r} "
                                                f"(known: {', '.join(CHECK_CODES)})"))
        values[key] = frozenset(codes)
    return CheckPolicy(warnings=values["warnings"], ignore=values["ignore"])


def _parse_check(table: object, targets: list, problems: list[tuple[Keys, str]]):
    if not isinstance(table, dict):
        problems.append((("check",), "[check] must be a table"))
        return CheckPolicy(), []
    default = _parse_policy(table, ("check",), problems, CheckPolicy())
    policies = []
    for key, sub in sorted(table.items()):
        if isinstance(sub, dict):
            if key not in targets:
                problems.append((("check", key), f"[check.{key}] names a language that is not a target"))
            policies.append((key, _parse_policy(sub, ("check", key), problems, default)))
    return default, policies
