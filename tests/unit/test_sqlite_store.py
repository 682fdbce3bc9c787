"""The SQLite adapter of the ledger and mapping ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitron_sap.assets.model import PositionRef
from monitron_sap.errors import StoreUnavailableError
from monitron_sap.store.ports import (
    ClaimStatus,
    LatestMeasurement,
    LedgerEntry,
    OpenNotification,
    Outcome,
)
from monitron_sap.store.sqlite import SqliteStore
from tests.builders import pump_mapping

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def entry(
    key: str = "assetStateTransition:1", status: Outcome = Outcome.IN_PROGRESS
) -> LedgerEntry:
    return LedgerEntry(key, "export.jsonl", 0, status, NOW, NOW, payload='{"eventId": "1"}')


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "ledger.sqlite3")


def test_first_claim_claimed(store: SqliteStore) -> None:
    claim = store.claim(entry(), lease_seconds=60, now=NOW)
    assert claim.status == ClaimStatus.CLAIMED
    stored = store.get("assetStateTransition:1")
    assert stored is not None
    assert stored.status == Outcome.IN_PROGRESS
    assert stored.attempts == 1


def test_fresh_claim_busy(store: SqliteStore) -> None:
    store.claim(entry(), lease_seconds=60, now=NOW)
    claim = store.claim(entry(), lease_seconds=60, now=NOW + timedelta(seconds=59))
    assert claim.status == ClaimStatus.BUSY


def test_expired_claim_taken_over(store: SqliteStore) -> None:
    store.claim(entry(), lease_seconds=60, now=NOW)
    later = NOW + timedelta(seconds=61)
    claim = store.claim(entry(), lease_seconds=60, now=later)
    assert claim.status == ClaimStatus.TAKEN_OVER
    stored = store.get("assetStateTransition:1")
    assert stored is not None
    assert stored.claimed_at == later
    assert stored.attempts == 2


def test_finished_claim_done(store: SqliteStore) -> None:
    store.claim(entry(), lease_seconds=60, now=NOW)
    store.finish("assetStateTransition:1", Outcome.NOTIFIED, now=NOW, notification_number="1001")
    claim = store.claim(entry(), lease_seconds=0, now=NOW + timedelta(days=1))
    assert claim.status == ClaimStatus.DONE
    assert claim.previous is not None
    assert claim.previous.notification_number == "1001"


@pytest.mark.parametrize("outcome", [Outcome.DEAD_LETTER, Outcome.FAILED])
def test_failed_claim_retried(store: SqliteStore, outcome: Outcome) -> None:
    store.claim(entry(), lease_seconds=60, now=NOW)
    store.finish("assetStateTransition:1", outcome, now=NOW, error="SAP 503")
    claim = store.claim(entry(), lease_seconds=60, now=NOW)
    assert claim.status == ClaimStatus.RETRY


def test_dead_letters_listed(store: SqliteStore) -> None:
    store.claim(entry("a"), lease_seconds=60, now=NOW)
    store.claim(entry("b"), lease_seconds=60, now=NOW)
    store.finish("a", Outcome.DEAD_LETTER, now=NOW, error="SAP 503")
    store.finish("b", Outcome.NOTIFIED, now=NOW)
    letters = store.dead_letters()
    assert [letter.record_key for letter in letters] == ["a"]
    assert letters[0].payload == '{"eventId": "1"}'
    assert letters[0].error == "SAP 503"


def test_record_keeps_existing(store: SqliteStore) -> None:
    assert store.record(entry("k", Outcome.SKIPPED)) is True
    assert store.record(entry("k", Outcome.INVALID)) is False
    stored = store.get("k")
    assert stored is not None
    assert stored.status == Outcome.SKIPPED


def test_counts_and_recent(store: SqliteStore) -> None:
    store.record(entry("a", Outcome.SKIPPED))
    store.record(entry("b", Outcome.SKIPPED))
    store.record(entry("c", Outcome.INVALID))
    assert store.counts() == {Outcome.SKIPPED: 2, Outcome.INVALID: 1}
    assert len(store.recent(2)) == 2


def test_open_notification_cycle(store: SqliteStore) -> None:
    item = OpenNotification("id:pos-1", "1001", "ALARM", "k", NOW, "2")
    store.set_open_notification(item)
    assert store.get_open_notification("id:pos-1") == item
    store.clear_open_notification("id:pos-1", "9999")
    assert store.get_open_notification("id:pos-1") == item
    store.clear_open_notification("id:pos-1", "1001")
    assert store.get_open_notification("id:pos-1") is None


def test_latest_measurement_keeps_newest(store: SqliteStore) -> None:
    store.save_latest_measurement(LatestMeasurement("p", NOW, "new"))
    store.save_latest_measurement(LatestMeasurement("p", NOW - timedelta(hours=1), "old"))
    latest = store.get_latest_measurement("p")
    assert latest is not None
    assert latest.snapshot == "new"


def test_unmapped_positions_counted(store: SqliteStore) -> None:
    position = PositionRef("P", "S", "A", "Motor DE", sensor_id="abc")
    store.note_unmapped(position, seen_at=NOW)
    store.note_unmapped(position, seen_at=NOW + timedelta(hours=1))
    [unmapped] = store.unmapped_positions()
    assert unmapped.position == position
    assert unmapped.records == 2
    assert unmapped.last_seen == NOW + timedelta(hours=1)


def test_mapping_replace_and_upsert(store: SqliteStore) -> None:
    first = pump_mapping()
    store.replace_all([first])
    store.upsert([pump_mapping(technical_object="99")])
    assert [e.technical_object for e in store.all()] == ["99"]
    assert store.get_many([first.key, "missing"]) == {
        first.key: pump_mapping(technical_object="99")
    }


def test_ledger_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with SqliteStore(path) as store:
        store.record(entry("k", Outcome.SKIPPED))
    with SqliteStore(path) as reopened:
        assert reopened.get("k") is not None


def test_unusable_path_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreUnavailableError) as caught:
        SqliteStore(blocker / "ledger.sqlite3")
    assert "ledger.sqlite3" in str(caught.value)


def test_naive_timestamp_rejected(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="time zone"):
        store.save_latest_measurement(LatestMeasurement("p", datetime(2026, 1, 1), "x"))


def test_batched_write_lost_without_commit(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    store = SqliteStore(path)
    store.record(entry("skipped", Outcome.SKIPPED))
    store.close(commit=False)
    with SqliteStore(path) as reopened:
        assert reopened.get("skipped") is None


def test_claim_commits_batched_writes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    store = SqliteStore(path)
    store.record(entry("skipped", Outcome.SKIPPED))
    store.claim(entry("claimed"), lease_seconds=60, now=NOW)
    store.close(commit=False)
    with SqliteStore(path) as reopened:
        assert reopened.get("skipped") is not None
        assert reopened.get("claimed") is not None


def test_second_connection_sees_flushed_writes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with SqliteStore(path) as writer:
        writer.record(entry("skipped", Outcome.SKIPPED))
        writer.flush()
        with SqliteStore(path) as reader:
            assert reader.get("skipped") is not None


def test_recent_filtered_by_status(store: SqliteStore) -> None:
    store.record(entry("a", Outcome.SKIPPED))
    store.record(entry("b", Outcome.INVALID))
    recent = store.recent(10, [Outcome.INVALID, Outcome.NOTIFIED])
    assert [item.record_key for item in recent] == ["b"]
