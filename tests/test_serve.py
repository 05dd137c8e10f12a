"""`bilingual serve`: a real server in a real project, edited while it runs.

The end-to-end tests start `bilingual serve --port 0` as a subprocess, read the
URL it prints, fetch pages with urllib, edit files and wait (bounded) for the
served page to change, then stop the process by its PID with a signal.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bilingual.build import build_site
from bilingual.config import load_config
from bilingual.errors import BilingualError
from bilingual.progress import Output
from bilingual.scaffold import scaffold_project
from bilingual.serve import (
    EMPTY_PAGE,
    SERVE_FOLDER,
    Builder,
    PreviewServer,
    PreviewState,
    changed_files,
    content_type,
    decorate,
    preview_build,
    snapshot,
)

TIMEOUT = 20.0
GERMAN = "content/de/willkommen.md"
CATALOG = "locales/es/LC_MESSAGES/willkommen.po"


class Served:
    """A `bilingual serve` subprocess and everything it printed so far."""

    def __init__(self, root: Path, *args: str):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bilingual", *args, "serve", "--port", "0"], cwd=root,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.readers = [threading.Thread(target=self._read, args=(name, stream), daemon=True)
                        for name, stream in (("out", self.process.stdout),
                                             ("err", self.process.stderr))]
        for reader in self.readers:
            reader.start()
        try:
            self.url = self.wait_for_line(r"Serving (http://127\.0\.0\.1:\d+/)").group(1)
        except BaseException:
            self.close()
            raise

    def _read(self, name: str, stream) -> None:
        for line in stream:
            self.lines.put((name, line))

    def _drain(self) -> None:
        while True:
            try:
                name, line = self.lines.get_nowait()
            except queue.Empty:
                return
            (self.stdout if name == "out" else self.stderr).append(line)

    def wait_for_line(self, pattern: str, stream: str = "out") -> re.Match:
        deadline = time.monotonic() + TIMEOUT
        seen = 0
        while time.monotonic() < deadline:
            self._drain()
            lines = self.stdout if stream == "out" else self.stderr
            for line in lines[seen:]:
                found = re.search(pattern, line)
                if found:
                    return found
            seen = len(lines)
            if self.process.poll() is not None and self.lines.empty():
                break
            time.sleep(0.05)
        self._drain()
        raise AssertionError(f"no line matching {pattern!r} on std{stream}; "
                             f"stdout={''.join(self.stdout)!r} stderr={''.join(self.stderr)!r}")

    def fetch(self, path: str) -> tuple[int, str, dict[str, str]]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=5) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def version(self) -> dict:
        return json.loads(self.fetch("/__bilingual/version")[1])

    def wait_for_page(self, path: str, condition) -> str:
        """Fetch `path` until `condition(body)` holds; fails after TIMEOUT seconds."""
        deadline = time.monotonic() + TIMEOUT
        body = ""
        while time.monotonic() < deadline:
            body = self.fetch(path)[1]
            if condition(body):
                return body
            time.sleep(0.1)
        raise AssertionError(f"{path} never changed as expected; last body:\n{body}")

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Send `signum` to the server's PID; its exit code, with all its output read."""
        os.kill(self.process.pid, signum)
        code = self.process.wait(timeout=TIMEOUT)
        self.close()
        return code

    def close(self) -> None:
        """Kill the server if it still runs (a failed test) and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for reader in self.readers:
            reader.join(timeout=TIMEOUT)
        self.process.stdout.close()
        self.process.stderr.close()
        self._drain()


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "magazin"
    scaffold_project(root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_serve_rebuilds_on_edits_shows_errors_and_stops_on_sigint(project):
    served = Served(project)
    try:
        status, body, headers = served.fetch("/de/willkommen/")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert "Mehr steht in der" in body
        assert "/__bilingual/version" in body  # the reload script is injected...
        built = project / SERVE_FOLDER / "de/willkommen/index.html"
        assert "__bilingual" not in built.read_text(encoding="utf-8")  # ...only when served
        assert not (project / "site").exists()  # the preview never touches site/

        # The author edits the German article.
        edit(project / GERMAN, "Mehr steht in der", "Alles Weitere steht in der")
        served.wait_for_page("/de/willkommen/", lambda b: "Alles Weitere steht in der" in b)
        served.wait_for_line(r"built: .*content/de/willkommen\.md changed")

        # A translator changes a translation in the catalog.
        assert "Cómo se traduce este artículo" in served.fetch("/es/willkommen/")[1]
        edit(project / CATALOG, 'msgstr "Cómo se traduce este artículo"',
             'msgstr "Así se traduce este artículo"')
        served.wait_for_page("/es/willkommen/", lambda b: "Así se traduce este artículo" in b)

        # Broken front matter: the last good page stays, with the error on it and in the terminal.
        edit(project / GERMAN, 'title: "Willkommen"', 'title: [Willkommen')
        page = served.wait_for_page("/de/willkommen/", lambda b: "bilingual-serve-error" in b)
        assert "Alles Weitere steht in der" in page  # the last good build
        assert re.search(r"content/de/willkommen\.md:\d+: front matter is not valid YAML", page)
        served.wait_for_line(r"content/de/willkommen\.md:\d+: front matter is not valid YAML",
                             stream="err")
        assert served.version()["error"] is not None
        # Every page carries it, the 404 page too.
        status, missing, _ = served.fetch("/de/gibt-es-nicht/")
        assert status == 404 and "bilingual-serve-error" in missing

        # Fixed: the error goes away and the new text is served.
        edit(project / GERMAN, 'title: [Willkommen', 'title: "Willkommen, Leser"')
        page = served.wait_for_page("/de/willkommen/", lambda b: "Willkommen, Leser" in b)
        assert "bilingual-serve-error" not in page
        served.wait_for_line(r"fixed; built")
        assert served.version()["error"] is None

        code = served.stop(signal.SIGINT)
    finally:
        served.close()
    assert code == 0
    assert "Stopped." in "".join(served.stdout)
    assert "Traceback" not in "".join(served.stderr)


def test_sigterm_exits_cleanly_and_quiet_prints_only_the_url(project):
    served = Served(project, "--quiet")
    try:
        assert served.fetch("/")[0] == 200
        code = served.stop(signal.SIGTERM)
    finally:
        served.close()
    assert code == 0
    assert "".join(served.stderr) == ""
    # --quiet keeps the address (the point of the command) and drops the build lines.
    assert not any(line.startswith("built") for line in served.stdout)


def test_the_preview_says_warnings_rebuilds_a_removed_folder_and_is_one_per_project(project):
    served = Served(project)
    try:
        # A build's warnings were never shown: each is said once, when it appears.
        edit(project / GERMAN, 'title: "Willkommen"', 'title: "Willkommen"\ntitel: Falsch')
        served.wait_for_line(r"warning: content/de/willkommen\.md:\d+: .*'titel'", stream="err")
        edit(project / CATALOG, 'msgstr "Cómo se traduce este artículo"',
             'msgstr "Así se traduce este artículo"')
        served.wait_for_page("/es/willkommen/", lambda b: "Así se traduce" in b)
        assert sum("'titel'" in line for line in served.stderr) == 1
        # An article in a folder named like an editor's temporary file is one.
        (project / "content/de/entwurf.tmp").mkdir()
        (project / "content/de/entwurf.tmp/idee.md").write_text(
            "---\ntitle: Idee\n---\nText.\n", encoding="utf-8")
        served.wait_for_page("/de/entwurf.tmp/idee/", lambda b: "Idee" in b)
        # The preview folder removed: every page was a 404 until the next save.
        shutil.rmtree(project / SERVE_FOLDER)
        served.wait_for_page("/de/willkommen/", lambda b: "Mehr steht in der" in b)
        served.wait_for_line(r"^the preview folder was removed; building it again$")
        # A redirect is not kept by the browser either.
        request = urllib.request.Request(served.url + "de", method="HEAD")
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(request, timeout=5)
        redirect.value.close()
        assert redirect.value.code == 301 and redirect.value.headers["Cache-Control"] == "no-store"
        # A second preview of the project: its builds and the first's collided.
        second = subprocess.run([sys.executable, "-m", "bilingual", "serve", "--port", "0"],
                                cwd=project, capture_output=True, text=True, timeout=TIMEOUT)
        assert second.returncode == 1
        assert "the preview folder .bilingual-serve/ is served by `bilingual serve on " \
            f"{served.url}`" in second.stderr
        assert served.stop() == 0
    finally:
        served.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_version_generation_changes_after_a_rebuild(project):
    served = Served(project)
    try:
        first = served.version()
        assert first["error"] is None
        edit(project / "static/style.css", "body", "html body")
        deadline = time.monotonic() + TIMEOUT
        while served.version()["generation"] == first["generation"]:
            assert time.monotonic() < deadline, "the generation never changed"
            time.sleep(0.1)
        assert served.version()["token"] != first["token"]
        assert "html body" in served.fetch("/style.css")[1]
        assert served.stop() == 0
    finally:
        served.close()


def test_a_port_in_use_is_an_error_naming_it(project):
    served = Served(project)
    try:
        port = served.url.rsplit(":", 1)[1].strip("/")
        result = subprocess.run([sys.executable, "-m", "bilingual", "serve", "--port", port],
                                cwd=project, capture_output=True, text=True, timeout=TIMEOUT)
        assert result.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
        assert "Traceback" not in result.stderr
        assert served.stop() == 0
    finally:
        served.close()


# ---------------------------------------------------------------------------
# In-process: the HTTP side and the watcher, without a subprocess
# ---------------------------------------------------------------------------

@pytest.fixture
def server(project):
    output = project / SERVE_FOLDER
    build_site(load_config(project), drafts=True, output=output)
    (project / SERVE_FOLDER / "notes.txt").write_text("plain", encoding="utf-8")
    state = PreviewState()
    state.built(changed=True)
    httpd = PreviewServer(("127.0.0.1", 0), output, state, Output(quiet=True))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    httpd.shutdown()
    thread.join()
    httpd.server_close()


def get(url: str) -> tuple[int, bytes, dict[str, str], str]:
    """(status, body, headers, final URL) following redirects."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), dict(response.headers), response.url
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers), url


