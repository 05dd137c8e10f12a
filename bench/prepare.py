"""Preparation of the benchmark inputs, cached in the work folder by size and seed.

For each size: the generated corpus, a pristine `bilingual` project (German
sources and complete Spanish catalogs, nothing generated), the equivalent Hugo
site, and the POT templates of the project after the 5% paragraph edits (the
input of the `msgmerge` comparison). Each step writes into a temporary folder
and renames it when done, so an interrupted run never leaves a half-made cache.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import edits
from measure import run_quiet

BENCH = Path(__file__).resolve().parent
GEN_CORPUS = BENCH / "gen_corpus.py"
"""The corpus generator of the firm's benchmark material (`../shared/bench/`), kept here
unchanged so that the benchmark and the tests that use it run on any checkout."""
HUGO_FILES = BENCH / "hugo"
HUGO_CONFIG = "config.toml"
"""The reference site: what `bilingual build` makes (tag pages and feeds included)."""
HUGO_PAGES_ONLY_CONFIG = "config-pages-only.toml"
"""The reference site of runs before 2026-11-26: no tag pages, no feeds; measured beside."""
SOURCE_ENTRIES = frozenset({"bilingual.toml", "content", "locales", "templates", "static"})
"""What a project consists of; anything else at its top level was generated (site, caches, locks)."""
EDIT_FRACTION = 0.05
POT_SOURCE = ".written-by"
"""File in the POT folder saying how the templates were made, for the report."""

CONFIG = """\
[site]
title = "Benchmark"
description = "Generierter Korpus für den Vergleich mit Hugo"
base_url = "https://example.org"
source_language = "de"
target_languages = ["es"]

[languages.de]
locale = "de_DE"
name = "Deutsch"

[languages.es]
locale = "es_ES"
name = "Español"
"""

IMPORT_SCRIPT = """\
import sys
from pathlib import Path
from bilingual.align import import_translation
from bilingual.config import load_config
root, spanish = Path(sys.argv[1]), Path(sys.argv[2])
config = load_config(root)
for p in sorted((root / 'content/de').glob('*.md')):
    import_translation(config, p, spanish / p.name, 'es', False)
"""


@dataclass(frozen=True, slots=True)
class Inputs:
    """The prepared folders of one size."""

    size: int
    corpus: Path
    pristine: Path
    hugo_site: Path
    pots: Path
    """`<catalog path relative to LC_MESSAGES>.pot` for every catalog, after the 5% edits."""
    edited: tuple[int, int]
    """(paragraphs, articles) changed by the 5% edits."""
    pot_source: str
    """How the POTs were written."""


def bilingual_command() -> list[str]:
    """`bilingual` of the interpreter running the harness (so a venv's install is measured)."""
    script = Path(sys.executable).parent / "bilingual"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bilingual"]


def compile_measured_package() -> Path:
    """Byte-compile the bilingual package the harness measures, as `pip install`
    does for a package it installs; return its folder. An editable install
    under `PYTHONDONTWRITEBYTECODE=1` (set on these machines) never writes
    bytecode, so every measured command would compile bilingual's modules
    again: 0.08 s more for each command than with bytecode. Python reads
    bytecode there; it only does not write it."""
    spec = importlib.util.find_spec("bilingual")
    assert spec is not None and spec.submodule_search_locations, "bilingual is not installed"
    package = Path(next(iter(spec.submodule_search_locations)))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    return package


def ensure_tools() -> None:
    """Install Debian's hugo and GNU gettext when missing: as root directly, else through sudo."""
    need = [pkg for tool, pkg in (("hugo", "hugo"), ("msgmerge", "gettext")) if not shutil.which(tool)]
    if not need:
        return
    print(f"installing: {' '.join(need)}", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *need],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def remove_generated(project: Path) -> list[str]:
    """Delete every top-level entry of `project` that is not a source; return their names."""
    removed = []
    for entry in sorted(project.iterdir()):
        if entry.name not in SOURCE_ENTRIES:
            folder = entry.is_dir() and not entry.is_symlink()
            shutil.rmtree(entry) if folder else entry.unlink()
            removed.append(entry.name + ("/" if folder else ""))
    return removed


def copy_tree(source: Path, target: Path) -> None:
    """`cp -a` (much faster than shutil for 20,000 small files); `target` must not exist."""
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)


