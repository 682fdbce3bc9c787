"""An emulator with the attachment service, and a notification to attach files to."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from monitron_sap.emulator.config import DEMO_PASSWORD, DEMO_USER, EmulatorConfig
from monitron_sap.emulator.server import EmulatorServer

ATTACHMENT_ROOT = "/sap/opu/odata/sap/API_CV_ATTACHMENT_SRV"


@pytest.fixture
def sap() -> Iterator[EmulatorServer]:
    # The attachment service is served by default, beside the notification service.
    with EmulatorServer(EmulatorConfig()) as server:
        yield server


def authorized_client(sap: EmulatorServer) -> httpx.Client:
    """Return a plain httpx client with the demo user, sap-client and a fetched CSRF token."""
    client = httpx.Client(
        base_url=sap.base_url,
        auth=(DEMO_USER, DEMO_PASSWORD),
        params={"sap-client": "100"},
        headers={"Accept": "application/json"},
    )
    fetch = client.get(ATTACHMENT_ROOT + "/", headers={"X-CSRF-Token": "Fetch"})
    fetch.raise_for_status()
    client.headers["X-CSRF-Token"] = fetch.headers["x-csrf-token"]
    return client


def create_notification(http: httpx.Client) -> str:
    """Create a notification in the emulator and return its number."""
    response = http.post(
        "/sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification",
        json={
            "NotificationText": "Pump 7 vibration alarm",
            "NotificationType": "M1",
            "TechnicalObject": "10000123",
            "TechObjIsEquipOrFuncnlLoc": "EAMS_EQUI",
        },
    )
    response.raise_for_status()
    return str(response.json()["d"]["MaintenanceNotification"])


@pytest.fixture
def http(sap: EmulatorServer) -> Iterator[httpx.Client]:
    client = authorized_client(sap)
    yield client
    client.close()


@pytest.fixture
def notification(http: httpx.Client) -> str:
    return create_notification(http)
