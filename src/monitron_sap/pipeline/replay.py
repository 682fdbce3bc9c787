"""Rebuild a record from its ledger entry, so that a dead letter can be processed again."""

from __future__ import annotations

import json

from monitron_sap.errors import InputError
from monitron_sap.events.model import ReadResult, RecordError, SourceRef
from monitron_sap.events.schema import parse_record
from monitron_sap.store.ports import LedgerEntry


def record_from_entry(entry: LedgerEntry) -> ReadResult:
    """Parse the record stored in ``entry.payload`` again; a ``RecordError`` when impossible.

    The ledger keeps the source and byte offset but not the line, so the rebuilt record has line 0.
    """
    where = SourceRef(entry.source, entry.offset, 0)
    if entry.payload is None:
        return RecordError(where, f"ledger entry {entry.record_key} has no stored record to replay")
    result = record_from_json(entry.payload, where)
    if isinstance(result, RecordError):
        message = f"stored record of {entry.record_key} cannot be parsed again: {result.message}"
        return RecordError(where, message)
    return result


def record_from_json(payload: str, where: SourceRef) -> ReadResult:
    """Parse one stored record's JSON text; a ``RecordError`` naming the problem when impossible."""
    try:
        return parse_record(json.loads(payload), where)
    except (ValueError, InputError) as error:
        return RecordError(where, str(error))
