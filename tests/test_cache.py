"""The result cache's bulk look-up keeps the garbage collector off what it loads,
and leaves it enabled or disabled as it found it."""

from __future__ import annotations

import gc
import pickle

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
