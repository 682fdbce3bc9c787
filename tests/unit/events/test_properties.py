"""Property: any sequence of valid records survives any mix of framings, chunkings and gzip."""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from monitron_sap.events import RecordError, read_bytes
from monitron_sap.events.compression import iter_chunks
from monitron_sap.events.framing import DecodedRecord, split_records
from monitron_sap.events.model import EVENT_TYPES
from tests.unit.events.records import v1, v2

names = st.text(min_size=0, max_size=12)
event_ids = st.one_of(st.text(min_size=1, max_size=10), st.integers(min_value=0, max_value=2**53))


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    event_id = draw(event_ids)
    site = draw(names)
    if draw(st.booleans()):
        return v1(event_id, siteDisplayName=site)
    return v2(draw(st.sampled_from(EVENT_TYPES)), event_id, siteName=site)


def encode(record: dict[str, Any], style: str, ascii_only: bool) -> bytes:
    if style == "pretty":
        return json.dumps(record, indent=2, ensure_ascii=ascii_only).encode("utf-8")
    return json.dumps(record, ensure_ascii=ascii_only).encode("utf-8")


SEPARATORS = [b"", b"\n", b"\r\n", b"  \n", b"\n\n", b" ", b"\t\r\n"]


@st.composite
def exports(draw: st.DrawFn) -> tuple[list[dict[str, Any]], bytes]:
    items = draw(st.lists(records(), min_size=0, max_size=8))
    parts = [b"\xef\xbb\xbf"] if draw(st.booleans()) else []
    for record in items:
        style = draw(st.sampled_from(["line", "pretty"]))
        parts.append(encode(record, style, draw(st.booleans())))
        parts.append(draw(st.sampled_from(SEPARATORS)))
    return items, b"".join(parts)


def expected_ids(items: list[dict[str, Any]]) -> list[str]:
    return [str(record["eventId"]) for record in items]


@settings(max_examples=150, deadline=None)
@given(export=exports(), compress=st.booleans())
def test_valid_records_survive_any_framing(
    export: tuple[list[dict[str, Any]], bytes], compress: bool
) -> None:
    items, data = export
    if compress:
        data = gzip.compress(data)
    results = list(read_bytes(data, "generated.json"))
    assert [result for result in results if isinstance(result, RecordError)] == []
    assert [result.event_id for result in results] == expected_ids(items)  # type: ignore[union-attr]


@settings(max_examples=150, deadline=None)
@given(export=exports(), sizes=st.lists(st.integers(min_value=1, max_value=300), min_size=1))
def test_valid_records_survive_any_chunking(
    export: tuple[list[dict[str, Any]], bytes], sizes: list[int]
) -> None:
    items, data = export
    chunks = []
    position = 0
    index = 0
    while position < len(data):
        size = sizes[index % len(sizes)]
        chunks.append(data[position : position + size])
        position += size
        index += 1
    frames = list(split_records(chunks))
    assert all(isinstance(frame, DecodedRecord) for frame in frames)
    assert [frame.value for frame in frames] == items  # type: ignore[union-attr]


@settings(max_examples=100, deadline=None)
@given(
    export=exports(),
    garbage=st.sampled_from([b"xyz", b"[1,", b'{"a": ', b"\xff\xfe", b"}", b'{"eventId": "g"}']),
    position=st.integers(min_value=0, max_value=8),
)
def test_garbage_line_costs_only_itself(
    export: tuple[list[dict[str, Any]], bytes], garbage: bytes, position: int
) -> None:
    items, _ = export
    lines = [json.dumps(record).encode("utf-8") for record in items]
    position = min(position, len(lines))
    lines.insert(position, garbage)
    results = list(read_bytes(b"\n".join(lines) + b"\n", "generated.json"))
    errors = [result for result in results if isinstance(result, RecordError)]
    events = [result for result in results if not isinstance(result, RecordError)]
    assert len(errors) == 1
    assert errors[0].source.line == position + 1
    assert [event.event_id for event in events] == expected_ids(items)


@settings(max_examples=60, deadline=None)
@given(
    runs=st.lists(
        st.tuples(st.binary(min_size=1, max_size=3), st.integers(min_value=1, max_value=200_000)),
        min_size=1,
        max_size=6,
    ),
    level=st.sampled_from([1, 6, 9]),
    chunk_bytes=st.sampled_from([64, 1000, 4096]),
)
def test_gzip_round_trip_in_small_chunks(
    runs: list[tuple[bytes, int]], level: int, chunk_bytes: int
) -> None:
    data = b"".join(piece * count for piece, count in runs)
    compressed = gzip.compress(data, compresslevel=level)
    chunks = list(iter_chunks(io.BytesIO(compressed), chunk_bytes=chunk_bytes))
    assert b"".join(chunks) == data
    assert max(len(chunk) for chunk in chunks) <= chunk_bytes
