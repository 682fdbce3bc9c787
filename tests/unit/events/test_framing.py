"""Framing: every supported layout, gzip, chunk boundaries and Firehose error envelopes."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import tracemalloc
from collections.abc import Iterator

import pytest

from monitron_sap.events import MonitronEvent, RecordError, read_bytes, read_stream
from monitron_sap.events.candidates import COMPLETE, CUT_OFF, match_braces
from monitron_sap.events.compression import iter_chunks
from monitron_sap.events.framing import DecodedRecord, FramingError, split_records
from tests.unit.events.records import error_envelope, line, v1, v2

A = v2("measurement", "1")
B = v2("assetStateTransition", "2")
C = v2("sensorConnected", "3")


def read_all(data: bytes) -> tuple[list[MonitronEvent], list[RecordError]]:
    events: list[MonitronEvent] = []
    errors: list[RecordError] = []
    for result in read_bytes(data, "test.json"):
        if isinstance(result, RecordError):
            errors.append(result)
        else:
            events.append(result)
    return events, errors


def ids(data: bytes) -> list[str]:
    events, errors = read_all(data)
    assert errors == []
    return [event.event_id for event in events]


def pretty(record: object, indent: int = 4) -> bytes:
    return json.dumps(record, indent=indent, ensure_ascii=False).encode("utf-8")


def in_chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


LAYOUTS = {
    "json lines": line(A) + b"\n" + line(B) + b"\n" + line(C) + b"\n",
    "no final newline": line(A) + b"\n" + line(B) + b"\n" + line(C),
    "concatenated": line(A) + line(B) + line(C),
    "pretty-printed": pretty(A) + b"\n" + pretty(B, 2) + b"\n" + pretty(C, 1),
    "pretty concatenated": pretty(A) + pretty(B) + pretty(C),
    "crlf": line(A) + b"\r\n" + line(B) + b"\r\n" + line(C) + b"\r\n",
    "crlf pretty": pretty(A).replace(b"\n", b"\r\n") + b"\r\n" + line(B) + b"\r\n" + line(C),
    "utf-8 bom": b"\xef\xbb\xbf" + line(A) + b"\n" + line(B) + b"\n" + line(C),
    "trailing whitespace": line(A) + b"  \t\n" + line(B) + b" \r\n\n\n" + line(C) + b"   \n\n",
    "leading blank lines": b"\n\n  \n" + line(A) + b"\n" + line(B) + b"\n" + line(C),
    "indented lines": b"  " + line(A) + b"\n\t" + line(B) + b"\n " + line(C),
    "mixed": line(A) + line(B) + b"\n" + pretty(C),
    "spaces between concatenated": line(A) + b"  " + line(B) + b"\t" + line(C),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_reads_every_record(layout: str) -> None:
    assert ids(LAYOUTS[layout]) == ["1", "2", "3"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_gzip_reads_every_record(layout: str) -> None:
    assert ids(gzip.compress(LAYOUTS[layout])) == ["1", "2", "3"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64])
def test_layout_survives_chunk_boundaries(layout: str, chunk_size: int) -> None:
    frames = list(split_records(in_chunks(LAYOUTS[layout], chunk_size)))
    assert all(isinstance(frame, DecodedRecord) for frame in frames)
    assert [frame.value["eventId"] for frame in frames] == ["1", "2", "3"]


def test_offsets_and_lines_point_at_records() -> None:
    data = line(A) + b"\n\n" + pretty(B) + line(C)
    events, _ = read_all(data)
    offsets = [event.source.offset for event in events]
    lines = [event.source.line for event in events]
    assert offsets == [0, len(line(A)) + 2, len(line(A)) + 2 + len(pretty(B))]
    assert lines == [1, 3, 3 + pretty(B).count(b"\n")]


def test_offsets_count_the_bom() -> None:
    events, _ = read_all(b"\xef\xbb\xbf" + line(A))
    assert events[0].source.offset == 3


def test_gzip_detected_by_magic_bytes_not_name() -> None:
    events, errors = read_all(gzip.compress(line(A)))
    assert errors == []
    assert events[0].source.source == "test.json"


def test_gzip_multiple_members_are_read() -> None:
    data = gzip.compress(line(A) + b"\n") + gzip.compress(line(B) + b"\n")
    assert ids(data) == ["1", "2"]


def test_gzip_truncated_reports_error_after_records() -> None:
    data = gzip.compress(line(A) + b"\n" + line(B) + b"\n" + b" " * 5000)
    events, errors = read_all(data[:-30])
    assert [event.event_id for event in events] == ["1", "2"]
    assert [error.message for error in errors] == ["the gzip data is truncated"]


def test_gzip_corrupt_reports_invalid_data() -> None:
    data = bytearray(gzip.compress(line(A) * 50))
    data[20:40] = b"\x00" * 20
    _, errors = read_all(bytes(data))
    assert errors[-1].message.startswith("invalid gzip data:")


def test_gzip_trailing_garbage_reported() -> None:
    data = gzip.compress(line(A)) + b"garbage"
    events, errors = read_all(data)
    assert [event.event_id for event in events] == ["1"]
    assert [error.message for error in errors] == [
        "7 bytes after the end of the gzip data are not gzip"
    ]


def test_gzip_large_output_streams_in_chunks() -> None:
    data = gzip.compress((line(A) + b"\n") * 2000)
    chunks = list(iter_chunks(io.BytesIO(data), chunk_bytes=4096))
    assert max(len(chunk) for chunk in chunks) <= 4096
    assert b"".join(chunks) == (line(A) + b"\n") * 2000


def test_empty_input_yields_nothing() -> None:
    assert read_all(b"") == ([], [])


def test_blank_input_yields_nothing() -> None:
    assert read_all(b" \r\n\n\t") == ([], [])


def test_empty_gzip_yields_nothing() -> None:
    assert read_all(gzip.compress(b"")) == ([], [])


def test_read_stream_reads_binary_stream() -> None:
    results = list(read_stream(io.BytesIO(line(A) + line(B)), "s3://bucket/key"))
    assert [result.source.source for result in results] == ["s3://bucket/key"] * 2


def test_brace_inside_string_does_not_split_concatenated() -> None:
    tricky = v2("measurement", "1", siteName='a}{b "quoted" \\ }\n{')
    events, errors = read_all(line(tricky) + line(B))
    assert errors == []
    assert events[0].site == 'a}{b "quoted" \\ }\n{'
    assert events[1].event_id == "2"


def test_escaped_lone_surrogate_is_rejected() -> None:
    record = line(A).replace(b'"Site A"', b'"Site \\ud800"')
    events, errors = read_all(record + b"\n" + line(B))
    assert [event.event_id for event in events] == ["2"]
    assert len(errors) == 1
    assert "contains an escaped lone UTF-16 surrogate" in errors[0].message
    assert errors[0].source.line == 1


def test_error_envelope_unwrapped() -> None:
    envelope = error_envelope(line(A))
    events, errors = read_all(line(B) + b"\n" + line(envelope) + b"\n" + line(C))
    assert errors == []
    assert [event.event_id for event in events] == ["2", "1", "3"]
    assert [event.source.from_error_output for event in events] == [False, True, False]
    assert events[1].source.line == 2


def test_error_envelope_with_v1_and_pretty_payload() -> None:
    envelope = error_envelope(pretty(v1("77")))
    events, errors = read_all(pretty(envelope))
    assert errors == []
    assert events[0].schema_version == 1
    assert events[0].source.from_error_output


def test_error_envelope_of_gzip_payload() -> None:
    envelope = error_envelope(gzip.compress(line(A)))
    events, _ = read_all(line(envelope))
    assert [event.event_id for event in events] == ["1"]


def test_error_envelope_invalid_payload_flagged() -> None:
    envelope = error_envelope(b'{"eventId": "5", "timestamp"')
    _, errors = read_all(line(envelope) + b"\n" + line(A))
    assert errors[0].source.from_error_output
    assert errors[0].describe().startswith("test.json:1 (byte 0) [from Firehose error output]: ")


def test_framing_error_excerpt_is_bounded() -> None:
    frames = list(split_records([b"x" * 5000]))
    assert isinstance(frames[0], FramingError)
    assert len(frames[0].excerpt) == 200


class FailingStream(io.RawIOBase):
    """A stream that returns its data once, then fails like a dropped network read."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._data:
            data, self._data = self._data, b""
            return data
        raise OSError("connection reset by peer")


