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
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal a process receives when its parent dies."""
MIN_PARALLEL_ITEMS = 64
"""Below this, starting workers costs more than it saves."""

_work: Callable | None = None
_finish_chunk: Callable[[], None] | None = None
_beside: Callable | None = None


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


def _start_beside(work: Callable) -> None:
    global _beside
    _die_with_parent()
    _beside = work


def _run_beside() -> object:
    assert _beside is not None
    return _beside()


class Beside(Generic[R]):
    """Work started by `beside`: `result()` waits for it, `abandon()` lets it go."""

    def __init__(self, work: Callable[[], R]):
        self._work = work
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future | None = None
        if worker_count() >= 2 and "fork" in multiprocessing.get_all_start_methods():
            self._pool = _forked_pool(1, _start_beside, (work,))
            self._future = self._pool.submit(_run_beside)

    def result(self) -> R:
        """The work's result (computed here and now with one core); an
        exception it raised is raised here."""
        if self._pool is None or self._future is None:
            return self._work()
        try:
            return self._future.result()  # type: ignore[no-any-return]
        finally:
            self._pool.shutdown()

    def abandon(self) -> None:
        """Let the work go when its result is no longer wanted (this process
        is failing): a worker is waited for, so it is not left running; work
        not started is not done."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def beside(work: Callable[[], R]) -> Beside[R]:
    """Start `work()` in a forked worker process while this one goes on, when
    there is more than one core (without `fork`, or with one core, it runs
    when its result is asked for). `work` may be a closure: the worker
    inherits it."""
    return Beside(work)
