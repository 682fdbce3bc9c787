"""Translate SAP error responses and httpx exceptions into ``monitron_sap.errors``.

SAP Gateway reports errors as ``{"error": {"code", "message": {"value"}, "innererror":
{"errordetails": [...]}}}``. The HTTP status decides what the caller can do. Timeouts, dropped
connections, 429, 5xx and lock conflicts are retryable. Validation errors and unknown objects
are permanent, and 401 and 403 are authorization errors.
"""

from __future__ import annotations

import json
import re
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

import httpx

from monitron_sap.errors import (
    ConfigurationError,
    SapAuthorizationError,
    SapError,
    SapRejectedError,
    SapUnavailableError,
)

# SAP's enqueue message "object requested is currently locked by user ..." is MC/601.
LOCK_MESSAGE_CODES: Final = frozenset({"MC/601"})
_LOCK_TEXT = re.compile(r"\blocked\b|currently being (processed|edited)", re.IGNORECASE)
_MAX_BODY_IN_MESSAGE: Final = 200


class SapTransportError(SapUnavailableError):
    """No HTTP response arrived: a timeout, a refused or dropped connection.

    ``may_have_reached_sap`` is False only when the request certainly never left the client
    (connect failures and pool timeouts), so that a create can be resent without a lookup.
    """

    def __init__(self, message: str, *, may_have_reached_sap: bool) -> None:
        super().__init__(message)
        self.may_have_reached_sap = may_have_reached_sap


class SapThrottledError(SapUnavailableError):
    """SAP or a gateway in front of it responded 429; ``retry_after`` is in seconds, if given."""

    def __init__(self, message: str, *, retry_after: float | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class SapServiceUnavailableError(SapUnavailableError):
    """SAP or a gateway in front of it responded 503; ``retry_after`` is in seconds, if given."""

    def __init__(self, message: str, *, retry_after: float | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class SapLockedError(SapUnavailableError):
    """SAP rejected the request because the object is locked by another user or process."""


class SapNotFoundError(SapRejectedError):
    """The entity or the service path does not exist (404)."""


class SapPreconditionFailedError(SapRejectedError):
    """The ETag sent in ``If-Match`` is stale (412) or SAP requires one (428)."""


@dataclass(frozen=True, slots=True)
class SapMessage:
    """The parts of an SAP error body: message code, text and the detail texts."""

    code: str | None
    text: str | None
    details: tuple[str, ...]


def parse_error_body(body: bytes, content_type: str | None) -> SapMessage:
    """Extract code, message and detail messages from an SAP error response body.

    Bodies that are not SAP error JSON (HTML from a proxy, the plain-text CSRF message) give a
    message with the first characters of the body as text.
    """
    text = body.decode("utf-8", errors="replace").strip()
    if content_type is not None and "json" in content_type.lower():
        try:
            document: Any = json.loads(text)
        except ValueError:
            document = None
        error = document.get("error") if isinstance(document, dict) else None
        if isinstance(error, dict):
            return _message_from_error_object(error)
    return SapMessage(code=None, text=text[:_MAX_BODY_IN_MESSAGE] or None, details=())


def error_from_response(response: httpx.Response, action: str) -> SapError:
    """Return the exception for an error response; ``action`` names the request in the message."""
    status = response.status_code
    message = parse_error_body(response.content, response.headers.get("content-type"))
    summary = f"{action} failed: HTTP {status}"
    if message.code:
        summary += f" {message.code}"
    if message.text:
        summary += f": {message.text}"
    fields: dict[str, Any] = {"status": status, "code": message.code, "details": message.details}

    if 300 <= status < 400:
        location = response.headers.get("location", "(no Location header)")
        return SapRejectedError(
            f"{action} failed: SAP redirected to {location}; the base URL is probably wrong, or "
            "the service expects an interactive (SAML) logon, which the client does not follow",
            **fields,
        )
    if status == 401:
        return SapAuthorizationError(
            summary + "; check the user and password, API key or OAuth client", **fields
        )
    if status == 403:
        return SapAuthorizationError(
            summary + "; the user lacks authorization for this service, or the service path "
            "is wrong or not activated",
            **fields,
        )
    if status == 429:
        return SapThrottledError(
            summary, retry_after=parse_retry_after(response.headers.get("retry-after")), **fields
        )
    if status == 503:
        return SapServiceUnavailableError(
            summary, retry_after=parse_retry_after(response.headers.get("retry-after")), **fields
        )
    if status >= 500 or status == 408:
        return SapUnavailableError(summary, **fields)
    if _is_lock_conflict(status, message):
        return SapLockedError(summary, **fields)
    if status == 404:
        return SapNotFoundError(summary, **fields)
    if status in (412, 428):
        return SapPreconditionFailedError(summary, **fields)
    return SapRejectedError(summary, **fields)


def error_from_transport(error: httpx.HTTPError, action: str) -> SapError | ConfigurationError:
    """Translate an httpx exception raised while no response arrived."""
    if isinstance(error, httpx.ConnectError) and _is_certificate_failure(error):
        return ConfigurationError(
            f"{action} failed: the SAP server's TLS certificate could not be verified ({error}); "
            "set verify to the CA bundle that signed it"
        )
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ConfigurationError(f"{action} failed: invalid SAP URL ({error})")
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return SapTransportError(
            f"{action} failed: cannot connect to SAP ({type(error).__name__}: {error})",
            may_have_reached_sap=False,
        )
    if isinstance(error, httpx.TimeoutException):
        return SapTransportError(
            f"{action} timed out waiting for SAP ({type(error).__name__})",
            may_have_reached_sap=True,
        )
    return SapTransportError(
        f"{action} failed: the connection to SAP broke ({type(error).__name__}: {error})",
        may_have_reached_sap=True,
    )


def certainly_not_processed(error: SapUnavailableError) -> bool:
    """Tell whether SAP certainly did not process the request that failed with ``error``."""
    if isinstance(error, SapTransportError):
        return not error.may_have_reached_sap
    if isinstance(error, SapThrottledError | SapLockedError):
        return True
    # SAP sends 4xx (408 included) before any change, but a 5xx may come after a commit.
    return error.status is not None and 400 <= error.status < 500


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return the wait in seconds from a ``Retry-After`` header (seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _message_from_error_object(error: dict[str, Any]) -> SapMessage:
    code = error.get("code") if isinstance(error.get("code"), str) else None
    raw_message = error.get("message")
    if isinstance(raw_message, dict):
        raw_message = raw_message.get("value")
    text = raw_message if isinstance(raw_message, str) else None

    details: list[str] = []
    inner = error.get("innererror")
    entries = inner.get("errordetails") if isinstance(inner, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("message"), str):
            continue
        detail_code = entry.get("code")
        prefix = f"{detail_code}: " if isinstance(detail_code, str) and detail_code else ""
        details.append(prefix + entry["message"])
    return SapMessage(code=code or None, text=text or None, details=tuple(details))


def _is_lock_conflict(status: int, message: SapMessage) -> bool:
    if status in (409, 423):
        return True
    codes = {message.code, *(detail.split(": ", 1)[0] for detail in message.details)}
    if codes & LOCK_MESSAGE_CODES:
        return True
    # NOTE: SAP's lock messages differ by release and language, and the text match covers
    # English messages only. Other languages need their message code in LOCK_MESSAGE_CODES.
    texts = [message.text or "", *message.details]
    return any(_LOCK_TEXT.search(text) for text in texts)


def _is_certificate_failure(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(error)
