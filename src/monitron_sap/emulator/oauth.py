"""An OAuth 2.0 token endpoint (client credentials grant) and the bearer tokens it issues.

``POST /oauth/token`` with ``grant_type=client_credentials`` and the client id and secret in
HTTP basic authentication (or as ``client_id`` and ``client_secret`` form fields) returns an
access token valid for ``EmulatorConfig.oauth_token_lifetime_seconds``. The services accept
the token as ``Authorization: Bearer …`` until it expires or ``expire_tokens`` revokes it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Final
from urllib.parse import parse_qsl

from monitron_sap.emulator.config import EmulatorConfig
from monitron_sap.emulator.protocol import TEXT_TYPE, ServiceResponse

logger = logging.getLogger(__name__)

TOKEN_PATH: Final = "/oauth/token"  # noqa: S105 - a URL path, not a secret
MAX_TOKENS: Final = 10_000
"""Maximum number of tokens kept; beyond it the oldest are dropped."""


class TokenIssuer:
    """Issues and checks bearer tokens for the OAuth clients in the emulator's configuration."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._clients = dict(config.oauth_clients)
        self._lifetime = config.oauth_token_lifetime_seconds
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self.issued_count = 0
        """Number of tokens issued since the emulator started."""

    def handle(self, method: str, headers: Mapping[str, str], body: bytes) -> ServiceResponse:
        """Serve one request to the token endpoint."""
        if method != "POST":
            return ServiceResponse(405, b"Use POST", TEXT_TYPE, {"allow": "POST"})
        try:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return _oauth_error(400, "invalid_request", "the body is not UTF-8 form data")
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(
                400, "unsupported_grant_type", "only grant_type=client_credentials is supported"
            )

        client_id, client_secret = _client_credentials(headers, form)
        expected = self._clients.get(client_id or "")
        if (
            client_id is None
            or client_secret is None
            or expected is None
            or not hmac.compare_digest(client_secret, expected)
        ):
            logger.info("Rejected a token request for OAuth client %r", client_id)
            return _oauth_error(401, "invalid_client", "client authentication failed")

        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (client_id, time.monotonic() + self._lifetime)
            while len(self._tokens) > MAX_TOKENS:
                self._tokens.pop(next(iter(self._tokens)))
            self.issued_count += 1
        logger.info("Issued an OAuth token to client %s", client_id)
        return ServiceResponse.json(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self._lifetime,
            },
        )

    def user_for(self, authorization: str) -> str | None:
        """Return the user (the client id, upper case) of a live bearer token, or ``None``."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        with self._lock:
            entry = self._tokens.get(token.strip())
        if entry is None or time.monotonic() >= entry[1]:
            return None
        return entry[0].upper()

    def expire_tokens(self) -> None:
        """Revoke every token issued so far; the services then respond 401 to them."""
        with self._lock:
            self._tokens.clear()


def _client_credentials(
    headers: Mapping[str, str], form: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """Return the client id and secret from basic authentication, else from the form."""
    scheme, _, encoded = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, separator, client_secret = decoded.partition(":")
        return (client_id, client_secret) if separator else (None, None)
    return form.get("client_id"), form.get("client_secret")


def _oauth_error(status: int, code: str, description: str) -> ServiceResponse:
    """Build an OAuth 2.0 error response: JSON with ``error`` and ``error_description``."""
    return ServiceResponse.json(status, {"error": code, "error_description": description})
