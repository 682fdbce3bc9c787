"""The pipeline against the real SQLite store and an in-memory SAP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitron_sap.errors import InputError, SapUnavailableError
from monitron_sap.events import read_bytes
from monitron_sap.events.model import RecordError, SourceRef
from monitron_sap.pipeline import Pipeline, RetryPolicy, external_reference
from monitron_sap.rules import RuleSettings
from monitron_sap.store.ports import Outcome
from monitron_sap.store.sqlite import SqliteStore
from tests.builders import measurement, pump_mapping, transition
from tests.crash import CrashingProxy, SimulatedCrash
from tests.unit.fake_sap import FakeSap

NO_WAIT = RetryPolicy(max_attempts=3, backoff_base_seconds=0.0)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(db_path) as store:
        store.replace_all([pump_mapping()])
        yield store


@pytest.fixture
def sap() -> FakeSap:
    return FakeSap()


def make_pipeline(
    store: object, sap: object, clock: Clock | None = None, rules: RuleSettings | None = None
) -> Pipeline:
    return Pipeline(
        ledger=store,  # type: ignore[arg-type]
        mappings=store,  # type: ignore[arg-type]
        sap=sap,  # type: ignore[arg-type]
        rules=rules,
        retry=NO_WAIT,
        lease_seconds=60,
        clock=clock or Clock(),
        sleep=lambda seconds: None,
    )


def test_alarm_creates_one_notification(store: SqliteStore, sap: FakeSap) -> None:
    summary = make_pipeline(store, sap).process([measurement("m1"), transition("t1", "ALARM")])
    assert summary.notified == 1
    assert summary.skipped["measurement"] == 1
    [draft] = sap.drafts.values()
    assert draft.technical_object == "10000101"
    assert draft.notification_type == "M2"
    assert draft.priority == "2"
    assert draft.external_reference == external_reference("assetStateTransition:t1")
    assert draft.text == "Pump P-101 Motor DE: Alarm"
    assert "Velocity 10-1000 Hz RMS: 4.5 mm/s" in (draft.long_text or "")


def test_warning_uses_warning_type_and_low_priority(store: SqliteStore, sap: FakeSap) -> None:
    make_pipeline(store, sap).process([transition("t1", "WARNING")])
    [draft] = sap.drafts.values()
    assert draft.notification_type == "M1"
    assert draft.priority == "4"


def test_mapping_priority_overrides_default(store: SqliteStore, sap: FakeSap) -> None:
    store.replace_all([pump_mapping(priority_alarm="1")])
    make_pipeline(store, sap).process([transition("t1", "ALARM")])
    [draft] = sap.drafts.values()
    assert draft.priority == "1"


def test_same_input_twice_creates_nothing_new(store: SqliteStore, sap: FakeSap) -> None:
    events = [transition("t1", "ALARM"), measurement("m1")]
    make_pipeline(store, sap).process(events)
    second = make_pipeline(store, sap).process(events)
    assert len(sap.notifications) == 1
    assert second.already_done == 2
    assert second.notified == 0


def test_second_alert_updates_open_one(store: SqliteStore, sap: FakeSap) -> None:
    summary = make_pipeline(store, sap).process(
        [transition("t1", "ALARM"), transition("t2", "NEEDS_MAINTENANCE", "ALARM", minutes=5)]
    )
    assert len(sap.notifications) == 1
    assert summary.updated == 1
    entry = store.get("assetStateTransition:t2")
    assert entry is not None
    assert entry.status == Outcome.UPDATED
    assert entry.notification_number == next(iter(sap.notifications))


def test_escalation_raises_priority(store: SqliteStore, sap: FakeSap) -> None:
    summary = make_pipeline(store, sap).process(
        [transition("t1", "WARNING"), transition("t2", "ALARM", "WARNING", minutes=5)]
    )
    assert summary.updated == 1
    [notification] = sap.notifications.values()
    assert notification.priority == "2"
    assert len(sap.notifications) == 1


def test_completed_notification_allows_new_one(store: SqliteStore, sap: FakeSap) -> None:
    pipeline = make_pipeline(store, sap)
    pipeline.process([transition("t1", "ALARM")])
    [number] = sap.notifications
    sap.complete(number, reference_time=datetime.now(UTC))
    summary = pipeline.process([transition("t2", "ALARM", "HEALTHY", minutes=60)])
    assert summary.notified == 1
    assert len(sap.notifications) == 2


def test_complete_on_healthy(store: SqliteStore, sap: FakeSap) -> None:
    rules = RuleSettings(complete_on_healthy=True)
    pipeline = make_pipeline(store, sap, rules=rules)
    pipeline.process([transition("t1", "ALARM")])
    summary = pipeline.process([transition("t2", "HEALTHY", "ALARM", minutes=60)])
    assert summary.updated == 1
    [notification] = sap.notifications.values()
    assert not notification.is_open
    assert store.get_open_notification("id:pos-a1b2c3d40101") is None


def test_unmapped_position_skipped_and_noted(store: SqliteStore, sap: FakeSap) -> None:
    event = transition("t1", "ALARM", site="Plant Oslo", position_id="pos-x", sensor_id="x1")
    summary = make_pipeline(store, sap).process([event])
    assert summary.skipped["no_mapping"] == 1
    assert sap.calls == []
    entry = store.get("assetStateTransition:t1")
    assert entry is not None
    assert "Plant Oslo" in (entry.reason or "")
    [unmapped] = store.unmapped_positions()
    assert unmapped.position.site == "Plant Oslo"


def test_invalid_record_in_ledger(store: SqliteStore, sap: FakeSap) -> None:
    error = RecordError(SourceRef("bad.jsonl", 120, 3), "invalid JSON: Expecting value")
    summary = make_pipeline(store, sap).process([error, transition("t1", "ALARM")])
    assert summary.invalid == 1
    assert summary.notified == 1
    assert not summary.ok
    entry = store.get("bad.jsonl@120")
    assert entry is not None
    assert entry.status == Outcome.INVALID
    assert "bad.jsonl:3" in (entry.error or "")


def test_transient_failure_retried(store: SqliteStore, sap: FakeSap) -> None:
    sap.fail_next = [SapUnavailableError("timed out")]
    summary = make_pipeline(store, sap).process([transition("t1", "ALARM")])
    assert summary.notified == 1
    assert len(sap.notifications) == 1


def test_lost_create_response_looked_up(store: SqliteStore, sap: FakeSap) -> None:
    sap.lose_create_responses = 1
    summary = make_pipeline(store, sap).process([transition("t1", "ALARM")])
    assert summary.notified == 1
    assert len(sap.notifications) == 1
    assert sap.calls == ["create", "find_by_external_reference"]


def test_sap_down_dead_letters_then_replay(store: SqliteStore, sap: FakeSap) -> None:
    events = [transition("t1", "ALARM"), transition("t2", "ALARM", position_id="pos-2")]
    store.upsert([pump_mapping(asset_position_id="pos-2")])
    sap.down = True
    summary = make_pipeline(store, sap).process(events)
    assert summary.dead_lettered == 2
    assert len(store.dead_letters()) == 2

    sap.down = False
    by_key = {event.record_key: event for event in events}
    replayed = make_pipeline(store, sap).replay_dead_letters(lambda e: by_key[e.record_key])
    assert replayed.notified == 2
    assert store.dead_letters() == []
    again = make_pipeline(store, sap).replay_dead_letters(lambda e: by_key[e.record_key])
    assert again.read == 0
    assert len(sap.notifications) == 2


def test_fail_fast_while_sap_down(store: SqliteStore, sap: FakeSap) -> None:
    events = [transition(f"t{i}", "ALARM", position_id=f"pos-{i}") for i in range(6)]
    store.upsert([pump_mapping(asset_position_id=f"pos-{i}") for i in range(6)])
    sap.down = True
    make_pipeline(store, sap).process(events)
    # Three records with three attempts each, then one attempt each.
    assert len(sap.calls) == 3 * 3 + 3 * 1


def test_rejected_create_failed(store: SqliteStore, sap: FakeSap) -> None:
    sap.reject_creates = True
    summary = make_pipeline(store, sap).process([transition("t1", "ALARM")])
    assert summary.failed == 1
    assert "technical object does not exist" in summary.problems[0]


@pytest.mark.parametrize(
    ("target", "method", "after"),
    [
        ("sap", "create", False),  # after the claim, before SAP
        ("sap", "create", True),  # SAP created it, the response never arrived
        ("store", "set_open_notification", True),  # before the outcome was recorded
        ("store", "finish", False),  # everything but the outcome
    ],
)
def test_crash_then_rerun(
    db_path: Path, store: SqliteStore, sap: FakeSap, target: str, method: str, after: bool
) -> None:
    events = [transition("t1", "ALARM")]
    clock = Clock()
    crashing_sap = CrashingProxy(sap, method, after=after) if target == "sap" else sap
    crashing_store = CrashingProxy(store, method, after=after) if target == "store" else store
    with pytest.raises(SimulatedCrash):
        make_pipeline(crashing_store, crashing_sap, clock).process(events)
    store.close(commit=False)  # the process died: its uncommitted writes are gone

    clock.now += timedelta(seconds=61)
    with SqliteStore(db_path) as fresh_store:
        summary = make_pipeline(fresh_store, sap, clock).process(events)
        entry = fresh_store.get("assetStateTransition:t1")
    assert summary.notified == 1
    assert len(sap.notifications) == 1
    assert entry is not None
    assert entry.notification_number == next(iter(sap.notifications))


def test_rerun_within_lease_busy(store: SqliteStore, sap: FakeSap) -> None:
    events = [transition("t1", "ALARM")]
    clock = Clock()
    with pytest.raises(SimulatedCrash):
        make_pipeline(store, CrashingProxy(sap, "create", after=False), clock).process(events)
    summary = make_pipeline(store, sap, clock).process(events)
    assert summary.busy == 1
    assert not summary.ok
    assert sap.notifications == {}


def test_unsendable_value_failed(store: SqliteStore, sap: FakeSap) -> None:
    sap.fail_next = [InputError("priority '12' is longer than 1 character")]
    summary = make_pipeline(store, sap).process([transition("t1", "ALARM")])
    assert summary.failed == 1
    assert "cannot be sent to SAP" in summary.problems[0]


def test_invalid_record_reported_every_run(store: SqliteStore, sap: FakeSap) -> None:
    error = RecordError(SourceRef("bad.jsonl", 120, 3), "invalid JSON: Expecting value")
    make_pipeline(store, sap).process([error])
    second = make_pipeline(store, sap).process([error])
    assert second.invalid == 1
    assert second.already_done == 0
    assert not second.ok


def test_deleted_open_notification_replaced(store: SqliteStore, sap: FakeSap) -> None:
    pipeline = make_pipeline(store, sap)
    pipeline.process([transition("t1", "ALARM")])
    sap.notifications.clear()
    summary = pipeline.process([transition("t2", "ALARM", "HEALTHY", minutes=60)])
    assert summary.notified == 1
    assert len(sap.notifications) == 1


def test_unmapped_alert_notified_after_mapping_added(store: SqliteStore, sap: FakeSap) -> None:
    event = transition("t1", "ALARM", site="Plant Oslo", position_id="pos-x", sensor_id="x1")
    make_pipeline(store, sap).process([event])
    store.upsert([pump_mapping(site="Plant Oslo")])
    rerun = make_pipeline(store, sap).process([event])
    assert rerun.notified == 1
    again = make_pipeline(store, sap).process([event])
    assert again.already_done == 1
    assert len(sap.notifications) == 1


def test_wrong_nested_type_is_invalid_record(store: SqliteStore, sap: FakeSap) -> None:
    def record(event_id: str, temperature: object) -> dict[str, object]:
        return {
            "timestamp": "2026-03-05 10:00:00.000",
            "eventId": event_id,
            "version": "2.0",
            "projectName": "Northwind Bottling",
            "eventType": "measurement",
            "eventPayload": {
                "siteName": "Plant Hamburg",
                "assetName": "Pump P-101",
                "positionName": "Motor DE",
                "features": {"temperature": temperature},
            },
        }

    lines = [record("a", 41.0), record("b", "hot"), record("c", 42.0)]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()

    summary = make_pipeline(store, sap).process(read_bytes(data, "nested.jsonl"))

    assert summary.invalid == 1
    assert summary.skipped["measurement"] == 2
    [entry] = [entry for entry in store.recent(10) if entry.status == Outcome.INVALID]
    assert entry.source == "nested.jsonl"
    assert "temperature" in (entry.error or entry.reason or "")


def test_deeply_nested_alert_does_not_crash(store: SqliteStore, sap: FakeSap) -> None:
    depth = 1000
    record = {
        "timestamp": "2026-03-05 10:00:00.000",
        "eventId": "deep",
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
    text = json.dumps(record)
    unknown = '"unknownField":' + "[" * depth + "]" * depth + ","
    data = text.replace('"eventPayload": {', '"eventPayload": {' + unknown, 1).encode()

    summary = make_pipeline(store, sap).process(read_bytes(data + b"\n", "deep.jsonl"))

    assert summary.notified == 1
    assert len(sap.drafts) == 1


def test_lone_surrogate_record_is_invalid(store: SqliteStore, sap: FakeSap) -> None:
    def alert(event_id: str, asset: str) -> str:
        record = {
            "timestamp": "2026-03-05 10:00:00.000",
            "eventId": event_id,
            "version": "2.0",
            "projectName": "Northwind Bottling",
            "eventType": "assetStateTransition",
            "eventPayload": {
                "siteName": "Plant Hamburg",
                "assetName": asset,
                "positionName": "Motor DE",
                "assetState": {"newState": "ALARM", "previousState": "HEALTHY"},
            },
        }
        return json.dumps(record)

    bad = alert("bad", "Pump P-101").replace("Pump P-101", "Pump \\ud800")
    data = "\n".join([bad, alert("good", "Pump P-101")]).encode() + b"\n"

    summary = make_pipeline(store, sap).process(read_bytes(data, "surrogate.jsonl"))

    assert summary.invalid == 1
    assert summary.notified == 1
