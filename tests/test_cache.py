"""The result cache's bulk look-up leaves the garbage collector as it found it."""

from __future__ import annotations

import gc
import pickle

import pytest

from bilingual.cache import ResultCache


@pytest.mark.parametrize("enabled", [True, False])
def test_looking_up_many_results_pauses_the_collector_and_restores_it(tmp_path, monkeypatch,
                                                                     enabled):
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
    if not enabled:
        gc.disable()
    try:
        found = ResultCache(tmp_path).peek_many(
            "record", [f"input {n}".encode() for n in range(60)])
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert found == [{"n": n, "tags": (f"t{n}",)} for n in range(50)] + [None] * 10
    assert seen == [False] * 50  # no collection walks the results while they load
