"""Connection settings for an SAP OData service: address, credentials, TLS, timeouts, retries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal
from urllib.parse import urlsplit

from monitron_sap.errors import ConfigurationError
from monitron_sap.sap.profiles import S4_API_MAINTNOTIFICATION, ServiceProfile

DEFAULT_API_KEY_HEADER: Final = "APIKey"
DEFAULT_CONNECT_TIMEOUT_SECONDS: Final = 10.0
DEFAULT_READ_TIMEOUT_SECONDS: Final = 60.0
DEFAULT_MAX_RETRIES: Final = 3
DEFAULT_BACKOFF_SECONDS: Final = 1.0
DEFAULT_MAX_BACKOFF_SECONDS: Final = 30.0

CsrfFetchMethod = Literal["GET", "HEAD"]

_SAP_CLIENT_PATTERN = re.compile(r"^\d{3}$")


@dataclass(frozen=True, slots=True)
class BasicAuth:
    """HTTP basic authentication, typically an SAP communication user."""

    user: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ApiKeyAuth:
    """An API key header, as SAP BTP API Management and SAP's API sandbox expect."""

    key: str = field(repr=False)
    header: str = DEFAULT_API_KEY_HEADER


@dataclass(frozen=True, slots=True)
class OAuth2ClientCredentials:
    """OAuth 2.0 client credentials grant; the access token is cached until it expires."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str | None = None


SapAuth = BasicAuth | ApiKeyAuth | OAuth2ClientCredentials


@dataclass(frozen=True, slots=True)
class SapConnectionSettings:
    """How to reach one SAP OData service.

    ``base_url`` is scheme, host and port only (``https://s4.example.com:44300``); the
    profile's service path is appended. ``verify`` is True (system CA store), a path to a CA
    bundle, or False to turn TLS verification off, which the session logs as a warning.
    ``max_retries`` bounds the retries after a retryable failure, and the wait between them
    grows from ``backoff_seconds`` and never exceeds ``max_backoff_seconds``.
    """

    base_url: str
    auth: SapAuth | None = None
    profile: ServiceProfile = S4_API_MAINTNOTIFICATION
    sap_client: str | None = None
    sap_language: str | None = None
    verify: bool | str = True
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS
    read_timeout: float = DEFAULT_READ_TIMEOUT_SECONDS
    csrf_fetch_method: CsrfFetchMethod = "GET"
    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_seconds: float = DEFAULT_BACKOFF_SECONDS
    max_backoff_seconds: float = DEFAULT_MAX_BACKOFF_SECONDS

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"SAP base URL {self.base_url!r} is invalid; expected scheme, host and port, "
                "for example https://s4.example.com:44300"
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ConfigurationError(
                f"SAP base URL {self.base_url!r} must not contain a path or query; the service "
                f"path {self.profile.service_path} comes from the service profile"
            )
        if self.sap_client is not None and not _SAP_CLIENT_PATTERN.match(self.sap_client):
            raise ConfigurationError(
                f"sap-client {self.sap_client!r} is invalid; expected three digits such as 100"
            )
        if isinstance(self.verify, str) and not Path(self.verify).is_file():
            raise ConfigurationError(f"CA bundle {self.verify!r} for TLS verification not found")
        if self.csrf_fetch_method not in ("GET", "HEAD"):
            raise ConfigurationError(
                f"CSRF fetch method {self.csrf_fetch_method!r} is invalid; expected GET or HEAD"
            )
        for name in ("connect_timeout", "read_timeout"):
            if getattr(self, name) <= 0:
                raise ConfigurationError(
                    f"{name} must be positive seconds, got {getattr(self, name)}"
                )
        if self.max_retries < 0:
            raise ConfigurationError(f"max_retries must be 0 or more, got {self.max_retries}")
        if self.backoff_seconds < 0 or self.max_backoff_seconds < self.backoff_seconds:
            raise ConfigurationError(
                "backoff_seconds must be 0 or more and at most max_backoff_seconds, got "
                f"{self.backoff_seconds} and {self.max_backoff_seconds}"
            )

    @property
    def service_root(self) -> str:
        """The service root URL with a trailing slash, for example ``…/API_MAINTNOTIFICATION/``."""
        return self.base_url.rstrip("/") + self.profile.service_path.rstrip("/") + "/"
