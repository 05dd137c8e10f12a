"""Medians, ratios to Hugo's cold build, the targets of issue 5, and bench/RESULTS.md."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from measure import Sample

REFERENCE = "hugo_cold"
LABELS = {
    "hugo_cold": "Hugo cold build (empty output folder)",
    "hugo_rebuild": "Hugo run into the existing output folder",
    "hugo_pages_only": "Hugo cold build, earlier reference site (no tag pages, no feeds)",
    "cold": "bilingual build, cold (site/ and caches removed)",
    "noop": "bilingual build, nothing changed",
    "one_update": "one German article edited: update",
    "one_build": "one German article edited: build",
    "one_total": "one German article edited: update + build",
    "again_update": "another article edited after it: update",
    "again_build": "another article edited after it: build",
    "again_total": "another article edited after it: update + build",
    "update_cold": "bilingual update, cold (caches removed, nothing changed)",
    "update_5": "bilingual update after editing 5% of paragraphs",
    "msgmerge_5": "msgmerge --previous over every catalog, same 5% edits",
}
VERDICT = {True: "met", False: "**not met**", None: "not measured"}
BILINGUAL_KEYS = ("cold", "noop", "one_update", "one_build", "again_update", "again_build",
                  "update_cold", "update_5")


@dataclass(frozen=True, slots=True)
class Figure:
    """The medians of one measurement at one size."""

    wall: float
    peak_mib: float
    cpu: float
    walls: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """One target of issue 5 with its measured value; `met` is None when not measured."""

    text: str
    measured: str
    met: bool | None


def medians(samples: dict[str, list[Sample]]) -> dict[str, Figure]:
    """Median wall time and median peak memory of every measurement."""
    return {key: Figure(wall=statistics.median(s.wall for s in runs),
                        peak_mib=statistics.median(s.peak_mib for s in runs),
                        cpu=statistics.median(s.cpu for s in runs),
                        walls=tuple(s.wall for s in runs))
            for key, runs in samples.items() if runs}


def ratio(figures: dict[str, Figure], key: str) -> float:
    """Wall time of `key` as a multiple of Hugo's cold build."""
    return figures[key].wall / figures[REFERENCE].wall


def ratio_target(text: str, by_size: dict[int, dict[str, Figure]], size: int, key: str,
                 limit: float) -> Target:
    """A target of the form "`key` at `size` ≤ `limit` × Hugo's cold build"."""
    if size not in by_size:
        return Target(text, f"not measured (needs --sizes including {size})", None)
    value = ratio(by_size[size], key)
    return Target(text, f"{value:.3f}× ({by_size[size][key].wall:.2f} s)", value <= limit)


def memory_target(by_size: dict[int, dict[str, Figure]], size: int = 10000) -> Target:
    """Peak memory of every bilingual command ≤ 25% of Hugo's cold build."""
    text = "peak memory ≤ 25% of Hugo's at 10,000 articles (largest of every bilingual command)"
    if size not in by_size:
        return Target(text, f"not measured (needs --sizes including {size})", None)
    figures = by_size[size]
    worst = max(BILINGUAL_KEYS, key=lambda k: figures[k].peak_mib)
    value = figures[worst].peak_mib / figures[REFERENCE].peak_mib
    return Target(text, f"{value:.1%} ({figures[worst].peak_mib:.0f} MiB, {worst})", value <= 0.25)


def linearity_target(by_size: dict[int, dict[str, Figure]]) -> Target:
    """bilingual's cold build at 10,000 articles ≤ 10.5 × its time at 1,000."""
    text = "linear growth: cold build at 10,000 ≤ 10.5 × cold build at 1,000"
    if 1000 not in by_size or 10000 not in by_size:
        return Target(text, "not measured (needs --sizes 1000,10000)", None)
    value = by_size[10000]["cold"].wall / by_size[1000]["cold"].wall
    hugo = by_size[10000][REFERENCE].wall / by_size[1000][REFERENCE].wall
    return Target(text, f"{value:.2f}× (Hugo in the same run: {hugo:.2f}×)", value <= 10.5)


def msgmerge_target(by_size: dict[int, dict[str, Figure]], size: int = 1000) -> Target:
    """`update` after 5% edits faster than msgmerge --previous over the same catalogs."""
    text = "update after editing 5% of paragraphs faster than msgmerge --previous, 1,000 articles"
    if size not in by_size:
        return Target(text, f"not measured (needs --sizes including {size})", None)
    ours, theirs = by_size[size]["update_5"].wall, by_size[size]["msgmerge_5"].wall
    return Target(text, f"{ours:.2f} s vs {theirs:.2f} s ({ours / theirs:.2f}×)", ours < theirs)


