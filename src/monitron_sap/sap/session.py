"""One authenticated OData session with SAP: connection reuse, CSRF token, cookies, retries.

SAP Gateway binds a CSRF token to the session cookies of the response that issued it. The
session fetches a token once (``X-CSRF-Token: Fetch`` on the service root), keeps every cookie
in the httpx cookie jar and sends the token with each modifying request. When SAP responds
``403`` with ``x-csrf-token: Required`` the token has expired: the session fetches a new one and
resends the request once. In steady state a modifying request therefore costs one HTTP request.
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import urlsplit

import httpx

from monitron_sap.errors import (
    ConfigurationError,
    SapAuthorizationError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.sap.auth import build_auth
from monitron_sap.sap.errors import (
    SapServiceUnavailableError,
    SapThrottledError,
    error_from_response,
    error_from_transport,
)
from monitron_sap.sap.settings import SapConnectionSettings
from monitron_sap.sap.wire import build_query, unwrap_results

logger = logging.getLogger(__name__)

CSRF_HEADER: Final = "X-CSRF-Token"
CSRF_FETCH: Final = "Fetch"
CSRF_REQUIRED: Final = "required"
# Statuses with which SAP handlers reject HEAD as not implemented.
HEAD_UNSUPPORTED_STATUSES: Final = frozenset({405, 501})
_READ_METHODS: Final = frozenset({"GET", "HEAD"})
# A collection read stops following __next links after this many pages.
MAX_RESULT_PAGES: Final = 50

EventHooks = Mapping[str, list[Callable[..., Any]]]

# Base URLs already warned about for turned-off TLS verification, so the warning appears once.
_insecure_warned: set[str] = set()
_insecure_lock = threading.Lock()


class SapSession:
    """An httpx client bound to one OData service, with CSRF handling and bounded retries.

    ``transport`` and ``event_hooks`` are passed to httpx (tests use ``httpx.MockTransport``,
    benchmarks count requests with a hook). ``sleep`` waits between retries.
    """

    def __init__(
        self,
        settings: SapConnectionSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        event_hooks: EventHooks | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        # Held during a token fetch, so that threads sharing the session fetch one token.
        self._token_lock = threading.RLock()
        self._csrf_token: str | None = None
        self._csrf_fetched = False
        self._fetch_method = settings.csrf_fetch_method
        self._client = httpx.Client(
            base_url=settings.service_root,
            auth=build_auth(settings.auth),
            headers={"Accept": "application/json"},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            verify=_verify_option(settings),
            transport=transport,
            event_hooks=dict(event_hooks) if event_hooks else None,
            follow_redirects=False,
        )

    @property
    def service_root(self) -> str:
        """The service root URL with a trailing slash."""
        return self.settings.service_root

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        action: str | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """Send one request and return the 2xx response, or raise the translated SAP error.

        Modifying requests carry the CSRF token (fetched first when the session has none) and
        are resent once after a ``403`` + ``x-csrf-token: Required`` challenge, which SAP
        returns before it processes the request. No other failure is retried here.
        """
        action = action or f"{method} {path or '/'}"
        modifying = method.upper() not in _READ_METHODS
        url = self._url(path, params)
        request_headers = dict(headers or {})
        # ``content`` is a raw body such as a file upload, sent in place of ``json_body``.
        body = content if content is not None else json_body

        if not modifying:
            response = self._exchange(method, url, request_headers, body, action)
        else:
            token = self.ensure_csrf_token()
            response = self._exchange(
                method, url, _with_token(request_headers, token), body, action
            )
            if _is_csrf_challenge(response):
                logger.info("%s: SAP rejected the CSRF token; fetching a new token", action)
                self._forget_token(token)
                token = self.ensure_csrf_token()
                response = self._exchange(
                    method, url, _with_token(request_headers, token), body, action
                )
                if _is_csrf_challenge(response):
                    raise SapAuthorizationError(
                        f"{action} failed: SAP rejected a freshly fetched CSRF token (403). "
                        "A proxy or load balancer probably drops the session cookies or routes "
                        "requests to another application server",
                        status=403,
                    )

        if not response.is_success:
            raise error_from_response(response, action)
        return response

    def read(
        self, path: str, *, params: Mapping[str, str] | None = None, action: str | None = None
    ) -> httpx.Response:
        """GET with bounded retries after retryable failures; reads are safe to repeat."""
        attempt = 0
        while True:
            try:
                return self.send("GET", path, params=params, action=action)
            except SapUnavailableError as error:
                attempt += 1
                delay = self.retry_delay(attempt, error)
                if delay is None:
                    raise
                logger.warning(
                    "%s; retry %d of %d in %.1f s", error, attempt, self.settings.max_retries, delay
                )
                self.sleep(delay)

    def read_collection(
        self, path: str, *, params: Mapping[str, str] | None = None, action: str | None = None
    ) -> list[dict[str, Any]]:
        """GET an entity set and return its entities, following ``__next`` links.

        Stops after ``MAX_RESULT_PAGES`` pages with a warning. A body that is not an OData V2
        collection raises ``SapRejectedError``.
        """
        action = action or f"GET {path}"
        next_path: str = path
        next_params: Mapping[str, str] | None = params
        entities: list[dict[str, Any]] = []
        for _page in range(MAX_RESULT_PAGES):
            response = self.read(next_path, params=next_params, action=action)
            try:
                page, next_link = unwrap_results(response.json())
            except ValueError as error:
                raise SapRejectedError(
                    f"{action}: unexpected response from SAP: {error}", status=response.status_code
                ) from error
            entities.extend(page)
            if next_link is None:
                return entities
            next_path, next_params = next_link, None
        logger.warning("%s: stopped after %d pages of results", action, MAX_RESULT_PAGES)
        return entities

    def ensure_csrf_token(self) -> str | None:
        """Return the session's CSRF token, fetching one when the session has none yet.

        ``None`` means that the service issued no token on fetch, so it does not check CSRF.
        """
        with self._token_lock:
            if self._csrf_fetched:
                return self._csrf_token
            return self.fetch_csrf_token()

    def fetch_csrf_token(self) -> str | None:
        """Fetch a new CSRF token on the service root; its cookies go into the cookie jar."""
        with self._token_lock:
            response = self._fetch_with_retries()
            token: str | None = response.headers.get(CSRF_HEADER)
            if token is None:
                logger.info("CSRF token fetch: SAP issued no token; sending requests without one")
            self._csrf_token = token
            self._csrf_fetched = True
            return token

    def retry_delay(self, attempt: int, error: SapUnavailableError) -> float | None:
        """Return the wait before retry number ``attempt``, or ``None`` when no retry is left.

        A ``Retry-After`` from a 429 or 503 is honoured; when it is longer than
        ``max_backoff_seconds`` the error is raised instead, so that the caller retries later.
        """
        if attempt > self.settings.max_retries:
            return None
        hint = (
            error.retry_after
            if isinstance(error, SapThrottledError | SapServiceUnavailableError)
            else None
        )
        if hint is not None:
            if hint > self.settings.max_backoff_seconds:
                return None
            return float(hint)
        delay: float = min(
            self.settings.max_backoff_seconds,
            self.settings.backoff_seconds * 2 ** (attempt - 1),
        )
        # Equal jitter: half fixed, half random, so that parallel clients spread out.
        return delay / 2 + random.uniform(0, delay / 2)

    def sleep(self, seconds: float) -> None:
        """Wait between retries (``time.sleep`` unless the session was given another)."""
        self._sleep(seconds)

    def close(self) -> None:
        """Close the connections of the underlying httpx client."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _fetch_with_retries(self) -> httpx.Response:
        headers = {CSRF_HEADER: CSRF_FETCH}
        action = "CSRF token fetch"
        attempt = 0
        while True:
            try:
                return self._fetch_once(headers, action)
            except SapUnavailableError as error:
                attempt += 1
                delay = self.retry_delay(attempt, error)
                if delay is None:
                    raise
                logger.warning(
                    "%s; retry %d of %d in %.1f s", error, attempt, self.settings.max_retries, delay
                )
                self.sleep(delay)

    def _fetch_once(self, headers: dict[str, str], action: str) -> httpx.Response:
        url = self._url("", None)
        response = self._exchange(self._fetch_method, url, headers, None, action)
        if self._fetch_method == "HEAD" and (
            response.status_code in HEAD_UNSUPPORTED_STATUSES
            or (response.is_success and CSRF_HEADER not in response.headers)
        ):
            logger.info("%s: HEAD is not supported by the service; using GET", action)
            self._fetch_method = "GET"
            response = self._exchange("GET", url, headers, None, action)
        if not response.is_success:
            raise error_from_response(response, action)
        return response

    def _forget_token(self, token: str | None) -> None:
        with self._token_lock:
            if self._csrf_token == token:
                self._csrf_token = None
                self._csrf_fetched = False

    def _url(self, path: str, params: Mapping[str, str] | None) -> str:
        if path.startswith(("http://", "https://")):
            return self._checked_absolute_url(path, params)
        query = dict(params or {})
        if self.settings.sap_client is not None:
            query["sap-client"] = self.settings.sap_client
        if self.settings.sap_language is not None:
            query["sap-language"] = self.settings.sap_language
        return f"{path}?{build_query(query)}" if query else path

    def _checked_absolute_url(self, url: str, params: Mapping[str, str] | None) -> str:
        # Absolute URLs come from SAP (__next links). Credentials must not follow them to
        # another host, and SAP's links already carry the query the service needs.
        expected = urlsplit(self.service_root)
        actual = urlsplit(url)
        if (actual.scheme, actual.netloc) != (expected.scheme, expected.netloc):
            raise SapRejectedError(
                f"SAP returned a link to {actual.scheme}://{actual.netloc}, outside the "
                f"configured service {expected.scheme}://{expected.netloc}; not following it"
            )
        if params:
            raise ValueError("query parameters cannot be added to an absolute link")
        return url

    def _exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Mapping[str, Any] | bytes | None,
        action: str,
    ) -> httpx.Response:
        started = time.perf_counter()
        path = self._client.base_url.join(url).path
        try:
            if isinstance(body, bytes):
                response = self._client.request(method, url, headers=headers, content=body)
            else:
                response = self._client.request(method, url, headers=headers, json=body)
        except httpx.HTTPError as error:
            elapsed_ms = (time.perf_counter() - started) * 1000
            logger.warning(
                "%s %s failed after %.0f ms: %s", method, path, elapsed_ms, type(error).__name__
            )
            raise error_from_transport(error, action) from error
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "%s %s %d %.0f ms", method, response.request.url.path, response.status_code, elapsed_ms
        )
        return response


