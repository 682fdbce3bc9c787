"""Checks of request bodies against the entity model: JSON shape, property names, types,
``MaxLength`` and which properties a create or an update may set."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from monitron_sap.emulator.edm import EntityType
from monitron_sap.emulator.protocol import ODataError
from monitron_sap.emulator.state import Row
from monitron_sap.emulator.wire import from_json

# Codes in the customer namespace (Z...) are the emulator's own: SAP's exact message numbers
# for these validation failures are not published.
MALFORMED_BODY = "ZEMU/015"
INVALID_PROPERTY = "ZEMU/010"
INVALID_VALUE = "ZEMU/011"
VALUE_TOO_LONG = "ZEMU/012"
VALUE_REQUIRED = "ZEMU/013"
ETAG_MISSING = "ZEMU/020"
ETAG_STALE = "ZEMU/021"


def read_body(body: bytes) -> dict[str, Any]:
    """Parse a JSON request body into an object; a ``{"d": {...}}`` wrapper is accepted."""
    try:
        payload = json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ODataError(
            400, MALFORMED_BODY, f"Malformed JSON in the request body: {error}"
        ) from None
    if isinstance(payload, dict) and set(payload) == {"d"} and isinstance(payload["d"], dict):
        payload = payload["d"]
    if not isinstance(payload, dict):
        raise ODataError(400, MALFORMED_BODY, "The request body must be a JSON object")
    return payload


def nested_list(entity_type: EntityType, name: str, raw: Any) -> list[dict[str, Any]]:
    """Return the entities of a deep-insert navigation: ``{"results": [...]}`` or a bare list."""
    if isinstance(raw, dict) and "results" in raw:
        raw = raw["results"]
    elif isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise ODataError(
            400,
            MALFORMED_BODY,
            f"Navigation property {name} of {entity_type.name} must hold a list of entities",
        )
    return raw


def convert_properties(
    entity_type: EntityType, payload: dict[str, Any], *, creating: bool
) -> tuple[Row, dict[str, Any]]:
    """Convert the properties of a request body into typed values.

    Returns the values the request may set and the navigation properties it contains.
    Properties that the request may not set (``sap:creatable``/``sap:updatable`` false) are
    ignored, as SAP Gateway appears to ignore them. Unknown names, wrong types and values
    longer than ``MaxLength`` are rejected with 400.
    """
    values: Row = {}
    navigation: dict[str, Any] = {}
    target_set = entity_type.entity_set
    for name, raw in payload.items():
        if name == "__metadata":
            continue
        if entity_type.navigation_property(name) is not None:
            navigation[name] = raw
            continue
        prop = entity_type.property(name)
        if prop is None:
            raise ODataError(
                400,
                INVALID_PROPERTY,
                f"Property '{name}' is invalid for entity type {entity_type.name}",
                target=f"/{target_set}/{name}",
            )
        if not (prop.creatable if creating else prop.updatable):
            continue
        try:
            value = from_json(prop, raw)
        except ValueError as error:
            raise ODataError(
                400, INVALID_VALUE, str(error), target=f"/{target_set}/{name}"
            ) from None
        if isinstance(value, str) and prop.max_length is not None and len(value) > prop.max_length:
            raise ODataError(
                400,
                VALUE_TOO_LONG,
                f"Value of {name} has {len(value)} characters; at most {prop.max_length} allowed",
                target=f"/{target_set}/{name}",
            )
        if prop.date_only and isinstance(value, datetime):
            value = value.replace(hour=0, minute=0, second=0, microsecond=0)
        values[name] = value
    return values, navigation


def require(entity_type: EntityType, values: Row, names: tuple[str, ...]) -> None:
    """Reject the request when a required property is missing or empty."""
    for name in names:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ODataError(
                400,
                VALUE_REQUIRED,
                f"Enter a value for {name}; it is required for {entity_type.name}",
                target=f"/{entity_type.entity_set}/{name}",
            )


def check_etag(
    entity_type: EntityType,
    if_match: str | None,
    etag: str | None,
    required: bool,
) -> None:
    """Enforce ``If-Match``: 428 when missing (if ``required``), 412 when stale."""
    if etag is None:
        return
    if if_match is None:
        if required:
            raise ODataError(
                428,
                ETAG_MISSING,
                f"Send the ETag of {entity_type.entity_set} in the If-Match header; "
                "read the entity first to get it",
            )
        return
    candidates = [candidate.strip() for candidate in if_match.split(",")]
    if "*" not in candidates and etag not in candidates:
        raise ODataError(
            412,
            ETAG_STALE,
            f"The entity of {entity_type.entity_set} was changed since it was read; "
            "read it again to get the current ETag",
        )
