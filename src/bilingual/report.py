"""Reports of `bilingual check`: findings -> text, JSON or GitHub annotations.

Pure functions from a `CheckReport` to the text to print; the command decides
where it goes and whether colours are wanted. The JSON field names are stable
and documented in docs/check.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from itertools import groupby

import click

from bilingual.checks import CheckReport, Finding
from bilingual.errors import location

FORMATS = ("text", "json", "github")
_COLOURS = {"error": "red", "warning": "yellow"}


def use_color(fmt: str, is_terminal: bool, environ: Mapping[str, str]) -> bool:
    """Colours only for the text format on a terminal that shows them: never
    when NO_COLOR is set to anything but the empty string (https://no-color.org),
    nor for `TERM=dumb` (Emacs' compilation buffer), as git and GCC do."""
    return (fmt == "text" and is_terminal and not environ.get("NO_COLOR")
            and environ.get("TERM") != "dumb")


def summary_line(report: CheckReport) -> str:
    """`2 errors, 1 warning in 3 catalogs and 2 articles` (plus pages, ignored)."""
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    checked = [count(report.catalogs, "catalog"), count(report.articles, "article")]
    if report.pages:
        checked.append(count(report.pages, "page"))
    line = (f"{count(report.errors, 'error')}, {count(report.warnings, 'warning')} in "
            f"{', '.join(checked[:-1])} and {checked[-1]}")
    if report.ignored:
        line += f" ({report.ignored} ignored by the policy)"
    return line


def format_text(report: CheckReport, color: bool = False) -> str:
    """Compiler-style lines `file:line: severity: message [code]`, grouped by
    file (a blank line between files), then a summary line."""
    def style(text: str, **kwargs) -> str:
        return click.style(text, **kwargs) if color else text

    blocks = []
    for _file, group in groupby(report.findings, key=lambda f: f.file):
        lines = []
        for item in group:
            where = style(location(item.file, item.line) + ":", bold=True)
            severity = style(item.severity + ":", fg=_COLOURS.get(item.severity), bold=True)
            code = style(f"[{item.code}]", dim=True)
            lines.append(f"{where} {severity} {item.message} {code}")
        blocks.append("\n".join(lines))
    verdict = summary_line(report)
    if report.errors:
        verdict = style(verdict, fg="red", bold=True)
    elif report.warnings:
        verdict = style(verdict, fg="yellow")
    else:
        verdict = style(verdict, fg="green")
    return "\n\n".join([*blocks, verdict]) + "\n"


def finding_dict(item: Finding) -> dict[str, object]:
    """One finding as JSON: severity, code, file, line, message."""
    return {"severity": item.severity, "code": item.code, "file": item.file,
            "line": item.line, "message": item.message}


def format_json(report: CheckReport) -> str:
    """`{"findings": [...], "summary": {...}}` (docs/check.md)."""
    document = {"findings": [finding_dict(f) for f in report.findings],
                "summary": report.summary()}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def escape_data(text: str) -> str:
    """Escape a workflow command's message as GitHub's runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (`file=`, `line=`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: CheckReport) -> str:
    """One `::error file=F,line=L::message` (or `::warning`) line per finding,
    then the summary as a plain log line."""
    lines = []
    for item in report.findings:
        properties = f"file={escape_property(item.file)}"
        if item.line:
            properties += f",line={item.line}"
        lines.append(f"::{item.severity} {properties}::"
                     f"{escape_data(f'{item.message} [{item.code}]')}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render(report: CheckReport, fmt: str, color: bool = False) -> str:
    """The report in one of `FORMATS`."""
    if fmt == "json":
        return format_json(report)
    if fmt == "github":
        return format_github(report)
    return format_text(report, color)
