"""The SQLite connection under the store: schema, batched writes and durable transactions.

Everything lives in one database file in WAL mode. A claim is one ``BEGIN IMMEDIATE``
transaction, which makes it a conditional write across processes. It commits with
``synchronous=FULL``, so the claim, and every write before it, is on disk before SAP is called.

All other writes (outcomes, skipped and invalid records, latest measurements, open notifications,
unmapped positions) are batched. A batch commits with ``synchronous=NORMAL`` after
``BATCH_MAX_WRITES`` writes or ``BATCH_MAX_SECONDS``, at the next claim or mapping change, and on
``flush`` or ``close``. After a crash the uncommitted writes are missing. Records without an
outcome are written again when the same input is processed again, and a claim without an outcome
is resolved by searching SAP for the record's external reference, so no notification is created
twice.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Self

from monitron_sap.errors import StoreUnavailableError

BUSY_TIMEOUT_SECONDS: Final = 10.0
# Writes that need no SAP call are committed in batches of at most this many writes or seconds.
BATCH_MAX_WRITES: Final = 500
BATCH_MAX_SECONDS: Final = 1.0
SCHEMA_VERSION: Final = 1

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS ledger (
    record_key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    offset INTEGER NOT NULL,
    status TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    event_id TEXT,
    event_type TEXT,
    position_key TEXT,
    reason TEXT,
    notification_number TEXT,
    external_reference TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    payload TEXT
);
CREATE INDEX IF NOT EXISTS ledger_status ON ledger (status, updated_at);
CREATE INDEX IF NOT EXISTS ledger_updated ON ledger (updated_at);
CREATE INDEX IF NOT EXISTS ledger_notification ON ledger (notification_number, updated_at);
CREATE TABLE IF NOT EXISTS open_notifications (
    position_key TEXT PRIMARY KEY,
    notification_number TEXT NOT NULL,
    state TEXT NOT NULL,
    record_key TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    priority TEXT
);
CREATE TABLE IF NOT EXISTS latest_measurements (
    position_key TEXT PRIMARY KEY,
    taken_at TEXT NOT NULL,
    snapshot TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS measurement_histories (
    position_key TEXT PRIMARY KEY,
    updated_at TEXT NOT NULL,
    history TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS unmapped_positions (
    position_key TEXT PRIMARY KEY,
    project TEXT,
    site TEXT,
    asset TEXT,
    position TEXT,
    asset_position_id TEXT,
    sensor_id TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    records INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_disconnects (
    device_key TEXT PRIMARY KEY,
    disconnected_at TEXT NOT NULL,
    record_key TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_disconnects_time ON pending_disconnects (disconnected_at);
CREATE TABLE IF NOT EXISTS mapping (
    key TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    site TEXT NOT NULL,
    asset TEXT NOT NULL,
    position TEXT NOT NULL,
    asset_position_id TEXT,
    sensor_id TEXT,
    technical_object TEXT NOT NULL,
    technical_object_kind TEXT NOT NULL,
    notification_type TEXT NOT NULL,
    warning_notification_type TEXT,
    priority_warning TEXT,
    priority_alarm TEXT,
    priority_needs_maintenance TEXT,
    planning_plant TEXT,
    planner_group TEXT,
    main_work_center TEXT,
    main_work_center_plant TEXT
);
"""


class SqliteDatabase:
    """One SQLite file with the product's schema; not safe to share across threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailableError(f"cannot open the database {self.path}: {error}") from error
        self._db.row_factory = sqlite3.Row
        self._batch_started = 0.0
        self._batch_writes = 0
        self._closed = False
        with self._translate("set up"):
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def flush(self) -> None:
        """Commit the writes batched so far."""
        with self._translate("commit"):
            if self._db.in_transaction:
                self._db.execute("COMMIT")

    def close(self, *, commit: bool = True) -> None:
        """Close the database, committing the batched writes unless ``commit`` is false.

        Closing without commit drops the batch as a crash would; closing twice does nothing.
        """
        if self._closed:
            return
        try:
            if commit:
                self.flush()
        finally:
            self._closed = True
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        # A block that ends with an exception may not have finished its records, so the batch is
        # dropped and those records are processed again on the next run.
        self.close(commit=exc_type is None)

    @contextmanager
    def _translate(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise StoreUnavailableError(
                f"cannot {action} in the database {self.path}: {error}"
            ) from error

    @contextmanager
    def _batched(self, action: str) -> Iterator[None]:
        """Run one write inside the current batch, committing the batch when it is full or old.

        NOTE: from a batched write until its batch commits, this connection keeps SQLite's write
        lock. A run that waits for data on standard input keeps the lock while it waits. Another
        process that writes to the same file meanwhile waits up to ``BUSY_TIMEOUT_SECONDS``.
        """
        with self._translate(action):
            if not self._db.in_transaction:
                self._db.execute("BEGIN")
                self._batch_started = time.monotonic()
                self._batch_writes = 0
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._batch_writes += 1
            age = time.monotonic() - self._batch_started
            if self._batch_writes >= BATCH_MAX_WRITES or age >= BATCH_MAX_SECONDS:
                self._db.execute("COMMIT")

    @contextmanager
    def _transaction(self, action: str, *, durable: bool = False) -> Iterator[None]:
        """Run one write transaction after committing the batch; ``durable`` syncs it to disk."""
        with self._translate(action):
            if self._db.in_transaction:
                self._db.execute("COMMIT")
            if durable:
                self._db.execute("PRAGMA synchronous=FULL")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            finally:
                if durable:
                    self._db.execute("PRAGMA synchronous=NORMAL")


def time_to_text(moment: datetime) -> str:
    """Return a UTC ISO-8601 text that sorts in time order."""
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {moment!r} has no time zone; pass an aware UTC datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def time_from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)
