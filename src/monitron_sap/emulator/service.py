"""Routes of the emulated ``API_MAINTNOTIFICATION`` service: service document, ``$metadata``,
entity sets, keys, navigation, ``$count`` and the function imports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

from monitron_sap.emulator import maintnotification as model
from monitron_sap.emulator.batch import handle_batch
from monitron_sap.emulator.config import EmulatorConfig
from monitron_sap.emulator.edm import EntityType, FunctionImport
from monitron_sap.emulator.filter import Predicate
from monitron_sap.emulator.metadata import render_metadata, render_service_document_xml
from monitron_sap.emulator.notifications import NotificationRules
from monitron_sap.emulator.protocol import (
    TEXT_TYPE,
    XML_TYPE,
    ODataError,
    ServiceRequest,
    ServiceResponse,
)
from monitron_sap.emulator.query import (
    EntityWriter,
    apply_options,
    bad_query,
    key_of,
    parse_query_options,
)
from monitron_sap.emulator.resource import Segment, not_found, parse_key, parse_path
from monitron_sap.emulator.state import EntityStore, Row
from monitron_sap.emulator.validation import check_etag, read_body
from monitron_sap.emulator.wire import parse_literal

METHOD_NOT_ALLOWED = "ZEMU/017"
NOT_ACCEPTABLE = "ZEMU/030"
_UPDATE_METHODS = ("PATCH", "MERGE", "PUT")

RowLoader = Callable[[Predicate | None], list[Row]]
"""Loads the rows of a collection that a ``$filter`` predicate accepts (all for ``None``)."""


def _matching(rows: list[Row], where: Predicate | None) -> list[Row]:
    return [row for row in rows if where is None or where(row)]


def _label(segments: list[Segment], index: int) -> str:
    """Return the path up to ``segments[index]`` as SAP names it in "not found" errors."""
    parts = [f"{s.name}({s.key})" if s.key else s.name for s in segments[: index + 1]]
    return "/".join(parts)


@dataclass
class _Target:
    """Target of a resource path: one entity, a collection or a collection's count."""

    entity_type: EntityType
    row: Row | None = None
    rows: RowLoader | None = None
    parent: tuple[EntityType, Row, str] | None = None
    """Entity type, entity and navigation name the collection was reached through."""
    count: bool = False


def method_not_allowed(method: str, target: str) -> ODataError:
    """Build the 405 error for a method the target does not support."""
    return ODataError(405, METHOD_NOT_ALLOWED, f"Method {method} is not allowed for {target}")


