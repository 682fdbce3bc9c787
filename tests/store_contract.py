"""Checks every ``LedgerStore`` and ``MappingStore`` adapter must pass.

An adapter's test module subclasses ``StoreContract`` and provides a ``store`` fixture that
yields an empty store, for example one on a fresh SQLite file or a fresh DynamoDB table.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitron_sap.assets.model import PositionRef
from monitron_sap.store.ports import (
    ClaimStatus,
    LatestMeasurement,
    LedgerEntry,
    OpenNotification,
    Outcome,
    PendingDisconnect,
    StoredHistory,
)
from tests.builders import pump_mapping

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def entry(
    key: str = "assetStateTransition:1", status: Outcome = Outcome.IN_PROGRESS
) -> LedgerEntry:
    return LedgerEntry(key, "export.jsonl", 0, status, NOW, NOW, payload='{"eventId": "1"}')


class StoreContract:
    """The behaviour of the storage ports; subclasses provide the ``store`` fixture."""

    def test_first_claim_claimed(self, store: Any) -> None:
        claim = store.claim(entry(), lease_seconds=60, now=NOW)
        assert claim.status == ClaimStatus.CLAIMED
        stored = store.get("assetStateTransition:1")
        assert stored is not None
        assert stored.status == Outcome.IN_PROGRESS
        assert stored.attempts == 1

    def test_fresh_claim_busy(self, store: Any) -> None:
        store.claim(entry(), lease_seconds=60, now=NOW)
        claim = store.claim(entry(), lease_seconds=60, now=NOW + timedelta(seconds=59))
        assert claim.status == ClaimStatus.BUSY

    def test_expired_claim_taken_over(self, store: Any) -> None:
        store.claim(entry(), lease_seconds=60, now=NOW)
        later = NOW + timedelta(seconds=61)
        claim = store.claim(entry(), lease_seconds=60, now=later)
        assert claim.status == ClaimStatus.TAKEN_OVER
        stored = store.get("assetStateTransition:1")
        assert stored is not None
        assert stored.claimed_at == later
        assert stored.attempts == 2

    def test_finished_claim_done(self, store: Any) -> None:
        store.claim(entry(), lease_seconds=60, now=NOW)
        store.finish(
            "assetStateTransition:1", Outcome.NOTIFIED, now=NOW, notification_number="1001"
        )
        claim = store.claim(entry(), lease_seconds=0, now=NOW + timedelta(days=1))
        assert claim.status == ClaimStatus.DONE
        assert claim.previous is not None
        assert claim.previous.notification_number == "1001"

    @pytest.mark.parametrize("outcome", [Outcome.DEAD_LETTER, Outcome.FAILED])
    def test_failed_claim_retried(self, store: Any, outcome: Outcome) -> None:
        store.claim(entry(), lease_seconds=60, now=NOW)
        store.finish("assetStateTransition:1", outcome, now=NOW, error="SAP 503")
        claim = store.claim(entry(), lease_seconds=60, now=NOW)
        assert claim.status == ClaimStatus.RETRY

    def test_dead_letters_listed(self, store: Any) -> None:
        store.claim(entry("a"), lease_seconds=60, now=NOW)
        store.claim(entry("b"), lease_seconds=60, now=NOW)
        store.finish("a", Outcome.DEAD_LETTER, now=NOW, error="SAP 503")
        store.finish("b", Outcome.NOTIFIED, now=NOW)
        letters = store.dead_letters()
        assert [letter.record_key for letter in letters] == ["a"]
        assert letters[0].payload == '{"eventId": "1"}'
        assert letters[0].error == "SAP 503"

    def test_record_keeps_existing(self, store: Any) -> None:
        assert store.record(entry("k", Outcome.SKIPPED)) is True
        assert store.record(entry("k", Outcome.INVALID)) is False
        stored = store.get("k")
        assert stored is not None
        assert stored.status == Outcome.SKIPPED

    def test_counts_and_recent(self, store: Any) -> None:
        store.record(entry("a", Outcome.SKIPPED))
        store.record(entry("b", Outcome.SKIPPED))
        store.record(entry("c", Outcome.INVALID))
        assert store.counts() == {Outcome.SKIPPED: 2, Outcome.INVALID: 1}
        assert len(store.recent(2)) == 2

    def test_open_notification_cycle(self, store: Any) -> None:
        item = OpenNotification("id:pos-1", "1001", "ALARM", "k", NOW, "2")
        store.set_open_notification(item)
        assert store.get_open_notification("id:pos-1") == item
        store.clear_open_notification("id:pos-1", "9999")
        assert store.get_open_notification("id:pos-1") == item
        store.clear_open_notification("id:pos-1", "1001")
        assert store.get_open_notification("id:pos-1") is None

    def test_entries_for_notification_in_order(self, store: Any) -> None:
        store.claim(entry("a"), lease_seconds=60, now=NOW)
        store.claim(entry("b"), lease_seconds=60, now=NOW)
        store.claim(entry("c"), lease_seconds=60, now=NOW)
        later = NOW + timedelta(hours=1)
        store.finish("b", Outcome.UPDATED, now=later, reason="repeat", notification_number="1001")
        store.finish("a", Outcome.NOTIFIED, now=NOW, reason="created", notification_number="1001")
        store.finish("c", Outcome.NOTIFIED, now=NOW, notification_number="2002")
        entries = store.entries_for_notification("1001")
        assert [item.record_key for item in entries] == ["a", "b"]
        assert entries[1].reason == "repeat"

    def test_entries_for_unknown_notification_empty(self, store: Any) -> None:
        assert store.entries_for_notification("404") == []

    def test_measurement_history_replaced(self, store: Any) -> None:
        assert store.get_measurement_history("p") is None
        store.save_measurement_history(StoredHistory("p", NOW, '{"samples": [1]}'))
        newer = StoredHistory("p", NOW + timedelta(hours=1), '{"samples": [1, 2]}')
        store.save_measurement_history(newer)
        assert store.get_measurement_history("p") == newer

    def test_latest_measurement_keeps_newest(self, store: Any) -> None:
        store.save_latest_measurement(LatestMeasurement("p", NOW, "new"))
        store.save_latest_measurement(LatestMeasurement("p", NOW - timedelta(hours=1), "old"))
        latest = store.get_latest_measurement("p")
        assert latest is not None
        assert latest.snapshot == "new"

    def test_unmapped_positions_counted(self, store: Any) -> None:
        position = PositionRef("P", "S", "A", "Motor DE", sensor_id="abc")
        store.note_unmapped(position, seen_at=NOW)
        store.note_unmapped(position, seen_at=NOW + timedelta(hours=1))
        [unmapped] = store.unmapped_positions()
        assert unmapped.position == position
        assert unmapped.records == 2
        assert unmapped.last_seen == NOW + timedelta(hours=1)

    def test_mapping_replace_and_upsert(self, store: Any) -> None:
        first = pump_mapping()
        store.replace_all([first])
        store.upsert([pump_mapping(technical_object="99")])
        assert [e.technical_object for e in store.all()] == ["99"]
        assert store.get_many([first.key, "missing"]) == {
            first.key: pump_mapping(technical_object="99")
        }

    def test_recent_filtered_by_status(self, store: Any) -> None:
        store.record(entry("a", Outcome.SKIPPED))
        store.record(entry("b", Outcome.INVALID))
        recent = store.recent(10, [Outcome.INVALID, Outcome.NOTIFIED])
        assert [item.record_key for item in recent] == ["b"]

    def test_disconnect_cycle(self, store: Any) -> None:
        item = PendingDisconnect("sensor:abc", NOW, "sensorDisconnected:1", "{}")
        store.save_disconnect(item)
        assert store.due_disconnects(NOW - timedelta(minutes=1)) == []
        assert store.due_disconnects(NOW) == [item]
        store.clear_disconnect("sensor:abc", until=NOW - timedelta(minutes=1))
        assert store.due_disconnects(NOW) == [item]
        store.clear_disconnect("sensor:abc", until=NOW)
        assert store.due_disconnects(NOW + timedelta(days=1)) == []

    def test_later_disconnect_kept(self, store: Any) -> None:
        later = PendingDisconnect("sensor:abc", NOW + timedelta(hours=1), "k2", "{}")
        store.save_disconnect(later)
        store.save_disconnect(PendingDisconnect("sensor:abc", NOW, "k1", "{}"))
        assert store.due_disconnects(NOW + timedelta(days=1)) == [later]
