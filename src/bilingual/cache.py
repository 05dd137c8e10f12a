"""Reusing work across runs: results of pure steps keyed by a hash of their inputs.

`.bilingual-cache/results.sqlite` in the project holds pickled results of the
expensive steps: reading and segmenting an article, reading a catalog's
entries (`reading`), rendering a page and the state of the last build
(`build`, `publish`), which catalogs `update` wrote itself (`update`). Each
entry is stored under the SHA-256 of its kind, its input bytes and
bilingual's own code, so editing a file or upgrading the tool invalidates it.
A result of one file (an article read or segmented, a catalog read) names
the file as its owner, and a new result of the file replaces it: the cache
holds one result per file and kind, not one per version the file ever had.
Deleting the folder is always safe: the next run recomputes what it needs.
SQLite makes each flush one atomic transaction, so a killed run leaves the
entries of the last flush and nothing torn; an entry that cannot be read is
recomputed.
"""

from __future__ import annotations

import copyreg
import dataclasses
import gc
import hashlib
import importlib.util
import operator
import os
import pickle
import sqlite3
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from bilingual.parallel import freeze_heap

CACHE_FOLDER = ".bilingual-cache"
PACKAGE = Path(__file__).parent

T = TypeVar("T")


def _frozen(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


# Frozen mappings are part of the cached dataclasses; pickle them as dicts.
copyreg.pickle(MappingProxyType, lambda proxy: (_frozen, (dict(proxy),)))


def pickle_by_fields(*classes: type) -> None:
    """Pickle instances of these dataclasses as their constructor arguments:
    loading is then about five times faster than the dataclass default, which
    matters for the hundreds of segments and slots of every cached article."""
    for cls in classes:
        names = [f.name for f in dataclasses.fields(cls)]
        # attrgetter of two or more names makes their tuple in C: a cold
        # build pickles hundreds of thousands of these.
        values = operator.attrgetter(*names) if len(names) > 1 else \
            (lambda obj, name=names[0]: (getattr(obj, name),))
        copyreg.pickle(cls, lambda obj, cls=cls, values=values: (cls, values(obj)))


@contextmanager
def _collector_kept_off() -> Iterator[None]:
    """Pause the cyclic garbage collector, then keep it off what was loaded
    meanwhile (`freeze_heap`). While thousands of results are unpickled the
    heap only grows, so each collection it would start walks ever more
    objects and frees none; once resumed, its next passes would walk them
    all again, though a run keeps them to its end. A long-running process
    gives them back between builds (`thaw_heap`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        freeze_heap()
        if enabled:
            gc.enable()


LIBRARIES = ("markdown_it", "mdit_py_plugins", "cmarkgfm", "jinja2", "markupsafe", "babel",
             "polib", "yaml", *(("backports.zstd",) if sys.version_info < (3, 14) else ()))
"""The libraries whose work the cache keeps (segments, front matter, catalogs,
dates, rendered pages, packed as `publish.pack` packs them): another version
of one makes every result stale. Python 3.14 has Zstandard itself."""


@cache
def code_fingerprint() -> bytes:
    """Hash of bilingual's own source and of the installed `LIBRARIES`: a new
    version of either invalidates every entry."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    for name in LIBRARIES:
        # Where each is, and the size and time of its first file: installing
        # another version writes that file anew. Its version number would take
        # importlib.metadata, some 20 ms more for every command.
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            info = os.stat(origin) if origin else None
        except OSError:
            info = None
        state = f"{info.st_size}.{info.st_mtime_ns}" if info is not None else "missing"
        digest.update(f"{name}\0{origin}\0{state}\n".encode())
    return digest.digest()


class ResultCache:
    """Results by (kind, input bytes), in memory and, with a folder, in one
    SQLite database there (`results.sqlite`): one file instead of thousands,
    written in one transaction per `flush`, safe for concurrent runs."""

    DATABASE = "results.sqlite"
    FLUSH_EVERY = 500
    """Pending results written at once; bounds the memory of a long run."""
    PAGE_SIZE = 65536
    """SQLite's largest page, for a new file. Most results are kilobytes of
    pickle: with the 4,096-byte default each spans a chain of pages, each
    written to the log and again to the file. A cold build of 1,000 articles
    stores 70 MB: its flushes took 0.34 s of CPU with the default, 0.16 s
    with these; reading a kind back is as fast (`docs/build.md`)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._memory: dict[str, object] = {}
        self._used: dict[str, set[str]] = {}
        self._pending: list[tuple[str, str, bytes, str | None]] = []
        """(key, kind, pickled result, owner) to write at the next `flush`."""
        self._adopted: dict[str, bytes] = {}
        """Pickled results handed over by worker processes, loaded when first asked for."""
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def _key(self, kind: str, data: bytes) -> str:
        digest = hashlib.sha256(code_fingerprint())
        digest.update(kind.encode() + b"\0")
        digest.update(data)
        key = digest.hexdigest()
        self._used.setdefault(kind, set()).add(key)
        return key

    def _database(self) -> sqlite3.Connection | None:
        if self.folder is None:
            return None
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        # A forked worker opens its own connection: SQLite's may not cross a fork.
        self._connection, self._pid = None, os.getpid()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.folder / self.DATABASE, timeout=30)
            # Set before anything is written, so only a new file takes it.
            connection.execute(f"PRAGMA page_size={self.PAGE_SIZE}")
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("CREATE TABLE IF NOT EXISTS results "
                               "(key TEXT PRIMARY KEY, kind TEXT NOT NULL, value BLOB NOT NULL)")
            # `prune` counts the results of a kind on every build: without the
            # index, that reads the whole table (gigabytes for a large site).
            connection.execute("CREATE INDEX IF NOT EXISTS results_by_kind ON results (kind)")
            # The key of the result each file (`put`'s owner) has of each kind;
            # a table of its own, so that an older bilingual writes this cache
            # as it always did.
            connection.execute("CREATE TABLE IF NOT EXISTS owners (kind TEXT NOT NULL, "
                               "owner TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (kind, owner))")
            connection.execute("CREATE TABLE IF NOT EXISTS version (fingerprint BLOB NOT NULL)")
            _forget_other_versions(connection)
        except (OSError, sqlite3.Error):
            self.folder = None  # read-only or damaged: carry on without a disk cache
            return None
        self._connection = connection
        return connection

    def _load(self, key: str, keep: bool = True) -> object | None:
        if key in self._adopted:
            value = pickle.loads(self._adopted.pop(key))
            if keep:
                self._memory[key] = value
            return value
        database = self._database()
        if database is None:
            return None
        try:
            row = database.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            value = pickle.loads(row[0]) if row is not None else None
        except Exception:  # noqa: BLE001 - a damaged or stale entry is recomputed
            return None
        if value is not None and keep:
            self._memory[key] = value
        return value

    def has(self, kind: str, data: bytes) -> bool:
        """True when a result for `data` is at hand, in memory or on disk."""
        key = self._key(kind, data)
        if key in self._memory or key in self._adopted:
            return True
        database = self._database()
        if database is None:
            return False
        try:
            return database.execute("SELECT 1 FROM results WHERE key = ?",
                                    (key,)).fetchone() is not None
        except sqlite3.Error:
            return False

    def peek(self, kind: str, data: bytes, keep: bool = True) -> object | None:
        """The stored result for `data`, or None (kept in memory unless `keep=False`)."""
        key = self._key(kind, data)
        if key in self._memory:
            return self._memory[key]
        return self._load(key, keep)

    def peek_many(self, kind: str, datas: Sequence[bytes],
                  keep: bool = True) -> list[object | None]:
        """`peek` for many inputs at once: one query per few hundred, which
        matters when a run looks up a result for each of thousands of articles."""
        keys = [self._key(kind, data) for data in datas]
        found: dict[str, object | None] = {}
        lookup = []
        for key in keys:
            if key in self._memory:
                found[key] = self._memory[key]
            elif key in self._adopted:
                found[key] = self._load(key, keep)
            else:
                lookup.append(key)
        database = self._database() if lookup else None
        with _collector_kept_off():
            for key, blob in self._rows(database, kind, lookup) if database is not None else ():
                try:
                    found[key] = pickle.loads(blob)
                except Exception:  # noqa: BLE001 - a damaged or stale entry is recomputed
                    continue
                if keep:
                    self._memory[key] = found[key]
        return [found.get(key) for key in keys]

    def _rows(self, database: sqlite3.Connection, kind: str,
              keys: list[str]) -> Iterator[tuple[str, bytes]]:
        """The stored (key, pickled value) of those `keys` that are on disk.
        When they are most of what is stored of `kind`, every result of the
        kind is read in the index's order and the others skipped: for the
        20,000 pages of a large site that takes a quarter of the time of as
        many lookups by key."""
        try:
            stored = database.execute("SELECT count(*) FROM results WHERE kind = ?",
                                      (kind,)).fetchone()[0]
            if len(keys) >= self.FLUSH_EVERY and stored <= 2 * len(keys):
                wanted = set(keys)
                for key, blob in database.execute(
                        "SELECT key, value FROM results WHERE kind = ?", (kind,)):
                    if key in wanted:
                        yield key, blob
                return
            for start in range(0, len(keys), self.FLUSH_EVERY):
                chunk = keys[start:start + self.FLUSH_EVERY]
                yield from database.execute(f"SELECT key, value FROM results WHERE key IN "
                                            f"({','.join('?' * len(chunk))})", chunk).fetchall()
        except sqlite3.Error:
            return

    def touch(self, kind: str, data: bytes) -> None:
        """Count the result for `data` as used by this run (`prune` keeps it)
        without loading it: one that another process of the run looks up."""
        self._key(kind, data)

    def put(self, kind: str, data: bytes, value: object, keep: bool = True,
            owner: str | None = None) -> None:
        """Store `value` as the result for `data` (on disk at the next `flush`);
        `keep=False` for results this run will not ask for again (rendered
        pages), so that they do not stay in memory. With an `owner` (the file
        the result is made from), it replaces the owner's stored result of
        `kind`: a file edited a thousand times leaves one result, not a
        thousand."""
        key = self._key(kind, data)
        if keep:
            self._memory[key] = value
        if self.folder is not None:
            self._pending.append((key, kind, pickle.dumps(value, pickle.HIGHEST_PROTOCOL),
                                  owner))
            if len(self._pending) >= self.FLUSH_EVERY:
                self.flush()

    def get(self, kind: str, data: bytes, compute: Callable[[], T],
            owner: str | None = None) -> T:
        """The cached result for `data`, or `compute()`'s, stored for next time
        (under `owner`, as `put`). An exception from `compute` passes through
        and nothing is stored."""
        key = self._key(kind, data)
        if key in self._memory:
            return self._memory[key]  # type: ignore[return-value]
        value = self._load(key)
        if value is None:
            value = compute()
            self.put(kind, data, value, owner=owner)
        return value  # type: ignore[return-value]

    def release(self) -> None:
        """Forget the results held in memory (they stay on disk): a worker
        that goes through thousands of articles keeps one at a time."""
        self._memory.clear()

    def take_pending(self) -> list[tuple[str, str, bytes, str | None]]:
        """The results not yet written, handed over (from a worker process to
        the parent, which writes them)."""
        pending, self._pending = self._pending, []
        return pending

    def adopt(self, pending: Sequence[tuple[str, str, bytes, str | None]]) -> None:
        """Write results that `take_pending` handed over from another process."""
        for key, _, value, _ in pending:
            if key not in self._memory:  # computed here already when run in one process
                self._adopted[key] = value
        if self.folder is not None:
            self._pending.extend(pending)
            if len(self._pending) >= self.FLUSH_EVERY:
                self.flush()

    def flush(self) -> None:
        """Write the pending results in one transaction."""
        pending, self._pending = self._pending, []
        database = self._database()
        if database is None or not pending:
            return
        try:
            with database:
                database.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                                     [(key, kind, value) for key, kind, value, _ in pending])
                owned, replaced = _owned(pending)
                database.executemany("DELETE FROM results WHERE key = ?", replaced)
                database.executemany(
                    "DELETE FROM results WHERE key != ? AND key = "
                    "(SELECT key FROM owners WHERE kind = ? AND owner = ?)", owned)
                database.executemany("INSERT OR REPLACE INTO owners (key, kind, owner) "
                                     "VALUES (?, ?, ?)", owned)
        except sqlite3.Error:
            return  # another run holds the database too long: only the next run is slower
        # Handed-over results are on disk now: read from there when asked for.
        for key, _, _, _ in pending:
            self._adopted.pop(key, None)

    def prune(self, kind: str) -> None:
        """Once there are more than three times as many stored results of `kind`
        as this process looked up, delete the others, so that a cache of
        rendered pages does not grow with every edit."""
        self.flush()
        database = self._database()
        if database is None:
            return
        used = self._used.get(kind, set())
        try:
            stored = database.execute("SELECT count(*) FROM results WHERE kind = ?",
                                      (kind,)).fetchone()[0]
            if stored <= 3 * len(used):
                return  # room for the pages of a few other builds (`serve`, `--drafts`)
            with database:
                database.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                database.execute("DELETE FROM used")
                database.executemany("INSERT INTO used VALUES (?)", ((k,) for k in used))
                database.execute("DELETE FROM results WHERE kind = ? AND key NOT IN "
                                 "(SELECT key FROM used)", (kind,))
        except sqlite3.Error:
            pass


def _owned(pending: Sequence[tuple[str, str, bytes, str | None]],
           ) -> tuple[list[tuple[str, str, str]], list[tuple[str]]]:
    """The newest (key, kind, owner) of each kind and owner among `pending`,
    and the keys of the earlier ones there, which the newest replace."""
    newest: dict[tuple[str, str], str] = {}
    earlier: set[str] = set()
    for key, kind, _, owner in pending:
        if owner is None:
            continue
        if (kind, owner) in newest:
            earlier.add(newest[(kind, owner)])
        newest[(kind, owner)] = key
    # A file changed back within one batch: its newest result is an earlier one too.
    replaced = earlier - set(newest.values())
    return ([(key, kind, owner) for (kind, owner), key in newest.items()],
            [(key,) for key in sorted(replaced)])


def _forget_other_versions(connection: sqlite3.Connection) -> None:
    """Delete every result when the cache was written by another version of
    bilingual or of its `LIBRARIES` (`code_fingerprint`): their keys can never
    match again, and each upgrade would leave a whole site's results behind
    (some 100 MB for 1,000 articles). Checked with one read on every
    connection; the deletion takes the write lock, then checks again, so two
    runs of the new version delete once and keep what either wrote since."""
    fingerprint = code_fingerprint()
    if connection.execute("SELECT fingerprint FROM version").fetchall() == [(fingerprint,)]:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("SELECT fingerprint FROM version").fetchall() != [(fingerprint,)]:
            connection.execute("DELETE FROM results")
            connection.execute("DELETE FROM owners")
            connection.execute("DELETE FROM version")
            connection.execute("INSERT INTO version VALUES (?)", (fingerprint,))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


_caches: dict[Path, ResultCache] = {}


def project_cache(root: Path) -> ResultCache:
    """The one cache of the project at `root` for this process."""
    root = root.resolve()
    if root not in _caches:
        _caches[root] = ResultCache(root / CACHE_FOLDER)
    return _caches[root]


def file_state(path: Path) -> str:
    """One file's identity as `tree_state` takes it (inode, size, modification
    and change times; "missing"): any write, rename or `touch` changes it, so a
    result keyed by it is reused without reading the file."""
    try:
        info = os.stat(path)
    except OSError:
        return "missing"
    return file_identity(info)


def file_identity(info: os.stat_result) -> str:
    """The part of a `stat` result that changes with any write, rename or `touch`."""
    return f"{info.st_ino}.{info.st_size}.{info.st_mtime_ns}.{info.st_ctime_ns}"


@dataclasses.dataclass(frozen=True, slots=True)
class TreeState:
    """What `tree_files` found under some folders."""

    digest: bytes
    """Changes with any file's path, size, inode or times (`tree_state`)."""
    files: Mapping[str, str]
    """Path (as walked from the roots given) -> `file_identity` of each file:
    a run that takes the state first need not `stat` those files again."""

    def file_state(self, path: Path) -> str:
        """`file_state(path)`, from what was found when the file was there then."""
        return self.files.get(str(path)) or file_state(path)


