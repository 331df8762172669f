"""The build state's per-key maps in an SQLite file, read by key on demand.

At 50,000 articles the maps of what the last build learned (each page's fingerprint and
file state, each source's readers, card hash and body index) are hundreds of thousands of
entries; an edit reads a few dozen of them. `KeyStore` keeps each map as a table of
pickled values, and `StoredMap` is the map as a build sees it: a key is read when asked
for, the whole table when a build asks for all of it (or for so many keys that one read
costs less), and the entries a build sets are kept aside until the cache writes them (a
rebuild writes the rows it changed, not the map). Imports nothing of the package.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WHOLE_AFTER = 2_000
"""Keys read one by one before a map reads its whole table at once (a build that plans the
site afresh reads every page's fingerprint: one query costs less than 80,000)."""

_ABSENT: Any = object()
_GONE: Any = object()
"""An entry a build removed (`del`), until the cache writes it."""

_INHERITED: list = []
"""Connections a forked worker inherited: kept, never used, never closed."""


class KeyStoreUnreadable(Exception):
    """The key store could not be read (damaged, locked, not a database); the message says why."""


class KeyStore:
    """One SQLite file: a table per map (`key`, pickled `value`, and `flagged`: the value
    has problems to report), and the stamp of the state it belongs to.

    WAL mode with `synchronous = NORMAL`, like the body store: a build killed while it
    writes leaves the last committed store. The stamp is written in the same transaction
    as the maps, and the cache's state file records it too: a store and a state file
    that do not belong together (a build killed between the two writes) are never used
    together.
    """

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = os.getpid()

    def _connect(self) -> sqlite3.Connection:
        if self._db is not None and self._pid != os.getpid():
            _INHERITED.append(self._db)  # a forked worker: the parent's connection is not ours to use or close
            self._db = None
        if self._db is None:
            self._pid = os.getpid()
            self._db = open_wal(self.path, "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        return self._db

    def stamp(self) -> str | None:
        """Return the stamp of the state the store holds the maps of (None: no store)."""
        if self._db is None and not self.path.exists():
            return None
        try:
            row = self._connect().execute("SELECT value FROM meta WHERE name = 'stamp'").fetchone()
        except sqlite3.Error as exc:
            raise KeyStoreUnreadable(_reason(exc)) from None
        return row[0] if row else None

    def get(self, table: str, key: str) -> Any:
        """Return the value of `key` in `table`, or `_ABSENT`."""
        try:
            row = self._connect().execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
            return _ABSENT if row is None else pickle.loads(row[0])
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
            raise KeyStoreUnreadable(_reason(exc)) from None

    def rows(self, table: str, flagged: bool = False) -> dict[str, Any]:
        """Return the whole table (only its flagged rows, with `flagged`)."""
        query = f"SELECT key, value FROM {table}" + (" WHERE flagged" if flagged else "")
        try:
            loads = pickle.loads
            return {key: loads(value) for key, value in self._connect().execute(query)}
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
            raise KeyStoreUnreadable(_reason(exc)) from None

    def write(self, maps: dict[str, Mapping[str, Any]], stamp: str) -> None:
        """Make the tables hold `maps` (name → map) and record `stamp`, in one transaction:
        a `StoredMap` of this store writes only the entries set since it was read, any other
        map replaces its table."""
        dumps, protocol = pickle.dumps, pickle.HIGHEST_PROTOCOL

        def rows(items):
            for key, value in items:
                yield key, dumps(value, protocol), _flagged(value)

        try:
            with transaction(self._connect()) as db:
                for table, values in maps.items():
                    if isinstance(values, StoredMap) and values.store is self:
                        changes = values.changes
                        db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)",
                                       rows((k, v) for k, v in changes.items() if v is not _GONE))
                        db.executemany(f"DELETE FROM {table} WHERE key = ?",
                                       [(k,) for k, v in changes.items() if v is _GONE])
                    else:
                        db.execute(f"DROP TABLE IF EXISTS {table}")
                        db.execute(f"CREATE TABLE {table} (key TEXT PRIMARY KEY, value BLOB, flagged INTEGER) "
                                   "WITHOUT ROWID")
                        db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", rows(sorted(values.items())))
                db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (stamp,))
        except sqlite3.Error as exc:
            raise KeyStoreUnreadable(_reason(exc)) from None

    def close(self) -> None:
        """Close the store (the last connection to close folds the journal into the file)."""
        if self._db is not None and self._pid == os.getpid():
            try:
                self._db.close()
            except sqlite3.Error:
                pass  # a journal left behind is replayed by the next open
        self._db = None


