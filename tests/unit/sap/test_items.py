"""Unit tests of the notification item client against ``httpx.MockTransport``."""

from __future__ import annotations

import json

import httpx
import pytest

from monitron_sap.errors import InputError
from monitron_sap.sap.items import CodedEntry, ItemDraft, NotificationItemClient
from monitron_sap.sap.session import SapSession
from monitron_sap.sap.settings import SapConnectionSettings

DRAFT = ItemDraft(
    text="Misalignment",
    damage_code_group="MON-DMG",
    damage_code="D008",
    causes=(CodedEntry("Maintenance", "MON-CAU", "C004"),),
    activities=(CodedEntry("Adjust"),),
)


def existing_item(number: str, text: str = "Other") -> dict[str, object]:
    return {
        "MaintenanceNotification": "10000441",
        "MaintenanceNotificationItem": number,
        "MaintNotifItemText": text,
        "MaintNotifDamageCodeGroup": "",
        "MaintNotificationDamageCode": "",
    }


class FakeSap:
    def __init__(self, items: list[dict[str, object]]) -> None:
        self.items = items
        self.posted: list[dict[str, object]] = []
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("x-csrf-token") == "Fetch":
            return httpx.Response(200, headers={"x-csrf-token": "t"}, json={"d": {}})
        if request.method == "POST":
            body = json.loads(request.content)
            self.posted.append(body)
            return httpx.Response(201, json={"d": {**body, "MaintenanceNotification": "10000441"}})
        return httpx.Response(200, json={"d": {"results": self.items}})


def client_for(fake: FakeSap) -> NotificationItemClient:
    settings = SapConnectionSettings(base_url="http://sap.test", backoff_seconds=0.0)
    return NotificationItemClient(SapSession(settings, transport=httpx.MockTransport(fake)))


def test_add_item_posts_deep_insert() -> None:
    fake = FakeSap([existing_item("1"), existing_item("3")])

    with client_for(fake) as client:
        item = client.add_item("10000441", DRAFT)

    body = fake.posted[0]
    assert fake.requests[-1].url.path.endswith("/MaintenanceNotification('10000441')/to_Item")
    assert body["MaintenanceNotificationItem"] == "4"
    assert body["MaintNotifDamageCodeGroup"] == "MON-DMG"
    assert body["MaintNotificationDamageCode"] == "D008"
    assert body["to_ItemCause"] == {
        "results": [
            {
                "MaintenanceNotificationItem": "4",
                "MaintenanceNotificationCause": "1",
                "MaintNotifCauseText": "Maintenance",
                "MaintNotifCauseCodeGroup": "MON-CAU",
                "MaintNotificationCauseCode": "C004",
            }
        ]
    }
    assert body["to_ItemActivity"] == {
        "results": [
            {
                "MaintenanceNotificationItem": "4",
                "MaintNotificationActivity": "1",
                "MaintNotifActivitySortNumber": "1",
                "MaintNotifActyTxt": "Adjust",
            }
        ]
    }
    assert item.number == "4"


def test_list_expands_causes_and_activities() -> None:
    fake = FakeSap([])

    with client_for(fake) as client:
        client.list_items("10000441")

    assert fake.requests[-1].url.params["$expand"] == "to_ItemCause,to_ItemActivity"


def test_item_without_codes_sends_no_code_fields() -> None:
    fake = FakeSap([])

    with client_for(fake) as client:
        client.add_item("10000441", ItemDraft(text="Rotating looseness"))

    assert fake.posted[0] == {
        "MaintenanceNotificationItem": "1",
        "MaintNotifItemText": "Rotating looseness",
    }


def test_existing_same_item_not_added_again() -> None:
    stored = {
        **existing_item("2", "Misalignment"),
        "MaintNotifDamageCodeGroup": "MON-DMG",
        "MaintNotificationDamageCode": "D008",
    }
    fake = FakeSap([stored])

    with client_for(fake) as client:
        item = client.add_item("10000441", DRAFT)

    assert fake.posted == []
    assert item.number == "2"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": ""}, "item text"),
        ({"text": "x" * 41}, "item text"),
        ({"text": "t", "damage_code_group": "G"}, "both be set"),
        ({"text": "t", "damage_code_group": "TOO-LONG-G", "damage_code": "1"}, "code group"),
        ({"text": "t", "damage_code_group": "G", "damage_code": "12345"}, "code '12345'"),
    ],
)
def test_invalid_draft_rejected(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        ItemDraft(**kwargs)  # type: ignore[arg-type]
