"""Terminal output of long runs: a progress bar, `--quiet`/`--verbose`, the closing line.

The pipeline functions (`build_site`, `plan_update`) take a `progress` object and
call `start(total, label)`, `advance()` and `finish()` on it; they never ask
whether anyone is watching. The command line decides what that object is:

- `Progress`, a bar on stderr, only when stderr is a terminal, `CI` is not set,
  `TERM` is not `dumb` and `--quiet` was not given;
- `NullProgress` otherwise, so piped output and CI logs hold no bar, no
  carriage returns and no escape sequences.

The bar shows up only after `delay` seconds, so a quick run does not flash one,
is redrawn at most ten times a second, and is erased by `finish`, so the lines
printed after it (warnings, the summary) start on a clean line.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol, TypeVar

import click

if TYPE_CHECKING:
    from bilingual.publish import BuildSummary

BAR_WIDTH = 24
REDRAW_INTERVAL = 0.1
"""Seconds between two redraws: enough for the eye, negligible for the run."""
SHOW_AFTER = 0.3
"""Seconds before a bar appears; runs shorter than this show none."""

T = TypeVar("T")


class ProgressLike(Protocol):
    """What `build_site(progress=...)` and `plan_update(progress=...)` call."""

    def start(self, total: int, label: str) -> None:
        """A new phase of `total` steps (articles, pages, catalogs); ends any earlier one."""

    def advance(self, n: int = 1) -> None:
        """`n` more steps of the current phase are done; safe from worker threads."""

    def finish(self) -> None:
        """The current phase is over; calling it twice, or without `start`, is harmless."""


class NullProgress:
    """Progress nobody watches: every call does nothing."""

    def start(self, total: int, label: str) -> None:
        """Nothing to show."""

    def advance(self, n: int = 1) -> None:
        """Nothing to show."""

    def finish(self) -> None:
        """Nothing to show."""


class Progress:
    """A one-line bar on a terminal: `label [#######-----] done/total`."""

    def __init__(self, stream: IO[str] | None = None, delay: float = SHOW_AFTER,
                 clock=time.monotonic):
        self._stream = stream if stream is not None else sys.stderr
        self._delay = delay
        self._clock = clock
        # Parallel rendering may advance from several threads at once.
        self._lock = threading.Lock()
        self._label = ""
        self._total = 0
        self._done = 0
        self._started = 0.0
        self._drawn_at: float | None = None
        self._active = False
        self._visible = False

    def start(self, total: int, label: str) -> None:
        """A new phase; the bar of an earlier phase is erased first."""
        with self._lock:
            self._erase()
            self._label, self._total, self._done = label, max(0, total), 0
            self._started = self._clock()
            self._drawn_at = None
            self._active = True
            self._draw(force=False)

    def advance(self, n: int = 1) -> None:
        """Count `n` more steps done; redraws when enough time has passed."""
        with self._lock:
            if not self._active:
                return
            self._done = min(self._total, self._done + n) if self._total else self._done + n
            self._draw(force=False)

    def finish(self) -> None:
        """Erase the bar; whatever is printed next starts on an empty line."""
        with self._lock:
            self._erase()
            self._active = False

    def line(self) -> str:
        """The bar as text, without the carriage return (for tests and redraws)."""
        if self._total:
            filled = BAR_WIDTH * self._done // self._total
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            return f"{self._label} [{bar}] {self._done}/{self._total}"
        return f"{self._label} {self._done}"

    def _draw(self, force: bool) -> None:
        now = self._clock()
        if now - self._started < self._delay and not force:
            return
        if self._drawn_at is not None and now - self._drawn_at < REDRAW_INTERVAL and not force:
            return
        # \r and erase-to-end-of-line: the new text replaces the old in place.
        self._stream.write("\r" + self.line() + "\x1b[K")
        self._stream.flush()
        self._drawn_at = now
        self._visible = True

    def _erase(self) -> None:
        if self._visible:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._visible = False


def wants_bar(stream: IO[str], env: Mapping[str, str]) -> bool:
    """A bar only for a person at a terminal: not piped, not in CI, not a dumb terminal."""
    if env.get("CI") or env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or stream-like object
        return False


@dataclass(frozen=True, slots=True)
class Output:
    """How much a command prints: `--quiet` only errors, `--verbose` every file."""

    quiet: bool = False
    verbose: bool = False

    def say(self, text: str) -> None:
        """A normal line on stdout (results, held-back articles, the summary)."""
        if not self.quiet:
            click.echo(text)

    def warn(self, text: str) -> None:
        """A warning on stderr; `--quiet` keeps only errors, so it drops these."""
        if not self.quiet:
            click.echo(f"warning: {text}", err=True)

    def detail(self, text: str) -> None:
        """A line only `--verbose` prints: each file written or left alone."""
        if self.verbose and not self.quiet:
            click.echo(text)

    def progress(self, stream: IO[str] | None = None,
                 env: Mapping[str, str] | None = None) -> Progress | NullProgress:
        """The progress object to hand to the pipeline for this run."""
        stream = stream if stream is not None else sys.stderr
        env = env if env is not None else os.environ
        if self.quiet or not wants_bar(stream, env):
            return NullProgress()
        return Progress(stream)


def elapsed(seconds: float) -> str:
    """`0.42 s`, `12.3 s`, `2 min 5 s`."""
    if seconds < 1:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def build_summary_line(summary: BuildSummary, languages: Iterable[str], articles: int,
                       seconds: float) -> str:
    """The closing line of `bilingual build`: articles, pages and files written (the
    build's own description), held back, time."""
    from bilingual.publish import describe_summary

    held = sum(1 for h in summary.held_back if not h.built_as_draft)
    drafts = len(summary.held_back) - held
    line = (f"{_plural(articles, 'article', 'articles')}; "
            f"{describe_summary(summary, languages)}; {held} held back")
    if drafts:
        line += f", {drafts} built as draft"
    return f"{line}; {elapsed(seconds)}"


def update_summary_line(articles: int, catalogs: int, written: int, errors: int,
                        seconds: float, templates: int | None = None) -> str:
    """The closing line of `bilingual update`: articles, catalogs, written, the
    POT templates written (`--pot`), errors, time."""
    parts = [_plural(articles, "article", "articles"), _plural(catalogs, "catalog", "catalogs"),
             f"{written} written"]
    if templates is not None:
        parts.append(f"{_plural(templates, 'template', 'templates')} written")
    if errors:
        parts.append(f"{errors} error(s)")
    return ", ".join(parts) + f" in {elapsed(seconds)}"