def test_routes_like_a_static_host(server):
    url, _ = server
    status, body, headers, _ = get(url + "/")
    assert status == 200 and b"language-choice" in body  # the built language chooser
    status, _, _, final = get(url + "/de")
    assert status == 200 and final.endswith("/de/")  # a folder redirects to its slash
    status, body, _, _ = get(url + "/es/no-existe/")
    assert status == 404 and b'lang="es"' in body  # the language's own 404 page
    status, body, _, _ = get(url + "/nowhere")
    assert status == 404 and b'lang="de"' in body  # the site's 404.html
    assert get(url + "/style.css")[2]["Content-Type"] == "text/css; charset=utf-8"
    assert get(url + "/de/feed.xml")[2]["Content-Type"] == "application/xml; charset=utf-8"
    assert get(url + "/sitemap.xml")[2]["Content-Type"] == "application/xml; charset=utf-8"
    status, body, headers, _ = get(url + "/notes.txt")
    assert body == b"plain" and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    # Hidden files (the build manifest) and paths leaving the folder are not served.
    assert get(url + "/.bilingual-manifest")[0] == 404
    assert get(url + "/%2e%2e/bilingual.toml")[0] == 404
    assert get(url + "/de/..%2f..%2fbilingual.toml")[0] == 404


def test_a_site_under_a_path_is_served_at_the_root_and_under_its_path(project):
    # The 404 pages link their stylesheet and home pages from the site's root
    # (`/blog/style.css`): the preview must answer there as the real host does.
    config = project / "bilingual.toml"
    text = config.read_text(encoding="utf-8")
    base = re.search(r'^base_url = "(.*)"$', text, re.M)
    assert base is not None
    config.write_text(text.replace(base.group(0), 'base_url = "https://example.org/blog/"'),
                      encoding="utf-8")
    (project / "static/blog").mkdir(parents=True)
    (project / "static/blog/x.txt").write_text("in static/blog/", encoding="utf-8")
    (project / "static/x.txt").write_text("the site's own", encoding="utf-8")
    state = PreviewState()
    assert Builder(project, project / SERVE_FOLDER, state, Output(quiet=True)).run()
    assert state.base_path() == "/blog"
    httpd = PreviewServer(("127.0.0.1", 0), project / SERVE_FOLDER, state, Output(quiet=True))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        page = get(url + "/de/willkommen/")
        assert page[0] == 200
        assert get(url + "/blog/de/willkommen/")[:2] == page[:2]
        status, body, _, final = get(url + "/blog")
        assert status == 200 and final.endswith("/blog/") and b"language-choice" in body
        status, body, _, _ = get(url + "/blog/es/no-existe/")
        # The Spanish 404 page, as at /es/no-existe/ (the site's own, German, was served).
        assert status == 404 and b'<html lang="es"' in body
        rooted = re.findall(rb'(?:href|src)="(/[^"]*)"', body)
        assert rooted and all(link.startswith(b"/blog/") for link in rooted)
        for link in rooted:
            assert get(url + link.decode())[0] == 200, link
        # Only the path itself: /blogger is not below /blog.
        assert get(url + "/blogger/de/willkommen/")[0] == 404
        # Under the base path the site's own file, published at /blog/x.txt,
        # not static/blog/x.txt, which the host serves at /blog/blog/x.txt.
        assert get(url + "/blog/x.txt")[1] == b"the site's own"
        assert get(url + "/blog/blog/x.txt")[1] == b"in static/blog/"
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


