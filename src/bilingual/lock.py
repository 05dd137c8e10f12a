"""One writer at a time: the locks around `update` and `import-translation`
(the catalogs) and around `build` (its output folder).

Two runs writing the same catalogs at once would each merge from the catalogs
as they were when it started, so the second rename would throw away what the
first one merged. Commands that write catalogs therefore hold an exclusive
POSIX record lock (`fcntl.lockf`) on `locales/.bilingual.lock` while they
read, merge and write.

The kernel releases the lock when the process ends in any way, SIGKILL
included: a lock left by a killed run is never in the way, only its file
remains (and is reused). A POSIX lock, unlike `flock`, belongs to the process
and not to the open file, so worker processes forked by the holder (see
`parallel`) do not hold it, even when a killed holder leaves them behind.
The price: closing *any* descriptor of the lock file in the holding process
releases the lock, so nothing but this module opens it. The file holds who
took the lock (pid, host, start time, command) so that a second run can say
whom it is waiting for. A lock holder is alone by definition, so it also
removes temporary files a killed run left behind
(`catalog.remove_stale_temporaries`).
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bilingual.catalog import remove_stale_temporaries
from bilingual.errors import BilingualError

LOCK_NAME = ".bilingual.lock"
"""The lock file, in the project's `locales/` folder."""


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or last held) the lock, as written in the lock file."""

    pid: int
    host: str
    since: str
    """ISO 8601 time, with the UTC offset, at which the lock was taken."""
    command: str

    def describe(self) -> str:
        return f"`{self.command}` (pid {self.pid} on {self.host}, since {self.since})"


class LockedError(BilingualError):
    """Another run holds the lock; exit code 1."""


def lock_path(root: Path) -> Path:
    """The lock file of the project at `root`."""
    return Path(root) / "locales" / LOCK_NAME


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in a lock file, or None when it says nothing usable
    (empty: the holder has not written it yet, or a foreign file)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["host"]), str(data["since"]),
                      str(data["command"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


_HELD: set[Path] = set()
"""Lock files this process holds: POSIX locks do not exclude their own process."""


def _refuse(path: Path, what: str = "the catalogs are locked") -> LockedError:
    holder = read_holder(path)
    who = holder.describe() if holder is not None else "another bilingual run"
    return LockedError(f"{what} by {who}; wait until it has finished and run the command "
                       "again", path)


def _open_locked(path: Path, what: str) -> int:
    """Open and lock `path`; returns the descriptor, or raises LockedError."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            raise _refuse(path, what) from None
        # The holder before us may have removed the file after we opened it but
        # before we got the lock: then we hold a lock on a file nobody else sees.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


@contextmanager
def _holding(path: Path, command: str, what: str, unwritable: str = "") -> Iterator[Holder]:
    """Hold the lock file `path` for the `with` block, written with who holds
    it, or raise LockedError saying `what` and naming the holder. The file is
    removed on a normal exit; after a crash it stays, unlocked, and the next
    run takes it over. `unwritable`: what to tell, after the system's reason,
    when the lock file cannot be made."""
    path = path.absolute()
    if path in _HELD:
        raise _refuse(path, what)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _open_locked(path, what)
    except OSError as exc:
        raise BilingualError(f"cannot create the lock file: {exc.strerror or exc}{unwritable}",
                             path) from None
    _HELD.add(path)
    holder = Holder(os.getpid(), socket.gethostname(),
                    dt.datetime.now().astimezone().isoformat(timespec="seconds"), command)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(_as_dict(holder)) + "\n").encode("utf-8"), 0)
        yield holder
    finally:
        # Unlink before unlocking: a run that opened the file meanwhile sees it is gone.
        try:
            os.unlink(path)
        except OSError:
            pass
        _HELD.discard(path)
        os.close(fd)


@contextmanager
def catalog_lock(root: Path, command: str) -> Iterator[Holder]:
    """Hold the project's catalog lock for the `with` block, or raise LockedError
    (naming the holder and the lock file) when another run holds it.

    `command` is what a waiting run is told, e.g. "bilingual update". Inside
    the block nothing else writes catalogs, so temporary files of an earlier,
    killed run are removed on entry."""
    path = lock_path(root)
    with _holding(path, command, "the catalogs are locked") as holder:
        remove_stale_temporaries(path.absolute().parent)
        yield holder


def output_lock_path(output: Path) -> Path:
    """The lock file of an output folder: beside it, as its staging copies;
    of the folder itself, not the link that names it (`out` -> `site`)."""
    folder = Path(os.path.realpath(output))
    return folder.parent / f".{folder.name}.lock"


@contextmanager
def output_lock(output: Path, command: str) -> Iterator[Holder]:
    """Hold the lock of the output folder `output` while a build writes it, or
    raise LockedError. Two builds of one folder at once swapped their staging
    copies into each other: both exited 0 and left a third of a site, which
    every later build then refused as a folder no build wrote."""
    lock = output_lock_path(output)
    with _holding(lock, command, f"the site folder {output.name}/ is being built",
                  f"; a build writes beside the output folder (this lock, the new site "
                  f"before it is swapped in, the site before): let this user write to "
                  f"{lock.parent}, or choose an output folder in a folder it may write to"
                  ) as holder:
        yield holder


@contextmanager
def serve_lock(output: Path, command: str) -> Iterator[Holder]:
    """Hold the lock of the preview folder `output` while `bilingual serve`
    runs, or raise LockedError naming the preview that holds it. Two previews
    of one project built into one folder: each refused the other's builds
    now and then, and showed an error banner over a page that was fine."""
    folder = Path(os.path.realpath(output))
    with _holding(folder.parent / f".{folder.name}.serve.lock", command,
                  f"the preview folder {output.name}/ is served") as holder:
        yield holder


def _as_dict(holder: Holder) -> dict[str, object]:
    return {"pid": holder.pid, "host": holder.host, "since": holder.since,
            "command": holder.command}