class MaintNotificationService:
    """The ``API_MAINTNOTIFICATION`` service on top of an :class:`EntityStore`."""

    service_id = "API_MAINTNOTIFICATION"

    def __init__(self, config: EmulatorConfig, store: EntityStore) -> None:
        self.config = config
        self.store = store
        self.rules = NotificationRules(config, store)
        self.schema = model.SCHEMA
        self._metadata = render_metadata(self.schema)

    def handle(self, request: ServiceRequest) -> ServiceResponse:
        """Handle one request below the service root."""
        segments = parse_path(request.path)
        if not segments:
            return self._service_document(request)
        first = segments[0]
        if first.name == "$metadata" and len(segments) == 1:
            if request.method not in ("GET", "HEAD"):
                raise method_not_allowed(request.method, "$metadata")
            return ServiceResponse(200, self._metadata, XML_TYPE)
        if first.name == "$batch" and len(segments) == 1:
            return handle_batch(self.handle, request, self.store, self.rules.lock, self.service_id)
        function = self.schema.function_import(first.name)
        if function is not None and len(segments) == 1:
            return self._function_import(request, function)
        entity_type = self.schema.entity_type_for_set(first.name)
        if entity_type is None:
            raise not_found(first.name)
        # NOTE: SAP returns Atom XML for entity requests that do not ask for JSON, which the
        # emulator does not render; 406 makes such a client fail loudly instead.
        if not request.wants_json():
            raise ODataError(
                406,
                NOT_ACCEPTABLE,
                "The emulator returns JSON only; send Accept: application/json "
                "or $format=json (SAP would answer in Atom XML)",
            )
        return self._resource(request, entity_type, segments)

    def _service_document(self, request: ServiceRequest) -> ServiceResponse:
        if request.method not in ("GET", "HEAD"):
            raise method_not_allowed(request.method, "the service document")
        if request.wants_json():
            sets = [entity_type.entity_set for entity_type in self.schema.entity_types]
            return ServiceResponse.json(200, {"d": {"EntitySets": sets}})
        body = render_service_document_xml(self.schema, request.service_url)
        return ServiceResponse(200, body, "application/atomsvc+xml; charset=utf-8")

    def _writer(self, request: ServiceRequest) -> EntityWriter:
        return EntityWriter(self.schema, self.store, request.service_url)

    def _resource(
        self, request: ServiceRequest, entity_type: EntityType, segments: list[Segment]
    ) -> ServiceResponse:
        """Dispatch a request for an entity, a collection or a ``$count``."""
        writer = self._writer(request)
        target = self._walk(writer, entity_type, segments)
        if target.count:
            if request.method not in ("GET", "HEAD"):
                raise method_not_allowed(request.method, "$count")
            assert target.rows is not None
            options = parse_query_options(request.query, target.entity_type, self.schema)
            _, total, _ = apply_options(target.rows(options.predicate), options)
            return ServiceResponse(200, str(total).encode(), TEXT_TYPE)

        if target.rows is not None:
            return self._collection(request, writer, target.entity_type, target.rows, target.parent)
        assert target.row is not None
        return self._entity(request, writer, target.entity_type, target.row)

    def _walk(
        self, writer: EntityWriter, entity_type: EntityType, segments: list[Segment]
    ) -> _Target:
        """Follow the path: entity set, optional key, then navigation and ``$count``."""
        first = segments[0]
        target = _Target(entity_type)
        if first.key is None:
            target.rows = partial(self.store.all, entity_type.entity_set)
        else:
            key_values = parse_key(first, entity_type.keys)
            target.row = self.rules.find(entity_type, key_values, _label(segments, 0))

        for index, segment in enumerate(segments[1:], start=1):
            label = _label(segments, index)
            if segment.name == "$count" and index == len(segments) - 1 and target.rows:
                target.count = True
                continue
            navigation = target.entity_type.navigation_property(segment.name)
            if target.row is None or navigation is None or segment.key is not None:
                raise not_found(label)

            target.parent = (target.entity_type, target.row, segment.name)
            target.entity_type, related = writer.related(target.entity_type, target.row, navigation)
            _, many = self.schema.navigation_target(navigation)
            if many:
                target.row, target.rows = None, partial(_matching, related)
            elif related:
                target.row, target.rows = related[0], None
            else:
                raise not_found(label)
        return target

    def _collection(
        self,
        request: ServiceRequest,
        writer: EntityWriter,
        entity_type: EntityType,
        rows: RowLoader,
        parent: tuple[EntityType, Row, str] | None,
    ) -> ServiceResponse:
        if request.method == "POST":
            return self._create(request, writer, entity_type, parent)
        if request.method not in ("GET", "HEAD"):
            raise method_not_allowed(request.method, f"the collection {entity_type.entity_set}")
        options = parse_query_options(request.query, entity_type, self.schema)
        page, total, next_start = apply_options(
            rows(options.predicate), options, self.config.page_size
        )
        results = [writer.to_json(entity_type, row, options.expand, options.select) for row in page]
        body: dict[str, Any] = {"results": results}
        if options.inlinecount:
            body["__count"] = str(total)
        if next_start is not None:
            query = {**request.query, "$skiptoken": str(next_start)}
            body["__next"] = f"{request.service_url}/{request.path}?{urlencode(query)}"
        return ServiceResponse.json(200, {"d": body})

    def _create(
        self,
        request: ServiceRequest,
        writer: EntityWriter,
        entity_type: EntityType,
        parent: tuple[EntityType, Row, str] | None,
    ) -> ServiceResponse:
        payload = read_body(request.body)
        if entity_type is model.HEADER:
            if parent is not None:
                raise method_not_allowed("POST", "a navigation to the notification")
            row = self.rules.create_notification(payload, request.user)
        else:
            if parent is not None:
                parent_type, parent_row, _ = parent
                if parent_type is not model.HEADER and parent_type is not model.ITEM:
                    raise method_not_allowed("POST", f"navigation from {parent_type.entity_set}")
                parent_keys = {name: str(parent_row[name]) for name in parent_type.keys}
            else:
                parent_keys = self._parent_keys_from_payload(entity_type, payload)
            row = self.rules.create_child(entity_type, payload, parent_keys, request.user)
        headers = {"location": writer.entity_url(entity_type, row)}
        etag = writer.etag(entity_type, row)
        if etag is not None:
            headers["etag"] = etag
        response = ServiceResponse.json(201, {"d": writer.to_json(entity_type, row)}, headers)
        response.created = True
        return response

    def _parent_keys_from_payload(
        self, entity_type: EntityType, payload: dict[str, Any]
    ) -> dict[str, str]:
        """Take the parent keys of a child posted to its own entity set from its body."""
        if entity_type in (model.CAUSE, model.ACTIVITY):
            item_keys = {name: str(payload.get(name) or "") for name in model.ITEM.keys}
            item_label = f"{model.ITEM_SET}({item_keys})"
            self.rules.find(model.ITEM, item_keys, item_label)
            return {name: str(payload.get(name) or "") for name in model.ITEM.keys}
        return {"MaintenanceNotification": str(payload.get("MaintenanceNotification") or "")}

    def _entity(
        self, request: ServiceRequest, writer: EntityWriter, entity_type: EntityType, row: Row
    ) -> ServiceResponse:
        etag = writer.etag(entity_type, row)
        if request.method in ("GET", "HEAD"):
            options = parse_query_options(request.query, entity_type, self.schema)
            headers = {"etag": etag} if etag else {}
            body = writer.to_json(entity_type, row, options.expand, options.select)
            return ServiceResponse.json(200, {"d": body}, headers)
        if request.method in _UPDATE_METHODS:
            payload = read_body(request.body)
            with self.rules.lock:
                row = self.store.get(entity_type.entity_set, key_of(entity_type, row)) or row
                check_etag(
                    entity_type,
                    request.header("if-match"),
                    writer.etag(entity_type, row),
                    required=self.config.require_if_match,
                )
                updated = self.rules.update(
                    entity_type, row, payload, request.user, replace=request.method == "PUT"
                )
            new_etag = writer.etag(entity_type, updated)
            return ServiceResponse(204, headers={"etag": new_etag} if new_etag else {})
        if request.method == "DELETE" and entity_type.deletable:
            self.store.delete(entity_type.entity_set, key_of(entity_type, row))
            return ServiceResponse(204)
        raise method_not_allowed(request.method, f"an entity of {entity_type.entity_set}")

    def _function_import(
        self, request: ServiceRequest, function: FunctionImport
    ) -> ServiceResponse:
        if request.method != function.http_method:
            raise method_not_allowed(request.method, f"function import {function.name}")
        arguments = self._function_arguments(request, function)
        number = arguments.get("MaintenanceNotification")
        if not isinstance(number, str) or not number:
            raise bad_query(f"Parameter MaintenanceNotification of {function.name} is missing")
        writer = self._writer(request)
        with self.rules.lock:
            row = self._run_function(request, function, arguments, writer)
        etag = writer.etag(model.HEADER, row)
        return ServiceResponse.json(
            200, {"d": writer.to_json(model.HEADER, row)}, {"etag": etag} if etag else {}
        )

    def _run_function(
        self,
        request: ServiceRequest,
        function: FunctionImport,
        arguments: dict[str, Any],
        writer: EntityWriter,
    ) -> Row:
        """Check the notification's state and ETag, then apply the status action."""
        number = str(arguments["MaintenanceNotification"])
        label = f"{function.name}(MaintenanceNotification='{number}')"
        row = self.rules.find(model.HEADER, {"MaintenanceNotification": number}, label)
        check_etag(model.HEADER, request.header("if-match"), writer.etag(model.HEADER, row), False)
        if function.name == "SetMaintNotifToInProcess":
            row = self.rules.set_in_process(row, request.user)
        else:
            reference = arguments.get("MaintNotifReferenceDateTime")
            reference_date = arguments.get("NotificationReferenceDate")
            reference_time = arguments.get("NotificationReferenceTime")
            row = self.rules.complete(
                row,
                request.user,
                reference if isinstance(reference, datetime) else None,
                reference_date if isinstance(reference_date, datetime) else None,
                reference_time if isinstance(reference_time, timedelta) else None,
            )
        return row

    def _function_arguments(
        self, request: ServiceRequest, function: FunctionImport
    ) -> dict[str, Any]:
        """Parse function import parameters from URI literals in the query string."""
        arguments: dict[str, Any] = {}
        for parameter in function.parameters:
            raw = request.query.get(parameter.name)
            if raw is None:
                continue
            try:
                arguments[parameter.name] = parse_literal(raw)
            except ValueError as error:
                raise bad_query(
                    f"Invalid value {raw!r} for parameter {parameter.name} of {function.name}: "
                    f"{error}"
                ) from None
        return arguments
