"""The build cache: what a previous build learned, so the next one does only what changed.

Owns the on-disk state in `<site>/.cache/broadsheet/` — parsed sources keyed by the hash
of their bytes, rendered Markdown bodies, each output page's input fingerprint, and the
size and mtime of every file written — and the rules for trusting it: a state written by
another engine, for other options or another output folder, or one that cannot be read
whole, is ignored (a full rebuild), never trusted. Imports only `errors`.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sqlite3
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CACHE_DIR = Path(".cache") / "broadsheet"
FORMAT = 6
MAGIC = b"broadsheet-cache\n"
CHECKSUM_SIZE = 4
DELTA_LIMIT = 5_000
"""Entries a delta file may hold before the state is saved whole again."""
"""CRC-32 of the pickled state, after the format: a damaged file is detected before it is trusted."""


@dataclass(slots=True)
class CacheState:
    key: str
    """Engine code, options and output folder this state belongs to."""
    config_digest: str = ""
    sources: dict[str, tuple] = field(default_factory=dict)
    body_index: dict[str, tuple] = field(default_factory=dict)
    """src_path → (source digest, HTML digest, problems, links) of each rendered body; the
    bodies themselves are in the `BodyStore`, read only when a page that shows one renders."""
    fingerprints: dict[str, str] = field(default_factory=dict)
    """out_path → fingerprint of the inputs of the page last written there."""
    card_tokens: dict[str, str] = field(default_factory=dict)
    """Hash of what an article card is made from → hash of the card itself."""
    template_references: dict[str, tuple] = field(default_factory=dict)
    """Template source hash → the templates it extends, includes or imports."""
    link_world: str = ""
    """Hash of every page and file links could point to, at the last build."""
    produced: set[str] | None = None
    """Every file the last build left in the output folder."""
    model_memo: dict = field(default_factory=dict)
    """What the model stage remembers between builds (the related articles)."""
    manifest: dict[str, tuple[int, int]] = field(default_factory=dict)
    """out_path → (size, mtime_ns) of the file as the last build left it."""
    plan: Any = None
    """The last build's plan (site model, routes, copies): what an edit that keeps the
    site's structure starts from."""
    dependents: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    """src_path → the pages whose fingerprints read its article card, and those that read
    it otherwise (valid while the structure is)."""
    card_by_source: dict[str, str] = field(default_factory=dict)
    """src_path → hash of its article's card (valid while the structure is)."""
    media_problems: dict[str, tuple] = field(default_factory=dict)
    """src_path → its hero image or avatar problems."""
    templates: dict[str, Any] = field(default_factory=dict)
    """Stat signature of every template and theme file at the last build."""
    plan_patch: dict[str, Any] = field(default_factory=dict)
    """src_path → record edited since `plan` was saved (applied with `model.patch_site`)."""
    generation: str = ""
    """Set by each full save; a delta file names the generation it applies to."""


