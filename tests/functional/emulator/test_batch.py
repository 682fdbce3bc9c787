"""$batch: reads outside changesets, all-or-nothing changesets, and SAP's pyodata client."""

from __future__ import annotations

import email.parser
import logging

import httpx
import pyodata
import requests

from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorServer
from tests.functional.emulator.conftest import create_notification

BOUNDARY = "batch_1"


def _request_part(method: str, path: str, body: str = "") -> str:
    return (
        "Content-Type: application/http\r\n"
        "Content-Transfer-Encoding: binary\r\n\r\n"
        f"{method} {path} HTTP/1.1\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n\r\n"
        f"{body}\r\n"
    )


def _changeset(*parts: str) -> str:
    inner = "".join(f"--changeset_1\r\n{part}" for part in parts)
    return f"Content-Type: multipart/mixed; boundary=changeset_1\r\n\r\n{inner}--changeset_1--\r\n"


def _batch(client: httpx.Client, token: str, *parts: str) -> httpx.Response:
    body = "".join(f"--{BOUNDARY}\r\n{part}" for part in parts) + f"--{BOUNDARY}--\r\n"
    return client.post(
        "$batch",
        content=body.encode(),
        headers={
            "X-CSRF-Token": token,
            "Content-Type": f"multipart/mixed; boundary={BOUNDARY}",
        },
    )


def _statuses(response: httpx.Response) -> list[int]:
    """Return the status codes of the HTTP responses inside a batch response, in order."""
    document = f"Content-Type: {response.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser().parsebytes(document + response.content)
    statuses = []
    for part in message.walk():
        if part.get_content_type() == "application/http":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            statuses.append(int(payload.split()[1]))
    return statuses


def _count(client: httpx.Client) -> int:
    return int(client.get("MaintenanceNotification/$count").text)


def test_batch_answers_202_with_parts(client: httpx.Client, token: str) -> None:
    create = '{"NotificationText": "From batch"}'

    response = _batch(
        client,
        token,
        _changeset(_request_part("POST", "MaintenanceNotification", create)),
        _request_part("GET", "MaintenanceNotification?$top=1"),
    )

    assert response.status_code == 202
    assert _statuses(response) == [201, 200]


def test_changeset_applies_all(client: httpx.Client, token: str) -> None:
    first = _request_part("POST", "MaintenanceNotification", '{"NotificationText": "One"}')
    second = _request_part("POST", "MaintenanceNotification", '{"NotificationText": "Two"}')

    _batch(client, token, _changeset(first, second))

    assert _count(client) == 2


def test_failed_changeset_applies_nothing(client: httpx.Client, token: str) -> None:
    good = _request_part("POST", "MaintenanceNotification", '{"NotificationText": "Good"}')
    bad = _request_part("POST", "MaintenanceNotification", '{"NotificationText": ""}')

    response = _batch(client, token, _changeset(good, bad))

    assert _statuses(response) == [400]
    assert _count(client) == 0


def test_failed_changeset_undoes_updates(client: httpx.Client, token: str) -> None:
    number = create_notification(client, token).json()["d"]["MaintenanceNotification"]
    update = _request_part(
        "MERGE", f"MaintenanceNotification('{number}')", '{"NotificationText": "Changed"}'
    )
    bad = _request_part("POST", "MaintenanceNotification", '{"NotificationType": "Z9"}')

    conditional = update.replace("\r\n\r\n{", "\r\nIf-Match: *\r\n\r\n{")

    response = _batch(client, token, _changeset(conditional, bad))

    assert _statuses(response) == [400]
    text = client.get(f"MaintenanceNotification('{number}')").json()["d"]["NotificationText"]
    assert text == "Pump P-101 bearing noise"


def test_batch_needs_csrf_token(client: httpx.Client) -> None:
    response = _batch(client, "", _request_part("GET", "MaintenanceNotification"))

    assert response.status_code == 403


def test_modifying_request_outside_changeset_is_rejected(client: httpx.Client, token: str) -> None:
    create = _request_part("POST", "MaintenanceNotification", '{"NotificationText": "Loose"}')

    response = _batch(client, token, create)

    assert response.status_code == 400


def test_batch_without_multipart_is_rejected(client: httpx.Client, token: str) -> None:
    response = client.post(
        "$batch",
        content=b"{}",
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )

    assert response.status_code == 400


def test_pyodata_batch_creates(sap: EmulatorServer) -> None:
    logging.getLogger("pyodata").setLevel(logging.ERROR)
    session = requests.Session()
    session.auth = (DEMO_USER, DEMO_PASSWORD)
    fetched = session.get(sap.service_url, headers={"x-csrf-token": "fetch"})
    session.headers["x-csrf-token"] = fetched.headers["x-csrf-token"]
    client = pyodata.Client(sap.service_url, session)
    batch = client.create_batch()
    changeset = client.create_changeset()
    for text in ("First in batch", "Second in batch"):
        create = client.entity_sets.MaintenanceNotification.create_entity()
        changeset.add_request(create.set(NotificationText=text, NotificationType="M1"))
    batch.add_request(changeset)

    results = batch.execute()

    created = results[0]
    assert [entity.NotificationText for entity in created] == ["First in batch", "Second in batch"]
