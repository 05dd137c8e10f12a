"""The incremental build equals a clean build, byte for byte.

A copy of this repository's own site project goes through a random sequence of
edits: German sources, catalogs (translations, fuzzy flags), templates,
configuration, static files, articles added and removed, `update` runs, edits
that change nothing. After each step the project is built incrementally (its
output folder and `.bilingual-cache/` kept from earlier steps) and a copy of
its sources is built from nothing; both trees must be identical.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
import yaml

import bilingual.build
import bilingual.cache
import bilingual.parallel
import bilingual.reading
import bilingual.templates
import bilingual.update
from bilingual.build import build_site
from bilingual.cache import CACHE_FOLDER
from bilingual.config import load_config
from bilingual.update import apply_plan, plan_update

REPOSITORY = Path(__file__).resolve().parent.parent
SOURCES = ("bilingual.toml", "content", "locales", "static")


def _project(target: Path) -> Path:
    target.mkdir()
    for name in SOURCES:
        source = REPOSITORY / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    return target


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(root: Path, drafts: bool) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """The files built, and the warnings (those of what came from the cache included)."""
    summary = build_site(load_config(root), drafts=drafts)
    return _tree(summary.output_dir), summary.warnings


def _clean_build(root: Path, scratch: Path,
                 drafts: bool) -> tuple[dict[str, bytes], tuple[str, ...]]:
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(root, scratch,
                    ignore=shutil.ignore_patterns(CACHE_FOLDER, "site"))
    bilingual.cache._caches.pop(scratch.resolve(), None)
    return _build(scratch, drafts)


# ---------------------------------------------------------------------------
# Edits, each a function (project root, random source) -> None
# ---------------------------------------------------------------------------

def _articles(root: Path) -> list[Path]:
    return sorted((root / "content" / "de").glob("*.md"))


def _catalogs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "locales" / "es" / "LC_MESSAGES").glob("*.po")
                  if p.name != "_ui.po")


def edit_german_sentence(root: Path, rng: random.Random) -> None:
    path = rng.choice(_articles(root))
    text = path.read_text(encoding="utf-8")
    paragraphs = [m.start() for m in re.finditer(r"\n\n[A-ZÄÖÜ]", text)]
    at = rng.choice(paragraphs) if paragraphs else len(text)
    path.write_text(text[:at] + f"\n\nEin neuer Absatz Nummer {rng.randint(1, 999)}."
                    + text[at:], encoding="utf-8")


def edit_translation(root: Path, rng: random.Random) -> None:
    path = rng.choice(_catalogs(root))
    text = path.read_text(encoding="utf-8")
    spots = [m.start() for m in re.finditer(r'\nmsgstr "[^"\n]', text)]
    if spots:
        at = rng.choice(spots) + len('\nmsgstr "')
        path.write_text(text[:at] + "Revisado: " + text[at:], encoding="utf-8")


def mark_fuzzy(root: Path, rng: random.Random) -> None:
    path = rng.choice(_catalogs(root))
    text = path.read_text(encoding="utf-8")
    spots = [m.start() for m in re.finditer(r"\n\n#\. ", text)]
    if spots:
        at = rng.choice(spots) + 2
        path.write_text(text[:at] + "#, fuzzy\n" + text[at:], encoding="utf-8")


def edit_template(root: Path, rng: random.Random) -> None:
    builtin = Path(bilingual.cache.PACKAGE) / "scaffold" / "templates" / "article.html"
    target = root / "templates" / "article.html"
    target.parent.mkdir(exist_ok=True)
    text = target.read_text(encoding="utf-8") if target.exists() else builtin.read_text(
        encoding="utf-8")
    target.write_text(text + f"\n<!-- Fassung {rng.randint(1, 999)} -->\n", encoding="utf-8")


def edit_config(root: Path, rng: random.Random) -> None:
    path = root / "bilingual.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'(?m)^title = "([^"]*)"',
                           f'title = "Brücke {rng.randint(1, 99)}"', text, count=1),
                    encoding="utf-8")


def add_article(root: Path, rng: random.Random) -> None:
    number = rng.randint(1, 9999)
    (root / "content" / "de" / f"neu-{number}.md").write_text(
        f"---\ntitle: Neuer Artikel {number}\ndate: 2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        f"\ntags: [Neu]\n---\n\nEin Absatz mit einem [Link](markteintritt-spanien.md).\n",
        encoding="utf-8")


def remove_article(root: Path, rng: random.Random) -> None:
    articles = _articles(root)
    if len(articles) > 1:
        rng.choice(articles).unlink()


def change_slug(root: Path, rng: random.Random) -> None:
    path = rng.choice(_articles(root))
    text = path.read_text(encoding="utf-8")
    slug = f"slug-{rng.randint(1, 999)}"
    if re.search(r"(?m)^slug: ", text):
        text = re.sub(r"(?m)^slug: .*$", f"slug: {slug}", text, count=1)
    else:
        text = text.replace("---\n", f"---\nslug: {slug}\n", 1)
    path.write_text(text, encoding="utf-8")


def edit_front_matter(root: Path, rng: random.Random) -> None:
    # What the feeds and the sitemap show beyond a listing entry (`updated`,
    # `author`), and tags, which move an article between tag pages.
    path = rng.choice(_articles(root))
    field, value = rng.choice([("updated", f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"),
                               ("author", f"Autorin {rng.randint(1, 9)}"),
                               ("tags", f"[Thema {rng.randint(1, 3)}]")])
    text = re.sub(rf"(?m)^{field}: .*\n", "", path.read_text(encoding="utf-8"), count=1)
    path.write_text(text.replace("---\n", f"---\n{field}: {value}\n", 1), encoding="utf-8")


def add_static_file(root: Path, rng: random.Random) -> None:
    folder = root / "static" / "files"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"datei-{rng.randint(1, 5)}.txt").write_text(f"{rng.random()}\n", encoding="utf-8")


def link_static_file(root: Path, rng: random.Random) -> None:
    # Warned about until add_static_file makes the file, if it ever does: the
    # link is checked again, not taken from the cache, when the files change.
    path = rng.choice(_articles(root))
    text = path.read_text(encoding="utf-8")
    path.write_text(text + f"\n[Datei](../../files/datei-{rng.randint(1, 5)}.txt)\n",
                    encoding="utf-8")


def set_image(root: Path, rng: random.Random) -> None:
    # Warned about, from the plan, while the file is not among the static files.
    path = rng.choice(_articles(root))
    text = re.sub(r"(?m)^image: .*\n", "", path.read_text(encoding="utf-8"), count=1)
    image = f"image: /files/datei-{rng.randint(1, 5)}.txt\n"
    path.write_text(text.replace("---\n", "---\n" + image, 1), encoding="utf-8")


def add_control_character(root: Path, rng: random.Random) -> None:
    # The pages leave it out and the build warns (the warning kept with the
    # article's or catalog's outcome in the cache).
    path = rng.choice(_articles(root) + _catalogs(root))
    text = path.read_text(encoding="utf-8")
    spots = [m.end() for m in re.finditer(r'\n(msgstr "|[A-ZÄÖÜ])', text)]
    if spots:
        at = rng.choice(spots)
        path.write_text(text[:at] + rng.choice("\x01\x0c\x1b\x7f") + text[at:], encoding="utf-8")


def rewrite_unchanged(root: Path, rng: random.Random) -> None:
    path = rng.choice(_articles(root) + _catalogs(root))
    path.write_bytes(path.read_bytes())


def run_update(root: Path, rng: random.Random) -> None:
    apply_plan(plan_update(load_config(root)))


EDITS = (edit_german_sentence, edit_translation, mark_fuzzy, edit_template, edit_config,
         add_article, remove_article, change_slug, edit_front_matter, add_static_file,
         link_static_file, set_image, add_control_character, rewrite_unchanged, run_update)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_build_equals_a_clean_build_after_random_edits(tmp_path, seed):
    rng = random.Random(seed)
    root = _project(tmp_path / "project")
    drafts = seed == 3
    assert _build(root, drafts) == _clean_build(root, tmp_path / "clean", drafts)
    for step in range(12):
        edit = rng.choice(EDITS)
        edit(root, rng)
        if step % 3 == 2:
            # A new process: only what is on disk in .bilingual-cache/ is reused.
            bilingual.cache._caches.clear()
        incremental, warned = _build(root, drafts)
        clean, clean_warned = _clean_build(root, tmp_path / "clean", drafts)
        assert incremental.keys() == clean.keys(), (step, edit.__name__)
        for name in clean:
            assert incremental[name] == clean[name], (step, edit.__name__, name)
        assert warned == clean_warned, (step, edit.__name__)


def test_pages_rendered_on_several_cores_equal_the_single_process_result(tmp_path, monkeypatch):
    root = _project(tmp_path / "project")
    single = _clean_build(root, tmp_path / "single", drafts=True)
    monkeypatch.setattr(bilingual.parallel, "MIN_PARALLEL_ITEMS", 2)
    monkeypatch.setenv("BILINGUAL_JOBS", "2")
    parallel = _clean_build(root, tmp_path / "parallel", drafts=True)
    assert parallel == single


def test_what_workers_segmented_is_on_disk_for_the_next_build(tmp_path, monkeypatch):
    # Workers write what they read at the end of each run of articles they
    # were given; a later build whose pages all render again (a template
    # changed) then segments nothing.
    root = _project(tmp_path / "project")
    monkeypatch.setattr(bilingual.parallel, "MIN_PARALLEL_ITEMS", 2)
    monkeypatch.setenv("BILINGUAL_JOBS", "2")
    build_site(load_config(root))
    monkeypatch.setattr(bilingual.cache, "_caches", {})  # nothing held in memory
    (root / "templates").mkdir()
    base = (bilingual.templates.BUILTIN_TEMPLATES / "base.html").read_text(encoding="utf-8")
    (root / "templates/base.html").write_text(base + "<!-- changed -->\n", encoding="utf-8")

    def segmented_again(doc):
        raise AssertionError(f"{doc.path} segmented again")

    monkeypatch.setattr(bilingual.reading, "segment_document", segmented_again)
    monkeypatch.setenv("BILINGUAL_JOBS", "1")
    summary = build_site(load_config(root))
    assert summary.written and all(
        (summary.output_dir / page).read_text(encoding="utf-8").endswith("<!-- changed -->\n")
        for page in summary.pages)


def test_a_build_with_nothing_changed_reuses_the_site_and_notices_a_deleted_page(tmp_path):
    root = _project(tmp_path / "project")
    first = build_site(load_config(root))
    again = build_site(load_config(root))
    assert again.written == () and again.files == first.files
    page = first.output_dir / first.pages[0]
    page.unlink()
    repaired = build_site(load_config(root))
    assert repaired.written == (first.pages[0],) and page.is_file()


def test_a_build_after_a_swap_copies_the_site_without_walking_it(tmp_path, monkeypatch):
    # The receipt a build leaves (publish.StagingReceipt) reaches the next
    # build's staging copy: neither site is walked, and the result is a
    # clean build's.
    import time

    import bilingual.publish as publish

    root = _project(tmp_path / "project")
    build_site(load_config(root))
    rng = random.Random(3)
    edit_german_sentence(root, rng)
    edit_translation(root, rng)
    build_site(load_config(root))  # swaps, and leaves a receipt
    time.sleep(0.02)  # a later tick of the file system's clock, as between real builds
    edit_translation(root, rng)
    walked = []
    real_entries = publish._entries
    monkeypatch.setattr(publish, "_entries",
                        lambda top, folders=None: walked.append(top) or real_entries(top, folders))
    monkeypatch.setenv("BILINGUAL_JOBS", "1")  # the staging copy in this process, where it is seen
    summary = build_site(load_config(root))
    assert summary.written and walked == []
    assert _tree(summary.output_dir) == _clean_build(root, tmp_path / "clean", False)[0]


def test_the_site_record_holds_each_files_identity_though_few_are_looked_at(tmp_path,
                                                                           monkeypatch):
    # A build whose staging copy came from the changes takes the identity of
    # each file it left alone from the record before it
    # (`publish._states_after_build`): each must still be the file's own.
    import os
    import time

    import bilingual.publish as publish
    from bilingual.cache import file_identity

    looked_at = []
    real_states = publish._file_states
    monkeypatch.setattr(publish, "_file_states", lambda output, names: looked_at.append(
        len(list(names))) or real_states(output, names))
    root = _project(tmp_path / "project")
    build_site(load_config(root))
    rng = random.Random(4)
    for edit in (edit_german_sentence, edit_translation, edit_front_matter, edit_translation,
                 rewrite_unchanged):
        time.sleep(0.02)  # a later tick of the file system's clock, as between real builds
        edit(root, rng)
        looked_at.clear()
        summary = build_site(load_config(root))
        record = publish.recorded_site(load_config(root), summary.output_dir)
        assert record.keys() == set(summary.files)
        assert {name: state for name, (state, _) in record.items()} == {
            name: file_identity(os.lstat(summary.output_dir / name)) for name in record}
    # The last builds looked at a few files each, not at every one.
    assert looked_at and max(looked_at) < len(summary.files) / 4


def _cache_rows(root: Path) -> dict[str, int]:
    import sqlite3
    database = root / CACHE_FOLDER / bilingual.cache.ResultCache.DATABASE
    with sqlite3.connect(database) as connection:
        return dict(connection.execute("SELECT kind, count(*) FROM results GROUP BY kind"))


def test_the_cache_keeps_one_result_per_file_however_often_it_is_edited(tmp_path):
    # An article and its catalog edited, updated and built again and again:
    # the results of each file's earlier versions are replaced, not piled
    # up (a site's cache grew by some 50 KB per edit before). `serve`'s
    # drafts build keeps its own, beside the plain build's.
    root = _project(tmp_path / "project")
    article = _articles(root)[0]
    text = article.read_text(encoding="utf-8")

    def edit_and_build(number: int, drafts: bool = False) -> dict[str, int]:
        article.write_text(text + f"\nEin neuer Satz Nummer {number}.\n", encoding="utf-8")
        run_update(root, random.Random(number))
        catalog = _catalogs(root)[0]
        catalog.write_text(catalog.read_text(encoding="utf-8") + f"\n# edit {number}\n",
                           encoding="utf-8")
        bilingual.cache._caches.clear()  # a new process, as from the command line
        build_site(load_config(root), drafts=drafts)
        return _cache_rows(root)

    first = edit_and_build(0)
    owned = ("source", "segments", "catalog", "text", "gathered", "stable", "stable-files")
    assert all(first.get(kind) for kind in owned), first
    for number in range(1, 4):
        again = edit_and_build(number)
        assert {kind: again.get(kind) for kind in owned} == \
            {kind: first[kind] for kind in owned}, number
    with_drafts = edit_and_build(4, drafts=True)
    assert with_drafts["gathered"] == 2 * first["gathered"]
    pruned = ("page", "page-html", "entries")  # three times what a build uses, at most
    later = [edit_and_build(number) for number in (5, 6)]
    assert all({kind: rows[kind] for kind in rows if kind not in pruned} ==
               {kind: with_drafts[kind] for kind in with_drafts if kind not in pruned}
               for rows in later)


def _stored(root: Path, kind: str) -> list[bytes]:
    """The pickled results of one kind, as the cache holds them."""
    import sqlite3
    database = root / CACHE_FOLDER / bilingual.cache.ResultCache.DATABASE
    with sqlite3.connect(database) as connection:
        return [value for (value,) in
                connection.execute("SELECT value FROM results WHERE kind = ?", (kind,))]


def _kept_texts(root: Path) -> list:
    import pickle
    return [pickle.loads(value) for value in _stored(root, "text")]


def test_the_cache_keeps_an_articles_body_once_with_its_segments(tmp_path):
    # The "source" result holds the article; its segments are kept without
    # it, and a page made from them is the clean build's (a template edit
    # renders every page again from what was kept).
    import pickle
    root = _project(tmp_path / "project")
    _build(root, False)
    bodies = [pickle.loads(value).body.encode() for value in _stored(root, "source")]
    segments = _stored(root, "segments")
    assert bodies and len(segments) == len(bodies)
    assert not any(body in stored for body in bodies for stored in segments)
    edit_template(root, random.Random(2))
    bilingual.cache._caches.clear()  # a new process, as from the command line
    assert _build(root, False) == _clean_build(root, tmp_path / "clean", False)


def test_the_cache_keeps_a_translated_body_once_and_pages_made_from_it_are_the_same(tmp_path):
    # What the cache keeps to render a page again without translating its
    # article anew: nothing of a page rendered as written (its source is
    # kept already), and a translation's catalog translations only where
    # rendering reads them: raw HTML (rendered from the German's tokens) and
    # a draft's untranslated blocks (marked lang="de"). A template changed
    # renders every page again from it, as a clean build would.
    root = _project(tmp_path / "project")
    with_html, drafted, plain = _articles(root)
    abbreviation = '<abbr title="Datenschutz-Grundverordnung">DSGVO</abbr>'
    for article, paragraph in ((with_html, f"Die {abbreviation} gilt."),
                               (drafted, "Ein Absatz, den niemand übersetzt hat.")):
        article.write_text(article.read_text(encoding="utf-8") + f"\n{paragraph}\n",
                           encoding="utf-8")
    run_update(root, random.Random(0))
    catalog_file = root / "locales/es/LC_MESSAGES" / with_html.with_suffix(".po").name
    catalog = polib.pofile(str(catalog_file))
    catalog.find(f"Die {abbreviation} gilt.").msgstr = f"El {abbreviation} se aplica."
    catalog.save()

    for drafts in (False, True):
        _build(root, drafts)
    kept = _kept_texts(root)
    assert kept and all(text.translated_markdown is not None for text in kept)
    # Published (drafts or not): with_html twice, plain twice; drafted only as a draft.
    assert len(kept) == 5
    with_translations = [text for text in kept if text.translations is not None]
    assert sorted("<abbr" in text.markdown for text in with_translations) == [False, True, True]
    assert all("<abbr" not in text.markdown for text in kept if text.translations is None)
    assert plain.read_text(encoding="utf-8")[-200:].strip() in \
        "".join(text.markdown for text in kept if text.translations is None)

    edit_template(root, random.Random(1))
    for drafts in (False, True):
        assert _build(root, drafts) == _clean_build(root, tmp_path / "clean", drafts)


def test_an_update_that_changes_nothing_leaves_the_next_build_a_no_op(tmp_path, monkeypatch):
    # update takes a lock file in locales/ and removes it, an editor leaves a
    # swap file: neither is an input of the build, so nothing is rendered again.
    root = _project(tmp_path / "project")
    first = build_site(load_config(root))
    subprocess.run([sys.executable, "-m", "bilingual", "-C", str(root), "update"], check=True,
                   capture_output=True)
    (root / "content" / "de" / ".entwurf.md.swp").write_text("editor swap file")

    def render_site(*args, **kwargs):
        raise AssertionError("the site was rendered again")

    monkeypatch.setattr(bilingual.build, "render_site", render_site)
    again = build_site(load_config(root))
    assert again.written == () and again.files == first.files


def _catalog_tree(root: Path) -> dict[str, bytes]:
    return _tree(root / "locales")


@pytest.mark.parametrize("seed", [4, 5])
def test_incremental_update_equals_an_update_without_cache_after_random_edits(tmp_path, seed):
    # `update` skips article/catalog pairs known stable by their file states;
    # after any sequence of edits its catalogs are those a run without the cache writes.
    rng = random.Random(seed)
    root = _project(tmp_path / "project")
    edits = (edit_german_sentence, edit_translation, mark_fuzzy, add_article, remove_article,
             change_slug, rewrite_unchanged)
    for step in range(8):
        rng.choice(edits)(root, rng)
        scratch = tmp_path / f"clean-{step}"
        shutil.copytree(root, scratch, ignore=shutil.ignore_patterns(CACHE_FOLDER, "site"))
        apply_plan(plan_update(load_config(root)))
        apply_plan(plan_update(load_config(scratch)))
        assert _catalog_tree(root) == _catalog_tree(scratch), f"step {step}"


def test_an_update_with_nothing_changed_reads_no_article(tmp_path, monkeypatch):
    root = _project(tmp_path / "project")
    for _ in range(2):  # the second run learns the states of the catalogs the first wrote
        apply_plan(plan_update(load_config(root)))

    def cached_source(*args, **kwargs):
        raise AssertionError("an unchanged article was read")

    monkeypatch.setattr(bilingual.update, "cached_source", cached_source)
    monkeypatch.setattr(bilingual.update, "prefetch", lambda *args: None)
    plan = plan_update(load_config(root))
    assert plan.catalogs and not plan.changed and not plan.errors
    edit_german_sentence(root, random.Random(1))
    with pytest.raises(AssertionError, match="unchanged article was read"):
        plan_update(load_config(root))  # an edited article is read (and only then)


def test_a_build_without_a_usable_cache_on_several_cores_equals_a_clean_build(
        tmp_path, monkeypatch):
    # Workers then keep nothing on disk: bodies are read again from the files.
    root = _project(tmp_path / "project")
    clean = _clean_build(root, tmp_path / "clean", drafts=True)
    (root / CACHE_FOLDER).write_text("not a folder")
    bilingual.cache._caches.pop(root.resolve(), None)
    monkeypatch.setattr(bilingual.parallel, "MIN_PARALLEL_ITEMS", 2)
    monkeypatch.setenv("BILINGUAL_JOBS", "2")
    assert _build(root, drafts=True) == clean
    assert (root / CACHE_FOLDER).read_text() == "not a folder"


def test_a_catalog_written_while_update_merges_it_is_looked_at_again(tmp_path, monkeypatch):
    # A translator saves a catalog after `update` read it: the next update must
    # not take the saved file for the one it merged (it records the state the
    # file had before it was read).
    root = _project(tmp_path / "project")
    apply_plan(plan_update(load_config(root)))
    shutil.rmtree(root / CACHE_FOLDER)
    bilingual.cache._caches.pop(root.resolve(), None)
    catalog = _catalogs(root)[0]
    original = bilingual.update.format_catalog

    def format_and_save_meanwhile(po):
        text = original(po)
        if any(file.endswith(f"/{catalog.stem}.md") for entry in po
               for file, _ in entry.occurrences):
            with catalog.open("a", encoding="utf-8") as handle:
                handle.write("\n\n")  # what update would take out again
        return text

    monkeypatch.setattr(bilingual.update, "format_catalog", format_and_save_meanwhile)
    first = plan_update(load_config(root))
    assert catalog not in {plan.path for plan in first.changed}
    monkeypatch.setattr(bilingual.update, "format_catalog", original)
    again = plan_update(load_config(root))
    assert catalog in {plan.path for plan in again.changed}



def test_a_listing_renders_only_the_entry_of_the_article_that_changed(tmp_path, monkeypatch):
    root = _project(tmp_path / "project")
    build_site(load_config(root))
    article = _articles(root)[0]
    text = article.read_text(encoding="utf-8")
    tags = yaml.safe_load(text.split("---")[1]).get("tags", [])
    rendered = []
    original = bilingual.templates._render
    original_entry_renderer = bilingual.templates.Renderer._entry_renderer

    def counting(env, name, context, where):
        rendered.append((name, context.get("lang"), context.get("item")))
        return original(env, name, context, where)

    def counting_entries(renderer, page):
        render_entry = original_entry_renderer(renderer, page)

        def counted(item):
            rendered.append(("entry.html", page.lang, item))
            return render_entry(item)
        return counted

    monkeypatch.setattr(bilingual.templates, "_render", counting)
    monkeypatch.setattr(bilingual.templates.Renderer, "_entry_renderer", counting_entries)
    # A new paragraph: no listing shows it, so the German home page is not made
    # again, and no entry is. (The Spanish version is held back, as its catalog
    # lacks the paragraph: the Spanish listings lose its entry, and the German
    # tag pages whose Spanish twin goes change their hreflang links.)
    article.write_text(text + "\nEin neuer letzter Absatz.\n", encoding="utf-8")
    build_site(load_config(root))
    made = {(name, lang) for name, lang, _ in rendered}
    assert ("article.html", "de") in made and ("listing.html", "es") in made
    assert ("listing.html", "de") not in made
    assert [item for name, _, item in rendered if name == "entry.html"] == []
    # A new title: its entry on the German home page and on each of its tag pages.
    rendered.clear()
    article.write_text(re.sub(r"(?m)^title: .*$", "title: Ein neuer Titel", text, count=1)
                       + "\nEin neuer letzter Absatz.\n", encoding="utf-8")
    build_site(load_config(root))
    entries = [item for name, _, item in rendered if name == "entry.html"]
    assert len(tags) > 0 and len(entries) == 1 + len(tags)
    assert {item.title for item in entries} == {"Ein neuer Titel"}


def test_a_relative_link_on_a_kept_translated_page_follows_a_new_german_page(tmp_path,
                                                                             monkeypatch):
    # A relative link resolves against each language version's own URL, and
    # on a translated page, failing that, against its German page's: once
    # article b exists, `../b/` works on /de/a/, and /es/a/ (b has no Spanish
    # page) links to /de/b/. The Spanish page, its article unchanged and kept
    # in the cache, must be made again for it; until b exists both warn.
    monkeypatch.setenv("BILINGUAL_JOBS", "1")
    root = tmp_path / "project"
    shutil.copytree(REPOSITORY / "tests/fixtures/site", root)
    content, catalogs = root / "content/de", root / "locales/es/LC_MESSAGES"
    (content / "a.md").write_text("---\ntitle: A\ndate: 2025-01-01\n---\n\n[B](../b/)\n",
                                  encoding="utf-8")
    (catalogs / "a.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Language: es\\n"\n\nmsgid "A"\nmsgstr "A"\n\n#. paragraph\n'
        'msgid "[B](../b/)"\nmsgstr "[B](../b/)"\n', encoding="utf-8")
    warning = "content/de/a.md: links to '../b/', which is no page or file of the site"
    assert warning in _build(root, False)[1]
    (content / "b.md").write_text("---\ntitle: B\ndate: 2025-01-02\n---\n\nText.\n",
                                  encoding="utf-8")
    incremental, warned = _build(root, False)
    assert "es/a/index.html" in incremental and "es/b/index.html" not in incremental
    assert warning not in warned
    assert 'href="../../de/b/"' in (root / "site/es/a/index.html").read_text(encoding="utf-8")
    assert (incremental, warned) == _clean_build(root, tmp_path / "clean", False)