def test_head_sends_headers_only(server):
    url, _ = server
    request = urllib.request.Request(url + "/de/willkommen/", method="HEAD")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.read() == b""
        assert int(response.headers["Content-Length"]) > 0


def test_the_error_banner_follows_the_state(server):
    url, state = server
    state.failed("content/de/x.md:3: <b>bad</b> front matter")
    body = get(url + "/de/")[1].decode()
    assert "content/de/x.md:3: &lt;b&gt;bad&lt;/b&gt; front matter" in body  # escaped
    state.built(changed=False)
    assert "bilingual-serve-error" not in get(url + "/de/")[1].decode()


def test_state_generation_counts_changes_only():
    state = PreviewState()
    start = state.shown().generation
    assert not state.built(changed=False)
    assert state.shown().generation == start
    assert state.built(changed=True)
    state.failed("x.md:1: broken")
    state.failed("x.md:1: broken")  # the same error again: no new reload
    assert state.shown().generation == start + 2
    assert state.built(changed=False)  # recovering reloads even when no file changed
    assert state.shown().error is None and state.shown().generation == start + 3


def test_an_error_is_not_shown_on_a_site_swapped_in_after_it(tmp_path):
    # The build that fixes an error swaps its site in before the builder hears
    # it succeeded: a page served in between shows the new site without the
    # old error.
    site = tmp_path / "site"
    site.mkdir()
    state = PreviewState(site)
    state.failed("x.md:1: broken")
    assert state.shown().error == "x.md:1: broken" and state.failing()
    newer = tmp_path / "newer"
    newer.mkdir()
    site.rename(tmp_path / "older")
    newer.rename(site)
    assert state.shown().error is None and state.failing()
    state.built(changed=True)
    assert state.shown().error is None and not state.failing()
    state.failed("x.md:2: broken again")  # on the site now in place: shown
    assert state.shown().error == "x.md:2: broken again"


