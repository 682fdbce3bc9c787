"""Unit tests of the attachment client against a scripted ``httpx.MockTransport``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import unquote

import httpx
import pytest

from monitron_sap.errors import (
    CreateOutcomeUnknownError,
    InputError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.sap.attachments import (
    ATTACHMENT_SERVICE_PATH,
    Attachment,
    AttachmentClient,
    attachment_settings,
    linked_object_key,
)
from monitron_sap.sap.session import SapSession
from monitron_sap.sap.settings import BasicAuth, SapConnectionSettings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TOKEN = "token-1"
KEY = {
    "DocumentInfoRecordDocType": "",
    "DocumentInfoRecordDocNumber": "",
    "DocumentInfoRecordDocVersion": "",
    "DocumentInfoRecordDocPart": "",
    "LogicalDocument": "AB12",
    "ArchiveDocumentID": "CD34",
    "LinkedSAPObjectKey": "000010000441",
    "BusinessObjectTypeName": "BUS2038",
}
Handler = Callable[[httpx.Request], httpx.Response]


def entity(file_name: str = "chart.png", size: int = len(PNG)) -> dict[str, object]:
    return {
        **KEY,
        "FileName": file_name,
        "FileSize": str(size),
        "MimeType": "image/png",
        "CreationDateTime": "/Date(1709251200000+0000)/",
    }


class FakeSap:
    """Fake SAP that returns a CSRF token on fetch and passes other requests to ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("x-csrf-token") == "Fetch":
            return httpx.Response(200, headers={"x-csrf-token": TOKEN}, json={"d": {}})
        return self.handler(request)

    def posts(self) -> list[httpx.Request]:
        return [request for request in self.requests if request.method == "POST"]


def client_for(fake: FakeSap) -> AttachmentClient:
    settings = attachment_settings(
        SapConnectionSettings(
            base_url="http://sap.test",
            auth=BasicAuth("MONITRON", "secret"),
            sap_client="100",
            max_retries=2,
            backoff_seconds=0.0,
        )
    )
    session = SapSession(settings, transport=httpx.MockTransport(fake), sleep=lambda _: None)
    return AttachmentClient(session)


@pytest.mark.parametrize(
    ("number", "expected"),
    [("10000441", "000010000441"), ("000010000441", "000010000441"), ("7", "000000000007")],
)
def test_linked_object_key_pads_to_12(number: str, expected: str) -> None:
    assert linked_object_key(number) == expected


@pytest.mark.parametrize("number", ["", "1000044A", "1234567890123", "-1"])
def test_linked_object_key_rejects_invalid(number: str) -> None:
    with pytest.raises(InputError, match="invalid for an attachment"):
        linked_object_key(number)


def test_settings_point_at_attachment_service() -> None:
    settings = attachment_settings(SapConnectionSettings(base_url="https://s4.example.com"))

    assert settings.service_root == "https://s4.example.com" + ATTACHMENT_SERVICE_PATH + "/"


def test_upload_sends_media_headers() -> None:
    fake = FakeSap(lambda request: httpx.Response(201, json={"d": entity()}))

    with client_for(fake) as client:
        attachment = client.upload("10000441", "chart.png", PNG)

    post = fake.posts()[0]
    assert post.url.path == ATTACHMENT_SERVICE_PATH + "/AttachmentContentSet"
    assert post.url.params["sap-client"] == "100"
    assert post.headers["slug"] == "chart.png"
    assert post.headers["businessobjecttypename"] == "BUS2038"
    assert post.headers["linkedsapobjectkey"] == "000010000441"
    assert post.headers["content-type"] == "image/png"
    assert post.headers["x-csrf-token"] == TOKEN
    assert post.content == PNG
    assert attachment.size == len(PNG)
    assert attachment.key == KEY


def test_list_quotes_function_parameters() -> None:
    fake = FakeSap(lambda request: httpx.Response(200, json={"d": {"results": [entity()]}}))

    with client_for(fake) as client:
        attachments = client.list_attachments("10000441")

    request = fake.requests[-1]
    assert request.url.path == ATTACHMENT_SERVICE_PATH + "/GetAllOriginals"
    assert request.url.params["BusinessObjectTypeName"] == "'BUS2038'"
    assert request.url.params["LinkedSAPObjectKey"] == "'000010000441'"
    assert [attachment.file_name for attachment in attachments] == ["chart.png"]


