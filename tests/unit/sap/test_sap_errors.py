"""SAP error bodies and httpx exceptions translated into the product's exception tree."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import httpx
import pytest

from monitron_sap.errors import (
    ConfigurationError,
    MonitronSapError,
    PermanentError,
    RetryableError,
    SapAuthorizationError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.sap.errors import (
    SapLockedError,
    SapNotFoundError,
    SapPreconditionFailedError,
    SapServiceUnavailableError,
    SapThrottledError,
    SapTransportError,
    error_from_response,
    error_from_transport,
    parse_error_body,
    parse_retry_after,
)
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.settings import SapConnectionSettings

SAP_ERROR = {
    "error": {
        "code": "IM/999",
        "message": {"lang": "en", "value": "Equipment 99999999 does not exist"},
        "innererror": {
            "transactionid": "6F1C",
            "errordetails": [
                {"code": "IM/999", "message": "Equipment 99999999 does not exist"},
                {"code": "/IWBEP/CX_MGW_BUSI_EXCEPTION", "message": "Business error"},
                {"severity": "info"},
            ],
        },
    }
}


def response(status: int, body: object = None, **headers: str) -> httpx.Response:
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def test_parse_error_body_reads_code_message_details() -> None:
    parsed = parse_error_body(response(400, SAP_ERROR).content, "application/json")

    assert parsed.code == "IM/999"
    assert parsed.text == "Equipment 99999999 does not exist"
    assert parsed.details == (
        "IM/999: Equipment 99999999 does not exist",
        "/IWBEP/CX_MGW_BUSI_EXCEPTION: Business error",
    )


def test_parse_error_body_keeps_plain_text() -> None:
    parsed = parse_error_body(b"CSRF token validation failed", "text/plain")

    assert parsed.code is None
    assert parsed.text == "CSRF token validation failed"


def test_parse_error_body_survives_invalid_json() -> None:
    parsed = parse_error_body(b"{not json", "application/json")

    assert parsed.text == "{not json"


@pytest.mark.parametrize(
    ("status", "body", "expected", "base"),
    [
        (400, SAP_ERROR, SapRejectedError, PermanentError),
        (401, None, SapAuthorizationError, PermanentError),
        (403, None, SapAuthorizationError, PermanentError),
        (404, None, SapNotFoundError, PermanentError),
        (408, None, SapUnavailableError, RetryableError),
        (409, None, SapLockedError, RetryableError),
        (412, None, SapPreconditionFailedError, PermanentError),
        (423, None, SapLockedError, RetryableError),
        (428, None, SapPreconditionFailedError, PermanentError),
        (429, None, SapThrottledError, RetryableError),
        (500, SAP_ERROR, SapUnavailableError, RetryableError),
        (502, None, SapUnavailableError, RetryableError),
        (503, None, SapServiceUnavailableError, RetryableError),
    ],
)
def test_status_decides_error_class(
    status: int, body: object, expected: type[Exception], base: type[Exception]
) -> None:
    error = error_from_response(response(status, body), "create notification X")

    assert type(error) is expected
    assert isinstance(error, base)
    assert error.status == status
    assert str(error).startswith(f"create notification X failed: HTTP {status}")


def test_rejection_message_names_sap_code_and_text() -> None:
    error = error_from_response(response(400, SAP_ERROR), "create notification X")

    assert str(error) == (
        "create notification X failed: HTTP 400 IM/999: Equipment 99999999 does not exist"
    )
    assert error.code == "IM/999"
    assert len(error.details) == 2


@pytest.mark.parametrize(
    "error_body",
    [
        {"error": {"code": "MC/601", "message": {"value": "Objekt gesperrt"}}},
        {"error": {"code": "IM/1", "message": {"value": "Notification 1 is locked by JDOE"}}},
        {
            "error": {
                "code": "/IWBEP/CM_MGW_RT/000",
                "message": {"value": "Error"},
                "innererror": {"errordetails": [{"code": "MC/601", "message": "x"}]},
            }
        },
        {"error": {"code": "IM/2", "message": {"value": "Currently being processed by X"}}},
    ],
)
def test_lock_conflicts_are_retryable(error_body: object) -> None:
    error = error_from_response(response(400, error_body), "update notification 1")

    assert isinstance(error, SapLockedError)
    assert isinstance(error, RetryableError)


def test_429_reads_retry_after_seconds() -> None:
    error = error_from_response(response(429, None, **{"retry-after": "12"}), "read")

    assert isinstance(error, SapThrottledError)
    assert error.retry_after == 12.0


def test_retry_after_http_date() -> None:
    now = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)

    assert parse_retry_after("Wed, 01 May 2024 08:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 May 2024 07:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


REQUEST = httpx.Request("POST", "https://sap.test/x")


@pytest.mark.parametrize(
    ("exception", "may_have_reached_sap"),
    [
        (httpx.ConnectError("refused", request=REQUEST), False),
        (httpx.ConnectTimeout("slow", request=REQUEST), False),
        (httpx.PoolTimeout("pool", request=REQUEST), False),
        (httpx.ReadTimeout("read", request=REQUEST), True),
        (httpx.WriteTimeout("write", request=REQUEST), True),
        (httpx.ReadError("reset", request=REQUEST), True),
        (httpx.WriteError("broken pipe", request=REQUEST), True),
        (httpx.RemoteProtocolError("closed", request=REQUEST), True),
        (httpx.LocalProtocolError("bad", request=REQUEST), True),
        (httpx.ProxyError("proxy", request=REQUEST), True),
        (httpx.DecodingError("gzip", request=REQUEST), True),
        (httpx.TooManyRedirects("loop", request=REQUEST), True),
    ],
)
def test_transport_errors_become_unavailable(
    exception: httpx.HTTPError, may_have_reached_sap: bool
) -> None:
    error = error_from_transport(exception, "create notification X")

    assert isinstance(error, SapTransportError)
    assert error.may_have_reached_sap is may_have_reached_sap
    assert error.status is None


def test_certificate_failure_is_configuration_error() -> None:
    exception = httpx.ConnectError("failed", request=REQUEST)
    exception.__cause__ = ssl.SSLCertVerificationError("CERTIFICATE_VERIFY_FAILED")

    error = error_from_transport(exception, "CSRF token fetch")

    assert isinstance(error, ConfigurationError)
    assert "CA bundle" in str(error)


def test_invalid_url_is_configuration_error() -> None:
    error = error_from_transport(httpx.UnsupportedProtocol("ftp"), "read")

    assert isinstance(error, ConfigurationError)


def test_redirect_names_location() -> None:
    redirect = response(302, None, location="https://idp.example.com/saml2/sso")

    error = error_from_response(redirect, "CSRF token fetch")

    assert type(error) is SapRejectedError
    assert "redirected to https://idp.example.com/saml2/sso" in str(error)


def all_transport_errors() -> list[type[httpx.HTTPError]]:
    found: list[type[httpx.HTTPError]] = []
    pending: list[type[httpx.HTTPError]] = [httpx.HTTPError]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(current.__subclasses__())
    # HTTPStatusError comes only from raise_for_status(), which the client never calls.
    return [error for error in found if not issubclass(error, httpx.HTTPStatusError)]


@pytest.mark.parametrize("exception_type", all_transport_errors(), ids=lambda t: t.__name__)
def test_no_httpx_error_escapes_client(exception_type: type[httpx.HTTPError]) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise exception_type("injected")

    settings = SapConnectionSettings(base_url="https://sap.test", max_retries=0)
    client = create_notification_client(settings, transport=httpx.MockTransport(handle))
    with client, pytest.raises(MonitronSapError) as caught:
        client.get("10000001")

    assert isinstance(caught.value.__cause__, exception_type)
