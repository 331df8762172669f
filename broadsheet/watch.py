"""Watching a site for changes: which files matter, and when a burst of saves is over.

Owns `classify` (pure: a path → what kind of change it is, editors' swap, backup and
temp files ignored) and `Watcher`, which runs a watchdog observer on content/, layouts/
and config.yaml and hands over one `ChangeBatch` per burst of events. The only module
that imports `watchdog`.
"""

from __future__ import annotations

import enum
import fnmatch
import os
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .config import CONFIG_FILE
from .i18n import SITE_CATALOGUES

# watchdog's inotify observer warns when a folder made with `mkdir -p` is seen twice (by its
# creation event and by the walk of its parent): harmless, and not the author's business.
warnings.filterwarnings("ignore", message="Callback with id .* already exists for watch", category=RuntimeWarning)

COOKIE_PREFIX = ".broadsheet-sync-"
"""Files a watch writes into each folder it watches, to know its events are all in (`sync`)."""
QUIET_SECONDS = 0.03
"""A burst is over when no event came for this long."""
MAX_WAIT_SECONDS = 0.25
"""…or when it has lasted this long (a long burst still rebuilds)."""


class ChangeKind(enum.Enum):
    CONTENT = "content"
    LAYOUT = "layout"
    STATIC = "static"
    CONFIG = "config"
    IGNORED = "ignored"


# Editors' side files. vim: .x.swp/.swx/.swo, backup x~, and the probe file "4913";
# emacs: #x# autosaves, .#x lock links; JetBrains: x___jb_tmp___ / x___jb_old___ (safe
# write); VS Code and others: x.tmp / .x.tmp.1234; gedit: .goutputstream-XXXX; Kate:
# x.kate-swp; LibreOffice: .~lock.x#; macOS: .DS_Store; Chrome-based editors: .crswap.
IGNORED_PATTERNS = (
    "*.swp", "*.swx", "*.swo", "*.swn", "*~", "4913", "#*#", ".#*", "*___jb_tmp___", "*___jb_old___",
    "*.tmp", "*.tmp.*", ".*.tmp", ".goutputstream-*", "*.kate-swp", ".~lock.*", ".DS_Store", "*.crswap",
    "*.bak", "*.orig", "*.part",
)


def classify(rel_path: str) -> ChangeKind:
    """Return what a change to `rel_path` (relative to the site, forward slashes) means."""
    parts = rel_path.split("/")
    name = parts[-1]
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in IGNORED_PATTERNS):
        return ChangeKind.IGNORED
    if any(part.startswith(".") for part in parts):
        return ChangeKind.IGNORED
    if rel_path == CONFIG_FILE or (rel_path.startswith(SITE_CATALOGUES + "/") and name.endswith(".yaml")):
        return ChangeKind.CONFIG
    if parts[0] == "content" and len(parts) > 1:
        return ChangeKind.CONTENT
    if parts[0] == "layouts" and len(parts) > 1:
        return ChangeKind.STATIC if len(parts) > 2 and parts[1] == "static" else ChangeKind.LAYOUT
    return ChangeKind.IGNORED


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    paths: tuple[str, ...]
    """Site-relative paths that changed, sorted."""
    kinds: frozenset[ChangeKind]
    started: float
    """time.monotonic() of the first event of the burst."""


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: "Watcher"):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's listing changed (a swap file came or went): its files' own events tell
        if event.is_directory:
            if event.event_type in ("deleted", "moved"):
                self.watcher.folder_gone(os.fsdecode(event.src_path))
            if event.event_type in ("created", "moved"):
                self.watcher.folder_appeared(os.fsdecode(getattr(event, "dest_path", "") or event.src_path))
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                self.watcher.notice(os.fsdecode(raw))


