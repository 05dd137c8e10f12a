"""bench/run at a tiny size: prepares, measures every scenario and writes RESULTS.md with ratios."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RUN = REPO / "bench" / "run.py"
GEN_CORPUS = REPO / "bench" / "gen_corpus.py"
ROWS = ("Hugo cold build", "Hugo run into the existing output folder",
        "Hugo cold build, earlier reference site", "bilingual build, cold",
        "bilingual build, nothing changed", "one German article edited: update + build",
        "another article edited after it: update + build",
        "bilingual update, cold", "bilingual update after editing 5% of paragraphs",
        "msgmerge --previous over every catalog")
NUMBER = r"\d+(?:\.\d+)?"


def require(ok: bool, why: str) -> None:
    """Skip without the tool, except under CI=true, where a missing tool fails the run."""
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why} (scripts/install-test-tools installs it)")
        pytest.skip(why)


@pytest.fixture(scope="module")
def bench_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The work folder of one run at 20 articles, one repetition; RESULTS.md beside it."""
    require(shutil.which("hugo") is not None, "hugo is not installed")
    require(shutil.which("msgmerge") is not None, "msgmerge (GNU gettext) is not installed")
    require(GEN_CORPUS.exists(), f"{GEN_CORPUS} is missing")
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "RESULTS.md"
    argv = [sys.executable, str(RUN), "--sizes", "20", "--repeat", "1", "--work", str(tmp / "work"),
            "--results", str(out)]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return tmp / "work"


@pytest.fixture(scope="module")
def results(bench_work: Path) -> str:
    """RESULTS.md of that run."""
    return (bench_work.parent / "RESULTS.md").read_text(encoding="utf-8")


def test_every_scenario_has_a_row_with_numeric_ratios(results: str) -> None:
    for label in ROWS:
        row = next((line for line in results.splitlines() if line.startswith(f"| {label}")), None)
        assert row is not None, f"no row for {label!r}"
        cells = [c.strip() for c in row.strip("|").split("|")]
        # wall, peak MiB, their ratios to Hugo cold, CPU seconds and its ratio: all positive numbers.
        assert all(re.fullmatch(NUMBER, c) for c in cells[1:7]), row
        assert all(float(c) > 0 for c in cells[1:5]), row  # CPU seconds, at 0.01 s resolution, may be 0
    hugo = next(line for line in results.splitlines() if line.startswith("| Hugo cold build ("))
    assert [c.strip() for c in hugo.strip("|").split("|")][3] == "1.000"


def test_report_names_machine_command_targets_and_renderers(results: str) -> None:
    assert "python bench/run.py --sizes 20 --repeat 1" in results
    assert re.search(r"^- CPU: .+, \d+ cores; RAM", results, re.MULTILINE)
    assert "hugo v0." in results and "msgmerge (GNU gettext-tools)" in results
    # Targets are stated even when this size cannot decide them.
    assert results.count("| not measured |") == 7
    assert "## Markdown renderers" in results and "| markdown-it-py" in results


def test_floor_times_each_step_against_hugo_on_the_prepared_inputs(bench_work: Path) -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "floor.py"), "--size", "20",
                           "--repeat", "1", "--work", str(bench_work)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert re.search(rf"^20 articles, 21 catalogs; .* \(({NUMBER}) s wall\)$", done.stdout,
                     re.MULTILINE), done.stdout
    rows = re.findall(rf"^  (.+?)\s+({NUMBER}) s\s+({NUMBER})×$", done.stdout, re.MULTILINE)
    names = [name for name, _, _ in rows]
    assert names[0].startswith("start Python") and names[-1].startswith("floor on 2 cores")
    assert any("block-parse" in name for name in names) and len(rows) == 6
    start, *steps, floor = (float(seconds) for _, seconds, _ in rows)
    assert start > 0 and floor == pytest.approx(start + sum(steps) / 2, abs=0.02)