def tree_state(roots: Sequence[Path | str], hidden_kept: Sequence[Path | str] = ()) -> bytes:
    """A digest of every file under `roots` (or each file itself): its path,
    size, inode and modification and change times. Cheap enough to take on
    every run; any write, rename or `touch` changes it. Names starting with
    `.` inside the folders are left out, as the build leaves them out (the
    lock file of `update`, an editor's swap file), and so are the times of
    folders, which change with such files (below `hidden_kept`, they count:
    `tree_files`)."""
    return tree_files(roots, hidden_kept).digest


_VERSION_CONTROL = (".git", ".hg", ".svn")


def tree_files(roots: Sequence[Path | str], hidden_kept: Sequence[Path | str] = ()) -> TreeState:
    """`tree_state`, with the identity of each file it looked at. Below the
    folders `hidden_kept` (`static/`, whose `.htaccess` is a file of the site)
    names starting with `.` count too, version control folders aside."""
    digest = hashlib.sha256()
    files: dict[str, str] = {}
    kept = {str(folder) for folder in hidden_kept}
    pending = [(str(root), str(root) in kept) for root in roots]
    while pending:
        top, hidden = pending.pop()
        try:
            info = os.stat(top)
        except OSError:
            digest.update(f"{top}\0missing\n".encode(errors="surrogateescape"))
            continue
        if stat.S_ISDIR(info.st_mode):
            digest.update(f"{top}\0folder\n".encode(errors="surrogateescape"))
            with os.scandir(top) as entries:
                names = sorted(entry.path for entry in entries
                               if not entry.name.startswith(".")
                               or (hidden and entry.name not in _VERSION_CONTROL))
            pending.extend((name, hidden or name in kept) for name in reversed(names))
            continue
        identity = files[top] = file_identity(info)
        digest.update(f"{top}\0{identity}\n".encode(errors="surrogateescape"))
    return TreeState(digest.digest(), MappingProxyType(files))
