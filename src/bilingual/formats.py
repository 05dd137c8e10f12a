"""Format strings and plural rules: the parts of `msgfmt -c` that are not syntax.

GNU msgfmt rejects a catalog whose `c-format`, `python-format` or
`python-brace-format` messages use placeholders the translation does not
match, and one whose `Plural-Forms` expression is invalid or yields a form
index of `nplurals` or more. `bilingual check` must say the same without
running msgfmt, so this module re-implements those rules (from gettext's
format-c.c, format-python.c, format-python-brace.c and msgl-check.c):

- A singular message: the translation has exactly the msgid's placeholders,
  each of the same type.
- A plural message: each msgstr[N] is compared with msgid_plural. A form
  chosen for only a few numbers (like Spanish "un minuto" for n = 1) may omit
  placeholders, but never add one; a form chosen often must match exactly.
  Unnamed Python placeholders (`%d`) are a tuple, so their count must always
  match.
- A msgid that is not a valid format string is not checked (msgfmt neither).

All functions are pure.
"""

from __future__ import annotations

import functools
import gettext
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

CHECKED_FORMATS = ("c", "python", "python-brace")
PLURAL_SAMPLE = range(1001)
"""msgfmt evaluates the plural expression for these numbers."""
OFTEN = 5
"""A plural form chosen for more numbers than this (of `PLURAL_SAMPLE`) is
used "often" and must keep every placeholder (msgl-check.c's threshold)."""


class FormatError(ValueError):
    """A string is not a valid format string of its language."""


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """The arguments a format string consumes."""

    named: tuple[tuple[str, str], ...] = ()
    """(name, type) of each named argument, sorted by name."""
    unnamed: tuple[str, ...] = ()
    """Type of each positional argument, in argument order."""


# --- Python %-format -------------------------------------------------------------

