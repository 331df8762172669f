"""The build cache: what a previous build learned, so the next one does only what changed.

Owns the on-disk state in `<site>/.cache/broadsheet/` — parsed sources keyed by the hash
of their bytes, rendered Markdown bodies, each output page's input fingerprint, and the
size and mtime of every file written — and the rules for trusting it: a state written by
another engine, for other options or another output folder, or one that cannot be read
whole, is ignored (a full rebuild), never trusted; a file that cannot be read is set aside
with a note. Every write survives an interruption at any moment: state files are written
whole and renamed into place, the body store is SQLite in WAL mode. Imports only `errors`
(other modules' types only for type checking).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sqlite3
import time
import zlib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .errors import Packed, positional_reduce
from .keystore import KeyStore, KeyStoreUnreadable, StoredMap, open_wal, transaction

if TYPE_CHECKING:
    from .load import SourceEntry
    from .plan import Plan

CACHE_DIR = Path(".cache") / "broadsheet"
FORMAT = 9
MAGIC = b"broadsheet-cache\n"
CHECKSUM_SIZE = 4
"""CRC-32 of the pickled state, after the format: a damaged file is detected before it is trusted."""
DELTA_LIMIT = 5_000
"""Entries a delta file may hold before the state is saved whole again."""
FREEZE_MIN = 4_000_000
"""A cache file at least this large (a site of a few thousand articles) is loaded into the
garbage collector's permanent generation (`gc.freeze`): the collector no longer walks its
objects. They are freed as usual when no longer referenced; only a reference cycle among
them would stay (the state holds none)."""

KEYED = ("fingerprints", "manifest", "readers", "card_token_by_inputs", "card_token_by_source", "body_index")
"""The state's maps of one entry per page or per source, kept in the key store (read by
key: an edit reads a few dozen entries of hundreds of thousands), not in the state file."""
KEYS_APART_FROM = 10_000
"""Entries of `KEYED` from which a whole save writes the key store in a forked process
while this one pickles the rest of the state: a cold build's last step, on one core (at
50,000 articles 363,000 rows, 2.6 s, and the state 2.2 s; at 4,000, 0.17 and 0.13 s)."""


@dataclass(frozen=True, slots=True)
class Readers:
    """The pages that read one source, by out_path (valid while the site's structure is)."""

    of_card: tuple[str, ...]
    """Pages that show the source's article card: they change only when the card does."""
    of_content: tuple[str, ...]
    """Pages that read it otherwise (its body, its author profile, its facts)."""
    of_stamp: tuple[str, ...] = ()
    """Pages that show its article's stamp alone (sitemaps): they change only when it does."""

    __reduce__ = positional_reduce


@dataclass(slots=True)
class CacheState:
    key: str
    """Engine code, options and output folder this state belongs to."""
    config_digest: str = ""
    """Hash of config.yaml: another configuration, another site (the state is dropped)."""
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    """src_path → every Markdown source as the last build loaded it."""
    body_index: Mapping[str, Any] = field(default_factory=dict)
    """src_path → what the renderer knows of each rendered body (its digests, problems and
    links: opaque here); the bodies themselves are in the `BodyStore`, read only when a page
    that shows one renders."""
    fingerprints: dict[str, str] | StoredMap = field(default_factory=dict)
    """out_path → fingerprint of the inputs of the page last written there."""
    card_token_by_inputs: dict[str, str] | StoredMap = field(default_factory=dict)
    """Hash of what an article card is made from → hash of the card itself."""
    template_references: dict[str, tuple] = field(default_factory=dict)
    """Template source hash → the templates it extends, includes or imports."""
    link_world: str = ""
    """Hash of every page and file links could point to, at the last build."""
    produced: set[str] | None = None
    """Every file the last build left in the output folder."""
    model_memo: dict = field(default_factory=dict)
    """What the model stage remembers between builds (the related articles)."""
    manifest: dict[str, tuple[int, int]] | StoredMap = field(default_factory=dict)
    """out_path → (size, mtime_ns) of the file as the last build left it."""
    plan: Plan | None = None
    """The last build's plan (site model, routes, copies): what an edit that keeps the
    site's structure starts from."""
    readers: dict[str, Readers] | StoredMap = field(default_factory=dict)
    """src_path → the pages that read it (valid while the structure is)."""
    card_token_by_source: dict[str, str] | StoredMap = field(default_factory=dict)
    """src_path → hash of its article's card (valid while the structure is)."""
    media_problems: dict[str, tuple] = field(default_factory=dict)
    """src_path → its hero image or avatar problems."""
    templates: dict[str, tuple | None] = field(default_factory=dict)
    """Stat signature of every template and theme file at the last build."""
    plan_patch: dict[str, Any] = field(default_factory=dict)
    """src_path → record edited since `plan` was saved (applied with `model.patch_site`)."""
    generation: str = ""
    """Set by each full save; a delta file names the generation it applies to."""
    key_stamp: str = ""
    """Set by each save; the key store records it too (with the maps of `KEYED` it holds)."""


@dataclass(slots=True)
class StateChanges:
    """What builds changed in a `CacheState` since its last full save: for each field of the
    state named here, the entries set anew (a build that keeps the site's structure only
    ever sets entries, never removes one). The maps of `KEYED` are not here: their key
    store writes the entries a build set."""

    sources: dict[str, SourceEntry] = field(default_factory=dict)
    media_problems: dict[str, tuple] = field(default_factory=dict)
    plan_patch: dict[str, Any] = field(default_factory=dict)

    def add(self, later: StateChanges) -> None:
        """Add the changes of a later build to these (its entries win)."""
        for name in _CHANGED_FIELDS:
            getattr(self, name).update(getattr(later, name))

    def apply_to(self, state: CacheState) -> None:
        for name in _CHANGED_FIELDS:
            getattr(state, name).update(getattr(self, name))

    def __len__(self) -> int:
        return sum(len(getattr(self, name)) for name in _CHANGED_FIELDS)


_CHANGED_FIELDS = tuple(f.name for f in fields(StateChanges))


@dataclass(frozen=True, slots=True)
class Delta:
    """The delta file: the changes since the full save of one generation of the state."""

    generation: str
    changes: StateChanges
    key_stamp: str


def engine_digest() -> str:
    """Return a hash of the engine's own code and words: a new engine never trusts an old cache."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    # The views/ package too, and the theme's words (every page shows them).
    for path in sorted([*package.rglob("*.py"), *package.glob("theme/i18n/*.yaml")]):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def build_key(engine: str, out_dir: Path, *, drafts: bool, future: bool, preview: bool, base_url: str | None) -> str:
    """Return the key of the cache of an engine, an output folder and the build options
    that change what is built."""
    return cache_key(engine, drafts, future, preview, base_url, str(out_dir.resolve()))


_INHERITED: list = []
"""Connections a forked worker inherited, or to a store set aside by another process: kept,
never used, never closed."""


class BodyStore:
    """Rendered bodies in an SQLite file beside the cache: a rebuild reads the few it needs
    and writes the few that changed, instead of loading and saving all of them.

    The file is in WAL mode with `synchronous = NORMAL`: a build killed or interrupted while
    it writes leaves the last committed state (SQLite's documented guarantee), never a
    damaged file. A store that fails all the same (damaged on disk, locked, not a database)
    is set aside (`set_aside`) and the build goes on without the bodies it held: each is
    converted again when a page needs it.
    """

    def __init__(self, path: Path, set_aside: Callable[[Path, str, str], None] | None = None):
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._set_aside = set_aside
        self._inode: int | None = None
        self._failures = 0
        """Stores that failed in this process: after two, the build goes on without one."""

    def _connect(self, writing: bool = False) -> sqlite3.Connection:
        if self._db is not None and self._pid != os.getpid():
            # A forked worker: the parent's connection must not be used, nor closed, here.
            _INHERITED.append(self._db)
            self._db = None
        if writing and self._db is not None and self._inode != _inode_of(self.path):
            # Set aside by a worker since: write to the new store. The old connection is left
            # open, unused: closing it would remove the journal files by name, the new store's.
            _INHERITED.append(self._db)
            self._db = None
        if self._db is None:
            self._pid = os.getpid()
            # (a power cut may lose the last bodies written: they are converted again)
            self._db = open_wal(self.path, "CREATE TABLE IF NOT EXISTS bodies "
                                           "(src_path TEXT PRIMARY KEY, digest TEXT, body BLOB)")
            self._inode = _inode_of(self.path)
        return self._db

    @property
    def usable(self) -> bool:
        return self._failures < 2

    def get(self, src_path: str, digest: str) -> Any | None:
        """Return the stored body of `src_path` if it was rendered from `digest`, else None."""
        if not self.usable or (self._db is None and not self.path.exists()):
            return None
        try:
            row = self._connect().execute("SELECT digest, body FROM bodies WHERE src_path = ?", (src_path,)).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return None
        if row is None or row[0] != digest:
            return None
        try:
            return pickle.loads(row[1])
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError,
                MemoryError):
            return None  # damaged: the caller renders the body again (and stores it anew)

    def open_for_writing(self) -> None:
        """Open the store to write to it now: before forked workers write to it, each with a
        connection of its own, a store SQLite refuses is set aside here, once."""
        if self.usable:
            try:
                self._connect(writing=True).execute("SELECT 1 FROM bodies LIMIT 1").fetchall()
            except sqlite3.Error as exc:
                self._fail(exc)

    def put(self, bodies: dict[str, Any], forget: set[str]) -> None:
        """Store `bodies` (src_path → body with a `digest`) and drop those of `forget`, in
        one transaction (all or nothing, whatever interrupts it)."""
        if (not bodies and not forget) or not self.usable:
            return
        try:
            with transaction(self._connect(writing=True)) as db:
                db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)",  # a generator: one pickle at a time
                               ((src, body.digest, pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL))
                                for src, body in bodies.items()))
                db.executemany("DELETE FROM bodies WHERE src_path = ?", [(src,) for src in sorted(forget)])
        except sqlite3.Error as exc:
            self._fail(exc)
            self.put(bodies, forget)  # into a fresh store (or nowhere, after a second failure)

    def clear(self) -> None:
        if not self.usable or (self._db is None and not self.path.exists()):
            return
        try:
            self._connect().execute("DELETE FROM bodies")
        except sqlite3.Error as exc:
            self._fail(exc)

    def close(self) -> None:
        """Close the store (the last connection to close folds the journal into the file)."""
        if self._db is not None and self._pid == os.getpid():
            try:
                self._db.close()
            except sqlite3.Error:
                pass  # a close that fails leaves a journal that the next open replays or a damaged store it sets aside
        self._db = None

    def _fail(self, exc: sqlite3.Error) -> None:
        """Set the store aside (its journal files removed) after an error: the next use starts a new one."""
        self._failures += 1
        self.close()
        # A journal must never meet another store: it would be replayed into it.
        for suffix in ("-wal", "-shm", "-journal"):
            try:
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            except OSError:
                pass
        reason = str(exc) or type(exc).__name__
        if self._set_aside is not None:
            self._set_aside(self.path, f"the body store could not be used ({reason})",
                            "its bodies are converted again")


class Cache:
    """One cache file for one combination of engine, options and output folder.

    A file of it that cannot be read (damaged, cut short, of another format, unreadable,
    a store SQLite refuses) is set aside as `<name>.unreadable`, with a note for the
    command line, and the build goes on as a clean one: never a traceback, never trusted.
    """

    def __init__(self, site_dir: Path, key: str, engine: str = ""):
        self.folder = site_dir / CACHE_DIR
        self.engine = engine[:8]
        """Files of this cache start with it; a full save removes those of other engines."""
        name = f"{self.engine}-{key[:16]}"
        self.path = self.folder / f"{name}.pickle"
        self.delta_path = self.folder / f"{name}.delta.pickle"
        self.snapshot_path = self.folder / f"{name}.snapshot.pickle"
        self.delta = StateChanges()
        """The changes since the last full save (what the delta file holds)."""
        self.bodies = BodyStore(self.folder / f"{name}.bodies.sqlite", self.set_aside)
        self.keys = KeyStore(self.folder / f"{name}.keys.sqlite")
        """The maps of `KEYED` of the saved state."""
        self.key = key
        self.notes: list[str] = []
        """Why the cache, or part of it, was not used (for the summary)."""
        self._opened_ns = time.time_ns()

    @property
    def note(self) -> str | None:
        """Why the cache was not used, when it was not (for --verbose and the summary)."""
        store = self.bodies.path
        aside = store.with_name(store.name + ".unreadable")
        if not any(aside.name in note for note in self.notes):
            try:
                if aside.stat().st_mtime_ns >= self._opened_ns:  # set aside by a worker process of this build
                    self.notes.append(f"the body store could not be used: {store.name} set aside as {aside.name}; "
                                      "its bodies are converted again")
            except OSError:
                pass
        return "; ".join(self.notes) if self.notes else None

    def set_aside(self, path: Path, why: str, then: str = "rebuilding everything") -> None:
        """Rename a cache file that cannot be used to `<name>.unreadable` (replacing an older
        one), so that the next write starts afresh, and note it."""
        aside = path.with_name(path.name + ".unreadable")
        try:
            os.replace(path, aside)
        except FileNotFoundError:
            done = "gone"
        except OSError as exc:
            done = f"could not be set aside ({exc.strerror or exc})"
        else:
            done = f"set aside as {aside.name}"
            now = time.time_ns()
            try:
                os.utime(aside, ns=(now, now))  # when: a worker's set-aside is noted by the build that forked it
            except OSError:
                pass
        self.notes.append(f"{why}: {path.name} {done}; {then}")

    def load(self) -> CacheState:
        """Return the saved state, or an empty one (with `note` set) when it cannot be trusted.

        The state is the last full save plus, when there is one, the delta file written by
        the builds since (`save_delta`). A delta of an older generation (a full save since)
        is ignored; one that cannot be read makes the whole state untrusted.
        """
        self.remove_leftovers()
        try:
            state = self._read(self.path)
        except FileNotFoundError:
            return self._empty()
        except _Untrusted as exc:
            self.set_aside(self.path, str(exc))
            return self._empty()
        if not isinstance(state, CacheState) or state.key != self.key:
            self.set_aside(self.path, "the build cache belongs to another engine or options")
            return self._empty()
        try:
            delta = self._read(self.delta_path)
        except FileNotFoundError:
            delta = None
        except _Untrusted as exc:
            self.set_aside(self.delta_path, str(exc))
            return self._empty()
        if delta is not None and not (isinstance(delta, Delta) and isinstance(delta.changes, StateChanges)):
            self.set_aside(self.delta_path, "the build cache's delta file is not one")
            return self._empty()
        if delta is not None and delta.generation == state.generation and state.generation:
            try:
                delta.changes.apply_to(state)
            except (AttributeError, TypeError, ValueError):
                self.set_aside(self.delta_path, "the build cache's delta file does not fit its state")
                return self._empty()
            self.delta = delta.changes
            state.key_stamp = delta.key_stamp
        try:
            stamp = self.keys.stamp()
        except KeyStoreUnreadable as exc:
            self.set_keys_aside(exc)
            return self._empty()
        if stamp != state.key_stamp:  # (a build killed between writing the one and the other)
            self.notes.append("the build cache's key store is not the one of its state; rebuilding everything")
            return self._empty()
        for name in KEYED:
            setattr(state, name, StoredMap(self.keys, name))
        return state

    def _read(self, path: Path) -> Any:
        """Return the object pickled in a cache file; raise _Untrusted when it cannot be trusted."""
        try:
            with open(path, "rb") as handle:
                if handle.read(len(MAGIC)) != MAGIC:
                    raise _Untrusted("the build cache is not a Broadsheet cache")
                version = int.from_bytes(handle.read(2), "big")
                if version != FORMAT:
                    raise _Untrusted(f"the build cache has format {version}, not {FORMAT}")
                expected = handle.read(CHECKSUM_SIZE)
                start = handle.tell()
                if _crc32(handle) != expected:
                    raise _Untrusted("the build cache is damaged (checksum mismatch)")
                handle.seek(start)
                # Tens of thousands of objects, none of them garbage: the collector's passes
                # while they are made would cost a third of the load.
                collecting = gc.isenabled()
                gc.disable()
                try:
                    value = pickle.load(handle)
                    if handle.tell() >= FREEZE_MIN:
                        # ...and after: each full collection of the build would walk them all
                        # again (at 50,000 articles, millions of objects: about 1 s per edit).
                        gc.freeze()
                    return value
                finally:
                    if collecting:
                        gc.enable()
        except FileNotFoundError:
            raise
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError,
                TypeError, ValueError, MemoryError, RecursionError) as exc:
            raise _Untrusted(f"the build cache could not be read ({type(exc).__name__})")

    def _empty(self) -> CacheState:
        self.bodies.clear()
        return CacheState(self.key)

    def remove_leftovers(self) -> None:
        """Remove the temp files of cache saves that never finished: those of processes that
        no longer run (killed while saving), and those older than a day."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        now = time.time()
        for name in names:
            parts = name.rsplit(".", 2)
            if not (name.startswith(".") and len(parts) == 3 and parts[2] == "tmp" and parts[1].isdigit()):
                continue
            pid = int(parts[1])
            path = self.folder / name
            try:
                if pid != os.getpid() and (not is_running(pid) or path.stat().st_mtime < now - 86_400):
                    path.unlink()
            except OSError:
                pass  # gone already, or not ours to remove

    def save(self, state: CacheState, forget: tuple[str, ...] = ()) -> None:
        """Write the state whole (temp file, then rename), drop the delta, and remove the
        cache files older versions of Broadsheet left (tens of megabytes each).

        `forget`: maps of `KEYED` the caller does not read again, emptied in `state` once the
        key store has them: a cold build of 50,000 articles that holds no other reference
        to them frees 150 MB before the rest of the state is pickled."""
        state.generation = f"{time.time_ns()}-{os.getpid()}"
        apart = self._write_keys_apart(state)
        if apart is None:
            self._write_keys(state)
        for name in forget:
            setattr(state, name, {})
        # (renamed into place after the key store is written: a state file never names a stamp it does not hold)
        self._write(self.path, replace(state, **{name: {} for name in KEYED}),
                    before_rename=(lambda: self._keys_written(*apart)) if apart else lambda: None)
        self.delta = StateChanges()
        self.delta_path.unlink(missing_ok=True)
        for path in self.folder.glob("*.*"):
            if path.is_file() and path.suffix in (".pickle", ".sqlite", ".sqlite-wal", ".sqlite-shm", ".unreadable") \
                    and not path.name.startswith(f"{self.engine}-"):
                path.unlink(missing_ok=True)

    def save_delta(self, state: CacheState, changes: StateChanges) -> None:
        """Record what a build changed in `state`, without rewriting the whole state: an
        edit costs a few kilobytes written, not megabytes. After many edits, or with no
        full state saved yet, the state is saved whole."""
        self.delta.add(changes)
        if not state.generation or not self.path.exists() or len(self.delta) > DELTA_LIMIT:
            self.save(state)
            return
        self._write_keys(state)
        self._write(self.delta_path, Delta(state.generation, self.delta, state.key_stamp))

    def set_keys_aside(self, exc: KeyStoreUnreadable) -> None:
        """Set the key store aside after it failed to be read; the state it belongs to is
        not trusted without it (nor the snapshot written with them)."""
        self.keys.close()
        self.drop_snapshot()
        self.set_aside(self.keys.path, f"the build cache's key store could not be read ({exc})")

    def _write_keys(self, state: CacheState) -> None:
        """Write the maps of `KEYED` to the key store (what changed in them, when they are
        its own) with a new stamp, recorded in `state` for the state file written next."""
        state.key_stamp = f"{time.time_ns()}-{os.getpid()}"
        try:
            self.keys.write({name: getattr(state, name) for name in KEYED}, state.key_stamp)
        except KeyStoreUnreadable as exc:  # the state file written next does not match it: never trusted
            self._keys_not_written(str(exc))

    def _keys_not_written(self, reason: str) -> None:
        self.keys.close()
        self.set_aside(self.keys.path, f"the build cache's key store could not be written ({reason})",
                       "the next build rebuilds everything")

    def _write_keys_apart(self, state: CacheState) -> tuple[int, int] | None:
        """Start writing the key store as `_write_keys` does, in a forked process, when there
        is much to write (`KEYS_APART_FROM`); return its pid and the read end of the pipe
        it answers on, for `_keys_written`. None: nothing started (no fork, or little)."""
        if not hasattr(os, "fork") or sum(len(getattr(state, name)) for name in KEYED) < KEYS_APART_FROM:
            return None
        state.key_stamp = f"{time.time_ns()}-{os.getpid()}"
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: write, answer, and leave without running any cleanup
            code = 1
            try:
                gc.disable()  # (no finalizer of the build's objects runs here)
                os.close(read_end)
                try:
                    self.keys.write({name: getattr(state, name) for name in KEYED}, state.key_stamp)
                    self.keys.close()
                    answer: tuple[str, str] = ("written", "")
                except KeyStoreUnreadable as exc:
                    answer = ("unreadable", str(exc))
                except BaseException:
                    import traceback
                    answer = ("failed", traceback.format_exc())
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(pickle.dumps(answer))
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        return pid, read_end

    def _keys_written(self, pid: int, read_end: int) -> None:
        """Wait for the process `_write_keys_apart` started. When it could not write the
        store, set the store aside as `_write_keys` does; raise what a bug raised there."""
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        outcome, detail = pickle.loads(data) if data else ("unreadable", "the process writing it ended")
        if outcome == "failed":
            raise RuntimeError(f"writing the build cache's key store failed:\n{detail}")
        if outcome == "unreadable":
            self._keys_not_written(detail)

    def read_snapshot(self) -> Any:
        """Return what the last build saw and left (the pipeline's `Snapshot`), or None."""
        try:
            return self._read(self.snapshot_path)
        except FileNotFoundError:
            return None
        except _Untrusted as exc:
            self.set_aside(self.snapshot_path, str(exc))
            return None

    def drop_snapshot(self) -> None:
        self.snapshot_path.unlink(missing_ok=True)

    def write_snapshot(self, snapshot: Any) -> None:
        self._write(self.snapshot_path, snapshot)
        self.remove_leftovers()  # a build that ends with the no-op shortcut never loads the cache

    def close(self) -> None:
        """Close the stores (folding their journals into them: one file per store)."""
        self.bodies.close()
        self.keys.close()

    def _write(self, path: Path, value: Any, before_rename: Callable[[], None] = lambda: None) -> None:
        """Write `value` into a temp file beside `path`, call `before_rename`, then rename
        the file into place (or remove it, whatever fails)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(temp, "wb") as handle:
                handle.write(MAGIC)
                handle.write(FORMAT.to_bytes(2, "big"))
                checksum_at = handle.tell()
                handle.write(bytes(CHECKSUM_SIZE))
                writer = _ChecksumWriter(handle)
                _Pickler(writer).dump(value)
                handle.seek(checksum_at)
                handle.write(writer.crc.to_bytes(CHECKSUM_SIZE, "big"))
            before_rename()
            os.replace(temp, path)
        finally:
            if temp.exists():
                temp.unlink()


def _inode_of(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def is_running(pid: int) -> bool:
    """True when a process `pid` exists (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Untrusted(Exception):
    """A cache file that must not be used; the message says why."""


class _Pickler(pickle.Pickler):
    """Pickles a cache file with the field a type names in its `packed` attribute (the
    record of a `SourceEntry` or an `Article`) `Packed`: pickled apart, as bytes. Loading
    the state of 50,000 articles then makes two objects per record instead of dozens; a
    rebuild unpacks the few records it reads. A record held by two objects (its source
    entry and its article) is packed once, and both get the same `Packed`."""

    def __init__(self, file):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._packs: dict[int, tuple[Any, Packed]] = {}

    def reducer_override(self, obj: Any) -> Any:
        name = getattr(type(obj), "packed", None)
        if type(name) is not str:
            return NotImplemented
        kind, fields = positional_reduce(obj)
        slot = kind.__slots__.index(name)
        return kind, fields[:slot] + (self._pack(fields[slot]),) + fields[slot + 1:]

    def _pack(self, value: Any) -> Any:
        if value is None or type(value) is Packed:
            return value  # a Packed loaded and not read since: saved as the same bytes
        found = self._packs.get(id(value))
        if found is None:  # (the value is kept with its Packed: its id stays its own while this pickler lives)
            found = self._packs[id(value)] = (value, Packed(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
        return found[1]


class _ChecksumWriter:
    """A file wrapper for `pickle.dump` that computes the CRC-32 of what it writes."""

    def __init__(self, handle):
        self.handle = handle
        self.crc = 0

    def write(self, data) -> int:
        self.crc = zlib.crc32(data, self.crc)
        return self.handle.write(data)


def _crc32(handle) -> bytes:
    """Return the CRC-32 of the rest of `handle`, read in chunks."""
    crc = 0
    while chunk := handle.read(1 << 20):
        crc = zlib.crc32(chunk, crc)
    return crc.to_bytes(CHECKSUM_SIZE, "big")
