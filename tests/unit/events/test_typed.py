"""The reader's fast path gives the same result as the general path, for any record.

The general path is orjson followed by ``parse_record``. Every test here reads bytes through
``read_bytes``, which takes the fast path where it applies, and compares the result with the
general path's, field by field and with the types of the values (``1`` is not ``1.0``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitron_sap.errors import InputError
from monitron_sap.events import MonitronEvent, RecordError, check_nested, read_bytes
from monitron_sap.events.model import EVENT_TYPES, SourceRef
from monitron_sap.events.schema import parse_record
from monitron_sap.events.typed import TypedRecord, decode_record
from tests.unit.events.records import v1, v2

SOURCE = "export.jsonl"


def general_path(data: bytes) -> MonitronEvent | str:
    """Read one JSON Lines record the way the reader did before the fast path: orjson, schema."""
    try:
        return parse_record(orjson.loads(data), SourceRef(SOURCE, 0, 1))
    except InputError as error:
        return str(error)


def outcome(event: MonitronEvent, name: str) -> str:
    """Return the repr of one field, or the message of the error that reading it raises."""
    try:
        return repr(getattr(event, name))
    except InputError as error:
        return f"error: {error}"


def assert_same_as_general_path(data: bytes) -> MonitronEvent | RecordError:
    results = list(read_bytes(data + b"\n", SOURCE))
    assert len(results) == 1
    (result,) = results
    expected = general_path(data)
    if isinstance(expected, str):
        assert isinstance(result, RecordError)
        assert result.message == expected
        return result
    assert isinstance(result, MonitronEvent)
    names = [field.name for field in fields(MonitronEvent)]
    assert [outcome(result, name) for name in names] == [outcome(expected, name) for name in names]
    return result


def dumps(record: Any) -> bytes:
    # The standard library, because orjson cannot encode integers beyond 64 bits.
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


# Values of every JSON type, the edge cases of numbers included, for any field of a record.
odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.just(""),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
texts = st.one_of(st.text(max_size=8), st.none())
numbers = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)


def usually(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field's value: mostly a valid one, sometimes missing, sometimes of any type."""

    def pick(roll: int) -> st.SearchStrategy[Any]:
        # Hypothesis favours small numbers, so the valid case comes first. A record has about
        # 60 fields, so odd values must be rare for whole records to be valid.
        if roll < 970:
            return valid
        if roll < 985:
            return st.just(MISSING)
        return odd_values

    return st.integers(min_value=0, max_value=999).flatmap(pick)


MISSING = object()


def objects(**shape: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """An object with the given fields, each usually valid; missing fields are left out."""
    return st.fixed_dictionaries({key: usually(value) for key, value in shape.items()}).map(
        lambda drawn: {key: value for key, value in drawn.items() if value is not MISSING}
    )


axis = objects(rms=numbers)
total = objects(rms=numbers, absMax=numbers, absMin=numbers, crestFactor=numbers)
band = objects(totalVibration=total, resultantVector=total, xAxis=axis, yAxis=axis, zAxis=axis)
model = objects(
    persistentClassificationOutput=texts,
    previousPersistentClassificationOutput=texts,
    pointwiseClassificationOutput=texts,
    isoClass=texts,
    mutedThreshold=texts,
)
payloads = objects(
    siteName=texts,
    assetName=texts,
    positionName=texts,
    assetPositionId=texts,
    assetPositionURL=texts,
    gatewayName=texts,
    companyName=texts,
    serialNumber=texts,
    measurementTrigger=texts,
    assetTransitionType=texts,
    sensor=objects(physicalId=texts, rssi=numbers),
    gateway=objects(physicalId=texts),
    assetState=objects(newState=texts, previousState=texts),
    sequenceNo=st.integers(min_value=0, max_value=2**40),
    closureCode=objects(
        failureMode=texts,
        failureCause=texts,
        actionTaken=texts,
        resolvedModels=st.lists(st.text(max_size=4), max_size=2),
    ),
    features=objects(
        acceleration=objects(band0To6000Hz=objects(xAxis=axis, yAxis=axis), band10To1000Hz=band),
        velocity=objects(band10To1000Hz=band),
        temperature=numbers,
    ),
    models=st.dictionaries(st.sampled_from(["vibrationISO", "vibrationML"]), model, max_size=2),
    geoLocation=objects(latitude=numbers, longitude=numbers),
)
timestamps = st.sampled_from(
    [
        "2024-03-05 10:15:00.123",
        "2024-03-05T10:15:00Z",
        "2024-03-05T12:15:00+02:00",
        "2024-02-30 10:15:00.000",
        "yesterday",
        "",
    ]
)
v2_records = objects(
    eventId=st.one_of(st.text(max_size=6), st.integers(min_value=-(2**65), max_value=2**65)),
    timestamp=timestamps,
    eventType=st.one_of(st.sampled_from(EVENT_TYPES), st.just("")),
    eventPayload=payloads,
    version=texts,
    accountId=texts,
    projectName=texts,
    projectId=texts,
)


@settings(max_examples=400, deadline=None)
@given(record=v2_records)
def test_any_v2_record_matches_general_path(record: dict[str, Any]) -> None:
    assert_same_as_general_path(dumps(record))


def test_strategy_reaches_the_fast_path() -> None:
    """Most drawn records must take the fast path, or the property above proves little."""
    drawn: list[bytes] = []

    @settings(max_examples=200, deadline=None, database=None)
    @given(record=v2_records)
    def collect(record: dict[str, Any]) -> None:
        drawn.append(dumps(record))

    collect()
    fast = sum(type(decode_record(data)) is TypedRecord for data in drawn)
    assert fast >= len(drawn) // 5


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_documented_records_take_the_fast_path(event_type: str) -> None:
    data = dumps(v2(event_type))
    assert type(decode_record(data)) is TypedRecord
    assert_same_as_general_path(data)


def test_v1_record_takes_the_general_path() -> None:
    data = dumps(v1("7"))
    assert type(decode_record(data)) is dict
    event = assert_same_as_general_path(data)
    assert isinstance(event, MonitronEvent) and event.schema_version == 1


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"siteName": 1017}, "a number in a text field becomes text on the general path"),
        ({"sequenceNo": 2**70}, "orjson decodes integers beyond 64 bits as floats"),
        ({"sequenceNo": 2**63}, "the structures take signed 64-bit integers only"),
        ({"sequenceNo": 12.0}, "a float without a fraction is an integer on the general path"),
    ],
)
def test_irregular_records_take_the_general_path(payload: dict[str, Any], reason: str) -> None:
    data = dumps(v2("measurement", **payload))
    assert type(decode_record(data)) is dict, reason
    assert_same_as_general_path(data)


