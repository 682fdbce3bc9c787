"""Deep insert of items, causes and activities, and POST to navigation properties."""

from __future__ import annotations

import httpx

from tests.functional.emulator.conftest import create_notification

ITEM = {
    "MaintenanceNotificationItem": "1",
    "MaintNotifItemText": "Seal worn",
    "to_ItemCause": {
        "results": [{"MaintenanceNotificationCause": "1", "MaintNotifCauseText": "Ageing"}]
    },
    "to_ItemActivity": {
        "results": [{"MaintNotificationActivity": "1", "MaintNotifActyTxt": "Seal replaced"}]
    },
}


def test_deep_insert_creates_children(client: httpx.Client, token: str) -> None:
    number = create_notification(client, token, to_Item={"results": [ITEM]}).json()["d"][
        "MaintenanceNotification"
    ]

    response = client.get(
        f"MaintenanceNotification('{number}')",
        params={"$expand": "to_Item/to_ItemCause,to_Item/to_ItemActivity"},
    )

    item = response.json()["d"]["to_Item"]["results"][0]
    assert item["MaintNotifItemText"] == "Seal worn"
    assert item["to_ItemCause"]["results"][0]["MaintNotifCauseText"] == "Ageing"
    assert item["to_ItemActivity"]["results"][0]["MaintNotifActyTxt"] == "Seal replaced"


def test_deep_insert_accepts_bare_list(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, to_Item=[{"MaintenanceNotificationItem": "1"}])

    assert response.status_code == 201


def test_deep_insert_with_partner(client: httpx.Client, token: str) -> None:
    partner = {"PartnerFunction": "VW", "NotificationPartnerObjectNmbr": "1", "Partner": "5000"}
    number = create_notification(client, token, to_Partner={"results": [partner]}).json()["d"][
        "MaintenanceNotification"
    ]

    response = client.get(f"MaintenanceNotification('{number}')/to_Partner")

    assert response.json()["d"]["results"][0]["Partner"] == "5000"


def test_deep_insert_without_item_number_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(
        client, token, to_Item={"results": [{"MaintNotifItemText": "x"}]}
    )

    assert response.status_code == 400


def test_failed_deep_insert_stores_nothing(client: httpx.Client, token: str) -> None:
    bad_item = {"MaintenanceNotificationItem": "1", "MaintNotifItemText": "x" * 41}

    response = create_notification(client, token, to_Item={"results": [bad_item]})

    assert response.status_code == 400
    listing = client.get("MaintenanceNotification", params={"$inlinecount": "allpages"})
    assert listing.json()["d"]["__count"] == "0"


def test_duplicate_item_numbers_are_rejected(client: httpx.Client, token: str) -> None:
    items = [{"MaintenanceNotificationItem": "1"}, {"MaintenanceNotificationItem": "01"}]

    response = create_notification(client, token, to_Item={"results": items})

    assert response.status_code == 400


def test_post_item_to_navigation(client: httpx.Client, token: str) -> None:
    number = create_notification(client, token).json()["d"]["MaintenanceNotification"]

    response = client.post(
        f"MaintenanceNotification('{number}')/to_Item",
        json={"MaintenanceNotificationItem": "2", "MaintNotifItemText": "Coupling misaligned"},
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 201
    assert response.json()["d"]["MaintenanceNotification"] == number


def test_post_cause_to_item_navigation(client: httpx.Client, token: str) -> None:
    number = create_notification(
        client, token, to_Item=[{"MaintenanceNotificationItem": "1"}]
    ).json()["d"]["MaintenanceNotification"]
    item = (
        f"MaintenanceNotificationItem(MaintenanceNotification='{number}',"
        "MaintenanceNotificationItem='1')"
    )

    response = client.post(
        f"{item}/to_ItemCause",
        json={"MaintenanceNotificationCause": "1", "MaintNotifCauseText": "Ageing"},
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 201
    causes = client.get(f"{item}/to_ItemCause").json()["d"]["results"]
    assert [cause["MaintNotifCauseText"] for cause in causes] == ["Ageing"]


def test_post_item_to_flat_set(client: httpx.Client, token: str) -> None:
    number = create_notification(client, token).json()["d"]["MaintenanceNotification"]

    response = client.post(
        "MaintenanceNotificationItem",
        json={"MaintenanceNotification": number, "MaintenanceNotificationItem": "3"},
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 201


def test_post_item_for_unknown_notification_gets_404(client: httpx.Client, token: str) -> None:
    response = client.post(
        "MaintenanceNotification('99999999')/to_Item",
        json={"MaintenanceNotificationItem": "1"},
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 404


def test_item_navigates_back_to_notification(client: httpx.Client, token: str) -> None:
    number = create_notification(
        client, token, to_Item=[{"MaintenanceNotificationItem": "1"}]
    ).json()["d"]["MaintenanceNotification"]

    response = client.get(
        f"MaintenanceNotificationItem(MaintenanceNotification='{number}',"
        "MaintenanceNotificationItem='0001')/to_Notif"
    )

    assert response.json()["d"]["MaintenanceNotification"] == number
