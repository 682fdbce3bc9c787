"""Service document, $metadata, authentication, sap-client and CSRF over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorConfig, EmulatorServer
from tests.functional.emulator.conftest import JSON_HEADERS, create_notification, fetch_token


def test_service_document_lists_entity_sets(client: httpx.Client) -> None:
    response = client.get("")

    assert response.status_code == 200
    assert "MaintenanceNotification" in response.json()["d"]["EntitySets"]


def test_service_root_without_trailing_slash(sap: EmulatorServer) -> None:
    response = httpx.get(
        sap.service_url.rstrip("/"), auth=(DEMO_USER, DEMO_PASSWORD), headers=JSON_HEADERS
    )

    assert response.status_code == 200


def test_service_document_is_xml_without_json_request(sap: EmulatorServer) -> None:
    response = httpx.get(sap.service_url, auth=(DEMO_USER, DEMO_PASSWORD))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atomsvc+xml")


def test_metadata_is_edmx(client: httpx.Client) -> None:
    response = client.get("$metadata")

    assert response.status_code == 200
    assert b"cds_api_maintnotification" in response.content


def test_missing_credentials_get_401_with_realm(sap: EmulatorServer) -> None:
    response = httpx.get(sap.service_url, headers=JSON_HEADERS)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        'Basic realm="SAP NetWeaver Application Server [EMU/100]"'
    )


def test_wrong_password_gets_401(sap: EmulatorServer) -> None:
    response = httpx.get(sap.service_url, auth=(DEMO_USER, "wrong"), headers=JSON_HEADERS)

    assert response.status_code == 401


def test_user_name_is_case_insensitive(sap: EmulatorServer) -> None:
    response = httpx.get(sap.service_url, auth=("monitron", DEMO_PASSWORD), headers=JSON_HEADERS)

    assert response.status_code == 200


def test_unknown_sap_client_gets_401(sap: EmulatorServer) -> None:
    response = httpx.get(
        sap.service_url,
        params={"sap-client": "200"},
        auth=(DEMO_USER, DEMO_PASSWORD),
        headers=JSON_HEADERS,
    )

    assert response.status_code == 401
    assert "client 200" in response.text


def test_token_fetch_sets_session_cookie(client: httpx.Client) -> None:
    response = client.get("", headers={"X-CSRF-Token": "Fetch"})

    assert len(response.headers["x-csrf-token"]) == 24
    assert "SAP_SESSIONID_EMU_100" in response.cookies


def test_second_fetch_in_session_returns_same_token(client: httpx.Client) -> None:
    first = fetch_token(client)
    second = fetch_token(client)

    assert first == second


def test_post_without_token_gets_403_required(client: httpx.Client) -> None:
    fetch_token(client)

    response = create_notification(client, "")

    assert response.status_code == 403
    assert response.headers["x-csrf-token"] == "Required"
    assert response.text == "CSRF token validation failed"


def test_token_without_session_cookie_is_rejected(
    sap: EmulatorServer, client: httpx.Client
) -> None:
    token = fetch_token(client)
    client.cookies.clear()

    response = create_notification(client, token)

    assert response.status_code == 403
    assert response.headers["x-csrf-token"] == "Required"


def test_token_with_valid_cookie_creates(client: httpx.Client) -> None:
    token = fetch_token(client)

    response = create_notification(client, token)

    assert response.status_code == 201


def test_unknown_service_path_gets_403(sap: EmulatorServer) -> None:
    response = httpx.get(
        f"{sap.base_url}/sap/opu/odata/sap/API_UNKNOWN/",
        auth=(DEMO_USER, DEMO_PASSWORD),
        headers=JSON_HEADERS,
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "/IWFND/MED/170"


def test_entity_request_without_json_accept_gets_406(sap: EmulatorServer) -> None:
    response = httpx.get(
        sap.service_url + "MaintenanceNotification", auth=(DEMO_USER, DEMO_PASSWORD)
    )

    assert response.status_code == 406


def test_format_json_query_option_is_enough(sap: EmulatorServer) -> None:
    response = httpx.get(
        sap.service_url + "MaintenanceNotification",
        params={"$format": "json"},
        auth=(DEMO_USER, DEMO_PASSWORD),
    )

    assert response.status_code == 200


def test_required_sap_client_missing_gets_401() -> None:
    with EmulatorServer(EmulatorConfig(require_sap_client=True)) as server:
        response = httpx.get(
            server.service_url, auth=(DEMO_USER, DEMO_PASSWORD), headers=JSON_HEADERS
        )

    assert response.status_code == 401
    assert "sap-client" in response.text


def test_required_sap_client_given_passes() -> None:
    with EmulatorServer(EmulatorConfig(require_sap_client=True)) as server:
        response = httpx.get(
            server.service_url,
            params={"sap-client": "100"},
            auth=(DEMO_USER, DEMO_PASSWORD),
            headers=JSON_HEADERS,
        )

    assert response.status_code == 200


def test_chunked_body_gets_411(sap: EmulatorServer, client: httpx.Client, token: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"NotificationText": "Chunked"}'

    response = client.post(
        "MaintenanceNotification",
        content=chunks(),
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )

    assert response.status_code == 411
