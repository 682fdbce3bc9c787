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
a message that names the field, so that no value is dropped silently.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Final

from monitron_sap.errors import InputError
from monitron_sap.events.model import (
    MEASUREMENT,
    ClosureCode,
    Features,
    JsonObject,
    ModelOutput,
    MonitronEvent,
    SourceRef,
    VibrationBand,
)

# Monitron writes "YYYY-MM-DD HH:MM:SS.fff" in UTC without a zone. Hand-made samples use ISO-8601
# with a "T" and an offset. Both forms, with or without a fraction, match this pattern.
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)
_EMPTY: Final[JsonObject] = {}

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
_MODEL_TEXTS: Final = (
    "persistentClassificationOutput",
    "previousPersistentClassificationOutput",
    "pointwiseClassificationOutput",
    "isoClass",
    "mutedThreshold",
)
_TOTAL_NUMBERS: Final = ("rms", "absMax", "absMin", "crestFactor")
_AXES: Final = ("xAxis", "yAxis", "zAxis")
_MODEL_OUTPUTS: dict[tuple[str | None, ...], ModelOutput] = {}
_MODEL_OUTPUTS_MAX: Final = 4096


class SchemaError(InputError):
    """A decoded record that is not a usable Monitron event."""


def parse_record(value: object, source: SourceRef) -> MonitronEvent:
    """Normalize one decoded JSON value into a ``MonitronEvent``.

    Raises ``SchemaError`` when the value is not an object, its structure is neither v1 nor v2,
    an identifying field (``eventId``, ``timestamp``, ``eventType``) is missing or invalid, or a
    field has the wrong JSON type.
    """
    if type(value) is not dict:
        raise SchemaError(f"expected a JSON object, found {_describe_type(value)}")

    if "eventType" in value or "eventPayload" in value:
        return _parse_v2(value, source)
    if "measurement" in value or "projectDisplayName" in value:
        return _parse_v1(value, source)

    keys = ", ".join(sorted(value)[:8]) or "none"
    raise SchemaError(
        "unknown record structure: expected eventType and eventPayload (v2) or measurement "
        f"or projectDisplayName (v1); top-level keys: {keys}"
    )


def parse_timestamp(text: object, path: str = "timestamp") -> datetime:
    """Parse a Monitron or ISO-8601 timestamp into timezone-aware UTC.

    A timestamp without a zone is UTC, as Monitron documents for its export.
    """
    if text is None:
        raise SchemaError(f"{path} is missing")
    if type(text) is not str:
        raise SchemaError(f"{path} must be a string, found {_describe_type(text)}")
    if _TIMESTAMP.fullmatch(text) is None:
        raise SchemaError(
            f"{path} {text!r} is not a timestamp; expected 'YYYY-MM-DD HH:MM:SS.fff' (UTC) "
            "or ISO-8601 with an offset"
        )
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise SchemaError(f"{path} {text!r} is not a valid date and time: {error}") from error

    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_v2(record: JsonObject, source: SourceRef) -> MonitronEvent:
    event_id = _event_id(record)
    timestamp = parse_timestamp(record.get("timestamp"))
    event_type = record.get("eventType")
    if type(event_type) is not str or not event_type:
        raise SchemaError(f"eventType must be a non-empty string, found {_describe(event_type)}")
    payload = _object(record, "eventPayload", "")

    version, account_id, project, project_id = _texts(record, _V2_RECORD_TEXTS, "")
    (
        site,
        asset,
        position,
        asset_position_id,
        asset_position_url,
        gateway_name,
        company,
        serial_number,
        measurement_trigger,
        transition_type,
    ) = _texts(payload, _V2_PAYLOAD_TEXTS, "eventPayload.")
    sensor = _object(payload, "sensor", "eventPayload.")
    gateway = _object(payload, "gateway", "eventPayload.")
    state = _object(payload, "assetState", "eventPayload.")
    new_state, previous_state = _texts(state, _STATE_TEXTS, "eventPayload.assetState.")
    features = payload.get("features")
    models = payload.get("models")
    closure = payload.get("closureCode")

    return MonitronEvent(
        event_id=event_id,
        event_type=event_type,
        schema_version=2,
        timestamp=timestamp,
        source=source,
        version=version,
        account_id=account_id,
        project=project,
        project_id=project_id,
        site=site,
        asset=asset,
        position=position,
        asset_position_id=asset_position_id,
        asset_position_url=asset_position_url,
        sensor_id=_text(sensor, "physicalId", "eventPayload.sensor."),
        sensor_rssi=_number(sensor, "rssi", "eventPayload.sensor."),
        gateway_id=_text(gateway, "physicalId", "eventPayload.gateway."),
        gateway_name=gateway_name,
        company=company,
        serial_number=serial_number,
        sequence_no=_integer(payload, "sequenceNo", "eventPayload."),
        measurement_trigger=measurement_trigger,
        transition_type=transition_type,
        new_state=new_state,
        previous_state=previous_state,
        closure_code=None if closure is None else _closure_code(closure),
        features=None if features is None else _features(features, "eventPayload.features."),
        models={} if models is None else _models(models, "eventPayload.models."),
        raw=record,
    )


