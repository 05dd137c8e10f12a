"""`bilingual serve`: a live preview for authors and translators.

Builds the site with drafts into `.bilingual-serve/` in the project (its own
folder, so `site/` keeps what `bilingual build` made for publishing, and kept
between runs, so the incremental build starts warm), serves it on 127.0.0.1
and watches `content/`, `locales/`, `templates/`, `static/` and
`bilingual.toml`.

- Watching polls modification times and sizes every 0.3 s: no dependency,
  works the same on every file system (network and container mounts where
  inotify stays silent), and sees an editor's save-by-rename as a change.
  A few hundred files cost well under a millisecond a round.
- A change rebuilds (the build decides what it really has to redo). A failed
  build (configuration, front matter, catalog, anything `build_site` raises)
  leaves the last good build in place: the error is printed and shown as a
  banner on every page served, until a later build succeeds.
- Every HTML response gets a small script (added while serving, never written
  to the built files) that polls `/__bilingual/version` and reloads the page
  when the token there changes: after a build that changed files, and when an
  error appears or goes away.
- SIGINT (Ctrl-C) and SIGTERM stop the server and exit 0 with one line; a
  second Ctrl-C interrupts a build that is still running.
"""

from __future__ import annotations

import html
import json
import mimetypes
import os
import secrets
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click

from bilingual.build import BuildSummary, build_site
from bilingual.config import CONFIG_NAME, load_config
from bilingual.errors import BilingualError
from bilingual.lock import serve_lock
from bilingual.parallel import thaw_heap
from bilingual.progress import Output, elapsed
from bilingual.publish import MANIFEST
from bilingual.site import url_base_path
from bilingual.sources import tool_leftover

SERVE_FOLDER = ".bilingual-serve"
"""The preview's output folder, inside the project (ignored by git, see `init`)."""
WATCHED_FOLDERS = ("content", "locales", "templates", "static")
HOST = "127.0.0.1"
POLL_INTERVAL = 0.3
"""Seconds between two looks at the watched files."""
SETTLE = 0.1
"""An editor may save in several steps; wait until two looks agree before building."""
VERSION_PATH = "/__bilingual/version"

CONTENT_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".xml": "application/xml", ".txt": "text/plain", ".json": "application/json",
    ".svg": "image/svg+xml", ".webp": "image/webp", ".woff": "font/woff", ".woff2": "font/woff2",
}
"""Fixed here because `mimetypes` reads the machine's own tables, which differ."""
TEXT_TYPES = ("text/", "application/xml", "application/json", "image/svg+xml")
"""Types sent with `charset=utf-8`: the build writes every text file in UTF-8."""

Snapshot = Mapping[str, tuple[int, int]]


# ---------------------------------------------------------------------------
# Watching
# ---------------------------------------------------------------------------

_SOURCE_SUFFIXES = {"content": ".md", "locales": ".po"}
"""The files the build reads in each folder of sources; anything else there
(an editor's backup or swap file, a `.pot`) is no change."""


