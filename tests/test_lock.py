"""The catalog lock: one `update` or `import-translation` at a time, stale locks recovered."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bilingual.lock import LockedError, catalog_lock, lock_path, read_holder

ARTICLE = "---\ntitle: Markt\n---\nEin Satz.\n"
SRC = str(Path(__file__).resolve().parents[1] / "src")


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "bilingual", "-C", str(root), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def hold_lock(root: Path, command: str = "bilingual update", fork: bool = False,
              ) -> subprocess.Popen:
    """A process that takes the lock, says so on stdout and then waits to be
    killed; with `fork`, it forks a worker first and prints the worker's pid."""
    code = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {SRC!r})
        from bilingual.lock import catalog_lock
        with catalog_lock({str(root)!r}, {command!r}):
            print("locked", flush=True)
            if {fork!r}:
                worker = os.fork()
                if worker == 0:
                    time.sleep(60)
                    os._exit(0)
                print(worker, flush=True)
            time.sleep(120)
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "locked\n"
    return holder


def stop(holder: subprocess.Popen) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    holder.stdout.close()


@pytest.fixture
def project(make_project):
    return make_project({"content/de/markt.md": ARTICLE})


def test_a_second_update_fails_naming_the_holder_and_the_lock_file(project):
    holder = hold_lock(project)
    try:
        done = run(project, "update")
        assert done.returncode == 1
        message = done.stderr
        assert "locales/.bilingual.lock" in message
        assert f"pid {holder.pid}" in message
        assert "`bilingual update`" in message and socket.gethostname() in message
        assert "since 20" in message  # the ISO start time
        assert "Traceback" not in message
        # Nothing was written while another run held the lock.
        assert not (project / "locales" / "es").exists()
    finally:
        stop(holder)


def test_import_translation_takes_the_same_lock(project):
    assert run(project, "update").returncode == 0
    translated = project / "markt.es.md"
    translated.write_text("---\ntitle: Mercado\n---\nUna frase.\n", encoding="utf-8")
    catalog = project / "locales" / "es" / "LC_MESSAGES" / "markt.po"
    before = catalog.read_bytes()
    holder = hold_lock(project, "bilingual update")
    try:
        done = run(project, "import-translation", "content/de/markt.md", str(translated),
                   "--lang", "es")
        assert done.returncode == 1
        assert f"pid {holder.pid}" in done.stderr and ".bilingual.lock" in done.stderr
        assert catalog.read_bytes() == before
    finally:
        stop(holder)
    done = run(project, "import-translation", "content/de/markt.md", str(translated),
               "--lang", "es")
    assert done.returncode == 0, done.stderr
    assert 'msgstr "Una frase."' in catalog.read_text(encoding="utf-8")


def test_a_lock_left_by_a_killed_run_is_taken_over(project):
    holder = hold_lock(project)
    stop(holder)
    # The file survives the kill and still names the dead process ...
    path = lock_path(project)
    assert read_holder(path).pid == holder.pid
    # ... a killed write left a temporary file behind ...
    folder = project / "locales" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    stale = folder / f".markt.po.{'0123456789abcdef' * 2}.tmp"
    stale.write_text("msgid \"Ein", encoding="utf-8")
    foreign = folder / ".notes.tmp"
    foreign.write_text("a translator's file", encoding="utf-8")
    # ... and the next run works, cleans up after the dead one and releases the lock.
    done = run(project, "update")
    assert done.returncode == 0, done.stderr
    assert (folder / "markt.po").is_file()
    assert not stale.exists()
    assert foreign.exists()  # not ours: left alone
    assert not path.exists()


def test_forked_workers_of_a_killed_run_do_not_keep_the_lock(project):
    # `update` forks worker processes (bilingual.parallel); SIGKILL of the parent
    # leaves them behind. With flock they would inherit the lock and hold it.
    holder = hold_lock(project, fork=True)
    worker = int(holder.stdout.readline())
    try:
        stop(holder)
        os.kill(worker, 0)  # the orphaned worker is still alive ...
        done = run(project, "update")
        assert done.returncode == 0, done.stderr  # ... and does not hold the lock
    finally:
        os.kill(worker, signal.SIGKILL)


def test_lock_file_records_the_holder_and_is_removed_afterwards(tmp_path):
    with catalog_lock(tmp_path, "bilingual update") as me:
        # Read by another process: closing a descriptor of the file here would
        # release this process's POSIX lock.
        shown = subprocess.run(["cat", str(lock_path(tmp_path))], capture_output=True, text=True)
        recorded = json.loads(shown.stdout)
        assert recorded == {"pid": os.getpid(), "host": socket.gethostname(),
                            "since": me.since, "command": "bilingual update"}
        # Nor can this process take it twice.
        with pytest.raises(LockedError, match=f"pid {os.getpid()}"):
            with catalog_lock(tmp_path, "bilingual import-translation"):
                pass
    assert not lock_path(tmp_path).exists()
    with catalog_lock(tmp_path, "bilingual update"):
        pass


def test_an_unreadable_lock_file_does_not_stop_a_run(tmp_path):
    path = lock_path(tmp_path)
    path.parent.mkdir()
    path.write_bytes(b"\x00garbage")
    assert read_holder(path) is None
    with catalog_lock(tmp_path, "bilingual update") as me:
        assert read_holder(path) == me


def test_an_output_folder_in_a_folder_nobody_may_write_says_what_a_build_needs(tmp_path,
                                                                               monkeypatch):
    # `/var/www` owned by root, `/var/www/site` by the deploy user: the build
    # said only "cannot create the lock file: Permission denied".
    import bilingual.lock
    from bilingual.errors import BilingualError
    from bilingual.lock import output_lock

    def denied(path, what):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(bilingual.lock, "_open_locked", denied)
    with pytest.raises(BilingualError) as raised, output_lock(tmp_path / "site", "build"):
        pass
    assert raised.value.format_message() == (
        f"{tmp_path}/.site.lock: cannot create the lock file: Permission denied; a build writes "
        "beside the output folder (this lock, the new site before it is swapped in, the site "
        f"before): let this user write to {tmp_path}, or choose an output folder in a folder "
        "it may write to")
