"""Putting a built site in place: a complete new folder swapped in at once.

A web server may be serving the output folder while `build` runs, and a build
may be killed at any moment. So the new site is assembled in a sibling folder
(`.site.building` next to `site/`): files whose bytes did not change are
hard-linked from the current site (cheap, and the current site's files are
never modified in place: a changed file is written as a new file), changed
files are written, files the previous build wrote and this one does not are
left out. Then the two folders are exchanged in one step (Linux
`renameat2(RENAME_EXCHANGE)`), so a reader sees either the old site or the
new one. The old site stays as `.site.previous` until the next build, so a
reader in the middle of it can finish; the next build assembles its site in
a new folder with that folder's contents, replacing only the files that differ
(by inode) from the ones it keeps. That copy of the current site is made
while the pages render (`prepare_staging`); `write_site` then replaces the
files whose bytes changed. When neither site changed since the last swap
(`StagingReceipt`), that copy is the site before last and the files the
last build wrote and removed, and neither site is walked. A build that
changes nothing leaves the site as it is. Files in the output folder that
no build wrote (say a `CNAME` a host needs) are carried over.

Where the exchange is not available (another system, a file system without
it), the old folder is renamed away and the new one renamed in: two steps,
with a moment in between without the folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType

try:
    from compression import zstd  # Python 3.14 and later
except ImportError:
    from backports import zstd  # the same module, for earlier Pythons

from bilingual.cache import TreeState, file_identity, project_cache, tree_files
from bilingual.config import BUILTIN, SiteConfig
from bilingual.errors import BilingualError, ConfigError
from bilingual.parallel import c_library, map_chunks
from bilingual.sources import short_name

MANIFEST = ".bilingual-manifest"
"""Lists the files a build wrote, so the next build leaves out only its own stale files."""
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class PackedFiles(Mapping[str, bytes]):
    """A site's files by output path, held compressed (`pack`): a build keeps
    every page until the swap, and HTML packs about three to one."""

    def __init__(self) -> None:
        self._packed: dict[str, bytes | Callable[[], bytes]] = {}
        self._digests: dict[str, bytes] = {}

    @classmethod
    def of(cls, files: Mapping[str, bytes]) -> PackedFiles:
        """`files` packed (themselves when they are `PackedFiles` already)."""
        if isinstance(files, PackedFiles):
            return files
        packed = cls()
        for name, data in files.items():
            packed[name] = data
        return packed

    def __setitem__(self, name: str, data: bytes) -> None:
        self.set_packed(name, pack(data))

    def set_packed(self, name: str, packed: bytes, digest: bytes | None = None) -> None:
        """Add a file already compressed by `pack`, with its `packed_digest`
        when that is known."""
        self._packed[name] = packed
        if digest is None:
            self._digests.pop(name, None)
        else:
            self._digests[name] = digest

    def set_stored(self, name: str, digest: bytes, load: Callable[[], bytes]) -> None:
        """Add a file known by its `packed_digest`, its packed bytes kept
        elsewhere: `load` gives them, called only when the file is read (a
        build writes few of the pages it took from the cache)."""
        self._packed[name] = load
        self._digests[name] = digest

    def digest(self, name: str) -> bytes:
        """A digest of the file, taken without unpacking it (packing is deterministic)."""
        digest = self._digests.get(name)
        if digest is None:
            digest = self._digests[name] = packed_digest(self._packed[name])
        return digest

    def __getitem__(self, name: str) -> bytes:
        packed = self._packed[name]
        if callable(packed):
            packed = self._packed[name] = packed()
        return zstd.decompress(packed)

    def __contains__(self, name: object) -> bool:  # Mapping's would unpack the file
        return name in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


def pack(data: bytes) -> bytes:
    """`data` as `PackedFiles` holds it and the cache keeps a rendered page:
    Zstandard's level 1, the same bytes for the same data. The 1,998 article
    pages of 1,000 articles packed in 0.07 s to 8.5 MB and came back in 0.05
    s; zlib's fastest level took 0.21 to 0.27 s to 8.8 MB and 0.08 s."""
    return zstd.compress(data, level=1)


def packed_digest(packed: bytes) -> bytes:
    """`PackedFiles.digest` of a file as `pack` made it."""
    return hashlib.blake2b(packed, digest_size=16).digest()