def fresh(path: Path) -> Path:
    """A temporary sibling of `path` for building it, emptied first."""
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    return tmp


def make_corpus(work: Path, size: int, seed: str, log: Path) -> Path:
    """The generated corpus: content/de and the pseudo-Spanish content/es."""
    corpus = work / f"corpus-{size}-s{seed}"
    if not corpus.exists():
        print(f"[{size}] generating corpus", flush=True)
        tmp = fresh(corpus)
        run_quiet([sys.executable, str(GEN_CORPUS), str(tmp), str(size), "--seed", seed], work, log)
        tmp.rename(corpus)
    return corpus


def check_published(project: Path, size: int, log: Path) -> None:
    """Fail unless `bilingual status` counts every Spanish article as published."""
    result = subprocess.run([*bilingual_command(), "status", "--format", "json"], cwd=project,
                            capture_output=True, text=True, check=True)
    rows = json.loads(result.stdout)["articles"]
    published = sum(1 for r in rows if r.get("lang") == "es" and r.get("published"))
    if published != size:
        raise RuntimeError(f"{project}: {published} of {size} Spanish articles published; see {log}")


def make_project(work: Path, size: int, seed: str, corpus: Path, log: Path) -> Path:
    """The pristine project: config, German sources and complete catalogs, nothing generated."""
    pristine = work / f"project-{size}-s{seed}"
    if pristine.exists():
        settle(pristine, log)
        return pristine
    print(f"[{size}] preparing the bilingual project (update, import the Spanish files)", flush=True)
    tmp = fresh(pristine)
    (tmp / "content").mkdir(parents=True)
    (tmp / "bilingual.toml").write_text(CONFIG, encoding="utf-8")
    copy_tree(corpus / "content" / "de", tmp / "content" / "de")
    run_quiet([*bilingual_command(), "-q", "update"], tmp, log)
    run_quiet([sys.executable, "-c", IMPORT_SCRIPT, str(tmp), str(corpus / "content" / "es")], tmp, log)
    check_published(tmp, size, log)
    removed = settle(tmp, log)
    print(f"[{size}] generated entries removed from the pristine project: {', '.join(removed) or 'none'}")
    tmp.rename(pristine)
    return pristine


def settle(project: Path, log: Path) -> list[str]:
    """Make the catalogs of `project` what this bilingual's `update` writes
    (untimed), then remove what it generated; returns the names removed.
    A pristine project is kept between runs, and one prepared by an earlier
    version may lack what this one adds to the catalogs (a new UI entry, a
    flag): without this, the first `update` measured would write it, and the
    build after would render every page again, since the UI catalog is among
    every page's inputs. Every measurement starts from the steady state of
    the code measured."""
    run_quiet([*bilingual_command(), "-q", "update"], project, log)
    return remove_generated(project)


def hugo_command(out: Path, config: str = HUGO_CONFIG) -> list[str]:
    """Hugo's build of the bench site (run in its folder) into `out`."""
    return ["hugo", "--quiet", "--config", config, "-d", str(out)]


def clean_hugo(site: Path, out: Path) -> None:
    """No output folder `out` and nothing an earlier Hugo run left in `site`:
    what a cold build starts from."""
    shutil.rmtree(out, ignore_errors=True)
    for leftover in ("resources", ".hugo_build.lock", "public"):
        path = site / leftover
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)