def _skipped_article(name: str) -> bool:
    """A file or folder of `content/` the build does not read."""
    return name.startswith((".", "_"))


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Path (relative to `root`) -> (mtime in ns, size) of every watched file."""
    found: dict[str, tuple[int, int]] = {}
    paths: list[Path] = [root / CONFIG_NAME]
    for folder in WATCHED_FOLDERS:
        # As the build reads them: an article in `entwurf.tmp/` is one, and a
        # hidden file of static/ (`.htaccess`) or templates/ (`.parts/x.html`) counts.
        suffix = _SOURCE_SUFFIXES.get(folder)
        for directory, subdirs, files in os.walk(root / folder):
            if suffix is None:
                subdirs[:] = sorted(d for d in subdirs if not tool_leftover(d))
                paths += (Path(directory) / name for name in sorted(files)
                          if not tool_leftover(name))
            elif folder == "content":
                subdirs[:] = sorted(d for d in subdirs if not _skipped_article(d))
                paths += (Path(directory) / name for name in sorted(files)
                          if name.endswith(suffix) and not _skipped_article(name))
            else:  # every catalog: `_ui.po` too
                subdirs[:] = sorted(subdirs)
                paths += (Path(directory) / name for name in sorted(files)
                          if name.endswith(suffix))
    for path in paths:
        try:
            stat = path.stat()
        except OSError:  # removed between the walk and the stat: the next look sees it
            continue
        found[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed_files(before: Snapshot, after: Snapshot) -> list[str]:
    """Files added, removed or modified between two snapshots, sorted."""
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


# ---------------------------------------------------------------------------
# The state the server shows
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Shown:
    """What pages served now carry: the reload token and the current error, if any."""

    generation: int
    token: str
    error: str | None


class PreviewState:
    """The build generation and the last error, shared by the builder and the server threads."""

    def __init__(self, site: Path | None = None) -> None:
        # A fresh id per process: a page left open across a restart reloads too.
        self._run = secrets.token_hex(4)
        self._generation = 0
        self._error: str | None = None
        self._site = site
        """The folder served, when known: see `shown`."""
        self._error_site: int | None = None
        self._base_path = ""
        self._lock = threading.Lock()

    def shown(self) -> Shown:
        """A consistent copy for one response. An error is not shown on a site
        swapped in since it was reported: a build has succeeded, and `built`
        (which clears it) only runs once that build has finished."""
        with self._lock:
            error = self._error
            if error is not None and self._site is not None \
                    and _folder_version(self._site) != self._error_site:
                error = None
            return Shown(self._generation, f"{self._run}-{self._generation}", error)

    def failing(self) -> bool:
        """True when the last build failed (whatever `shown` shows meanwhile)."""
        with self._lock:
            return self._error is not None

    def base_path(self) -> str:
        """The path of the site's `base_url` as last built (`/blog`), or ``."""
        with self._lock:
            return self._base_path

    def built(self, changed: bool, base_path: str = "") -> bool:
        """A build succeeded (for a site whose `base_url` has the path
        `base_path`); returns whether pages should reload (files changed or
        an error went away)."""
        with self._lock:
            reload = changed or self._error is not None
            self._error = None
            self._base_path = base_path
            if reload:
                self._generation += 1
            return reload

    def failed(self, message: str) -> None:
        """A build failed: pages show `message` from now on."""
        with self._lock:
            if message != self._error:
                self._error = message
                self._generation += 1
            self._error_site = _folder_version(self._site) if self._site is not None else None


def _folder_version(folder: Path) -> int | None:
    """Which folder is at `folder` now: `build` swaps in a new one (a new inode)."""
    try:
        return os.stat(folder).st_ino
    except OSError:
        return None


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------

def describe_error(exc: BaseException, debug: bool = False) -> str:
    """An error as the command line shows it: `file[:line]: message`."""
    if isinstance(exc, BilingualError):
        return exc.format_message()
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    text = f"unexpected {type(exc).__name__}: {exc}"
    if debug:
        text += "\n" + "".join(traceback.format_exception(exc)).rstrip()
    return text


def preview_build(root: Path, output: Path) -> BuildSummary:
    """One build of the preview: configuration read anew (it may have changed), drafts in."""
    try:
        return build_site(load_config(root), drafts=True, output=output)
    finally:
        thaw_heap()  # what the build froze is garbage now


def _base_path(root: Path) -> str:
    """The path of the project's `base_url` (`/blog`), or `` (also when the
    configuration can no longer be read: the next build reports that)."""
    try:
        return url_base_path(load_config(root).base_url)
    except BilingualError:
        return ""


class Builder:
    """Runs builds and tells the state and the terminal how each went."""

    def __init__(self, root: Path, output: Path, state: PreviewState, out: Output,
                 debug: bool = False, build: Callable[[Path, Path], BuildSummary] = preview_build):
        self.root = root
        self.output = output
        self.state = state
        self.out = out
        self.debug = debug
        self._build = build
        self.building = False
        """True while a build runs (a stop then waits for it)."""
        self._warned: set[str] = set()
        """The warnings of the last build that succeeded, already shown."""

    def run(self, changed: Iterable[str] = ()) -> bool:
        """Build once; True when it succeeded."""
        changed = list(changed)
        started = time.monotonic()
        self.building = True
        try:
            summary = self._build(self.root, self.output)
        except Exception as exc:  # noqa: BLE001 - a preview keeps running whatever failed
            message = describe_error(exc, self.debug)
            self.state.failed(message)
            click.echo(f"error: {message}", err=True)
            click.echo("serving the last good build; save a fix to rebuild"
                       if (self.output / MANIFEST).is_file()
                       else "nothing built yet; save a fix to build", err=True)
            return False
        finally:
            self.building = False
        written, removed = summary.written, summary.removed
        recovered = self.state.failing()
        self.state.built(bool(written or removed), _base_path(self.root))
        cause = ""
        if changed:
            cause = f" ({', '.join(changed[:3])}{', ...' if len(changed) > 3 else ''} changed)"
        self.out.say(f"{'fixed; ' if recovered else ''}built: {len(written)} written, "
                     f"{len(removed)} removed in {elapsed(time.monotonic() - started)}{cause}")
        for name in written:
            self.out.detail(f"wrote {name}")
        for name in removed:
            self.out.detail(f"removed {name}")
        # Each warning once, when it appears: every build lists the site's all.
        for warning in summary.warnings:
            if warning not in self._warned:
                click.echo(f"warning: {warning}", err=True)
        self._warned = set(summary.warnings)
        return True


