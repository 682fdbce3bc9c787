"""Fault injection at start (configuration) and at run time (Python API, admin endpoint)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from monitron_sap.emulator import (
    DEMO_PASSWORD,
    DEMO_USER,
    EmulatorConfig,
    EmulatorServer,
    FaultSettings,
)
from monitron_sap.emulator.admin import handle_admin
from tests.functional.emulator.conftest import JSON_HEADERS, create_notification, fetch_token


def _client(server: EmulatorServer) -> httpx.Client:
    return httpx.Client(
        base_url=server.service_url,
        auth=(DEMO_USER, DEMO_PASSWORD),
        headers=JSON_HEADERS,
        timeout=10,
    )


def _statuses(server: EmulatorServer, count: int) -> list[int]:
    with _client(server) as http:
        return [http.get("").status_code for _ in range(count)]


@pytest.fixture
def faulty(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    settings: FaultSettings = request.param
    with EmulatorServer(EmulatorConfig(faults=settings)) as server:
        yield server


@pytest.mark.parametrize("faulty", [FaultSettings(error_rate=1.0, error_status=429)], indirect=True)
def test_configured_429_has_retry_after(faulty: EmulatorServer) -> None:
    with _client(faulty) as http:
        response = http.get("")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"


@pytest.mark.parametrize("faulty", [FaultSettings(error_rate=0.5, seed=7)], indirect=True)
def test_error_share_is_roughly_kept(faulty: EmulatorServer) -> None:
    statuses = _statuses(faulty, 200)

    assert 60 <= statuses.count(503) <= 140
    assert set(statuses) == {200, 503}


def test_same_seed_gives_same_faults() -> None:
    runs = []
    for _ in range(2):
        with EmulatorServer(
            EmulatorConfig(faults=FaultSettings(error_rate=0.3, seed=42))
        ) as server:
            runs.append(_statuses(server, 30))

    assert runs[0] == runs[1]


def test_fail_next_answers_exact_count(sap: EmulatorServer) -> None:
    sap.faults.fail_next(2, status=500)

    assert _statuses(sap, 3) == [500, 500, 200]


def test_delay_slows_responses(sap: EmulatorServer) -> None:
    sap.faults.update(delay_seconds=0.3)

    started = time.perf_counter()
    _statuses(sap, 1)

    assert time.perf_counter() - started >= 0.3


def test_head_not_supported(sap: EmulatorServer) -> None:
    sap.faults.update(head_not_supported=True)

    with _client(sap) as http:
        response = http.head("", headers={"X-CSRF-Token": "Fetch"})

    assert response.status_code == 405
    assert "x-csrf-token" not in response.headers


def test_head_fetches_token_by_default(sap: EmulatorServer) -> None:
    with _client(sap) as http:
        response = http.head("", headers={"X-CSRF-Token": "Fetch"})

    assert response.status_code == 200
    assert response.headers["x-csrf-token"]


def test_lost_response_still_creates(sap: EmulatorServer, client: httpx.Client) -> None:
    token = fetch_token(client)
    sap.faults.drop_next_create_responses(1)

    with pytest.raises(httpx.RemoteProtocolError):
        create_notification(client, token, MaintNotifExtReferenceNumber="LOST-1")

    found = client.get(
        "MaintenanceNotification", params={"$filter": "MaintNotifExtReferenceNumber eq 'LOST-1'"}
    )
    assert len(found.json()["d"]["results"]) == 1


def test_lost_response_share_from_config() -> None:
    settings = FaultSettings(lost_response_rate=1.0)
    with EmulatorServer(EmulatorConfig(faults=settings)) as server, _client(server) as http:
        token = fetch_token(http)

        with pytest.raises(httpx.RemoteProtocolError):
            create_notification(http, token)


def test_expired_tokens_get_403_required(sap: EmulatorServer, client: httpx.Client) -> None:
    token = fetch_token(client)
    sap.faults.expire_csrf_tokens()

    response = create_notification(client, token)

    assert response.status_code == 403
    assert response.headers["x-csrf-token"] == "Required"


def test_refetch_after_expiry_gives_new_token(sap: EmulatorServer, client: httpx.Client) -> None:
    old_token = fetch_token(client)
    sap.faults.expire_csrf_tokens()

    new_token = fetch_token(client)

    assert new_token != old_token
    assert create_notification(client, new_token).status_code == 201


def test_token_lifetime_from_config() -> None:
    settings = FaultSettings(csrf_token_lifetime_seconds=0.05)
    with EmulatorServer(EmulatorConfig(faults=settings)) as server, _client(server) as http:
        token = fetch_token(http)
        time.sleep(0.1)

        response = create_notification(http, token)

    assert response.status_code == 403


def test_admin_endpoint_sets_faults(sap: EmulatorServer) -> None:
    response = httpx.post(
        f"{sap.base_url}/emulator/faults", json={"error_rate": 1.0, "error_status": 502}
    )

    assert response.status_code == 200
    assert response.json()["error_rate"] == 1.0
    assert _statuses(sap, 1) == [502]


def test_admin_endpoint_one_shot_actions(sap: EmulatorServer) -> None:
    httpx.post(f"{sap.base_url}/emulator/faults", json={"fail_next": 1, "fail_next_status": 429})

    assert _statuses(sap, 2) == [429, 200]


def test_admin_endpoint_reset(sap: EmulatorServer) -> None:
    sap.faults.update(error_rate=1.0)

    httpx.post(f"{sap.base_url}/emulator/faults", json={"reset": True})

    assert _statuses(sap, 1) == [200]


def test_admin_endpoint_rejects_unknown_field(sap: EmulatorServer) -> None:
    response = httpx.post(f"{sap.base_url}/emulator/faults", json={"explode": True})

    assert response.status_code == 400
    assert "explode" in response.text


def test_admin_endpoint_rejects_invalid_share(sap: EmulatorServer) -> None:
    response = httpx.post(f"{sap.base_url}/emulator/faults", json={"error_rate": 2})

    assert response.status_code == 400


def test_request_count_by_kind(sap: EmulatorServer, client: httpx.Client) -> None:
    token = fetch_token(client)
    create_notification(client, token)
    create_notification(client, token)

    counts = sap.request_count

    assert counts["POST MaintenanceNotification"] == 2
    assert counts["GET service-document"] == 1
    assert counts.total() == 3


def test_admin_requests_endpoint(sap: EmulatorServer, client: httpx.Client) -> None:
    fetch_token(client)

    response = httpx.get(f"{sap.base_url}/emulator/requests")

    assert response.json()["total"] == 1


def test_admin_endpoint_rejects_remote_clients(sap: EmulatorServer) -> None:
    response = handle_admin(
        sap.faults, Counter(), "192.0.2.10", "POST", "/emulator/faults", b'{"error_rate": 1}'
    )

    assert response.status == 403
    assert sap.faults.settings.error_rate == 0.0


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"fail_next": -3}, "fail_next is -3; it must not be negative"),
        ({"error_rate": "x"}, "error_rate is 'x'; expected a finite number"),
        ({"error_status": 502.5}, "error_status is 502.5; expected an integer"),
        ({"head_not_supported": "yes"}, "head_not_supported is 'yes'; expected true or false"),
        ({"fail_next": 1, "fail_next_status": 404}, "429 or a 5xx status"),
    ],
)
def test_admin_endpoint_rejects_invalid_values(
    sap: EmulatorServer, payload: dict[str, object], expected: str
) -> None:
    response = httpx.post(f"{sap.base_url}/emulator/faults", json=payload)

    assert response.status_code == 400
    assert expected in response.text
    assert sap.faults.snapshot()["pending_failures"] == 0
