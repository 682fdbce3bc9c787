"""Normalize ``features`` and ``models`` of a Monitron record, on first access to either.

``monitron_sap.events.schema`` checks a record's identifying and context fields while reading it,
and hands ``normalize_v2`` or ``normalize_v1`` to the event, which calls it when ``features`` or
``models`` is first read. The type checks here therefore raise ``SchemaError`` at that access.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from monitron_sap.events.fields import (
    EMPTY_OBJECT,
    SchemaError,
    describe,
    read_number,
    read_numbers,
    read_object,
    read_texts,
)
from monitron_sap.events.model import (
    Features,
    JsonObject,
    ModelOutput,
    VibrationBand,
)

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


def normalize_v2(state: dict[str, Any], name: str) -> Features | dict[str, ModelOutput] | None:
    """Build ``features`` or ``models`` of an event from ``raw``, a v2 record the schema accepted.

    ``state`` is the event's instance dictionary.
    """
    payload = read_object(state["raw"], "eventPayload", "")
    if name == "features":
        features = payload.get("features")
        return None if features is None else _features(features, "eventPayload.features.")
    models = payload.get("models")
    return {} if models is None else _models(models, "eventPayload.models.")


def normalize_v1(state: dict[str, Any], name: str) -> Features | dict[str, ModelOutput] | None:
    """Build ``features`` or ``models`` of an event from ``raw``, a v1 record the schema accepted.

    ``state`` is the event's instance dictionary.
    """
    record = state["raw"]
    if name == "features":
        features = read_object(record, "measurement", "").get("features")
        return None if features is None else _features(features, "measurement.features.")
    models = record.get("models")
    return {} if models is None else _models(models, "models.")


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

    totals = read_numbers(total, _TOTAL_NUMBERS, f"{path}{total_key}.")
    return vibration_band(totals, _axes_rms(band, path))


def vibration_band(
    totals: Sequence[float | None], axes_rms: Sequence[float | None]
) -> VibrationBand:
    """Return the band of the aggregate's ``rms``, ``absMax``, ``absMin``, ``crestFactor``.

    ``axes_rms`` is the ``rms`` of the x, y and z axes. The exported velocity crest factor is
    sometimes 1000 times ``abs_max / rms``, so it is recomputed whenever both are present.
    """
    rms, abs_max, abs_min, reported = totals
    x_rms, y_rms, z_rms = axes_rms
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
        outputs[name] = model_output(read_texts(output, _MODEL_TEXTS, path, name))
    return outputs


def model_output(texts: list[str | None]) -> ModelOutput:
    """Return the ``ModelOutput`` of the five texts, in the order of its fields.

    Model outputs are a few enum combinations repeated in every measurement, and ``ModelOutput``
    is immutable, so one instance per combination is shared.
    """
    key = tuple(texts)
    output = _MODEL_OUTPUTS.get(key)
    if output is None:
        persistent, previous, pointwise, iso_class, muted = texts
        output = ModelOutput(persistent, previous, pointwise, iso_class, muted)
        if len(_MODEL_OUTPUTS) < _MODEL_OUTPUTS_MAX:
            _MODEL_OUTPUTS[key] = output
    return output
