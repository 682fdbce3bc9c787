"""Fixtures for the emulator tests: a running emulator and an httpx client for it."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorConfig, EmulatorServer

JSON_HEADERS = {"Accept": "application/json"}
# Building an SSL context costs about 0.1 s; the clients share one (the emulator speaks HTTP).
SHARED_SSL_CONTEXT = ssl.create_default_context()


@pytest.fixture
def sap() -> Iterator[EmulatorServer]:
    """A running emulator with the default configuration and an in-memory database."""
    with EmulatorServer(EmulatorConfig()) as server:
        yield server


@pytest.fixture
def client(sap: EmulatorServer) -> Iterator[httpx.Client]:
    """An httpx client for the notification service with the demo user's credentials."""
    with httpx.Client(
        base_url=sap.service_url,
        auth=(DEMO_USER, DEMO_PASSWORD),
        headers=JSON_HEADERS,
        params={"sap-client": "100"},
        timeout=10,
        verify=SHARED_SSL_CONTEXT,
    ) as http:
        yield http


def fetch_token(client: httpx.Client) -> str:
    """Fetch a CSRF token; the client's cookie jar keeps the session cookie."""
    response = client.get("", headers={"X-CSRF-Token": "Fetch"})
    assert response.status_code == 200
    return response.headers["x-csrf-token"]


@pytest.fixture
def token(client: httpx.Client) -> str:
    """A CSRF token valid for ``client``."""
    return fetch_token(client)


def create_notification(client: httpx.Client, token: str, **fields: Any) -> httpx.Response:
    """POST a notification with sensible defaults that ``fields`` override."""
    payload: dict[str, Any] = {
        "NotificationText": "Pump P-101 bearing noise",
        "NotificationType": "M2",
        "TechnicalObject": "10000123",
        "TechObjIsEquipOrFuncnlLoc": "EAMS_EQUI",
    }
    payload.update(fields)
    return client.post("MaintenanceNotification", json=payload, headers={"X-CSRF-Token": token})
