"""Authentication (basic, API key, session cookie) and CSRF tokens bound to session cookies.

The token protocol follows SAP Gateway. A GET or HEAD with ``X-CSRF-Token: Fetch`` returns a
token and a session cookie, and every modifying request must send both back. A missing, wrong
or expired token gives ``403`` with ``x-csrf-token: Required``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from monitron_sap.emulator.config import EmulatorConfig
from monitron_sap.emulator.faults import FaultController

MAX_SESSIONS = 100_000
"""Sessions kept before the oldest are forgotten; each costs well under a kilobyte."""


@dataclass(frozen=True)
class Session:
    """One security session: its CSRF token, user, client and issue time (monotonic)."""

    session_id: str
    token: str
    user: str
    sap_client: str
    issued_at: float


def parse_cookies(header: str | None) -> dict[str, str]:
    """Parse a ``Cookie`` header into names and values; malformed headers give no cookies."""
    if not header:
        return {}
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in cookie.items()}


class Authenticator:
    """Checks basic credentials and API keys against the emulator's configuration."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._users = dict(config.users)
        self._api_keys = set(config.api_keys)
        self._api_key_header = config.api_key_header.lower()
        self.realm = (
            f'Basic realm="SAP NetWeaver Application Server [{config.system_id}/'
            f'{config.sap_client}]"'
        )

    def authenticate(self, headers: Mapping[str, str]) -> str | None:
        """Return the user named by valid credentials in ``headers``, or ``None``."""
        api_key = headers.get(self._api_key_header)
        if api_key is not None and any(
            hmac.compare_digest(api_key, known) for known in self._api_keys
        ):
            return "APIKEY"
        authorization = headers.get("authorization", "")
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, separator, password = decoded.partition(":")
        expected = self._users.get(user) if separator else None
        if expected is None:
            expected = next(
                (known for name, known in self._users.items() if name.upper() == user.upper()),
                None,
            )
        if expected is None or not hmac.compare_digest(password, expected):
            return None
        return user.upper()


class SessionStore:
    """Security sessions by cookie value, each with one CSRF token."""

    def __init__(self, config: EmulatorConfig, faults: FaultController) -> None:
        self._faults = faults
        self._sap_client = config.sap_client
        self.cookie_name = f"SAP_SESSIONID_{config.system_id}_{config.sap_client}"
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def _valid(self, session: Session | None, user: str) -> bool:
        return (
            session is not None
            and session.user == user
            and not self._faults.token_expired(session.issued_at)
        )

    def session_user(self, cookies: Mapping[str, str]) -> str | None:
        """Return the user of a live session named by the request cookies, or ``None``."""
        with self._lock:
            session = self._sessions.get(cookies.get(self.cookie_name, ""))
        if session is None or self._faults.token_expired(session.issued_at):
            return None
        return session.user

    def fetch(self, cookies: Mapping[str, str], user: str) -> tuple[str, list[str]]:
        """Return the session's token, or open a new session; also the Set-Cookie values."""
        with self._lock:
            session = self._sessions.get(cookies.get(self.cookie_name, ""))
        if session is not None and self._valid(session, user):
            return session.token, []
        session = Session(
            session_id=secrets.token_urlsafe(24),
            token=base64.b64encode(secrets.token_bytes(16)).decode("ascii"),
            user=user,
            sap_client=self._sap_client,
            issued_at=time.monotonic(),
        )
        with self._lock:
            self._sessions[session.session_id] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        set_cookies = [
            f"{self.cookie_name}={session.session_id}; path=/; HttpOnly",
            f"sap-usercontext=sap-client={self._sap_client}; path=/",
        ]
        return session.token, set_cookies

    def check(self, cookies: Mapping[str, str], token: str | None, user: str) -> bool:
        """Tell whether ``token`` is the live token of the session named by the cookies."""
        if not token or token.lower() == "fetch":
            return False
        with self._lock:
            session = self._sessions.get(cookies.get(self.cookie_name, ""))
        if session is None or not self._valid(session, user):
            return False
        return hmac.compare_digest(session.token, token)
