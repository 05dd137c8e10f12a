"""Errors shown to users: always `file[:line]: message`, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import click


def location(path: Path | str, line: int | None = None) -> str:
    """Format a `file[:line]` prefix the way compilers and editors expect: a
    file below the working folder (the project's, as commands run there) by
    its path from there, so every command names a file as `check` does."""
    shown = str(path)
    if os.path.isabs(shown):
        here = os.path.join(os.getcwd(), "")
        if shown.startswith(here):
            shown = shown[len(here):]
    return f"{shown}:{line}" if line else shown


class BilingualError(click.ClickException):
    """A command ran and failed; exit code 1."""

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        if path is not None:
            message = f"{location(path, line)}: {message}"
        super().__init__(message)
        self.path = path
        self.line = line

    def show(self, file=None) -> None:  # noqa: D102 - click's hook
        click.echo(f"error: {self.format_message()}", err=True)


class ConfigError(BilingualError):
    """The configuration or the command line is wrong; exit code 2."""

    exit_code = 2


class SourceError(BilingualError):
    """A source article (front matter, Markdown) cannot be read."""


class CatalogError(BilingualError):
    """A catalog cannot be parsed; it is left untouched."""


class FileChangedError(BilingualError):
    """A file changed on disk between being read and being replaced (an editor
    saved it meanwhile); it is left as it is."""

    def __init__(self, path: Path | str, command: str | None = None):
        during = f"while `{command}` ran" if command else "since it was read"
        again = f"; run `{command}` again" if command else ""
        super().__init__(f"changed {during} (saved by an editor?); left as it was saved, "
                         f"without this run's changes{again}", path)