def test_decorate_without_a_body_tag_appends():
    page = decorate(b"<p>x</p>", PreviewState().shown())
    assert page.startswith(b"<p>x</p><script>")
    page = decorate(b"<html><BODY><p>x</p></BODY></html>", PreviewState().shown())
    assert page.index(b"<script>") < page.index(b"</BODY>")


def test_the_banner_over_the_empty_page_says_nothing_was_built_yet():
    # It said "this page is the last good build" above "Nothing built yet."
    state = PreviewState()
    state.failed("content/de/a.md:2: front matter is not valid YAML")
    empty = decorate(EMPTY_PAGE, state.shown()).decode()
    assert "the site does not build yet; save a fix and it appears" in empty
    assert "last good build" not in empty
    page = decorate(b"<html><body><p>x</p></body></html>", state.shown()).decode()
    assert "this page is the last good build" in page


def test_a_first_build_that_fails_says_nothing_was_built_yet(tmp_path, capsys):
    root = tmp_path / "site"
    scaffold_project(root)
    (root / GERMAN).write_text("---\ntitle: [kaputt\n---\n", encoding="utf-8")
    state = PreviewState()
    builder = Builder(root, tmp_path / "out", state, Output(quiet=True), False, preview_build)
    assert builder.run() is False
    err = capsys.readouterr().err
    assert "nothing built yet; save a fix to build" in err and "last good" not in err


