"""A rendered trend chart goes through the attachment client to the emulator and back."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from monitron_sap.charts import (
    MeasurementHistory,
    MeasurementSample,
    chart_file_name,
    render_trend_chart,
    zone_limits_for_class,
)
from monitron_sap.emulator.config import DEMO_PASSWORD, DEMO_USER
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.errors import SapRejectedError
from monitron_sap.sap.attachments import AttachmentClient
from monitron_sap.sap.settings import BasicAuth, SapConnectionSettings

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
T0 = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def chart() -> bytes:
    history = MeasurementHistory(
        MeasurementSample(
            timestamp=T0 + timedelta(hours=hour),
            velocity_rms=1.0 + hour * 0.02,
            acceleration_rms=0.3,
            temperature_c=41.0,
        )
        for hour in range(48)
    )
    return render_trend_chart(
        history, title="Pump 7 / Motor DE", zone_limits=zone_limits_for_class("CLASS2")
    )


@pytest.fixture
def client(sap: EmulatorServer) -> Iterator[AttachmentClient]:
    settings = SapConnectionSettings(
        base_url=sap.base_url,
        auth=BasicAuth(DEMO_USER, DEMO_PASSWORD),
        sap_client="100",
        backoff_seconds=0.0,
    )
    with AttachmentClient.from_settings(settings) as attachment_client:
        yield attachment_client


def test_chart_round_trip(client: AttachmentClient, notification: str, chart: bytes) -> None:
    file_name = chart_file_name("Pump 7 / Motor DE", T0 + timedelta(hours=47))
    uploaded = client.upload(notification, file_name, chart)

    listed = client.list_attachments(notification)
    content = client.download(listed[0])

    assert uploaded.linked_object_key == notification.zfill(12)
    assert [attachment.file_name for attachment in listed] == [
        "trend-pump-7-motor-de-20240302T230000Z.png"
    ]
    assert content == chart
    assert content.startswith(PNG_SIGNATURE)
    assert struct.unpack(">II", content[16:24]) == (1200, 900)


def test_lost_upload_response_attaches_once(
    sap: EmulatorServer, client: AttachmentClient, notification: str, chart: bytes
) -> None:
    sap.faults.drop_next_create_responses(1)

    uploaded = client.upload(notification, "trend.png", chart)

    assert uploaded.file_name == "trend.png"
    assert sap.request_count["POST AttachmentContentSet"] == 1
    assert sap.request_count["GET GetAllOriginals"] == 1
    assert len(client.list_attachments(notification)) == 1


def test_expired_csrf_token_is_fetched_again(
    sap: EmulatorServer, client: AttachmentClient, notification: str, chart: bytes
) -> None:
    client.upload(notification, "first.png", chart)
    sap.faults.expire_csrf_tokens()

    client.upload(notification, "second.png", chart)

    assert len(client.list_attachments(notification)) == 2
    assert sap.request_count["POST AttachmentContentSet"] == 3


def test_upload_to_unknown_notification_rejected(
    client: AttachmentClient, notification: str, chart: bytes
) -> None:
    with pytest.raises(SapRejectedError) as caught:
        client.upload("99999999", "trend.png", chart)

    assert "99999999" in str(caught.value)
