"""Fault injection: `bilingual update` killed with SIGKILL at random moments over a
few hundred articles never leaves a damaged catalog nor loses a translation, and
the run that finally completes writes exactly what an uninterrupted run writes."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bilingual.align import import_translation
from bilingual.catalog import read_catalog
from bilingual.config import load_config
from bilingual.lock import lock_path
from bilingual.update import apply_plan, plan_update
from tests.conftest import CONFIG, gettext_tool

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "bench" / "gen_corpus.py"
ARTICLES = 200
SEED = 20251125
KILLS = 6


def bilingual(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bilingual", "-C", str(root), *args]


def environment() -> dict[str, str]:
    src = str(ROOT / "src")
    return {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}


def catalogs(root: Path) -> dict[str, bytes]:
    folder = root / "locales" / "es" / "LC_MESSAGES"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.po"))}


def translations(root: Path) -> dict[str, set[str]]:
    """Every translation text of every catalog: translated, fuzzy or obsolete alike."""
    found: dict[str, set[str]] = {}
    folder = root / "locales" / "es" / "LC_MESSAGES"
    for path in sorted(folder.rglob("*.po")):
        texts = found.setdefault(path.relative_to(folder).as_posix(), set())
        for entry in read_catalog(path):
            texts.update(t for t in [entry.msgstr, *entry.msgstr_plural.values()] if t)
    return found


def temporaries(root: Path) -> list[Path]:
    return sorted((root / "locales").rglob(".*.tmp"))


def edit_sources(root: Path, rng: random.Random) -> None:
    """Change, delete and add paragraphs in most articles, so that an update
    rewrites most catalogs with fuzzy, obsolete and new entries."""
    for path in sorted((root / "content" / "de").rglob("*.md")):
        if rng.random() < 0.2:
            continue
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        chunks = body.split("\n\n")
        prose, fenced = [], False
        for i, chunk in enumerate(chunks):
            if chunk.count("```") % 2:
                fenced = not fenced
            elif not fenced and chunk[:1].isupper() and "\n" not in chunk.strip():
                prose.append(i)
        if len(prose) < 2:
            continue
        changed, dropped = rng.sample(prose, 2)
        words = chunks[changed].split(" ")
        words[rng.randrange(len(words))] = rng.choice(["neue", "geänderte", "Kommune"])
        chunks[changed] = " ".join(words)
        chunks[dropped] = f"Ein ganz neuer Absatz Nummer {rng.randrange(10**6)}."
        if rng.random() < 0.5:
            del chunks[rng.choice([i for i in prose if i not in (changed, dropped)] or [dropped])]
        path.write_text(head + "\n---\n" + "\n\n".join(chunks), encoding="utf-8")


def msgfmt_failures(root: Path) -> str:
    """`msgfmt -c` over every catalog in one shell, the failures' messages."""
    files = sorted((root / "locales").rglob("*.po"))
    script = 'for f in "$@"; do "$0" -c -o /dev/null "$f" 2>&1 >/dev/null || echo "FAILED $f"; done'
    done = subprocess.run(["sh", "-c", script, gettext_tool("msgfmt"), *map(str, files)],
                          capture_output=True, text=True)
    return "\n".join(line for line in done.stdout.splitlines() if "FAILED" in line
                     or "error" in line)


def update_processes(root: Path) -> list[int]:
    """Processes still running `bilingual update` in `root`."""
    mine = []
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if str(root).encode() in args and b"update" in args:
            mine.append(int(entry.name))
    return mine


