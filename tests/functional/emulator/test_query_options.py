"""System query options on the notification collection."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorConfig, EmulatorServer
from tests.functional.emulator.conftest import (
    JSON_HEADERS,
    SHARED_SSL_CONTEXT,
    create_notification,
    fetch_token,
)


@pytest.fixture
def numbers(client: httpx.Client, token: str) -> list[str]:
    rows = [
        ("M1", "1", "Alpha"),
        ("M2", "2", "Bravo"),
        ("M2", "3", "Charlie"),
        ("M3", "4", "Delta"),
    ]
    return [
        create_notification(
            client, token, NotificationType=kind, MaintPriority=priority, NotificationText=text
        ).json()["d"]["MaintenanceNotification"]
        for kind, priority, text in rows
    ]


def _texts(client: httpx.Client, **params: str) -> list[str]:
    response = client.get("MaintenanceNotification", params=params)
    assert response.status_code == 200, response.text
    return [row["NotificationText"] for row in response.json()["d"]["results"]]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("NotificationType eq 'M2'", ["Bravo", "Charlie"]),
        ("NotificationType ne 'M2'", ["Alpha", "Delta"]),
        ("MaintPriority gt '2'", ["Charlie", "Delta"]),
        ("MaintPriority ge '2' and MaintPriority lt '4'", ["Bravo", "Charlie"]),
        ("MaintPriority le '1' or NotificationType eq 'M3'", ["Alpha", "Delta"]),
        (
            "(NotificationType eq 'M1' or NotificationType eq 'M3') and MaintPriority eq '4'",
            ["Delta"],
        ),
        ("startswith(NotificationText,'Ch')", ["Charlie"]),
        ("substringof('ra', NotificationText)", ["Bravo"]),
        ("CreationDate ge datetime'2000-01-01T00:00:00'", ["Alpha", "Bravo", "Charlie", "Delta"]),
        ("LastChangeDateTime lt datetimeoffset'2000-01-01T00:00:00Z'", []),
    ],
)
def test_filter_expressions(
    client: httpx.Client, numbers: list[str], expression: str, expected: list[str]
) -> None:
    assert _texts(client, **{"$filter": expression}) == expected


def test_filter_unknown_property_gets_400(client: httpx.Client) -> None:
    response = client.get("MaintenanceNotification", params={"$filter": "Nope eq 'x'"})

    assert response.status_code == 400
    assert "Nope" in response.json()["error"]["message"]["value"]


def test_orderby_descending(client: httpx.Client, numbers: list[str]) -> None:
    assert _texts(client, **{"$orderby": "MaintPriority desc"}) == [
        "Delta",
        "Charlie",
        "Bravo",
        "Alpha",
    ]


def test_top_and_skip(client: httpx.Client, numbers: list[str]) -> None:
    assert _texts(client, **{"$top": "2", "$skip": "1"}) == ["Bravo", "Charlie"]


def test_inlinecount_is_a_string(client: httpx.Client, numbers: list[str]) -> None:
    response = client.get(
        "MaintenanceNotification", params={"$inlinecount": "allpages", "$top": "1"}
    )

    assert response.json()["d"]["__count"] == "4"


def test_select_limits_properties(client: httpx.Client, numbers: list[str]) -> None:
    response = client.get(
        "MaintenanceNotification", params={"$select": "MaintenanceNotification,NotificationText"}
    )

    row = response.json()["d"]["results"][0]
    assert set(row) == {"__metadata", "MaintenanceNotification", "NotificationText"}


def test_count_segment_returns_text(client: httpx.Client, numbers: list[str]) -> None:
    response = client.get(
        "MaintenanceNotification/$count", params={"$filter": "NotificationType eq 'M2'"}
    )

    assert response.text == "2"


def test_deferred_navigation_links(client: httpx.Client, numbers: list[str]) -> None:
    entity = client.get(f"MaintenanceNotification('{numbers[0]}')").json()["d"]

    assert entity["to_Item"]["__deferred"]["uri"].endswith(
        f"MaintenanceNotification('{numbers[0]}')/to_Item"
    )


def test_expand_unknown_navigation_gets_400(client: httpx.Client, numbers: list[str]) -> None:
    response = client.get("MaintenanceNotification", params={"$expand": "to_Nothing"})

    assert response.status_code == 400


def test_invalid_top_gets_400(client: httpx.Client) -> None:
    response = client.get("MaintenanceNotification", params={"$top": "-1"})

    assert response.status_code == 400


def test_unknown_entity_set_gets_404(client: httpx.Client) -> None:
    response = client.get("NoSuchSet")

    assert response.status_code == 404


@pytest.fixture
def paged() -> Iterator[httpx.Client]:
    with (
        EmulatorServer(EmulatorConfig(page_size=2)) as server,
        httpx.Client(
            base_url=server.service_url,
            auth=(DEMO_USER, DEMO_PASSWORD),
            headers=JSON_HEADERS,
            verify=SHARED_SSL_CONTEXT,
        ) as http,
    ):
        token = fetch_token(http)
        for text in ("Alpha", "Bravo", "Charlie", "Delta", "Echo"):
            create_notification(http, token, NotificationText=text)
        yield http


def _follow(http: httpx.Client, params: dict[str, str]) -> list[list[str]]:
    pages = []
    body = http.get("MaintenanceNotification", params=params).json()["d"]
    pages.append([row["NotificationText"] for row in body["results"]])
    while "__next" in body:
        body = http.get(body["__next"]).json()["d"]
        pages.append([row["NotificationText"] for row in body["results"]])
    return pages


def test_server_paging_follows_next_links(paged: httpx.Client) -> None:
    assert _follow(paged, {}) == [["Alpha", "Bravo"], ["Charlie", "Delta"], ["Echo"]]


def test_server_paging_keeps_top_and_skip(paged: httpx.Client) -> None:
    assert _follow(paged, {"$skip": "1", "$top": "3"}) == [["Bravo", "Charlie"], ["Delta"]]


def test_server_paging_keeps_filter(paged: httpx.Client) -> None:
    pages = _follow(paged, {"$filter": "NotificationText ne 'Bravo'"})

    assert pages == [["Alpha", "Charlie"], ["Delta", "Echo"]]


def test_small_result_has_no_next_link(paged: httpx.Client) -> None:
    body = paged.get("MaintenanceNotification", params={"$top": "2"}).json()["d"]

    assert "__next" not in body


def test_orderby_restricted_property_gets_400(client: httpx.Client) -> None:
    response = client.get(
        "MaintenanceNotification", params={"$orderby": "ConcatenatedActiveSystStsName"}
    )

    assert response.status_code == 400
    assert "not sortable" in response.json()["error"]["message"]["value"]


def test_filter_restricted_property_gets_400(client: httpx.Client) -> None:
    response = client.get(
        "MaintenanceNotification", params={"$filter": "ConcatenatedActiveSystStsName eq 'OSNO'"}
    )

    assert response.status_code == 400