def _parse_v1(record: JsonObject, source: SourceRef) -> MonitronEvent:
    event_id = _event_id(record)
    timestamp = parse_timestamp(record.get("timestamp"))
    version, project, site, asset, position = _texts(record, _V1_TEXTS, "")
    sensor = _object(record, "sensor", "")
    gateway = _object(record, "gateway", "")
    measurement = _object(record, "measurement", "")
    state = _object(record, "assetState", "")
    new_state, previous_state = _texts(state, _STATE_TEXTS, "assetState.")
    features = measurement.get("features")
    models = record.get("models")

    return MonitronEvent(
        event_id=event_id,
        event_type=MEASUREMENT,
        schema_version=1,
        timestamp=timestamp,
        source=source,
        version=version,
        project=project,
        site=site,
        asset=asset,
        position=position,
        sensor_id=_text(sensor, "physicalId", "sensor."),
        sensor_rssi=_number(sensor, "rssi", "sensor."),
        gateway_id=_text(gateway, "physicalId", "gateway."),
        sequence_no=_integer(measurement, "sequenceNo", "measurement."),
        new_state=new_state,
        previous_state=previous_state,
        features=None if features is None else _features(features, "measurement.features."),
        models={} if models is None else _models(models, "models."),
        raw=record,
    )


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
    raise SchemaError(f"eventId must be a string or an integer, found {_describe(value)}")


def _features(value: object, path: str) -> Features:
    if type(value) is not dict:
        raise SchemaError(f"{path[:-1]} must be an object, found {_describe(value)}")
    acceleration = _object(value, "acceleration", path)
    velocity = _object(value, "velocity", path)
    broadband_path = path + "acceleration.band0To6000Hz."
    broadband = _object(acceleration, "band0To6000Hz", path + "acceleration.")
    broadband_x, broadband_y, broadband_z = _axes_rms(broadband, broadband_path)

    return Features(
        acceleration=_band(acceleration, path + "acceleration."),
        velocity=_band(velocity, path + "velocity."),
        temperature_c=_number(value, "temperature", path),
        broadband_x_rms=broadband_x,
        broadband_y_rms=broadband_y,
        broadband_z_rms=broadband_z,
    )


def _band(parent: JsonObject, path: str) -> VibrationBand:
    band = _object(parent, "band10To1000Hz", path)
    path += "band10To1000Hz."
    total = band.get("totalVibration")
    total_key = "totalVibration"
    if total is None:
        total = band.get("resultantVector")
        total_key = "resultantVector"
    if total is None:
        total = _EMPTY
    elif type(total) is not dict:
        raise SchemaError(f"{path}{total_key} must be an object, found {_describe(total)}")

    rms, abs_max, abs_min, reported = _numbers(total, _TOTAL_NUMBERS, f"{path}{total_key}.")
    x_rms, y_rms, z_rms = _axes_rms(band, path)
    # The exported velocity crest factor is sometimes 1000 times abs_max / rms, so it is
    # recomputed whenever both inputs are present.
    crest = abs_max / rms if abs_max is not None and rms else reported

    return VibrationBand(
        rms=rms,
        abs_max=abs_max,
        abs_min=abs_min,
        crest_factor=crest,
        reported_crest_factor=reported,
        x_rms=x_rms,
        y_rms=y_rms,
        z_rms=z_rms,
    )


def _axes_rms(band: JsonObject, path: str) -> list[float | None]:
    """Return the ``rms`` of ``xAxis``, ``yAxis`` and ``zAxis``, each ``None`` when missing."""
    values: list[float | None] = []
    for axis in _AXES:
        block = band.get(axis)
        if block is None:
            values.append(None)
            continue
        if block.__class__ is not dict:
            raise SchemaError(f"{path}{axis} must be an object, found {_describe(block)}")
        rms = block.get("rms")
        kind = rms.__class__
        if kind is not float and kind is not int and rms is not None:
            raise SchemaError(f"{path}{axis}.rms must be a number, found {_describe(rms)}")
        values.append(rms)
    return values


