"""Writing the site: atomically, only what changed, and never outside the output folder.

Owns the output folder's safety rules: which folders Broadsheet may write into (it marks
the ones it owns), one build at a time per output folder (`BuildLock`), whole-file writes
(temp file in the same folder, then rename), skipping files whose bytes are equal,
copying static files, removing what the new site no longer has, and turning a full disk
or a read-only folder into one message (`WriteError`). It never follows a symbolic link
out of the output folder. Imports only `errors`.
"""

from __future__ import annotations

import errno
import os
import pickle
import shutil
import stat as stat_module
import time
import weakref
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import BroadsheetError, Packed, UsageError
from .load import RACY_NS

try:
    import fcntl
except ImportError:  # Windows: builds are not locked (README, "Command line")
    fcntl = None

MARKER = ".broadsheet-output"
MARKER_TEXT = ("This folder is written by Broadsheet (python build.py).\n"
               "Everything in it is replaced on each build: edit content/ and layouts/ instead.\n")
TEMP_SUFFIX = ".bs-tmp"
IN_PLACE = ""
"""`Staged.temp` of a page written straight into its place."""
STAGING = ".broadsheet-staging"


@dataclass(frozen=True, slots=True)
class Staged:
    """A rendered page waiting for `commit`: `temp` is None when the page is unchanged, and
    `IN_PLACE` when it was written where it belongs (`OutputFolder.in_place`)."""

    out_path: str
    temp: str | None
    size: int
    mtime_ns: int
    """Of the file as it will be once committed (a rename keeps the mtime)."""


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


REFUSED_WRITES = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
"""Errors of a folder that cannot be written (full, over quota, read-only, not ours):
reported as one line, never as a traceback."""


class WriteError(BroadsheetError):
    """A write the disk refused (full, read-only, no permission); the message names the file."""