def engine_digest() -> str:
    """Return a hash of the engine's own code: a new engine never trusts an old cache."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


_INHERITED: list = []
"""Connections a forked worker inherited: kept, never used, never closed."""


class BodyStore:
    """Rendered bodies in an SQLite file beside the cache: a rebuild reads the few it needs
    and writes the few that changed, instead of loading and saving all of them."""

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = os.getpid()

    def _connect(self) -> sqlite3.Connection:
        if self._db is not None and self._pid != os.getpid():
            # A forked worker: the parent's connection must not be used, nor closed, here.
            _INHERITED.append(self._db)
            self._db = None
        if self._db is None:
            self._pid = os.getpid()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One build at a time uses it, from whichever thread runs the build (the preview's).
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            # A cache, not a record: no fsync (a damaged body fails its hash and is converted again).
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute("PRAGMA journal_mode = MEMORY")
            self._db.execute("CREATE TABLE IF NOT EXISTS bodies (src_path TEXT PRIMARY KEY, digest TEXT, body BLOB)")
        return self._db

    def get(self, src_path: str, digest: str) -> Any | None:
        """Return the stored body of `src_path` if it was rendered from `digest`, else None."""
        if self._db is None and not self.path.exists():
            return None
        try:
            row = self._connect().execute("SELECT digest, body FROM bodies WHERE src_path = ?", (src_path,)).fetchone()
            if row is None or row[0] != digest:
                return None
            return pickle.loads(row[1])
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
                TypeError, ValueError):
            return None  # damaged: the caller renders the body again

    def put(self, bodies: dict[str, Any], forget: set[str]) -> None:
        """Store `bodies` (src_path → body with a `digest`) and drop those of `forget`."""
        if not bodies and not forget:
            return
        db = self._connect()
        db.execute("BEGIN")
        db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)",  # a generator: one pickle at a time
                       ((src, body.digest, pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL))
                        for src, body in bodies.items()))
        db.executemany("DELETE FROM bodies WHERE src_path = ?", [(src,) for src in sorted(forget)])
        db.execute("COMMIT")

    def clear(self) -> None:
        if self._db is None and not self.path.exists():
            return
        try:
            self._connect().execute("DELETE FROM bodies")
        except sqlite3.Error:
            self.close()
            self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class Cache:
    """One cache file for one combination of engine, options and output folder."""

    def __init__(self, site_dir: Path, key: str, engine: str = ""):
        self.folder = site_dir / CACHE_DIR
        self.engine = engine[:8]
        """Files of this cache start with it; a full save removes those of other engines."""
        name = f"{self.engine}-{key[:16]}"
        self.path = self.folder / f"{name}.pickle"
        self.delta_path = self.folder / f"{name}.delta.pickle"
        self.snapshot_path = self.folder / f"{name}.snapshot.pickle"
        self.delta: dict[str, dict] = {}
        """The changes since the last full save (what the delta file holds)."""
        self.bodies = BodyStore(self.folder / f"{name}.bodies.sqlite")
        self.key = key
        self.note: str | None = None
        """Why the cache was not used, when it was not (for --verbose and the summary)."""

    def load(self) -> CacheState:
        """Return the saved state, or an empty one (with `note` set) when it cannot be trusted.

        The state is the last full save plus, when there is one, the delta file written by
        the builds since (`save_delta`). A delta that cannot be trusted is ignored: the
        state is then older than the output folder, which costs a few pages rendered again
        (their files no longer match the manifest), never a stale page.
        """
        try:
            state = self._read(self.path)
        except FileNotFoundError:
            return self._empty(None)
        except _Untrusted as exc:
            return self._empty(str(exc))
        if not isinstance(state, CacheState) or state.key != self.key:
            return self._empty("the build cache belongs to another engine or options: rebuilding everything")
        try:
            delta = self._read(self.delta_path)
        except (FileNotFoundError, _Untrusted):
            delta = None
        if isinstance(delta, dict) and delta.get("generation") == state.generation and state.generation:
            for name, updates in delta["changes"].items():
                getattr(state, name).update(updates)
            self.delta = delta["changes"]
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
                    raise _Untrusted("the build cache is damaged (checksum mismatch): rebuilding everything")
                handle.seek(start)
                # Tens of thousands of objects, none of them garbage: the collector's passes
                # while they are made would cost a third of the load.
                collecting = gc.isenabled()
                gc.disable()
                try:
                    return pickle.load(handle)
                finally:
                    if collecting:
                        gc.enable()
        except FileNotFoundError:
            raise
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError,
                TypeError, ValueError, MemoryError) as exc:
            raise _Untrusted(f"the build cache could not be read ({type(exc).__name__}): rebuilding everything")

    def _empty(self, note: str | None) -> CacheState:
        self.note = note
        self.bodies.clear()
        return CacheState(self.key)

    def save(self, state: CacheState) -> None:
        """Write the state whole (temp file, then rename), drop the delta, and remove the
        cache files older versions of Broadsheet left (tens of megabytes each)."""
        state.generation = f"{time.time_ns()}-{os.getpid()}"
        self._write(self.path, state)
        self.delta = {}
        self.delta_path.unlink(missing_ok=True)
        for path in self.folder.glob("*.*"):
            if path.is_file() and path.suffix in (".pickle", ".sqlite") and not path.name.startswith(f"{self.engine}-"):
                path.unlink(missing_ok=True)

    def save_delta(self, state: CacheState, changes: dict[str, dict]) -> None:
        """Record what a build changed in `state` (field → entries updated), without
        rewriting the whole state: an edit costs a few kilobytes written, not megabytes.
        After many edits, or with no full state saved yet, the state is saved whole."""
        for name, updates in changes.items():
            self.delta.setdefault(name, {}).update(updates)
        if not state.generation or not self.path.exists() or \
                sum(len(updates) for updates in self.delta.values()) > DELTA_LIMIT:
            self.save(state)
            return
        self._write(self.delta_path, {"generation": state.generation, "changes": self.delta})

    def read_snapshot(self) -> Any:
        """Return what the last build saw and left (the pipeline's `Snapshot`), or None."""
        try:
            return self._read(self.snapshot_path)
        except (FileNotFoundError, _Untrusted):
            return None

    def write_snapshot(self, snapshot: Any) -> None:
        self._write(self.snapshot_path, snapshot)

    def _write(self, path: Path, value: Any) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(temp, "wb") as handle:
                handle.write(MAGIC)
                handle.write(FORMAT.to_bytes(2, "big"))
                checksum_at = handle.tell()
                handle.write(bytes(CHECKSUM_SIZE))
                writer = _ChecksumWriter(handle)
                pickle.dump(value, writer, protocol=pickle.HIGHEST_PROTOCOL)
                handle.seek(checksum_at)
                handle.write(writer.crc.to_bytes(CHECKSUM_SIZE, "big"))
            os.replace(temp, path)
        finally:
            if temp.exists():
                temp.unlink()


class _Untrusted(Exception):
    """A cache file that must not be used; the message says why."""


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
