"""Entity storage of the emulator: in memory for speed, written through to SQLite.

Every entity is kept as a dict of typed values (see :mod:`wire`) under its entity set and key.
With a database file the data survives a restart; without one SQLite runs in memory.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from monitron_sap.emulator.wire import Value
from monitron_sap.errors import ConfigurationError

logger = logging.getLogger(__name__)

EntityKey = tuple[str, ...]
Row = dict[str, Value]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    entity_set TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (entity_set, entity_key)
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


def normalize_key_value(value: str) -> str:
    """Strip leading zeros from numeric key values, as SAP's ALPHA conversion does on input."""
    if value.isdigit():
        return str(int(value))
    return value


def _encode(value: Value) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$seconds": value.total_seconds()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    return value


def _decode(raw: Any) -> Value:
    if isinstance(raw, dict):
        if "$datetime" in raw:
            return datetime.fromisoformat(raw["$datetime"])
        if "$seconds" in raw:
            return timedelta(seconds=raw["$seconds"])
        if "$decimal" in raw:
            return Decimal(raw["$decimal"])
    if raw is None or isinstance(raw, str | bool | int | float):
        return raw
    raise ValueError(f"unexpected stored value {raw!r}")


class EntityStore:
    """Entities by entity set and key, plus named counters for number assignment."""

    def __init__(self, db_path: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._entities: dict[str, dict[EntityKey, Row]] = {}
        self._undo: dict[tuple[str, EntityKey], Row | None] | None = None
        self._undo_thread: int | None = None
        location = str(db_path) if db_path is not None else ":memory:"
        try:
            self._connection = sqlite3.connect(location, check_same_thread=False)
            if db_path is not None:
                # WAL without a sync per commit: a crash of the machine may lose the last
                # changes, but the file stays consistent, and creates are not bound by fsync.
                self._connection.execute("PRAGMA journal_mode=WAL")
                self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.executescript(_SCHEMA)
            self._load()
        except sqlite3.Error as error:
            raise ConfigurationError(
                f"cannot open the emulator database {location}: {error}"
            ) from error

    def _load(self) -> None:
        rows = self._connection.execute("SELECT entity_set, entity_key, data FROM entities")
        for entity_set, entity_key, data in rows:
            key = tuple(json.loads(entity_key))
            entity = {name: _decode(value) for name, value in json.loads(data).items()}
            self._entities.setdefault(entity_set, {})[key] = entity

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._connection.close()

    def get(self, entity_set: str, key: EntityKey) -> Row | None:
        """Return a copy of one entity, or ``None`` when there is none with that key."""
        with self._lock:
            entity = self._entities.get(entity_set, {}).get(key)
            return dict(entity) if entity is not None else None

    def all(self, entity_set: str, where: Callable[[Row], bool] | None = None) -> list[Row]:
        """Return copies of the entities of ``entity_set`` (those ``where`` accepts), in
        insertion order."""
        with self._lock:
            return [
                dict(entity)
                for entity in self._entities.get(entity_set, {}).values()
                if where is None or where(entity)
            ]

    def matching(self, entity_set: str, values: Mapping[str, Value]) -> list[Row]:
        """Return copies of the entities whose properties equal every item of ``values``."""
        with self._lock:
            return [
                dict(entity)
                for entity in self._entities.get(entity_set, {}).values()
                if all(entity.get(name) == value for name, value in values.items())
            ]

    def put(self, changes: Iterable[tuple[str, EntityKey, Row]]) -> None:
        """Insert or replace entities in one transaction; memory changes only on success."""
        batch = [(entity_set, key, dict(entity)) for entity_set, key, entity in changes]
        with self._lock:
            try:
                with self._connection:
                    self._connection.executemany(
                        "INSERT OR REPLACE INTO entities (entity_set, entity_key, data) "
                        "VALUES (?, ?, ?)",
                        [
                            (
                                entity_set,
                                json.dumps(list(key)),
                                json.dumps({name: _encode(v) for name, v in entity.items()}),
                            )
                            for entity_set, key, entity in batch
                        ],
                    )
            except sqlite3.Error:
                logger.exception("Writing %d entities to the emulator database failed", len(batch))
                raise
            for entity_set, key, entity in batch:
                self._remember(entity_set, key)
                self._entities.setdefault(entity_set, {})[key] = entity

    def delete(self, entity_set: str, key: EntityKey) -> bool:
        """Delete one entity; return whether it existed."""
        with self._lock:
            if key not in self._entities.get(entity_set, {}):
                return False
            with self._connection:
                self._connection.execute(
                    "DELETE FROM entities WHERE entity_set = ? AND entity_key = ?",
                    (entity_set, json.dumps(list(key))),
                )
            self._remember(entity_set, key)
            del self._entities[entity_set][key]
            return True

    def _remember(self, entity_set: str, key: EntityKey) -> None:
        """Record an entity's state before the first change inside ``undo_log``."""
        if self._undo is None or self._undo_thread != threading.get_ident():
            return
        if (entity_set, key) not in self._undo:
            previous = self._entities.get(entity_set, {}).get(key)
            self._undo[(entity_set, key)] = dict(previous) if previous is not None else None

    @contextmanager
    def undo_log(self) -> Iterator[Callable[[], None]]:
        """Record this thread's changes and yield a function that undoes them.

        The store's lock is held for the whole block, so other threads wait; the undo function
        must be called inside the block. Counters (number ranges) are not undone, as SAP's
        number ranges also leave gaps.
        """
        with self._lock:
            if self._undo is not None:
                raise RuntimeError("undo logs cannot be nested")
            self._undo, self._undo_thread = {}, threading.get_ident()
            try:
                yield self._rollback
            finally:
                self._undo, self._undo_thread = None, None

    def _rollback(self) -> None:
        undo = self._undo or {}
        self._undo = None
        restore = [(s, k, row) for (s, k), row in undo.items() if row is not None]
        removed = [(s, k) for (s, k), row in undo.items() if row is None]
        if restore:
            self.put(restore)
        for entity_set, key in removed:
            self.delete(entity_set, key)
        logger.info("Rolled back %d entity changes", len(undo))

    def next_number(self, name: str, first: int) -> int:
        """Return the next value of counter ``name``, starting at ``first``."""
        with self._lock, self._connection:
            row = self._connection.execute(
                "SELECT value FROM counters WHERE name = ?", (name,)
            ).fetchone()
            number = first if row is None else max(int(row[0]) + 1, first)
            self._connection.execute(
                "INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", (name, number)
            )
            return number

    def count(self, entity_set: str) -> int:
        """Return the number of entities in ``entity_set``."""
        with self._lock:
            return len(self._entities.get(entity_set, {}))