@pytest.mark.parametrize(
    "payload",
    [
        {"features": {"temperature": "hot"}},
        {"features": {"velocity": {"band10To1000Hz": {"xAxis": {"rms": [1]}}}}},
        {"features": {"acceleration": {"band10To1000Hz": {"resultantVector": 3}}}},
        {"models": {"vibrationML": "ALARM"}},
        {"models": {"vibrationISO": {"isoClass": 2}}},
        {"features": 7, "models": None},
    ],
)
def test_irregular_nested_fields_use_general_path(payload: dict[str, Any]) -> None:
    # The first pass skips features and models; the second pass hands them to the general path.
    data = dumps(v2("measurement", **payload))
    assert type(decode_record(data)) is TypedRecord
    assert_same_as_general_path(data)


@pytest.mark.parametrize(
    "record",
    [
        v2("measurement", event_id=""),
        v2("measurement", event_id=42),
        dict(v2("measurement"), eventType=""),
        dict(v2("measurement"), timestamp="2024-02-30 10:00:00.000"),
        dict(v2("measurement"), timestamp="10:00"),
    ],
)
def test_checks_after_decoding_match_the_general_path(record: dict[str, Any]) -> None:
    assert_same_as_general_path(dumps(record))


def test_duplicate_keys_last_value_wins() -> None:
    data = dumps(v2("assetStateTransition"))
    data = data[:-1] + b',"eventType":"sensorConnected","eventPayload":{"siteName":"B"}}'
    event = assert_same_as_general_path(data)
    assert isinstance(event, MonitronEvent)
    assert (event.event_type, event.site) == ("sensorConnected", "B")


def test_invalid_utf8_in_an_unread_field_is_reported() -> None:
    good = dumps(v2("sensorConnected", event_id="1"))
    bad = dumps(v2("sensorConnected", event_id="2", note="caf_")).replace(b"caf_", b"caf\xff")
    results = list(read_bytes(good + b"\n" + bad + b"\n" + good + b"\n", SOURCE))
    assert [type(result) for result in results] == [MonitronEvent, RecordError, MonitronEvent]
    error = results[1]
    assert isinstance(error, RecordError)
    offset = len(good) + 1 + bad.index(b"\xff")
    assert error.message == f"invalid UTF-8 at byte {offset}: invalid start byte"


def test_overflowing_unread_number_is_infinity() -> None:
    data = dumps(v2("sensorConnected", note=1)).replace(b'"note": 1', b'"note": 1e400')
    assert type(decode_record(data)) is TypedRecord
    results = list(read_bytes(data + b"\n", SOURCE))
    assert len(results) == 1
    event = check_nested(results[0])
    assert isinstance(event, MonitronEvent)
    assert event.raw is not None and event.raw["eventPayload"]["note"] == math.inf


def nested_record(depth: int) -> bytes:
    deep = "[" * depth + "]" * depth
    return dumps(v2("sensorConnected", note=0)).replace(b'"note": 0', f'"note": {deep}'.encode())


def test_nested_unread_field_matches() -> None:
    data = nested_record(200)
    assert type(decode_record(data)) is TypedRecord
    assert_same_as_general_path(data)