def staging_folder(output: Path) -> Path:
    """Where the next site is assembled: a hidden sibling of the output folder."""
    return output.with_name(f".{output.name}.building")


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False when the system cannot."""
    try:
        renameat2 = c_library().renameat2
    except (OSError, TypeError, AttributeError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                     _RENAME_EXCHANGE)
    return done == 0


def previous_folder(output: Path) -> Path:
    """Where the site before the last build stays until the next build, so a
    reader in the middle of it can finish."""
    return output.with_name(f".{output.name}.previous")


def _swap_in(staging: Path, output: Path, written: tuple[str, ...],
             removed: tuple[str, ...]) -> None:
    """Make `staging` the output folder; the old output becomes the previous site."""
    if not output.exists():
        os.replace(staging, output)
        return
    previous = previous_folder(output)
    if previous.exists() or previous.is_symlink():
        _remove(previous)
    if _exchange(staging, output):
        os.replace(staging, previous)
        return
    try:
        os.replace(output, previous)
    except OSError:
        # The output folder is a mount point: it cannot be renamed, so its
        # files are replaced one by one, each atomically.
        _update_in_place(staging, output, written, removed)
        shutil.rmtree(staging)
    else:
        os.replace(staging, output)


def _update_in_place(staging: Path, output: Path, written: tuple[str, ...],
                     removed: tuple[str, ...]) -> None:
    for name in removed:
        (output / name).unlink(missing_ok=True)
    for name in written:
        # Through a temporary file beside the target: the staging folder may be
        # on another file system than a mounted output folder.
        target = output / name
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{short_name(target.name)}.{os.getpid()}.tmp")
        shutil.copyfile(staging / name, temporary)
        os.replace(temporary, target)


PUBLISHING_FILES = frozenset({".git", ".nojekyll", ".well-known", ".htaccess", ".DS_Store"})
"""What a folder that is to publish a site may hold before its first build
(a `gh-pages` checkout, a web server's folder); it stays through every build.
Anything else, hidden files too, makes it a folder no build may take: the
build swaps the whole folder (`--output ~` took a home folder)."""


def check_output_files(output: Path, shown: Path | str | None = None) -> None:
    """Refuse an output that is a file, or a folder holding files that no build
    wrote (it has no manifest): a ConfigError, exit 2, as the command line (or
    the default `site/`) names a folder a build cannot use. `shown`: the
    folder as messages show it (default: `output`)."""
    shown = output if shown is None else shown
    if output.is_symlink() and not output.exists():
        # Its staging copy was made beside the link, and the swap failed with
        # "Not a directory" about that copy, which stayed.
        raise ConfigError(f"the output folder is a link to {os.readlink(output)}, which is no "
                          "folder; make that folder or choose another --output", shown)
    if not output.exists():
        # `site.txt/x`: no folder can be made below a file.
        above = next((folder for folder in output.parents if folder.exists()), None)
        if above is not None and not above.is_dir():
            raise ConfigError(f"the output folder lies below the file {above.name}; "
                              "choose another --output", shown)
        return
    if not output.is_dir():
        raise ConfigError("the output folder is a file; remove it or choose another --output",
                          shown)
    if not (output / MANIFEST).is_file() and any(entry.name not in PUBLISHING_FILES
                                                  for entry in output.iterdir()):
        raise ConfigError("the output folder is not empty and was not written by "
                          "bilingual build; empty it or choose another --output", shown)


def _previous_manifest(output: Path) -> set[str]:
    # Checked before the build began (`build.check_output_folder`); again, as
    # the folder may have changed while the pages were rendered.
    check_output_files(output)
    manifest = output / MANIFEST
    if manifest.is_file():
        return {line for line in manifest.read_text(encoding="utf-8").splitlines() if line}
    return set()


def _unchanged(path: str, unpack: Callable[[], bytes]) -> bool:
    """True when `path` is a regular file (not a link) holding exactly the
    bytes `unpack` gives, called only when there is such a file (a new site's
    files are unpacked once, to be written)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            return False
        data = unpack()
        # A short read only means a rewrite that was not needed.
        return info.st_size == len(data) and os.read(handle, len(data) + 1) == data
    finally:
        os.close(handle)


SiteRecord = Mapping[str, tuple[str, bytes]]
"""What a build left in the output folder: each file's name, its identity
(`cache.file_state`'s, taken without following links) and its `PackedFiles.digest`."""


def _regular_file_state(path: str) -> str | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return file_identity(info) if stat.S_ISREG(info.st_mode) else None


def record_site(output: Path, files: Mapping[str, bytes],
                states: Mapping[str, str | None] | None = None) -> dict[str, tuple[str, bytes]]:
    """The `SiteRecord` of `output` once `write_site` made it hold `files`
    (`states`: their `_file_states`, when taken already): with it, the next
    build takes a file whose identity is still the recorded one as holding
    the recorded bytes (`vouched_files`), so that twenty thousand pages are
    compared in a stat each, not a read and an unpacking."""
    packed = PackedFiles.of(files)
    states = states if states is not None else _file_states(output, packed)
    return {name: (state, packed.digest(name)) for name, state in states.items()
            if state is not None}


def _file_states(output: Path, names: Iterable[str]) -> dict[str, str | None]:
    """Name -> identity of each regular file (None for anything else or nothing)."""
    root = f"{_site_folder(output)}/"
    return {name: _regular_file_state(root + name) for name in names}


def vouched_files(output: Path, record: SiteRecord,
                  found: Mapping[str, tuple[str, os.stat_result]] | None = None
                  ) -> dict[str, bytes]:
    """Name -> `PackedFiles.digest` of the files of `output` whose identity is
    still the one `record` holds: their bytes are the recorded ones. `found`:
    the `_entry_states` of `output`, when taken already."""
    if found is None:
        states = _file_states(output, record)
    else:
        states = {name: file_identity(entry[1]) if stat.S_ISREG(entry[1].st_mode) else None
                  for name in record if (entry := found.get(name)) is not None}
    return {name: digest for name, (state, digest) in record.items()
            if states.get(name) == state}


def _site_folder(output: Path) -> Path:
    return output.resolve() if output.is_symlink() and output.is_dir() else output


@dataclass(frozen=True, slots=True)
class Staged:
    """What `prepare_staging` found: the staging folder holds the output's files."""

    vouched: dict[str, bytes]
    """`vouched_files` of the output, taken before linking."""
    folders: frozenset[str]
    """Every folder of the output, relative to it (`` its root)."""
    read_at: int
    """A file-system time taken before the output's folders were read."""
    relinked: frozenset[str] | None = None
    """The files of the output linked or moved into the staging folder since
    `vouched` was taken (either changes a file's identity); None when they
    may be any."""


@dataclass(frozen=True, slots=True)
class StagingReceipt:
    """How a build left the output folder and the site before it
    (`.site.previous`): enough for the next build to make its staging copy
    from the changes alone, when neither folder changed since."""

    current: frozenset[str]
    """Every folder of the output, relative to it (`` its root)."""
    previous: frozenset[str]
    """Every folder of the site before it, as read at `read_at`."""
    read_at: int
    """A file-system time before the site before it was read."""
    settled: int
    """A file-system time after the swap, later than any change the build made."""
    written: tuple[str, ...]
    removed: tuple[str, ...]
    """Between the two sites, only these files differ."""


def prepare_staging(output: Path, record: SiteRecord = MappingProxyType({}),
                    receipt: StagingReceipt | None = None) -> Staged | None:
    """Make the staging folder (`staging_folder`) hold what `output` holds,
    each file the same one (hard links), starting from the site before last,
    so that `write_site` has only the files that differ to replace. Writes
    nothing outside the staging folder, so it may run while the next site is
    rendered. Its `vouched` is `vouched_files(output, record)`, taken before
    linking (a new link changes a file's change time, and so its identity).
    None, doing nothing, when `output` is not a folder a build wrote
    (`write_site` reports why).

    With the `receipt` of the build that swapped the output in, when no
    folder of either site changed since that build read it (each folder's
    change time, which no program can set back, is older), the site before
    last becomes the current one by the files that build wrote and removed:
    no folder of either site is read. Otherwise both are walked and compared
    file by file."""
    output = _site_folder(output)
    if output.exists() and not (output.is_dir() and (output / MANIFEST).is_file()):
        return None
    read_at = _file_system_time(output)
    if receipt is not None and read_at is not None and _unchanged_since(output, receipt):
        vouched = vouched_files(output, record)
        _mirror_changes(output, receipt)
        # The files of the site before last at its top were moved into the
        # staging folder (`_staging_base`), and a rename is a change too.
        top = (name for name in record if "/" not in name)
        return Staged(vouched, receipt.current, read_at, frozenset((*receipt.written, *top)))
    # One `lstat` of each file of the current site serves both: the identity
    # vouching for its bytes, and whether the staging folder holds it.
    folders: set[str] = set()
    kept = _entry_states(str(output), folders)
    vouched = vouched_files(output, record, kept)
    _mirror(output, kept, folders)
    return Staged(vouched, frozenset(folders), read_at or 0)


def _file_system_time(output: Path) -> int | None:
    """The time the file system of `output` gives a file made now (it may
    run behind the system clock by a tick); None when none can be made."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".time",
                                        dir=output.parent)
    except OSError:
        return None
    try:
        os.close(handle)
        return os.lstat(name).st_mtime_ns
    finally:
        os.unlink(name)


def _unchanged_since(output: Path, receipt: StagingReceipt) -> bool:
    """Whether the output and the site before it are as `receipt` left them."""
    previous, staging = previous_folder(output), staging_folder(output)
    if staging.exists() or staging.is_symlink() or previous.is_symlink() \
            or not previous.is_dir() or time.time_ns() < receipt.settled:
        return False  # a killed build's leftovers, or the clock was set back

    def unchanged(root: Path, folders: frozenset[str], before: int) -> bool:
        for folder in folders:
            try:
                info = os.lstat(os.path.join(root, folder))
            except OSError:
                return False
            # A folder's change time moves with every entry made, removed or
            # renamed in it; its modification time can be set back (`rsync -t`).
            if not stat.S_ISDIR(info.st_mode) or info.st_ctime_ns >= before:
                return False
        return True

    # The swap renamed both roots (a change time of its own); whether the
    # root of the site before it changed since it was read, only its
    # modification time tells.
    try:
        roots_unchanged = os.lstat(previous).st_mtime_ns < receipt.read_at
    except OSError:
        return False
    return (roots_unchanged and unchanged(output, receipt.current, receipt.settled)
            and unchanged(previous, receipt.previous - {""}, receipt.read_at)
            and unchanged(previous, frozenset({""}), receipt.settled))


def _mirror_changes(output: Path, receipt: StagingReceipt) -> None:
    """Make the staging folder hold what `output` holds, starting from the
    site before it and the files the last build wrote and removed."""
    staging = str(_staging_base(output))
    _like_folder(str(output), staging)
    _remove_files(staging, receipt.removed)
    folders = _Folders(staging)
    for name in receipt.written:
        source = os.path.join(output, name)
        target = folders.place(name)
        if os.path.lexists(target):
            os.unlink(target)
        _link(source, target)


def _entry_states(top: str, folders: set[str] | None = None
                  ) -> dict[str, tuple[str, os.stat_result]]:
    """Relative name -> (path, `lstat`) of every file and link under `top`
    (one removed while it is walked left out); `folders` gets the folders."""
    found = {}
    for relative, path in _entries(top, folders):
        try:
            found[relative] = (path, os.lstat(path))
        except FileNotFoundError:
            continue
    return found


def _mirror(output: Path, kept: Mapping[str, tuple[str, os.stat_result]] | None = None,
            folders: set[str] | None = None) -> None:
    """Make the staging folder hold the files and folders of `output` (`kept`
    and `folders`: its `_entry_states`, when taken already)."""
    staging = _staging_base(output)
    if kept is None or folders is None:
        folders = set()
        kept = _entry_states(str(output), folders)
    missing = _prune_staging(str(staging), kept, folders)
    placed = _Folders(str(staging))
    for relative in missing:
        _link(kept[relative][0], placed.place(relative))
    for folder in sorted(folders):  # parents first
        _like_folder(os.path.join(output, folder), os.path.join(staging, folder))


def _like_folder(source: str, target: str) -> None:
    """Make `target` a folder with the permissions and group of the folder
    `source`, which the swap replaces with it: a folder no build wrote (an
    empty `.well-known/acme-challenge/`, a `.git/refs/tags/`) was left out,
    and `site/` or an `uploads/` readable by a group only became readable by
    everyone. The group is kept where the file system lets this user set it."""
    try:
        wanted = os.lstat(source)
    except FileNotFoundError:
        return  # removed while the site was copied
    try:
        found = os.lstat(target)
    except FileNotFoundError:  # an empty folder (nearly all have files, made already)
        os.makedirs(target)
        found = os.lstat(target)
    # A folder the owner may not write to is left writable: the build writes
    # into it before the swap (it was reset to the default before 08105ef).
    if stat.S_IMODE(found.st_mode) != stat.S_IMODE(wanted.st_mode) \
            and wanted.st_mode & stat.S_IWUSR:
        os.chmod(target, stat.S_IMODE(wanted.st_mode))
    if found.st_gid != wanted.st_gid:
        with contextlib.suppress(PermissionError):
            os.chown(target, -1, wanted.st_gid)


def _link(source: str, target: str) -> None:
    """Make `target` the file `source` (a hard link), or a link like it."""
    if os.path.islink(source):
        os.symlink(os.readlink(source), target)
    else:
        try:
            os.link(source, target)
        except OSError:  # a file system without hard links
            shutil.copy2(source, target)


def write_site(output: Path, files: Mapping[str, bytes],
               vouched: Mapping[str, bytes] = MappingProxyType({}),
               staged: Staged | None = None,
               receipt_to: Callable[[StagingReceipt | None], None] | None = None
               ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Make `output` hold `files`: a new folder with them is swapped in when any
    file differs or a file of the previous build (per its manifest) is gone.
    `vouched` (`vouched_files`) names files of `output` known to hold bytes of
    a digest: those whose digest is the new file's are not read. `staged`:
    `prepare_staging` already made the staging folder a copy of `output`.
    `receipt_to` hears of the `StagingReceipt` of a swap (None when there is
    none to give), for the next `prepare_staging`.
    Returns (written, removed), each relative to `output`. When `output` is a
    link to a folder (`site -> /var/www/site`), the folder it leads to is the
    one swapped, and the link stays."""
    output = _site_folder(output)
    files = PackedFiles.of(files)
    previous = _previous_manifest(output)
    root = f"{output}/"

    def unchanged(name: str) -> bool:
        return (vouched.get(name) == files.digest(name)
                or _unchanged(root + name, lambda: files[name]))

    written = tuple(name for name in sorted(files) if not unchanged(name))
    removed = tuple(name for name in sorted(previous - set(files))
                    if ".." not in PurePosixPath(name).parts
                    and ((output / name).is_file() or (output / name).is_symlink()))
    if output.exists() and not written and not removed:
        if staged is not None:
            _staging_back_to_previous(output)
        return (), ()

    if staged is None:
        _mirror(output)
    staging = str(staging_folder(output))
    # The staging folder holds the current site: take out the files this
    # build no longer makes, then replace the ones that changed.
    emptied = _remove_files(staging, removed)
    folders = _Folders(staging)

    def put(name: str) -> bool:
        """Write one changed file; False, writing nothing, when its folder leads elsewhere."""
        target = folders.place(name)
        if not folders.inside(name):
            return False
        if os.path.lexists(target):
            os.unlink(target)  # the current site's file: never written through the link
        try:
            with open(target, "xb") as handle:
                handle.write(files[name])
        except OSError as exc:  # a full disk: the old site stays, as the message says
            raise BilingualError(f"cannot write the new site: {exc.strerror or exc}; the site "
                                 "is left as it was", output / name) from None
        return True

    # On every core: a new site's thousands of folders and files are made
    # faster by two processes than by one.
    for name, done in zip(written, map_chunks(put, written), strict=True):
        if not done:
            _remove(Path(staging))
            raise BilingualError("a folder of the output is a link leading elsewhere; refused",
                                 output / PurePosixPath(name).parent)
    _swap_in(Path(staging), output, written, removed)
    if receipt_to is not None:
        receipt_to(_receipt(output, staged, written, removed, emptied)
                   if staged is not None else None)
    return written, removed


def _staging_back_to_previous(output: Path) -> None:
    """After a build that swapped nothing in: the staging copy `prepare_staging`
    made (from the site before last) becomes the site before last again, so
    that no build folder stays beside the output, as after any finished build."""
    staging, previous = staging_folder(output), previous_folder(output)
    if staging.is_dir() and not staging.is_symlink() and not os.path.lexists(previous):
        with contextlib.suppress(OSError):  # left as it is, the next build reuses it
            os.rename(staging, previous)


def _receipt(output: Path, staged: Staged, written: tuple[str, ...],
             removed: tuple[str, ...], emptied: set[str]) -> StagingReceipt | None:
    """The `StagingReceipt` of a swap just made; None when there is no site
    before it (a first build, an output folder updated in place) or no file
    system time later than the swap was found."""
    previous = previous_folder(output)
    if previous.is_symlink() or not previous.is_dir():
        return None
    made = {folder for name in written for folder in _folders_of(name)}
    current = (staged.folders - emptied) | made
    # The file system's clock moves in ticks: wait for one later than the
    # swap, so that any later change shows as one.
    swapped = max(os.lstat(output).st_ctime_ns, os.lstat(previous).st_ctime_ns)
    for _ in range(100):
        settled = _file_system_time(output)
        if settled is None:
            return None
        if settled > swapped:
            return StagingReceipt(frozenset(current), staged.folders, staged.read_at, settled,
                                  written, removed)
        time.sleep(0.001)
    return None


def _folders_of(name: str) -> Iterator[str]:
    """The folders holding `name`, relative (`de/x/index.html`: `de/x`, `de`, ``)."""
    folder = posixpath.dirname(name)
    while folder:
        yield folder
        folder = posixpath.dirname(folder)
    yield ""


class _Folders:
    """The folders of the staging site, each made and checked once, not once
    per file (a site has a folder per page)."""

    def __init__(self, staging: str):
        self.staging = staging
        self.base = os.path.realpath(staging)
        self._made: set[str] = set()
        self._inside: dict[str, bool] = {}

    def place(self, relative: str) -> str:
        """The path of `relative` in the staging folder, its folder made and
        nothing in its way (an empty folder of an older site by that name)."""
        folder = os.path.dirname(relative)
        if folder not in self._made:
            os.makedirs(os.path.join(self.staging, folder), exist_ok=True)
            self._made.add(folder)
        target = os.path.join(self.staging, relative)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        return target

    def inside(self, relative: str) -> bool:
        """False when the folder of `relative` leads out of the staging folder
        (a link carried over from the output)."""
        folder = os.path.dirname(relative)
        if folder not in self._inside:
            real = os.path.realpath(os.path.join(self.staging, folder))
            self._inside[folder] = real == self.base or real.startswith(self.base + os.sep)
        return self._inside[folder]


def _staging_base(output: Path) -> Path:
    """The folder the next site is assembled in. The site before last
    (`.site.previous`), or what a killed build left, is reused: most of its
    files are already the right ones, so a build that changed one article
    does not link twenty thousand files anew and delete as many."""
    staging = staging_folder(output)
    if staging.is_symlink() or staging.exists() and not staging.is_dir():
        staging.unlink()
    if not staging.exists():
        staging.mkdir(parents=True)
        previous = previous_folder(output)
        if previous.is_dir() and not previous.is_symlink():
            # Its entries move into a new folder and it is removed: a reader
            # still holding it finds nothing, as when it was deleted, rather
            # than files of this build among those of the old one.
            for name in os.listdir(previous):
                os.rename(previous / name, staging / name)
            previous.rmdir()
    return staging


def _entries(top: str, folders: set[str] | None = None) -> list[tuple[str, str]]:
    """(relative name, path) of every file and link under `top` (links to
    folders are not followed); plain strings, as there are tens of thousands.
    `folders` gets the relative name of every folder read (`` for `top`)."""
    found = []
    pending = [("", top)]
    while pending:
        prefix, folder = pending.pop()
        try:
            scanner = os.scandir(folder)
        except FileNotFoundError:
            continue
        if folders is not None:
            folders.add(prefix[:-1])
        with scanner:
            for entry in scanner:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append((relative + "/", entry.path))
                else:
                    found.append((relative, entry.path))
    return found


def _prune_staging(staging: str, kept: Mapping[str, tuple[str, os.stat_result]],
                   folders: set[str]) -> list[str]:
    """Remove from `staging` every entry that is not the same file (the same
    inode, or a link with the same target) as the one `kept` names for it, the
    folders left empty, and the empty folders the output (`folders`) does not
    have (a folder removed from the output came back
    from the site before); return the names of `kept` still to be linked."""
    present: set[str] = set()
    unwanted: list[str] = []
    found: set[str] = set()
    for relative, entry in _entries(staging, found):
        source = kept.get(relative)
        if source is not None and _same_entry(entry, *source):
            present.add(relative)
        else:
            unwanted.append(relative)
    _remove_files(staging, unwanted)
    for folder in sorted(found - folders, reverse=True):  # deepest first
        with contextlib.suppress(OSError):  # not empty: a file of the output is below it
            os.rmdir(os.path.join(staging, folder))
    return [relative for relative in kept if relative not in present]


def _remove_files(staging: str, names: Iterable[str]) -> set[str]:
    """Unlink `names` (relative to `staging`, where present) and the folders
    they leave empty; return those folders, relative to `staging`."""
    emptied: set[str] = set()
    for name in names:
        entry = os.path.join(staging, name)
        if os.path.islink(entry) or os.path.isfile(entry):
            os.unlink(entry)
            emptied.add(os.path.dirname(entry))
    removed = set()
    for folder in sorted(emptied, reverse=True):  # deepest first
        while folder.startswith(staging + os.sep):
            # rmdir refuses a folder that holds anything. Listing it instead
            # read a language's folder of thousands of pages again after each
            # page folder removed: 52 s for a site of 10,000 articles.
            try:
                os.rmdir(folder)
            except OSError:
                break
            removed.add(os.path.relpath(folder, staging))
            folder = os.path.dirname(folder)
    return removed


def _same_entry(entry: str, source: str, second: os.stat_result) -> bool:
    """Whether `entry` is the file `source` (whose `lstat` is `second`) or a
    link with the same target."""
    first = os.lstat(entry)
    if stat.S_ISLNK(first.st_mode) or stat.S_ISLNK(second.st_mode):
        return (stat.S_ISLNK(first.st_mode) and stat.S_ISLNK(second.st_mode)
                and os.readlink(entry) == os.readlink(source))
    return (first.st_ino, first.st_dev) == (second.st_ino, second.st_dev)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


# ---------------------------------------------------------------------------
# What a build did, and whether it needs doing again
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HeldBack:
    """An article version that is not published, and why."""

    source: str
    """The article, relative to the project root."""
    lang: str
    reason: str
    missing: int = 0
    """Segments without any translation."""
    fuzzy: int = 0
    """Segments whose translation is fuzzy (needs review)."""
    built_as_draft: bool = False

    def describe(self) -> str:
        """One line for the build output."""
        verb = "built as draft" if self.built_as_draft else "held back"
        return f"{verb}: {self.source} [{self.lang}]: {self.reason}"


@dataclass(frozen=True, slots=True)
class BuildSummary:
    """What `build_site` did."""

    output_dir: Path
    pages: tuple[str, ...]
    """HTML pages, relative to the output folder."""
    files: tuple[str, ...]
    """Every file of the site."""
    written: tuple[str, ...]
    """Files whose bytes changed (or are new)."""
    removed: tuple[str, ...]
    """Files of an earlier build that this one no longer makes."""
    held_back: tuple[HeldBack, ...]
    warnings: tuple[str, ...]
    articles: int = 0
    """Markdown articles the build read, of every language."""

    def pages_per_language(self, languages: Iterable[str]) -> dict[str, int]:
        """Number of pages under each language's folder."""
        return {lang: sum(1 for p in self.pages if p.startswith(lang + "/"))
                for lang in languages}


def describe_summary(summary: BuildSummary, languages: Iterable[str]) -> str:
    """The closing line of `bilingual build`."""
    counts = ", ".join(f"{lang}: {n}" for lang, n in
                       summary.pages_per_language(languages).items())
    return (f"{len(summary.pages)} pages ({counts}), {len(summary.files)} files in "
            f"{summary.output_dir}; {len(summary.written)} written, "
            f"{len(summary.removed)} removed")


def input_state(config: SiteConfig) -> TreeState:
    """Every file a build reads, by name, size and times (see `cache.tree_state`)."""
    folders = [config.config_path, config.root / "content", config.root / "locales",
               config.templates_dir, config.static_dir, BUILTIN]
    folders += [config.content_dir(lang) for lang in config.languages]
    folders += [config.locale_dir(lang) for lang in config.target_languages]
    outermost = [f for f in set(folders)
                 if not any(f != other and f.is_relative_to(other) for other in folders)]
    return tree_files(sorted(outermost), hidden_kept=[config.static_dir, config.templates_dir])


def _output_state(summary: BuildSummary,
                  states: Mapping[str, str | None] | None = None) -> bytes:
    """A digest of the identity of every file the build wrote (`_file_states`)."""
    if states is None:
        states = _file_states(summary.output_dir, summary.files)
    return hashlib.sha256(repr(sorted(states.items())).encode()).digest()


def _last_build(output: Path, drafts: bool) -> bytes:
    # Not `Path.resolve`, which raises for a link that leads to itself: the
    # output folder's check then says what is wrong with it.
    return f"{os.path.realpath(output)}\0{drafts}".encode()


def unchanged_site(config: SiteConfig, output: Path, drafts: bool,
                   inputs: TreeState | None = None) -> BuildSummary | None:
    """The summary of the last build into `output` when nothing changed since:
    neither an input file (`inputs`, the `input_state` when already taken) nor
    a file that build wrote. Light on purpose (no Markdown, template or catalog
    module is loaded), so that a build with nothing to do is over at once."""
    remembered = project_cache(config.root).peek("last-build", _last_build(output, drafts))
    if not (isinstance(remembered, tuple) and len(remembered) == 3):
        return None
    recorded, summary, written_state = remembered
    if inputs is None:
        inputs = input_state(config)
    if (not isinstance(summary, BuildSummary) or recorded != inputs.digest
            or written_state != _output_state(summary)):
        return None
    return replace(summary, written=(), removed=())


def remember_site(config: SiteConfig, output: Path, drafts: bool, inputs: TreeState,
                  summary: BuildSummary, files: Mapping[str, bytes],
                  record: SiteRecord = MappingProxyType({}), staged: Staged | None = None
                  ) -> None:
    """Record a finished build: `inputs` (`input_state` before it read anything),
    the state of the files it wrote, and their `record_site` for the next
    `write_site` into the same folder (whatever its `--drafts`). `record` and
    `staged`: the output's record before the build and what `prepare_staging`
    found, when it made the staging folder."""
    cache = project_cache(config.root)
    states = _states_after_build(output, summary, record, staged)
    cache.put("last-build", _last_build(output, drafts),
              (inputs.digest, summary, _output_state(summary, states)))
    cache.put("site-record", _site_key(output), record_site(output, files, states),
              keep=False)


def _states_after_build(output: Path, summary: BuildSummary, record: SiteRecord,
                        staged: Staged | None) -> dict[str, str | None]:
    """`_file_states` of the files a build left in `output`, one `lstat` per
    file, but for the files whose identity `record` holds and `staged`
    vouched for that the build left alone (neither written nor linked into
    the staging folder): the same files still, taken from `record`."""
    if staged is None or staged.relinked is None:
        return _file_states(output, summary.files)
    touched = staged.relinked.union(summary.written)
    kept = {name: record[name][0] for name in summary.files
            if name in staged.vouched and name not in touched}
    return {**kept, **_file_states(output, [name for name in summary.files if name not in kept])}


def recorded_site(config: SiteConfig, output: Path) -> SiteRecord:
    """The `record_site` of the last build into `output`, or an empty one."""
    record = project_cache(config.root).peek("site-record", _site_key(output), keep=False)
    return record if isinstance(record, dict) else {}


def recorded_staging(config: SiteConfig, output: Path) -> StagingReceipt | None:
    """The `StagingReceipt` of the last swap into `output`, if it gave one."""
    receipt = project_cache(config.root).peek("staging-receipt", _site_key(output), keep=False)
    return receipt if isinstance(receipt, StagingReceipt) else None


def remember_staging(config: SiteConfig, output: Path, receipt: StagingReceipt | None) -> None:
    """Keep the `StagingReceipt` of a swap into `output` (None: forget the one before)."""
    project_cache(config.root).put("staging-receipt", _site_key(output), receipt, keep=False)


def _site_key(output: Path) -> bytes:
    return str(_site_folder(output).resolve()).encode()