class Watcher:
    """Collects file events under a site and delivers them as batches, one per burst."""

    def __init__(self, site_dir: Path, *, polling: bool = False):
        self.site_dir = site_dir.resolve()
        self._lock = threading.Condition()
        self._pending: dict[str, ChangeKind] = {}
        self._first = 0.0
        self._last = 0.0
        self._handler = _Handler(self)
        self._watches: dict[str, object] = {}  # "content", "layouts" → their recursive watch
        self._awaited: set[str] = set()
        """The names of `sync`'s files whose event has not come yet."""
        self._synced = 0
        if polling:
            from watchdog.observers.polling import PollingObserver
            self._observer = PollingObserver(timeout=0.2)
        else:
            self._observer = Observer()

    def start(self) -> None:
        for name in ("content", "layouts"):
            self._watch(self.site_dir / name)
        # config.yaml, and content/ or layouts/ created later: the site folder, not recursively.
        self._observer.schedule(self._handler, str(self.site_dir), recursive=False)
        self._observer.start()

    def _watch(self, folder: Path) -> bool:
        """Watch content/ or layouts/ recursively, unless it is already watched or missing."""
        if folder.name in self._watches or not folder.is_dir():
            return False
        self._watches[folder.name] = self._observer.schedule(self._handler, str(folder), recursive=True)
        return True

    def folder_appeared(self, abs_path: str) -> None:
        """content/ or layouts/ created (or moved in) while watching: watch it, and take in
        the files written in it before the watch began, which have no event of their own."""
        folder = Path(abs_path)
        if folder.parent != self.site_dir or folder.name not in ("content", "layouts"):
            return
        if self._watch(folder):
            for path in folder.rglob("*"):
                if path.is_file():
                    self.notice(str(path))

    def folder_gone(self, abs_path: str) -> None:
        """content/ or layouts/ deleted (or moved away): drop its watch, so that a new one is watched."""
        folder = Path(abs_path)
        if folder.parent != self.site_dir or folder.name not in self._watches:
            return
        watch = self._watches.pop(folder.name)
        try:
            self._observer.unschedule(watch)
        except (KeyError, OSError):
            pass

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)
        with self._lock:
            self._lock.notify_all()

    def notice(self, abs_path: str) -> None:
        """Record one changed path (called from the observer's thread)."""
        path = Path(abs_path)
        if path.name.startswith(COOKIE_PREFIX):
            with self._lock:
                if path.name in self._awaited:
                    self._awaited.discard(path.name)
                    self._lock.notify_all()
            return
        try:
            # Resolve the folder only: the file may be a link (emacs' lock .#x points to "user@host").
            rel = (path.parent.resolve() / path.name).relative_to(self.site_dir).as_posix()
        except ValueError:
            return
        kind = classify(rel)
        if kind is ChangeKind.IGNORED:
            return
        with self._lock:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending[rel] = kind
            self._last = now
            self._lock.notify_all()

    def sync(self, timeout: float) -> bool:
        """Return once every event of a change made before this call has been noticed: True,
        or False when that could not be known within `timeout` seconds.

        Events come in order within each watched folder (one inotify queue each): a file
        written now into every one of them (content/, layouts/ and the site folder) comes
        after every earlier change there; once each file's event is in, so are all the
        earlier ones (as the Watchman file watcher does with its cookies). The files are
        hidden, so builds and the watch itself pass them by, and removed at once."""
        with self._lock:
            self._synced += 1
            prefix = f"{COOKIE_PREFIX}{os.getpid()}-{self._synced}"
        folders = [self.site_dir, *(self.site_dir / name for name in sorted(self._watches))]
        names = {f"{prefix}-{number}": folder / f"{prefix}-{number}" for number, folder in enumerate(folders)}
        with self._lock:
            self._awaited = set(names)
        made = []
        try:
            for path in names.values():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                made.append(path)
            give_up = time.monotonic() + timeout
            with self._lock:
                while self._awaited:
                    left = give_up - time.monotonic()
                    if left <= 0:
                        return False
                    self._lock.wait(left)
            return True
        except OSError:  # a folder not writable: no proof
            return False
        finally:
            with self._lock:
                self._awaited = set()
            for path in made:
                try:
                    os.unlink(path)
                except OSError:
                    pass

    def take(self) -> ChangeBatch | None:
        """Return the changes noticed so far, at once (None when there are none)."""
        with self._lock:
            if not self._pending:
                return None
            pending, self._pending = self._pending, {}
            return ChangeBatch(tuple(sorted(pending)), frozenset(pending.values()), self._first)

    def wait_for_burst(self, stop: threading.Event, timeout: float | None = None) -> bool:
        """Wait until a burst of changes has ended (True; `take` then returns it), `stop` is
        set, or nothing at all happened for `timeout` seconds (False)."""
        give_up = time.monotonic() + timeout if timeout is not None else None
        with self._lock:
            while not stop.is_set():
                if not self._pending:
                    if give_up is not None and time.monotonic() >= give_up:
                        return False
                    self._lock.wait(0.2 if give_up is None else max(0.0, min(0.2, give_up - time.monotonic())))
                    continue
                now = time.monotonic()
                quiet_for = now - self._last
                if quiet_for >= QUIET_SECONDS or now - self._first >= MAX_WAIT_SECONDS:
                    return True
                self._lock.wait(QUIET_SECONDS - quiet_for)
        return False

    def pending(self) -> bool:
        """True when changes have been noticed that no batch has delivered yet."""
        with self._lock:
            return bool(self._pending)

    def next_batch(self, stop: threading.Event, timeout: float | None = None) -> ChangeBatch | None:
        """Wait for a burst of changes to end and return it; None once `stop` is set, or when
        nothing at all happened for `timeout` seconds."""
        while self.wait_for_burst(stop, timeout):
            batch = self.take()
            if batch is not None:
                return batch
        return None