def _models(value: object, path: str) -> dict[str, ModelOutput]:
    if type(value) is not dict:
        raise SchemaError(f"{path[:-1]} must be an object, found {_describe(value)}")
    outputs: dict[str, ModelOutput] = {}
    for name, output in value.items():
        if output is None:
            continue
        if type(output) is not dict:
            raise SchemaError(f"{path}{name} must be an object, found {_describe(output)}")
        outputs[name] = _model_output(_texts(output, _MODEL_TEXTS, path, name))
    return outputs


def _model_output(texts: list[str | None]) -> ModelOutput:
    # Model outputs are a few enum combinations repeated in every measurement, and ModelOutput
    # is immutable, so one instance per combination is shared.
    key = tuple(texts)
    output = _MODEL_OUTPUTS.get(key)
    if output is None:
        persistent, previous, pointwise, iso_class, muted = texts
        output = ModelOutput(persistent, previous, pointwise, iso_class, muted)
        if len(_MODEL_OUTPUTS) < _MODEL_OUTPUTS_MAX:
            _MODEL_OUTPUTS[key] = output
    return output


def _closure_code(value: object) -> ClosureCode:
    path = "eventPayload.closureCode."
    if type(value) is not dict:
        raise SchemaError(f"{path[:-1]} must be an object, found {_describe(value)}")
    resolved = value.get("resolvedModels")
    if resolved is None:
        resolved = []
    elif type(resolved) is not list or any(type(item) is not str for item in resolved):
        raise SchemaError(f"{path}resolvedModels must be a list of strings, found {resolved!r:.80}")

    return ClosureCode(
        failure_mode=_text(value, "failureMode", path),
        failure_cause=_text(value, "failureCause", path),
        action_taken=_text(value, "actionTaken", path),
        resolved_models=tuple(resolved),
    )


def _object(parent: JsonObject, key: str, path: str) -> JsonObject:
    value = parent.get(key)
    if value is None:
        return _EMPTY
    if type(value) is dict:
        return value
    raise SchemaError(f"{path}{key} must be an object, found {_describe(value)}")


def _texts(
    parent: JsonObject, keys: tuple[str, ...], path: str, name: str = ""
) -> list[str | None]:
    """Read several string fields at once; the common all-strings case costs one pass.

    ``path`` and ``name`` locate ``parent`` for error messages (``name`` is appended as a path
    element when given), and are joined only when a field is not a string.
    """
    values = list(map(parent.get, keys))
    for value in values:
        if value is not None and value.__class__ is not str:
            prefix = f"{path}{name}." if name else path
            return [_text(parent, key, prefix) for key in keys]
    return values


def _text(parent: JsonObject, key: str, path: str) -> str | None:
    value = parent.get(key)
    kind = type(value)
    if kind is str or value is None:
        return value
    # Names made only of digits (a site called 1017) sometimes arrive as JSON numbers.
    if kind is int or kind is float:
        return str(value)
    raise SchemaError(f"{path}{key} must be a string, found {_describe(value)}")


def _numbers(parent: JsonObject, keys: tuple[str, ...], path: str) -> list[float | None]:
    """Read several number fields at once; the common all-numbers case costs one pass."""
    values = list(map(parent.get, keys))
    for value in values:
        kind = value.__class__
        if kind is not float and kind is not int and value is not None:
            return [_number(parent, key, path) for key in keys]
    return values


def _number(parent: JsonObject, key: str, path: str) -> float | None:
    value = parent.get(key)
    kind = type(value)
    if kind is float or kind is int or value is None:
        return value
    raise SchemaError(f"{path}{key} must be a number, found {_describe(value)}")


def _integer(parent: JsonObject, key: str, path: str) -> int | None:
    value = parent.get(key)
    kind = type(value)
    if kind is int or value is None:
        return value
    if kind is float and value.is_integer():
        return int(value)
    raise SchemaError(f"{path}{key} must be an integer, found {_describe(value)}")


def _describe(value: object) -> str:
    """Describe a JSON value for an error message: its type and a short excerpt."""
    if value is None:
        return "null"
    return f"{_describe_type(value)} {_excerpt(value)}"


def _describe_type(value: object) -> str:
    names: dict[type[Any], str] = {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)


def _excerpt(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
