"""A notification's life through the pipeline, the real SAP clients and the emulator over HTTP."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitron_sap.config import SapSettings
from monitron_sap.events.reader import read_paths
from monitron_sap.pipeline import Pipeline, RunSummary
from monitron_sap.rules import RuleSettings
from monitron_sap.rules.closure import ClosureCatalog, closure_catalog_from_table
from monitron_sap.runtime import SapClients, build_sap_clients
from monitron_sap.sap.models import PHASE_COMPLETED, PHASE_IN_PROCESS, Notification
from monitron_sap.store.ports import Outcome
from monitron_sap.store.sqlite import SqliteStore
from tests.e2e.records import v2_measurement, v2_transition, write_jsonl
from tests.e2e.test_pipeline_e2e import LEASE_SECONDS, NO_WAIT, Clock

PUMP = "10000101"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CLOSURE = {
    "failureMode": "LUBRICATION",
    "failureCause": "WEAR",
    "actionTaken": "REPLACE",
    "resolvedModels": ["vibrationISO"],
}


@pytest.fixture
def clients(sap_settings: SapSettings) -> Iterator[SapClients]:
    with build_sap_clients(sap_settings) as clients:
        yield clients


def run(
    tmp_path: Path,
    store: SqliteStore,
    clients: SapClients,
    records: list[dict[str, Any]],
    *,
    rules: RuleSettings | None = None,
    catalog: ClosureCatalog | None = None,
    name: str = "export.jsonl",
) -> RunSummary:
    """Process ``records`` with a new pipeline, as one run of the command would."""
    pipeline = Pipeline(
        ledger=store,
        mappings=store,
        sap=clients.notifications,
        rules=rules,
        items=clients.items,
        attachments=clients.attachments,
        closure_catalog=catalog,
        retry=NO_WAIT,
        lease_seconds=LEASE_SECONDS,
        clock=Clock(),
        sleep=lambda seconds: None,
    )
    export = write_jsonl(tmp_path / name, records)
    return pipeline.process(read_paths([str(export)]))


def pump_notifications(clients: SapClients) -> list[Notification]:
    return clients.notifications.find_by_technical_object(PUMP, open_only=False)


def measurements(count: int, *, start_hour: int = 0) -> list[dict[str, Any]]:
    """Return hourly measurements of the pump on 2026-01-06, before its alerts at 05:00."""
    return [
        v2_measurement(
            f"m{hour}",
            velocity_rms=2.0 + hour / 10,
            timestamp=f"2026-01-06 {hour:02d}:00:00.000",
        )
        for hour in range(start_hour, start_hour + count)
    ]


def test_alarm_then_repeat_one_notification(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    first = run(tmp_path, store, clients, [v2_transition("t1", "ALARM")], name="first.jsonl")
    assert first.notified == 1
    [created] = pump_notifications(clients)
    text_before = clients.notifications.get(created.number).long_text or ""

    repeat = [
        v2_transition("t2", "HEALTHY", "ALARM", timestamp="2026-01-06 07:00:00.000"),
        v2_transition("t3", "ALARM", "HEALTHY", timestamp="2026-01-06 09:00:00.000"),
    ]
    summary = run(tmp_path, store, clients, repeat, name="repeat.jsonl")

    assert summary.notified == 0
    assert summary.updated == 1
    assert len(pump_notifications(clients)) == 1
    text_after = clients.notifications.get(created.number).long_text or ""
    assert len(text_after) > len(text_before)
    assert "Monitron update (2026-01-06 09:00:00 UTC): HEALTHY -> ALARM" in text_after
    entry = store.get("assetStateTransition:t3")
    assert entry is not None
    assert entry.status == Outcome.UPDATED
    assert (entry.reason or "").startswith("repeat:")


def test_warning_then_alarm_raises_priority(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    records = [
        v2_transition("t1", "WARNING"),
        v2_transition("t2", "ALARM", "WARNING", timestamp="2026-01-06 09:00:00.000"),
    ]
    summary = run(tmp_path, store, clients, records)

    assert summary.updated == 1
    [notification] = pump_notifications(clients)
    assert notification.priority == "2"
    assert notification.text == "Pump P-101 Motor DE: Alarm"
    assert "WARNING -> ALARM" in (clients.notifications.get(notification.number).long_text or "")
    open_one = store.get_open_notification("id:pos-a1b2c3d40101")
    assert open_one is not None
    assert open_one.state == "ALARM"


def test_escalation_attaches_png_chart(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    records = [
        *measurements(5),
        v2_transition("t1", "WARNING"),
        v2_transition("t2", "ALARM", "WARNING", timestamp="2026-01-06 09:00:00.000"),
    ]
    run(tmp_path, store, clients, records)

    [notification] = pump_notifications(clients)
    attachments = clients.attachments.list_attachments(notification.number)
    names = sorted(attachment.file_name for attachment in attachments)
    assert names == [
        "trend-pump-p-101-motor-de-20260106T050033Z.png",
        "trend-pump-p-101-motor-de-20260106T090000Z.png",
    ]
    png = clients.attachments.download(attachments[0])
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1200, 900)
    entry = store.get("assetStateTransition:t2")
    assert entry is not None
    assert "trend chart trend-pump-p-101-motor-de-20260106T090000Z.png attached" in (
        entry.reason or ""
    )


def test_charts_off_attach_nothing(tmp_path: Path, store: SqliteStore, clients: SapClients) -> None:
    records = [*measurements(3), v2_transition("t1", "ALARM")]
    run(tmp_path, store, clients, records, rules=RuleSettings(charts=False))

    [notification] = pump_notifications(clients)
    assert clients.attachments.list_attachments(notification.number) == []
    assert store.get_measurement_history("id:pos-a1b2c3d40101") is None


def test_acknowledgement_puts_in_process(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    records = [
        v2_transition("t1", "ALARM"),
        v2_transition(
            "t2",
            "NEEDS_MAINTENANCE",
            "ALARM",
            timestamp="2026-01-06 09:00:00.000",
            transition_type="userInput",
        ),
    ]
    summary = run(tmp_path, store, clients, records)

    assert summary.updated == 1
    [notification] = pump_notifications(clients)
    assert notification.phase == PHASE_IN_PROCESS
    entry = store.get("assetStateTransition:t2")
    assert entry is not None
    assert f"notification {notification.number} put in process" in (entry.reason or "")


def test_acknowledgement_switched_off(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    records = [
        v2_transition("t1", "ALARM"),
        v2_transition(
            "t2",
            "NEEDS_MAINTENANCE",
            "ALARM",
            timestamp="2026-01-06 09:00:00.000",
            transition_type="userInput",
        ),
    ]
    rules = RuleSettings(in_process_on_acknowledgement=False)
    run(tmp_path, store, clients, records, rules=rules)

    [notification] = pump_notifications(clients)
    assert notification.phase == "1"


def closure_records(closure: dict[str, Any], closure_id: str = "t2") -> list[dict[str, Any]]:
    return [
        v2_transition("t1", "ALARM"),
        v2_transition(
            closure_id,
            "HEALTHY",
            "ALARM",
            timestamp="2026-01-07 10:00:00.000",
            transition_type="userInput",
            closure_code=closure,
        ),
    ]


def test_closure_with_mapped_codes_completes(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    summary = run(tmp_path, store, clients, closure_records(CLOSURE))

    assert summary.updated == 1
    [notification] = pump_notifications(clients)
    assert notification.phase == PHASE_COMPLETED
    [item] = clients.items.list_items(notification.number)
    assert item.text == "Lubrication"
    assert (item.damage_code_group, item.damage_code) == ("MON-DMG", "D007")
    [cause] = item.causes
    assert (cause.text, cause.code_group, cause.code) == ("Wear", "MON-CAU", "C009")
    [activity] = item.activities
    assert (activity.text, activity.code_group, activity.code) == ("Replace", "MON-ACT", "A008")
    assert store.get_open_notification("id:pos-a1b2c3d40101") is None


def test_closure_keeps_unmapped_codes_as_text(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    catalog = closure_catalog_from_table(
        {"failure_cause": {"WEAR": {"group": "YB-PMME1", "code": "ME03"}}}, source="test"
    )
    closure = {**CLOSURE, "actionTaken": "REPAINT"}
    run(tmp_path, store, clients, closure_records(closure), catalog=catalog)

    [notification] = pump_notifications(clients)
    assert notification.phase == PHASE_COMPLETED
    [item] = clients.items.list_items(notification.number)
    assert item.text == "Lubrication"
    assert item.damage_code is None
    [cause] = item.causes
    assert (cause.code_group, cause.code) == ("YB-PMME1", "ME03")
    [activity] = item.activities
    assert activity.text == "Repaint"
    assert activity.code is None
    long_text = clients.notifications.get(notification.number).long_text or ""
    assert "REPAINT (no catalog code)" in long_text


def test_completed_in_sap_then_new_alarm(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    run(tmp_path, store, clients, [v2_transition("t1", "ALARM")], name="first.jsonl")
    [first] = pump_notifications(clients)
    clients.notifications.set_in_process(first.number)
    clients.notifications.complete(first.number, reference_time=Clock()())

    later = [
        v2_transition("t2", "HEALTHY", "ALARM", timestamp="2026-01-06 07:00:00.000"),
        v2_transition("t3", "ALARM", "HEALTHY", timestamp="2026-01-06 09:00:00.000"),
    ]
    summary = run(tmp_path, store, clients, later, name="later.jsonl")

    assert summary.notified == 1
    numbers = sorted(notification.number for notification in pump_notifications(clients))
    assert len(numbers) == 2
    entry = store.get("assetStateTransition:t3")
    assert entry is not None
    assert entry.notification_number != first.number
    assert f"notification {first.number} is completed in SAP" in (entry.reason or "")
    open_one = store.get_open_notification("id:pos-a1b2c3d40101")
    assert open_one is not None
    assert open_one.notification_number == entry.notification_number


def test_ledger_history_of_one_notification(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    records = [
        *closure_records(CLOSURE)[:1],
        v2_transition(
            "t2",
            "NEEDS_MAINTENANCE",
            "ALARM",
            timestamp="2026-01-06 09:00:00.000",
            transition_type="userInput",
        ),
        *closure_records(CLOSURE, closure_id="t3")[1:],
    ]
    run(tmp_path, store, clients, records)

    [notification] = pump_notifications(clients)
    entries = store.entries_for_notification(notification.number)
    assert [entry.status for entry in entries] == [
        Outcome.NOTIFIED,
        Outcome.UPDATED,
        Outcome.UPDATED,
    ]
    assert (entries[2].reason or "").startswith("closed_by_user:")


def test_chart_from_earlier_run_history(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    run(tmp_path, store, clients, measurements(4), name="measurements.jsonl")
    run(tmp_path, store, clients, [v2_transition("t1", "ALARM")], name="alarm.jsonl")

    [notification] = pump_notifications(clients)
    [attachment] = clients.attachments.list_attachments(notification.number)
    assert attachment.file_name == "trend-pump-p-101-motor-de-20260106T050033Z.png"
    assert clients.attachments.download(attachment).startswith(PNG_SIGNATURE)


def test_acknowledged_warning_escalates_too(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    records = [
        v2_transition("t1", "WARNING"),
        v2_transition(
            "t2",
            "NEEDS_MAINTENANCE",
            "WARNING",
            timestamp="2026-01-06 09:00:00.000",
            transition_type="userInput",
        ),
    ]
    run(tmp_path, store, clients, records)

    [notification] = pump_notifications(clients)
    assert notification.phase == PHASE_IN_PROCESS
    assert notification.priority == "2"
    assert notification.text == "Pump P-101 Motor DE: Maintenance"
    entry = store.get("assetStateTransition:t2")
    assert entry is not None
    assert (entry.reason or "").startswith("acknowledged:")
    assert "raised from WARNING to NEEDS_MAINTENANCE" in (entry.reason or "")


def test_acknowledgement_without_text_update(
    tmp_path: Path, store: SqliteStore, clients: SapClients
) -> None:
    records = [
        v2_transition("t1", "ALARM"),
        v2_transition(
            "t2",
            "NEEDS_MAINTENANCE",
            "ALARM",
            timestamp="2026-01-06 09:00:00.000",
            transition_type="userInput",
        ),
    ]
    run(tmp_path, store, clients, records, rules=RuleSettings(update_on_repeat=False))

    [notification] = pump_notifications(clients)
    assert notification.phase == PHASE_IN_PROCESS
    long_text = clients.notifications.get(notification.number).long_text or ""
    assert "Monitron update" not in long_text
