"""Validation of notification creates: SAP-shaped errors with the right status."""

from __future__ import annotations

import httpx
import pytest

from tests.functional.emulator.conftest import create_notification


def _error(response: httpx.Response) -> dict[str, object]:
    error = response.json()["error"]
    assert isinstance(error, dict)
    return error


def test_missing_text_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, NotificationText="")

    assert response.status_code == 400
    assert "NotificationText" in response.json()["error"]["message"]["value"]


def test_text_over_40_characters_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, NotificationText="x" * 41)

    assert response.status_code == 400
    details = response.json()["error"]["innererror"]["errordetails"]
    assert details[0]["target"] == "/MaintenanceNotification/NotificationText"


def test_text_of_40_characters_is_accepted(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, NotificationText="x" * 40)

    assert response.status_code == 201


def test_unknown_notification_type_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, NotificationType="Z9")

    assert response.status_code == 400
    assert "Z9" in response.json()["error"]["message"]["value"]


def test_unknown_technical_object_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, TechnicalObject="99999999")

    assert response.status_code == 400
    assert response.json()["error"]["message"]["value"] == "Equipment 99999999 does not exist"


def test_wrong_object_kind_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, TechObjIsEquipOrFuncnlLoc="EAMS_FL")

    assert response.status_code == 400
    assert "EAMS_EQUI" in response.json()["error"]["message"]["value"]


def test_invalid_object_kind_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, TechObjIsEquipOrFuncnlLoc="EAMS_FLOC")

    assert response.status_code == 400


def test_object_without_kind_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, TechObjIsEquipOrFuncnlLoc=None)

    assert response.status_code == 400


def test_notification_without_object_is_accepted(client: httpx.Client, token: str) -> None:
    response = create_notification(
        client, token, TechnicalObject=None, TechObjIsEquipOrFuncnlLoc=None
    )

    assert response.status_code == 201


def test_equipment_is_stored_in_internal_form(client: httpx.Client, token: str) -> None:
    created = create_notification(client, token, TechnicalObject="0010000123").json()["d"]

    assert created["TechnicalObject"] == "000000000010000123"
    assert created["TechnicalObjectLabel"] == "10000123"


def test_functional_location_keeps_its_label(client: httpx.Client, token: str) -> None:
    created = create_notification(
        client,
        token,
        TechnicalObject="1010-cws-wcs-cwcp1",
        TechObjIsEquipOrFuncnlLoc="EAMS_FL",
    ).json()["d"]

    assert created["TechnicalObject"] == "1010-CWS-WCS-CWCP1"


@pytest.mark.parametrize(
    ("field", "length"),
    [
        ("MaintNotifExtReferenceNumber", 21),
        ("MaintNotifLongTextForEdit", 1334),
        ("MaintPriority", 2),
    ],
)
def test_field_over_max_length_is_rejected(
    client: httpx.Client, token: str, field: str, length: int
) -> None:
    response = create_notification(client, token, **{field: "1" * length})

    assert response.status_code == 400
    assert f"at most {length - 1}" in response.json()["error"]["message"]["value"]


def test_unknown_property_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, NoSuchField="x")

    assert response.status_code == 400
    assert "NoSuchField" in response.json()["error"]["message"]["value"]


def test_wrong_type_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, MalfunctionStartDate="yesterday")

    assert response.status_code == 400


def test_read_only_fields_are_ignored(client: httpx.Client, token: str) -> None:
    created = create_notification(
        client, token, NotifProcessingPhase="4", TechnicalObjectLabel="IGNORED"
    ).json()["d"]

    assert created["NotifProcessingPhase"] == "1"
    assert created["TechnicalObjectLabel"] == "10000123"


def test_malformed_json_is_rejected(client: httpx.Client, token: str) -> None:
    response = client.post(
        "MaintenanceNotification",
        content=b"{not json",
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "ZEMU/015"


def test_body_wrapped_in_d_is_accepted(client: httpx.Client, token: str) -> None:
    response = client.post(
        "MaintenanceNotification",
        json={"d": {"NotificationText": "Wrapped body"}},
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 201


def test_unknown_priority_is_rejected(client: httpx.Client, token: str) -> None:
    response = create_notification(client, token, MaintPriority="9")

    assert response.status_code == 400


def test_upper_case_fields_are_stored_upper_case(client: httpx.Client, token: str) -> None:
    created = create_notification(client, token, MaintNotifExtReferenceNumber="ev-1a").json()["d"]

    assert created["MaintNotifExtReferenceNumber"] == "EV-1A"


def test_dates_and_times_round_trip(client: httpx.Client, token: str) -> None:
    created = create_notification(
        client,
        token,
        MalfunctionStartDate="/Date(1714521600000)/",
        MalfunctionStartTime="PT08H30M00S",
    ).json()["d"]

    assert created["MalfunctionStartDate"] == "/Date(1714521600000)/"
    assert created["MalfunctionStartTime"] == "PT08H30M00S"
    assert created["MalfunctionStartDateTime"] == "/Date(1714552200000+0000)/"


def test_delete_is_not_allowed(client: httpx.Client, token: str) -> None:
    number = create_notification(client, token).json()["d"]["MaintenanceNotification"]

    response = client.delete(
        f"MaintenanceNotification('{number}')", headers={"X-CSRF-Token": token}
    )

    assert response.status_code == 405