def test_read_failure_reported_after_records() -> None:
    stream = FailingStream(line(A) + b"\n" + line(B) + b"\n")
    results = list(read_stream(stream, "s3://bucket/key"))  # type: ignore[arg-type]
    assert [result.event_id for result in results[:2]] == ["1", "2"]  # type: ignore[union-attr]
    error = results[2]
    assert isinstance(error, RecordError)
    assert error.message == "reading failed: connection reset by peer"
    assert error.source.offset == len(line(A)) + len(line(B)) + 2


def test_read_failure_inside_record_reports_both() -> None:
    stream = FailingStream(line(A) + b"\n" + line(B)[:50])
    results = list(read_stream(stream, "s3://bucket/key"))  # type: ignore[arg-type]
    messages = [result.message for result in results if isinstance(result, RecordError)]
    assert messages == [
        "truncated record: the input ends before its closing '}'",
        "reading failed: connection reset by peer",
    ]


def generated_chunks(piece: bytes, total: int) -> Iterator[bytes]:
    for _ in range(total // len(piece)):
        yield piece


def peak_memory_of_framing(chunks: Iterator[bytes]) -> tuple[list[FramingError], int]:
    tracemalloc.start()
    try:
        frames = [frame for frame in split_records(chunks) if isinstance(frame, FramingError)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return frames, peak


def test_endless_garbage_in_bounded_memory() -> None:
    total = 64 * 1024 * 1024
    chunks = itertools.chain(generated_chunks(b"x" * 65536, total), [b"\n" + line(A)])
    errors, peak = peak_memory_of_framing(chunks)
    assert [error.message for error in errors] == [
        f"{total + 1} unexpected bytes between records, skipped up to the next '{{'"
    ]
    assert peak < 8 * 1024 * 1024


def test_endless_record_in_bounded_memory() -> None:
    total = 64 * 1024 * 1024
    head = [b'{"eventId": "1", "pad": "']
    chunks = itertools.chain(head, generated_chunks(b"a" * 65536, total), [b'"}\n', line(A)])
    errors, peak = peak_memory_of_framing(chunks)
    assert [error.message for error in errors] == ["record is larger than 1048576 bytes"]
    assert peak < 8 * 1024 * 1024


def frames_in_chunks(data: bytes, chunk_size: int, max_record_bytes: int) -> list[object]:
    chunks = [data[start : start + chunk_size] for start in range(0, len(data), chunk_size)]
    return list(split_records(chunks, max_record_bytes))


def test_line_fast_path_matches_general_path() -> None:
    # One chunk takes the whole-line loop; one-byte chunks leave no complete line in the
    # buffer, so every record goes through the general path.
    data = b"".join(
        [
            line(A) + b"\r\n",
            b"\n  \t\r\n",
            b"  " + line(B) + b"\n",
            line(A) + line(B) + b"\n",
            b'{"eventId": "x", "a": \n',
            b"[1, 2]\n",
            b"garbage\n",
            line(C) + b"\n",
            b"{" + b'"k": "' + b"v" * 5000 + b'"}\n',
            line(A),
        ]
    )
    whole = frames_in_chunks(data, len(data), 4096)
    assert whole == frames_in_chunks(data, 1, 4096)
    assert len(whole) == 8


def test_line_fast_path_counts_lines_and_offsets() -> None:
    first, second = line(A) + b"\n", b"\n" + line(B) + b"\n"
    frames = list(split_records([first + second + line(C)]))
    assert [frame.line for frame in frames] == [1, 3, 4]
    assert [frame.offset for frame in frames] == [0, len(first) + 1, len(first + second)]


def test_joined_fast_path_matches_general_path() -> None:
    pretty = json.dumps(B, indent=2).encode()
    tricky = line(C | {"note": "a }{ b"})
    data = line(A) + line(B) + pretty + line(A) + tricky + line(C) + b"\n" + line(A) + line(B)
    whole = frames_in_chunks(data, len(data), 4096)
    assert whole == frames_in_chunks(data, 1, 4096)
    assert [frame.value for frame in whole] == [A, B, B, A, json.loads(tricky), C, A, B]
    after_pretty = 1 + pretty.count(b"\n")
    expected_lines = [1, 1, 1, after_pretty, after_pretty, after_pretty, after_pretty + 1]
    assert [frame.line for frame in whole] == [*expected_lines, after_pretty + 1]


@pytest.mark.parametrize(
    ("cut", "rest"),
    [
        (b'{"eventId": "1", "sequenceNo": 12', b"\n"),
        (b'{"eventId": "1", "eventPayload": {"sensor": {"rssi": -4', b"\r\n"),
        (b'{"eventId": "1", "eventPayload": {}', b""),
        (b'{"eventId": "1", "eventPayload": {"a": [1, 2]', b"  \n"),
    ],
)
def test_cut_off_scan_stops_at_next_record(cut: bytes, rest: bytes) -> None:
    following = b"".join(line(A) + b"\n" for _ in range(50))
    data = cut + rest + following
    status, end = match_braces(data, 0, len(data))
    assert status == CUT_OFF
    assert end == len(cut + rest)


def test_cut_off_record_reports_next_record_start() -> None:
    data = b'{"eventId": "1", "sequenceNo": 12\n' + line(A) + b"\n" + line(B) + b"\n"
    events, errors = read_all(data)
    assert [event.event_id for event in events] == ["1", "2"]
    assert [error.message for error in errors] == [
        "truncated record: a new record starts at line 2 before this one closed"
    ]
    assert [error.excerpt for error in errors] == ['{"eventId": "1", "sequenceNo": 12\n']


def test_cut_off_excerpt_keeps_the_closing_brace() -> None:
    data = b'{"eventId": "1", "eventPayload": {"a": 1}' + line(B) + b"\n"
    events, errors = read_all(data)
    assert [event.event_id for event in events] == ["2"]
    assert [error.excerpt for error in errors] == ['{"eventId": "1", "eventPayload": {"a": 1}']


def test_cut_off_scan_allows_column_one_objects() -> None:
    # json.dumps(indent=0) starts the objects in an array in the first column of a line.
    record = dict(A, note=[{"a": 1}, {"b": 2}], other={"c": {"d": 3}})
    pretty = json.dumps(record, indent=0).encode()
    assert b"\n{" in pretty
    colon_break = line(C).replace(b'"sensor": {', b'"sensor":\n{')
    assert b"\n{" in colon_break
    for data in (pretty, colon_break):
        assert match_braces(data, 0, len(data)) == (COMPLETE, len(data))
    events, errors = read_all(pretty + b"\n" + colon_break + b"\n")
    assert errors == []
    assert [event.event_id for event in events] == ["1", "3"]


def test_joined_record_after_cut_off_is_read() -> None:
    data = b'{"eventId": "1", "eventPayload": {"a": 1}' + line(B) + line(C)
    status, end = match_braces(data, 0, len(data))
    assert (status, data[end : end + 1]) == (CUT_OFF, b"{")
    events, errors = read_all(data)
    assert [event.event_id for event in events] == ["2", "3"]
    assert len(errors) == 1


def test_cut_off_blames_the_cut_record() -> None:
    # The scan stops at the next record start, so a fault in a later record (here a string cut
    # off on line 3) is reported at that record, not blamed on the first.
    cut = b'{"eventId": "1", "eventPayload": {"siteName": "S"\n'
    broken = b'{"eventId": "3", "eventPayload": {"siteName": "S\n'
    data = cut + line(B) + b"\n" + broken + line(C) + b"\n"
    events, errors = read_all(data)
    assert [event.event_id for event in events] == ["2", "3"]
    assert [error.source.line for error in errors] == [1, 3]
    assert errors[0].message == (
        "truncated record: a new record starts at line 2 before this one closed"
    )
    assert errors[1].message.startswith("invalid JSON: line break inside a string at byte ")
