"""Spreading independent work over the machine's cores, results in input order.

Worker processes are forked, so they start with everything the parent has
built (configuration, site plan, template environments) without pickling it;
only each chunk's results travel back. Small jobs, a single core or a platform
without `fork` run in the calling process: the result is the same either way,
which keeps every output deterministic.

Before forking, the heap is frozen (`gc.freeze`, as Python's documentation
advises for fork without exec): the cyclic collector no longer walks the
thousands of article records a build holds. A collection writes to every
object it walks, so a worker walking them would copy every memory page it
shares with its parent, and the parent would walk them again and again for
nothing (they live until the build ends). The build freezes them once
gathered, too, forking or not (`freeze_heap`). A long-running process gives
them back to the collector between builds (`thaw_heap`).
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal a process receives when its parent dies."""
MIN_PARALLEL_ITEMS = 64
"""Below this, starting workers costs more than it saves."""

Claims = Any
"""A shared array of two integers, (first, end): the works not yet claimed
by either process of a `Beside`, with its lock."""

_work: Callable | None = None
_finish_chunk: Callable[[], None] | None = None
_beside: tuple[Sequence[Callable], Claims] | None = None


def worker_count() -> int:
    """Cores this process may run on (`BILINGUAL_JOBS` overrides)."""
    configured = os.environ.get("BILINGUAL_JOBS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@cache
def c_library() -> ctypes.CDLL:
    """The C library's functions (`prctl`, `renameat2`, `free`), found among
    the symbols this process has loaded already. `ctypes.util.find_library`
    runs `ldconfig` in a subprocess, once in every worker that starts.
    Raises OSError or TypeError where a platform has no such handle."""
    return ctypes.CDLL(None, use_errno=True)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies: a killed `update`
    or `build` must not leave workers waiting forever on a pipe."""
    try:
        c_library().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, TypeError, AttributeError):
        return  # not Linux: the pool's own shutdown is all there is
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def _forked_pool(workers: int, initializer: Callable, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of `workers` forked processes, each starting with `initializer(*initargs)`;
    the heap is frozen first (see the module's docstring)."""
    freeze_heap()
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=initializer, initargs=initargs)


def freeze_heap() -> None:
    """Keep the cyclic collector off everything alive now until `thaw_heap`:
    before forking, and once a build has loaded the records it keeps to its
    end, which each later collection would otherwise walk again for nothing."""
    gc.freeze()


def thaw_heap() -> None:
    """Let the collector walk what `freeze_heap` froze again: for a process
    that goes on building (the preview server), so that garbage cycles left
    by one build are freed by a later collection."""
    gc.unfreeze()


def _run_chunk(chunk: Sequence) -> list:
    assert _work is not None
    results = [_work(item) for item in chunk]
    if _finish_chunk is not None:
        _finish_chunk()
    return results