def no_workers_outlive(root: Path, seconds: float = 10.0) -> bool:
    """True once no process of a killed `update` is left: its forked workers die
    with it (bilingual.parallel asks the kernel for that) instead of waiting forever."""
    deadline = time.monotonic() + seconds
    while update_processes(root):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def wait_for_first_write(process: subprocess.Popen, folder: Path, deadline: float) -> bool:
    """Poll until the catalog folder changes (a file created or renamed) or the
    process ends; True when a write was seen while the process still ran."""
    before = folder.stat().st_mtime_ns
    while time.monotonic() < deadline and process.poll() is None:
        if folder.stat().st_mtime_ns != before:
            return True
        time.sleep(0.0005)
    return False


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    """A translated project of a few hundred articles whose sources have just
    been edited (project), and the same after one uninterrupted update (reference)."""
    if not GENERATOR.is_file():
        pytest.skip(f"{GENERATOR} (the benchmark corpus generator) is not here")
    base = tmp_path_factory.mktemp("faults")
    project = base / "project"
    subprocess.run([sys.executable, str(GENERATOR), str(project), str(ARTICLES), "--seed",
                    str(SEED)], check=True, capture_output=True)
    (project / "bilingual.toml").write_text(CONFIG, encoding="utf-8")
    # The generator's pseudo-Spanish copies are translations to import, not Spanish pages.
    spanish = project / "translations"
    (project / "content" / "es").rename(spanish)
    config = load_config(project)
    apply_plan(plan_update(config))
    for german in sorted((project / "content" / "de").rglob("*.md")):
        import_translation(config, german, spanish / german.name, "es")
    edit_sources(project, random.Random(SEED))
    reference = base / "reference"
    shutil.copytree(project, reference)
    done = subprocess.run(bilingual(reference, "update"), capture_output=True, text=True,
                          env=environment(), timeout=300)
    assert done.returncode == 0, done.stderr
    return project, reference


def test_corpus_is_translated_and_the_edit_rewrites_most_catalogs(corpus):
    project, reference = corpus
    before, after = catalogs(project), catalogs(reference)
    assert len(before) == ARTICLES + 1  # and _ui.po
    assert sum(before[name] != after[name] for name in before) > ARTICLES // 2
    assert sum(len(texts) for texts in translations(project).values()) > ARTICLES * 10


def test_update_killed_at_random_moments_loses_nothing(corpus):
    project, reference = corpus
    folder = project / "locales" / "es" / "LC_MESSAGES"
    original = translations(project)
    expected = catalogs(reference)
    written = [folder / name for name in expected]
    # How long the uninterrupted run took to write the catalogs it changed.
    mtimes = [(reference / "locales" / "es" / "LC_MESSAGES" / name).stat().st_mtime
              for name, text in catalogs(project).items() if text != expected[name]]
    write_phase = max(max(mtimes) - min(mtimes), 0.01)
    rng = random.Random(SEED)
    # The catalogs before any update: put back when a run got to finish before
    # its kill (a fast or unloaded machine), as a translator restoring them would.
    backup = project.parent / "catalogs-before"
    shutil.copytree(project / "locales", backup)
    killed_while_writing = since_restore = 0
    for attempt in range(KILLS * 3):
        if killed_while_writing >= KILLS:
            break
        process = subprocess.Popen(bilingual(project, "update"), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, env=environment())
        if wait_for_first_write(process, folder, time.monotonic() + 120) and attempt > 0:
            # Somewhere in what is left of the write phase, which every kill shortens.
            time.sleep(rng.uniform(0, write_phase * 0.7 ** since_restore))
        if attempt == 0:
            # Stopped at its first write: a second run, while the first holds the
            # lock, is refused and names it.
            assert process.poll() is None
            process.send_signal(signal.SIGSTOP)
            second = subprocess.run(bilingual(project, "update"), capture_output=True,
                                    text=True, env=environment(), timeout=120)
            assert second.returncode == 1
            assert f"pid {process.pid}" in second.stderr and ".bilingual.lock" in second.stderr
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()
        # Left-over workers must not matter (they do not hold the lock); they are
        # killed only so that the test leaves no processes behind.
        assert no_workers_outlive(project), update_processes(project)
        if process.returncode == -signal.SIGKILL:
            killed_while_writing += 1
            since_restore += 1
        # Every catalog is still there and parses (the old or the new version,
        # never a part), and every translation is still in its catalog.
        assert set(catalogs(project)) == set(expected)
        survived = translations(project)
        for name, texts in original.items():
            assert texts <= survived[name], f"{name} lost {sorted(texts - survived[name])[:3]}"
        if process.returncode == 0:
            shutil.copytree(backup, project / "locales", dirs_exist_ok=True)
            since_restore = 0
    assert killed_while_writing >= KILLS, "the kills did not hit the write phase"
    assert msgfmt_failures(project) == ""

    # Temporary files of killed writes may be left; the next run removes them.
    stray = folder / f".{written[0].name}.{'ab' * 16}.tmp"
    stray.write_bytes(written[0].read_bytes()[:100])
    done = subprocess.run(bilingual(project, "update"), capture_output=True, text=True,
                          env=environment(), timeout=300)
    assert done.returncode == 0, done.stderr
    assert temporaries(project) == []
    assert not lock_path(project).exists()
    assert catalogs(project) == expected
    assert msgfmt_failures(project) == ""
