"""Progress bar, `--quiet`/`--verbose` and the closing summary lines."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.progress import (
    NullProgress,
    Output,
    Progress,
    elapsed,
    wants_bar,
)
from bilingual.scaffold import scaffold_project

TERMINAL_ENV = {k: v for k, v in os.environ.items() if k != "CI"} | {"TERM": "xterm"}

SLOW_RUN = """
import time
from bilingual.progress import Output
progress = Output().progress()
print(type(progress).__name__, flush=True)
progress.start(5, "Rendering")
for _ in range(5):
    time.sleep(0.12)
    progress.advance()
progress.finish()
print("done", flush=True)
"""


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "magazin"
    scaffold_project(root)
    return root


def run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run a command with stdout and stderr on a pseudo-terminal; everything it wrote."""
    main, secondary = pty.openpty()
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=secondary,
                               stderr=secondary, env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:  # EIO: the terminal's other side is closed, the program is done
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert process.wait(timeout=30) == 0
    return b"".join(chunks).decode()


def test_a_terminal_gets_a_bar():
    text = run_in_terminal([sys.executable, "-c", SLOW_RUN], TERMINAL_ENV)
    assert "Progress" in text
    assert re.search(r"\rRendering \[#*-*\] \d/5\x1b\[K", text)
    # finish() erases the bar, so the next line starts clean.
    assert "\r\x1b[K" in text and text.rstrip().endswith("done")


def test_ci_and_dumb_terminals_get_no_bar():
    for extra in ({"CI": "true"}, {"TERM": "dumb"}):
        text = run_in_terminal([sys.executable, "-c", SLOW_RUN], TERMINAL_ENV | extra)
        assert "NullProgress" in text and "Rendering" not in text and "\x1b" not in text


def test_pipes_get_no_bar():
    result = subprocess.run([sys.executable, "-c", SLOW_RUN], capture_output=True, text=True,
                            env=TERMINAL_ENV, check=True)
    assert result.stdout == "NullProgress\ndone\n" and result.stderr == ""


def test_piped_build_and_update_print_plain_lines(project):
    for command in ("update", "build"):
        result = subprocess.run([sys.executable, "-m", "bilingual", command], cwd=project,
                                capture_output=True, text=True, env=TERMINAL_ENV)
        assert result.returncode == 0, result.stderr
        assert "\r" not in result.stdout + result.stderr
        assert "\x1b" not in result.stdout + result.stderr


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_waits_redraws_sparingly_and_erases_itself():
    now = [0.0]
    stream = FakeTerminal()
    progress = Progress(stream, delay=0.3, clock=lambda: now[0])
    progress.start(4, "Rendering")
    progress.advance()
    assert stream.getvalue() == ""  # a quick run shows nothing
    now[0] = 0.5
    progress.advance()
    assert stream.getvalue() == "\rRendering [############------------] 2/4\x1b[K"
    now[0] = 0.55
    progress.advance()  # within the redraw interval: not drawn
    assert stream.getvalue().count("\r") == 1
    now[0] = 0.7
    progress.advance(5)  # never past the total
    assert stream.getvalue().endswith("\rRendering [########################] 4/4\x1b[K")
    progress.finish()
    assert stream.getvalue().endswith("\r\x1b[K")
    progress.finish()
    progress.advance()  # after finish: nothing
    assert stream.getvalue().endswith("4/4\x1b[K\r\x1b[K")


def test_advance_from_many_threads_counts_every_step():
    progress = Progress(FakeTerminal(), delay=0)
    progress.start(4000, "Rendering")
    threads = [threading.Thread(target=lambda: [progress.advance() for _ in range(1000)])
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert progress.line().endswith(" 4000/4000")


def test_output_chooses_the_progress_object():
    assert isinstance(Output().progress(FakeTerminal(), {}), Progress)
    assert isinstance(Output(quiet=True).progress(FakeTerminal(), {}), NullProgress)
    assert isinstance(Output().progress(FakeTerminal(), {"CI": "1"}), NullProgress)
    assert isinstance(Output().progress(io.StringIO(), {}), NullProgress)
    assert not wants_bar(object(), {})  # type: ignore[arg-type]



def test_elapsed():
    assert elapsed(0.123) == "0.12 s"
    assert elapsed(12.34) == "12.3 s"
    assert elapsed(125) == "2 min 5 s"


# ---------------------------------------------------------------------------
# The commands
# ---------------------------------------------------------------------------

def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(project), *args])


@pytest.mark.parametrize("after", [False, True], ids=["before the command", "after it"])
def test_quiet_prints_nothing_on_success(project, after):
    # `bilingual update -q` as well as `bilingual -q update`: the help names
    # the flag for these commands, and people write it after them.
    for command in ("update", "build"):
        result = invoke(project, *((command, "-q") if after else ("--quiet", command)))
        assert result.exit_code == 0, result.output
        assert result.stdout == "" and result.stderr == ""


def test_quiet_still_prints_errors(project):
    (project / "content/de/kaputt.md").write_text("---\ntitle: [x\n---\nText\n", encoding="utf-8")
    result = invoke(project, "-q", "build")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "content/de/kaputt.md:" in result.stderr


@pytest.mark.parametrize("flags", [("--quiet", "--verbose", "build"), ("-q", "build", "-v"),
                                   ("build", "-v", "--quiet")])
def test_quiet_and_verbose_exclude_each_other(project, flags):
    result = invoke(project, *flags)
    assert result.exit_code == 2
    assert "--quiet and --verbose exclude each other" in result.output


def test_verbose_after_the_command_lists_files_too(project):
    result = invoke(project, "build", "--verbose")
    assert result.exit_code == 0, result.output
    assert "wrote de/willkommen/index.html\n" in result.stdout


def test_verbose_lists_every_file_written(project):
    first = invoke(project, "--verbose", "build")
    assert first.exit_code == 0, first.output
    assert "wrote de/willkommen/index.html\n" in first.stdout
    assert "wrote es/willkommen/index.html\n" in first.stdout
    again = invoke(project, "-v", "build")
    assert "wrote " not in again.stdout  # nothing changed, nothing written
    update = invoke(project, "-v", "update")
    assert "unchanged locales/es/LC_MESSAGES/willkommen.po\n" in update.stdout
    # A catalog written is listed as written, not as unchanged; the others still are.
    article = next((project / "content/de").rglob("willkommen.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n",
                       encoding="utf-8")
    update = invoke(project, "-v", "update")
    assert "updated locales/es/LC_MESSAGES/willkommen.po: " in update.stdout, update.stdout
    assert "unchanged locales/es/LC_MESSAGES/willkommen.po\n" not in update.stdout
    assert "unchanged locales/es/LC_MESSAGES/_ui.po\n" in update.stdout


def test_build_summary_line_counts_articles_pages_held_back_and_time(project):
    catalog = project / "locales/es/LC_MESSAGES/willkommen.po"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace('msgstr "Bienvenida"', 'msgstr ""'), encoding="utf-8")
    result = invoke(project, "build")
    assert result.exit_code == 0, result.output
    last = result.stdout.splitlines()[-1]
    assert re.fullmatch(r"1 article; \d+ pages \(de: \d+, es: \d+\), \d+ files in .*site; "
                        r"\d+ written, 0 removed; 1 held back; [\d.]+ s", last), last
    drafts = invoke(project, "build", "--drafts")
    assert re.search(r"; 0 held back, 1 built as draft; [\d.]+ s$", drafts.stdout.strip())


def test_update_summary_line(project):
    result = invoke(project, "update")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"1 article, 2 catalogs, 0 written in [\d.]+ s\n", result.stdout)
