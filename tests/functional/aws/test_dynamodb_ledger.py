"""The DynamoDB ledger against moto in server mode, over HTTP."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from monitron_sap.assets.model import PositionRef
from monitron_sap.errors import ConfigurationError, MonitronSapError
from monitron_sap.store.dynamodb import DEFAULT_TTL_DAYS, DynamoLedgerStore
from monitron_sap.store.dynamodb_common import (
    LEDGER_TTL_ATTRIBUTE,
    create_ledger_table,
    make_dynamodb_client,
)
from monitron_sap.store.ports import (
    ClaimStatus,
    LatestMeasurement,
    LedgerEntry,
    LedgerStore,
    OpenNotification,
    Outcome,
    PendingDisconnect,
)
from tests.moto_server import REGION, unique_name

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
LEASE = 300.0


def make_entry(key: str = "measurement:e-1", status: Outcome = Outcome.IN_PROGRESS) -> LedgerEntry:
    return LedgerEntry(
        record_key=key,
        source="s3://bucket/project=P/file.json",
        offset=0,
        status=status,
        claimed_at=NOW,
        updated_at=NOW,
        event_id="e-1",
        event_type="measurement",
        payload='{"eventId": "e-1"}',
    )


@pytest.fixture
def table_name(moto_endpoint: str) -> str:
    name = unique_name("ledger")
    create_ledger_table(make_dynamodb_client(endpoint_url=moto_endpoint, region_name=REGION), name)
    return name


@pytest.fixture
def ledger(moto_endpoint: str, table_name: str) -> DynamoLedgerStore:
    client = make_dynamodb_client(endpoint_url=moto_endpoint, region_name=REGION)
    return DynamoLedgerStore(client, table_name)


def test_claim_new_record(ledger: DynamoLedgerStore) -> None:
    claim = ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW)

    assert claim.status is ClaimStatus.CLAIMED
    stored = ledger.get("measurement:e-1")
    assert stored is not None
    assert stored.status is Outcome.IN_PROGRESS
    assert stored.attempts == 1
    assert stored.payload == '{"eventId": "e-1"}'


def test_claim_held_record_is_busy(ledger: DynamoLedgerStore) -> None:
    ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW)

    claim = ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW + timedelta(seconds=10))

    assert claim.status is ClaimStatus.BUSY


def test_claim_finished_record_is_done(ledger: DynamoLedgerStore) -> None:
    ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW)
    ledger.finish("measurement:e-1", Outcome.NOTIFIED, now=NOW, notification_number="10000042")

    claim = ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW + timedelta(hours=1))

    assert claim.status is ClaimStatus.DONE
    assert claim.previous is not None
    assert claim.previous.notification_number == "10000042"


def test_claim_expired_lease_is_taken_over(ledger: DynamoLedgerStore) -> None:
    ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW)
    later = NOW + timedelta(seconds=LEASE + 1)

    first = ledger.claim(make_entry(), lease_seconds=LEASE, now=later)
    second = ledger.claim(make_entry(), lease_seconds=LEASE, now=later)

    assert first.status is ClaimStatus.TAKEN_OVER
    assert second.status is ClaimStatus.BUSY
    stored = ledger.get("measurement:e-1")
    assert stored is not None
    assert stored.claimed_at == later
    assert stored.attempts == 2


def test_takeover_with_stale_claim_time_loses(ledger: DynamoLedgerStore) -> None:
    ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW)
    stale = ledger.get("measurement:e-1")
    assert stale is not None
    later = NOW + timedelta(seconds=LEASE + 1)
    assert ledger.claim(make_entry(), lease_seconds=LEASE, now=later).status is (
        ClaimStatus.TAKEN_OVER
    )

    # A second worker that read the item before the takeover must not take it over as well.
    claim = ledger._take_over(stale, ClaimStatus.TAKEN_OVER, later, None)

    assert claim.status is ClaimStatus.BUSY


def test_claim_after_dead_letter_is_retry(ledger: DynamoLedgerStore) -> None:
    ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW)
    ledger.finish("measurement:e-1", Outcome.DEAD_LETTER, now=NOW, error="SAP returned 503")

    claim = ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW + timedelta(minutes=1))
    ledger.finish("measurement:e-1", Outcome.NOTIFIED, now=NOW, notification_number="10000043")

    assert claim.status is ClaimStatus.RETRY
    assert claim.previous is not None
    assert claim.previous.error == "SAP returned 503"
    stored = ledger.get("measurement:e-1")
    assert stored is not None
    assert stored.status is Outcome.NOTIFIED
    assert stored.attempts == 2
    assert stored.error is None
    assert stored.notification_number == "10000043"


def test_concurrent_claims_have_one_winner(moto_endpoint: str, table_name: str) -> None:
    workers = 8
    barrier = threading.Barrier(workers)
    results: list[ClaimStatus] = []
    lock = threading.Lock()

    def claim_once() -> None:
        client = make_dynamodb_client(endpoint_url=moto_endpoint, region_name=REGION)
        store = DynamoLedgerStore(client, table_name)
        barrier.wait()
        claim = store.claim(make_entry("measurement:race"), lease_seconds=LEASE, now=NOW)
        with lock:
            results.append(claim.status)

    threads = [threading.Thread(target=claim_once) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == workers
    assert results.count(ClaimStatus.CLAIMED) == 1
    assert results.count(ClaimStatus.BUSY) == workers - 1


def test_finish_sets_ttl_on_final_outcome(
    ledger: DynamoLedgerStore, moto_endpoint: str, table_name: str
) -> None:
    ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW)
    ledger.finish("measurement:e-1", Outcome.CORRELATED, now=NOW, reason="open 10000001")

    client = make_dynamodb_client(endpoint_url=moto_endpoint, region_name=REGION)
    item = client.get_item(TableName=table_name, Key={"pk": {"S": "record#measurement:e-1"}})
    expected = int((NOW + timedelta(days=DEFAULT_TTL_DAYS)).timestamp())
    assert item["Item"][LEDGER_TTL_ATTRIBUTE] == {"N": str(expected)}


def test_finish_dead_letter_has_no_ttl(
    ledger: DynamoLedgerStore, moto_endpoint: str, table_name: str
) -> None:
    ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW)
    ledger.finish("measurement:e-1", Outcome.DEAD_LETTER, now=NOW, error="timed out")

    client = make_dynamodb_client(endpoint_url=moto_endpoint, region_name=REGION)
    item = client.get_item(TableName=table_name, Key={"pk": {"S": "record#measurement:e-1"}})
    assert LEDGER_TTL_ATTRIBUTE not in item["Item"]


def test_finish_without_claim_raises(ledger: DynamoLedgerStore) -> None:
    with pytest.raises(MonitronSapError) as raised:
        ledger.finish("measurement:never", Outcome.NOTIFIED, now=NOW)

    assert "no claim" in str(raised.value)


def test_record_keeps_earlier_notification(ledger: DynamoLedgerStore) -> None:
    ledger.claim(make_entry(), lease_seconds=LEASE, now=NOW)
    ledger.finish("measurement:e-1", Outcome.NOTIFIED, now=NOW, notification_number="10000042")

    written = ledger.record(make_entry(status=Outcome.SKIPPED))

    assert written is False
    stored = ledger.get("measurement:e-1")
    assert stored is not None
    assert stored.status is Outcome.NOTIFIED


def test_record_writes_invalid_entry(ledger: DynamoLedgerStore) -> None:
    written = ledger.record(make_entry("invalid:s3://b/k:0", status=Outcome.INVALID))

    assert written is True
    stored = ledger.get("invalid:s3://b/k:0")
    assert stored is not None
    assert stored.status is Outcome.INVALID


def test_dead_letters_counts_and_recent(ledger: DynamoLedgerStore) -> None:
    for index in range(3):
        key = f"measurement:d-{index}"
        moment = NOW + timedelta(minutes=index)
        ledger.claim(make_entry(key), lease_seconds=LEASE, now=moment)
        ledger.finish(key, Outcome.DEAD_LETTER, now=moment, error="SAP unavailable")
    ledger.claim(make_entry("measurement:n-1"), lease_seconds=LEASE, now=NOW)
    ledger.finish("measurement:n-1", Outcome.NOTIFIED, now=NOW + timedelta(hours=1))

    dead = ledger.dead_letters(limit=2)
    counts = ledger.counts()
    recent = ledger.recent(limit=2)

    assert [entry.record_key for entry in dead] == ["measurement:d-0", "measurement:d-1"]
    assert counts == {Outcome.DEAD_LETTER: 3, Outcome.NOTIFIED: 1}
    assert [entry.record_key for entry in recent] == ["measurement:n-1", "measurement:d-2"]


def test_open_notification_round_trip(ledger: DynamoLedgerStore) -> None:
    item = OpenNotification("path:P\x1fS\x1fA\x1fX", "10000042", "ALARM", "measurement:e-1", NOW)

    ledger.set_open_notification(item)
    stored = ledger.get_open_notification(item.position_key)
    ledger.clear_open_notification(item.position_key, "10000099")
    kept = ledger.get_open_notification(item.position_key)
    ledger.clear_open_notification(item.position_key, "10000042")
    cleared = ledger.get_open_notification(item.position_key)

    assert stored == item
    assert kept == item
    assert cleared is None


def test_open_notification_not_counted(ledger: DynamoLedgerStore) -> None:
    ledger.set_open_notification(OpenNotification("p", "10000042", "ALARM", "k", NOW))

    assert ledger.counts() == {}


def test_missing_table_is_configuration_error(moto_endpoint: str) -> None:
    client = make_dynamodb_client(endpoint_url=moto_endpoint, region_name=REGION)
    ledger = DynamoLedgerStore(client, "no-such-table")

    with pytest.raises(ConfigurationError) as raised:
        ledger.get("measurement:e-1")

    assert "no-such-table" in str(raised.value)


def test_store_implements_ports(ledger: DynamoLedgerStore) -> None:
    port: LedgerStore = ledger

    assert port.get("measurement:none") is None


def test_latest_measurement_keeps_newest(ledger: DynamoLedgerStore) -> None:
    newer = LatestMeasurement("p1", NOW, '{"rms": 2}')
    older = LatestMeasurement("p1", NOW - timedelta(hours=1), '{"rms": 1}')

    ledger.save_latest_measurement(newer)
    ledger.save_latest_measurement(older)

    assert ledger.get_latest_measurement("p1") == newer
    assert ledger.get_latest_measurement("p2") is None


def test_unmapped_positions_counted(ledger: DynamoLedgerStore) -> None:
    pump = PositionRef(project="P", site="S", asset="Pump 7", position="Motor")
    fan = PositionRef(project="P", site="S", asset="Fan", position="Drive", sensor_id="s-9")

    ledger.note_unmapped(pump, seen_at=NOW)
    ledger.note_unmapped(pump, seen_at=NOW - timedelta(hours=2))
    ledger.note_unmapped(fan, seen_at=NOW + timedelta(hours=1))
    positions = ledger.unmapped_positions()

    assert [item.position for item in positions] == [fan, pump]
    assert positions[1].records == 2
    assert positions[1].first_seen == NOW - timedelta(hours=2)
    assert positions[1].last_seen == NOW
    assert ledger.counts() == {}


def test_recent_filters_statuses(ledger: DynamoLedgerStore) -> None:
    ledger.record(make_entry("measurement:s-1", status=Outcome.SKIPPED))
    ledger.claim(make_entry("measurement:n-2"), lease_seconds=LEASE, now=NOW)
    ledger.finish("measurement:n-2", Outcome.NOTIFIED, now=NOW + timedelta(minutes=1))

    recent = ledger.recent(statuses=[Outcome.SKIPPED])

    assert [entry.record_key for entry in recent] == ["measurement:s-1"]


def test_disconnects_due_and_cleared(ledger: DynamoLedgerStore) -> None:
    sensor = PendingDisconnect("sensor:s-1", NOW, "sensorDisconnected:d1", '{"eventId": "d1"}')
    gateway = PendingDisconnect(
        "gateway:g-1", NOW + timedelta(hours=1), "gatewayDisconnected:d2", "{}"
    )
    older = PendingDisconnect("sensor:s-1", NOW - timedelta(hours=1), "sensorDisconnected:d0", "{}")

    ledger.save_disconnect(sensor)
    ledger.save_disconnect(gateway)
    ledger.save_disconnect(older)
    due = ledger.due_disconnects(NOW + timedelta(minutes=30))
    ledger.clear_disconnect("sensor:s-1", until=NOW - timedelta(minutes=1))
    kept = ledger.due_disconnects(NOW + timedelta(hours=2))
    ledger.clear_disconnect("sensor:s-1", until=NOW)
    cleared = ledger.due_disconnects(NOW + timedelta(hours=2))

    assert due == [sensor]
    assert kept == [sensor, gateway]
    assert cleared == [gateway]
    assert ledger.counts() == {}
