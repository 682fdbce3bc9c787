"""SQLite persistence across restarts, API key authentication and extra services."""

from __future__ import annotations

from pathlib import Path

import httpx

from monitron_sap.emulator import (
    DEMO_PASSWORD,
    DEMO_USER,
    EmulatorConfig,
    EmulatorServer,
    ServiceRequest,
    ServiceResponse,
)
from tests.functional.emulator.conftest import JSON_HEADERS, create_notification, fetch_token


def _client(server: EmulatorServer) -> httpx.Client:
    return httpx.Client(
        base_url=server.service_url, auth=(DEMO_USER, DEMO_PASSWORD), headers=JSON_HEADERS
    )


def test_restart_keeps_notifications(tmp_path: Path) -> None:
    config = EmulatorConfig(db_path=tmp_path / "sap.db")
    with EmulatorServer(config) as server, _client(server) as http:
        created = create_notification(http, fetch_token(http), MaintNotifLongTextForEdit="Kept")
        number = created.json()["d"]["MaintenanceNotification"]
        etag = created.headers["etag"]

    with EmulatorServer(config) as server, _client(server) as http:
        response = http.get(f"MaintenanceNotification('{number}')")

    assert response.status_code == 200
    assert response.json()["d"]["MaintNotificationLongText"] == "Kept"
    assert response.headers["etag"] == etag


def test_restart_continues_numbering(tmp_path: Path) -> None:
    config = EmulatorConfig(db_path=tmp_path / "sap.db")
    numbers = []
    for _ in range(2):
        with EmulatorServer(config) as server, _client(server) as http:
            created = create_notification(http, fetch_token(http))
            numbers.append(int(created.json()["d"]["MaintenanceNotification"]))

    assert numbers[1] == numbers[0] + 1


def test_api_key_authenticates() -> None:
    config = EmulatorConfig(api_keys=frozenset({"key-123"}))
    with EmulatorServer(config) as server:
        response = httpx.get(server.service_url, headers={"APIKey": "key-123", **JSON_HEADERS})

    assert response.status_code == 200


def test_wrong_api_key_gets_401() -> None:
    config = EmulatorConfig(api_keys=frozenset({"key-123"}))
    with EmulatorServer(config) as server:
        response = httpx.get(server.service_url, headers={"APIKey": "other", **JSON_HEADERS})

    assert response.status_code == 401


def test_api_key_session_creates() -> None:
    config = EmulatorConfig(api_keys=frozenset({"key-123"}))
    with (
        EmulatorServer(config) as server,
        httpx.Client(
            base_url=server.service_url, headers={"APIKey": "key-123", **JSON_HEADERS}
        ) as http,
    ):
        response = create_notification(http, fetch_token(http))

    assert response.status_code == 201


def test_custom_technical_objects() -> None:
    config = EmulatorConfig(technical_objects={"PUMP-7": "EAMS_FL"})
    with EmulatorServer(config) as server, _client(server) as http:
        token = fetch_token(http)
        accepted = create_notification(
            http, token, TechnicalObject="PUMP-7", TechObjIsEquipOrFuncnlLoc="EAMS_FL"
        )
        rejected = create_notification(http, token)

    assert accepted.status_code == 201
    assert rejected.status_code == 400


class _EchoService:
    service_id = "ZECHO_SRV"

    def handle(self, request: ServiceRequest) -> ServiceResponse:
        return ServiceResponse.json(200, {"d": {"path": request.path, "user": request.user}})


def test_registered_service_gets_requests(sap: EmulatorServer) -> None:
    sap.register_service("/sap/opu/odata/sap/ZECHO_SRV", _EchoService())

    response = httpx.get(
        f"{sap.base_url}/sap/opu/odata/sap/ZECHO_SRV/Things",
        auth=(DEMO_USER, DEMO_PASSWORD),
    )

    assert response.json() == {"d": {"path": "Things", "user": "MONITRON"}}


def test_registered_service_is_csrf_protected(sap: EmulatorServer) -> None:
    sap.register_service("/sap/opu/odata/sap/ZECHO_SRV", _EchoService())

    response = httpx.post(
        f"{sap.base_url}/sap/opu/odata/sap/ZECHO_SRV/Things",
        auth=(DEMO_USER, DEMO_PASSWORD),
    )

    assert response.status_code == 403


def test_ipv6_loopback_serves() -> None:
    with EmulatorServer(EmulatorConfig(), host="::1") as server:
        base_url = server.base_url
        response = httpx.get(
            server.service_url, auth=(DEMO_USER, DEMO_PASSWORD), headers=JSON_HEADERS
        )

    assert base_url.startswith("http://[::1]:")
    assert response.status_code == 200