def open_wal(path: Path, schema: str) -> sqlite3.Connection:
    """Open (or create) an SQLite file of the cache in WAL mode with `synchronous = NORMAL`
    and run `schema` on it. One build at a time uses it, from whichever thread runs the
    build (the preview's); transactions are begun and committed explicitly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=2.0)
    try:
        # WAL, not an in-memory journal: a build killed while it writes must leave a store
        # that opens (issue 10). NORMAL syncs only at checkpoints: a power cut may lose the
        # last transactions, never damage the file.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(schema)
    except BaseException:
        db.close()
        raise
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one transaction: committed whole, or rolled back whatever
    interrupts it (an exception, Ctrl-C)."""
    db.execute("BEGIN")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        try:
            if db.in_transaction:
                db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the error being raised says more; an open transaction is never committed
        raise


class StoredMap(Mapping):
    """One table of a `KeyStore` as a map: read by key on demand, whole when iterated (or
    after `WHOLE_AFTER` keys); what a build sets (`update`, `[]=`, `del`) is kept in
    `changes` until the cache writes it. `layer()` is a map of the same table with changes
    of its own: a build's work on it leaves the map it started from as it was."""

    def __init__(self, store: KeyStore, table: str):
        self.store = store
        self.table = table
        self.changes: dict[str, Any] = {}
        """key → value set since the table was read, or `_GONE`."""
        self._whole: dict[str, Any] | None = None
        self._lookups = 0

    def layer(self) -> StoredMap:
        layer = StoredMap(self.store, self.table)
        layer.changes, layer._whole, layer._lookups = dict(self.changes), self._whole, self._lookups
        return layer

    def get(self, key: str, default: Any = None) -> Any:
        value = self.changes.get(key, _ABSENT)
        if value is _ABSENT:
            if self._whole is None:
                self._lookups += 1
                if self._lookups <= WHOLE_AFTER:
                    value = self.store.get(self.table, key)
                    return default if value is _ABSENT else value
                self._whole = self.store.rows(self.table)
            return self._whole.get(key, default)
        return default if value is _GONE else value

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self.get(key, _ABSENT) is not _ABSENT  # type: ignore[arg-type]

    def _merged(self) -> dict[str, Any]:
        if self._whole is None:
            self._whole = self.store.rows(self.table)
        if not self.changes:
            return self._whole
        return with_changes(self._whole, self.changes, _GONE)

    def __iter__(self) -> Iterator[str]:
        return iter(self._merged())

    def __len__(self) -> int:
        return len(self._merged())

    def items(self):
        return self._merged().items()

    def values(self):
        return self._merged().values()

    def flagged_values(self) -> list[Any]:
        """Return the values with problems to report, without reading the others."""
        if self._whole is not None:
            found = {key: value for key, value in self._whole.items() if _flagged(value)}
        else:
            found = self.store.rows(self.table, flagged=True)
        return list(with_changes(found, self.changes, _GONE, _flagged).values())

    def update(self, other: Mapping[str, Any]) -> None:
        self.changes.update(other)

    def __setitem__(self, key: str, value: Any) -> None:
        self.changes[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.changes[key] = _GONE

    def __reduce__(self):
        raise TypeError("a StoredMap is not pickled: the cache writes its changes to its store")


def with_changes(items: Mapping[str, Any], changes: Mapping[str, Any], gone: object,
                 keep: Callable[[Any], bool] = lambda value: True) -> dict[str, Any]:
    """Return a copy of `items` with `changes` (key → value) made: a value that is `gone`,
    or that `keep` refuses, removes its key (a layer's changes over the map it is a layer of)."""
    merged = dict(items)
    for key, value in changes.items():
        if value is gone or not keep(value):
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _flagged(value: Any) -> bool:
    """True for a value with problems to report (a body's broken links): its row is flagged."""
    return bool(getattr(value, "problems", None))


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
