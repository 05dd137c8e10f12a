"""Work spread over processes: same results as one process, no workers left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import bilingual.parallel
from bilingual.parallel import map_chunks, work_chunks

WORKER_SCRIPT = """
import os, sys, time
os.environ["BILINGUAL_JOBS"] = "2"
from bilingual import parallel
parallel.MIN_PARALLEL_ITEMS = 2

def work(item):
    # One write per line: the two workers share the pipe (print writes the newline apart).
    sys.stdout.write(f"{os.getpid()}\\n")
    sys.stdout.flush()
    time.sleep(120)

parallel.map_chunks(work, list(range(8)))
"""


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has already died


def test_results_come_back_in_input_order_from_several_processes(monkeypatch):
    monkeypatch.setattr(bilingual.parallel, "MIN_PARALLEL_ITEMS", 2)
    monkeypatch.setenv("BILINGUAL_JOBS", "2")
    seen = []
    results = map_chunks(lambda n: (n * n, os.getpid()), list(range(40)), seen.append)
    assert [square for square, _ in results] == [n * n for n in range(40)]
    assert os.getpid() not in {pid for _, pid in results}  # computed in workers
    assert sum(seen) == 40


def test_runs_of_work_cover_every_item_in_order_and_end_small():
    for count in (64, 65, 1000, 2044, 20000):
        for workers in (2, 3, 8):
            chunks = work_chunks(list(range(count)), workers)
            assert [n for chunk in chunks for n in chunk] == list(range(count))
            sizes = [len(chunk) for chunk in chunks]
            assert sizes == sorted(sizes, reverse=True)
            assert sizes[-1] <= max(1, count // (workers * 64))
            # Each run costs a round trip and, in a build, a transaction.
            assert len(chunks) <= workers * 24


def test_workers_taking_runs_as_they_free_up_finish_together_with_heavy_items_first():
    # A build hands its listings first, each as costly as many articles
    # (2,044 pages of 1,000 articles: 46 listings, a third of the work).
    # Each worker taking the next run when done, they still end within a
    # hundredth of the work of each other, not one alone at the end.
    for workers, costs in ((2, [20] * 46 + [1] * 1998), (3, [5] * 50 + [1] * 950)):
        finish = [0] * workers
        for chunk in work_chunks(costs, workers):
            free = finish.index(min(finish))
            finish[free] += sum(chunk)
        assert max(finish) - min(finish) <= sum(costs) / 100, finish


def test_each_worker_finishes_its_run_of_items_before_their_results_come_back(
        tmp_path, monkeypatch):
    monkeypatch.setattr(bilingual.parallel, "MIN_PARALLEL_ITEMS", 2)
    monkeypatch.setenv("BILINGUAL_JOBS", "2")
    unfinished: list[int] = []  # each worker's own copy

    def finish() -> None:
        (tmp_path / f"{os.getpid()}-{unfinished[0]}").write_text(
            " ".join(map(str, unfinished)))
        unfinished.clear()

    def finished_items() -> list[int]:
        return sorted(int(n) for f in tmp_path.iterdir() for n in f.read_text().split())

    arrived = []

    def advance(count: int) -> None:
        arrived.append(count)
        assert len(finished_items()) >= sum(arrived)  # finished before it came back

    results = map_chunks(lambda n: unfinished.append(n) or os.getpid(), list(range(40)),
                         advance, finish)
    assert finished_items() == list(range(40)) and sum(arrived) == 40
    finishers = {int(f.name.split("-")[0]) for f in tmp_path.iterdir()}
    assert finishers == set(results) and os.getpid() not in finishers


def test_workers_die_when_their_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT], stdout=subprocess.PIPE,
                              text=True)
    try:
        workers = {int(parent.stdout.readline()), int(parent.stdout.readline())}
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        parent.stdout.close()
    assert parent.pid not in workers
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "workers outlived the killed parent"


def test_work_beside_runs_in_another_process_and_brings_back_result_or_error(monkeypatch):
    from bilingual.parallel import beside

    monkeypatch.setenv("BILINGUAL_JOBS", "2")
    seen = [1, 2]
    started = beside(lambda: (os.getpid(), sum(seen)))
    seen.append(100)  # the worker has its own copy, taken when it started
    pid, total = started.result()
    assert pid != os.getpid() and total == 3

    def fails() -> None:
        raise ValueError("kaputt")

    for failing in beside(fails), beside(lambda: 1, fails):  # the second may fail here
        try:
            failing.results()
        except ValueError as exc:
            assert str(exc) == "kaputt"
        else:
            raise AssertionError("the work's error was lost")


def test_works_beside_that_have_not_started_when_results_are_wanted_run_here(monkeypatch):
    # The worker is held in the first work until the last one has run: asked
    # for the results, this process takes the works left from the back
    # instead of waiting for the worker to reach them.
    import multiprocessing

    from bilingual.parallel import beside

    monkeypatch.setenv("BILINGUAL_JOBS", "2")
    released = multiprocessing.get_context("fork").Event()

    def first() -> int:
        assert released.wait(30), "the last work never ran in the other process"
        return os.getpid()

    def last() -> int:
        released.set()
        return os.getpid()

    started = beside(first, os.getpid, last)
    worker, _, here = started.results()
    assert worker != os.getpid() and here == os.getpid()


def test_work_beside_on_one_core_runs_only_when_its_result_is_wanted(monkeypatch):
    from bilingual.parallel import beside

    monkeypatch.setenv("BILINGUAL_JOBS", "1")
    ran = []
    abandoned = beside(lambda: ran.append("abandoned"))
    abandoned.abandon()
    wanted = beside(lambda: ran.append(os.getpid()) or "done")
    assert wanted.result() == "done"
    assert ran == [os.getpid()]


def test_forking_freezes_the_heap_for_the_workers_until_it_is_thawed(monkeypatch):
    # Frozen, the collector leaves what the workers inherit alone: a collection
    # in a worker would otherwise copy every memory page it walks.
    import gc

    from bilingual.parallel import beside, thaw_heap

    monkeypatch.setenv("BILINGUAL_JOBS", "2")
    monkeypatch.setattr(bilingual.parallel, "MIN_PARALLEL_ITEMS", 2)
    thaw_heap()
    assert gc.get_freeze_count() == 0
    inherited = [object() for _ in range(1000)]
    try:
        assert beside(lambda: gc.get_freeze_count()).result() > len(inherited)
        thaw_heap()
        counts = map_chunks(lambda _: (os.getpid(), gc.get_freeze_count()), range(4))
        assert all(pid != os.getpid() and count > len(inherited) for pid, count in counts)
        assert gc.get_freeze_count() > len(inherited)
    finally:
        thaw_heap()
    assert gc.get_freeze_count() == 0