# ---------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------

def content_type(name: str) -> str:
    """The Content-Type header for a file name."""
    suffix = Path(name).suffix.lower()
    kind = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(TEXT_TYPES) else kind


def resolve(output: Path, url_path: str) -> tuple[Path | None, bool]:
    """The file a URL path names in `output`, and whether the URL needs a trailing
    slash first (a folder: redirect, as static hosts do, so relative links work).
    Hidden files and anything outside `output` are not served."""
    parts = [p for p in unquote(url_path).split("/") if p]
    if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        return None, False
    target = output.joinpath(*parts)
    if target.is_dir():
        if not url_path.endswith("/"):
            return None, True
        target = target / "index.html"
    if not target.is_file() or not target.resolve().is_relative_to(output.resolve()):
        return None, False
    return target, False


def inside_site(url_path: str, base_path: str) -> str | None:
    """`url_path` without the site's base path (`/blog/de/` -> `/de/` for
    `base_url = "https://host/blog/"`), `/` for the base path itself, None
    when it is not below it. The preview serves the site at `/`, where its
    relative links work, and under the base path too, where the links that
    must be rooted (those of the 404 pages) point."""
    if not base_path or not url_path.startswith(base_path):
        return None
    rest = url_path[len(base_path):]
    if rest == "":
        return "/"
    return rest if rest.startswith("/") else None


def not_found_page(output: Path, url_path: str) -> Path | None:
    """The language's 404 page for a URL under a language folder, else the site's."""
    parts = [p for p in unquote(url_path).split("/") if p]
    candidates = [output / parts[0] / "404.html"] if parts and not parts[0].startswith(".") else []
    candidates.append(output / "404.html")
    return next((c for c in candidates if c.is_file()), None)


def reload_script(token: str) -> str:
    """Polls the version endpoint and reloads when the token differs from the page's."""
    return ("<script>/* bilingual serve: reload on rebuild */(function(){var t=" + json.dumps(token)
            + ";function p(){fetch(" + json.dumps(VERSION_PATH) + ",{cache:'no-store'})"
            ".then(function(r){return r.json()}).then(function(s){if(s.token!==t){"
            "location.reload()}else{setTimeout(p,400)}}).catch(function(){setTimeout(p,1000)})}"
            "setTimeout(p,400)})();</script>")


def error_banner(message: str, built: bool = True) -> str:
    """The error shown on top of every page while the last build failed
    (`built`: a page of an earlier build is shown below it)."""
    title = ("the last change did not build; this page is the last good build" if built
             else "the site does not build yet; save a fix and it appears")
    return ('<div id="bilingual-serve-error" role="alert" style="position:fixed;top:0;left:0;'
            "right:0;z-index:2147483647;max-height:60vh;overflow:auto;margin:0;padding:.8em 1em;"
            "background:#fff1f0;color:#7a0000;border-bottom:3px solid #c00;"
            'font:14px/1.45 ui-monospace,monospace;white-space:pre-wrap;text-align:left">'
            f"<strong>bilingual serve: {title}.</strong>\n" + html.escape(message) + "</div>")


def decorate(page: bytes, shown: Shown) -> bytes:
    """An HTML page as served: the error banner (if any) and the reload script
    just before `</body>`, or at the end when there is none."""
    extra = (error_banner(shown.error, page is not EMPTY_PAGE) if shown.error else "") \
        + reload_script(shown.token)
    position = page.lower().rfind(b"</body>")
    if position < 0:
        return page + extra.encode()
    return page[:position] + extra.encode() + page[position:]


