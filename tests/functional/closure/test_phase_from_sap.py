"""SAP is the source of truth for "open": a completion made in SAP shows through the cache."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from monitron_sap.emulator.config import DEMO_PASSWORD, DEMO_USER, EmulatorConfig
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.models import NotificationDraft
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.sap.phase_cache import NotificationPhaseCache
from monitron_sap.sap.settings import BasicAuth, SapConnectionSettings


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client() -> Iterator[NotificationClient]:
    with EmulatorServer(EmulatorConfig()) as sap:
        settings = SapConnectionSettings(
            base_url=sap.base_url, auth=BasicAuth(DEMO_USER, DEMO_PASSWORD), sap_client="100"
        )
        with create_notification_client(settings) as notification_client:
            yield notification_client


def create(client: NotificationClient) -> str:
    draft = NotificationDraft(
        text="Pump 7 Motor DE: ALARM",
        notification_type="M1",
        technical_object="10000123",
        technical_object_kind="EAMS_EQUI",
    )
    return client.create(draft).number


def test_completion_in_sap_closes_after_ttl(client: NotificationClient) -> None:
    clock = Clock()
    cache = NotificationPhaseCache(client, ttl_seconds=30, clock=clock)
    number = create(client)
    assert cache.is_open(number) is True

    # A planner completes the notification in SAP, outside monitron-sap.
    client.complete(number, reference_time=datetime(2024, 3, 8, 10, 0, tzinfo=UTC))
    still_cached = cache.is_open(number)
    clock.now += 31

    assert still_cached is True
    assert cache.is_open(number) is False


def test_in_process_notification_is_open(client: NotificationClient) -> None:
    cache = NotificationPhaseCache(client)
    number = create(client)

    client.set_in_process(number)
    cache.forget(number)

    assert cache.is_open(number) is True


def test_padded_and_unknown_numbers(client: NotificationClient) -> None:
    cache = NotificationPhaseCache(client)
    number = create(client)

    assert cache.is_open(number.zfill(12)) is True
    assert cache.is_open("99999999") is False
