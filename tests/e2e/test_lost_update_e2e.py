"""The pipeline retries an update or closure whose response was lost, and SAP gets the long
text once: the real SAP clients and the emulator over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitron_sap.config import SapSettings
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.runtime import SapClients, build_sap_clients
from monitron_sap.sap.models import PHASE_COMPLETED
from monitron_sap.store.ports import Outcome
from monitron_sap.store.sqlite import SqliteStore
from tests.e2e.records import v2_transition
from tests.e2e.test_lifecycle_e2e import CLOSURE, closure_records, pump_notifications, run


@pytest.fixture
def clients(sap_settings: SapSettings) -> Iterator[SapClients]:
    with build_sap_clients(sap_settings) as clients:
        yield clients


def test_repeat_with_lost_response_appends_once(
    tmp_path: Path, store: SqliteStore, clients: SapClients, emulator: EmulatorServer
) -> None:
    run(tmp_path, store, clients, [v2_transition("t1", "ALARM")], name="first.jsonl")
    emulator.faults.drop_next_update_responses(1)

    repeat = [
        v2_transition("t2", "HEALTHY", "ALARM", timestamp="2026-01-06 07:00:00.000"),
        v2_transition("t3", "ALARM", "HEALTHY", timestamp="2026-01-06 09:00:00.000"),
    ]
    summary = run(tmp_path, store, clients, repeat, name="repeat.jsonl")

    [notification] = pump_notifications(clients)
    long_text = clients.notifications.get(notification.number).long_text or ""
    assert summary.updated == 1
    assert long_text.count("Monitron event t3") == 1
    assert emulator.faults.snapshot()["pending_dropped_updates"] == 0
    entry = store.get("assetStateTransition:t3")
    assert entry is not None
    assert entry.status == Outcome.UPDATED


def test_closure_with_lost_response_appends_once(
    tmp_path: Path, store: SqliteStore, clients: SapClients, emulator: EmulatorServer
) -> None:
    run(tmp_path, store, clients, closure_records(CLOSURE)[:1], name="alarm.jsonl")
    emulator.faults.drop_next_update_responses(1)

    summary = run(tmp_path, store, clients, closure_records(CLOSURE)[1:], name="closure.jsonl")

    [notification] = pump_notifications(clients)
    long_text = clients.notifications.get(notification.number).long_text or ""
    assert summary.updated == 1
    assert notification.phase == PHASE_COMPLETED
    assert long_text.count("Closed in Monitron:") == 1
    assert len(clients.items.list_items(notification.number)) == 1
