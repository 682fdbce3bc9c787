"""A scripted in-memory SAP OData service for ``httpx.MockTransport`` unit tests.

It checks CSRF tokens against session cookies like SAP Gateway, stores notifications, filters on
simple ``$filter`` expressions and lets a test queue one-off faults for matching requests.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx

from monitron_sap.sap.settings import SapConnectionSettings

BASE_URL = "https://sap.test:44300"
SERVICE_PATH = "/sap/opu/odata/sap/API_MAINTNOTIFICATION/"
_FILTER_TERM = re.compile(r"(\w+) (eq|ne) '((?:[^']|'')*)'")


@dataclass
class Fault:
    """A one-off reaction to the next request that ``matches``.

    ``status`` responds with that status (and ``headers``/``body``); ``raise_error`` raises an
    httpx exception instead. With ``process_first`` the request is processed before the fault,
    which models a response lost after SAP committed.
    """

    matches: Callable[[httpx.Request], bool]
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    raise_error: type[httpx.HTTPError] | None = None
    process_first: bool = False


def is_create(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/MaintenanceNotification")


def is_lookup(request: httpx.Request) -> bool:
    return request.method == "GET" and "filter" in unquote(str(request.url.query))


def is_fetch(request: httpx.Request) -> bool:
    return request.headers.get("x-csrf-token", "").lower() == "fetch"


class FakeSap:
    """The handler behind ``httpx.MockTransport``; ``requests`` records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.notifications: dict[str, dict[str, Any]] = {}
        self.faults: list[Fault] = []
        self.head_supported = True
        self.csrf_enabled = True
        self.page_size: int | None = None
        self._tokens: dict[str, str] = {}
        self._sessions = itertools.count(1)
        self._numbers = itertools.count(10000001)
        self._changes = itertools.count(1)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def settings(self, **overrides: Any) -> SapConnectionSettings:
        return SapConnectionSettings(base_url=BASE_URL, **overrides)

    def expire_tokens(self) -> None:
        self._tokens.clear()

    def count(self, predicate: Callable[[httpx.Request], bool]) -> int:
        return sum(1 for request in self.requests if predicate(request))

    def add(self, **fields: Any) -> dict[str, Any]:
        number = str(next(self._numbers))
        entity = {
            "MaintenanceNotification": number,
            "NotificationText": "",
            "NotificationType": "M1",
            "NotifProcessingPhase": "1",
            "MaintNotifExtReferenceNumber": "",
            "TechnicalObject": "",
            "TechnicalObjectLabel": "",
            **fields,
        }
        self._touch(entity)
        self.notifications[number] = entity
        return entity

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for fault in self.faults:
            if fault.matches(request):
                self.faults.remove(fault)
                return self._apply(fault, request)
        return self._process(request)

    def _apply(self, fault: Fault, request: httpx.Request) -> httpx.Response:
        if fault.process_first:
            self._process(request)
        if fault.raise_error is not None:
            raise fault.raise_error("injected fault", request=request)
        assert fault.status is not None
        content = json.dumps(fault.body).encode() if fault.body is not None else b""
        headers = {"content-type": "application/json", **fault.headers}
        return httpx.Response(fault.status, headers=headers, content=content)

    def _process(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        assert path.startswith(SERVICE_PATH), path
        resource = path[len(SERVICE_PATH) :]
        if resource == "" and is_fetch(request):
            return self._fetch(request)
        if request.method not in ("GET", "HEAD") and not self._valid_token(request):
            return httpx.Response(
                403, headers={"x-csrf-token": "Required"}, text="CSRF token validation failed"
            )
        if resource == "":
            return _json(200, {"d": {"EntitySets": ["MaintenanceNotification"]}})
        if resource == "MaintenanceNotification" and request.method == "POST":
            return self._create(json.loads(request.content))
        if resource == "MaintenanceNotification":
            return self._query(request)
        match = re.fullmatch(r"MaintenanceNotification\('(\d+)'\)", unquote(resource))
        if match:
            return self._entity(request, match.group(1))
        if resource in ("SetMaintNotifToInProcess", "CompleteMaintNotification"):
            return self._function(request, resource)
        return _json(404, {"error": {"code": "/IWBEP/CM_MGW_RT/020", "message": {"value": "no"}}})

    def _fetch(self, request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD" and not self.head_supported:
            return httpx.Response(405)
        if not self.csrf_enabled:
            return _json(200, {"d": {"EntitySets": []}})
        session = f"S{next(self._sessions)}"
        token = f"token-{session}"
        self._tokens[session] = token
        headers = {
            "x-csrf-token": token,
            "set-cookie": f"SAP_SESSIONID_EMU_100={session}; path=/",
        }
        return httpx.Response(200, headers=headers, json={"d": {"EntitySets": []}})

    def _valid_token(self, request: httpx.Request) -> bool:
        if not self.csrf_enabled:
            return True
        cookies = dict(
            part.strip().split("=", 1)
            for part in request.headers.get("cookie", "").split(";")
            if "=" in part
        )
        session = cookies.get("SAP_SESSIONID_EMU_100")
        token = request.headers.get("x-csrf-token")
        return session is not None and token is not None and self._tokens.get(session) == token

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        if not body.get("NotificationText"):
            return _json(
                400,
                {"error": {"code": "IM/001", "message": {"value": "Enter a short text"}}},
            )
        label = body.get("TechnicalObject", "")
        entity = self.add(**body, TechnicalObjectLabel=label)
        return _json(201, {"d": entity})

    def _entity(self, request: httpx.Request, number: str) -> httpx.Response:
        entity = self.notifications.get(number)
        if entity is None:
            return _json(
                404, {"error": {"code": "/IWBEP/CM_MGW_RT/020", "message": {"value": "x"}}}
            )
        if request.method == "GET":
            return _json(200, {"d": entity}, etag=entity["__metadata"]["etag"])
        if_match = request.headers.get("if-match")
        if if_match is None:
            return _json(428, {"error": {"code": "428", "message": {"value": "If-Match missing"}}})
        if if_match not in ("*", entity["__metadata"]["etag"]):
            return _json(412, {"error": {"code": "412", "message": {"value": "stale"}}})
        entity.update(json.loads(request.content))
        self._touch(entity)
        return httpx.Response(204, headers={"etag": entity["__metadata"]["etag"]})

    def _query(self, request: httpx.Request) -> httpx.Response:
        condition = request.url.params.get("$filter", "")
        results = [
            entity
            for entity in self.notifications.values()
            if all(
                (entity.get(name, "") == value.replace("''", "'")) == (operator == "eq")
                for name, operator, value in _FILTER_TERM.findall(condition)
            )
        ]
        skip = int(request.url.params.get("$skiptoken", "0"))
        page: dict[str, Any] = {"results": results}
        if self.page_size is not None:
            page["results"] = results[skip : skip + self.page_size]
            if skip + self.page_size < len(results):
                next_url = request.url.copy_set_param("$skiptoken", str(skip + self.page_size))
                page["__next"] = str(next_url)
        return _json(200, {"d": page})

    def _function(self, request: httpx.Request, name: str) -> httpx.Response:
        number = request.url.params["MaintenanceNotification"].strip("'")
        entity = self.notifications[number]
        entity["NotifProcessingPhase"] = "3" if name == "SetMaintNotifToInProcess" else "4"
        self._touch(entity)
        return _json(200, {"d": entity})

    def _touch(self, entity: dict[str, Any]) -> None:
        number = entity["MaintenanceNotification"]
        entity["__metadata"] = {
            "uri": f"{BASE_URL}{SERVICE_PATH}MaintenanceNotification('{number}')",
            "etag": f"W/\"datetimeoffset'change-{next(self._changes)}'\"",
        }


def _json(status: int, body: Any, *, etag: str | None = None) -> httpx.Response:
    headers = {"etag": etag} if etag else {}
    return httpx.Response(status, json=body, headers=headers)
