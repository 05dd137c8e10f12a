#!/usr/bin/env python3
"""Wall time of the phases of one bilingual command, in the process that runs it.

    cd PROJECT && python /path/to/bench/phases.py build [ARGS...]

Runs `bilingual ARGS` with the main functions of the build and update
pipeline wrapped in timers, then prints, slowest first, the seconds spent in
each (summed over calls; nested phases count in their callers too). Work done
by worker processes shows only as the time the parent waits for it. For
finding where a run's time goes, not for figures to compare: `bench/run.py`
measures those.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable

import bilingual.build
import bilingual.cache
import bilingual.parallel
import bilingual.publish
import bilingual.templates
import bilingual.update
from bilingual.cli import main

PHASES = {
    bilingual.build: ("rebuild_site", "render_site", "gather", "tag_pages", "plan_site",
                      "_render_pages", "_page_keys", "_links_unchanged", "link_state",
                      "write_site", "remember_site", "recorded_site", "find_collisions"),
    bilingual.publish: ("_mirror", "_previous_manifest", "_swap_in", "vouched_files",
                        "input_state", "unchanged_site"),
    bilingual.update: ("plan_update", "_stable_by_state", "apply_plan"),
}
METHODS = {
    bilingual.templates.Renderer: ("home", "tag", "article", "entries"),
    bilingual.cache.ResultCache: ("peek_many", "flush", "prune"),
    # Time this process waited for what another one made meanwhile (the
    # sitemap, feeds and status page; the staging copy).
    bilingual.parallel.Beside: ("result",),
}

spent: dict[str, float] = {}


def timed(label: str, function: Callable) -> Callable:
    """`function`, adding its wall time to `spent[label]`."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - start
    return wrapper


def report() -> None:
    """Print every phase that ran, slowest first."""
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"{label:40} {seconds:8.3f} s", file=sys.stderr)


if __name__ == "__main__":
    for module, names in PHASES.items():
        for name in names:
            if hasattr(module, name):
                setattr(module, name, timed(f"{module.__name__}.{name}", getattr(module, name)))
    for cls, names in METHODS.items():
        for name in names:
            setattr(cls, name, timed(f"{cls.__name__}.{name}", getattr(cls, name)))
    sys.argv = ["bilingual", *sys.argv[1:]]
    start = time.perf_counter()
    try:
        main()
    finally:
        spent["total (after imports)"] = time.perf_counter() - start
        report()
