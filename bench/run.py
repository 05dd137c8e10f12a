#!/usr/bin/env python3
"""Benchmark of `bilingual` against Hugo on a generated bilingual corpus (issue 5).

    python bench/run.py [--sizes 1000,10000] [--repeat 3] [--work DIR] [--results bench/RESULTS.md]

Prepares each size once (cached in the work folder), then measures in one run,
alternating the tools, and writes RESULTS.md with every figure as a ratio to
Hugo's cold build of the same size in the same run (the machine is shared, so
absolute times drift; ratios taken close together do not).
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import edits
import prepare
import results
from measure import Sample, run_measured
from prepare import Inputs, bilingual_command

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
AGAIN = 500
"""Offset of the second edit of each repetition (`edits.append_sentence` picks another article)."""


class Session:
    """The measurements of one size: where things are, what was measured so far."""

    def __init__(self, inputs: Inputs, work: Path, seed: str) -> None:
        self.inputs = inputs
        self.seed = seed
        self.project = work / f"run-{inputs.size}"
        self.hugo_out = work / f"hugo-out-{inputs.size}"
        self.merge_out = work / f"msgmerge-out-{inputs.size}"
        self.log = work / f"run-{inputs.size}.log"
        self.samples: dict[str, list[Sample]] = defaultdict(list)
        self.reported_removal = False

    def bilingual(self, *args: str) -> list[str]:
        """A quiet bilingual command line (Hugo runs with --quiet too)."""
        return [*bilingual_command(), "-q", *args]

    def record(self, key: str, sample: Sample, rep: int) -> None:
        """Keep a sample and print it against the latest Hugo cold build."""
        self.samples[key].append(sample)
        hugo = self.samples["hugo_cold"][-1]
        print(f"[{self.inputs.size} rep {rep + 1}] {results.LABELS[key]:<58} {sample.wall:8.3f} s "
              f"{sample.wall / hugo.wall:7.3f}× Hugo   {sample.peak_mib:7.0f} MiB "
              f"{sample.peak_mib / hugo.peak_mib:6.3f}× Hugo   CPU {sample.cpu:7.2f} s", flush=True)

    def run(self, key: str, argv: list[str], cwd: Path, rep: int) -> Sample:
        """Measure one command and record it under `key`."""
        sample = run_measured(argv, cwd, self.log)
        self.record(key, sample, rep)
        return sample

    def restore(self) -> None:
        """The project back to its pristine state (untimed)."""
        shutil.rmtree(self.project, ignore_errors=True)
        prepare.copy_tree(self.inputs.pristine, self.project)

    def restore_sources(self) -> None:
        """Pristine sources, generated entries left in place for the cold build to find and remove."""
        if not self.project.exists():
            return self.restore()
        for name in prepare.SOURCE_ENTRIES:
            path = self.project / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
            if (self.inputs.pristine / name).exists():
                prepare.copy_tree(self.inputs.pristine / name, self.project / name)

    def hugo_cold(self, rep: int, rebuild: bool = False) -> None:
        """Hugo into an empty folder; with `rebuild`, once more into the folder it just wrote,
        then the site of earlier runs (no tag pages, no feeds) into an empty folder."""
        site = self.inputs.hugo_site
        prepare.clean_hugo(site, self.hugo_out)
        self.run("hugo_cold", prepare.hugo_command(self.hugo_out), site, rep)
        if rebuild:
            self.run("hugo_rebuild", prepare.hugo_command(self.hugo_out), site, rep)
        if rep == 0 and rebuild:
            check_pages(self.hugo_out / "es", self.inputs.size, "Hugo")
            check_tag_pages(self.hugo_out / "es", "Hugo")
        if rebuild:
            prepare.clean_hugo(site, self.hugo_out)
            self.run("hugo_pages_only",
                     prepare.hugo_command(self.hugo_out, prepare.HUGO_PAGES_ONLY_CONFIG), site, rep)

    def builds(self, rep: int) -> None:
        """Cold build with every generated entry removed, then a no-op build."""
        removed = prepare.remove_generated(self.project)
        if removed and not self.reported_removal:
            print(f"[{self.inputs.size}] removed before the cold build: {', '.join(removed)}")
            self.reported_removal = True
        self.run("cold", self.bilingual("build"), self.project, rep)
        if rep == 0:
            check_pages(self.project / "site" / "es", self.inputs.size, "bilingual")
        self.run("noop", self.bilingual("build"), self.project, rep)

    def one_article(self, rep: int) -> None:
        """Steady state (untimed update), then one German article edited: update and build;
        then another one, now that the build before has left its site behind."""
        run_measured(self.bilingual("update"), self.project, self.log)
        for prefix, edit in (("one", rep), ("again", AGAIN + rep)):
            edits.append_sentence(self.project, edit)
            update = self.run(f"{prefix}_update", self.bilingual("update"), self.project, rep)
            build = self.run(f"{prefix}_build", self.bilingual("build"), self.project, rep)
            total = Sample(wall=update.wall + build.wall,
                           peak_mib=max(update.peak_mib, build.peak_mib), cpu=update.cpu + build.cpu)
            self.record(f"{prefix}_total", total, rep)

    def updates(self, rep: int) -> None:
        """Cold update of the unchanged project, then update after the 5% paragraph edits."""
        self.restore()
        self.run("update_cold", self.bilingual("update"), self.project, rep)
        edits.edit_fraction(self.project, prepare.EDIT_FRACTION, self.seed)
        self.run("update_5", self.bilingual("update"), self.project, rep)

    def msgmerge(self, rep: int) -> None:
        """msgmerge --previous of every unedited catalog with the edited sources' POT, one shell loop."""
        shutil.rmtree(self.merge_out, ignore_errors=True)
        pairs = self.merge_out / "pairs.txt"
        pairs.parent.mkdir(parents=True)
        catalogs = self.inputs.pristine / "locales" / "es" / "LC_MESSAGES"
        lines = []
        for po in sorted(catalogs.rglob("*.po")):
            relative = po.relative_to(catalogs)
            out = self.merge_out / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            lines.append(f"{po} {self.inputs.pots / relative.with_suffix('.pot')} {out}")
        pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
        loop = ('while read old pot out; do msgmerge --previous -q -o "$out" "$old" "$pot" || exit 1; '
                'done < "$1"')
        self.run("msgmerge_5", ["sh", "-c", loop, "sh", str(pairs)], self.merge_out, rep)

    def repetition(self, rep: int) -> None:
        """One round of every measurement, Hugo's cold build between the bilingual groups."""
        self.restore_sources()
        self.hugo_cold(rep, rebuild=True)
        self.builds(rep)
        self.hugo_cold(rep)
        self.one_article(rep)
        self.hugo_cold(rep)
        self.updates(rep)
        self.hugo_cold(rep)
        self.msgmerge(rep)