@pytest.mark.parametrize(("depth", "path"), [(900, TypedRecord), (1010, dict)])
def test_deeply_nested_unread_field_is_read(depth: int, path: type) -> None:
    # Past about 1,000 levels msgspec stops, and orjson decodes the record on the general path.
    data = nested_record(depth)
    assert type(decode_record(data)) is path
    (event,) = read_bytes(data + b"\n", SOURCE)
    assert isinstance(check_nested(event), MonitronEvent)
    assert event.raw is not None and type(event.raw["eventPayload"]["note"]) is list


def test_fast_path_raw_is_record() -> None:
    record = v2("measurement", siteName="Pumpe Süd")
    (event,) = read_bytes(dumps(record) + b"\n", SOURCE)
    assert isinstance(event, MonitronEvent)
    assert "raw" not in event.__dict__
    assert event.raw == record
    assert event.features is not None and event.features.temperature_c == 41
    assert event.models["vibrationISO"].iso_class == "CLASS2"


def call_deeper(frames: int, function: Callable[[], Any]) -> Any:
    return function() if frames == 0 else call_deeper(frames - 1, function)


def test_second_pass_out_of_stack_uses_general_path() -> None:
    # msgspec's depth limit follows the Python stack, so the second pass, run deeper in the
    # stack than the first, may fail on a field nested almost as deeply as orjson allows.
    deep = "[" * 850 + "]" * 850
    data = dumps(v2("measurement", features={"temperature": 41, "deep": 0}))
    data = data.replace(b'"deep": 0', f'"deep": {deep}'.encode())
    assert type(decode_record(data)) is TypedRecord
    for frames in (0, 100, 250):
        (event,) = read_bytes(data + b"\n", SOURCE)
        checked = call_deeper(frames, lambda event=event: check_nested(event))
        assert isinstance(checked, MonitronEvent)
        assert checked.features is not None and checked.features.temperature_c == 41


@pytest.mark.parametrize("depth", [1020, 1021, 1022])
def test_record_near_orjson_depth_limit_uses_general_path(depth: int) -> None:
    # On CPython 3.12 msgspec decodes deeper than orjson, so bracket counts decide, not msgspec.
    # With the record and its eventPayload, 1022 makes 1024 levels, the most orjson decodes.
    data = nested_record(depth)
    assert type(decode_record(data)) is dict
    (event,) = read_bytes(data + b"\n", SOURCE)
    assert isinstance(event, MonitronEvent)


def test_record_at_orjson_depth_limit_is_invalid() -> None:
    data = nested_record(1023)
    with pytest.raises(orjson.JSONDecodeError):
        decode_record(data)
    (error,) = read_bytes(data + b"\n", SOURCE)
    assert isinstance(error, RecordError)
    assert error.message.startswith("invalid JSON: nesting deeper than 1024 levels at byte ")


def test_long_record_with_few_brackets_takes_fast_path() -> None:
    data = dumps(v2("sensorConnected", note="x" * 5000))
    assert type(decode_record(data)) is TypedRecord


def test_nested_error_excerpt_matches_general_path() -> None:
    record = v2("measurement", siteName="Site\u00e9", features={"temperature": "hot"})
    data = json.dumps(record).encode()  # ASCII only: the é is written as \u00e9
    assert type(decode_record(data)) is TypedRecord
    (fast,) = read_bytes(data + b"\n", SOURCE)
    fast = check_nested(fast)
    general = check_nested(parse_record(orjson.loads(data), SourceRef(SOURCE, 0, 1)))
    assert isinstance(fast, RecordError)
    assert isinstance(general, RecordError)
    assert fast.message == general.message
    assert fast.excerpt == general.excerpt


@pytest.mark.parametrize("digits", [309, 400, 5000])
def test_integer_beyond_floats_reads_as_infinity(digits: int) -> None:
    huge = "9" * digits
    record = dumps(v2("sensorConnected", note=0)).replace(b'"note": 0', f'"note": {huge}'.encode())
    pretty = json.dumps(v2("sensorConnected", note=0), indent=2).encode()
    pretty = pretty.replace(b'"note": 0', f'"note": -{huge}'.encode())
    results = [check_nested(result) for result in read_bytes(record + b"\n" + pretty, SOURCE)]
    events = [result for result in results if isinstance(result, MonitronEvent)]
    assert len(events) == 2
    assert [event.raw and event.raw["eventPayload"]["note"] for event in events] == [
        math.inf,
        -math.inf,
    ]


def test_integer_beyond_floats_in_sequence_number_is_invalid() -> None:
    data = dumps(v2("measurement", sequenceNo=0)).replace(
        b'"sequenceNo": 0', b'"sequenceNo": 1' + b"0" * 400
    )
    (error,) = read_bytes(data + b"\n", SOURCE)
    assert isinstance(error, RecordError)
    assert error.message == "eventPayload.sequenceNo must be an integer, found a number inf"
