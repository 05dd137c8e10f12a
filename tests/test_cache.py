"""The result cache: its bulk look-up keeps the garbage collector off what it
loads (and leaves it enabled or disabled as it found it); its keys change with
bilingual's code and with the libraries whose work it keeps."""

from __future__ import annotations

import gc
import pickle
import re

import pytest

from bilingual.cache import ResultCache
from bilingual.parallel import thaw_heap


@pytest.mark.parametrize("enabled", [True, False])
def test_looking_up_many_results_keeps_the_collector_off_them_until_thawed(
        tmp_path, monkeypatch, enabled):
    stored = ResultCache(tmp_path)
    for n in range(50):
        stored.put("record", f"input {n}".encode(), {"n": n, "tags": (f"t{n}",)})
    stored.flush()
    seen: list[bool] = []
    loads = pickle.loads

    def loads_watching_the_collector(blob: bytes) -> object:
        seen.append(gc.isenabled())
        return loads(blob)

    monkeypatch.setattr(pickle, "loads", loads_watching_the_collector)
    thaw_heap()
    if not enabled:
        gc.disable()
    try:
        found = ResultCache(tmp_path).peek_many(
            "record", [f"input {n}".encode() for n in range(60)])
        assert gc.isenabled() is enabled
        # Nor later: the run keeps them to its end (frozen, untracked).
        tracked = {id(o) for o in gc.get_objects()}
        assert not any(id(result) in tracked for result in found if result is not None)
    finally:
        gc.enable()
        thaw_heap()
    assert found == [{"n": n, "tags": (f"t{n}",)} for n in range(50)] + [None] * 10
    assert seen == [False] * 50  # no collection walks the results while they load


@pytest.mark.parametrize("older", [0, 3000])
def test_looking_up_most_of_a_kind_finds_what_keyed_lookups_find(tmp_path, older):
    # 1,200 wanted of 1,200 stored reads the whole kind at once; with 3,000
    # results of earlier builds beside them it asks for each key. Either way
    # only the asked-for results of that kind come back, damaged ones as None.
    stored = ResultCache(tmp_path)
    for n in range(1200):
        stored.put("page", f"page {n}".encode(), ("page", n))
        stored.put("other", f"page {n}".encode(), ("other", n))
    for n in range(older):
        stored.put("page", f"old page {n}".encode(), ("old", n))
    stored.flush()
    damaged = ResultCache(tmp_path)
    key = damaged._key("page", b"page 7")
    with damaged._database() as database:
        database.execute("UPDATE results SET value = ? WHERE key = ?", (b"not a pickle", key))
    wanted = [f"page {n}".encode() for n in range(1200)] + [b"never stored"]
    found = ResultCache(tmp_path).peek_many("page", wanted)
    assert found == [("page", n) if n != 7 else None for n in range(1200)] + [None]


def test_another_version_of_a_library_invalidates_every_result(tmp_path, monkeypatch):
    # Pages rendered, dates formatted and articles segmented by the version
    # before must not stand for what the new one makes.
    import bilingual.cache
    from bilingual.cache import code_fingerprint

    library = tmp_path / "lib" / "renderer_of_old.py"
    library.parent.mkdir()
    library.write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(library.parent))
    monkeypatch.setattr(bilingual.cache, "LIBRARIES", ("renderer_of_old",))
    code_fingerprint.cache_clear()
    stored = ResultCache(tmp_path / "cache")
    stored.put("page", b"inputs", "rendered by version 1")
    stored.flush()
    assert ResultCache(tmp_path / "cache").peek("page", b"inputs") == "rendered by version 1"

    library.write_text("VERSION = 2.0\n", encoding="utf-8")  # what an upgrade does
    code_fingerprint.cache_clear()
    assert ResultCache(tmp_path / "cache").peek("page", b"inputs") is None
    code_fingerprint.cache_clear()  # the real libraries again, after monkeypatch's undo


def test_the_first_run_of_another_version_deletes_the_results_of_the_one_before(tmp_path,
                                                                               monkeypatch):
    # Their keys never match again: an upgrade would leave them behind for good.
    import sqlite3

    import bilingual.cache

    def stored_keys() -> int:
        with sqlite3.connect(tmp_path / "cache" / ResultCache.DATABASE) as database:
            return database.execute("SELECT count(*) FROM results").fetchone()[0]

    old = ResultCache(tmp_path / "cache")
    old.put("page", b"inputs", "rendered by version 1")
    old.put("segments", b"article", "segmented by version 1")
    old.flush()
    assert ResultCache(tmp_path / "cache").peek("page", b"inputs") == "rendered by version 1"
    assert stored_keys() == 2

    monkeypatch.setattr(bilingual.cache, "code_fingerprint", lambda: b"version 2")
    new = ResultCache(tmp_path / "cache")
    assert new.peek("page", b"inputs") is None and stored_keys() == 0
    new.put("page", b"inputs", "rendered by version 2")
    new.flush()
    assert ResultCache(tmp_path / "cache").peek("page", b"inputs") == "rendered by version 2"
    assert stored_keys() == 1


def test_every_library_whose_work_is_cached_is_in_the_fingerprint():
    # Every runtime dependency but the command-line parser shapes a result
    # the cache keeps; markupsafe escapes every template's output.
    import importlib.metadata
    import importlib.util
    import tomllib
    from pathlib import Path

    from bilingual.cache import LIBRARIES

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    wanted = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.split(r"[<>=!~ \[;]", requirement)[0].lower() for requirement in wanted}
    modules = {module for module, distributions in
               importlib.metadata.packages_distributions().items()
               if not module.startswith("_")  # PyYAML's _yaml, its C half
               and any(d.lower() in names - {"click"} for d in distributions)}
    # A namespace package (backports) is known by the module of its own.
    assert all(any(name == module or name.startswith(module + ".") for name in LIBRARIES)
               for module in modules | {"markupsafe"}), modules
    assert all(importlib.util.find_spec(name) is not None for name in LIBRARIES)


