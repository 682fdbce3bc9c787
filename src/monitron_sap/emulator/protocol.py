"""Requests, responses and errors exchanged between the HTTP server and the emulated services.

The server authenticates, checks CSRF tokens and injects faults; a service (registered under
its root path) only receives a :class:`ServiceRequest` and returns a :class:`ServiceResponse`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, Self

JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"


@dataclass(frozen=True)
class ServiceRequest:
    """One HTTP request below a service root.

    ``path`` is the percent-decoded part after the service root without the leading slash
    (``""`` for the service document), ``headers`` uses lower-case names, and ``service_url``
    is the absolute URL of the service root without a trailing slash.
    """

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    user: str
    service_url: str

    def header(self, name: str) -> str | None:
        """Return a request header by case-insensitive name, or ``None``."""
        return self.headers.get(name.lower())

    def wants_json(self) -> bool:
        """Tell whether the client asked for JSON with ``$format=json`` or ``Accept``."""
        if self.query.get("$format", "").lower() == "json":
            return True
        accept = (self.header("accept") or "").lower()
        return "application/json" in accept


@dataclass
class ServiceResponse:
    """Response of a service; ``created`` marks a successful create (201)."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    created: bool = False

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Self:
        """Build a JSON response."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return cls(status, body, JSON_TYPE, dict(headers or {}))


class ODataError(Exception):
    """An error the service reports to the client in SAP Gateway's JSON error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.headers = dict(headers or {})


def error_payload(error: ODataError, service_id: str) -> dict[str, Any]:
    """Build the body SAP Gateway sends for an error: ``error.code``, ``message``, details."""
    detail = {
        "code": error.code,
        "message": error.message,
        "longtext_url": "",
        "propertyref": "",
        "severity": "error",
        "target": error.target,
        "transition": False,
    }
    return {
        "error": {
            "code": error.code,
            "message": {"lang": "en", "value": error.message},
            "innererror": {
                "application": {
                    "component_id": "PM-WOC-MN",
                    "service_namespace": "/SAP/",
                    "service_id": service_id,
                    "service_version": "0001",
                },
                "transactionid": secrets.token_hex(16).upper(),
                "timestamp": datetime.now(UTC).strftime("%Y%m%d%H%M%S.%f") + "0",
                "Error_Resolution": {
                    "SAP_Transaction": "The emulator keeps no error log",
                    "SAP_Note": "See SAP Note 1797736 for error analysis",
                },
                "errordetails": [detail],
            },
        }
    }


def error_response(error: ODataError, service_id: str) -> ServiceResponse:
    """Build the JSON response for ``error``."""
    return ServiceResponse.json(error.status, error_payload(error, service_id), error.headers)


class Service(Protocol):
    """An emulated OData service, registered with the server under its root path."""

    service_id: str
    """Technical name of the service, for example ``API_MAINTNOTIFICATION``."""

    def handle(self, request: ServiceRequest) -> ServiceResponse:
        """Handle one request; raise :class:`ODataError` for client errors."""
        ...