def describe_refusal(exc: OSError, shown: str) -> str:
    """Return one line saying why `shown` could not be written, and what to do."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full" if exc.errno == errno.ENOSPC else "the disk quota is exceeded"
        return f"cannot write {shown}: {why}\n  hint: free some space and build again"
    if exc.errno == errno.EROFS:
        return f"cannot write {shown}: the file system is read-only\n  hint: build into a writable folder (--output DIR)"
    return f"cannot write {shown}: permission denied\n  hint: check the folder's owner and permissions, or use --output DIR"


class BuildLock:
    """One build at a time per output folder: an exclusive lock on a file in the site's
    cache folder, named after the output folder (so it also guards that folder's cache).

    An `flock`: the kernel drops it when the build's process and its forked workers have
    ended, however they ended, so the lock of a killed build is never in the way, and the
    workers of a build killed alone (`kill -9 PID`), which finish the chunk they hold, have
    stopped writing before the next build starts. The file holds the holder's process id,
    for the waiting message, and is removed on release; a file left by a killed build is
    simply locked again. Between the builds of one process (threads), nothing is promised.
    Without `fcntl` (Windows) nothing is locked.
    """

    POLL = 0.1
    """Seconds between two attempts while another build holds the lock."""

    def __init__(self, path: Path, waiting: Callable[[int | None], None] | None = None):
        self.path = path
        self.waiting = waiting
        """Called once, with the holder's process id (None if unknown), when this build must wait."""
        self._fd: int | None = None

    def acquire(self) -> None:
        """Wait for the lock. Raises OSError when the lock file cannot be made (read-only or
        full cache folder): the caller decides how to build without it."""
        if fcntl is None:
            return
        told = False
        while True:
            os.makedirs(self.path.parent, exist_ok=True)
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC, 0o644)
            except FileNotFoundError:  # its folder removed meanwhile: make it again
                continue
            except OSError as exc:
                if exc.errno != errno.ELOOP:
                    raise
                os.unlink(self.path)  # a link planted in its place: never followed
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
                if not told and self.waiting is not None:
                    self.waiting(_read_pid(fd))
                    told = True
                os.close(fd)
                time.sleep(self.POLL)
                continue
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:  # still the lock file: not one that its holder removed as we opened it
                break
            os.close(fd)
        self._fd = fd
        try:  # padded, not truncated first: ext4 flushes a file truncated to zero when it is closed (2 ms)
            os.pwrite(fd, f"{os.getpid():<20}\n".encode(), 0)
        except OSError:  # a full disk: the lock holds all the same, only the message lacks the id
            pass

    @property
    def written_stamp(self) -> Path:
        """A file that every build writing the folder alone touches (`OutputFolder.create`): a watch,
        which keeps the folder as its last build left it in memory, sees by it that another
        build has written there since."""
        return self.path.with_suffix(".written")

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.unlink(self.path)  # while still locked: a waiting build then makes a new file
        except OSError:
            pass
        os.close(self._fd)  # releases the lock (no worker holds it by now)
        self._fd = None


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextmanager
def refusals(shown: Callable[[OSError], str]) -> Iterator[None]:
    """Turn a write the disk refuses (`REFUSED_WRITES`) into a `WriteError` naming the file."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in REFUSED_WRITES:
            raise
        raise WriteError(describe_refusal(exc, shown(exc))) from None


@dataclass(frozen=True, slots=True)
class FolderState:
    """The output folder as a build left it: its files, and what proves its folders unchanged.

    It `holds` when every file has its size and mtime and every folder its mtime and ctime:
    a file added, removed or renamed anywhere changes the times of the folder that held it
    (and a ctime cannot be set back), a file rewritten its own. A folder changed after its
    build began (the build wrote into it, or someone did meanwhile) is not vouched for by
    its times: the names it must hold are kept instead, and compared with a listing. So the
    proof costs a stat per file and per folder, not a listing of every folder.
    """

    files: dict[str, tuple[int, int] | None]
    folders: dict[str, tuple[int, int] | frozenset[str]]
    """Path in the folder ('' for the folder itself) → its (mtime_ns, ctime_ns), or the
    names of its entries."""

    def holds(self, root: str, since_ns: int) -> dict[str, tuple[int, int]] | None:
        """Return None when the folder at `root` is not in this state. Else return the times
        of the folders proven by their names that have not changed since before `since_ns`
        (less RACY_NS): from now on their times prove them (the last build wrote into them;
        this one found their names right, and they have not changed since)."""
        lstat = os.lstat
        settled: dict[str, tuple[int, int]] = {}
        listed: dict[str, os.stat_result] = {}
        """Files of the folders proven by their names, with the stat their listing gave."""
        try:
            for folder, proof in self.folders.items():
                path = f"{root}/{folder}" if folder else root
                if type(proof) is tuple:
                    stat = lstat(path)
                    if proof != (stat.st_mtime_ns, stat.st_ctime_ns) or not stat_module.S_ISDIR(stat.st_mode):
                        return None
                    continue
                names = set()
                prefix = f"{folder}/" if folder else ""
                with os.scandir(path) as entries:
                    for entry in entries:
                        names.add(entry.name)
                        if entry.is_file(follow_symlinks=False):
                            listed[prefix + entry.name] = entry.stat(follow_symlinks=False)
                if names != proof:
                    return None
                stat = lstat(path)
                if max(stat.st_mtime_ns, stat.st_ctime_ns) < since_ns - RACY_NS:
                    settled[folder] = (stat.st_mtime_ns, stat.st_ctime_ns)
            for rel, state in self.files.items():
                stat = listed.get(rel) or lstat(f"{root}/{rel}")
                if state != (stat.st_size, stat.st_mtime_ns) or not stat_module.S_ISREG(stat.st_mode):
                    return None
        except OSError:  # gone, or no longer a folder
            return None
        return settled


def _unpacked(value: FolderState | Packed) -> FolderState:
    return value.unpack() if type(value) is Packed else value


def _folders_of(files: Iterable[str]) -> set[str]:
    """Return every folder holding one of `files` (paths in the output folder), '' the folder itself."""
    folders = {""}
    for rel in files:
        folder = rel.rpartition("/")[0]
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _names_by_folder(paths: Iterable[str]) -> dict[str, frozenset[str]]:
    """Return the names of the entries that `paths` (files in the output folder) make in
    each folder holding one ('' the folder itself), in one pass over them."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        folder, _, name = path.rpartition("/")
        found[folder].add(name)
        while folder:  # and each folder in its own, up to the first one already there
            parent, _, name = folder.rpartition("/")
            if name in found[parent]:
                break
            found[parent].add(name)
            folder = parent
    return {folder: frozenset(names) for folder, names in found.items()}


