"""Creating and reading notifications over real HTTP."""

from __future__ import annotations

import httpx

from tests.functional.emulator.conftest import create_notification


def test_create_returns_201_with_location(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token)

    assert response.status_code == 201
    number = response.json()["d"]["MaintenanceNotification"]
    assert response.headers["location"].endswith(f"MaintenanceNotification('{number}')")


def test_create_assigns_increasing_numbers(client: httpx.Client, token: str) -> None:
    first = create_notification(client, token).json()["d"]["MaintenanceNotification"]
    second = create_notification(client, token).json()["d"]["MaintenanceNotification"]

    assert int(second) == int(first) + 1


def test_create_sets_defaults(client: httpx.Client, token: str) -> None:
    created = create_notification(client, token).json()["d"]

    assert created["NotifProcessingPhase"] == "1"
    assert created["NotifProcessingPhaseDesc"] == "Outstanding"
    assert created["ReportedByUser"] == "MONITRON"
    assert created["CreationDate"].startswith("/Date(")
    assert created["CreationTime"].startswith("PT")
    assert created["MaintNotifInternalID"] == "QM" + created["MaintenanceNotification"].zfill(12)


def test_read_by_padded_key(client: httpx.Client, token: str) -> None:
    number = create_notification(client, token).json()["d"]["MaintenanceNotification"]

    response = client.get(f"MaintenanceNotification('{number.zfill(12)}')")

    assert response.status_code == 200
    assert response.json()["d"]["MaintenanceNotification"] == number


def test_read_returns_etag_header(client: httpx.Client, token: str) -> None:
    number = create_notification(client, token).json()["d"]["MaintenanceNotification"]

    response = client.get(f"MaintenanceNotification('{number}')")

    assert response.headers["etag"] == response.json()["d"]["__metadata"]["etag"]


def test_read_unknown_key_gets_404(client: httpx.Client) -> None:
    response = client.get("MaintenanceNotification('99999999')")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "/IWBEP/CM_MGW_RT/020"


def test_filter_by_external_reference(client: httpx.Client, token: str) -> None:
    create_notification(client, token, MaintNotifExtReferenceNumber="EXT-1")
    create_notification(client, token, MaintNotifExtReferenceNumber="EXT-2")

    response = client.get(
        "MaintenanceNotification",
        params={"$filter": "MaintNotifExtReferenceNumber eq 'EXT-2'"},
    )

    results = response.json()["d"]["results"]
    assert [row["MaintNotifExtReferenceNumber"] for row in results] == ["EXT-2"]


def test_entity_uris_follow_host_header(client: httpx.Client, token: str) -> None:
    number = create_notification(client, token).json()["d"]["MaintenanceNotification"]

    response = client.get(
        f"MaintenanceNotification('{number}')", headers={"Host": "sap.example.com:8443"}
    )

    uri = response.json()["d"]["__metadata"]["uri"]
    assert uri.startswith("http://sap.example.com:8443/sap/opu/odata/sap/API_MAINTNOTIFICATION/")
