"""The emulator's HTTP server: real HTTP on loopback, one thread per connection.

Before a request reaches a service the server injects faults, checks ``sap-client``,
authenticates the user and enforces CSRF tokens. Services are registered by root path, so
another OData service (for example attachments) can be added next to ``API_MAINTNOTIFICATION``.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

from monitron_sap.emulator.admin import ADMIN_PREFIX, handle_admin
from monitron_sap.emulator.config import EmulatorConfig
from monitron_sap.emulator.custom_service import CUSTOM_SERVICE_PATH, CustomNotificationService
from monitron_sap.emulator.fault_injection import injected_response, response_lost
from monitron_sap.emulator.faults import FaultController
from monitron_sap.emulator.maintnotification import SERVICE_PATH
from monitron_sap.emulator.oauth import TOKEN_PATH, TokenIssuer
from monitron_sap.emulator.protocol import (
    TEXT_TYPE,
    ODataError,
    Service,
    ServiceRequest,
    ServiceResponse,
    error_response,
)
from monitron_sap.emulator.resource import parse_path
from monitron_sap.emulator.security import Authenticator, SessionStore, parse_cookies
from monitron_sap.emulator.service import MaintNotificationService
from monitron_sap.emulator.state import EntityStore
from monitron_sap.errors import ConfigurationError

logger = logging.getLogger(__name__)

MODIFYING_METHODS = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
_TUNNELLED_METHODS = frozenset({"PUT", "PATCH", "MERGE", "DELETE"})
SERVICE_NOT_FOUND = "/IWFND/MED/170"
INTERNAL_ERROR = "ZEMU/999"
SHUTDOWN_POLL_SECONDS = 0.02
"""How often the serving thread checks for ``stop()``; bounds the time ``stop()`` takes."""


def _request_kind(method: str, relative_path: str) -> str:
    """Name the kind of a request for counting, for example ``POST MaintenanceNotification``."""
    try:
        segments = parse_path(relative_path)
    except ODataError:
        return f"{method} (invalid path)"
    if not segments:
        return f"{method} service-document"
    names = [segment.name + ("(key)" if segment.key is not None else "") for segment in segments]
    return f"{method} {'/'.join(names)}"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    emulator: EmulatorServer

    def __init__(self, address: tuple[str, int], emulator: EmulatorServer) -> None:
        self.emulator = emulator
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _HTTPServer
    server_version = "SAP NetWeaver Application Server (monitron-sap emulator)"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the base class; the emulator logs each request itself."""

    def do_GET(self) -> None:
        self.server.emulator._dispatch(self)

    do_HEAD = do_POST = do_PUT = do_PATCH = do_MERGE = do_DELETE = do_GET