def make_hugo_site(work: Path, size: int, seed: str, corpus: Path) -> Path:
    """The Hugo site: bench/hugo's config and layouts (copied anew every run) and the corpus."""
    site = work / f"hugo-{size}-s{seed}"
    if not site.exists():
        tmp = fresh(site)
        tmp.mkdir()
        # Hard links: nothing edits the Hugo site's content, and 20,000 files link in a moment.
        shutil.copytree(corpus / "content", tmp / "content", copy_function=os.link)
        tmp.rename(site)
    for config in (HUGO_CONFIG, HUGO_PAGES_ONLY_CONFIG):
        shutil.copy2(HUGO_FILES / config, site / config)
    for layouts in ("layouts", "layouts-pages-only"):
        shutil.rmtree(site / layouts, ignore_errors=True)
        shutil.copytree(HUGO_FILES / layouts, site / layouts)
    return site


def has_pot_option() -> bool:
    """Whether this bilingual has `update --pot`."""
    result = subprocess.run([*bilingual_command(), "update", "--help"], capture_output=True, text=True)
    return "--pot" in result.stdout


def pots_from_catalogs(catalogs: Path, target: Path) -> None:
    """POTs made from updated catalogs by clearing every translation (for a bilingual without --pot)."""
    import polib

    for po_path in sorted(catalogs.rglob("*.po")):
        po = polib.pofile(str(po_path))
        pot = polib.POFile()
        pot.metadata = {k: v for k, v in po.metadata.items() if k != "Language"}
        for entry in po:
            if entry.obsolete:
                continue
            pot.append(polib.POEntry(
                msgid=entry.msgid, msgctxt=entry.msgctxt, msgid_plural=entry.msgid_plural,
                msgstr_plural={0: "", 1: ""} if entry.msgid_plural else {}, comment=entry.comment,
                occurrences=entry.occurrences, flags=[f for f in entry.flags if f != "fuzzy"]))
        out = target / po_path.relative_to(catalogs).with_suffix(".pot")
        out.parent.mkdir(parents=True, exist_ok=True)
        pot.save(str(out))


def make_pots(work: Path, size: int, seed: str, pristine: Path, log: Path) -> tuple[Path, tuple[int, int]]:
    """POT templates of the project after the 5% edits, from a scratch copy of it."""
    pots = work / f"pots-{size}-s{seed}"
    scratch = fresh(work / f"scratch-{size}-s{seed}")
    copy_tree(pristine, scratch)
    edited = edits.edit_fraction(scratch, EDIT_FRACTION, seed)  # cheap; recomputed for the report
    if not pots.exists():
        print(f"[{size}] writing POT templates of the edited project for msgmerge", flush=True)
        tmp = fresh(pots)
        if has_pot_option():
            run_quiet([*bilingual_command(), "-q", "update", "--pot"], scratch, log)
            shutil.copytree(scratch / "locales" / "templates", tmp)
            how = "`bilingual update --pot`"
        else:
            run_quiet([*bilingual_command(), "-q", "update"], scratch, log)
            pots_from_catalogs(scratch / "locales" / "es" / "LC_MESSAGES", tmp)
            how = "`bilingual update`, then every msgstr of the updated catalogs cleared (polib)"
        (tmp / POT_SOURCE).write_text(how, encoding="utf-8")
        tmp.rename(pots)
    shutil.rmtree(scratch)
    return pots, edited


def prepare(work: Path, size: int, seed: str) -> Inputs:
    """Everything one size needs, made once and reused by later runs."""
    work.mkdir(parents=True, exist_ok=True)
    log = work / f"prepare-{size}.log"
    corpus = make_corpus(work, size, seed, log)
    pristine = make_project(work, size, seed, corpus, log)
    hugo_site = make_hugo_site(work, size, seed, corpus)
    pots, edited = make_pots(work, size, seed, pristine, log)
    source = pots / POT_SOURCE
    how = source.read_text(encoding="utf-8") if source.exists() else "`bilingual update --pot`"
    return Inputs(size=size, corpus=corpus, pristine=pristine, hugo_site=hugo_site, pots=pots, edited=edited,
                  pot_source=how)