def check_pages(folder: Path, size: int, tool: str) -> None:
    """Fail when a build wrote fewer Spanish article pages than articles: it would be measured short."""
    pages = sum(1 for _ in folder.glob("*/index.html"))
    if pages < size:
        raise RuntimeError(f"{tool} wrote {pages} Spanish pages under {folder}, expected {size}")


def check_tag_pages(folder: Path, tool: str) -> None:
    """Fail when a build wrote no tag pages or no feed: it would make less than bilingual."""
    if not any(folder.glob("tags/*/index.html")) or not any(folder.glob("index.xml")):
        raise RuntimeError(f"{tool} wrote no tag pages or no feed under {folder}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated corpus sizes in articles (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; medians are reported (default 3)")
    parser.add_argument("--work", type=Path, default=BENCH / "work",
                        help="cache and scratch folder (default bench/work/, gitignored)")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md", help="report to write")
    parser.add_argument("--seed", default="1", help="corpus and edit seed (default 1)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="prepare (and cache) the inputs, measure nothing")
    parser.add_argument("--no-renderers", action="store_true",
                        help="skip bench/renderers.py (run over the smallest corpus by default)")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    return args


def run_renderers(inputs: Inputs, results_path: Path) -> None:
    """The Markdown renderer comparison over the smallest corpus, appended to RESULTS.md."""
    script = BENCH / "renderers.py"
    subprocess.run([sys.executable, str(script), "--corpus", str(inputs.corpus),
                    "--results", str(results_path)], check=True)


def main(argv: list[str] | None = None) -> int:
    """Prepare, measure every size, write the results."""
    args = parse_args(argv)
    command = shlex.join(["python", "bench/run.py", *(sys.argv[1:] if argv is None else argv)])
    prepare.ensure_tools()
    prepare.compile_measured_package()
    work = args.work.resolve()
    inputs = {size: prepare.prepare(work, size, args.seed) for size in args.sizes}
    if args.prepare_only:
        return 0
    by_size = {}
    for size in args.sizes:
        session = Session(inputs[size], work, args.seed)
        for rep in range(args.repeat):
            session.repetition(rep)
        by_size[size] = results.medians(session.samples)
    edited = {size: inputs[size].edited for size in args.sizes}
    pot_source = inputs[min(args.sizes)].pot_source
    results.write(args.results, command, REPO, args.repeat, by_size, edited, pot_source)
    print(f"wrote {args.results}")
    for target in results.targets(by_size):
        print(f"target: {target.text}: {target.measured}: {results.VERDICT[target.met]}")
    if not args.no_renderers:
        run_renderers(inputs[min(args.sizes)], args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
