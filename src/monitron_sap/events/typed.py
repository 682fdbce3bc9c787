"""Decode v2 records straight into typed structures: the reader's fast path.

msgspec decodes a record into the structures below in one compiled pass. It checks the JSON
type of every identifying and context field and skips every other field without building it,
``features`` and ``models`` included, which a second pass decodes into their own structures on
first access. A measurement's first pass took about 1.4 µs, against about 3.6 µs for orjson
building the whole record as dictionaries (10,000 records in memory, CPython 3.11.7, msgspec
0.23.0, orjson 3.13.0).

The fast path accepts a record only when the general path (orjson, then
``monitron_sap.events.schema`` and ``monitron_sap.events.nested``) would accept it with the same
values, so the structures are stricter than the general path:

- every string field must be a string or ``null`` (the general path also turns a number into
  text);
- integers must fit in 64 bits, because orjson decodes larger ones as floats;
- ``totalVibration`` and ``resultantVector`` must both be objects when present.

A record that the first pass does not accept goes through the general path, so v1 records,
irregular records and invalid records get exactly the results and messages they always had.
When the second pass does not accept ``features`` or ``models``, the general path builds them,
with its messages.

msgspec skips unread fields without checking that their strings are valid UTF-8, so
``decode_record`` checks the bytes of every record that is not plain ASCII. Like the general
path, which falls back to the standard library where orjson fails, the fast path accepts a
number too large for a double (``1e400``) in a field that the product does not read. ``raw``
then contains infinity there.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, NamedTuple

import msgspec
import orjson

from monitron_sap.events.candidates import MAX_NESTING_DEPTH, InvalidJsonError, decode_candidate
from monitron_sap.events.fields import SchemaError, parse_timestamp
from monitron_sap.events.model import (
    ClosureCode,
    Features,
    ModelOutput,
    MonitronEvent,
    PendingEvent,
    VibrationBand,
)
from monitron_sap.events.nested import model_output, normalize_v2, vibration_band

# orjson decodes an integer outside the signed 64-bit range as a float (or, up to 2**64, as an
# int), so the fast path leaves such integers to the general path.
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
Number = Int64 | float | None
Text = str | None

# Decoded JSON holds no reference cycles, so the structures need no garbage collector tracking,
# which makes them cheaper to create and to free. Field names are the export's own.


class _Axis(msgspec.Struct, gc=False):
    rms: Number = None


class _Total(msgspec.Struct, gc=False):
    rms: Number = None
    absMax: Number = None
    absMin: Number = None
    crestFactor: Number = None


class _Axes(msgspec.Struct, gc=False):
    xAxis: _Axis | None = None
    yAxis: _Axis | None = None
    zAxis: _Axis | None = None


class _Band(_Axes, gc=False):
    totalVibration: _Total | None = None
    resultantVector: _Total | None = None


class _Acceleration(msgspec.Struct, gc=False):
    band0To6000Hz: _Axes | None = None
    band10To1000Hz: _Band | None = None


class _Velocity(msgspec.Struct, gc=False):
    band10To1000Hz: _Band | None = None


class _Features(msgspec.Struct, gc=False):
    acceleration: _Acceleration | None = None
    velocity: _Velocity | None = None
    temperature: Number = None


class _Model(msgspec.Struct, gc=False):
    persistentClassificationOutput: Text = None
    previousPersistentClassificationOutput: Text = None
    pointwiseClassificationOutput: Text = None
    isoClass: Text = None
    mutedThreshold: Text = None


class _Sensor(msgspec.Struct, gc=False):
    physicalId: Text = None
    rssi: Number = None


class _Gateway(msgspec.Struct, gc=False):
    physicalId: Text = None


class _AssetState(msgspec.Struct, gc=False):
    newState: Text = None
    previousState: Text = None


class _ClosureCode(msgspec.Struct, gc=False):
    failureMode: Text = None
    failureCause: Text = None
    actionTaken: Text = None
    resolvedModels: list[str] | None = None


class _Payload(msgspec.Struct, gc=False):
    siteName: Text = None
    assetName: Text = None
    positionName: Text = None
    assetPositionId: Text = None
    assetPositionURL: Text = None
    gatewayName: Text = None
    companyName: Text = None
    serialNumber: Text = None
    measurementTrigger: Text = None
    assetTransitionType: Text = None
    sensor: _Sensor | None = None
    gateway: _Gateway | None = None
    assetState: _AssetState | None = None
    sequenceNo: Int64 | None = None
    closureCode: _ClosureCode | None = None


class _Record(msgspec.Struct, gc=False):
    eventId: str | Int64
    timestamp: str
    eventType: str
    eventPayload: _Payload
    version: Text = None
    accountId: Text = None
    projectName: Text = None
    projectId: Text = None


class _NestedPayload(msgspec.Struct, gc=False):
    features: _Features | None = None
    models: dict[str, _Model | None] | None = None


class _Nested(msgspec.Struct, gc=False):
    eventPayload: _NestedPayload


class TypedRecord(NamedTuple):
    """A record that the fast path decoded, and its bytes, from which ``raw`` is decoded."""

    record: _Record
    data: bytes


_decode_typed: Final = msgspec.json.Decoder(_Record).decode
_decode_nested: Final = msgspec.json.Decoder(_Nested).decode
_new_tuple: Final = tuple.__new__
_NO_VALUES: Final = (None, None, None, None)
# orjson rejects a record nested MAX_NESTING_DEPTH levels deep, which takes at least that many
# opening and as many closing brackets, so a shorter record cannot be nested that deeply.
_MAY_BE_TOO_DEEP_BYTES: Final = 2 * MAX_NESTING_DEPTH


def decode_record(data: bytes | memoryview) -> Any:
    """Decode one framed record: a ``TypedRecord`` when the fast path applies, else orjson's value.

    Raises ``orjson.JSONDecodeError`` when the bytes are not one valid JSON value, which is what
    the framer expects of its decoding function.
    """
    if len(data) >= _MAY_BE_TOO_DEEP_BYTES:
        data = bytes(data)
        if data.count(b"{") + data.count(b"[") >= MAX_NESTING_DEPTH:
            # msgspec's depth limit follows the Python stack, and on CPython 3.12 it lies beyond
            # orjson's, so the general path decides whether the record is nested too deeply.
            return orjson.loads(data)
    try:
        record = _decode_typed(data)
    except (msgspec.DecodeError, RecursionError):
        # ValidationError is a DecodeError. msgspec raises RecursionError on deep nesting.
        return orjson.loads(data)
    data = bytes(data)  # the same object when data is already bytes
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return orjson.loads(data)  # raises the error that the framer handles
    return _new_tuple(TypedRecord, (record, data))


def typed_event(typed: TypedRecord, where: tuple[str, int, int, bool]) -> MonitronEvent | None:
    """Build the event of a ``TypedRecord``, or return ``None`` to use the general path.

    ``None`` means that a check which the structures cannot express failed (an empty
    ``eventId`` or ``eventType``, a timestamp that does not parse). The general path then gives
    the record's result and message.
    """
    record = typed.record
    event_id = record.eventId
    if event_id.__class__ is not str:
        event_id = str(event_id)
    elif not event_id:
        return None
    if not record.eventType:
        return None
    try:
        timestamp = parse_timestamp(record.timestamp)
    except SchemaError:
        return None

    payload = record.eventPayload
    event = PendingEvent()
    event.event_id = event_id
    event.event_type = record.eventType
    event.schema_version = 2
    event.timestamp = timestamp
    event.version = record.version
    event.account_id = record.accountId
    event.project = record.projectName
    event.project_id = record.projectId
    event.site = payload.siteName
    event.asset = payload.assetName
    event.position = payload.positionName
    event.asset_position_id = payload.assetPositionId
    event.asset_position_url = payload.assetPositionURL
    event.gateway_name = payload.gatewayName
    event.company = payload.companyName
    event.serial_number = payload.serialNumber
    event.measurement_trigger = payload.measurementTrigger
    event.transition_type = payload.assetTransitionType
    sensor = payload.sensor
    if sensor is None:
        event.sensor_id = event.sensor_rssi = None
    else:
        event.sensor_id = sensor.physicalId
        event.sensor_rssi = sensor.rssi
    gateway = payload.gateway
    event.gateway_id = None if gateway is None else gateway.physicalId
    state = payload.assetState
    if state is None:
        event.new_state = event.previous_state = None
    else:
        event.new_state = state.newState
        event.previous_state = state.previousState
    event.sequence_no = payload.sequenceNo
    closure = payload.closureCode
    event.closure_code = None if closure is None else _closure_code(closure)

    event._where = where
    event._nested = typed
    event._normalize = build_typed
    return event.finish()


def build_typed(state: dict[str, Any], name: str) -> Any:
    """Build ``raw``, ``features`` or ``models`` of an event from the fast path, on access.

    ``state`` is the event's instance dictionary. ``raw`` is decoded from the record's bytes, as
    the general path decodes them.
    """
    typed: TypedRecord = state["_nested"]
    if name == "raw":
        return _decode_raw(typed.data, state["_where"][1])
    payload = state.get("_payload")
    if payload is None:
        try:
            payload = _decode_nested(typed.data).eventPayload
        except (msgspec.ValidationError, RecursionError):
            # The general path gives the value or the message for the field at fault. msgspec
            # may also run out of Python stack on a deeply nested field that orjson decodes.
            if "raw" not in state:
                state["raw"] = _decode_raw(typed.data, state["_where"][1])
            return normalize_v2(state, name)
        state["_payload"] = payload
    if name == "features":
        features = payload.features
        return None if features is None else _features(features)
    models = payload.models
    if models is None:
        return {}
    return {key: _model(model) for key, model in models.items() if model is not None}


def _decode_raw(data: bytes, offset: int) -> Any:
    # decode_candidate tries orjson first. Where orjson rejects a number too large for a double,
    # which msgspec skips in unread fields, it decodes the record to infinity there, as the
    # general path does.
    try:
        return decode_candidate(data, offset)
    except InvalidJsonError as error:
        raise SchemaError(str(error)) from error


def _closure_code(closure: _ClosureCode) -> ClosureCode:
    resolved = closure.resolvedModels
    return ClosureCode(
        failure_mode=closure.failureMode,
        failure_cause=closure.failureCause,
        action_taken=closure.actionTaken,
        resolved_models=() if resolved is None else tuple(resolved),
    )


def _features(features: _Features) -> Features:
    acceleration = features.acceleration
    velocity = features.velocity
    broadband_x, broadband_y, broadband_z = _axes_rms(
        None if acceleration is None else acceleration.band0To6000Hz
    )
    return Features(
        acceleration=_band(None if acceleration is None else acceleration.band10To1000Hz),
        velocity=_band(None if velocity is None else velocity.band10To1000Hz),
        temperature_c=features.temperature,
        broadband_x_rms=broadband_x,
        broadband_y_rms=broadband_y,
        broadband_z_rms=broadband_z,
    )


def _band(band: _Band | None) -> VibrationBand:
    if band is None:
        return VibrationBand()
    total = band.totalVibration
    if total is None:
        total = band.resultantVector
    if total is None:
        totals: tuple[float | None, ...] = _NO_VALUES
    else:
        totals = (total.rms, total.absMax, total.absMin, total.crestFactor)
    return vibration_band(totals, _axes_rms(band))


def _axes_rms(axes: _Axes | None) -> tuple[float | None, float | None, float | None]:
    if axes is None:
        return None, None, None
    x, y, z = axes.xAxis, axes.yAxis, axes.zAxis
    return (
        None if x is None else x.rms,
        None if y is None else y.rms,
        None if z is None else z.rms,
    )


def _model(model: _Model) -> ModelOutput:
    return model_output(
        [
            model.persistentClassificationOutput,
            model.previousPersistentClassificationOutput,
            model.pointwiseClassificationOutput,
            model.isoClass,
            model.mutedThreshold,
        ]
    )
