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

from typing import Final

from monitron_sap.events.fields import (
    EMPTY_OBJECT,
    SchemaError,
    describe,
    describe_type,
    parse_timestamp,
    read_integer,
    read_number,
    read_numbers,
    read_object,
    read_text,
    read_texts,
)
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


def parse_record(value: object, source: SourceRef) -> MonitronEvent:
    """Normalize one decoded JSON value into a ``MonitronEvent``.

    Raises ``SchemaError`` when the value is not an object, its structure is neither v1 nor v2,
    an identifying field (``eventId``, ``timestamp``, ``eventType``) is missing or invalid, or a
    field has the wrong JSON type.
    """
    if type(value) is not dict:
        raise SchemaError(f"expected a JSON object, found {describe_type(value)}")

    if "eventType" in value or "eventPayload" in value:
        return _parse_v2(value, source)
    if "measurement" in value or "projectDisplayName" in value:
        return _parse_v1(value, source)

    keys = ", ".join(sorted(value)[:8]) or "none"
    if len(value) > 8:
        keys += f" and {len(value) - 8} more"
    raise SchemaError(
        "unknown record structure: expected eventType and eventPayload (v2) or measurement "
        f"or projectDisplayName (v1); top-level keys: {keys}"
    )


def _parse_v2(record: JsonObject, source: SourceRef) -> MonitronEvent:
    event_id = _event_id(record)
    timestamp = parse_timestamp(record.get("timestamp"))
    event_type = record.get("eventType")
    if type(event_type) is not str or not event_type:
        raise SchemaError(f"eventType must be a non-empty string, found {describe(event_type)}")
    payload = read_object(record, "eventPayload", "")

    version, account_id, project, project_id = read_texts(record, _V2_RECORD_TEXTS, "")
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
    ) = read_texts(payload, _V2_PAYLOAD_TEXTS, "eventPayload.")
    sensor = read_object(payload, "sensor", "eventPayload.")
    gateway = read_object(payload, "gateway", "eventPayload.")
    state = read_object(payload, "assetState", "eventPayload.")
    new_state, previous_state = read_texts(state, _STATE_TEXTS, "eventPayload.assetState.")
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
        sensor_id=read_text(sensor, "physicalId", "eventPayload.sensor."),
        sensor_rssi=read_number(sensor, "rssi", "eventPayload.sensor."),
        gateway_id=read_text(gateway, "physicalId", "eventPayload.gateway."),
        gateway_name=gateway_name,
        company=company,
        serial_number=serial_number,
        sequence_no=read_integer(payload, "sequenceNo", "eventPayload."),
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
    version, project, site, asset, position = read_texts(record, _V1_TEXTS, "")
    sensor = read_object(record, "sensor", "")
    gateway = read_object(record, "gateway", "")
    measurement = read_object(record, "measurement", "")
    state = read_object(record, "assetState", "")
    new_state, previous_state = read_texts(state, _STATE_TEXTS, "assetState.")
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
        sensor_id=read_text(sensor, "physicalId", "sensor."),
        sensor_rssi=read_number(sensor, "rssi", "sensor."),
        gateway_id=read_text(gateway, "physicalId", "gateway."),
        sequence_no=read_integer(measurement, "sequenceNo", "measurement."),
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
    raise SchemaError(f"eventId must be a string or an integer, found {describe(value)}")


def _features(value: object, path: str) -> Features:
    if type(value) is not dict:
        raise SchemaError(f"{path[:-1]} must be an object, found {describe(value)}")
    acceleration = read_object(value, "acceleration", path)
    velocity = read_object(value, "velocity", path)
    broadband_path = path + "acceleration.band0To6000Hz."
    broadband = read_object(acceleration, "band0To6000Hz", path + "acceleration.")
    broadband_x, broadband_y, broadband_z = _axes_rms(broadband, broadband_path)

    return Features(
        acceleration=_band(acceleration, path + "acceleration."),
        velocity=_band(velocity, path + "velocity."),
        temperature_c=read_number(value, "temperature", path),
        broadband_x_rms=broadband_x,
        broadband_y_rms=broadband_y,
        broadband_z_rms=broadband_z,
    )


def _band(parent: JsonObject, path: str) -> VibrationBand:
    band = read_object(parent, "band10To1000Hz", path)
    path += "band10To1000Hz."
    total = band.get("totalVibration")
    total_key = "totalVibration"
    if total is None:
        total = band.get("resultantVector")
        total_key = "resultantVector"
    if total is None:
        total = EMPTY_OBJECT
    elif type(total) is not dict:
        raise SchemaError(f"{path}{total_key} must be an object, found {describe(total)}")

    rms, abs_max, abs_min, reported = read_numbers(total, _TOTAL_NUMBERS, f"{path}{total_key}.")
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
            raise SchemaError(f"{path}{axis} must be an object, found {describe(block)}")
        rms = block.get("rms")
        kind = rms.__class__
        if kind is not float and kind is not int and rms is not None:
            raise SchemaError(f"{path}{axis}.rms must be a number, found {describe(rms)}")
        values.append(rms)
    return values


def _models(value: object, path: str) -> dict[str, ModelOutput]:
    if type(value) is not dict:
        raise SchemaError(f"{path[:-1]} must be an object, found {describe(value)}")
    outputs: dict[str, ModelOutput] = {}
    for name, output in value.items():
        if output is None:
            continue
        if type(output) is not dict:
            raise SchemaError(f"{path}{name} must be an object, found {describe(output)}")
        outputs[name] = _model_output(read_texts(output, _MODEL_TEXTS, path, name))
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
