"""The SQLite adapter: ledger, open notifications, latest measurements and the asset mapping.

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

import logging
import sqlite3
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from monitron_sap.assets.model import MappingEntry, PositionRef
from monitron_sap.errors import StoreUnavailableError
from monitron_sap.store.ports import (
    FINAL_OUTCOMES,
    Claim,
    ClaimStatus,
    LatestMeasurement,
    LedgerEntry,
    OpenNotification,
    Outcome,
    UnmappedPosition,
)

logger = logging.getLogger(__name__)

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

_LEDGER_COLUMNS: Final = (
    "record_key",
    "source",
    "offset",
    "status",
    "claimed_at",
    "updated_at",
    "event_id",
    "event_type",
    "position_key",
    "reason",
    "notification_number",
    "external_reference",
    "error",
    "attempts",
    "payload",
)
_MAPPING_COLUMNS: Final = (
    "project",
    "site",
    "asset",
    "position",
    "asset_position_id",
    "sensor_id",
    "technical_object",
    "technical_object_kind",
    "notification_type",
    "warning_notification_type",
    "priority_warning",
    "priority_alarm",
    "priority_needs_maintenance",
    "planning_plant",
    "planner_group",
    "main_work_center",
    "main_work_center_plant",
)
_RETRY_OUTCOMES: Final = frozenset({Outcome.FAILED, Outcome.DEAD_LETTER})
# SQLite limits the number of bound parameters per statement (999 before 3.32).
_MAX_PARAMETERS: Final = 900


class SqliteStore:
    """``LedgerStore`` and ``MappingStore`` on one SQLite file; not safe to share across threads."""

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

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        # A block that ends with an exception may not have finished its records, so the batch is
        # dropped and those records are processed again on the next run.
        self.close(commit=exc_type is None)

    # Ledger ---------------------------------------------------------------------------------

    def claim(self, entry: LedgerEntry, *, lease_seconds: float, now: datetime) -> Claim:
        with self._transaction("claim a record", durable=True):
            row = self._db.execute(
                "SELECT * FROM ledger WHERE record_key = ?", (entry.record_key,)
            ).fetchone()
            if row is None:
                self._insert_entry(entry, status=Outcome.IN_PROGRESS, now=now, attempts=1)
                return Claim(ClaimStatus.CLAIMED)

            previous = _entry_from_row(row)
            if previous.status in FINAL_OUTCOMES:
                return Claim(ClaimStatus.DONE, previous)
            if previous.status == Outcome.IN_PROGRESS:
                age = (now - previous.claimed_at).total_seconds()
                if age < lease_seconds:
                    return Claim(ClaimStatus.BUSY, previous)
                status = ClaimStatus.TAKEN_OVER
            elif previous.status in _RETRY_OUTCOMES:
                status = ClaimStatus.RETRY
            else:
                return Claim(ClaimStatus.DONE, previous)

            self._db.execute(
                "UPDATE ledger SET status = ?, claimed_at = ?, updated_at = ?, "
                "attempts = attempts + 1, payload = COALESCE(?, payload) WHERE record_key = ?",
                (Outcome.IN_PROGRESS, _text(now), _text(now), entry.payload, entry.record_key),
            )
            return Claim(status, previous)

    def finish(
        self,
        record_key: str,
        status: Outcome,
        *,
        now: datetime,
        reason: str | None = None,
        notification_number: str | None = None,
        error: str | None = None,
    ) -> None:
        # Only the claim must be on disk before SAP is called. A lost outcome leaves the claim,
        # and a later run resolves it by searching SAP for the record's external reference.
        with self._batched("record an outcome"):
            self._db.execute(
                "UPDATE ledger SET status = ?, updated_at = ?, reason = ?, "
                "notification_number = COALESCE(?, notification_number), error = ? "
                "WHERE record_key = ?",
                (status, _text(now), reason, notification_number, error, record_key),
            )

    def record(self, entry: LedgerEntry) -> bool:
        with self._batched("record an outcome"):
            inserted = self._insert_entry(
                entry, status=entry.status, now=entry.updated_at, attempts=0, if_absent=True
            )
        return inserted

    def get(self, record_key: str) -> LedgerEntry | None:
        with self._translate("read the ledger"):
            row = self._db.execute(
                "SELECT * FROM ledger WHERE record_key = ?", (record_key,)
            ).fetchone()
        return _entry_from_row(row) if row is not None else None

    def dead_letters(self, limit: int = 100) -> list[LedgerEntry]:
        return self._select_entries(
            "SELECT * FROM ledger WHERE status = ? ORDER BY updated_at, record_key LIMIT ?",
            (Outcome.DEAD_LETTER, limit),
        )

    def counts(self) -> dict[Outcome, int]:
        with self._translate("count ledger entries"):
            rows = self._db.execute("SELECT status, COUNT(*) FROM ledger GROUP BY status")
            return {Outcome(status): count for status, count in rows}

    def recent(
        self, limit: int = 20, statuses: Collection[Outcome] | None = None
    ) -> list[LedgerEntry]:
        if statuses is None:
            return self._select_entries(
                "SELECT * FROM ledger ORDER BY updated_at DESC, record_key LIMIT ?", (limit,)
            )
        wanted = [str(status) for status in statuses]
        marks = ", ".join("?" * len(wanted))
        return self._select_entries(
            f"SELECT * FROM ledger WHERE status IN ({marks}) "  # noqa: S608
            "ORDER BY updated_at DESC, record_key LIMIT ?",
            (*wanted, limit),
        )

    # Per-position state ------------------------------------------------------------------------

    def get_open_notification(self, position_key: str) -> OpenNotification | None:
        with self._translate("read open notifications"):
            row = self._db.execute(
                "SELECT * FROM open_notifications WHERE position_key = ?", (position_key,)
            ).fetchone()
        if row is None:
            return None
        return OpenNotification(
            position_key=row["position_key"],
            notification_number=row["notification_number"],
            state=row["state"],
            record_key=row["record_key"],
            opened_at=_time(row["opened_at"]),
            priority=row["priority"],
        )

    def set_open_notification(self, item: OpenNotification) -> None:
        with self._batched("record an open notification"):
            self._db.execute(
                "INSERT OR REPLACE INTO open_notifications VALUES (?, ?, ?, ?, ?, ?)",
                (
                    item.position_key,
                    item.notification_number,
                    item.state,
                    item.record_key,
                    _text(item.opened_at),
                    item.priority,
                ),
            )

    def clear_open_notification(self, position_key: str, notification_number: str) -> None:
        with self._batched("clear an open notification"):
            self._db.execute(
                "DELETE FROM open_notifications WHERE position_key = ? AND notification_number = ?",
                (position_key, notification_number),
            )

    def save_latest_measurement(self, item: LatestMeasurement) -> None:
        with self._batched("store the latest measurement"):
            self._db.execute(
                "INSERT INTO latest_measurements VALUES (?, ?, ?) "
                "ON CONFLICT (position_key) DO UPDATE SET taken_at = excluded.taken_at, "
                "snapshot = excluded.snapshot WHERE excluded.taken_at > taken_at",
                (item.position_key, _text(item.taken_at), item.snapshot),
            )

    def get_latest_measurement(self, position_key: str) -> LatestMeasurement | None:
        with self._translate("read the latest measurement"):
            row = self._db.execute(
                "SELECT * FROM latest_measurements WHERE position_key = ?", (position_key,)
            ).fetchone()
        if row is None:
            return None
        return LatestMeasurement(row["position_key"], _time(row["taken_at"]), row["snapshot"])

    def note_unmapped(self, position: PositionRef, *, seen_at: datetime) -> None:
        seen = _text(seen_at)
        with self._batched("record an unmapped position"):
            self._db.execute(
                "INSERT INTO unmapped_positions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
                "ON CONFLICT (position_key) DO UPDATE SET records = records + 1, "
                "first_seen = MIN(first_seen, excluded.first_seen), "
                "last_seen = MAX(last_seen, excluded.last_seen)",
                (
                    position.key,
                    position.project,
                    position.site,
                    position.asset,
                    position.position,
                    position.asset_position_id,
                    position.sensor_id,
                    seen,
                    seen,
                ),
            )

    def unmapped_positions(self, limit: int = 100) -> list[UnmappedPosition]:
        with self._translate("read unmapped positions"):
            rows = self._db.execute(
                "SELECT * FROM unmapped_positions ORDER BY last_seen DESC, position_key LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            UnmappedPosition(
                position=PositionRef(
                    project=row["project"],
                    site=row["site"],
                    asset=row["asset"],
                    position=row["position"],
                    asset_position_id=row["asset_position_id"],
                    sensor_id=row["sensor_id"],
                ),
                first_seen=_time(row["first_seen"]),
                last_seen=_time(row["last_seen"]),
                records=row["records"],
            )
            for row in rows
        ]

    # Mapping -----------------------------------------------------------------------------------

    def replace_all(self, entries: Sequence[MappingEntry]) -> int:
        with self._transaction("replace the mapping"):
            self._db.execute("DELETE FROM mapping")
            self._insert_mapping(entries)
        return len(entries)

    def upsert(self, entries: Sequence[MappingEntry]) -> int:
        with self._transaction("update the mapping"):
            self._insert_mapping(entries)
        return len(entries)

    def get_many(self, keys: Sequence[str]) -> dict[str, MappingEntry]:
        found: dict[str, MappingEntry] = {}
        unique = list(dict.fromkeys(keys))
        with self._translate("read the mapping"):
            for start in range(0, len(unique), _MAX_PARAMETERS):
                chunk = unique[start : start + _MAX_PARAMETERS]
                marks = ", ".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT * FROM mapping WHERE key IN ({marks})", chunk)  # noqa: S608
                for row in rows:
                    found[row["key"]] = _mapping_from_row(row)
        return found

    def all(self) -> list[MappingEntry]:
        with self._translate("read the mapping"):
            rows = self._db.execute(
                "SELECT * FROM mapping ORDER BY project, site, asset, position, key"
            ).fetchall()
        return [_mapping_from_row(row) for row in rows]

    # Helpers -----------------------------------------------------------------------------------

    def _insert_entry(
        self,
        entry: LedgerEntry,
        *,
        status: Outcome,
        now: datetime,
        attempts: int,
        if_absent: bool = False,
    ) -> bool:
        values: dict[str, Any] = {name: getattr(entry, name) for name in _LEDGER_COLUMNS}
        values.update(
            status=str(status),
            claimed_at=_text(now),
            updated_at=_text(now),
            attempts=attempts,
        )
        marks = ", ".join("?" * len(_LEDGER_COLUMNS))
        verb = "INSERT OR IGNORE" if if_absent else "INSERT"
        cursor = self._db.execute(
            f"{verb} INTO ledger ({', '.join(_LEDGER_COLUMNS)}) VALUES ({marks})",
            [values[name] for name in _LEDGER_COLUMNS],
        )
        return cursor.rowcount == 1

    def _insert_mapping(self, entries: Sequence[MappingEntry]) -> None:
        columns = ("key", *_MAPPING_COLUMNS)
        marks = ", ".join("?" * len(columns))
        self._db.executemany(
            f"INSERT OR REPLACE INTO mapping ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            [
                [entry.key, *(getattr(entry, name) for name in _MAPPING_COLUMNS)]
                for entry in entries
            ],
        )

    def _select_entries(self, sql: str, parameters: tuple[Any, ...]) -> list[LedgerEntry]:
        with self._translate("read the ledger"):
            rows = self._db.execute(sql, parameters).fetchall()
        return [_entry_from_row(row) for row in rows]

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


def _text(moment: datetime) -> str:
    """Return a UTC ISO-8601 text that sorts in time order."""
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {moment!r} has no time zone; pass an aware UTC datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _entry_from_row(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(
        record_key=row["record_key"],
        source=row["source"],
        offset=row["offset"],
        status=Outcome(row["status"]),
        claimed_at=_time(row["claimed_at"]),
        updated_at=_time(row["updated_at"]),
        event_id=row["event_id"],
        event_type=row["event_type"],
        position_key=row["position_key"],
        reason=row["reason"],
        notification_number=row["notification_number"],
        external_reference=row["external_reference"],
        error=row["error"],
        attempts=row["attempts"],
        payload=row["payload"],
    )


def _mapping_from_row(row: sqlite3.Row) -> MappingEntry:
    return MappingEntry(**{name: row[name] for name in _MAPPING_COLUMNS})
