"""Monitron export schemas: detect v1 or v2 from a record's structure and normalize it.

Detection looks at the keys, never at ``version`` alone, because Monitron documents the v2
``version`` as "1.0 or 2.0":

1. ``eventType`` or ``eventPayload`` at the top level: v2.
2. Otherwise ``measurement`` or ``projectDisplayName`` at the top level: v1.
3. Otherwise the record is rejected as an unknown structure.

A v1 record becomes a ``measurement`` event that also carries the v1 ``assetState``.

Parsing is lenient where real exports are irregular. Unknown keys are ignored, and unknown enum
values and event types are kept as strings. ``null`` is accepted for every optional field.
Integers are accepted where floats are expected and stay ``int``, which the ``float`` annotations
admit. ``totalVibration`` and ``resultantVector`` are both read. A value of the wrong JSON type
(an object where a name is expected, a string where a number is expected) rejects the record with
a message that names the field, so that no value is dropped silently. Inside ``features`` and
``models``, which ``monitron_sap.events.nested`` builds on first access, that message is raised
from the attribute instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from monitron_sap.events.fields import (
    SchemaError,
    describe,
    describe_type,
    parse_timestamp,
    read_integer,
    read_number,
    read_object,
    read_text,
    read_texts,
)
from monitron_sap.events.model import (
    MEASUREMENT,
    ClosureCode,
    JsonObject,
    MonitronEvent,
    PendingEvent,
    SourceRef,
)
from monitron_sap.events.nested import normalize_v1, normalize_v2

_V1_TEXTS: Final = (
    "version",
    "projectDisplayName",
    "siteDisplayName",
    "assetDisplayName",
    "sensorPositionDisplayName",
)
_V2_RECORD_TEXTS: Final = ("version", "accountId", "projectName", "projectId")
_V2_PAYLOAD_TEXTS: Final = (
    "siteName",
    "assetName",
    "positionName",
    "assetPositionId",
    "assetPositionURL",
    "gatewayName",
    "companyName",
    "serialNumber",
    "measurementTrigger",
    "assetTransitionType",
)
_STATE_TEXTS: Final = ("newState", "previousState")


def parse_record(value: object, source: SourceRef) -> MonitronEvent:
    """Normalize one decoded JSON value into a ``MonitronEvent``.

    Raises ``SchemaError`` when the value is not an object, its structure is neither v1 nor v2,
    an identifying field (``eventId``, ``timestamp``, ``eventType``) is missing or invalid, or a
    context field has the wrong JSON type. A wrong type inside ``features`` or ``models`` raises
    ``SchemaError`` when that attribute is first read.
    """
    where = (source.source, source.offset, source.line, source.from_error_output)
    return parse_at(value, where)


def parse_at(value: object, where: tuple[str, int, int, bool]) -> MonitronEvent:
    """Normalize like ``parse_record``, with the ``SourceRef`` fields as a tuple.

    The event's ``source`` is built from ``where`` on first access, which saves the reader one
    object per record.
    """
    if value.__class__ is not dict:
        raise SchemaError(f"expected a JSON object, found {describe_type(value)}")

    if "eventType" in value or "eventPayload" in value:
        return _parse_v2(value, where)
    if "measurement" in value or "projectDisplayName" in value:
        return _parse_v1(value, where)

    keys = ", ".join(sorted(value)[:8]) or "none"
    if len(value) > 8:
        keys += f" and {len(value) - 8} more"
    raise SchemaError(
        "unknown record structure: expected eventType and eventPayload (v2) or measurement "
        f"or projectDisplayName (v1); top-level keys: {keys}"
    )


def _parse_v2(record: JsonObject, where: tuple[str, int, int, bool]) -> MonitronEvent:
    # This runs once per record, so it reads each field with a plain dict lookup and checks its
    # type inline. The general readers, whose messages name the field, run only when a value
    # has an unexpected type. The checks run in the order of the messages they raise.
    get = record.get
    event_id = get("eventId")
    if event_id.__class__ is not str or not event_id:
        event_id = _event_id(record)
    timestamp = parse_timestamp(get("timestamp"))
    event_type = get("eventType")
    if event_type.__class__ is not str or not event_type:
        raise SchemaError(f"eventType must be a non-empty string, found {describe(event_type)}")
    payload = get("eventPayload")
    if payload.__class__ is not dict:
        payload = read_object(record, "eventPayload", "")

    event = PendingEvent()
    event.event_id = event_id
    event.event_type = event_type
    event.schema_version = 2
    event.timestamp = timestamp
    record_texts: Sequence[Any] = (
        get("version"),
        get("accountId"),
        get("projectName"),
        get("projectId"),
    )
    for value in record_texts:
        if value.__class__ is not str and value is not None:
            record_texts = read_texts(record, _V2_RECORD_TEXTS, "")
            break
    event.version, event.account_id, event.project, event.project_id = record_texts

    get = payload.get
    payload_texts: Sequence[Any] = (
        get("siteName"),
        get("assetName"),
        get("positionName"),
        get("assetPositionId"),
        get("assetPositionURL"),
        get("gatewayName"),
        get("companyName"),
        get("serialNumber"),
        get("measurementTrigger"),
        get("assetTransitionType"),
    )
    for value in payload_texts:
        if value.__class__ is not str and value is not None:
            payload_texts = read_texts(payload, _V2_PAYLOAD_TEXTS, "eventPayload.")
            break
    (
        event.site,
        event.asset,
        event.position,
        event.asset_position_id,
        event.asset_position_url,
        event.gateway_name,
        event.company,
        event.serial_number,
        event.measurement_trigger,
        event.transition_type,
    ) = payload_texts

    sensor = get("sensor")
    if sensor.__class__ is not dict:
        sensor = read_object(payload, "sensor", "eventPayload.")
    gateway = get("gateway")
    if gateway.__class__ is not dict:
        gateway = read_object(payload, "gateway", "eventPayload.")
    state = get("assetState")
    if state is None:
        event.new_state = event.previous_state = None
    else:
        state = read_object(payload, "assetState", "eventPayload.")
        event.new_state, event.previous_state = read_texts(
            state, _STATE_TEXTS, "eventPayload.assetState."
        )

    sensor_id = sensor.get("physicalId")
    if sensor_id.__class__ is not str:
        sensor_id = read_text(sensor, "physicalId", "eventPayload.sensor.")
    event.sensor_id = sensor_id
    sensor_rssi = sensor.get("rssi")
    if sensor_rssi.__class__ is not int:
        sensor_rssi = read_number(sensor, "rssi", "eventPayload.sensor.")
    event.sensor_rssi = sensor_rssi
    gateway_id = gateway.get("physicalId")
    if gateway_id.__class__ is not str:
        gateway_id = read_text(gateway, "physicalId", "eventPayload.gateway.")
    event.gateway_id = gateway_id
    sequence_no = get("sequenceNo")
    if sequence_no.__class__ is not int:
        sequence_no = read_integer(payload, "sequenceNo", "eventPayload.")
    event.sequence_no = sequence_no
    closure = get("closureCode")
    event.closure_code = None if closure is None else _closure_code(closure)

    event.raw = record
    event._where = where
    event._normalize = normalize_v2
    return event.finish()


def _parse_v1(record: JsonObject, where: tuple[str, int, int, bool]) -> MonitronEvent:
    event_id = _event_id(record)
    timestamp = parse_timestamp(record.get("timestamp"))
    version, project, site, asset, position = read_texts(record, _V1_TEXTS, "")
    sensor = read_object(record, "sensor", "")
    gateway = read_object(record, "gateway", "")
    measurement = read_object(record, "measurement", "")
    state = read_object(record, "assetState", "")
    new_state, previous_state = read_texts(state, _STATE_TEXTS, "assetState.")

    event = PendingEvent()
    event.event_id = event_id
    event.event_type = MEASUREMENT
    event.schema_version = 1
    event.timestamp = timestamp
    event.version = version
    event.account_id = None
    event.project = project
    event.project_id = None
    event.site = site
    event.asset = asset
    event.position = position
    event.asset_position_id = None
    event.asset_position_url = None
    event.sensor_id = read_text(sensor, "physicalId", "sensor.")
    event.sensor_rssi = read_number(sensor, "rssi", "sensor.")
    event.gateway_id = read_text(gateway, "physicalId", "gateway.")
    event.gateway_name = None
    event.company = None
    event.serial_number = None
    event.sequence_no = read_integer(measurement, "sequenceNo", "measurement.")
    event.measurement_trigger = None
    event.transition_type = None
    event.new_state = new_state
    event.previous_state = previous_state
    event.closure_code = None
    event.raw = record
    event._where = where
    event._normalize = normalize_v1
    return event.finish()


def _event_id(record: JsonObject) -> str:
    value = record.get("eventId")
    kind = type(value)
    if kind is str:
        if not value:
            raise SchemaError("eventId is empty")
        return value  # type: ignore[no-any-return]
    if kind is int:
        return str(value)
    if value is None:
        raise SchemaError("eventId is missing")
    raise SchemaError(f"eventId must be a string or an integer, found {describe(value)}")


def _closure_code(value: object) -> ClosureCode:
    path = "eventPayload.closureCode."
    if type(value) is not dict:
        raise SchemaError(f"{path[:-1]} must be an object, found {describe(value)}")
    resolved = value.get("resolvedModels")
    if resolved is None:
        resolved = []
    elif type(resolved) is not list or any(type(item) is not str for item in resolved):
        raise SchemaError(f"{path}resolvedModels must be a list of strings, found {resolved!r:.80}")

    return ClosureCode(
        failure_mode=read_text(value, "failureMode", path),
        failure_cause=read_text(value, "failureCause", path),
        action_taken=read_text(value, "actionTaken", path),
        resolved_models=tuple(resolved),
    )
