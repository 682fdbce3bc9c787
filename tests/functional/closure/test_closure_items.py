"""A Monitron closure becomes an item with damage, cause and activity, then the notification
is completed: through the SAP clients and the emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from monitron_sap.emulator.config import DEMO_PASSWORD, DEMO_USER, EmulatorConfig
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.events.model import ClosureCode
from monitron_sap.lifecycle.closure import item_draft_from_plan
from monitron_sap.rules.closure import (
    ClosureCatalog,
    default_closure_catalog,
    plan_closure,
)
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.items import CodedEntry, NotificationItemClient
from monitron_sap.sap.models import PHASE_COMPLETED, NotificationDraft
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.sap.session import SapSession
from monitron_sap.sap.settings import BasicAuth, SapConnectionSettings

CLOSED_AT = datetime(2024, 3, 8, 10, 15, 2, tzinfo=UTC)


@pytest.fixture
def sap() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig()) as server:
        yield server


@pytest.fixture
def settings(sap: EmulatorServer) -> SapConnectionSettings:
    return SapConnectionSettings(
        base_url=sap.base_url,
        auth=BasicAuth(DEMO_USER, DEMO_PASSWORD),
        sap_client="100",
        backoff_seconds=0.0,
    )


@pytest.fixture
def notifications(settings: SapConnectionSettings) -> Iterator[NotificationClient]:
    with create_notification_client(settings) as client:
        yield client


@pytest.fixture
def items(settings: SapConnectionSettings) -> Iterator[NotificationItemClient]:
    with NotificationItemClient(SapSession(settings)) as client:
        yield client


@pytest.fixture
def number(notifications: NotificationClient) -> str:
    draft = NotificationDraft(
        text="Pump 7 Motor DE: ALARM",
        notification_type="M1",
        technical_object="10000123",
        technical_object_kind="EAMS_EQUI",
    )
    return notifications.create(draft).number


def test_mapped_closure_adds_coded_item(
    items: NotificationItemClient, notifications: NotificationClient, number: str
) -> None:
    closure = ClosureCode("MISALIGNMENT", "MAINTENANCE", "ADJUST", ("vibrationISO",))
    plan = plan_closure(closure, default_closure_catalog())

    items.add_item(number, item_draft_from_plan(plan))
    completed = notifications.complete(number, reference_time=CLOSED_AT)
    stored = items.list_items(number)

    assert completed.phase == PHASE_COMPLETED
    assert len(stored) == 1
    assert stored[0].text == "Misalignment"
    assert (stored[0].damage_code_group, stored[0].damage_code) == ("MON-DMG", "D008")
    assert stored[0].causes == (CodedEntry("Maintenance", "MON-CAU", "C004"),)
    assert stored[0].activities == (CodedEntry("Adjust", "MON-ACT", "A001"),)


def test_unmapped_closure_keeps_texts(items: NotificationItemClient, number: str) -> None:
    closure = ClosureCode("ROTATING_LOOSENESS", "WEAR", "RETIGHTEN")
    plan = plan_closure(closure, ClosureCatalog())

    items.add_item(number, item_draft_from_plan(plan))
    stored = items.list_items(number)[0]

    assert stored.text == "Rotating looseness"
    assert stored.damage_code is None
    assert stored.causes == (CodedEntry("Wear"),)
    assert stored.activities == (CodedEntry("Retighten"),)


def test_repeated_closure_adds_one_item(items: NotificationItemClient, number: str) -> None:
    draft = item_draft_from_plan(plan_closure(ClosureCode("IMBALANCE"), default_closure_catalog()))

    first = items.add_item(number, draft)
    second = items.add_item(number, draft)

    assert second.number == first.number
    assert len(items.list_items(number)) == 1


def test_second_item_gets_next_number(items: NotificationItemClient, number: str) -> None:
    catalog = default_closure_catalog()
    items.add_item(number, item_draft_from_plan(plan_closure(ClosureCode("IMBALANCE"), catalog)))

    second = items.add_item(
        number, item_draft_from_plan(plan_closure(ClosureCode("CORROSION"), catalog))
    )

    assert second.number == "2"


def test_lost_item_response_adds_once(
    sap: EmulatorServer, items: NotificationItemClient, number: str
) -> None:
    draft = item_draft_from_plan(plan_closure(ClosureCode("CAVITATION"), default_closure_catalog()))
    sap.faults.drop_next_create_responses(1)

    item = items.add_item(number, draft)

    assert item.text == "Cavitation"
    assert sap.request_count["POST MaintenanceNotification(key)/to_Item"] == 1
    assert len(items.list_items(number)) == 1
