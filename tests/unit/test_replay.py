"""Rebuilding a dead letter's record from its ledger entry."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from monitron_sap.events.model import MonitronEvent, RecordError
from monitron_sap.pipeline.replay import record_from_entry
from monitron_sap.store.ports import LedgerEntry, Outcome

NOW = datetime(2026, 1, 6, tzinfo=UTC)
RECORD = {
    "timestamp": "2026-01-06 05:00:33.719",
    "eventId": "52011",
    "version": "2.0",
    "projectName": "Northwind Bottling",
    "eventType": "assetStateTransition",
    "eventPayload": {
        "siteName": "Plant Hamburg",
        "assetName": "Pump P-101",
        "positionName": "Motor DE",
        "assetState": {"newState": "ALARM", "previousState": "HEALTHY"},
    },
}


def entry(payload: str | None) -> LedgerEntry:
    return LedgerEntry(
        "assetStateTransition:52011",
        "export.jsonl",
        480,
        Outcome.DEAD_LETTER,
        NOW,
        NOW,
        payload=payload,
    )


def test_stored_record_parsed_again() -> None:
    result = record_from_entry(entry(json.dumps(RECORD)))
    assert isinstance(result, MonitronEvent)
    assert result.record_key == "assetStateTransition:52011"
    assert result.new_state == "ALARM"
    assert result.source.offset == 480


def test_missing_payload_reported() -> None:
    result = record_from_entry(entry(None))
    assert isinstance(result, RecordError)
    assert "no stored record" in result.message


def test_broken_payload_reported() -> None:
    result = record_from_entry(entry("{not json"))
    assert isinstance(result, RecordError)
    assert "cannot be parsed again" in result.message
