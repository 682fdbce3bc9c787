"""A corpus of malformed inputs: each yields its exact error and the neighbouring records survive.

By default a case sits on its own line between two valid JSON Lines records (event ids "before"
and "after"); ``before`` and ``after`` override that. A case lists the messages, or their exact
leading parts, of the errors it must produce, in order. ``<+N>`` in a message is the stream
offset of the bad input plus N.

The reader checks the types inside ``features`` and ``models`` when they are first read, so the
corpus runs every result through ``check_nested``, as ``monitron-sap events`` does.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from monitron_sap.events import MonitronEvent, RecordError, check_nested, read_bytes
from monitron_sap.events.fields import SchemaError
from tests.unit.events.records import error_envelope, line, v1, v2

BEFORE = line(v2("measurement", "before"))
AFTER = line(v2("assetStateTransition", "after"))


def v2_line(**changes: Any) -> bytes:
    """A v2 measurement with top-level fields replaced; a value of ... removes the field."""
    record = v2("measurement", "bad")
    for key, value in changes.items():
        if value is ...:
            del record[key]
        else:
            record[key] = value
    return line(record)


def payload_line(**payload: Any) -> bytes:
    return line(v2("measurement", "bad", **payload))


@dataclass(frozen=True)
class Case:
    name: str
    bad: bytes
    messages: tuple[str, ...]
    # The bytes around the bad input; the default puts it on its own line.
    before: bytes = BEFORE + b"\n"
    after: bytes = b"\n" + AFTER + b"\n"
    line: int = 2
    event_ids: tuple[str, ...] = ("before", "after")


HUGE = 1024 * 1024 + 100
TRUNCATED = "truncated record: the input ends before its closing '}'"
CUT_OFF = "truncated record: a new record starts at line {} before this one closed"
# Enough records after a cut-off record to pass the 1 MiB record size bound.
TAIL_RECORDS = HUGE // len(AFTER) + 2

CASES = [
    # Truncated records.
    Case(
        "cut inside a key",
        b'{"eventId": "x", "timest',
        ("invalid JSON: line break inside a string at byte",),
    ),
    Case(
        "cut inside a value",
        b'{"eventId": "x", "timestamp": "2024-03-',
        ("invalid JSON: line break inside a string at byte",),
    ),
    Case(
        "cut after a comma",
        b'{"eventId": "x",',
        (CUT_OFF.format(3),),
    ),
    Case(
        "cut after a value",
        b'{"eventId": "x"',
        (CUT_OFF.format(3),),
    ),
    Case(
        "cut inside a number",
        b'{"eventId": 12',
        (CUT_OFF.format(3),),
    ),
    Case(
        "cut inside nested object",
        b'{"eventId": "1", "eventPayload": {"siteName": "S"}',
        (CUT_OFF.format(3),),
    ),
    Case(
        "lone opening brace",
        b"{",
        (CUT_OFF.format(3),),
    ),
    Case(
        "record cut at end of input",
        b'{"eventId": "x", "a": [1, 2',
        ("truncated record: the input ends before its closing '}'",),
        after=b"",
        event_ids=("before",),
    ),
    Case(
        "concatenated cut record",
        b'{"eventId": "x", "a": {"b": 1}',
        (CUT_OFF.format(1),),
        before=BEFORE,
        after=AFTER,
        line=1,
    ),
    Case(
        "cut record before a long tail",
        b'{"eventId": "x",',
        (CUT_OFF.format(3),),
        after=b"\n" + b"\n".join([AFTER] * TAIL_RECORDS) + b"\n",
        event_ids=("before",) + ("after",) * TAIL_RECORDS,
    ),
    Case(
        "pretty-printed record cut before the next",
        b'{\n  "eventId": "x",\n  "eventPayload": {\n    "siteName": "S"',
        (CUT_OFF.format(6),),
    ),
    # Invalid JSON syntax.
    Case(
        "missing comma",
        b'{"eventId": "1" "timestamp": "x"}',
        ("invalid JSON: Expecting ',' delimiter at byte <+16>",),
    ),
    Case(
        "trailing comma",
        b'{"eventId": "1",}',
        ("invalid JSON: Expecting property name enclosed in double quotes at byte",),
    ),
    Case(
        "single quotes",
        b"{'eventId': '1'}",
        ("invalid JSON: Expecting property name enclosed in double quotes at byte",),
    ),
    Case(
        "unquoted key",
        b'{eventId: "1"}',
        ("invalid JSON: Expecting property name enclosed in double quotes at byte",),
    ),
    Case("NaN value", b'{"eventId": "1", "x": NaN}', ("invalid JSON: NaN is not allowed in JSON",)),
    Case("invalid escape", b'{"eventId": "a\\x"}', ("invalid JSON: Invalid \\escape at byte",)),
    Case(
        "raw tab in string",
        b'{"eventId": "a\tb"}',
        ("invalid JSON: Invalid control character at at byte",),
    ),
    Case(
        "extra closing brace",
        b'{"eventId": "1"}}',
        (
            "unknown record structure",
            "2 unexpected bytes between records, skipped up to the next '{'",
        ),
    ),
    Case(
        "nested garbage",
        b'{"eventId": "1", "eventPayload": {{{}}}}',
        ("invalid JSON: Expecting property name enclosed in double quotes at byte",),
    ),
    Case("colon garbage", b'{"eventId":: "1"}', ("invalid JSON: Expecting value at byte",)),
    # Invalid UTF-8.
    Case(
        "invalid utf-8 in string",
        b'{"eventId": "\xff\xfe"}',
        ("invalid UTF-8 at byte <+13>: invalid start byte",),
    ),
    Case(
        "overlong utf-8 in key",
        b'{"event\xc0\xafId": "1"}',
        ("invalid UTF-8 at byte <+7>: invalid start byte",),
    ),
    Case(
        "cut utf-8 sequence",
        b'{"siteName": "S\xc3"}',
        ("invalid UTF-8 at byte <+15>: invalid continuation byte",),
    ),
    # Stray bytes between records.
    Case(
        "stray text line",
        b"hello world",
        ("12 unexpected bytes between records, skipped up to the next '{'",),
    ),
    Case(
        "stray binary bytes",
        b"\xff\xfe\x00\x01",
        ("5 unexpected bytes between records, skipped up to the next '{'",),
    ),
    Case(
        "stray nul bytes",
        b"\x00" * 10,
        ("11 unexpected bytes between records, skipped up to the next '{'",),
    ),
    Case(
        "stray closing brace",
        b"}",
        ("2 unexpected bytes between records, skipped up to the next '{'",),
    ),
    Case(
        "stray bytes between concatenated",
        b"xx",
        ("2 unexpected bytes between records, skipped up to the next '{'",),
        before=BEFORE,
        after=AFTER,
        line=1,
    ),
    Case(
        "byte order mark mid-stream",
        b"\xef\xbb\xbf",
        ("3 unexpected bytes between records, skipped up to the next '{'",),
        after=AFTER,
    ),
    Case(
        "comment line",
        b"// exported by tool",
        ("20 unexpected bytes between records, skipped up to the next '{'",),
    ),
    Case(
        "broken array",
        b"[1, 2",
        ("6 unexpected bytes between records, skipped up to the next '{'",),
    ),
    # JSON values that are not objects.
    Case("array of numbers", b"[1, 2, 3]", ("expected a JSON object, found an array",)),
    Case(
        "array of records",
        b"[" + line(v2("measurement", "in-array")) + b"]",
        ("expected a JSON object, found an array",),
    ),
    Case("number", b"42", ("expected a JSON object, found a number",)),
    Case("negative number", b"-1.5e3", ("expected a JSON object, found a number",)),
    Case("string", b'"hello"', ("expected a JSON object, found a string",)),
    Case("boolean", b"true", ("expected a JSON object, found a boolean",)),
    Case("null", b"null", ("expected a JSON object, found null",)),
    # Objects that are not Monitron records.
    Case(
        "empty object",
        b"{}",
        (
            "unknown record structure: expected eventType and eventPayload "
            "(v2) or measurement or projectDisplayName (v1); top-level keys: "
            "none",
        ),
    ),
    Case(
        "unrelated object",
        b'{"foo": 1, "bar": 2}',
        (
            "unknown record structure: expected "
            "eventType and eventPayload (v2) or "
            "measurement or projectDisplayName (v1); "
            "top-level keys: bar, foo",
        ),
    ),
    # Identifying fields.
    Case("missing eventId", v2_line(eventId=...), ("eventId is missing",)),
    Case("null eventId", v2_line(eventId=None), ("eventId is missing",)),
    Case("empty eventId", v2_line(eventId=""), ("eventId is empty",)),
    Case(
        "object eventId",
        v2_line(eventId={"id": 1}),
        ("eventId must be a string or an integer, found an object {'id': 1}",),
    ),
    Case(
        "float eventId",
        v2_line(eventId=1.5),
        ("eventId must be a string or an integer, found a number 1.5",),
    ),
    Case(
        "boolean eventId",
        v2_line(eventId=True),
        ("eventId must be a string or an integer, found a boolean True",),
    ),
    Case("missing timestamp", v2_line(timestamp=...), ("timestamp is missing",)),
    Case(
        "numeric timestamp",
        v2_line(timestamp=1709647651),
        ("timestamp must be a string, found a number",),
    ),
    Case(
        "words as timestamp",
        v2_line(timestamp="yesterday"),
        (
            "timestamp 'yesterday' is not a timestamp; expected 'YYYY-MM-DD HH:MM:SS.fff' (UTC) "
            "or ISO-8601 with an offset",
        ),
    ),
    Case(
        "date only timestamp",
        v2_line(timestamp="2024-03-05"),
        ("timestamp '2024-03-05' is not a timestamp",),
    ),
    Case(
        "impossible date",
        v2_line(timestamp="2024-02-30 10:00:00.000"),
        (
            "timestamp '2024-02-30 10:00:00.000' is not a valid date and time: day is out of range "
            "for month",
        ),
    ),
    Case(
        "hour out of range",
        v2_line(timestamp="2024-02-03 25:00:00"),
        ("timestamp '2024-02-03 25:00:00' is not a valid date and time: hour must be in 0..23",),
    ),
    Case(
        "timestamp before year 1 in UTC",
        v2_line(timestamp="0001-01-01T00:00:00+01:00"),
        (
            "timestamp '0001-01-01T00:00:00+01:00' is out of range: in UTC it is before year 1 "
            "or after year 9999",
        ),
    ),
    Case(
        "timestamp after year 9999 in UTC",
        v2_line(timestamp="9999-12-31T23:00:00-02:00"),
        ("timestamp '9999-12-31T23:00:00-02:00' is out of range",),
    ),
    Case(
        "offset of 25 hours",
        v2_line(timestamp="2024-02-03T10:00:00-25:00"),
        (
            "timestamp '2024-02-03T10:00:00-25:00' is not a valid date and time: "
            "invalid UTC offset '-25:00'",
        ),
    ),
    Case(
        "missing eventType",
        v2_line(eventType=...),
        ("eventType must be a non-empty string, found null",),
    ),
    Case(
        "numeric eventType",
        v2_line(eventType=5),
        ("eventType must be a non-empty string, found a number 5",),
    ),
    # Wrong types in fields.
    Case(
        "payload is a string",
        v2_line(eventPayload="none"),
        ("eventPayload must be an object, found a string 'none'",),
    ),
    Case(
        "temperature is text",
        payload_line(features={"temperature": "hot"}),
        ("eventPayload.features.temperature must be a number, found a string 'hot'",),
    ),
    Case(
        "site name is an object",
        payload_line(siteName={"name": "S"}),
        ("eventPayload.siteName must be a string, found an object {'name': 'S'}",),
    ),
    Case(
        "asset state is a list",
        payload_line(assetState=["WARNING"]),
        ("eventPayload.assetState must be an object, found an array ['WARNING']",),
    ),
    Case(
        "resolved models is text",
        payload_line(closureCode={"resolvedModels": "vibrationML"}),
        ("eventPayload.closureCode.resolvedModels must be a list of strings, found 'vibrationML'",),
    ),
    Case(
        "sequence number fraction",
        payload_line(sequenceNo=1.5),
        ("eventPayload.sequenceNo must be an integer, found a number 1.5",),
    ),
    Case(
        "rssi is boolean",
        payload_line(sensor={"rssi": False}),
        ("eventPayload.sensor.rssi must be a number, found a boolean False",),
    ),
    Case(
        "axis is a number",
        payload_line(features={"acceleration": {"band10To1000Hz": {"xAxis": 0.3}}}),
        (
            "eventPayload.features.acceleration.band10To1000Hz.xAxis must be an object, found a "
            "number 0.3",
        ),
    ),
    Case(
        "model output is text",
        payload_line(models={"vibrationML": "ALARM"}),
        ("eventPayload.models.vibrationML must be an object, found a string 'ALARM'",),
    ),
    Case(
        "v1 measurement is a list",
        line(v1("bad", measurement=[1])),
        ("measurement must be an object, found an array [1]",),
    ),
    Case(
        "v1 position is boolean",
        line(v1("bad", sensorPositionDisplayName=False)),
        ("sensorPositionDisplayName must be a string, found a boolean False",),
    ),
    # Huge inputs.
    Case(
        "huge single line record",
        b'{"eventId": "1", "pad": "' + b"a" * HUGE + b'"}',
        ("record is larger than 1048576 bytes",),
    ),
    Case(
        "huge garbage line",
        b"x" * HUGE,
        (f"{HUGE + 1} unexpected bytes between records, skipped up to the next '{{'",),
    ),
    # Deep nesting. orjson decodes up to 1023 levels, and the reader never recurses once per
    # level on its own.
    Case(
        "array nested 1000 levels",
        b'{"a": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        ("unknown record structure",),
    ),
    Case(
        "array nested 2000 levels",
        b'{"a": ' + b"[" * 2000 + b"]" * 2000 + b"}",
        ("invalid JSON: nesting deeper than 1024 levels at byte <+1029>",),
    ),
    Case(
        "object nested 100000 levels",
        b'{"eventId": "x", "a": ' + b'{"b":' * 100_000 + b"1" + b"}" * 100_001,
        ("invalid JSON: nesting deeper than 1024 levels at byte <+5137>",),
    ),
    Case(
        "nesting too deep for the fallback decoder",
        b'{"s": "\\ud800", "a": ' + b"[" * 1022 + b"]" * 1022 + b"}",
        ("invalid JSON: nesting too deep to decode",),
    ),
    # Firehose error-output envelopes.
    Case(
        "envelope with invalid base64",
        line(error_envelope("!!not base64!!")),
        ("Firehose error output: rawData is not valid base64",),
    ),
    Case(
        "envelope with numeric rawData",
        line(error_envelope("") | {"rawData": 7}),
        ("Firehose error output: rawData must be a non-empty base64 string",),
    ),
    Case(
        "envelope with empty rawData",
        line(error_envelope("")),
        ("Firehose error output: rawData must be a non-empty base64 string",),
    ),
    Case(
        "envelope with truncated record",
        line(error_envelope(b'{"eventId": "5", "a": ')),
        ("truncated record: the input ends before its closing '}'",),
    ),
    Case(
        "envelope with non-record",
        line(error_envelope(base64.b64encode(b"[1]").decode())),
        ("expected a JSON object, found an array",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_malformed_input_reported(case: Case) -> None:
    data = case.before + case.bad + case.after
    results = [check_nested(result) for result in read_bytes(data, "corpus.json")]
    errors = [result for result in results if isinstance(result, RecordError)]
    event_ids = [result.event_id for result in results if not isinstance(result, RecordError)]

    assert len(errors) == len(case.messages), [error.message for error in errors]
    start = len(case.before)
    for error, template in zip(errors, case.messages, strict=True):
        expected = re.sub(r"<\+(\d+)>", lambda match: str(start + int(match[1])), template)
        assert error.message.startswith(expected), error.message
    assert errors[0].source.line == case.line
    assert errors[0].source.offset == start
    assert event_ids == list(case.event_ids)


@pytest.mark.parametrize(
    ("payload", "attribute", "message"),
    [
        (
            {"features": {"temperature": "hot"}},
            "features",
            "eventPayload.features.temperature must be a number, found a string 'hot'",
        ),
        (
            {"models": {"vibrationML": "ALARM"}},
            "models",
            "eventPayload.models.vibrationML must be an object, found a string 'ALARM'",
        ),
    ],
)
def test_nested_type_error_raised_on_access(
    payload: dict[str, Any], attribute: str, message: str
) -> None:
    results = list(read_bytes(BEFORE + b"\n" + payload_line(**payload) + b"\n", "corpus.json"))
    event = results[1]
    assert isinstance(event, MonitronEvent)
    assert event.event_id == "bad"
    with pytest.raises(SchemaError) as caught:
        getattr(event, attribute)
    assert str(caught.value) == message


def test_check_nested_reports_at_record_position() -> None:
    bad = payload_line(features={"temperature": "hot"})
    results = [check_nested(result) for result in read_bytes(BEFORE + b"\n" + bad, "c.json")]
    error = results[1]
    assert isinstance(error, RecordError)
    assert error.source.line == 2
    assert error.source.offset == len(BEFORE) + 1
    assert error.excerpt == json.dumps(json.loads(bad), ensure_ascii=False)[:200]


def test_corpus_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_error_excerpt_shows_record_start() -> None:
    bad = b'{"eventId": "x", "timestamp": 12}'
    results = list(read_bytes(BEFORE + b"\n" + bad + b"\n" + AFTER, "corpus.json"))
    error = results[1]
    assert isinstance(error, RecordError)
    assert error.excerpt == json.dumps({"eventId": "x", "timestamp": 12})


def test_excerpt_of_deep_record_is_placeholder() -> None:
    deep = b'{"a": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    results = list(read_bytes(BEFORE + b"\n" + deep + b"\n" + AFTER, "corpus.json"))
    error = results[1]
    assert isinstance(error, RecordError)
    assert error.excerpt == "(nested too deeply to show)"


def test_describe_names_source_line_and_offset() -> None:
    results = list(read_bytes(BEFORE + b"\n[1]\n", "s3://bucket/object"))
    error = results[1]
    assert isinstance(error, RecordError)
    expected = f"s3://bucket/object:2 (byte {len(BEFORE) + 1}): expected a JSON object"
    assert error.describe().startswith(expected)


def test_consecutive_broken_records_each_reported() -> None:
    bad = b'{"eventId": "x",\n{"eventId": "y", "a": [\n{"eventId": "z"'
    results = list(read_bytes(BEFORE + b"\n" + bad + b"\n" + AFTER, "corpus.json"))
    errors = [result for result in results if isinstance(result, RecordError)]
    event_ids = [result.event_id for result in results if not isinstance(result, RecordError)]
    assert [error.source.line for error in errors] == [2, 3, 4]
    assert event_ids == ["before", "after"]


def test_gzip_damage_keeps_records_before_it() -> None:
    # 400 records decompress to about 550 kB, less than one 1 MiB decompression window.
    plain = b"\n".join(line(v2("measurement", str(number))) for number in range(400)) + b"\n"
    damaged = bytearray(gzip.compress(plain, mtime=0))
    damaged[len(damaged) // 2] ^= 0xFF
    results = list(read_bytes(bytes(damaged), "corpus.json.gz"))
    errors = [result for result in results if isinstance(result, RecordError)]
    event_ids = [result.event_id for result in results if not isinstance(result, RecordError)]
    assert event_ids[:100] == [str(number) for number in range(100)]
    assert errors[-1].message.startswith("invalid gzip data:"), errors[-1].message