def _with_token(headers: Mapping[str, str], token: str | None) -> dict[str, str]:
    result = dict(headers)
    if token is not None:
        result[CSRF_HEADER] = token
    return result


def _is_csrf_challenge(response: httpx.Response) -> bool:
    return (
        response.status_code == 403
        and response.headers.get(CSRF_HEADER, "").strip().lower() == CSRF_REQUIRED
    )


def _verify_option(settings: SapConnectionSettings) -> bool | ssl.SSLContext:
    if isinstance(settings.verify, str):
        try:
            return ssl.create_default_context(cafile=settings.verify)
        except (OSError, ssl.SSLError) as error:
            raise ConfigurationError(
                f"CA bundle {settings.verify!r} cannot be loaded ({error}); "
                "expected a readable PEM file of CA certificates"
            ) from error
    if settings.verify is False:
        with _insecure_lock:
            first = settings.base_url not in _insecure_warned
            _insecure_warned.add(settings.base_url)
        if first:
            logger.warning(
                "TLS certificate verification is turned off for %s; anyone on the network path "
                "can read the SAP credentials. Set verify to a CA bundle instead",
                settings.base_url,
            )
    return settings.verify


class SessionClient:
    """Base of the API clients over one ``SapSession``: closing the client closes the session."""

    _session: SapSession

    def close(self) -> None:
        """Close the session and its connections."""
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