def _rows(folder) -> list[tuple[str, str | None]]:
    import sqlite3
    with sqlite3.connect(folder / ResultCache.DATABASE) as database:
        return sorted(database.execute("SELECT results.kind, owner FROM results LEFT JOIN owners "
                                       "ON owners.key = results.key"), key=repr)


def test_a_result_replaces_the_one_of_the_same_kind_and_owner(tmp_path):
    # One result per file and kind: a file edited a thousand times leaves one.
    cache = ResultCache(tmp_path)
    for version in range(5):
        cache.put("segments", f"a.md version {version}".encode(), version, owner="a.md")
        cache.put("source", f"a.md version {version}".encode(), version, owner="a.md")
        cache.put("page", f"page version {version}".encode(), version)  # no owner: pruned
    cache.put("segments", b"b.md", "b", owner="b.md")
    cache.flush()
    assert _rows(tmp_path) == sorted([("segments", "a.md"), ("source", "a.md"),
                                      ("segments", "b.md")] + [("page", None)] * 5, key=repr)
    fresh = ResultCache(tmp_path)
    assert fresh.peek("segments", b"a.md version 4") == 4
    assert fresh.peek("segments", b"a.md version 3") is None
    assert fresh.peek("segments", b"b.md") == "b"
    assert fresh.get("segments", b"a.md version 3", lambda: "again", owner="a.md") == "again"
    fresh.flush()
    assert ResultCache(tmp_path).peek("segments", b"a.md version 4") is None
    assert ResultCache(tmp_path).peek("segments", b"a.md version 3") == "again"
    # Changed and changed back before one flush: the result is the first one's.
    for version in (3, 4, 3):
        fresh.put("source", f"a.md version {version}".encode(), version, owner="a.md")
    fresh.flush()
    assert ResultCache(tmp_path).peek("source", b"a.md version 3") == 3
    assert ResultCache(tmp_path).peek("source", b"a.md version 4") is None


def test_results_handed_over_by_a_worker_keep_their_owner(tmp_path):
    worker = ResultCache(tmp_path)
    worker.put("catalog", b"x.po version 1", 1, owner="x.po")
    worker.put("catalog", b"x.po version 2", 2, owner="x.po")
    parent = ResultCache(tmp_path)
    parent.adopt(worker.take_pending())
    assert parent.peek("catalog", b"x.po version 2") == 2
    parent.flush()
    assert _rows(tmp_path) == [("catalog", "x.po")]
    assert ResultCache(tmp_path).peek("catalog", b"x.po version 2") == 2


def test_a_cache_written_before_owners_keeps_its_results_and_older_versions_write_it(
        tmp_path):
    # An older bilingual (a branch that pins it, a cache restored in CI)
    # still reads and writes the same file.
    import sqlite3

    from bilingual.cache import code_fingerprint

    def older_bilingual_writes(key: str, value: str) -> None:
        with sqlite3.connect(tmp_path / ResultCache.DATABASE) as database:
            database.execute("CREATE TABLE IF NOT EXISTS results "
                             "(key TEXT PRIMARY KEY, kind TEXT NOT NULL, value BLOB NOT NULL)")
            database.execute("CREATE TABLE IF NOT EXISTS version (fingerprint BLOB NOT NULL)")
            if not database.execute("SELECT * FROM version").fetchall():
                database.execute("INSERT INTO version VALUES (?)", (code_fingerprint(),))
            database.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                             (key, "page", pickle.dumps(value)))

    keys = ResultCache(None)
    older_bilingual_writes(keys._key("page", b"inputs"), "kept")
    cache = ResultCache(tmp_path)
    assert cache.peek("page", b"inputs") == "kept"
    for version in range(3):
        cache.put("source", f"a.md version {version}".encode(), version, owner="a.md")
    cache.flush()
    assert _rows(tmp_path) == [("page", None), ("source", "a.md")]
    older_bilingual_writes(keys._key("page", b"other inputs"), "written by the older one")
    assert ResultCache(tmp_path).peek("page", b"other inputs") == "written by the older one"


def test_a_new_cache_stores_large_results_in_large_pages_and_an_older_one_keeps_working(
        tmp_path):
    # Results of some kilobytes each, as a build stores: a new file is made
    # with 64 KiB pages, so each fits a page instead of a chain of them.
    import sqlite3

    def page_size(folder) -> int:
        with sqlite3.connect(folder / ResultCache.DATABASE) as database:
            return database.execute("PRAGMA page_size").fetchone()[0]

    results = {f"article {n}".encode(): "Satz. " * (400 + n) for n in range(40)}
    new = ResultCache(tmp_path / "new")
    for data, value in results.items():
        new.put("segments", data, value)
    new.flush()
    assert page_size(tmp_path / "new") == 65536

    # A cache an earlier bilingual made, with SQLite's default pages, is
    # read and written as it is: its page size cannot change without
    # rewriting the whole file.
    older = tmp_path / "older"
    older.mkdir()
    with sqlite3.connect(older / ResultCache.DATABASE) as database:
        database.execute("CREATE TABLE results "
                         "(key TEXT PRIMARY KEY, kind TEXT NOT NULL, value BLOB NOT NULL)")
    assert page_size(older) == 4096
    kept = ResultCache(older)
    for data, value in results.items():
        kept.put("segments", data, value)
    kept.flush()
    assert ResultCache(older).peek_many("segments", list(results)) == list(results.values())
    assert page_size(older) == 4096
    assert ResultCache(tmp_path / "new").peek_many("segments", list(results)) == list(
        results.values())