def test_a_pristine_project_kept_from_an_earlier_version_is_settled(tmp_path: Path) -> None:
    # A project prepared by an earlier bilingual lacks what this one's update
    # writes (here: the site's title, an entry of every _ui.po); reused as it
    # is, the first update measured would write it and the build after would
    # render every page again.
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import prepare
    finally:
        sys.path.remove(str(REPO / "bench"))
    project = tmp_path / "work" / "project-3-s1"
    (project / "content" / "de").mkdir(parents=True)
    (project / "bilingual.toml").write_text(prepare.CONFIG, encoding="utf-8")
    (project / "content/de/a.md").write_text("---\ntitle: A\n---\n\nEin Absatz.\n",
                                             encoding="utf-8")
    log = tmp_path / "log"
    prepare.settle(project, log)
    ui = project / "locales/es/LC_MESSAGES/_ui.po"
    settled = ui.read_text(encoding="utf-8")
    assert 'msgctxt "site title"' in settled
    ui.write_text(settled.replace('msgctxt "site title"', 'msgctxt "old"'), encoding="utf-8")
    assert prepare.make_project(tmp_path / "work", 3, "1", tmp_path / "unused", log) == project
    assert ui.read_text(encoding="utf-8") == settled
    assert sorted(p.name for p in project.iterdir()) == ["bilingual.toml", "content", "locales"]


def test_a_measured_command_starts_after_the_writes_before_it_reached_the_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A cold build writes hundreds of megabytes the kernel writes back later:
    # unflushed, they would slow down (and be charged to) the Hugo build
    # measured next, and the other way round.
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import measure
    finally:
        sys.path.remove(str(REPO / "bench"))
    events: list[str] = []
    started = measure.subprocess.Popen

    def popen(*args, **kwargs):
        events.append("command")
        return started(*args, **kwargs)

    monkeypatch.setattr(measure.os, "sync", lambda: events.append("sync"))
    monkeypatch.setattr(measure.subprocess, "Popen", popen)
    sample = measure.run_measured([sys.executable, "-c", "pass"], tmp_path, tmp_path / "log")
    assert events == ["sync", "command"] and sample.wall > 0


def test_edits_touch_only_plain_paragraphs(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import edits
    finally:
        sys.path.remove(str(REPO / "bench"))
    lines = ["---", "title: x", "---", "", "Erster Absatz hier.", "", "## Titel", "", "- Punkt", "",
             "```", "code line", "```", "", "Zweiter Absatz `code spans` bleiben."]
    assert edits.paragraph_lines(lines) == [4, 14]
    (tmp_path / "content" / "de").mkdir(parents=True)
    article = tmp_path / "content" / "de" / "a.md"
    article.write_text("\n".join(lines), encoding="utf-8")
    assert edits.edit_fraction(tmp_path, 0.5, "1") == (1, 1)
    changed = article.read_text(encoding="utf-8").split("\n")
    assert [i for i, (a, b) in enumerate(zip(lines, changed, strict=True)) if a != b] in ([4], [14])
    assert "`code spans`" in changed[14]


def test_phases_runs_the_command_and_reports_where_its_time_went(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(REPO / "tests" / "fixtures" / "site", project)
    done = subprocess.run([sys.executable, str(REPO / "bench" / "phases.py"), "-q", "build"],
                          cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (project / "site" / "de" / "index.html").is_file()
    seconds = dict(re.findall(rf"^(\S+(?: \S+)*)\s+({NUMBER}) s$", done.stderr, re.MULTILINE))
    assert {"bilingual.build.render_site", "bilingual.build.gather",
            "bilingual.build.write_site", "total (after imports)"} <= set(seconds)
    assert float(seconds["bilingual.build.render_site"]) <= float(seconds["total (after imports)"])


def test_the_measured_package_runs_from_bytecode_where_none_is_written(tmp_path):
    # Under PYTHONDONTWRITEBYTECODE=1 (these machines set it) an editable
    # install would compile every module in every measured command; the
    # harness compiles them once, as pip does when it installs a package.
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import prepare
    finally:
        sys.path.remove(str(REPO / "bench"))
    import bilingual
    installed = Path(bilingual.__file__).parent
    for cached in installed.rglob("__pycache__"):
        shutil.rmtree(cached)
    assert prepare.compile_measured_package() == installed
    probe = ("import importlib.util, os, sys, bilingual.build\n"
             "modules = [m for n, m in sys.modules.items() if n.startswith('bilingual')]\n"
             "missing = [m.__name__ for m in modules\n"
             "           if not os.path.exists(importlib.util.cache_from_source(m.__file__))]\n"
             "print(len(modules), missing)\n")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"), cwd=tmp_path,
                           check=True).stdout
    assert re.fullmatch(r"(\d+) \[\]\n", shown) and int(shown.split()[0]) > 20, shown