class OutputFolder:
    """One claimed output folder. `claim` decides whether Broadsheet may write there."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.root: Path = out_dir.resolve()
        self._dirs_ok: set[str] = set()
        self._staged_count = 0
        self._root_str = str(self.root)
        self._dirs_made: set[str] = set()
        self._made_early: list[str] = []
        """Folders `make_folders` made, parents first, until `commit` (`rollback` removes them)."""
        self._staging_ready = False
        self.in_place = False
        """Pages are written straight into their places, not staged (`write_in_place_if_empty`)."""
        self._survey: tuple[dict, list[str]] | None = None
        self._pending: tuple[int, weakref.finalize] | None = None
        """The pipe from the process walking the folder for `survey`, and what reaps it."""
        self._expected: FolderState | Packed | None = None
        self._proven = False
        """The survey found the folder as `_expected` (proven, not listed)."""
        self.settled: dict[str, tuple[int, int]] = {}
        """Folders of `_expected` proven by their names whose times now prove them."""
        self.claimed_ns = time.time_ns()
        """When this build took the folder: a folder changed since is not vouched for by its times."""
        self.stamp_when_written: Path | None = None
        """A file `create` writes, to say that this build writes the folder (`BuildLock.written_stamp`)."""

    @classmethod
    def claim(cls, out_dir: Path, site_dir: Path, *, create: bool = True) -> "OutputFolder":
        """Return the folder if Broadsheet may write there; raise UsageError (exit 2) if not.

        Refused: the site folder itself, a folder holding `content/`, a folder inside the
        site's content/ or layouts/, a file, and a non-empty folder without our marker.
        """
        root = out_dir.resolve()
        site = site_dir.resolve()
        shown = str(out_dir)
        if root == site:
            raise UsageError(f"refusing to write into {shown}: it is the site folder",
                             ) from None
        if site.is_relative_to(root) or (root / "content").exists():
            raise UsageError(f"refusing to write into {shown}: it contains a content/ folder "
                             "(the site's sources would be deleted)")
        for inner in ("content", "layouts"):
            if root.is_relative_to(site / inner):
                raise UsageError(f"refusing to write into {shown}: it is inside the site's {inner}/ folder")
        if root.exists() and not root.is_dir():
            raise UsageError(f"refusing to write into {shown}: it is a file, not a folder")
        if root.is_dir() and not (root / MARKER).exists() and any(root.iterdir()):
            raise UsageError(f"refusing to write into {shown}: the folder is not empty and was not written by "
                             "Broadsheet", )
        folder = cls(out_dir)
        if create:
            folder.create()
        return folder

    def create(self) -> None:
        """Make the (claimed) folder exist, with the marker that says Broadsheet owns it; say
        so in `stamp_when_written`, if set (once)."""
        if self.stamp_when_written is not None:
            try:
                with open(self.stamp_when_written, "w", encoding="ascii") as handle:
                    handle.write(f"{time.time_ns()} {os.getpid()}\n")
            except OSError:  # the cache folder cannot be written: the build has no lock either, and says so
                pass
            self.stamp_when_written = None
        with refusals(lambda exc: str(self.out_dir)):
            self.root.mkdir(parents=True, exist_ok=True)
            marker = os.path.join(self._root_str, MARKER)
            if os.path.islink(marker):  # never written through
                os.unlink(marker)
            if not os.path.lexists(marker):
                fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(MARKER_TEXT)

    def write_in_place_if_empty(self) -> None:
        """Write the pages straight into their places when the folder holds nothing but the
        marker (a first build, or one into a new folder), rather than staging them to be
        renamed into place once all have rendered: a cold build of 50,000 articles spent
        1.4 s renaming 81,000 files, with the other core idle. Nobody's files can be
        overwritten there, and a build that fails empties it again (`rollback`); each page
        is still written whole, then renamed, so a build killed half-way leaves whole pages,
        which the next build completes. Only the holder of the folder's `BuildLock` may call
        this (a build waiting for it would find it empty)."""
        with os.scandir(self._root_str) as entries:
            found = {entry.name: entry for entry in entries}
        self.in_place = set(found) <= {MARKER}
        if self.in_place:  # what a survey would find, told now: a walk while the workers write meets
            # their pages' temp files, gone by the time it looks at them
            self._collect()  # (and a survey under way ends first; in a folder with pages, it goes on)
            marker = found[MARKER].stat(follow_symlinks=False) if MARKER in found else None
            self._survey = ({MARKER: (marker.st_size, marker.st_mtime_ns)} if marker else {}, [])
            self._proven = False

    def shown(self, out_path: str) -> str:
        """Return a file of the folder as the user named the folder (for messages)."""
        return os.path.join(str(self.out_dir), out_path)

    def remove_leftovers(self) -> None:
        """Remove what a killed build left of its own: the staging folder, or whatever
        stands in its place (a symbolic link is removed, never followed). Only the holder
        of the folder's `BuildLock` may call this: no other build is staging then."""
        staging = os.path.join(self._root_str, STAGING)
        with refusals(lambda exc: self.shown(STAGING)):
            _remove_entry(staging)

    def target(self, out_path: str) -> str:
        """Return the absolute file for `out_path`, proving it stays inside the folder.

        Each folder is proven once to lie inside the output folder, symlinks followed
        (`_leads_inside`); the file itself is replaced by rename, which never follows a symlink.
        """
        name = out_path.rsplit("/", 1)[-1]
        path = os.path.join(self._root_str, out_path)
        if name in ("", ".", "..") or ".." in out_path.split("/") or os.path.isabs(out_path) \
                or not self._leads_inside(os.path.dirname(path)):
            raise BroadsheetError(f"refusing to write {out_path}: it would land outside the output folder")
        return path

    def _leads_inside(self, folder: str) -> bool:
        """True when `folder` lies inside the output folder once symlinks are followed
        (remembered when true). A folder whose parent does, and which is not a symlink (a real
        folder, or nothing yet: it will be made as one), does too: a page's folder costs one
        lstat, where resolving its path costs one for each of its parts (at 4,000 articles,
        0.5 s of a cold build's last step)."""
        if folder in self._dirs_ok or folder == self._root_str:
            return True
        parent, name = os.path.split(folder)
        if name in ("", ".", "..") or len(parent) < len(self._root_str) or not self._leads_inside(parent):
            inside = Path(folder).resolve().is_relative_to(self.root)
        else:
            try:
                inside = not stat_module.S_ISLNK(os.lstat(folder).st_mode) or \
                    Path(folder).resolve().is_relative_to(self.root)
            except (FileNotFoundError, NotADirectoryError):
                inside = True
        if inside:
            self._dirs_ok.add(folder)
        return inside

    def start_survey(self, expected: FolderState | Packed | None = None) -> None:
        """Begin `survey` in a forked process, which walks the folder on another core while
        this one loads the cache (the walk is thousands of stat calls: about 0.1 s at 7,000
        files). Where there is no fork, or no folder yet, `survey` walks when called.

        `expected`: the folder as the last build left it. When its proof holds (`FolderState`),
        the survey is that folder, told without listing every folder (at 80,000 pages, each
        in its own folder, the listing is most of a rebuild with nothing to do)."""
        if not hasattr(os, "fork") or self._survey is not None or self._pending is not None \
                or not os.path.isdir(self._root_str):
            return
        self._expected = expected
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: walk, send the result, and leave without running any cleanup
            code = 1
            try:
                os.close(read_end)
                settled = _unpacked(expected).holds(self._root_str, self.claimed_ns) if expected is not None else None
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(pickle.dumps(settled if settled is not None else self._walk(),
                                            protocol=pickle.HIGHEST_PROTOCOL))
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self._pending = (read_end, weakref.finalize(self, _reap, pid, read_end))  # reaped once, at the latest when dropped

    def survey(self) -> dict[str, tuple[int, int] | None]:
        """Return every file in the folder as out_path → (size, mtime_ns), None for anything
        but a regular file; remember the empty folders. `finish` then removes what the new
        site does not have without walking the folder again."""
        self._collect()
        if self._survey is None:
            self._survey = (dict(_unpacked(self._expected).files), []) if self._proven else self._walk()
        return self._survey[0]

    def holds(self, expected: FolderState | Packed) -> bool:
        """True when the folder is as `expected`. When the survey started from it, that is
        its proof's answer, and `expected` is not unpacked here (the other process did)."""
        self._collect()
        if self._proven and self._expected is expected:
            return True
        return self.survey() == _unpacked(expected).files

    def _collect(self) -> None:
        """Take the answer of the survey's process, if one was started: proven, or a listing
        (nothing when it failed: the folder changed under it, and `survey` walks here)."""
        if self._pending is None:
            return
        read_end, reap = self._pending
        self._pending = None
        with os.fdopen(read_end, "rb", closefd=False) as pipe:  # `reap` closes it
            data = pipe.read()
        if reap() == 0 and data:
            answer = pickle.loads(data)
            if isinstance(answer, dict):  # proven, with the folders whose times now prove them
                self._proven, self.settled = True, answer
            else:
                self._survey = answer

    def _walk(self) -> tuple[dict[str, tuple[int, int] | None], list[str]]:
        found: dict[str, tuple[int, int] | None] = {}
        empty: list[str] = []
        stack = [(self._root_str, "")]
        while stack:
            folder, prefix = stack.pop()
            with os.scandir(folder) as entries:
                count = 0
                for entry in entries:
                    count += 1
                    rel = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if rel != STAGING:
                            stack.append((entry.path, rel + "/"))
                    elif entry.is_file(follow_symlinks=False):
                        stat = entry.stat(follow_symlinks=False)
                        found[rel] = (stat.st_size, stat.st_mtime_ns)
                    else:
                        found[rel] = None
                if not count and prefix:
                    empty.append(folder)
                    found[prefix] = None  # an empty folder: a clean build leaves none
        return found, empty

    def finish(self, staged: list[Staged], copies: list[tuple[str, Path]], pages: Iterable[str], kept: int,
               previous: set[str] | None = None, same_files: bool = False) -> WriteReport:
        """Commit `staged` pages, copy static files, and remove what the site no longer has.

        `pages` is the out_path of every page of the site; `kept`, how many of them were not
        rendered this time because their inputs did not change. `previous`, when given, is
        every file the last build left (the live preview, whose folder nobody else writes):
        what to remove is then known without a walk; so it is after a `survey`. With
        `same_files` (the site has the last build's pages and copies: an edit that kept its
        structure), `previous` is what the folder holds after, and `pages` is not read: the
        live preview's save costs the pages it renders, not the site.
        """
        for out_path in [c[0] for c in copies]:
            self.target(out_path)
        written = self.commit(staged)
        unchanged = len(staged) - len(written) + kept
        for out_path, source in copies:
            if self.copy_file(out_path, source):
                written.append(out_path)
            else:
                unchanged += 1
        # Every file is in place: the folders known to be safe and made (a path of each of
        # 81,000 folders, twice, at 50,000 articles: 30 MB) are not needed again.
        self._dirs_ok, self._dirs_made = set(), set()
        if previous is not None and same_files:
            self.produced = previous
            return WriteReport(tuple(written), unchanged, ())
        produced = {MARKER, *pages, *(c[0] for c in copies)}
        self._collect()
        if previous is None and same_files and self._proven:
            # The folder held what the last build left (its proof), and this build leaves the
            # same files: nothing is stray, and its 80,000 files need not be unpacked to say so.
            self.produced = produced
            return WriteReport(tuple(written), unchanged, ())
        if previous is None and self._survey is None:
            self.survey()
        empty: list[str] = []
        if previous is None:
            found, empty = self._survey
            stray = [rel for rel, state in found.items() if rel not in produced or (
                     state is None and os.path.islink(os.path.join(self._root_str, rel)))]
        else:
            stray = list(previous - produced)
        removed = []
        for out_path in sorted(stray):
            path = os.path.join(self._root_str, out_path)
            with refusals(lambda exc: self.shown(out_path)):
                if os.path.islink(path) or os.path.isfile(path):  # not a folder a page now stands in
                    os.unlink(path)
                    if not out_path.endswith(TEMP_SUFFIX):
                        removed.append(out_path)
                self._remove_empty(os.path.dirname(path))
        with refusals(lambda exc: str(self.out_dir)):
            for folder in empty:
                self._remove_empty(folder)
        self.produced = produced
        return WriteReport(tuple(written), unchanged, tuple(removed))

    def state_now(self, known: dict[str, tuple[int, int]], before: FolderState | None = None,
                  touched: Iterable[str] = ()) -> FolderState:
        """Return the folder as this build leaves it (`FolderState`): every file it left,
        with its (size, mtime_ns), taken from `known` when there; and each folder's proof.
        With `before` (the last build's, when this build left the same files) only the
        folder itself and those of the `touched` files (written or removed) are looked at
        again: the others were proven as they were when this build began (`survey`), and a
        change since shows in their times."""
        files = self.files_now(known)
        if before is not None and before.files.keys() == files.keys():
            folders = dict(before.folders)
            todo = {""} | {out_path.rpartition("/")[0] for out_path in touched}
            todo.update(folder for folder, proof in folders.items() if type(proof) is not tuple)
        else:
            folders, todo = {}, _folders_of(files)
        names: dict[str, frozenset[str]] | None = None
        for folder in todo:
            proof = self._folder_times(folder)
            if proof is None:
                if names is None:
                    names = _names_by_folder(files)
                proof = names.get(folder, frozenset())
            folders[folder] = proof
        return FolderState(files, folders)

    def _folder_times(self, folder: str) -> tuple[int, int] | None:
        """Return (mtime_ns, ctime_ns) of a folder, or None when it changed after this build
        began (less RACY_NS: a change within one tick of the clock may leave its times as they were)."""
        try:
            stat = os.lstat(f"{self._root_str}/{folder}" if folder else self._root_str)
        except OSError:
            return None
        if max(stat.st_ctime_ns, stat.st_mtime_ns) >= self.claimed_ns - RACY_NS:
            return None
        return (stat.st_mtime_ns, stat.st_ctime_ns)

    def files_now(self, known: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int] | None]:
        """Return what `survey` would return right after `finish`: every file the build left,
        with its (size, mtime_ns), taken from `known` when there."""
        return {out_path: known[out_path] if out_path in known else self.file_state(out_path)
                for out_path in self.produced}

    def _remove_empty(self, folder: str) -> None:
        """Remove `folder` and its parents inside the output folder while they are empty."""
        while folder != self._root_str and folder.startswith(self._root_str) and os.path.isdir(folder) \
                and not os.path.islink(folder) and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)

    # Staging: pages are written to a private folder while the site renders, and moved
    # into place only when every page has rendered (`commit`), or thrown away (`rollback`).

    def stage_bytes(self, out_path: str, data: bytes) -> Staged:
        """Put `data` in the staging folder unless the page already holds exactly it (in
        its place, in a folder written `in_place`)."""
        path = self.target(out_path)
        if self.in_place:
            return self._write_in_place(out_path, path, data)
        try:
            stat = os.lstat(path)  # a link is never "unchanged": it is replaced by the page
            if stat.st_size == len(data) and stat_module.S_ISREG(stat.st_mode):
                with open(path, "rb") as handle:
                    if handle.read() == data:
                        return Staged(out_path, None, stat.st_size, stat.st_mtime_ns)
        except (FileNotFoundError, NotADirectoryError):
            pass
        with refusals(lambda exc: self.shown(out_path)):
            staging = os.path.join(self._root_str, STAGING)
            if not self._staging_ready:
                self._make_staging(staging)
            self._staged_count += 1
            temp = os.path.join(staging, f"{os.getpid()}-{self._staged_count}")
            stat = _write_new_file(temp, data)
        return Staged(out_path, temp, stat.st_size, stat.st_mtime_ns)

    def _write_in_place(self, out_path: str, path: str, data: bytes) -> Staged:
        with refusals(lambda exc: self.shown(out_path)):
            parent = os.path.dirname(path)
            if parent not in self._dirs_made:
                os.makedirs(parent, exist_ok=True)  # (another worker may make it at the same time)
                self._dirs_made.add(parent)
            temp = f"{path}.{os.getpid()}{TEMP_SUFFIX}"  # (renamed once whole: a killed build leaves no half page)
            stat = _write_new_file(temp, data)
            try:
                os.replace(temp, path)
            except OSError:
                os.unlink(temp)
                raise
        return Staged(out_path, IN_PLACE, stat.st_size, stat.st_mtime_ns)

    def _make_staging(self, staging: str) -> None:
        """Make the staging folder: a real folder, never a link followed somewhere else."""
        try:
            os.mkdir(staging)
        except FileExistsError:
            pass
        if not stat_module.S_ISDIR(os.lstat(staging).st_mode):  # planted while this build ran
            raise BroadsheetError(f"refusing to write into {self.shown(STAGING)}: it is not a folder "
                                  "(a symbolic link?); remove it and build again")
        self._staging_ready = True

    def make_folders(self, staged: Iterable[Staged]) -> None:
        """Make the folders missing for staged pages, while the rest of the site renders: a
        cold build makes a folder per page (0.16 ms each on this machine's ext4: 1.1 s at
        4,000 articles), which `commit` would make alone, with the other cores idle. Only
        what does not exist is made (what stands in the way is for `commit` to replace), and
        `rollback` removes what was made: a build that fails leaves the folder as it was."""
        for item in staged:
            if not item.temp:  # unchanged, or written in place (its folder made by its worker)
                continue
            parent = os.path.dirname(self.target(item.out_path))
            if parent in self._dirs_made:
                continue
            missing = []
            folder = parent
            while not os.path.lexists(folder):
                missing.append(folder)
                folder = os.path.dirname(folder)
            if not os.path.isdir(folder):
                continue  # a file in the way: `commit` replaces it
            with refusals(lambda exc: self.shown(os.path.dirname(item.out_path))):
                for folder in reversed(missing):
                    os.mkdir(folder)
                    self._made_early.append(folder)
            self._dirs_made.add(parent)

    def commit(self, staged: Iterable[Staged]) -> list[str]:
        """Move every staged page into place. Return the pages written."""
        self._made_early = []  # (in place now: no longer the rollback's to remove)
        self.in_place = False  # (every page is the site's now: the rollback below keeps them)
        written = []
        for item in staged:
            if item.temp is None:
                continue
            if item.temp == IN_PLACE:
                written.append(item.out_path)
                continue
            path = self.target(item.out_path)
            with refusals(lambda exc: self.shown(item.out_path)):
                self._prepare(path)
                os.replace(item.temp, path)
            written.append(item.out_path)
        self.rollback()
        return written

    def rollback(self) -> None:
        """Throw away everything staged: the site's files stay exactly as they were (a folder
        written `in_place` is emptied again, but for its marker)."""
        if self.in_place:
            with refusals(lambda exc: str(self.out_dir)):
                for name in os.listdir(self._root_str):
                    if name != MARKER:
                        _remove_entry(os.path.join(self._root_str, name))
            self._dirs_made, self._dirs_ok = set(), set()
        shutil.rmtree(os.path.join(self._root_str, STAGING), ignore_errors=True)  # a link: left alone
        self._staging_ready = False
        for folder in reversed(self._made_early):
            try:
                os.rmdir(folder)
            except OSError:
                pass  # not empty: someone else's since
            self._dirs_made.discard(folder)
        self._made_early = []

    def file_state(self, out_path: str) -> tuple[int, int] | None:
        """Return (size, mtime_ns) of a page in the folder, or None when it is not a file."""
        try:
            stat = os.stat(os.path.join(self._root_str, out_path))
        except (FileNotFoundError, NotADirectoryError):
            return None
        return (stat.st_size, stat.st_mtime_ns)

    def _prepare(self, path: str) -> None:
        """Make `path`'s folder exist, replacing a stale file or folder that stands in its way."""
        parent = os.path.dirname(path)
        if parent not in self._dirs_made:
            if not os.path.isdir(parent):
                ancestor = parent
                while ancestor != self._root_str and len(ancestor) > len(self._root_str):
                    if os.path.lexists(ancestor) and not os.path.isdir(ancestor):
                        os.unlink(ancestor)
                    ancestor = os.path.dirname(ancestor)
                os.makedirs(parent, exist_ok=True)
            self._dirs_made.add(parent)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)

    def write_bytes(self, out_path: str, data: bytes) -> bool:
        """Write `data` atomically unless the file already holds it. Return True if written."""
        return bool(self.commit([self.stage_bytes(out_path, data)]))

    def copy_file(self, out_path: str, source: Path) -> bool:
        """Copy `source` unless the target has its size and mtime. Return True if copied."""
        path = self.target(out_path)
        src_stat = source.stat()
        try:
            stat = os.lstat(path)
            if stat.st_size == src_stat.st_size and stat.st_mtime_ns == src_stat.st_mtime_ns and \
                    stat_module.S_ISREG(stat.st_mode):
                return False
        except (FileNotFoundError, NotADirectoryError):
            pass
        with refusals(lambda exc: self.shown(out_path)):
            self._prepare(path)
            folder, name = os.path.split(path)
            temp = os.path.join(folder, f".{name}.{os.getpid()}{TEMP_SUFFIX}")
            try:
                if os.path.lexists(temp):  # copyfile would write through a link standing there
                    os.unlink(temp)
                shutil.copyfile(source, temp)
                shutil.copystat(source, temp)
                os.replace(temp, path)
            finally:
                if os.path.lexists(temp):
                    os.unlink(temp)
        return True


def _write_new_file(path: str, data: bytes) -> os.stat_result:
    """Create `path` (never through a link, never over a file) holding `data`; return its
    stat. A write that fails (a full disk) leaves no half file behind."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError:
        os.unlink(path)
        raise
    return os.stat(path)


def _remove_entry(path: str) -> None:
    """Remove a file, a link (not what it points to) or a folder tree, if there."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat_module.S_ISDIR(mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _reap(pid: int, read_end: int) -> int | None:
    """Close a survey process's pipe and wait for it; return its exit status."""
    os.close(read_end)
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:  # reaped by someone else
        return None
