"""The emulated API_CV_ATTACHMENT_SRV over real HTTP, spoken to with plain httpx."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from monitron_sap.emulator.attachments import register_attachment_service
from monitron_sap.emulator.config import EmulatorConfig
from monitron_sap.emulator.server import EmulatorServer
from tests.functional.attachments.conftest import (
    ATTACHMENT_ROOT,
    authorized_client,
    create_notification,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def upload(
    http: httpx.Client, object_key: str, *, file_name: str = "chart.png", **headers: str
) -> httpx.Response:
    request_headers = {
        "Content-Type": "image/png",
        "Slug": file_name,
        "BusinessObjectTypeName": "BUS2038",
        "LinkedSAPObjectKey": object_key,
        **headers,
    }
    return http.post(
        ATTACHMENT_ROOT + "/AttachmentContentSet", content=PNG, headers=request_headers
    )


def originals(http: httpx.Client, object_key: str) -> httpx.Response:
    return http.get(
        ATTACHMENT_ROOT + "/GetAllOriginals",
        params={"BusinessObjectTypeName": "'BUS2038'", "LinkedSAPObjectKey": f"'{object_key}'"},
    )


def test_upload_returns_created_entity(http: httpx.Client, notification: str) -> None:
    response = upload(http, notification.zfill(12))

    entity = response.json()["d"]
    assert response.status_code == 201
    assert entity["FileName"] == "chart.png"
    assert entity["FileSize"] == str(len(PNG))
    assert entity["MimeType"] == "image/png"
    assert entity["LinkedSAPObjectKey"] == notification.zfill(12)
    assert entity["CreatedByUser"] == "MONITRON"
    assert response.headers["location"] == entity["__metadata"]["uri"]
    assert entity["__metadata"]["media_src"].endswith("/$value")


def test_get_all_originals_lists_uploads(http: httpx.Client, notification: str) -> None:
    upload(http, notification.zfill(12), file_name="first.png")
    upload(http, notification.zfill(12), file_name="second.png")

    response = originals(http, notification.zfill(12))

    names = [entity["FileName"] for entity in response.json()["d"]["results"]]
    assert response.status_code == 200
    assert names == ["first.png", "second.png"]


def test_originals_of_other_object_are_empty(http: httpx.Client, notification: str) -> None:
    upload(http, notification.zfill(12))

    response = originals(http, "000099999999")

    assert response.json()["d"]["results"] == []


def test_value_returns_uploaded_bytes(http: httpx.Client, notification: str) -> None:
    media_src = upload(http, notification.zfill(12)).json()["d"]["__metadata"]["media_src"]

    response = http.get(media_src)

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == PNG


def test_attachment_count(http: httpx.Client, notification: str) -> None:
    upload(http, notification.zfill(12))

    response = http.get(
        ATTACHMENT_ROOT + "/GetAttachmentCount",
        params={
            "BusinessObjectTypeName": "'BUS2038'",
            "LinkedSAPObjectKey": f"'{notification.zfill(12)}'",
        },
    )

    assert response.json()["d"]["GetAttachmentCount"] == 1


def test_delete_removes_attachment(http: httpx.Client, notification: str) -> None:
    uri = upload(http, notification.zfill(12)).json()["d"]["__metadata"]["uri"]

    deleted = http.delete(uri)

    assert deleted.status_code == 204
    assert originals(http, notification.zfill(12)).json()["d"]["results"] == []
    assert http.get(uri).status_code == 404


@pytest.mark.parametrize(
    ("object_key", "headers", "status", "target"),
    [
        ("UNPADDED", {}, 400, "LinkedSAPObjectKey"),
        ("PADDED", {"BusinessObjectTypeName": "PMQMEL"}, 400, "BusinessObjectTypeName"),
        ("PADDED", {"Slug": ""}, 400, "Slug"),
        ("000099999999", {}, 404, "LinkedSAPObjectKey"),
    ],
)
def test_invalid_upload_rejected(
    http: httpx.Client,
    notification: str,
    object_key: str,
    headers: dict[str, str],
    status: int,
    target: str,
) -> None:
    key = {"UNPADDED": notification, "PADDED": notification.zfill(12)}.get(object_key, object_key)

    response = upload(http, key, **headers)

    assert response.status_code == status
    assert response.json()["error"]["innererror"]["errordetails"][0]["target"] == target


def test_missing_parameter_rejected(http: httpx.Client) -> None:
    response = http.get(
        ATTACHMENT_ROOT + "/GetAllOriginals", params={"BusinessObjectTypeName": "'BUS2038'"}
    )

    assert response.status_code == 400
    assert "LinkedSAPObjectKey is missing" in response.json()["error"]["message"]["value"]


def test_upload_without_csrf_token_rejected(http: httpx.Client, notification: str) -> None:
    del http.headers["X-CSRF-Token"]

    response = upload(http, notification.zfill(12))

    assert response.status_code == 403
    assert response.headers["x-csrf-token"] == "Required"


def test_wrong_sap_client_rejected(http: httpx.Client, notification: str) -> None:
    response = http.get(ATTACHMENT_ROOT + "/", params={"sap-client": "200"})

    assert response.status_code == 401


def test_unknown_user_rejected(sap: EmulatorServer) -> None:
    response = httpx.get(sap.base_url + ATTACHMENT_ROOT + "/", auth=("MONITRON", "wrong"))

    assert response.status_code == 401


def test_injected_fault_applies(sap: EmulatorServer, http: httpx.Client) -> None:
    sap.faults.fail_next(1, status=503)

    response = http.get(ATTACHMENT_ROOT + "/")

    assert response.status_code == 503


def test_metadata_declares_media_entity(http: httpx.Client) -> None:
    response = http.get(ATTACHMENT_ROOT + "/$metadata")

    assert response.status_code == 200
    assert b'HasStream="true"' in response.content
    assert b'Name="GetAllOriginals"' in response.content


def test_key_url_reads_entity(http: httpx.Client, notification: str) -> None:
    uri = upload(http, notification.zfill(12)).json()["d"]["__metadata"]["uri"]

    response = http.get(quote(uri, safe=":/?=&'(),$"))

    assert response.json()["d"]["FileName"] == "chart.png"


def test_attachments_survive_restart(tmp_path: Path) -> None:
    config = EmulatorConfig(db_path=tmp_path / "sap.sqlite")
    with EmulatorServer(config) as first:
        register_attachment_service(first)
        with closing(authorized_client(first)) as http:
            number = create_notification(http)
            upload(http, number.zfill(12))

    with EmulatorServer(config) as second:
        register_attachment_service(second)
        with closing(authorized_client(second)) as http:
            listed = originals(http, number.zfill(12)).json()["d"]["results"]
            content = http.get(listed[0]["__metadata"]["media_src"]).content

    assert content == PNG
