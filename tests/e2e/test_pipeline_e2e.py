"""The pipeline through the reader, the real SAP client and the emulator over HTTP."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitron_sap.config import SapSettings
from monitron_sap.emulator import EmulatorServer
from monitron_sap.events.reader import read_paths
from monitron_sap.pipeline import Pipeline, RetryPolicy, RunSummary, external_reference
from monitron_sap.rules import RuleSettings
from monitron_sap.sap.models import Notification
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.store.ports import Outcome
from monitron_sap.store.sqlite import SqliteStore
from tests.crash import CrashingProxy, SimulatedCrash
from tests.e2e.conftest import open_client
from tests.e2e.records import v2_measurement, v2_sensor_event, v2_transition, write_jsonl
from tests.support import shared_path

NO_WAIT = RetryPolicy(max_attempts=2, backoff_base_seconds=0.0)
LEASE_SECONDS = 60.0


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make_pipeline(
    store: Any, sap: Any, clock: Clock | None = None, rules: RuleSettings | None = None
) -> Pipeline:
    return Pipeline(
        ledger=store,
        mappings=store,
        sap=sap,
        rules=rules,
        retry=NO_WAIT,
        lease_seconds=LEASE_SECONDS,
        clock=clock or Clock(),
        sleep=lambda seconds: None,
    )


def created_in_sap(client: NotificationClient, technical_object: str) -> list[Notification]:
    return client.find_by_technical_object(technical_object, open_only=False)


def test_one_notification_per_alert(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [
            v2_measurement("m1"),
            v2_transition("t1", "ALARM"),
            v2_transition(
                "t2",
                "WARNING",
                site="Plant Porto",
                asset="Conveyor CV-401",
                position="Gearbox Input",
                sensor="a1b2c3d40401",
            ),
        ],
    )
    summary = make_pipeline(store, client).process(read_paths([str(export)]))
    assert summary.notified == 2
    [pump] = created_in_sap(client, "10000101")
    [conveyor] = created_in_sap(client, "1020-PORTO-PROD")
    assert pump.external_reference == external_reference("assetStateTransition:t1")
    assert pump.notification_type == "M2"
    assert pump.priority == "2"
    assert pump.text == "Pump P-101 Motor DE: Alarm"
    assert conveyor.notification_type == "M1"
    assert conveyor.priority == "4"
    full = client.get(pump.number)
    assert "Velocity 10-1000 Hz RMS: 3.2 mm/s" in (full.long_text or "")
    assert "Temperature: 51.5 °C" in (full.long_text or "")


def test_same_export_twice_creates_nothing(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    export = write_jsonl(tmp_path / "export.jsonl", [v2_transition("t1", "ALARM")])
    make_pipeline(store, client).process(read_paths([str(export)]))
    second = make_pipeline(store, client).process(read_paths([str(export)]))
    assert second.already_done == 1
    assert len(created_in_sap(client, "10000101")) == 1


def test_v1_payload_without_change_creates_none(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    payload = shared_path("samples/seed/payload.json")
    summary = make_pipeline(store, client).process(read_paths([str(payload)]))
    assert summary.skipped["no_state_change"] == 1
    assert created_in_sap(client, "10000005") == []


def test_v1_payload_from_healthy_creates_one(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    record = json.loads(shared_path("samples/seed/payload.json").read_text(encoding="utf-8"))
    record["assetState"]["previousState"] = "HEALTHY"
    copy = tmp_path / "payload-from-healthy.json"
    copy.write_text(json.dumps(record, indent=2), encoding="utf-8")
    summary = make_pipeline(store, client).process(read_paths([str(copy)]))
    assert summary.notified == 1
    [notification] = created_in_sap(client, "10000005")
    assert notification.text == "Motor Left: Maintenance"
    assert notification.priority == "2"


def test_further_alert_appends_long_text(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [
            v2_transition("t1", "ALARM"),
            v2_transition("t2", "NEEDS_MAINTENANCE", "ALARM", timestamp="2026-01-06 09:00:00.000"),
        ],
    )
    summary = make_pipeline(store, client).process(read_paths([str(export)]))
    assert summary.updated == 1
    [notification] = created_in_sap(client, "10000101")
    entry = store.get("assetStateTransition:t2")
    assert entry is not None
    assert entry.status == Outcome.UPDATED
    assert entry.notification_number == notification.number
    long_text = client.get(notification.number).long_text or ""
    assert "Monitron update (2026-01-06 09:00:00 UTC): ALARM -> NEEDS_MAINTENANCE" in long_text


def test_further_alert_correlated_when_updates_off(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [
            v2_transition("t1", "ALARM"),
            v2_transition("t2", "NEEDS_MAINTENANCE", "ALARM", timestamp="2026-01-06 09:00:00.000"),
        ],
    )
    rules = RuleSettings(update_on_repeat=False)
    summary = make_pipeline(store, client, rules=rules).process(read_paths([str(export)]))
    assert summary.correlated == 1
    [notification] = created_in_sap(client, "10000101")
    entry = store.get("assetStateTransition:t2")
    assert entry is not None
    assert entry.status == Outcome.CORRELATED
    assert "Monitron update" not in (client.get(notification.number).long_text or "")


def test_escalation_updates_priority_in_sap(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [
            v2_transition("t1", "WARNING"),
            v2_transition("t2", "ALARM", "WARNING", timestamp="2026-01-06 09:00:00.000"),
        ],
    )
    summary = make_pipeline(store, client).process(read_paths([str(export)]))
    assert summary.updated == 1
    [notification] = created_in_sap(client, "10000101")
    assert notification.priority == "2"
    assert notification.text == "Pump P-101 Motor DE: Alarm"


@pytest.mark.parametrize(
    ("target", "method", "after"),
    [
        ("sap", "create", False),
        ("sap", "create", True),
        ("store", "set_open_notification", True),
        ("store", "finish", False),
        ("store", "finish", True),
    ],
)
def test_crash_then_rerun_no_duplicate_no_loss(
    tmp_path: Path,
    db_path: Path,
    sap_settings: SapSettings,
    target: str,
    method: str,
    after: bool,
) -> None:
    export = write_jsonl(tmp_path / "export.jsonl", [v2_transition("t1", "ALARM")])
    clock = Clock()
    with SqliteStore(db_path) as store, open_client(sap_settings) as client:
        crashing_sap = CrashingProxy(client, method, after=after) if target == "sap" else client
        crashing_store = CrashingProxy(store, method, after=after) if target == "store" else store
        with pytest.raises(SimulatedCrash):
            make_pipeline(crashing_store, crashing_sap, clock).process(read_paths([str(export)]))

    clock.now += timedelta(seconds=LEASE_SECONDS + 1)
    with SqliteStore(db_path) as store, open_client(sap_settings) as client:
        make_pipeline(store, client, clock).process(read_paths([str(export)]))
        entry = store.get("assetStateTransition:t1")
        in_sap = created_in_sap(client, "10000101")
    assert len(in_sap) == 1
    assert entry is not None
    assert entry.status == Outcome.NOTIFIED
    assert entry.notification_number == in_sap[0].number


def test_lost_create_response_no_duplicate(
    tmp_path: Path, emulator: EmulatorServer, store: SqliteStore, client: NotificationClient
) -> None:
    emulator.faults.drop_next_create_responses(1)
    export = write_jsonl(tmp_path / "export.jsonl", [v2_transition("t1", "ALARM")])
    summary = make_pipeline(store, client).process(read_paths([str(export)]))
    assert summary.notified == 1
    assert len(created_in_sap(client, "10000101")) == 1


def test_sap_down_then_dead_letters_replayed_once(
    tmp_path: Path, emulator: EmulatorServer, store: SqliteStore, client: NotificationClient
) -> None:
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [
            v2_transition("t1", "ALARM"),
            v2_transition(
                "t2",
                "ALARM",
                site="Plant Porto",
                asset="Conveyor CV-401",
                position="Gearbox Input",
                sensor="a1b2c3d40401",
            ),
        ],
    )
    emulator.faults.update(error_rate=1.0, error_status=503)
    down = make_pipeline(store, client).process(read_paths([str(export)]))
    assert down.dead_lettered == 2
    assert len(store.dead_letters()) == 2

    emulator.faults.reset()
    replayed = make_pipeline(store, client).replay_dead_letters()
    assert replayed.notified == 2
    again = make_pipeline(store, client).replay_dead_letters()
    assert again.read == 0
    assert store.dead_letters() == []
    assert len(created_in_sap(client, "10000101")) == 1
    assert len(created_in_sap(client, "1020-PORTO-PROD")) == 1


def test_unmapped_position_recorded(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [v2_transition("t1", "ALARM", site="Plant Oslo", asset="Mixer M-9", sensor="ffff00000001")],
    )
    summary = make_pipeline(store, client).process(read_paths([str(export)]))
    assert summary.skipped["no_mapping"] == 1
    [unmapped] = store.unmapped_positions()
    assert unmapped.position.describe() == "Northwind Bottling / Plant Oslo / Mixer M-9 / Motor DE"


def test_two_workers_same_export_no_duplicate(
    tmp_path: Path, db_path: Path, sap_settings: SapSettings
) -> None:
    sensors = [f"a1b2c3d4{index:04d}" for index in range(8)]
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [
            v2_transition(
                f"t{index}", "ALARM", site="Plant Porto", asset=f"Asset {index}", sensor=sensor
            )
            for index, sensor in enumerate(sensors)
        ],
    )
    summaries: list[RunSummary] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with SqliteStore(db_path) as store, open_client(sap_settings) as client:
                summaries.append(make_pipeline(store, client).process(read_paths([str(export)])))
        except BaseException as error:  # reported by the assert below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert errors == []
    with open_client(sap_settings) as client:
        in_sap = created_in_sap(client, "1020-PORTO-PROD")
    assert len(in_sap) == len(sensors)
    assert sum(summary.notified for summary in summaries) == len(sensors)


def test_sensor_disconnected_too_long_notified(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [
            v2_sensor_event("d1", "sensorDisconnected", "2026-01-06 05:00:00.000"),
            v2_measurement("m1", sensor="a1b2c3d40102", timestamp="2026-01-06 05:45:00.000"),
        ],
    )
    rules = RuleSettings(disconnected_alert_minutes=30)
    summary = make_pipeline(store, client, rules=rules).process(read_paths([str(export)]))
    assert summary.notified == 1
    [notification] = created_in_sap(client, "10000101")
    assert notification.text == "Pump P-101 Motor DE: Disconnected"
    assert notification.notification_type == "M1"
