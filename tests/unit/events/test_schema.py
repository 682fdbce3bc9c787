"""Schema: v1 and v2 detection, every v2 event type, v1 normalization and lenient parsing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from monitron_sap.events import MonitronEvent, SourceRef
from monitron_sap.events.fields import SchemaError, parse_timestamp
from monitron_sap.events.model import EVENT_TYPES, PendingEvent
from monitron_sap.events.schema import parse_record
from tests.unit.events.records import v1, v2

WHERE = SourceRef("test.json", 0, 1)


def parse(record: Any) -> MonitronEvent:
    return parse_record(record, WHERE)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_v2_event_type_parses(event_type: str) -> None:
    event = parse(v2(event_type, "42"))
    assert event.event_type == event_type
    assert event.schema_version == 2
    assert event.event_id == "42"
    assert event.project == "Example Plant"
    assert event.site == "Site A"


def test_v2_measurement_fields() -> None:
    event = parse(v2("measurement"))
    assert event.asset == "Pump 7"
    assert event.position == "Motor DE"
    assert event.asset_position_id == "pos-0001"
    assert event.sensor_id == "0a1b2c3d4e5f"
    assert event.sensor_rssi == -61.0
    assert event.gateway_id == "f5e4d3c2b1a0"
    assert event.sequence_no == 4711
    assert event.features is not None
    assert event.features.temperature_c == 41.0
    assert event.features.broadband_z_rms == 9.0
    assert event.features.acceleration.rms == 0.066
    assert event.features.acceleration.x_rms == 0.04
    assert event.features.velocity.reported_crest_factor == 2000.0
    assert event.features.velocity.crest_factor == pytest.approx(2.0)
    assert event.models["vibrationISO"].iso_class == "CLASS2"
    assert event.models["vibrationISO"].muted_threshold is None
    assert event.models["vibrationISO"].pointwise == "MUTED_WARNING"
    assert event.models["temperatureML"].previous_persistent == "HEALTHY"


def test_v2_transition_fields() -> None:
    event = parse(v2("assetStateTransition"))
    assert event.new_state == "WARNING"
    assert event.previous_state == "HEALTHY"
    assert event.transition_type == "measurement"
    assert event.closure_code is None
    assert event.is_state_change


def test_v2_transition_closure_code() -> None:
    closure = {
        "failureMode": "MISALIGNMENT",
        "failureCause": "MAINTENANCE",
        "actionTaken": "ADJUST",
        "resolvedModels": ["vibrationISO", "vibrationML"],
    }
    event = parse(v2("assetStateTransition", closureCode=closure, assetTransitionType="userInput"))
    assert event.closure_code is not None
    assert event.closure_code.failure_mode == "MISALIGNMENT"
    assert event.closure_code.failure_cause == "MAINTENANCE"
    assert event.closure_code.action_taken == "ADJUST"
    assert event.closure_code.resolved_models == ("vibrationISO", "vibrationML")
    assert event.transition_type == "userInput"


def test_v2_gateway_fields() -> None:
    event = parse(v2("gatewayDisconnected"))
    assert event.gateway_name == "Hall 2 gateway"
    assert event.gateway_id == "f5e4d3c2b1a0"
    assert event.asset is None
    assert event.features is None


def test_v2_sensor_connected_has_no_measurement() -> None:
    event = parse(v2("sensorConnected"))
    assert event.sensor_id == "0a1b2c3d4e5f"
    assert event.features is None
    assert event.models == {}


def test_v1_normalized_into_v2_shape() -> None:
    event = parse(v1())
    assert event.schema_version == 1
    assert event.event_type == "measurement"
    assert event.version == "1.0"
    assert event.project == "Example Plant"
    assert event.site == "Site A"
    assert event.asset == "Pump 7"
    assert event.position == "Motor DE"
    assert event.sensor_id == "0a1b2c3d4e5f"
    assert event.gateway_id == "f5e4d3c2b1a0"
    assert event.sequence_no == 12
    assert event.new_state == "ALARM"
    assert event.previous_state == "WARNING"
    assert event.account_id is None
    assert event.models["vibrationML"].persistent == "ALARM"


def test_v1_resultant_vector_read_as_total() -> None:
    event = parse(v1())
    assert event.features is not None
    assert event.features.acceleration.abs_max == 0.19
    assert event.features.velocity.rms == 0.15


def test_v2_accepts_resultant_vector() -> None:
    record = v2("measurement")
    band = record["eventPayload"]["features"]["acceleration"]["band10To1000Hz"]
    band["resultantVector"] = band.pop("totalVibration")
    event = parse(record)
    assert event.features is not None
    assert event.features.acceleration.rms == 0.066


def test_structure_wins_over_version() -> None:
    event = parse(v1(version="2.0"))
    assert event.schema_version == 1


def test_v2_with_version_one_is_v2() -> None:
    record = v2("measurement")
    record["version"] = "1.0"
    assert parse(record).schema_version == 2


def test_unknown_event_type_kept() -> None:
    event = parse(v2("sensorRenamed"))
    assert event.event_type == "sensorRenamed"


def test_unknown_enum_values_kept() -> None:
    state = {"newState": "MAINTENANCE", "previousState": "WORKING"}
    event = parse(v2("assetStateTransition", assetState=state))
    assert event.new_state == "MAINTENANCE"
    assert event.previous_state == "WORKING"


def test_unknown_fields_ignored() -> None:
    record = v2("measurement", measurementTrigger="periodic", somethingNew={"a": [1, 2]})
    record["futureTopLevel"] = True
    event = parse(record)
    assert event.measurement_trigger == "periodic"


def test_numeric_event_id_becomes_string() -> None:
    assert parse(v2("measurement", 409623)).event_id == "409623"


def test_nulls_accepted_for_optional_fields() -> None:
    record = v2(
        "measurement",
        siteName=None,
        sensor=None,
        gateway={"physicalId": None},
        features={"acceleration": None, "velocity": {"band10To1000Hz": None}, "temperature": None},
        models={"vibrationML": None, "vibrationISO": {"isoClass": None}},
        sequenceNo=None,
    )
    record["projectName"] = None
    event = parse(record)
    assert event.site is None
    assert event.project is None
    assert event.sensor_id is None
    assert event.features is not None
    assert event.features.temperature_c is None
    assert event.features.velocity.rms is None
    assert list(event.models) == ["vibrationISO"]


def test_null_payload_accepted() -> None:
    record = v2("sensorConnected")
    record["eventPayload"] = None
    assert parse(record).site is None


def test_integers_accepted_as_numbers() -> None:
    event = parse(v2("measurement"))
    assert event.features is not None
    assert event.features.temperature_c == 41
    assert event.features.acceleration.abs_min == 0


def test_boolean_rejected_as_number() -> None:
    event = parse(v2("measurement", features={"temperature": True}))
    with pytest.raises(SchemaError) as caught:
        event.features  # noqa: B018
    assert str(caught.value) == (
        "eventPayload.features.temperature must be a number, found a boolean True"
    )


def test_broadband_error_names_full_path() -> None:
    features = {"acceleration": {"band0To6000Hz": {"yAxis": {"rms": "high"}}}}
    event = parse(v2("measurement", features=features))
    with pytest.raises(SchemaError) as caught:
        event.features  # noqa: B018
    assert str(caught.value) == (
        "eventPayload.features.acceleration.band0To6000Hz.yAxis.rms must be a number, "
        "found a string 'high'"
    )


def test_model_outputs_with_numbers_as_text() -> None:
    event = parse(v2("measurement", models={"vibrationISO": {"isoClass": 2}}))
    assert event.models["vibrationISO"].iso_class == "2"


def test_numeric_names_become_strings() -> None:
    event = parse(v1(siteDisplayName=1017))
    assert event.site == "1017"


def test_non_ascii_names_kept() -> None:
    event = parse(v2("measurement", assetName="Heizung 1", positionName="Pumpe Süd – 東"))
    assert event.position == "Pumpe Süd – 東"


def test_zero_rms_keeps_reported_crest_factor() -> None:
    record = v2("measurement")
    total = record["eventPayload"]["features"]["velocity"]["band10To1000Hz"]["totalVibration"]
    total["rms"] = 0
    event = parse(record)
    assert event.features is not None
    assert event.features.velocity.crest_factor == 2000.0


def test_raw_record_kept() -> None:
    record = v2("measurement")
    assert parse(record).raw is record


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-10-29 16:38:07.476", datetime(2023, 10, 29, 16, 38, 7, 476000, tzinfo=UTC)),
        ("2023-10-29 16:38:07", datetime(2023, 10, 29, 16, 38, 7, tzinfo=UTC)),
        ("2023-10-29 16:38:07.4", datetime(2023, 10, 29, 16, 38, 7, 400000, tzinfo=UTC)),
        ("2022-11-20T22:44:17-08:00", datetime(2022, 11, 21, 6, 44, 17, tzinfo=UTC)),
        ("2022-11-20T22:44:17+0100", datetime(2022, 11, 20, 21, 44, 17, tzinfo=UTC)),
        ("2022-11-20T22:44:17.123456789Z", datetime(2022, 11, 20, 22, 44, 17, 123456, tzinfo=UTC)),
        ("2022-11-20T22:44:17", datetime(2022, 11, 20, 22, 44, 17, tzinfo=UTC)),
    ],
)
def test_timestamp_formats(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.utcoffset() is not None
    assert parsed.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_timestamp_rejects_trailing_text() -> None:
    with pytest.raises(SchemaError) as caught:
        parse_timestamp("2023-10-29 16:38:07.476 UTC")
    assert "is not a timestamp" in str(caught.value)


def test_parsed_event_is_frozen_dataclass() -> None:
    event = parse(v2("measurement"))
    assert type(event) is MonitronEvent
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.site = "elsewhere"  # type: ignore[misc]


def test_parsed_event_equals_keyword_construction() -> None:
    event = parse(v2("measurement"))
    values = {field.name: getattr(event, field.name) for field in dataclasses.fields(event)}
    rebuilt = MonitronEvent(**values)
    assert rebuilt == event
    assert rebuilt.source == WHERE
    assert rebuilt.features == event.features


def test_pending_event_sets_every_field() -> None:
    built_on_access = {"source", "features", "models"}
    names = {field.name for field in dataclasses.fields(MonitronEvent)}
    assert set(PendingEvent.__annotations__) >= names - built_on_access


def test_replace_keeps_nested_fields() -> None:
    event = parse(v2("measurement"))
    changed = dataclasses.replace(event, event_id="43")
    assert changed.event_id == "43"
    assert changed.models == event.models


def test_v2_numeric_name_becomes_string() -> None:
    event = parse(v2("measurement", siteName=1017))
    assert event.site == "1017"
