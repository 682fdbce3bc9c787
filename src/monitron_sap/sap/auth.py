"""httpx authentication for the three ways of signing in to SAP: basic, API key, OAuth 2.0."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator
from typing import Final

import httpx

from monitron_sap.errors import SapAuthorizationError, SapUnavailableError
from monitron_sap.sap.settings import ApiKeyAuth, BasicAuth, OAuth2ClientCredentials, SapAuth

logger = logging.getLogger(__name__)

# A cached token is renewed this many seconds before SAP's stated expiry, so that it does not
# expire while a request is on its way.
TOKEN_EXPIRY_MARGIN_SECONDS: Final = 30.0
# Used when the token endpoint sends no expires_in.
DEFAULT_TOKEN_LIFETIME_SECONDS: Final = 300.0


class ApiKeyHeaderAuth(httpx.Auth):
    """Send an API key in a header (``APIKey`` unless configured otherwise)."""

    def __init__(self, key: str, header: str) -> None:
        self._key = key
        self._header = header

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._key
        yield request


class OAuth2ClientCredentialsAuth(httpx.Auth):
    """Fetch a bearer token with the client credentials grant and cache it until it expires.

    The token request goes through the same httpx client, so it shares the TLS settings. When
    SAP responds 401 to a cached token (revoked early), the token is fetched again once.
    """

    requires_response_body = True

    def __init__(
        self, credentials: OAuth2ClientCredentials, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._credentials = credentials
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._cached_token()
        fresh = token is None
        if token is None:
            token_response = yield self._token_request()
            token = self._store_token(token_response)

        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401 or fresh:
            return

        logger.info("SAP rejected the cached OAuth token with 401; fetching a new token")
        self._invalidate(token)
        token_response = yield self._token_request()
        request.headers["Authorization"] = f"Bearer {self._store_token(token_response)}"
        yield request

    def _cached_token(self) -> str | None:
        with self._lock:
            if self._token is not None and self._clock() < self._expires_at:
                return self._token
            return None

    def _invalidate(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    def _token_request(self) -> httpx.Request:
        data = {"grant_type": "client_credentials"}
        if self._credentials.scope:
            data["scope"] = self._credentials.scope
        request = httpx.Request(
            "POST", self._credentials.token_url, data=data, headers={"Accept": "application/json"}
        )
        basic = httpx.BasicAuth(self._credentials.client_id, self._credentials.client_secret)
        return next(basic.auth_flow(request))

    def _store_token(self, response: httpx.Response) -> str:
        url = self._credentials.token_url
        if response.status_code >= 500 or response.status_code == 429:
            raise SapUnavailableError(
                f"OAuth token request to {url} failed: HTTP {response.status_code}",
                status=response.status_code,
            )
        if response.status_code != 200:
            raise SapAuthorizationError(
                f"OAuth token request to {url} failed: HTTP {response.status_code}; check the "
                "client id, client secret and scope",
                status=response.status_code,
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise SapAuthorizationError(
                f"OAuth token response from {url} has no access_token", status=200
            )
        lifetime = body.get("expires_in") if isinstance(body, dict) else None
        if not isinstance(lifetime, int | float) or isinstance(lifetime, bool):
            lifetime = DEFAULT_TOKEN_LIFETIME_SECONDS
        with self._lock:
            self._token = token
            self._expires_at = self._clock() + max(0.0, lifetime - TOKEN_EXPIRY_MARGIN_SECONDS)
        return token


def build_auth(auth: SapAuth | None) -> httpx.Auth | None:
    """Return the httpx authentication for the configured credentials."""
    if auth is None:
        return None
    if isinstance(auth, BasicAuth):
        return httpx.BasicAuth(auth.user, auth.password)
    if isinstance(auth, ApiKeyAuth):
        return ApiKeyHeaderAuth(auth.key, auth.header)
    return OAuth2ClientCredentialsAuth(auth)