def test_download_reads_value_of_key() -> None:
    fake = FakeSap(lambda request: httpx.Response(200, content=PNG))
    attachment = Attachment("chart.png", "image/png", len(PNG), "BUS2038", "000010000441", KEY)

    with client_for(fake) as client:
        content = client.download(attachment)

    path = unquote(fake.requests[-1].url.path)
    assert path.endswith("/$value")
    assert "LinkedSAPObjectKey='000010000441'" in path
    assert "DocumentInfoRecordDocType=''" in path
    assert content == PNG


class LostUpload:
    """Fails the first upload with ``failure``; lists ``listed`` (or fails listing with 503)."""

    def __init__(self, failure: httpx.Response | Exception, listed: list[dict[str, object]] | None):
        self.failure = failure
        self.listed = listed
        self.uploads = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.uploads += 1
            if self.uploads == 1:
                if isinstance(self.failure, Exception):
                    raise self.failure
                return self.failure
            return httpx.Response(201, json={"d": entity()})
        if self.listed is None:
            return httpx.Response(503, text="down")
        return httpx.Response(200, json={"d": {"results": self.listed}})


def test_lost_response_returns_stored_file() -> None:
    handler = LostUpload(httpx.ReadTimeout("timed out"), listed=[entity()])
    fake = FakeSap(handler)

    with client_for(fake) as client:
        attachment = client.upload("10000441", "chart.png", PNG)

    assert handler.uploads == 1
    assert attachment.file_name == "chart.png"


def test_lost_response_uploads_again_when_absent() -> None:
    handler = LostUpload(httpx.Response(503, text="down"), listed=[entity("other.png")])
    fake = FakeSap(handler)

    with client_for(fake) as client:
        client.upload("10000441", "chart.png", PNG)

    assert handler.uploads == 2


def test_same_name_other_size_is_not_a_match() -> None:
    handler = LostUpload(httpx.ReadTimeout("timed out"), listed=[entity(size=3)])
    fake = FakeSap(handler)

    with client_for(fake) as client:
        client.upload("10000441", "chart.png", PNG)

    assert handler.uploads == 2


def test_lost_response_and_failed_listing_is_unknown() -> None:
    handler = LostUpload(httpx.ReadTimeout("timed out"), listed=None)
    fake = FakeSap(handler)

    with client_for(fake) as client, pytest.raises(CreateOutcomeUnknownError) as caught:
        client.upload("10000441", "chart.png", PNG)

    assert "list the attachments before uploading it again" in str(caught.value)
    assert handler.uploads == 1


def test_throttled_upload_retried_without_listing() -> None:
    handler = LostUpload(httpx.Response(429, text="slow down"), listed=None)
    fake = FakeSap(handler)

    with client_for(fake) as client:
        client.upload("10000441", "chart.png", PNG)

    assert handler.uploads == 2
    assert not any("GetAllOriginals" in request.url.path for request in fake.requests)


def test_retries_are_bounded() -> None:
    fake = FakeSap(lambda request: httpx.Response(429, text="slow down"))

    with client_for(fake) as client, pytest.raises(SapUnavailableError):
        client.upload("10000441", "chart.png", PNG)

    assert len(fake.posts()) == 3


@pytest.mark.parametrize("file_name", ["", "chart\n.png", "diagramm-\u00fc.png", "x" * 256])
def test_upload_rejects_bad_file_name(file_name: str) -> None:
    fake = FakeSap(lambda request: httpx.Response(201, json={"d": entity()}))

    with client_for(fake) as client, pytest.raises(InputError, match="file name"):
        client.upload("10000441", file_name, PNG)

    assert fake.requests == []


def test_upload_rejects_empty_content() -> None:
    fake = FakeSap(lambda request: httpx.Response(201, json={"d": entity()}))

    with client_for(fake) as client, pytest.raises(InputError, match="is empty"):
        client.upload("10000441", "chart.png", b"")


def test_unexpected_list_response_is_rejected() -> None:
    fake = FakeSap(
        lambda request: httpx.Response(200, json={"d": {"results": [{"FileName": "x"}]}})
    )

    with client_for(fake) as client, pytest.raises(SapRejectedError, match="unexpected response"):
        client.list_attachments("10000441")


def test_logs_hold_no_credentials(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeSap(lambda request: httpx.Response(201, json={"d": entity()}))
    caplog.set_level(logging.DEBUG)

    with client_for(fake) as client:
        client.upload("10000441", "chart.png", PNG)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "chart.png" in logged
    assert "secret" not in logged
    assert TOKEN not in logged
    assert fake.posts()[0].headers["authorization"].split()[1] not in logged
