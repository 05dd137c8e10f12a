"""The built site is swapped in whole: readers and killed builds never see half a site."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bilingual.errors import BilingualError
from bilingual.publish import (
    MANIFEST,
    prepare_staging,
    previous_folder,
    staging_folder,
    write_site,
)

REPOSITORY = Path(__file__).resolve().parent.parent


def site(version: int, pages: int = 30) -> dict[str, bytes]:
    files = {f"de/seite-{n}/index.html": f"<p>Fassung {version}, Seite {n}</p>".encode()
             for n in range(pages)}
    files[MANIFEST] = "".join(f"{name}\n" for name in sorted(files)).encode()
    return files


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_changed_site_is_a_new_folder_and_unchanged_files_are_shared(tmp_path):
    output = tmp_path / "site"
    write_site(output, site(1))
    first_folder = os.stat(output).st_ino
    unchanged_before = os.stat(output / MANIFEST).st_ino
    files = site(1)
    files["de/seite-3/index.html"] = b"<p>neu</p>"
    written, removed = write_site(output, files)
    assert written == ("de/seite-3/index.html",) and removed == ()
    assert os.stat(output).st_ino != first_folder  # swapped in, not edited in place
    assert os.stat(output / MANIFEST).st_ino == unchanged_before  # hard-linked, not copied
    assert tree(output) == files
    assert not staging_folder(output).exists()
    # The old site stays whole beside it until the next build, for readers still in it.
    assert tree(previous_folder(output)) == site(1)
    write_site(output, site(2))
    assert tree(previous_folder(output)) == files
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.previous", "site"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_on_linux_the_new_site_and_the_old_one_change_places_in_one_step(tmp_path):
    # Readers never find the output folder missing: the two folders are
    # exchanged by one renameat2 call, not renamed one after the other.
    from bilingual.publish import _exchange

    new, current = tmp_path / "new", tmp_path / "current"
    new.mkdir()
    current.mkdir()
    (new / "index.html").write_text("neu")
    (current / "index.html").write_text("alt")
    assert _exchange(new, current)
    assert (current / "index.html").read_text() == "neu"
    assert (new / "index.html").read_text() == "alt"


def test_clearing_the_site_before_last_reads_each_folder_once(tmp_path, monkeypatch):
    # After `rm -rf site`, the next build starts its staging copy from the
    # site before last and removes every file of it. Asking after each
    # page folder whether the language folder was left empty, by listing
    # it, read thousands of entries thousands of times (52 s for a site of
    # 10,000 articles); a folder is read once now, and still removed when
    # emptied.
    from bilingual.publish import prepare_staging

    output = tmp_path / "site"
    write_site(output, site(1, pages=200))
    write_site(output, site(2, pages=200))
    shutil.rmtree(output)
    reads: list[str] = []
    listdir, scandir = os.listdir, os.scandir
    monkeypatch.setattr(os, "listdir", lambda path=".": reads.append(str(path)) or listdir(path))
    monkeypatch.setattr(os, "scandir", lambda path=".": reads.append(str(path)) or scandir(path))
    prepare_staging(output)
    monkeypatch.undo()
    language_folder = str(staging_folder(output) / "de")
    assert 1 <= reads.count(language_folder) <= 2, reads.count(language_folder)
    assert not (staging_folder(output) / "de").exists()
    assert not previous_folder(output).exists()


def test_an_unchanged_site_is_not_touched(tmp_path):
    output = tmp_path / "site"
    write_site(output, site(1))
    folder = os.stat(output).st_ino
    assert write_site(output, site(1)) == ((), ())
    assert os.stat(output).st_ino == folder


def test_files_of_an_earlier_build_go_and_files_no_build_wrote_stay(tmp_path):
    output = tmp_path / "site"
    write_site(output, site(1, pages=5))
    (output / "CNAME").write_text("www.example.com\n")
    (output / ".well-known").mkdir()
    (output / ".well-known" / "security.txt").write_text("Contact: x\n")
    written, removed = write_site(output, site(1, pages=3))
    assert removed == ("de/seite-3/index.html", "de/seite-4/index.html")
    assert written == (MANIFEST,)
    assert (output / "CNAME").read_text() == "www.example.com\n"
    assert (output / ".well-known" / "security.txt").is_file()
    assert not (output / "de" / "seite-4").exists()


def test_the_site_before_last_is_reused_and_only_differing_files_are_replaced(tmp_path):
    # The third build assembles its site from the first one's folder: files that
    # are the current site's (same inode) stay, every other entry is replaced or
    # removed, whatever happened to that folder in between.
    output = tmp_path / "site"
    write_site(output, site(1, pages=6))
    second = site(1, pages=6)
    second["de/seite-1/index.html"] = b"<p>zweite</p>"
    write_site(output, second)
    previous = previous_folder(output)
    shared = os.stat(previous / "de/seite-2/index.html").st_ino
    (previous / "fremd.txt").write_text("not of any build")
    (previous / "de/seite-2/index.html").unlink()
    (previous / "de/seite-2/index.html").write_bytes(b"<p>damaged</p>")
    third = site(1, pages=4)
    third["de/seite-3/index.html"] = b"<p>dritte</p>"
    third["de/neu/index.html"] = b"<p>neu</p>"
    written, removed = write_site(output, third)
    assert written == (MANIFEST, "de/neu/index.html", "de/seite-1/index.html",
                       "de/seite-3/index.html")
    assert removed == ("de/seite-4/index.html", "de/seite-5/index.html")
    assert tree(output) == third
    assert not (output / "de/seite-5").exists()  # emptied folders go too
    assert os.stat(output / "de/seite-2/index.html").st_ino == shared
    assert tree(previous_folder(output)) == second


def test_a_leftover_staging_folder_of_a_killed_build_is_replaced(tmp_path):
    output = tmp_path / "site"
    write_site(output, site(1))
    staging = staging_folder(output)
    (staging / "de").mkdir(parents=True)
    (staging / "de" / "halb.html").write_text("halb")
    write_site(output, site(2))
    assert tree(output) == site(2) and not staging.exists()


def test_a_reader_holding_the_folder_sees_one_whole_version(tmp_path):
    # A reader that opens the folder once and then its files (as a server with a
    # directory handle does) sees pages of one build only, while builds run.
    output = tmp_path / "site"
    write_site(output, site(0))
    stop = threading.Event()
    mixed: list[set[str]] = []
    snapshots = 0

    def read() -> None:
        nonlocal snapshots
        while not stop.is_set():
            try:
                folder = os.open(output, os.O_RDONLY)
            except FileNotFoundError:
                mixed.append({"folder missing"})
                continue
            try:
                versions = set()
                for n in range(30):
                    page = os.open(f"de/seite-{n}/index.html", os.O_RDONLY, dir_fd=folder)
                    versions.add(re.search(rb"Fassung (\d+)", os.read(page, 200)).group(1))
                    os.close(page)
            except FileNotFoundError:
                continue  # this reader outlasted two builds: its site was deleted
            finally:
                os.close(folder)
            snapshots += 1
            if len(versions) != 1:
                mixed.append({v.decode() for v in versions})

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for version in range(1, 40):
            write_site(output, site(version))
    finally:
        stop.set()
        reader.join()
    assert snapshots > 0 and mixed == []


def test_killing_build_leaves_the_old_site_or_the_new_one(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("bilingual.toml", "content", "locales", "static"):
        source = REPOSITORY / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / name)
    config = project / "bilingual.toml"

    def build() -> dict[str, bytes]:
        subprocess.run([sys.executable, "-m", "bilingual", "-C", str(project), "build"],
                       check=True, capture_output=True)
        return tree(project / "site")

    versions = {}
    rng = random.Random(7)
    for round_number in range(8):
        title = f"Brücke Fassung {round_number}"
        config.write_text(re.sub(r'(?m)^title = "[^"]*"', f'title = "{title}"',
                                 config.read_text(encoding="utf-8"), count=1), encoding="utf-8")
        before = tree(project / "site") if (project / "site").exists() else None
        process = subprocess.Popen([sys.executable, "-m", "bilingual", "-C", str(project),
                                    "build"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = tree(project / "site") if (project / "site").exists() else None
        complete = build()  # the whole new site, built without interruption
        versions[round_number] = complete
        assert after in (before, complete), f"round {round_number}: a mixed site"
    assert not staging_folder(project / "site").exists()


def test_an_output_folder_that_cannot_be_renamed_is_updated_file_by_file(tmp_path, monkeypatch):
    # A mounted output folder (a container volume) cannot be exchanged or renamed.
    import errno

    import bilingual.publish

    output = tmp_path / "site"
    write_site(output, site(1))
    real_replace = os.replace

    def replace(source, target):
        if Path(source) == output:
            raise OSError(errno.EBUSY, "Device or resource busy")
        real_replace(source, target)

    monkeypatch.setattr(bilingual.publish, "_exchange", lambda first, second: False)
    monkeypatch.setattr(bilingual.publish.os, "replace", replace)
    folder = os.stat(output).st_ino
    written, _ = write_site(output, site(2, pages=20))
    assert len(written) == 21 and tree(output) == site(2, pages=20)
    assert os.stat(output).st_ino == folder
    assert not staging_folder(output).exists()
    assert not any(p.name.endswith(".tmp") for p in output.rglob("*"))


def test_an_output_folder_that_is_a_link_keeps_the_link(tmp_path):
    # site -> /var/www/site: the folder the link leads to is replaced, the link stays.
    served = tmp_path / "www" / "site"
    served.mkdir(parents=True)
    output = tmp_path / "site"
    output.symlink_to(served)
    write_site(output, site(1))
    write_site(output, site(2))
    assert output.is_symlink() and output.resolve() == served.resolve()
    assert tree(served) == site(2)
    assert not staging_folder(served).exists()


def test_an_output_that_is_a_file_is_refused(tmp_path):
    output = tmp_path / "site"
    output.write_text("not a folder")
    with pytest.raises(BilingualError, match="the output folder is a file"):
        write_site(output, site(1))
    assert output.read_text() == "not a folder"


def test_packed_files_give_back_every_byte_and_hold_html_in_less_space(tmp_path):
    from bilingual.publish import PackedFiles

    files = PackedFiles()
    page = "".join(f"<li><a href=\"../seite-{n}/\">Seite {n}</a></li>\n" for n in range(300))
    files["de/index.html"] = page.encode()
    files["bild.bin"] = bytes(range(256))
    assert dict(files) == {"de/index.html": page.encode(), "bild.bin": bytes(range(256))}
    assert len(files._packed["de/index.html"]) * 4 < len(page.encode())
    write_site(tmp_path / "site", files)
    assert tree(tmp_path / "site") == dict(files)


def test_an_empty_folder_left_where_a_file_now_goes_is_replaced(tmp_path):
    # A killed build can leave an empty folder in the staging site; the next
    # build needs that name for a file.
    output = tmp_path / "site"
    write_site(output, site(1, pages=2))
    staging = staging_folder(output)
    (staging / "de" / "seite-0" / "index.html").mkdir(parents=True)
    write_site(output, site(2, pages=2))
    assert tree(output) == site(2, pages=2)


def test_files_the_record_vouches_for_are_not_read_and_others_are(tmp_path, monkeypatch):
    import bilingual.publish as publish

    output = tmp_path / "site"
    write_site(output, site(1))
    record = publish.record_site(output, site(1))
    assert set(record) == set(site(1))
    # Edited by hand after the build (new bytes, so a new identity), and replaced
    # by a link to a file with the right bytes: neither may be taken on the record's word.
    (output / "de/seite-1/index.html").write_bytes(b"<p>von Hand</p>")
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_bytes(site(1)["de/seite-2/index.html"])
    (output / "de/seite-2/index.html").unlink()
    (output / "de/seite-2/index.html").symlink_to(elsewhere)
    read = []
    original = publish._unchanged
    monkeypatch.setattr(publish, "_unchanged",
                        lambda path, data: read.append(path) or original(path, data))
    files = site(1)
    files["de/seite-3/index.html"] = b"<p>neu</p>"
    written, _ = write_site(output, files, publish.vouched_files(output, record))
    assert written == ("de/seite-1/index.html", "de/seite-2/index.html",
                       "de/seite-3/index.html")
    assert sorted(os.path.relpath(p, output) for p in read) == list(written)
    assert tree(output) == files and not (output / "de/seite-2/index.html").is_symlink()
    # Without a record every file is read, and the outcome is the same.
    read.clear()
    written, _ = write_site(output, site(2))
    assert written == tuple(sorted(set(site(2)) - {MANIFEST}))  # the same names: same manifest
    assert len(read) == len(site(2))


def test_a_staging_site_prepared_beforehand_gives_the_same_site(tmp_path):
    from bilingual.publish import prepare_staging

    output = tmp_path / "site"
    write_site(output, site(1, pages=6))
    (output / "CNAME").write_text("www.example.com\n")
    write_site(output, site(2, pages=6))  # a site before last to start from
    prepared = prepare_staging(output)
    assert prepared.vouched == {}  # nothing recorded, nothing vouched for
    staged = staging_folder(output)
    assert tree(staged) == tree(output)
    assert os.stat(staged / "de/seite-1/index.html").st_ino == \
        os.stat(output / "de/seite-1/index.html").st_ino
    files = site(2, pages=4)
    files["de/seite-0/index.html"] = b"<p>neu</p>"
    written, removed = write_site(output, files, staged=prepared)
    assert written == (MANIFEST, "de/seite-0/index.html")
    assert removed == ("de/seite-4/index.html", "de/seite-5/index.html")
    assert tree(output) == {**files, "CNAME": b"www.example.com\n"}
    assert not (output / "de" / "seite-5").exists()  # its folder went with it
    assert tree(previous_folder(output)) == {**site(2, pages=6), "CNAME": b"www.example.com\n"}


def test_a_prepared_staging_site_that_nothing_replaces_goes_back_to_being_the_site_before_last(
        tmp_path):
    # A build whose inputs changed but whose site did not: nothing is swapped
    # in, and no build folder may stay beside the output.
    from bilingual.publish import prepare_staging

    output = tmp_path / "site"
    write_site(output, site(1, pages=6))
    write_site(output, site(2, pages=6))
    prepared = prepare_staging(output)
    assert staging_folder(output).is_dir() and not previous_folder(output).exists()
    folder = os.stat(output).st_ino
    assert write_site(output, site(2, pages=6), staged=prepared) == ((), ())
    assert not staging_folder(output).exists()
    assert os.stat(output).st_ino == folder and tree(output) == site(2, pages=6)
    assert tree(previous_folder(output)) == site(2, pages=6)  # the copy, made a site before last
    # The next build starts from it as from any site before last.
    written, _ = write_site(output, site(3, pages=6), staged=prepare_staging(output))
    assert tree(output) == site(3, pages=6) and len(written) == 6  # every page, not the manifest
    assert tree(previous_folder(output)) == site(2, pages=6)


def test_no_staging_site_is_prepared_beside_a_folder_no_build_wrote(tmp_path):
    from bilingual.publish import prepare_staging

    output = tmp_path / "site"
    output.mkdir()
    (output / "index.html").write_text("von Hand")
    assert prepare_staging(output) is None
    assert not staging_folder(output).exists()
    with pytest.raises(BilingualError, match="not written by bilingual build"):
        write_site(output, site(1))


def test_the_staging_copy_vouches_for_files_before_linking_changes_their_identity(tmp_path):
    import bilingual.publish as publish

    output = tmp_path / "site"
    write_site(output, site(1))
    record = publish.record_site(output, site(1))
    # No site before last: every file is linked into a new staging folder.
    prepared = publish.prepare_staging(output, record)
    assert prepared.vouched == {name: digest for name, (_, digest) in record.items()}
    assert publish.vouched_files(output, record) == {}  # a new link is a new change time
    files = site(1)
    files["de/seite-3/index.html"] = b"<p>neu</p>"
    written, _ = write_site(output, files, prepared.vouched, prepared)
    assert written == ("de/seite-3/index.html",)
    assert tree(output) == files


def test_the_staging_copy_vouches_only_for_files_as_they_were_recorded(tmp_path):
    # One lstat of each file serves the vouching and the copy: a file changed
    # since the record, replaced or gone is not vouched for, and the staging
    # folder holds the file as it is now.
    import bilingual.publish as publish

    output = tmp_path / "site"
    write_site(output, site(1))
    write_site(output, site(2))  # a site before last: the staging folder starts from it
    record = publish.record_site(output, site(2))
    (output / "de/seite-1/index.html").write_bytes(b"<p>von Hand</p>")
    (output / "de/seite-2/index.html").unlink()
    (output / "de/seite-2/index.html").write_bytes(b"<p>neu angelegt</p>")
    (output / "de/seite-3/index.html").unlink()
    (output / "CNAME").write_bytes(b"example.org\n")
    vouched = publish.prepare_staging(output, record).vouched
    changed = {"de/seite-1/index.html", "de/seite-2/index.html", "de/seite-3/index.html"}
    assert vouched == {name: digest for name, (_, digest) in record.items()
                       if name not in changed}
    assert tree(publish.staging_folder(output)) == tree(output)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_folder_of_the_output_that_leads_elsewhere_is_refused(tmp_path, monkeypatch, jobs):
    # Hundreds of changed files are written by several processes; a folder
    # replaced by a link out of the site stops the build on one core or two,
    # with nothing written through the link.
    monkeypatch.setenv("BILINGUAL_JOBS", jobs)
    output = tmp_path / "site"
    write_site(output, site(1, pages=100))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.html").write_text("fremd")
    shutil.rmtree(output / "de" / "seite-50")
    (output / "de" / "seite-50").symlink_to(elsewhere)
    before = tree(output)
    with pytest.raises(BilingualError, match="leading elsewhere"):
        write_site(output, site(2, pages=100))
    assert (elsewhere / "index.html").read_text() == "fremd"
    assert tree(output) == before
    assert not staging_folder(output).exists()


def _build(output: Path, files: dict[str, bytes], receipt):
    """One swap as `bilingual build` makes it: the staging copy prepared with
    the receipt of the swap before. Returns (how the staging copy was made,
    the receipt of this swap)."""
    import bilingual.publish as publish

    walked = []
    real_entries = publish._entries

    def entries(top, folders=None):
        walked.append(top)
        return real_entries(top, folders)

    publish._entries = entries
    # Builds are seconds apart; here a few ticks of the file system's clock,
    # which a change in the same tick as a build could not be told from.
    time.sleep(0.02)
    try:
        prepared = publish.prepare_staging(output, {}, receipt)
    finally:
        publish._entries = real_entries
    staging = staging_folder(output)
    # Whichever way it was made, the staging copy is the current site, file for file.
    assert tree(staging) == tree(output)
    assert {name: os.lstat(staging / name).st_ino for name in tree(staging)} == \
        {name: os.lstat(output / name).st_ino for name in tree(output)}
    received = []
    write_site(output, files, prepared.vouched, prepared, received.append)
    return ("walked" if walked else "from the changes"), (received[-1] if received else receipt)


def test_after_a_swap_the_next_staging_copy_is_made_from_its_changes_alone(tmp_path):
    output = tmp_path / "site"
    write_site(output, site(1))
    how, receipt = _build(output, site(2), None)  # nothing to go by: both sites walked
    assert how == "walked" and receipt is not None
    files = site(2, pages=25)
    files["de/neu/index.html"] = b"<p>neu</p>"
    files[MANIFEST] = "".join(f"{name}\n" for name in sorted(files) if name != MANIFEST).encode()
    how, receipt = _build(output, files, receipt)
    assert how == "from the changes"
    assert set(receipt.written) == {"de/neu/index.html", MANIFEST}
    assert len(receipt.removed) == 5 and "de/seite-29" not in receipt.current
    assert tree(output) == files
    how, receipt = _build(output, site(3), receipt)
    assert how == "from the changes"
    assert tree(output) == site(3)
    assert tree(previous_folder(output)) == files


@pytest.mark.parametrize("change", ["file in the site", "folder in the site",
                                    "file in the site, its time set back",
                                    "file gone from the site before",
                                    "file put into the site before"])
def test_a_site_changed_since_the_last_swap_is_walked_and_nothing_is_lost(tmp_path, change):
    output = tmp_path / "site"
    write_site(output, site(1))
    _, receipt = _build(output, site(2), None)
    _, receipt = _build(output, site(3), receipt)
    previous = previous_folder(output)
    if change == "file in the site":
        (output / "de/seite-4/karte.pdf").write_bytes(b"%PDF")
    elif change == "folder in the site":
        (output / ".well-known").mkdir()
        (output / ".well-known/security.txt").write_text("Contact: x@example.org\n")
    elif change == "file in the site, its time set back":
        before = os.stat(output / "de/seite-4")
        (output / "de/seite-4/karte.pdf").write_bytes(b"%PDF")
        os.utime(output / "de/seite-4", ns=(before.st_atime_ns, before.st_mtime_ns))
    elif change == "file gone from the site before":
        (previous / "de/seite-7/index.html").unlink()
    else:
        (previous / "de/seite-8/fremd.html").write_text("nicht von bilingual")
    how, _ = _build(output, site(4), receipt)  # asserts that staging was the site
    assert how == "walked"
    kept = {"de/seite-4/karte.pdf": b"%PDF"} if "file in the site" in change else \
        {".well-known/security.txt": b"Contact: x@example.org\n"} \
        if change == "folder in the site" else {}
    assert tree(output) == {**site(4), **kept}


def test_the_staging_copy_made_from_changes_equals_the_site_over_random_builds(tmp_path):
    # Random sites, some swaps preceded by a hand-made change to either
    # folder: each staging copy is the current site, inode for inode (`_build`).
    output = tmp_path / "site"
    chance = random.Random(5)
    write_site(output, site(0, pages=8))
    receipt = None
    ways = set()
    for step in range(1, 40):
        files = {f"de/{chance.choice('abcdefghij')}{n}/index.html": f"{step} {n}".encode()
                 for n in range(chance.randint(1, 12))}
        files[MANIFEST] = "".join(f"{name}\n" for name in sorted(files)).encode()
        hand = chance.random()
        if hand < 0.1:
            (output / f"hand-{step}.txt").write_text("von Hand")
        elif hand < 0.2 and previous_folder(output).is_dir():
            for found in sorted(previous_folder(output).rglob("index.html"))[:1]:
                found.unlink()
        how, receipt = _build(output, files, receipt)
        ways.add(how)
        hand_made = {name: data for name, data in tree(output).items() if name.startswith("hand-")}
        assert tree(output) == {**files, **hand_made}
    assert ways == {"walked", "from the changes"}


@pytest.mark.parametrize("staged", [False, True])
def test_folders_no_build_wrote_keep_their_permissions_group_and_emptiness(tmp_path, staged):
    # The swap put a new folder in place of each: `site/` and a group-only
    # `uploads/` became readable by everyone, and an empty folder (certbot's
    # `.well-known/acme-challenge/`, a checkout's `.git/refs/tags/`) vanished.
    output = tmp_path / "site"
    write_site(output, site(1))
    other = next((g for g in os.getgroups() if g != os.getgid()),
                 65534 if os.geteuid() == 0 else None)
    uploads = output / "uploads"
    uploads.mkdir()
    (uploads / "plan.pdf").write_bytes(b"%PDF")
    (output / ".well-known" / "acme-challenge").mkdir(parents=True)
    os.chmod(uploads, 0o2770)
    os.chmod(output, 0o750)
    if other is not None:
        os.chown(uploads, -1, other)
    prepared = prepare_staging(output) if staged else None
    written, _ = write_site(output, site(2), staged=prepared)
    assert written
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o750
    assert stat.S_IMODE(os.stat(uploads).st_mode) == 0o2770
    assert (output / ".well-known" / "acme-challenge").is_dir()
    assert (uploads / "plan.pdf").read_bytes() == b"%PDF"
    if other is not None:
        assert os.stat(uploads).st_gid == other


def test_a_write_that_fails_names_the_file_and_leaves_the_site(tmp_path, monkeypatch):
    # A full disk said "error: No space left on device", naming no file.
    import bilingual.publish

    output = tmp_path / "site"
    write_site(output, site(1))

    def full(path, mode="r", *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bilingual.publish, "open", full, raising=False)
    with pytest.raises(BilingualError) as raised:
        write_site(output, site(2))
    assert raised.value.format_message() == (
        f"{output}/de/seite-0/index.html: cannot write the new site: No space left on "
        "device; the site is left as it was")
    assert tree(output) == site(1)


def test_an_empty_folder_removed_from_the_output_stays_removed(tmp_path):
    # The staging copy starts from the site before, which still had it: it
    # came back in every other build.
    output = tmp_path / "site"
    write_site(output, site(1))
    (output / "alt").mkdir()
    for version in (2, 3):
        write_site(output, site(version), staged=prepare_staging(output))
    (output / "alt").rmdir()
    for version in (4, 5, 6, 7):
        write_site(output, site(version), staged=prepare_staging(output))
        assert not (output / "alt").exists(), version

