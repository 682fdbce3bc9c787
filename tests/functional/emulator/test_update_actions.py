"""Updates with ETags, long text appends and the status function imports."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorServer
from tests.functional.emulator.conftest import (
    JSON_HEADERS,
    SHARED_SSL_CONTEXT,
    create_notification,
)


@pytest.fixture
def number(client: httpx.Client, token: str) -> str:
    created = create_notification(client, token, MaintNotifLongTextForEdit="First line")
    return str(created.json()["d"]["MaintenanceNotification"])


def _read(client: httpx.Client, number: str) -> httpx.Response:
    return client.get(f"MaintenanceNotification('{number}')")


def _patch(
    client: httpx.Client, token: str, number: str, body: dict[str, object], **headers: str
) -> httpx.Response:
    return client.patch(
        f"MaintenanceNotification('{number}')",
        json=body,
        headers={"X-CSRF-Token": token, **headers},
    )


def _action(client: httpx.Client, token: str, name: str, **params: str) -> httpx.Response:
    return client.post(name, params=params, headers={"X-CSRF-Token": token})


def test_patch_without_if_match_gets_428(client: httpx.Client, token: str, number: str) -> None:
    response = _patch(client, token, number, {"MaintPriority": "1"})

    assert response.status_code == 428


def test_patch_with_current_etag_updates(client: httpx.Client, token: str, number: str) -> None:
    etag = _read(client, number).headers["etag"]

    response = _patch(client, token, number, {"MaintPriority": "1"}, **{"If-Match": etag})

    assert response.status_code == 204
    assert response.headers["etag"] != etag
    assert _read(client, number).json()["d"]["MaintPriority"] == "1"


def test_patch_with_stale_etag_gets_412(client: httpx.Client, token: str, number: str) -> None:
    etag = _read(client, number).headers["etag"]
    _patch(client, token, number, {"MaintPriority": "2"}, **{"If-Match": etag})

    response = _patch(client, token, number, {"MaintPriority": "1"}, **{"If-Match": etag})

    assert response.status_code == 412


def test_patch_with_star_updates(client: httpx.Client, token: str, number: str) -> None:
    response = _patch(client, token, number, {"MaintPriority": "3"}, **{"If-Match": "*"})

    assert response.status_code == 204


def test_merge_method_updates(client: httpx.Client, token: str, number: str) -> None:
    etag = _read(client, number).headers["etag"]

    response = client.request(
        "MERGE",
        f"MaintenanceNotification('{number}')",
        json={"NotificationText": "Merged text"},
        headers={"X-CSRF-Token": token, "If-Match": etag},
    )

    assert response.status_code == 204
    assert _read(client, number).json()["d"]["NotificationText"] == "Merged text"


def test_merge_tunnelled_through_post(client: httpx.Client, token: str, number: str) -> None:
    response = client.post(
        f"MaintenanceNotification('{number}')",
        json={"NotificationText": "Tunnelled"},
        headers={"X-CSRF-Token": token, "If-Match": "*", "X-HTTP-Method": "MERGE"},
    )

    assert response.status_code == 204


def test_patch_ignores_notification_type(client: httpx.Client, token: str, number: str) -> None:
    _patch(client, token, number, {"NotificationType": "M1"}, **{"If-Match": "*"})

    assert _read(client, number).json()["d"]["NotificationType"] == "M2"


def test_patch_rejects_empty_text(client: httpx.Client, token: str, number: str) -> None:
    response = _patch(client, token, number, {"NotificationText": ""}, **{"If-Match": "*"})

    assert response.status_code == 400


def test_long_text_is_appended(client: httpx.Client, token: str, number: str) -> None:
    _patch(client, token, number, {"MaintNotifLongTextForEdit": "Second"}, **{"If-Match": "*"})

    entity = _read(client, number).json()["d"]
    assert entity["MaintNotificationLongText"] == "First line\nSecond"
    assert entity["MaintNotifLongTextForEdit"] == ""


def test_item_patch_needs_no_etag(client: httpx.Client, token: str) -> None:
    created = create_notification(client, token, to_Item=[{"MaintenanceNotificationItem": "1"}])
    number = created.json()["d"]["MaintenanceNotification"]

    response = client.patch(
        f"MaintenanceNotificationItem(MaintenanceNotification='{number}',"
        "MaintenanceNotificationItem='1')",
        json={"MaintNotifItemText": "Updated item"},
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 204


def test_set_in_process_moves_to_phase_3(client: httpx.Client, token: str, number: str) -> None:
    response = _action(
        client, token, "SetMaintNotifToInProcess", MaintenanceNotification=f"'{number}'"
    )

    assert response.status_code == 200
    assert response.json()["d"]["NotifProcessingPhase"] == "3"
    assert response.json()["d"]["ConcatenatedActiveSystStsName"] == "NOPR"


def test_complete_moves_to_phase_4(client: httpx.Client, token: str, number: str) -> None:
    _action(client, token, "SetMaintNotifToInProcess", MaintenanceNotification=f"'{number}'")

    response = _action(
        client,
        token,
        "CompleteMaintNotification",
        MaintenanceNotification=f"'{number}'",
        NotificationReferenceDate="datetime'2024-05-02T00:00'",
        NotificationReferenceTime="time'PT16H00M00S'",
    )

    entity = response.json()["d"]
    assert entity["NotifProcessingPhase"] == "4"
    assert entity["NotificationCompletionDate"] == "/Date(1714608000000)/"
    assert entity["CompletionTime"] == "PT16H00M00S"


def test_in_process_twice_is_rejected(client: httpx.Client, token: str, number: str) -> None:
    _action(client, token, "SetMaintNotifToInProcess", MaintenanceNotification=f"'{number}'")

    response = _action(
        client, token, "SetMaintNotifToInProcess", MaintenanceNotification=f"'{number}'"
    )

    assert response.status_code == 400


def test_completed_cannot_be_reopened(client: httpx.Client, token: str, number: str) -> None:
    _action(client, token, "CompleteMaintNotification", MaintenanceNotification=f"'{number}'")

    response = _action(
        client, token, "SetMaintNotifToInProcess", MaintenanceNotification=f"'{number}'"
    )

    assert response.status_code == 400
    assert "completed" in response.json()["error"]["message"]["value"]


def test_action_on_unknown_notification_gets_404(client: httpx.Client, token: str) -> None:
    response = _action(
        client, token, "SetMaintNotifToInProcess", MaintenanceNotification="'99999999'"
    )

    assert response.status_code == 404


def test_action_with_get_gets_405(client: httpx.Client, number: str) -> None:
    response = client.get(
        "SetMaintNotifToInProcess", params={"MaintenanceNotification": f"'{number}'"}
    )

    assert response.status_code == 405


def test_action_needs_csrf_token(client: httpx.Client, number: str) -> None:
    response = client.post(
        "SetMaintNotifToInProcess", params={"MaintenanceNotification": f"'{number}'"}
    )

    assert response.status_code == 403


def test_concurrent_patches_with_one_etag(
    sap: EmulatorServer, client: httpx.Client, token: str, number: str
) -> None:
    etag = _read(client, number).headers["etag"]
    cookies = dict(client.cookies)

    def patch(priority: str) -> int:
        with httpx.Client(
            base_url=sap.service_url,
            auth=(DEMO_USER, DEMO_PASSWORD),
            headers=JSON_HEADERS,
            cookies=cookies,
            verify=SHARED_SSL_CONTEXT,
        ) as http:
            response = _patch(
                http, token, number, {"MaintPriority": priority}, **{"If-Match": etag}
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(patch, ["1", "2", "3", "4"]))

    assert statuses == [204, 412, 412, 412]


def test_put_resets_missing_properties(client: httpx.Client, token: str, number: str) -> None:
    _patch(client, token, number, {"MaintPriority": "1"}, **{"If-Match": "*"})

    response = client.put(
        f"MaintenanceNotification('{number}')",
        json={"NotificationText": "Replaced"},
        headers={"X-CSRF-Token": token, "If-Match": "*"},
    )

    entity = _read(client, number).json()["d"]
    assert response.status_code == 204
    assert entity["NotificationText"] == "Replaced"
    assert entity["MaintPriority"] == ""
    assert entity["NotificationType"] == "M2"


def test_put_without_text_is_rejected(client: httpx.Client, token: str, number: str) -> None:
    response = client.put(
        f"MaintenanceNotification('{number}')",
        json={"MaintPriority": "2"},
        headers={"X-CSRF-Token": token, "If-Match": "*"},
    )

    assert response.status_code == 400