_PY_DIRECTIVE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?(?P<flags>[#0\- +]*)(?P<width>\*|\d+)?"
    r"(?:\.(?P<precision>\*|\d*))?(?P<length>[hlL])?(?P<conversion>.?)", re.S)
_PY_TYPES = {**dict.fromkeys("diouxX", "integer"), **dict.fromkeys("eEfFgG", "float"),
             "c": "character", **dict.fromkeys("sra", "string")}


def parse_python_format(text: str) -> FormatSpec:
    """The arguments of a Python %-format string; FormatError when invalid."""
    named: dict[str, str] = {}
    unnamed: list[str] = []
    index = 0
    while (index := text.find("%", index)) != -1:
        m = _PY_DIRECTIVE.match(text, index)
        conversion = m.group("conversion")
        if conversion == "":
            raise FormatError("the string ends in the middle of a directive")
        if conversion == "%" and m.end() - index == 2:
            index = m.end()
            continue
        if conversion not in _PY_TYPES:
            raise FormatError(f"'%{conversion}' is not a valid conversion")
        name = m.group("name")
        for part in ("width", "precision"):
            if m.group(part) == "*":
                if name is not None:
                    raise FormatError("a named directive cannot take its width from '*'")
                unnamed.append("integer")
        kind = _PY_TYPES[conversion]
        if name is not None:
            if named.get(name, kind) != kind:
                raise FormatError(f"argument {name!r} is used with two different types")
            named[name] = kind
        else:
            unnamed.append(kind)
        if named and unnamed:
            raise FormatError("the string mixes named and unnamed directives")
        index = m.end()
    return FormatSpec(tuple(sorted(named.items())), tuple(unnamed))


# --- C printf format -----------------------------------------------------------------

_C_DIRECTIVE = re.compile(
    r"%(?:(?P<position>[1-9]\d*)\$)?(?P<flags>[-+ #0'I]*)"
    r"(?P<width>\*(?:[1-9]\d*\$)?|\d+)?(?:\.(?P<precision>\*(?:[1-9]\d*\$)?|\d*))?"
    r"(?P<length>hh|h|ll|l|L|q|j|z|Z|t)?(?P<conversion>.?)", re.S)
_C_TYPES = {**dict.fromkeys("di", "int"), **dict.fromkeys("ouxX", "unsigned int"),
            **dict.fromkeys("eEfFgGaA", "double"), "c": "char", "C": "wide char",
            "s": "string", "S": "wide string", "p": "pointer", "n": "count pointer"}


def parse_c_format(text: str) -> FormatSpec:
    """The arguments of a C printf format string; FormatError when invalid."""
    arguments: dict[int, str] = {}
    positional: bool | None = None
    next_argument = 1
    index = 0

    def take(position: str | None, kind: str) -> None:
        nonlocal positional, next_argument
        numbered = position is not None
        if positional is None:
            positional = numbered
        elif positional != numbered:
            raise FormatError("the string mixes numbered (%N$) and unnumbered arguments")
        number = int(position) if numbered else next_argument
        next_argument += not numbered
        if arguments.get(number, kind) != kind:
            raise FormatError(f"argument {number} is used with two different types")
        arguments[number] = kind

    while (index := text.find("%", index)) != -1:
        m = _C_DIRECTIVE.match(text, index)
        conversion = m.group("conversion")
        if conversion == "":
            raise FormatError("the string ends in the middle of a directive")
        if conversion == "%" and m.end() - index == 2:
            index = m.end()
            continue
        if conversion == "m":  # glibc: strerror(errno), no argument
            index = m.end()
            continue
        if conversion not in _C_TYPES:
            raise FormatError(f"'%{conversion}' is not a valid conversion")
        for part in ("width", "precision"):
            value = m.group(part)
            if value and value.startswith("*"):
                take(value[1:-1] or None, "int")
        take(m.group("position"), (m.group("length") or "") + " " + _C_TYPES[conversion])
        index = m.end()
    if positional and sorted(arguments) != list(range(1, len(arguments) + 1)):
        missing = min(set(range(1, max(arguments) + 1)) - set(arguments))
        raise FormatError(f"argument {missing} is never used")
    return FormatSpec((), tuple(arguments[n].strip() for n in sorted(arguments)))


# --- Python str.format -------------------------------------------------------------------


def parse_brace_format(text: str) -> FormatSpec:
    """The fields of a Python `str.format` string; FormatError when invalid."""
    # As msgfmt does, a field is named by all of it (`a.b`, `c[0]`), and the
    # automatically numbered `{}` fields all count as one unnamed field.
    names: set[str] = set()
    try:
        pending = [text]
        while pending:
            for _literal, field, spec, _conversion in string.Formatter().parse(pending.pop()):
                if field is None:
                    continue
                names.add(field)
                if spec and "{" in spec:
                    pending.append(spec)
    except ValueError as exc:
        raise FormatError(str(exc)) from None
    return FormatSpec(tuple((name, "any") for name in sorted(names)), ())


PARSERS: dict[str, Callable[[str], FormatSpec]] = {
    "c": parse_c_format, "python": parse_python_format, "python-brace": parse_brace_format,
}


def checked_formats(flags: list[str]) -> tuple[str, ...]:
    """The format languages of an entry that msgfmt -c checks (`c-format`, ...)."""
    return tuple(lang for lang in CHECKED_FORMATS if f"{lang}-format" in flags)


def compare_formats(language: str, msgid: str, msgstr: str, strict: bool,
                    msgid_name: str = "msgid", msgstr_name: str = "msgstr") -> str | None:
    """Why `msgstr` does not fit `msgid` as a format string of `language`, or None.

    `strict` False allows the translation to omit arguments (a plural form used
    for one number only); it may never add one.
    """
    parse = PARSERS[language]
    try:
        source = parse(msgid)
    except FormatError:
        return None
    try:
        target = parse(msgstr)
    except FormatError as exc:
        return f"{msgstr_name} is not a valid {language} format string, unlike {msgid_name}: {exc}"
    if source.unnamed or target.unnamed or language == "c":
        # Python's unnamed arguments are a tuple: every one must be consumed.
        if len(source.unnamed) != len(target.unnamed) and (
                strict or language != "c" or len(target.unnamed) > len(source.unnamed)):
            return (f"{msgid_name} has {len(source.unnamed)} format specification(s), "
                    f"{msgstr_name} has {len(target.unnamed)}")
        for number, (a, b) in enumerate(zip(source.unnamed, target.unnamed, strict=False), 1):
            if a != b:
                return (f"format specification {number} is {a!r} in {msgid_name} but "
                        f"{b!r} in {msgstr_name}")
    wanted, given = dict(source.named), dict(target.named)
    if not source.unnamed and target.unnamed and source.named:
        return f"{msgstr_name} uses unnamed format specifications where {msgid_name} uses names"
    for name in sorted(set(given) - set(wanted)):
        return f"{msgstr_name} uses {_show(language, name)}, which {msgid_name} does not have"
    if strict:
        for name in sorted(set(wanted) - set(given)):
            return f"{msgstr_name} lacks {_show(language, name)} of {msgid_name}"
    for name in sorted(set(wanted) & set(given)):
        if wanted[name] != given[name]:
            return (f"{_show(language, name)} is {wanted[name]!r} in {msgid_name} but "
                    f"{given[name]!r} in {msgstr_name}")
    return None


def _show(language: str, name: str) -> str:
    return f"{{{name}}}" if language == "python-brace" else f"%({name})"


# --- Plural-Forms ----------------------------------------------------------------------

_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")
_PLURAL = re.compile(r"plural\s*=\s*([^;]*)")


@dataclass(frozen=True, slots=True)
class PluralRule:
    """A catalog's `Plural-Forms`, evaluated over `PLURAL_SAMPLE`."""

    nplurals: int
    often: tuple[bool, ...]
    """Per form: chosen for more than `OFTEN` numbers, so it must keep every placeholder."""


@functools.cache
def plural_forms_problem(value: str) -> str | None:
    """Why msgfmt -c rejects a header's Plural-Forms value, or None; a
    template's placeholders (`INTEGER`, `EXPRESSION`) are none. Cached: every
    catalog of a language carries the same value."""
    if "INTEGER" in value or "EXPRESSION" in value:
        return None
    try:
        parse_plural_forms(value)
    except FormatError as exc:
        return str(exc)
    return None


def parse_plural_forms(value: str) -> PluralRule:
    """Parse and evaluate `nplurals=N; plural=EXPR;`; FormatError when msgfmt
    would reject it."""
    m = _NPLURALS.search(value)
    if m is None:
        raise FormatError("Plural-Forms has no nplurals=N")
    nplurals = int(m.group(1))
    if nplurals < 1:
        raise FormatError(f"nplurals = {nplurals} must be at least 1")
    expression = _PLURAL.search(value)
    if expression is None or not expression.group(1).strip():
        raise FormatError("Plural-Forms has no plural=EXPRESSION")
    try:
        function = gettext.c2py(expression.group(1).strip())
        counts = [0] * max(nplurals, 1)
        largest = 0
        for n in PLURAL_SAMPLE:
            form = int(function(n))
            largest = max(largest, form)
            if 0 <= form < nplurals:
                counts[form] += 1
    except (ValueError, ZeroDivisionError, RecursionError, OverflowError) as exc:
        raise FormatError(f"invalid plural expression: {exc}") from None
    if largest >= nplurals:
        raise FormatError(f"nplurals = {nplurals} but the plural expression can produce values "
                          f"as large as {largest}")
    return PluralRule(nplurals, tuple(count > OFTEN for count in counts))