class EmulatorServer:
    """A running SAP emulator: ``with EmulatorServer(config) as sap: ... sap.service_url``."""

    def __init__(
        self, config: EmulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or EmulatorConfig()
        self.host = host
        self._requested_port = port
        self.faults = FaultController(self.config.faults)
        self.store = EntityStore(self.config.db_path)
        self._authenticator = Authenticator(self.config)
        self._sessions = SessionStore(self.config, self.faults)
        self.oauth = TokenIssuer(self.config)
        self._services: dict[str, Service] = {}
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.register_service(SERVICE_PATH, MaintNotificationService(self.config, self.store))
        self.register_service(CUSTOM_SERVICE_PATH, CustomNotificationService())
        # Imported here because the attachment service module imports this one.
        from monitron_sap.emulator.attachments import register_attachment_service

        register_attachment_service(self)

    # Lifecycle

    def start(self) -> Self:
        """Bind the socket and serve in a background thread; return ``self``."""
        if self._httpd is not None:
            return self
        try:
            self._httpd = _HTTPServer((self.host, self._requested_port), self)
        except OSError as error:
            raise ConfigurationError(
                f"cannot listen on {self.host}:{self._requested_port}: {error}"
            ) from error
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            name="sap-emulator",
            daemon=True,
        )
        self._thread.start()
        logger.info("SAP emulator listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections and close the database."""
        httpd = self._httpd
        if httpd is None:
            return
        httpd.shutdown()
        with httpd.sockets_lock:
            for connection in list(httpd.open_sockets):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self.store.close()
        logger.info("SAP emulator stopped")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Public properties

    @property
    def port(self) -> int:
        """The bound TCP port (after ``start``)."""
        if self._httpd is None:
            raise RuntimeError("the emulator is not started; call start() first")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the running server."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host  # noqa: S104
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def service_url(self) -> str:
        """URL of the ``API_MAINTNOTIFICATION`` service root, with a trailing slash."""
        return f"{self.base_url}{SERVICE_PATH}/"

    @property
    def request_count(self) -> Counter[str]:
        """A copy of the counts of requests served, by method and path kind.

        Keys look like ``"POST MaintenanceNotification"`` or ``"GET service-document"``;
        ``request_count.total()`` is the number of service requests.
        """
        with self._counts_lock:
            return Counter(self._counts)

    def reset_request_count(self) -> None:
        """Set every request counter back to zero."""
        with self._counts_lock:
            self._counts.clear()

    def register_service(self, path: str, service: Service) -> None:
        """Serve ``service`` below the root ``path`` (for example ``/sap/opu/odata/sap/X``)."""
        self._services["/" + path.strip("/")] = service

    # Request handling

    def _find_service(self, path: str) -> tuple[str, Service] | None:
        for root, service in self._services.items():
            if path == root or path.startswith(root + "/"):
                return root, service
        return None

    def _dispatch(self, handler: _Handler) -> None:
        started = time.perf_counter()
        url = urlsplit(handler.path)
        path = unquote(url.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {name.lower(): value for name, value in handler.headers.items()}

        body = self._read_body(handler, headers)
        response: ServiceResponse | None
        if body is None:
            # The body's end is unknown, so the connection cannot carry another request.
            handler.close_connection = True
            response = ServiceResponse(
                411, b"Send the request body with a valid Content-Length", TEXT_TYPE
            )
        elif path.startswith(ADMIN_PREFIX):
            response = handle_admin(
                self.faults,
                self.request_count,
                handler.client_address[0],
                handler.command,
                path,
                body,
            )
        elif path == TOKEN_PATH:
            response = self.oauth.handle(handler.command, headers, body)
        else:
            response = self._serve(handler, path, query, headers, body)
        if response is None:
            handler.close_connection = True
            logger.info("%s %s -> response dropped (fault injection)", handler.command, path)
            return
        self._write(handler, response)
        logger.info(
            "%s %s -> %d (%.1f ms)",
            handler.command,
            path,
            response.status,
            (time.perf_counter() - started) * 1000,
        )

    @staticmethod
    def _read_body(handler: _Handler, headers: dict[str, str]) -> bytes | None:
        """Read the request body; return ``None`` when its length is missing or invalid."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return None
        text = headers.get("content-length", "0").strip() or "0"
        if not text.isdigit():
            return None
        length = int(text)
        return handler.rfile.read(length) if length > 0 else b""

    def _serve(
        self,
        handler: _Handler,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
    ) -> ServiceResponse | None:
        """Run one service request through faults, logon and CSRF; ``None`` drops it."""
        found = self._find_service(path)
        if found is None:
            return self._no_service(path)
        root, service = found
        relative = path[len(root) :].lstrip("/")
        method = handler.command
        with self._counts_lock:
            self._counts[_request_kind(method, relative)] += 1

        rejected = injected_response(self.faults, method, path)
        if rejected is not None:
            return rejected
        user = self._log_on(query, headers)
        if isinstance(user, ServiceResponse):
            return user

        extra_headers: dict[str, str] = {}
        token_header = headers.get("x-csrf-token")
        if method in MODIFYING_METHODS:
            if not self._sessions.check(parse_cookies(headers.get("cookie")), token_header, user):
                return ServiceResponse(
                    403, b"CSRF token validation failed", TEXT_TYPE, {"x-csrf-token": "Required"}
                )
        elif token_header is not None and token_header.lower() == "fetch":
            token, set_cookies = self._sessions.fetch(parse_cookies(headers.get("cookie")), user)
            extra_headers["x-csrf-token"] = token
            if set_cookies:
                extra_headers["set-cookie"] = "\n".join(set_cookies)
        if method == "POST" and headers.get("x-http-method", "").upper() in _TUNNELLED_METHODS:
            method = headers["x-http-method"].upper()

        # Entity URIs use the Host header, as SAP Gateway does, so they work through proxies.
        host = headers.get("host") or self.base_url.removeprefix("http://")
        request = ServiceRequest(
            method, relative, query, headers, body, user, f"http://{host}{root}"
        )
        response = self._call(service, request)
        modifying = method in MODIFYING_METHODS
        if response_lost(
            self.faults, modifying=modifying, relative_path=relative, response=response
        ):
            return None
        response.headers.update(extra_headers)
        response.headers.setdefault("dataserviceversion", "2.0")
        return response

    def _log_on(self, query: dict[str, str], headers: dict[str, str]) -> str | ServiceResponse:
        """Return the user that the request logs on as, or the 401 response."""
        requested_client = query.get("sap-client")
        if requested_client is not None and requested_client != self.config.sap_client:
            return self._unauthorized(f"Logon failed: client {requested_client} does not exist")
        if requested_client is None and self.config.require_sap_client:
            return self._unauthorized("Logon failed: no sap-client given and no default client")

        user = self._authenticator.authenticate(headers)
        if user is None and "authorization" in headers:
            user = self.oauth.user_for(headers["authorization"])
        if user is None and "authorization" not in headers:
            user = self._sessions.session_user(parse_cookies(headers.get("cookie")))
        if user is None:
            return self._unauthorized("Logon failed: invalid or missing credentials")
        return user

    def _call(self, service: Service, request: ServiceRequest) -> ServiceResponse:
        """Call the service and turn its errors into SAP-shaped error responses."""
        try:
            return service.handle(request)
        except ODataError as error:
            return error_response(error, service.service_id)
        except Exception:
            logger.exception("The emulator failed on %s %s", request.method, request.path)
            internal = ODataError(500, INTERNAL_ERROR, "Internal error in the emulator")
            return error_response(internal, service.service_id)

    def _no_service(self, path: str) -> ServiceResponse:
        error = ODataError(
            403, SERVICE_NOT_FOUND, f"No service found for namespace, name and version of {path}"
        )
        return error_response(error, "")

    def _unauthorized(self, message: str) -> ServiceResponse:
        body = f"<html><body><h1>401 Unauthorized</h1><p>{message}</p></body></html>"
        return ServiceResponse(
            401,
            body.encode(),
            "text/html; charset=utf-8",
            {"www-authenticate": self._authenticator.realm},
        )

    def _write(self, handler: _Handler, response: ServiceResponse) -> None:
        handler.send_response(response.status)
        body = response.body
        if response.content_type:
            handler.send_header("content-type", response.content_type)
        handler.send_header("content-length", str(len(body)))
        handler.send_header("cache-control", "no-store, no-cache")
        for name, value in response.headers.items():
            for line in value.split("\n") if name == "set-cookie" else [value]:
                handler.send_header(name, line)
        handler.end_headers()
        if handler.command != "HEAD" and body:
            handler.wfile.write(body)
