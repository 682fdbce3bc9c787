"""The life-cycle steps against the emulator and, when configured, a real SAP system.

The real-SAP runs use the environment described in ``tests/functional/sap_client/conftest.py``
and change that system: they create notifications, add items, attach a chart and complete
them. Closure codes are sent only when ``MONITRON_SAP_TEST_CLOSURE_CATALOG`` names a TOML file
with a ``[closure]`` table of codes that exist in that system; otherwise the item carries texts.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitron_sap.charts import MeasurementHistory, MeasurementSample
from monitron_sap.emulator.attachments import register_attachment_service
from monitron_sap.events.model import ClosureCode
from monitron_sap.lifecycle import (
    acknowledge_notification,
    attach_trend_chart,
    close_notification,
    update_open_notification,
)
from monitron_sap.rules.closure import ClosureCatalog, default_closure_catalog, load_closure_catalog
from monitron_sap.sap.attachments import AttachmentClient
from monitron_sap.sap.items import NotificationItemClient
from monitron_sap.sap.models import (
    PHASE_COMPLETED,
    PHASE_IN_PROCESS,
    NotificationDraft,
)
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.sap.session import SapSession
from tests.functional.sap_client.conftest import SapTarget, sap_target  # noqa: F401

CATALOG_ENV = "MONITRON_SAP_TEST_CLOSURE_CATALOG"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Clients:
    target: SapTarget
    notifications: NotificationClient
    items: NotificationItemClient
    attachments: AttachmentClient

    def create(self) -> str:
        draft = NotificationDraft(
            text="Monitron life-cycle test: vibration WARNING",
            notification_type=self.target.notification_type,
            technical_object=self.target.technical_object,
            technical_object_kind=self.target.technical_object_kind,
            priority="3",
            long_text="WARNING raised by the monitron-sap life-cycle tests.",
            external_reference=f"MSAPL-{uuid.uuid4().hex[:12]}",
        )
        return self.notifications.create(draft).number

    def catalog(self) -> ClosureCatalog:
        if self.target.emulator is not None:
            return default_closure_catalog()
        path = os.environ.get(CATALOG_ENV)
        return load_closure_catalog(Path(path)) if path else ClosureCatalog()


@pytest.fixture
def clients(sap_target: SapTarget) -> Iterator[Clients]:  # noqa: F811
    if sap_target.emulator is not None:
        register_attachment_service(sap_target.emulator)
    with (
        sap_target.client() as notifications,
        NotificationItemClient(SapSession(sap_target.settings)) as items,
        AttachmentClient.from_settings(sap_target.settings) as attachments,
    ):
        yield Clients(sap_target, notifications, items, attachments)


def test_warning_escalated_then_acknowledged_and_closed(clients: Clients) -> None:
    number = clients.create()
    closed_at = datetime.now(UTC).replace(microsecond=0)

    escalated = update_open_notification(
        number, clients.notifications, long_text="Escalated to ALARM", priority="1"
    )
    acknowledged = acknowledge_notification(number, clients.notifications)
    result = close_notification(
        number,
        ClosureCode("MISALIGNMENT", "MAINTENANCE", "ADJUST"),
        catalog=clients.catalog(),
        closed_at=closed_at,
        notifications=clients.notifications,
        items=clients.items,
    )

    assert escalated is not None
    assert escalated.priority == "1"
    assert acknowledged.phase == PHASE_IN_PROCESS
    assert result.notification.phase == PHASE_COMPLETED
    assert [item.text for item in clients.items.list_items(number)] == ["Misalignment"]


def test_chart_attached_and_read_back(clients: Clients) -> None:
    number = clients.create()
    event_time = datetime.now(UTC).replace(microsecond=0)
    history = MeasurementHistory(
        MeasurementSample(event_time - timedelta(hours=hour), 1.5 + hour / 50, 0.3, 40.0)
        for hour in range(96)
    )

    attachment = attach_trend_chart(
        clients.attachments,
        number,
        history,
        label="monitron-sap test position",
        iso_class="CLASS2",
        event_time=event_time,
    )
    listed = clients.attachments.list_attachments(number)
    content = clients.attachments.download(listed[0])

    assert [entry.file_name for entry in listed] == [attachment.file_name]
    assert content.startswith(PNG_SIGNATURE)
