"""OData V2 ``$batch``: several requests in one multipart POST, changes grouped in changesets.

The outer POST carries the CSRF token; the parts do not need one. Each part is a complete
HTTP request (``application/http``) and gets a complete HTTP response in a ``multipart/mixed``
body with status 202. Requests inside a changeset are all applied or none: when one fails,
the changes of the others are undone and the changeset's place in the response holds only the
failing response, as SAP Gateway does.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from email.message import Message
from email.parser import BytesParser
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from monitron_sap.emulator.protocol import (
    ODataError,
    ServiceRequest,
    ServiceResponse,
    error_response,
)
from monitron_sap.emulator.state import EntityStore

logger = logging.getLogger(__name__)

MALFORMED_BATCH = "ZEMU/016"
Handler = Callable[[ServiceRequest], ServiceResponse]


def _bad_batch(message: str) -> ODataError:
    return ODataError(400, MALFORMED_BATCH, f"Invalid $batch request: {message}")


def _parse_multipart(content_type: str, body: bytes) -> Message:
    if not content_type.lower().startswith("multipart/mixed") or "boundary" not in content_type:
        raise _bad_batch("Content-Type must be multipart/mixed with a boundary")
    document = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    message = BytesParser().parsebytes(document)
    if not message.is_multipart():
        raise _bad_batch("the body has no parts")
    return message


def _parts(message: Message) -> list[Message]:
    payload = message.get_payload()
    if not isinstance(payload, list):
        raise _bad_batch(f"expected parts in {message.get_content_type()}")
    return [part for part in payload if isinstance(part, Message)]


def _inner_request(part: Message, outer: ServiceRequest) -> ServiceRequest:
    """Parse an ``application/http`` part into a request below the same service root."""
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        raise _bad_batch("a part has no HTTP request")
    text = raw.decode("utf-8").replace("\r\n", "\n")
    head, _, body = text.partition("\n\n")
    lines = head.strip("\n").split("\n")
    request_line = lines[0].split()
    if len(request_line) < 2:
        raise _bad_batch(f"invalid request line {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, separator, value = line.partition(":")
        if separator:
            headers[name.strip().lower()] = value.strip()
    url = urlsplit(request_line[1])
    path = unquote(url.path)
    service_path = urlsplit(outer.service_url).path
    if path.startswith(service_path):
        path = path[len(service_path) :]
    return ServiceRequest(
        request_line[0].upper(),
        path.lstrip("/"),
        dict(parse_qsl(url.query, keep_blank_values=True)),
        headers,
        body.rstrip("\n").encode("utf-8"),
        outer.user,
        outer.service_url,
    )


def _http_part(response: ServiceResponse) -> str:
    """Render one response as an ``application/http`` part."""
    reason = HTTPStatus(response.status).phrase
    lines = [
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "",
        f"HTTP/1.1 {response.status} {reason}",
    ]
    if response.content_type:
        lines.append(f"Content-Type: {response.content_type}")
    lines.append(f"Content-Length: {len(response.body)}")
    lines.extend(f"{name}: {value}" for name, value in response.headers.items())
    lines.extend(["", response.body.decode("utf-8")])
    return "\r\n".join(lines)


def _run(handler: Handler, request: ServiceRequest, service_id: str) -> ServiceResponse:
    try:
        return handler(request)
    except ODataError as error:
        return error_response(error, service_id)


def _changeset(
    handler: Handler, part: Message, outer: ServiceRequest, store: EntityStore, service_id: str
) -> str:
    """Run a changeset all-or-nothing and render its response part."""
    requests = [_inner_request(inner, outer) for inner in _parts(part)]
    if any(request.method == "GET" for request in requests):
        raise _bad_batch("a changeset may contain modifying requests only")

    responses: list[ServiceResponse] = []
    with store.undo_log() as rollback:
        for request in requests:
            response = _run(handler, request, service_id)
            if response.status >= 400:
                rollback()
                logger.info(
                    "Changeset rolled back: %s %s -> %d",
                    request.method,
                    request.path,
                    response.status,
                )
                return _http_part(response)
            responses.append(response)
    boundary = f"changesetresponse_{secrets.token_hex(8)}"
    body = "".join(f"--{boundary}\r\n{_http_part(response)}\r\n" for response in responses)
    return f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n{body}--{boundary}--"


def handle_batch(
    handler: Handler,
    request: ServiceRequest,
    store: EntityStore,
    lock: AbstractContextManager[Any],
    service_id: str,
) -> ServiceResponse:
    """Run every part of a ``$batch`` request and return the 202 multipart response.

    ``lock`` serializes changes. It is held around each changeset and taken before the
    store's own lock, the order in which single requests take the two locks.
    """
    if request.method != "POST":
        raise ODataError(405, "ZEMU/017", "Use POST for $batch")
    message = _parse_multipart(request.header("content-type") or "", request.body)
    parts: list[str] = []
    for part in _parts(message):
        if part.get_content_type() == "multipart/mixed":
            with lock:
                parts.append(_changeset(handler, part, request, store, service_id))
        else:
            inner = _inner_request(part, request)
            if inner.method != "GET":
                raise _bad_batch("modifying requests must be inside a changeset")
            parts.append(_http_part(_run(handler, inner, service_id)))
    boundary = f"batchresponse_{secrets.token_hex(8)}"
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    return ServiceResponse(202, body.encode("utf-8"), f"multipart/mixed; boundary={boundary}")
