"""A small custom Gateway service for notifications, as older ECC systems expose them.

Such services have their own entity set and field names (``Equipment`` and ``FunctLoc`` in
place of ``TechnicalObject``, ``ShortText``, one ``LongText`` field). This one lets tests prove
that the client works against such a service through a service profile alone. It serves the
service document, create, read by key, ``$filter`` on the collection and MERGE/PATCH with an
ETag, behind the emulator's authentication and CSRF checks. It has no ``$metadata`` and no
function imports.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from monitron_sap.emulator.config import (
    DEFAULT_TECHNICAL_OBJECTS,
    EQUIPMENT,
    FUNCTIONAL_LOCATION,
)
from monitron_sap.emulator.edm import READ_ONLY, EntityType, Property, string
from monitron_sap.emulator.filter import FilterError, compile_filter
from monitron_sap.emulator.protocol import ODataError, ServiceRequest, ServiceResponse
from monitron_sap.emulator.resource import not_found, parse_path
from monitron_sap.emulator.wire import Value, from_json, parse_literal

CUSTOM_SERVICE_PATH: Final = "/sap/opu/odata/sap/ZPM_NOTIF_SRV"
INVALID_INPUT: Final = "ZPM_NOTIF/001"
INVALID_OBJECT: Final = "ZPM_NOTIF/002"
PRECONDITION: Final = "ZPM_NOTIF/003"
# The outstanding processing phase, set on create.
PHASE_OUTSTANDING: Final = "1"


@dataclass(frozen=True)
class CustomServiceConfig:
    """Names of the custom service's path, entity set and fields.

    The defaults match the built-in ``ecc-custom-gateway-example`` profile except the path.
    """

    service_path: str = CUSTOM_SERVICE_PATH
    entity_set: str = "NotificationSet"
    key_field: str = "Notification"
    text_field: str = "ShortText"
    equipment_field: str = "Equipment"
    functional_location_field: str = "FunctLoc"
    long_text_field: str = "LongText"
    external_reference_field: str = "ExternalRef"
    phase_field: str = "Phase"
    other_fields: tuple[str, ...] = (
        "NotifType",
        "Priority",
        "PlanPlant",
        "PlannerGroup",
        "WorkCenter",
        "WorkCenterPlant",
        "ReportedBy",
        "MalfStartDate",
        "MalfStartTime",
    )
    technical_objects: Mapping[str, str] = field(default_factory=lambda: DEFAULT_TECHNICAL_OBJECTS)
    """Master list: external id to ``EAMS_EQUI`` or ``EAMS_FL``."""
    first_number: int = 20000000


class CustomNotificationService:
    """The custom service. It is thread-safe and keeps its data in memory until it is discarded."""

    service_id = "ZPM_NOTIF_SRV"

    def __init__(self, config: CustomServiceConfig | None = None) -> None:
        self.config = config or CustomServiceConfig()
        names = self.config
        properties: list[Property] = [
            string(names.key_field, 12, READ_ONLY),
            string(names.text_field, 40),
            string(names.equipment_field, 18, upper=True),
            string(names.functional_location_field, 40, upper=True),
            string(names.long_text_field),
            string(names.external_reference_field, 20, upper=True),
            string(names.phase_field, 1, READ_ONLY),
            *(string(name) for name in names.other_fields),
        ]
        self._type = EntityType(
            "Notification", names.entity_set, (names.key_field,), tuple(properties)
        )
        self._rows: dict[str, dict[str, Value]] = {}
        self._versions: dict[str, int] = {}
        self._next_number = names.first_number
        self._lock = threading.Lock()

    def handle(self, request: ServiceRequest) -> ServiceResponse:
        """Serve one request below the service root."""
        segments = parse_path(request.path)
        if not segments:
            if request.method in ("GET", "HEAD"):
                return ServiceResponse.json(200, {"d": {"EntitySets": [self.config.entity_set]}})
            raise ODataError(
                405, INVALID_INPUT, f"{request.method} is not allowed on the service root; use GET"
            )
        segment = segments[0]
        if len(segments) > 1 or segment.name != self.config.entity_set:
            raise not_found(request.path)
        if segment.key is None:
            if request.method == "POST":
                return self._create(request)
            if request.method == "GET":
                return self._collection(request)
            raise ODataError(
                405,
                INVALID_INPUT,
                f"{request.method} is not allowed on an entity set; use GET or POST",
            )
        number = self._key(segment.key)
        if request.method == "GET":
            return self._read(request, number)
        if request.method in ("PATCH", "MERGE", "PUT"):
            return self._update(request, number)
        raise ODataError(
            405,
            INVALID_INPUT,
            f"{request.method} is not allowed on an entity; use GET, PATCH or MERGE",
        )

    # Requests

    def _create(self, request: ServiceRequest) -> ServiceResponse:
        values = self._payload(request, creating=True)
        names = self.config
        text = values.get(names.text_field)
        if not isinstance(text, str) or not text.strip():
            raise ODataError(
                400, INVALID_INPUT, f"{names.text_field} is missing", target=names.text_field
            )
        self._check_technical_object(values)

        with self._lock:
            number = str(self._next_number)
            self._next_number += 1
            row: dict[str, Value] = {prop.name: None for prop in self._type.properties}
            row.update(values)
            row[names.key_field] = number
            row[names.phase_field] = PHASE_OUTSTANDING
            self._rows[number] = row
            self._versions[number] = 1
            entity = self._entity(request, number)
        response = ServiceResponse.json(201, {"d": entity}, {"etag": self._etag(number)})
        response.headers["location"] = entity["__metadata"]["uri"]
        response.created = True
        return response

    def _collection(self, request: ServiceRequest) -> ServiceResponse:
        condition = request.query.get("$filter")
        try:
            matches = compile_filter(condition, self._type) if condition else None
        except FilterError as error:
            raise ODataError(400, INVALID_INPUT, f"invalid $filter: {error}") from error
        with self._lock:
            numbers = [
                number for number, row in self._rows.items() if matches is None or matches(row)
            ]
            entities = [self._entity(request, number) for number in numbers]
        return ServiceResponse.json(200, {"d": {"results": entities}})

    def _read(self, request: ServiceRequest, number: str) -> ServiceResponse:
        with self._lock:
            self._require(number)
            entity = self._entity(request, number)
            etag = self._etag(number)
        return ServiceResponse.json(200, {"d": entity}, {"etag": etag})

    def _update(self, request: ServiceRequest, number: str) -> ServiceResponse:
        values = self._payload(request, creating=False)
        self._check_technical_object(values, partial=True)
        if_match = request.header("if-match")
        names = self.config
        with self._lock:
            self._require(number)
            if if_match is None:
                raise ODataError(428, PRECONDITION, "Send If-Match with the entity's ETag")
            if if_match != "*" and if_match != self._etag(number):
                raise ODataError(
                    412,
                    PRECONDITION,
                    f"Notification {number} has changed since it was read; read it again for "
                    "its ETag",
                )
            row = self._rows[number]
            for name, value in values.items():
                if name == names.long_text_field and value:
                    # Like SAP's long text for edit, new text is appended to the stored text.
                    stored = row.get(name)
                    value = f"{stored}\n{value}" if stored else value
                row[name] = value
            self._versions[number] += 1
            etag = self._etag(number)
        return ServiceResponse(204, headers={"etag": etag})

    # Helpers

    def _payload(self, request: ServiceRequest, *, creating: bool) -> dict[str, Value]:
        try:
            body = json.loads(request.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ODataError(400, INVALID_INPUT, f"the body is not valid JSON: {error}") from error
        if not isinstance(body, dict):
            raise ODataError(400, INVALID_INPUT, "the body must be a JSON object")
        values: dict[str, Value] = {}
        for name, raw in body.items():
            if name == "__metadata":
                continue
            prop = self._type.property(name)
            if prop is None:
                raise ODataError(
                    400, INVALID_INPUT, f"Property {name} does not exist in type Notification"
                )
            if not (prop.creatable if creating else prop.updatable):
                raise ODataError(400, INVALID_INPUT, f"Property {name} is read-only")
            try:
                value = from_json(prop, raw)
            except ValueError as error:
                raise ODataError(400, INVALID_INPUT, str(error), target=name) from error
            if isinstance(value, str) and prop.max_length and len(value) > prop.max_length:
                raise ODataError(
                    400,
                    INVALID_INPUT,
                    f"{name} has {len(value)} characters; at most {prop.max_length} are allowed",
                    target=name,
                )
            values[name] = value
        return values

    def _check_technical_object(
        self, values: Mapping[str, Value], *, partial: bool = False
    ) -> None:
        names = self.config
        equipment = values.get(names.equipment_field)
        location = values.get(names.functional_location_field)
        if equipment and location:
            raise ODataError(
                400,
                INVALID_OBJECT,
                f"Set either {names.equipment_field} or {names.functional_location_field}",
            )
        if not equipment and not location:
            if partial:
                return
            raise ODataError(
                400,
                INVALID_OBJECT,
                f"{names.equipment_field} or {names.functional_location_field} is missing",
            )
        identifier, kind = (equipment, EQUIPMENT) if equipment else (location, FUNCTIONAL_LOCATION)
        if self.config.technical_objects.get(str(identifier)) != kind:
            raise ODataError(
                400, INVALID_OBJECT, f"Technical object {identifier} ({kind}) does not exist"
            )

    def _key(self, raw: str) -> str:
        text = raw.split("=", 1)[1] if "=" in raw else raw
        value = parse_literal(text)
        if not isinstance(value, str):
            raise not_found(raw)
        return value

    def _require(self, number: str) -> None:
        if number not in self._rows:
            raise not_found(f"{self.config.entity_set}('{number}')")

    def _etag(self, number: str) -> str:
        return f"W/\"'{self._versions[number]}'\""

    def _entity(self, request: ServiceRequest, number: str) -> dict[str, Any]:
        uri = f"{request.service_url}/{self.config.entity_set}('{number}')"
        metadata = {"id": uri, "uri": uri, "type": "ZPM_NOTIF_SRV.Notification"}
        metadata["etag"] = self._etag(number)
        return {"__metadata": metadata, **self._rows[number]}
