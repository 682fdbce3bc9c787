"""The storage ports: the interfaces that the SQLite and DynamoDB adapters both implement."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from monitron_sap.assets.model import MappingEntry, PositionRef


class Outcome(StrEnum):
    """The outcome of one input record."""

    IN_PROGRESS = "in_progress"  # claimed, no outcome recorded yet
    NOTIFIED = "notified"  # a notification was created
    UPDATED = "updated"  # an open notification was updated, put in process or completed
    CORRELATED = "correlated"  # an open notification already covers this alert
    SKIPPED = "skipped"  # nothing to do; ``reason`` gives the cause
    INVALID = "invalid"  # the record could not be read
    FAILED = "failed"  # SAP rejected the request permanently
    DEAD_LETTER = "dead_letter"  # retryable failures exhausted; can be replayed


FINAL_OUTCOMES = frozenset(
    {Outcome.NOTIFIED, Outcome.UPDATED, Outcome.CORRELATED, Outcome.SKIPPED, Outcome.INVALID}
)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """The ledger's row for one record. ``payload`` keeps the record's JSON for replay."""

    record_key: str
    source: str
    offset: int
    status: Outcome
    claimed_at: datetime
    updated_at: datetime
    event_id: str | None = None
    event_type: str | None = None
    position_key: str | None = None
    reason: str | None = None
    notification_number: str | None = None
    external_reference: str | None = None
    error: str | None = None
    attempts: int = 0
    payload: str | None = None


class ClaimStatus(StrEnum):
    CLAIMED = "claimed"  # new record, now held by the caller
    TAKEN_OVER = "taken_over"  # an earlier claim expired without an outcome: look SAP up first
    DONE = "done"  # a final outcome exists; do nothing
    BUSY = "busy"  # another worker has an unexpired claim
    RETRY = "retry"  # an earlier attempt failed or was dead-lettered; the caller now has the claim


@dataclass(frozen=True, slots=True)
class Claim:
    status: ClaimStatus
    previous: LedgerEntry | None = None


@dataclass(frozen=True, slots=True)
class PendingDisconnect:
    """A sensor or gateway that disconnected and has not reconnected since.

    ``device_key`` is ``sensor:ID`` or ``gateway:ID``; ``payload`` is the disconnection record's
    JSON, from which the notification is built when the device stays away too long.
    """

    device_key: str
    disconnected_at: datetime
    record_key: str
    payload: str


@dataclass(frozen=True, slots=True)
class OpenNotification:
    """The notification the product created for a position and believes still open."""

    position_key: str
    notification_number: str
    state: str
    record_key: str
    opened_at: datetime
    priority: str | None = None


@dataclass(frozen=True, slots=True)
class LatestMeasurement:
    """The latest measurement of a position; ``snapshot`` is ``MeasurementSnapshot.to_json()``."""

    position_key: str
    taken_at: datetime
    snapshot: str


@dataclass(frozen=True, slots=True)
class StoredHistory:
    """A position's bounded measurement history, the data behind its trend chart.

    ``history`` is the JSON text of ``MeasurementHistory.to_json()``; ``updated_at`` is the
    time of its newest sample.
    """

    position_key: str
    updated_at: datetime
    history: str


@dataclass(frozen=True, slots=True)
class UnmappedPosition:
    """A position that had an alert but no mapping entry, with when and how often it was seen."""

    position: PositionRef
    first_seen: datetime
    last_seen: datetime
    records: int


class LedgerStore(Protocol):
    def claim(self, entry: LedgerEntry, *, lease_seconds: float, now: datetime) -> Claim:
        """Claim ``entry.record_key`` atomically (a conditional write).

        A new key is inserted as IN_PROGRESS (CLAIMED). An IN_PROGRESS entry whose ``claimed_at``
        is older than ``lease_seconds`` is taken over (TAKEN_OVER), a younger one is BUSY. A
        FAILED or DEAD_LETTER entry is claimed again (RETRY), any other outcome is DONE. Every
        successful claim sets ``claimed_at`` to ``now`` and adds one to ``attempts``.
        """
        ...

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
        """Record the outcome of a claimed record.

        Sets ``status``, ``updated_at``, ``reason`` and ``error`` on the existing entry, and the
        notification number when one is given. The pipeline also uses it to mark a skipped
        entry FAILED, so that the next claim retries it.
        """
        ...

    def record(self, entry: LedgerEntry) -> bool:
        """Write an entry without a claim, for records that need no SAP call (invalid, skipped).

        An existing entry under the same key is kept unchanged. Return whether ``entry`` was
        written.
        """
        ...

    def get(self, record_key: str) -> LedgerEntry | None: ...

    def get_open_notification(self, position_key: str) -> OpenNotification | None: ...

    def set_open_notification(self, item: OpenNotification) -> None: ...

    def clear_open_notification(self, position_key: str, notification_number: str) -> None: ...

    def dead_letters(self, limit: int = 100) -> list[LedgerEntry]: ...

    def counts(self) -> dict[Outcome, int]: ...

    def recent(
        self, limit: int = 20, statuses: Collection[Outcome] | None = None
    ) -> list[LedgerEntry]:
        """Return the latest entries, newest first; only those in ``statuses`` when given."""
        ...

    def save_latest_measurement(self, item: LatestMeasurement) -> None:
        """Store ``item`` unless the position already has a measurement taken later."""
        ...

    def get_latest_measurement(self, position_key: str) -> LatestMeasurement | None: ...

    def entries_for_notification(self, number: str, limit: int = 1000) -> list[LedgerEntry]:
        """Return the entries that name notification ``number``, oldest first."""
        ...

    def save_measurement_history(self, item: StoredHistory) -> None:
        """Store ``item`` as the position's measurement history, replacing the stored one."""
        ...

    def get_measurement_history(self, position_key: str) -> StoredHistory | None: ...

    def note_unmapped(self, position: PositionRef, *, seen_at: datetime) -> None:
        """Count one more alert for a position without a mapping entry."""
        ...

    def unmapped_positions(self, limit: int = 100) -> list[UnmappedPosition]:
        """Return unmapped positions, most recently seen first."""
        ...

    def save_disconnect(self, item: PendingDisconnect) -> None:
        """Store ``item`` unless the device has a later disconnection stored."""
        ...

    def clear_disconnect(self, device_key: str, *, until: datetime) -> None:
        """Forget the device's disconnection if it happened at or before ``until``."""
        ...

    def due_disconnects(self, cutoff: datetime, limit: int = 100) -> list[PendingDisconnect]:
        """Return disconnections that happened at or before ``cutoff``, oldest first."""
        ...


class MappingStore(Protocol):
    def replace_all(self, entries: Sequence[MappingEntry]) -> int:
        """Replace the whole mapping with ``entries`` in one transaction; return the count."""
        ...

    def upsert(self, entries: Sequence[MappingEntry]) -> int:
        """Insert or replace ``entries`` by key, all or nothing; return the count."""
        ...

    def get_many(self, keys: Sequence[str]) -> dict[str, MappingEntry]:
        """Return the entries stored under any of ``keys``."""
        ...

    def all(self) -> list[MappingEntry]: ...
