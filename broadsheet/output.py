"""Writing the site: atomically, only what changed, and never outside the output folder.

Owns the output folder's safety rules: which folders Broadsheet may write into (it marks
the ones it owns), whole-file writes (temp file in the same folder, then rename), skipping
files whose bytes are equal, copying static files, and removing what the new site no
longer has. Imports only `errors`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol

from .errors import BroadsheetError, UsageError

MARKER = ".broadsheet-output"
MARKER_TEXT = ("This folder is written by Broadsheet (python build.py).\n"
               "Everything in it is replaced on each build: edit content/ and layouts/ instead.\n")
TEMP_SUFFIX = ".bs-tmp"
STAGING = ".broadsheet-staging"


class Writable(Protocol):
    out_path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Staged:
    """A rendered page waiting for `commit`: `temp` is None when the page is unchanged."""

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


class OutputFolder:
    """One claimed output folder. `claim` decides whether Broadsheet may write there."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.root: Path = out_dir.resolve()
        self._dirs_ok: set[Path] = set()
        self._staged_count = 0

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
            root.mkdir(parents=True, exist_ok=True)
            marker = root / MARKER
            if not marker.exists():
                marker.write_text(MARKER_TEXT, encoding="utf-8")
        return folder

    def target(self, out_path: str) -> Path:
        """Return the absolute file for `out_path`, proving it stays inside the folder."""
        path = self.root / out_path
        parent = path.parent
        if parent not in self._dirs_ok:
            real_parent = parent.resolve()
            if not real_parent.is_relative_to(self.root):
                raise BroadsheetError(f"refusing to write {out_path}: it would land outside the output folder")
            self._dirs_ok.add(parent)
        if not path.resolve().is_relative_to(self.root) or path.name in ("", ".", ".."):
            raise BroadsheetError(f"refusing to write {out_path}: it would land outside the output folder")
        return path

    def write_all(self, outputs: Iterable[Writable], copies: Iterable[tuple[str, Path]]) -> WriteReport:
        """Write every output and copy, then remove every file the site no longer has.

        Every target is checked first, so a refused path fails the build before anything is written.
        """
        outputs, copies = list(outputs), list(copies)
        staged = [self.stage_bytes(o.out_path, o.data) for o in outputs]
        return self.finish(staged, copies, set())

    def finish(self, staged: list[Staged], copies: list[tuple[str, Path]], kept: set[str]) -> WriteReport:
        """Commit `staged` pages, copy static files, and remove what the site no longer has.

        `kept` are pages not rendered this time because their inputs did not change.
        """
        for out_path in [c[0] for c in copies]:
            self.target(out_path)
        written = self.commit(staged)
        unchanged = len(staged) - len(written) + len(kept)
        produced = {MARKER} | kept | {s.out_path for s in staged}
        for out_path, source in copies:
            produced.add(out_path)
            if self.copy_file(out_path, source):
                written.append(out_path)
            else:
                unchanged += 1
        removed = self.prune(produced)
        return WriteReport(tuple(written), unchanged, tuple(removed))

    # Staging: pages are written to a private folder while the site renders, and moved
    # into place only when every page has rendered (`commit`), or thrown away (`rollback`).

    def stage_bytes(self, out_path: str, data: bytes) -> Staged:
        """Put `data` in the staging folder unless the page already holds exactly it."""
        path = self.target(out_path)
        try:
            stat = path.stat()
            if stat.st_size == len(data) and path.is_file() and path.read_bytes() == data:
                return Staged(out_path, None, stat.st_size, stat.st_mtime_ns)
        except (FileNotFoundError, NotADirectoryError):
            pass
        staging = self.root / STAGING
        staging.mkdir(exist_ok=True)
        self._staged_count += 1
        temp = staging / f"{os.getpid()}-{self._staged_count}"
        temp.write_bytes(data)
        stat = temp.stat()
        return Staged(out_path, str(temp), stat.st_size, stat.st_mtime_ns)

    def commit(self, staged: Iterable[Staged]) -> list[str]:
        """Move every staged page into place. Return the pages written."""
        written = []
        for item in staged:
            if item.temp is None:
                continue
            path = self.target(item.out_path)
            self._prepare(path)
            os.replace(item.temp, path)
            written.append(item.out_path)
        self.rollback()
        return written

    def rollback(self) -> None:
        """Throw away everything staged: the site's files stay exactly as they were."""
        shutil.rmtree(self.root / STAGING, ignore_errors=True)

    def file_state(self, out_path: str) -> tuple[int, int] | None:
        """Return (size, mtime_ns) of a page in the folder, or None when it is not a file."""
        try:
            stat = os.stat(self.root / out_path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return (stat.st_size, stat.st_mtime_ns)

    def _prepare(self, path: Path) -> None:
        """Make `path`'s folder exist, replacing a stale file that stands in its way."""
        parent = path.parent
        if not parent.is_dir():
            for ancestor in reversed([parent, *parent.parents]):
                if ancestor.is_relative_to(self.root) and ancestor.exists() and not ancestor.is_dir():
                    ancestor.unlink()
            parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)

    def write_bytes(self, out_path: str, data: bytes) -> bool:
        """Write `data` atomically unless the file already holds it. Return True if written."""
        return bool(self.commit([self.stage_bytes(out_path, data)]))

    def copy_file(self, out_path: str, source: Path) -> bool:
        """Copy `source` unless the target has its size and mtime. Return True if copied."""
        path = self.target(out_path)
        src_stat = source.stat()
        try:
            stat = path.stat()
            if stat.st_size == src_stat.st_size and stat.st_mtime_ns == src_stat.st_mtime_ns and path.is_file():
                return False
        except (FileNotFoundError, NotADirectoryError):
            pass
        self._prepare(path)
        temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
        try:
            shutil.copyfile(source, temp)
            shutil.copystat(source, temp)
            os.replace(temp, path)
        finally:
            if temp.exists():
                temp.unlink()
        return True

    def prune(self, produced: set[str]) -> list[str]:
        """Delete every file not in `produced` (including leftovers of a killed build)."""
        removed = []
        for dirpath, dirnames, filenames in os.walk(self.root, topdown=False):
            folder = Path(dirpath)
            for name in filenames:
                rel = (folder / name).relative_to(self.root).as_posix()
                if rel not in produced:
                    (folder / name).unlink()
                    if not name.endswith(TEMP_SUFFIX) and not rel.startswith(STAGING + "/"):
                        removed.append(rel)
            for name in dirnames:
                sub = folder / name
                if sub.is_symlink():
                    sub.unlink()
                elif not any(sub.iterdir()):
                    sub.rmdir()
        return sorted(removed)
