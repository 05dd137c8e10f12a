#!/usr/bin/env python3
"""The least a cold build in Python costs, against Hugo's cold build in the same run (issue 5).

    python bench/floor.py [--size 1000] [--repeat 3] [--work bench/work]

Uses the corpus, project and Hugo site `bench/run.py` prepared for that size.
Alternating with Hugo's cold build of the same site, it times in this process
the steps no cold build of the project can skip, each with the very functions
`bilingual build` calls, and nothing else: starting Python with bilingual's
modules, reading each German article (front matter included), the
markdown-it-py block parse that segmenting starts from, reading each
catalog's states, and cmark-gfm rendering each body twice (German and
Spanish). Templates, links, the cache and writing files are left out, so the
sum is a floor, not an estimate. Each step's CPU time is printed as a ratio
to Hugo's median wall time, and so is the floor on two cores: start-up plus
half the CPU of the rest, as if it were spread perfectly.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from measure import run_measured
from prepare import clean_hugo, compile_measured_package, hugo_command

from bilingual.reading import read_catalog_states
from bilingual.render import cmark_html
from bilingual.segment import block_parser
from bilingual.sources import SourceDoc, read_source

BENCH = Path(__file__).resolve().parent
T = TypeVar("T")
CORES = 2
"""What the issue's machines have; Hugo uses both."""


def cpu_seconds(step: Callable[[], object]) -> float:
    """CPU time of `step()` in this process."""
    start = time.process_time()
    step()
    return time.process_time() - start


def start_seconds() -> float:
    """Wall time of a Python process that imports bilingual's command line and exits."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import bilingual.cli"], check=True)
    return time.perf_counter() - start


def hugo_seconds(site: Path, out: Path, log: Path) -> float:
    """Wall time of Hugo's cold build of `site` into an empty `out`."""
    clean_hugo(site, out)
    return run_measured(hugo_command(out), site, log).wall


def each(work: Callable[[T], object], items: Sequence[T]) -> Callable[[], None]:
    """A step that does `work` for every item and keeps none of the results,
    as a build does: a thousand token lists kept alive would have the
    garbage collector walk them again and again, time no build spends."""
    def step() -> None:
        for item in items:
            work(item)
    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=BENCH / "work")
    parser.add_argument("--seed", default="1")
    args = parser.parse_args(argv)
    work = args.work.resolve()
    project = work / f"project-{args.size}-s{args.seed}"
    hugo_site = work / f"hugo-{args.size}-s{args.seed}"
    if not project.is_dir() or not hugo_site.is_dir():
        parser.error(f"run `python bench/run.py --sizes {args.size} --prepare-only` first")
    compile_measured_package()  # as bench/run measures it
    content = project / "content" / "de"
    articles = sorted(content.rglob("*.md"))
    catalogs = sorted((project / "locales" / "es" / "LC_MESSAGES").rglob("*.po"))
    docs: list[SourceDoc] = []
    md = block_parser()

    def read() -> None:
        docs[:] = [read_source(path, content, "de") for path in articles]

    steps: dict[str, Callable[[], object]] = {
        "read the German articles": read,
        "block-parse them (markdown-it-py, what segmenting starts from)":
            each(lambda doc: md.parse(doc.body), docs),
        "read the catalogs' states": each(read_catalog_states, catalogs),
        "render each body twice (cmark-gfm)":
            each(lambda doc: (cmark_html(doc.body), cmark_html(doc.body)), docs),
    }
    hugo: list[float] = []
    starts: list[float] = []
    spent: dict[str, list[float]] = {name: [] for name in steps}
    log = work / "floor.log"
    for _ in range(args.repeat):
        hugo.append(hugo_seconds(hugo_site, work / f"floor-hugo-out-{args.size}", log))
        starts.append(start_seconds())
        for name, step in steps.items():
            spent[name].append(cpu_seconds(step))
    reference = statistics.median(hugo)
    start = statistics.median(starts)
    print(f"{args.size:,} articles, {len(catalogs):,} catalogs; medians of {args.repeat}, "
          f"as a ratio to Hugo's cold build ({reference:.2f} s wall)")
    print(f"  {'start Python and import bilingual (wall)':<66} {start:7.2f} s {start / reference:6.3f}×")
    total = 0.0
    for name, runs in spent.items():
        seconds = statistics.median(runs)
        total += seconds
        print(f"  {name + ' (CPU)':<66} {seconds:7.2f} s {seconds / reference:6.3f}×")
    floor = start + total / CORES
    print(f"  {f'floor on {CORES} cores: start + CPU / {CORES}':<66} {floor:7.2f} s "
          f"{floor / reference:6.3f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
