"""Ledger entries for events and for records that could not be read."""

from __future__ import annotations

import json
from datetime import datetime

from monitron_sap.assets.model import PositionRef
from monitron_sap.events.model import MonitronEvent, RecordError
from monitron_sap.store.ports import LedgerEntry, Outcome


def event_entry(
    event: MonitronEvent,
    position: PositionRef,
    status: Outcome,
    now: datetime,
    *,
    reason: str | None = None,
    reference: str | None = None,
) -> LedgerEntry:
    """Return the ledger entry of an event; a claim (IN_PROGRESS) keeps the record for replay."""
    # Only records that call SAP can become dead letters, so only they keep the record.
    payload = None
    if status == Outcome.IN_PROGRESS and event.raw is not None:
        payload = record_json(event.raw)
    return LedgerEntry(
        record_key=event.record_key,
        source=event.source.source,
        offset=event.source.offset,
        status=status,
        claimed_at=now,
        updated_at=now,
        event_id=event.event_id,
        event_type=event.event_type,
        position_key=position.key,
        reason=reason,
        external_reference=reference,
        payload=payload,
    )


def invalid_record_key(error: RecordError) -> str:
    """Return ``SOURCE@OFFSET``, the ledger key of a record that could not be read."""
    return f"{error.source.source}@{error.source.offset}"


def invalid_entry(error: RecordError, now: datetime) -> LedgerEntry:
    """Return the INVALID ledger entry of a record, with the error and an excerpt."""
    return LedgerEntry(
        record_key=invalid_record_key(error),
        source=error.source.source,
        offset=error.source.offset,
        status=Outcome.INVALID,
        claimed_at=now,
        updated_at=now,
        error=error.describe(),
        payload=error.excerpt or None,
    )


def record_json(raw: dict[str, object]) -> str | None:
    """Serialize a record for replay, or return None when it is nested too deeply to serialize.

    The reader accepts records nested up to orjson's limit of 1024 levels, deeper than Python's
    default recursion limit allows ``json.dumps`` to go. A dead letter without its record is
    replayed as an invalid record that names the reason.
    """
    try:
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
    except RecursionError:
        return None