def targets(by_size: dict[int, dict[str, Figure]]) -> list[Target]:
    """Every target of issue 5, computed from this run's medians."""
    return [
        ratio_target("cold build ≤ 1.5× Hugo at 1,000 articles", by_size, 1000, "cold", 1.5),
        ratio_target("cold build ≤ 1.0× Hugo at 10,000 articles", by_size, 10000, "cold", 1.0),
        memory_target(by_size),
        ratio_target("one article changed, update + build ≤ 0.05× Hugo cold at 10,000", by_size, 10000,
                     "one_total", 0.05),
        ratio_target("no-op build ≤ 0.03× Hugo cold at 10,000", by_size, 10000, "noop", 0.03),
        linearity_target(by_size),
        msgmerge_target(by_size),
    ]


def command_output(argv: list[str]) -> str:
    """First line of a command's output, or `not installed`."""
    if not shutil.which(argv[0]):
        return "not installed"
    result = subprocess.run(argv, capture_output=True, text=True)
    return (result.stdout or result.stderr).strip().splitlines()[0] if result.returncode == 0 else "?"


def package_version(name: str) -> str:
    """Installed version of a Python distribution, or `not installed`."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def proc_field(path: str, pattern: str) -> str:
    """The first group of `pattern` in a /proc or /etc file, or `?`."""
    try:
        found = re.search(pattern, Path(path).read_text(), re.MULTILINE)
    except OSError:
        return "?"
    return found.group(1).strip() if found else "?"


def git_commit(repo: Path) -> str:
    """HEAD of the repository, with `+ uncommitted changes in src/` when src/ differs (read-only git)."""
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        return "unknown"
    # --no-optional-locks: never write the index, so measuring changes nothing in the repository.
    dirty = subprocess.run(["git", "--no-optional-locks", "-C", str(repo), "diff", "--quiet", "HEAD",
                            "--", "src"]).returncode != 0
    untracked = subprocess.run(["git", "--no-optional-locks", "-C", str(repo), "ls-files", "--others",
                                "--exclude-standard", "--", "src"], capture_output=True, text=True).stdout
    return head.stdout.strip() + (" + uncommitted changes in src/" if dirty or untracked.strip() else "")


def machine(repo: Path) -> list[str]:
    """Markdown lines describing the machine and the versions measured."""
    mem_kib = proc_field("/proc/meminfo", r"^MemTotal:\s+(\d+)")
    mem = f"{int(mem_kib) / 1024 / 1024:.1f} GiB" if mem_kib.isdigit() else "?"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    cpu = proc_field("/proc/cpuinfo", r"^model name\s*:(.*)$")
    system = proc_field("/etc/os-release", r'^PRETTY_NAME="?([^"\n]*)')
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; RAM {mem}",
        f"- OS: {system}, Linux {platform.release()}",
        f"- load average when the results were written: {load} (the machine is shared; hence ratios)",
        f"- Python {platform.python_version()} ({sys.executable})",
        f"- bilingual {package_version('bilingual')}, commit {git_commit(repo)}",
        f"- {command_output(['hugo', 'version'])}",
        f"- {command_output(['msgmerge', '--version'])}",
        f"- markdown-it-py {package_version('markdown-it-py')}, cmarkgfm {package_version('cmarkgfm')}, "
        f"Markdown (Python-Markdown) {package_version('markdown')}",
    ]


def size_table(size: int, figures: dict[str, Figure], repeat: int, edited: tuple[int, int]) -> list[str]:
    """The Markdown table of one size."""
    hugo = figures[REFERENCE]
    lines = [f"### {size:,} articles ({2 * size:,} pages), medians of {repeat}", "",
             f"5% edits: {edited[0]:,} paragraphs changed in {edited[1]:,} articles.", "",
             "| measurement | median wall (s) | peak MiB | wall ÷ Hugo cold | peak ÷ Hugo cold | CPU (s) "
             "| CPU ÷ Hugo cold | runs, wall (s) |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for key, label in LABELS.items():
        if key in figures:
            f = figures[key]
            cpu_ratio = f.cpu / max(hugo.cpu, 0.01)  # GNU time's resolution is 0.01 s
            cells = [label, f"{f.wall:.3f}", f"{f.peak_mib:.0f}", f"{f.wall / hugo.wall:.3f}",
                     f"{f.peak_mib / hugo.peak_mib:.3f}", f"{f.cpu:.2f}", f"{cpu_ratio:.3f}",
                     ", ".join(f"{w:.2f}" for w in f.walls)]
            lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def target_table(found: list[Target]) -> list[str]:
    """The targets with their measured values and verdicts."""
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t.text} | {t.measured} | {VERDICT[t.met]} |" for t in found]
    return lines + [""]


METHOD = """\
How it was measured: every figure is a fresh subprocess run under `/usr/bin/time`; wall
time from spawn to exit; peak memory is the larger of GNU time's `%M` (peak RSS of the
largest single process) and the summed PSS of the command's process tree sampled every
100 ms while it has several processes (bilingual's build forks workers; reading PSS costs
the measured command CPU, so it is not sampled more often). GNU time stands
between harness and command because Linux starts an exec'd child's peak RSS at its
parent's RSS, which would give every small command the harness's memory. Before each
command, untimed, `sync` puts on disk what the step before wrote (a project copied back,
the other tool's site or cache): earlier runs left that write-back to slow down
whichever command came next, mostly Hugo's cold builds, which followed bilingual's
largest writes.
Before measuring, the harness byte-compiles the bilingual package it measures
(`compileall`), as `pip install` does for a package it installs: with the editable install
the README sets up, under `PYTHONDONTWRITEBYTECODE=1` (set on these machines), every
command would otherwise compile bilingual's modules again, 0.08 s a command (runs before
2026-11-27 paid that).
Within each repetition the tools alternate (Hugo cold, bilingual cold
and no-op, Hugo cold, one-article edit, Hugo cold, cold update and 5% update, Hugo cold,
msgmerge), and every ratio divides by the median of all Hugo cold builds of the same size.
The targets use wall time. CPU time (user + system of the whole process tree) is given
beside it because it hardly moves with the machine's other load, while wall time does:
a busy machine slows a tool that spreads its work over both cores (Hugo) more than one
that keeps to one core for much of its run, which flatters that tool's wall ratios.
The project is copied back from its pristine state (untimed) between scenarios.