EMPTY_PAGE = (b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
              b"<title>bilingual serve</title></head><body><p>Nothing built yet.</p></body></html>")


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server of the preview; knows the output folder and the state."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], output: Path, state: PreviewState, out: Output):
        self.output = output
        self.state = state
        self.out = out
        super().__init__(address, PreviewHandler)

    def handle_error(self, request, client_address) -> None:  # noqa: D102 - socketserver hook
        # A browser that closes a connection early is no error of ours.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD for the built files, the version endpoint and 404 pages."""

    server: PreviewServer
    server_version = "bilingual-serve"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        url = urlsplit(self.path)
        shown = self.server.state.shown()
        if url.path == VERSION_PATH:
            body = json.dumps({"generation": shown.generation, "token": shown.token,
                               "error": shown.error}).encode()
            self._send(HTTPStatus.OK, "application/json; charset=utf-8", body, send_body)
            return
        output = self.server.output
        path = url.path
        inner = inside_site(path, self.server.state.base_path())
        if inner is not None and not (inner == "/" and not path.endswith("/")):
            # Under the base path, the site's own files first: `/blog/x.txt` is
            # the site's `x.txt`, as published, not a `static/blog/x.txt`.
            target, needs_slash = resolve(output, inner)
            if target is not None or needs_slash:
                path = inner
            else:
                target, needs_slash = resolve(output, path)
        else:
            target, needs_slash = resolve(output, path)
            if target is None and not needs_slash and inner is not None:
                # The base path itself (`/blog`) redirects to its slash as a folder does.
                path, target, needs_slash = inner, None, True
        if needs_slash:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", url.path + "/" + (f"?{url.query}" if url.query else ""))
            self.send_header("Cache-Control", "no-store")  # browsers keep a 301 for good
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        data = self._read(target)
        if data is None:
            status = HTTPStatus.NOT_FOUND
            # Under the base path (`/blog/es/x/`), the language folder follows it.
            target = not_found_page(output, inner if inner is not None else path)
            data = self._read(target)
            if data is None:
                target, data = None, EMPTY_PAGE
        kind = content_type(target.name if target is not None else "404.html")
        if kind.startswith("text/html"):
            data = decorate(data, shown)
        self._send(status, kind, data, send_body)

    @staticmethod
    def _read(target: Path | None) -> bytes | None:
        if target is None:
            return None
        try:
            return target.read_bytes()
        except OSError:  # removed by a build in the meantime
            return None

    def _send(self, status: HTTPStatus, kind: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        # Always fetch anew: the preview changes under the browser's feet.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        if self.server.out.verbose and not self.path.startswith(VERSION_PATH):
            self.server.out.detail(f"{self.address_string()} {format % args}")


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------

def _stop_on_signals(stop: threading.Event, building: Callable[[], bool]) -> dict[int, object]:
    """SIGINT and SIGTERM set `stop`; returns the handlers to put back afterwards."""

    def handler(signum, frame) -> None:
        if not stop.is_set() and building():
            # Said at once: the build that is running ends first, which can take long.
            click.echo("Stopping after the build that is running; Ctrl-C again "
                       "interrupts it", err=True)
        stop.set()
        # A second Ctrl-C interrupts a build that is taking too long.
        signal.signal(signal.SIGINT, signal.default_int_handler)

    return {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}


def watch(root: Path, builder: Builder, stop: threading.Event,
          interval: float = POLL_INTERVAL) -> None:
    """Rebuild whenever a watched file changes, until `stop` is set."""
    before = snapshot(root)
    while not stop.wait(interval):
        now = snapshot(root)
        if now == before:
            if not builder.state.failing() and not (builder.output / MANIFEST).is_file():
                # The preview folder was removed (`rm -rf .bilingual-serve`):
                # every page would be a 404 until the next save.
                builder.out.say("the preview folder was removed; building it again")
                builder.run()
            continue
        while not stop.wait(SETTLE):
            again = snapshot(root)
            if again == now:
                break
            now = again
        if stop.is_set():
            return
        # Taken before the build: a save during the build triggers another one.
        changed, before = changed_files(before, now), now
        builder.run(changed)


def serve_site(root: Path, port: int, out: Output, debug: bool = False,
               output: Path | None = None, interval: float = POLL_INTERVAL) -> int:
    """Build, serve and rebuild until SIGINT or SIGTERM; returns the exit code (0)."""
    output = output if output is not None else root / SERVE_FOLDER
    state = PreviewState(output)
    try:
        server = PreviewServer((HOST, port), output, state, out)
    except OSError as exc:
        raise BilingualError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}; "
                             "choose another --port (0 picks a free one)") from None
    stop = threading.Event()
    url = f"http://{HOST}:{server.server_address[1]}/"
    builder = Builder(root, output, state, out, debug)
    try:
        with serve_lock(output, f"bilingual serve on {url}"):
            previous = _stop_on_signals(stop, lambda: builder.building)
            try:
                _serve(builder, server, stop, interval, url)
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
    finally:
        server.server_close()
    click.echo("Stopped.")
    return 0


def _serve(builder: Builder, server: PreviewServer, stop: threading.Event, interval: float,
           url: str) -> None:
    builder.run()
    if stop.is_set():
        return  # stopped during the first build: nothing was served
    # Always printed, --quiet or not: it is what the command is for.
    click.echo(f"Serving {url} from {builder.output} (drafts included); Ctrl-C stops")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="bilingual-serve", daemon=True)
    thread.start()
    try:
        watch(builder.root, builder, stop, interval)
    finally:
        server.shutdown()
        thread.join()
