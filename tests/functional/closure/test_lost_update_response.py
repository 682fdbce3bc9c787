"""Updates and closures retried after a lost response change the notification once: through
the SAP clients and the emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from monitron_sap.emulator.config import DEMO_PASSWORD, DEMO_USER, EmulatorConfig
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.errors import SapUnavailableError
from monitron_sap.events.model import ClosureCode
from monitron_sap.lifecycle.closure import close_notification
from monitron_sap.lifecycle.update import update_open_notification
from monitron_sap.rules.closure import default_closure_catalog, plan_closure
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.items import NotificationItemClient
from monitron_sap.sap.models import PHASE_COMPLETED, NotificationDraft
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.sap.session import SapSession
from monitron_sap.sap.settings import BasicAuth, SapConnectionSettings

CLOSED_AT = datetime(2024, 3, 8, 10, 15, 2, tzinfo=UTC)
UPDATE_TEXT = "Monitron update (2024-03-08 09:00:00 UTC): ALARM\nMonitron event e-42"


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
        max_retries=0,
    )


@pytest.fixture
def notifications(settings: SapConnectionSettings) -> Iterator[NotificationClient]:
    with create_notification_client(settings) as client:
        yield client


@pytest.fixture
def number(notifications: NotificationClient) -> str:
    draft = NotificationDraft(
        text="Pump 7 Motor DE: WARNING",
        notification_type="M1",
        technical_object="10000123",
        technical_object_kind="EAMS_EQUI",
        priority="3",
    )
    return notifications.create(draft).number


def _update(notifications: NotificationClient, number: str) -> None:
    update_open_notification(number, notifications, long_text=UPDATE_TEXT, priority="1")


def test_update_after_lost_response_appends_once(
    sap: EmulatorServer, notifications: NotificationClient, number: str
) -> None:
    sap.faults.drop_next_update_responses(1)
    with pytest.raises(SapUnavailableError):
        _update(notifications, number)

    _update(notifications, number)
    stored = notifications.get(number)

    assert stored.long_text is not None
    assert stored.long_text.count("Monitron event e-42") == 1
    assert stored.priority == "1"
    assert sap.request_count["PATCH MaintenanceNotification(key)"] == 1


def test_update_with_new_event_appends(notifications: NotificationClient, number: str) -> None:
    _update(notifications, number)
    later = UPDATE_TEXT.replace("e-42", "e-43")

    update_open_notification(number, notifications, long_text=later)
    stored = notifications.get(number)

    assert stored.long_text is not None
    assert stored.long_text.count("Monitron event e-42") == 1
    assert stored.long_text.count("Monitron event e-43") == 1


def test_closure_after_lost_responses_appends_once(
    sap: EmulatorServer,
    settings: SapConnectionSettings,
    notifications: NotificationClient,
    number: str,
) -> None:
    closure = ClosureCode("MISALIGNMENT", "MAINTENANCE", "ADJUST")
    catalog = default_closure_catalog()
    summary = plan_closure(closure, catalog).summary

    with NotificationItemClient(SapSession(settings)) as items:
        # The first attempt loses the long-text update's response, the second the response of
        # SetMaintNotifToInProcess; the third completes the notification.
        for _attempt in range(2):
            sap.faults.drop_next_update_responses(1)
            with pytest.raises(SapUnavailableError):
                close_notification(
                    number,
                    closure,
                    catalog=catalog,
                    closed_at=CLOSED_AT,
                    notifications=notifications,
                    items=items,
                )
        result = close_notification(
            number,
            closure,
            catalog=catalog,
            closed_at=CLOSED_AT,
            notifications=notifications,
            items=items,
        )
        stored_items = items.list_items(number)
    stored = notifications.get(number)

    assert result.completed
    assert stored.phase == PHASE_COMPLETED
    assert stored.long_text is not None
    assert stored.long_text.count(summary) == 1
    assert len(stored_items) == 1


def test_dropped_update_counted_in_snapshot(sap: EmulatorServer) -> None:
    sap.faults.apply({"drop_next_update_responses": 2})

    assert sap.faults.snapshot()["pending_dropped_updates"] == 2