- Hugo: `hugo --quiet --config config.toml -d OUT` with OUT removed first (and again into
  the existing OUT for the rebuild row). `bench/hugo/config.toml` and its layouts make the
  site `bilingual build` makes: per language the article pages, a listing of every article,
  a page per tag, a feed and the sitemap, every listing entry with its date, description
  and tags. Runs before 2026-11-26 measured a Hugo site without tag pages and feeds
  (`bench/hugo/config-pages-only.toml`); it is measured once per repetition, right after
  the rebuild row, for comparison, and no ratio divides by it.
- bilingual: `bilingual -q build` / `bilingual -q update` in the project root. The cold build
  runs with every top-level entry other than bilingual.toml, content, locales, templates and
  static removed. The no-op build follows it. The one-article edit appends a sentence to the
  first paragraph of a different article each repetition, after an untimed `update` has
  brought the project to its steady state (caches warm, site built). That is the first
  build after the cold one, which has no site before last to reuse (`.site.previous/`),
  so it also copies the current site for staging, once. Another article is edited right
  after it the same way ("another article edited after it"): what every later edit costs.
  The target is judged on the first.
- 5% edits: one word changed in 5% of all plain paragraphs, chosen with the seed; `update`
  runs after an untimed cold `update` of the unedited project. `msgmerge` row: the timed
  command is one `sh` loop running `msgmerge --previous -q -o OUT old.po new.pot` for every
  catalog (articles and `_ui.po`), where old.po is the unedited catalog and new.pot the
  template of the edited sources, written beforehand (untimed) by {pot_source}.
"""


def write(path: Path, command: str, repo: Path, repeat: int, by_size: dict[int, dict[str, Figure]],
          edited: dict[int, tuple[int, int]], pot_source: str) -> None:
    """Write RESULTS.md from this run's medians."""
    lines = ["# Benchmark results", "",
             "Written by `bench/run`; the lead re-runs it after every optimisation. Issue 5 has the targets.",
             "", "## Command", "", "```sh", command, "```", "", "## Machine and versions", ""]
    lines += machine(repo) + ["", "## Targets of issue 5", ""] + target_table(targets(by_size))
    gaps = Path(__file__).with_name("GAPS.md")
    if gaps.is_file():
        lines += [gaps.read_text(encoding="utf-8").rstrip("\n"), ""]
    lines += ["## Figures", ""]
    for size, figures in by_size.items():
        lines += size_table(size, figures, repeat, edited[size])
    lines += ["## Method", "", METHOD.format(pot_source=pot_source)]
    path.write_text("\n".join(lines), encoding="utf-8")
