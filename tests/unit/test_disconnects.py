"""Alerts for sensors and gateways that stay disconnected longer than the set minutes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitron_sap.errors import SapUnavailableError
from monitron_sap.events.model import MonitronEvent, SourceRef
from monitron_sap.events.schema import parse_record
from monitron_sap.pipeline import Pipeline, RetryPolicy
from monitron_sap.rules import RuleSettings
from monitron_sap.store.ports import Outcome
from monitron_sap.store.sqlite import SqliteStore
from tests.builders import pump_mapping
from tests.unit.fake_sap import FakeSap

START = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
RULES = RuleSettings(disconnected_alert_minutes=30)


def v2(event_id: str, event_type: str, minutes: int, **payload: Any) -> MonitronEvent:
    moment = START + timedelta(minutes=minutes)
    record = {
        "timestamp": moment.strftime("%Y-%m-%d %H:%M:%S.000"),
        "eventId": event_id,
        "version": "2.0",
        "projectName": "Northwind Bottling",
        "eventType": event_type,
        "eventPayload": {"siteName": "Plant Hamburg", **payload},
    }
    return parse_record(record, SourceRef("export.jsonl", minutes, minutes + 1))


def sensor(event_id: str, event_type: str, minutes: int) -> MonitronEvent:
    return v2(
        event_id,
        event_type,
        minutes,
        assetName="Pump P-101",
        positionName="Motor DE",
        assetPositionId="pos-a1b2c3d40101",
        sensor={"physicalId": "a1b2c3d40101"},
    )


def gateway(event_id: str, event_type: str, minutes: int) -> MonitronEvent:
    return v2(
        event_id,
        event_type,
        minutes,
        gatewayName="Hall 1 gateway",
        gateway={"physicalId": "f0e1d2c30001"},
    )


def tick(event_id: str, minutes: int) -> MonitronEvent:
    """Return a measurement of another position, which only moves Monitron time on."""
    return v2(
        event_id,
        "measurement",
        minutes,
        assetName="Fan F-201",
        positionName="Motor DE",
        sensor={"physicalId": "a1b2c3d40201"},
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "ledger.sqlite3") as store:
        store.replace_all([pump_mapping(), pump_mapping(asset="*", technical_object="FL-HH")])
        yield store


def make_pipeline(store: SqliteStore, sap: FakeSap) -> Pipeline:
    return Pipeline(
        ledger=store,
        mappings=store,
        sap=sap,
        rules=RULES,
        retry=RetryPolicy(max_attempts=1, backoff_base_seconds=0),
        sleep=lambda seconds: None,
    )


def test_sensor_away_too_long_notified(store: SqliteStore) -> None:
    sap = FakeSap()
    summary = make_pipeline(store, sap).process(
        [sensor("d1", "sensorDisconnected", 0), tick("m1", 20), tick("m2", 31)]
    )
    assert summary.read == 3
    assert summary.notified == 1
    [draft] = sap.drafts.values()
    assert draft.text == "Pump P-101 Motor DE: Disconnected"
    assert draft.technical_object == "10000101"
    assert draft.notification_type == "M1"
    assert draft.priority == "4"
    assert "did not reconnect within 30 minutes" in (draft.long_text or "")


def test_reconnected_in_time_not_notified(store: SqliteStore) -> None:
    sap = FakeSap()
    summary = make_pipeline(store, sap).process(
        [sensor("d1", "sensorDisconnected", 0), sensor("c1", "sensorConnected", 10), tick("m", 90)]
    )
    assert summary.notified == 0
    assert sap.calls == []


def test_gateway_uses_site_mapping(store: SqliteStore) -> None:
    sap = FakeSap()
    make_pipeline(store, sap).process([gateway("g1", "gatewayDisconnected", 0), tick("m", 45)])
    [draft] = sap.drafts.values()
    assert draft.technical_object == "FL-HH"
    assert draft.text == "Gateway Hall 1 gateway: Disconnected"


def test_alert_raised_once_across_runs(store: SqliteStore) -> None:
    sap = FakeSap()
    events = [sensor("d1", "sensorDisconnected", 0), tick("m1", 31), tick("m2", 62)]
    make_pipeline(store, sap).process(events)
    make_pipeline(store, sap).process(events)
    assert len(sap.notifications) == 1
    entry = store.get("sensorDisconnected:d1+30m")
    assert entry is not None
    assert entry.status == Outcome.NOTIFIED


def test_alert_retried_after_sap_down(store: SqliteStore) -> None:
    sap = FakeSap()
    sap.fail_next = [SapUnavailableError("SAP returned 503")]
    pipeline = make_pipeline(store, sap)
    first = pipeline.process([sensor("d1", "sensorDisconnected", 0), tick("m1", 31)])
    assert first.dead_lettered == 1
    second = pipeline.process([tick("m2", 40)])
    assert second.notified == 1
    assert len(sap.notifications) == 1


def test_rule_off_by_default(store: SqliteStore) -> None:
    sap = FakeSap()
    pipeline = Pipeline(ledger=store, mappings=store, sap=sap)
    pipeline.process([sensor("d1", "sensorDisconnected", 0), tick("m", 600)])
    assert sap.calls == []


def test_alarm_after_disconnect_alert_gets_own(store: SqliteStore) -> None:
    sap = FakeSap()
    alarm = v2(
        "a1",
        "assetStateTransition",
        40,
        assetName="Pump P-101",
        positionName="Motor DE",
        assetPositionId="pos-a1b2c3d40101",
        sensor={"physicalId": "a1b2c3d40101"},
        assetState={"newState": "ALARM", "previousState": "HEALTHY"},
    )
    make_pipeline(store, sap).process([sensor("d1", "sensorDisconnected", 0), tick("m", 31), alarm])
    texts = sorted(notification.text for notification in sap.notifications.values())
    assert texts == ["Pump P-101 Motor DE: Alarm", "Pump P-101 Motor DE: Disconnected"]


def test_disconnect_alert_added_to_open_alarm(store: SqliteStore) -> None:
    sap = FakeSap()
    alarm = v2(
        "a1",
        "assetStateTransition",
        0,
        assetName="Pump P-101",
        positionName="Motor DE",
        assetPositionId="pos-a1b2c3d40101",
        sensor={"physicalId": "a1b2c3d40101"},
        assetState={"newState": "ALARM", "previousState": "HEALTHY"},
    )
    summary = make_pipeline(store, sap).process(
        [alarm, sensor("d1", "sensorDisconnected", 5), tick("m", 40)]
    )
    assert summary.updated == 1
    assert len(sap.notifications) == 1