def work_chunks(items: Sequence[T], workers: int) -> list[Sequence[T]]:
    """`items` cut into runs for `workers` processes, each a quarter of what
    is left for each worker, down to a 64th of a worker's share. A worker
    takes the next run when done with one: long runs first (few round
    trips), and short ones at the end leave no worker alone with a long run
    while the others wait. With eight runs of one size, cold builds of 1,000
    articles on two cores left them idle 0.79 to 0.96 core-seconds; with
    these, 0.59 to 0.66 (four builds each)."""
    smallest = max(1, len(items) // (workers * 64))
    chunks = []
    start = 0
    while start < len(items):
        size = max(smallest, (len(items) - start) // (workers * 4))
        chunks.append(items[start:start + size])
        start += size
    return chunks


def map_chunks(work: Callable[[T], R], items: Sequence[T],
               advance: Callable[[int], None] | None = None,
               finish_chunk: Callable[[], None] | None = None) -> list[R]:
    """`[work(item) for item in items]`, computed on every core when worthwhile.
    `work` may be a closure: forked workers inherit it. `advance(n)` is called
    in this process as results arrive. `finish_chunk()` is called in a worker
    process after each run of items it was given, before their results are
    sent back (to write out what `work` left pending there); never in this
    process."""
    global _work, _finish_chunk
    workers = min(worker_count(), max(1, len(items) // (MIN_PARALLEL_ITEMS // 2)))
    if workers < 2 or len(items) < MIN_PARALLEL_ITEMS or "fork" not in \
            multiprocessing.get_all_start_methods():
        results = []
        for item in items:
            results.append(work(item))
            if advance is not None:
                advance(1)
        return results
    chunks = work_chunks(items, workers)
    _work, _finish_chunk = work, finish_chunk
    try:
        with _forked_pool(workers, _die_with_parent) as pool:
            results: list[R] = []
            for part in pool.map(_run_chunk, chunks):
                results.extend(part)
                if advance is not None:
                    advance(len(part))
            return results
    finally:
        _work = _finish_chunk = None


def _start_beside(works: Sequence[Callable], claims: Claims) -> None:
    global _beside
    _die_with_parent()
    _beside = works, claims


def _run_beside() -> dict[int, object]:
    """Each work `_claim`ed from the front, by index."""
    assert _beside is not None
    works, claims = _beside
    done = {}
    while (index := _claim(claims, from_front=True)) is not None:
        done[index] = works[index]()
    return done


def _claim(claims: Claims, from_front: bool) -> int | None:
    """The index of the next work not yet claimed, from the front (the
    worker) or the back (the process that started it, which never claims
    the first work); None when there is none left."""
    with claims.get_lock():
        first, end = claims[0], claims[1]
        if from_front and first < end:
            claims[0] = first + 1
            return first  # type: ignore[no-any-return]
        if not from_front and max(first, 1) < end:
            claims[1] = end - 1
            return end - 1  # type: ignore[no-any-return]
        return None


class Beside(Generic[R]):
    """Work started by `beside`: `results()` waits for it, `abandon()` lets it go."""

    def __init__(self, works: Sequence[Callable[[], R]]):
        self._works = tuple(works)
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future | None = None
        self._claims: Claims = None
        if worker_count() >= 2 and "fork" in multiprocessing.get_all_start_methods():
            self._claims = multiprocessing.get_context("fork").Array("q", [0, len(self._works)])
            self._pool = _forked_pool(1, _start_beside, (self._works, self._claims))
            self._future = self._pool.submit(_run_beside)

    def results(self) -> list[R]:
        """Each work's result, in order (computed here and now with one core);
        an exception one raised is raised here. Works the other process has
        not started yet, apart from the first, are done in this one, the last
        first: when this process comes free before the other, the two share
        what is left rather than one waiting for the other."""
        if self._pool is None or self._future is None:
            return [work() for work in self._works]
        done: dict[int, R] = {}
        try:
            while (index := _claim(self._claims, from_front=False)) is not None:
                done[index] = self._works[index]()
            done.update(self._future.result())
            return [done[index] for index in range(len(self._works))]
        except BaseException:
            self.abandon()
            raise
        finally:
            self._pool.shutdown()

    def result(self) -> R:
        """The result of the one work given to `beside`."""
        (result,) = self.results()
        return result

    def abandon(self) -> None:
        """Let the work go when its result is no longer wanted (this process
        is failing): a worker is waited for, so it is not left running; work
        not started is not done."""
        if self._pool is not None:
            with self._claims.get_lock():
                self._claims[0] = self._claims[1]  # the worker starts no more
            self._pool.shutdown(wait=True, cancel_futures=True)


def beside(*works: Callable[[], R]) -> Beside[R]:
    """Start `works` one after the other in a forked worker process while
    this one goes on, when there is more than one core (without `fork`, or
    with one core, they run when their results are asked for). A work may
    be a closure: the worker inherits it. Give the longest first: those
    left at the end may be taken back (`Beside.results`)."""
    return Beside(works)