def test_content_types():
    assert content_type("index.html") == "text/html; charset=utf-8"
    assert content_type("logo.svg") == "image/svg+xml; charset=utf-8"
    assert content_type("photo.png") == "image/png"
    assert content_type("font.woff2") == "font/woff2"
    assert content_type("blob") == "application/octet-stream"


def test_snapshot_sees_edits_new_and_removed_files_but_not_editor_droppings(project):
    before = snapshot(project)
    assert "bilingual.toml" in before and GERMAN in before
    assert not any(name.startswith(("site/", SERVE_FOLDER)) for name in before)
    assert "locales/es/LC_MESSAGES/_ui.po" in before  # a catalog the build reads
    (project / "content/de/.willkommen.md.swp").write_text("x", encoding="utf-8")
    (project / "content/de/willkommen.md~").write_text("x", encoding="utf-8")
    (project / "content/de/_entwurf.md").write_text("x", encoding="utf-8")  # not read either
    assert snapshot(project) == before
    (project / "content/de/neu.md").write_text("# Neu\n", encoding="utf-8")
    (project / "static/style.css").unlink()
    with (project / CATALOG).open("a", encoding="utf-8") as file:
        file.write("\n")
    assert changed_files(before, snapshot(project)) == [
        "content/de/neu.md", CATALOG, "static/style.css"]


def test_builder_keeps_serving_after_an_unexpected_failure(project, capsys):
    state = PreviewState()

    def broken(root, output):
        raise RuntimeError("boom")

    assert not Builder(project, project / SERVE_FOLDER, state, Output(), build=broken).run()
    assert state.shown().error == "unexpected RuntimeError: boom"
    assert "error: unexpected RuntimeError: boom" in capsys.readouterr().err


def test_init_ignores_the_preview_folder(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bilingual", "init", "neu"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    ignored = (tmp_path / "neu/.gitignore").read_text(encoding="utf-8").splitlines()
    assert f"/{SERVE_FOLDER}/" in ignored and "/site/" in ignored


def test_the_preview_thaws_what_a_build_froze_for_its_workers(project, monkeypatch):
    # A build freezes the heap before forking (parallel); the preview server
    # goes on building, so garbage of one build must stay collectable.
    import gc

    monkeypatch.setenv("BILINGUAL_JOBS", "2")
    output = project / SERVE_FOLDER
    preview_build(project, output)
    assert gc.get_freeze_count() == 0
    edit(project / GERMAN, 'title: "Willkommen"', 'title: [Willkommen')
    with pytest.raises(BilingualError, match="front matter is not valid YAML"):
        preview_build(project, output)
    assert gc.get_freeze_count() == 0
