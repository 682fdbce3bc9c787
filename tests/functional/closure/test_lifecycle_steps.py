"""The composed life-cycle steps against the emulator over real HTTP."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from monitron_sap.charts import MeasurementHistory, MeasurementSample
from monitron_sap.emulator.attachments import register_attachment_service
from monitron_sap.emulator.config import DEMO_PASSWORD, DEMO_USER, EmulatorConfig
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.events.model import ClosureCode
from monitron_sap.lifecycle import (
    ClosureResult,
    acknowledge_notification,
    attach_trend_chart,
    close_notification,
    update_open_notification,
)
from monitron_sap.rules.closure import ClosureCatalog, default_closure_catalog
from monitron_sap.sap.attachments import AttachmentClient
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.items import CodedEntry, NotificationItemClient
from monitron_sap.sap.models import PHASE_COMPLETED, PHASE_IN_PROCESS, NotificationDraft
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.sap.session import SapSession
from monitron_sap.sap.settings import BasicAuth, SapConnectionSettings

CLOSED_AT = datetime(2024, 3, 8, 10, 15, 2, tzinfo=UTC)
MISALIGNMENT = ClosureCode("MISALIGNMENT", "MAINTENANCE", "ADJUST", ("vibrationISO",))


@dataclass
class Sap:
    server: EmulatorServer
    notifications: NotificationClient
    items: NotificationItemClient
    attachments: AttachmentClient

    def create(self, priority: str | None = None) -> str:
        draft = NotificationDraft(
            text="Pump 7 Motor DE: ALARM",
            notification_type="M1",
            technical_object="10000123",
            technical_object_kind="EAMS_EQUI",
            priority=priority,
            long_text="ALARM at 2024-03-07 08:00 UTC",
        )
        return self.notifications.create(draft).number


@pytest.fixture(params=[False, True], ids=["direct-complete", "complete-needs-in-process"])
def sap(request: pytest.FixtureRequest) -> Iterator[Sap]:
    config = EmulatorConfig(complete_requires_in_process=request.param)
    with EmulatorServer(config) as server:
        register_attachment_service(server)
        settings = SapConnectionSettings(
            base_url=server.base_url,
            auth=BasicAuth(DEMO_USER, DEMO_PASSWORD),
            sap_client="100",
            backoff_seconds=0.0,
        )
        with (
            create_notification_client(settings) as notifications,
            NotificationItemClient(SapSession(settings)) as items,
            AttachmentClient.from_settings(settings) as attachments,
        ):
            yield Sap(server, notifications, items, attachments)


def close(sap: Sap, number: str, catalog: ClosureCatalog | None = None) -> ClosureResult:
    return close_notification(
        number,
        MISALIGNMENT,
        catalog=catalog or default_closure_catalog(),
        closed_at=CLOSED_AT,
        notifications=sap.notifications,
        items=sap.items,
    )


def test_closure_completes_with_coded_item(sap: Sap) -> None:
    number = sap.create()

    close(sap, number)

    notification = sap.notifications.get(number)
    item = sap.items.list_items(number)[0]
    assert notification.phase == PHASE_COMPLETED
    assert "failure mode MISALIGNMENT (code MON-DMG/D008)" in (notification.long_text or "")
    assert "ALARM at 2024-03-07 08:00 UTC" in (notification.long_text or "")
    assert item.damage_code == "D008"
    assert item.activities == (CodedEntry("Adjust", "MON-ACT", "A001"),)


def test_completion_takes_monitron_time(sap: Sap) -> None:
    number = sap.create()

    close(sap, number)

    raw = sap.notifications.get(number).raw
    assert raw["NotificationReferenceTime"] == "PT10H15M02S"


def test_repeated_closure_changes_nothing(sap: Sap) -> None:
    number = sap.create()
    close(sap, number)
    long_text = sap.notifications.get(number).long_text

    close(sap, number)

    assert sap.notifications.get(number).long_text == long_text
    assert len(sap.items.list_items(number)) == 1


def test_unmapped_closure_completes_with_texts(sap: Sap) -> None:
    number = sap.create()

    close(sap, number, ClosureCatalog())

    item = sap.items.list_items(number)[0]
    assert sap.notifications.get(number).phase == PHASE_COMPLETED
    assert item.damage_code is None
    assert item.causes == (CodedEntry("Maintenance"),)


def test_chart_attached_as_png(sap: Sap) -> None:
    number = sap.create()
    history = MeasurementHistory(
        MeasurementSample(CLOSED_AT - timedelta(hours=hour), 2.0, 0.4, 45.0) for hour in range(72)
    )

    attachment = attach_trend_chart(
        sap.attachments,
        number,
        history,
        label="Pump 7 / Motor DE",
        iso_class="CLASS2",
        event_time=CLOSED_AT,
    )
    content = sap.attachments.download(sap.attachments.list_attachments(number)[0])

    assert attachment.file_name == "trend-pump-7-motor-de-20240308T101502Z.png"
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", content[16:24]) == (1200, 900)


def test_acknowledgement_puts_in_process_once(sap: Sap) -> None:
    number = sap.create()

    first = acknowledge_notification(number, sap.notifications)
    second = acknowledge_notification(number, sap.notifications)

    assert first.phase == PHASE_IN_PROCESS
    assert second.phase == PHASE_IN_PROCESS
    assert sap.server.request_count["POST SetMaintNotifToInProcess"] == 1


def test_acknowledged_notification_closes(sap: Sap) -> None:
    number = sap.create()
    acknowledge_notification(number, sap.notifications)

    close(sap, number)

    assert sap.notifications.get(number).phase == PHASE_COMPLETED


def test_repeat_alert_lengthens_text(sap: Sap) -> None:
    number = sap.create()
    before = sap.notifications.get(number).long_text or ""

    update_open_notification(
        number, sap.notifications, long_text="ALARM again at 2024-03-07 09:00 UTC, 7.4 mm/s"
    )

    after = sap.notifications.get(number).long_text or ""
    assert len(after) > len(before)
    assert "ALARM at 2024-03-07 08:00 UTC" in after
    assert "ALARM again at 2024-03-07 09:00 UTC, 7.4 mm/s" in after
    assert sap.server.request_count["POST MaintenanceNotification"] == 1


def test_escalation_raises_priority(sap: Sap) -> None:
    number = sap.create(priority="3")

    updated = update_open_notification(
        number, sap.notifications, long_text="Escalated from WARNING to ALARM", priority="1"
    )

    assert updated is not None
    assert updated.priority == "1"
    assert sap.notifications.get(number).priority == "1"


def test_completed_in_sap_is_not_updated(sap: Sap) -> None:
    number = sap.create()
    # A planner completes the notification in SAP.
    sap.notifications.set_in_process(number)
    sap.notifications.complete(number, reference_time=CLOSED_AT)
    before = sap.notifications.get(number)

    updated = update_open_notification(number, sap.notifications, long_text="ALARM", priority="1")

    after = sap.notifications.get(number)
    assert updated is None
    assert after.long_text == before.long_text
    assert after.priority == before.priority
    assert sap.server.request_count["PATCH MaintenanceNotification(key)"] == 0
