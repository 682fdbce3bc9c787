"""The SQLite adapter: ledger, per-position state and the asset mapping in one file.

``SqliteStore`` implements ``LedgerStore`` and ``MappingStore``. Which writes are batched and
which are synced before SAP is called is described in ``sqlite_base``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from datetime import datetime
from typing import Any, Final

from monitron_sap.store.ports import (
    FINAL_OUTCOMES,
    Claim,
    ClaimStatus,
    LedgerEntry,
    Outcome,
)
from monitron_sap.store.sqlite_base import time_from_text, time_to_text
from monitron_sap.store.sqlite_mapping import MappingTable
from monitron_sap.store.sqlite_positions import PositionState

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
_RETRY_OUTCOMES: Final = frozenset({Outcome.FAILED, Outcome.DEAD_LETTER})


class SqliteStore(PositionState, MappingTable):
    """``LedgerStore`` and ``MappingStore`` on one SQLite file; not safe to share across threads."""

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
                (
                    Outcome.IN_PROGRESS,
                    time_to_text(now),
                    time_to_text(now),
                    entry.payload,
                    entry.record_key,
                ),
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
                (status, time_to_text(now), reason, notification_number, error, record_key),
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

    def entries_for_notification(self, number: str, limit: int = 1000) -> list[LedgerEntry]:
        return self._select_entries(
            "SELECT * FROM ledger WHERE notification_number = ? "
            "ORDER BY updated_at, record_key LIMIT ?",
            (number, limit),
        )

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
            claimed_at=time_to_text(now),
            updated_at=time_to_text(now),
            attempts=attempts,
        )
        marks = ", ".join("?" * len(_LEDGER_COLUMNS))
        verb = "INSERT OR IGNORE" if if_absent else "INSERT"
        cursor = self._db.execute(
            f"{verb} INTO ledger ({', '.join(_LEDGER_COLUMNS)}) VALUES ({marks})",
            [values[name] for name in _LEDGER_COLUMNS],
        )
        return cursor.rowcount == 1

    def _select_entries(self, sql: str, parameters: tuple[Any, ...]) -> list[LedgerEntry]:
        with self._translate("read the ledger"):
            rows = self._db.execute(sql, parameters).fetchall()
        return [_entry_from_row(row) for row in rows]


def _entry_from_row(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(
        record_key=row["record_key"],
        source=row["source"],
        offset=row["offset"],
        status=Outcome(row["status"]),
        claimed_at=time_from_text(row["claimed_at"]),
        updated_at=time_from_text(row["updated_at"]),
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
