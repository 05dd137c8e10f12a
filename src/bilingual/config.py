"""Configuration: `bilingual.toml` -> `SiteConfig`.

Every problem in the file is collected and reported at once, each naming the
file, so a site operator fixes the configuration in one pass (exit code 2).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from bilingual.errors import ConfigError

CONFIG_NAME = "bilingual.toml"
BUILTIN = Path(__file__).parent / "scaffold"
"""The built-in templates and stylesheet: an input of every build too."""

CHECK_CODES = ("missing", "fuzzy", "stale", "markup", "syntax", "obsolete", "site")
"""Finding codes of `bilingual check`; `site` is for `--site DIR` (a built site)."""
DEFAULT_WARNINGS = ("obsolete",)

_SITE_KEYS = {"title", "base_url", "source_language", "target_languages", "description"}
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

    @property
    def languages(self) -> tuple[str, ...]:
        """Source language first, then the targets."""
        return (self.source_language, *self.target_languages)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    def content_dir(self, lang: str) -> Path:
        return self.root / "content" / lang

    def locale_dir(self, lang: str) -> Path:
        return self.root / "locales" / lang / "LC_MESSAGES"

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
        """The Babel locale used for dates and numbers (`de` -> `de_DE`)."""
        return dict(self.locales).get(lang, lang)

    def language_name(self, lang: str) -> str:
        """The language's name in itself (`Deutsch`, `español`)."""
        name = dict(self.language_names).get(lang)
        if name:
            return name
        return Locale.parse(self.babel_locale(lang)).get_display_name(lang) or lang

    def check_policy(self, lang: str) -> CheckPolicy:
        return dict(self.check_policies).get(lang, self.default_check_policy)


def find_config_root(start: Path) -> Path:
    """The directory holding bilingual.toml: `start` itself (no upward search,
    so a command never acts on a project the user did not name)."""
    if not (start / CONFIG_NAME).is_file():
        raise ConfigError(f"no {CONFIG_NAME} here; run `bilingual init DIR` or pass -C DIR", start)
    return start


def load_config(root: Path) -> SiteConfig:
    """Read and validate `root/bilingual.toml`, reporting every problem at once."""
    path = root / CONFIG_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no {CONFIG_NAME} found; run `bilingual init DIR` or pass -C DIR", root) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason})", path) from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error carries the position only in its message.
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found.group(1)) if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"not valid TOML: {reason}", path, line) from None
    return parse_config(raw, root, path)


def _locale_problem(lang: object) -> str | None:
    if not isinstance(lang, str) or not lang:
        return f"language code must be a non-empty string, got {lang!r}"
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return f"unknown locale {lang!r} (Babel does not know it)"
    return None


def parse_config(raw: dict, root: Path, path: Path) -> SiteConfig:
    """Validate the parsed TOML; pure apart from Babel's locale data."""
    problems: list[str] = []
    for key in sorted(set(raw) - _TOP_KEYS):
        problems.append(f"unknown table or key {key!r} (expected one of: {', '.join(sorted(_TOP_KEYS))})")
    site = raw.get("site")
    if not isinstance(site, dict):
        problems.append("missing [site] table")
        site = {}
    for key in sorted(set(site) - _SITE_KEYS):
        problems.append(f"unknown key {key!r} in [site] (expected one of: {', '.join(sorted(_SITE_KEYS))})")

    title = site.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append("[site] title is missing or empty")
        title = ""
    base_url = site.get("base_url")
    if not isinstance(base_url, str) or not base_url:
        problems.append("[site] base_url is missing (absolute URL such as https://www.example.com)")
        base_url = ""
    else:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"[site] base_url {base_url!r} is not an absolute http(s) URL")
    source = site.get("source_language")
    if source is None:
        problems.append("[site] source_language is missing")
    elif problem := _locale_problem(source):
        problems.append(f"[site] source_language: {problem}")
    targets = site.get("target_languages")
    if not isinstance(targets, list) or not targets:
        problems.append("[site] target_languages must be a non-empty list such as [\"es\"]")
        targets = []
    for target in targets:
        if problem := _locale_problem(target):
            problems.append(f"[site] target_languages: {problem}")
        elif target == source:
            problems.append(f"[site] target_languages lists the source language {source!r}")
    if len(set(map(str, targets))) != len(targets):
        problems.append("[site] target_languages lists a language twice")

    languages = raw.get("languages", {})
    locales: list[tuple[str, str]] = []
    names: list[tuple[str, str]] = []
    if not isinstance(languages, dict):
        problems.append("[languages] must be a table of [languages.<code>] tables")
        languages = {}
    for code, table in sorted(languages.items()):
        if code != source and code not in targets:
            problems.append(f"[languages.{code}] is neither the source nor a target language")
        if not isinstance(table, dict):
            problems.append(f"[languages.{code}] must be a table")
            continue
        for key in sorted(set(table) - _LANGUAGE_KEYS):
            problems.append(f"unknown key {key!r} in [languages.{code}] (expected: locale, name)")
        if "locale" in table:
            if problem := _locale_problem(table["locale"]):
                problems.append(f"[languages.{code}] locale: {problem}")
            else:
                locales.append((code, table["locale"]))
        if isinstance(table.get("name"), str):
            names.append((code, table["name"]))

    default_policy, policies = _parse_check(raw.get("check", {}), targets, problems)

    if problems:
        listing = "\n".join(f"{path}: {p}" for p in problems)
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
        check_policies=tuple(policies),
        default_check_policy=default_policy,
    )


def _parse_policy(table: dict, where: str, problems: list[str], base: CheckPolicy) -> CheckPolicy:
    for key in sorted(set(table) - _CHECK_KEYS):
        if not isinstance(table[key], dict):
            problems.append(f"unknown key {key!r} in [{where}] (expected: warnings, ignore)")
    values = {}
    for key in ("warnings", "ignore"):
        codes = table.get(key)
        if codes is None:
            values[key] = getattr(base, key)
            continue
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            problems.append(f"[{where}] {key} must be a list of finding codes")
            values[key] = getattr(base, key)
            continue
        for code in codes:
            if code not in CHECK_CODES:
                problems.append(f"[{where}] {key}: unknown finding code {code!r} "
                                f"(known: {', '.join(CHECK_CODES)})")
        values[key] = frozenset(codes)
    return CheckPolicy(warnings=values["warnings"], ignore=values["ignore"])


def _parse_check(table: object, targets: list, problems: list[str]):
    if not isinstance(table, dict):
        problems.append("[check] must be a table")
        return CheckPolicy(), []
    default = _parse_policy(table, "check", problems, CheckPolicy())
    policies = []
    for key, sub in sorted(table.items()):
        if isinstance(sub, dict):
            if key not in targets:
                problems.append(f"[check.{key}] names a language that is not a target")
            policies.append((key, _parse_policy(sub, f"check.{key}", problems, default)))
    return default, policies
