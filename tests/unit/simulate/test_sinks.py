"""Sinks: Firehose object layout, framing, gzip, streams, Kinesis batching and pacing."""

from __future__ import annotations

import gzip
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from monitron_sap.errors import ConfigurationError, RetryableError
from monitron_sap.simulate.aws_sinks import MAX_ATTEMPTS, KinesisSink
from monitron_sap.simulate.records import OutputRecord
from monitron_sap.simulate.run import open_sink, paced, parse_rate
from monitron_sap.simulate.sinks import ObjectLayout, ObjectSink, StreamSink

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
FIREHOSE_NAME = re.compile(
    r"^\d{4}/\d{2}/\d{2}/\d{2}/monitron-export-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-"
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


def record(minutes: float, site: str = "Site A", number: int = 0) -> OutputRecord:
    document = {"projectName": "Proj", "eventId": str(number), "n": number}
    return OutputRecord(T0 + timedelta(minutes=minutes), site, "pk", document)


def count_documents(data: bytes) -> int:
    """Count the JSON documents in an object of these stand-in records (plain or gzip)."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.count(b'{"projectName"')


def collect(layout: ObjectLayout, records: list[OutputRecord]) -> dict[str, bytes]:
    objects: dict[str, bytes] = {}
    sink = ObjectSink(layout, objects.__setitem__)
    for item in records:
        sink.write(item)
    sink.close()
    return objects


def test_firehose_keys_and_buffering() -> None:
    objects = collect(ObjectLayout(), [record(0), record(5), record(16), record(70)])
    keys = sorted(objects)
    assert keys[0].startswith("2026/01/05/10/monitron-export-1-2026-01-05-10-00-00-")
    assert keys[1].startswith("2026/01/05/10/monitron-export-1-2026-01-05-10-16-00-")
    assert keys[2].startswith("2026/01/05/11/monitron-export-1-2026-01-05-11-10-00-")
    assert all(FIREHOSE_NAME.match(key) for key in keys)
    assert [count_documents(objects[key]) for key in keys] == [2, 1, 1]


def test_buffer_size_limit_splits_objects() -> None:
    layout = ObjectLayout(buffer_bytes=90)
    objects = collect(layout, [record(0, number=n) for n in range(6)])
    assert len(objects) == 3
    assert all(len(data) <= 90 for data in objects.values())


def test_partitioned_keys() -> None:
    layout = ObjectLayout(layout="partitioned")
    objects = collect(layout, [record(0, "Site A"), record(1, "Site B"), record(60 * 20, "Site A")])
    prefixes = sorted(key.rsplit("/", 1)[0] for key in objects)
    assert prefixes == [
        "project=Proj/site=Site A/time=2026-01-05 00:00:00",
        "project=Proj/site=Site A/time=2026-01-06 00:00:00",
        "project=Proj/site=Site B/time=2026-01-05 00:00:00",
    ]


@pytest.mark.parametrize("framing", ["lines", "concatenated"])
def test_framing(framing: str) -> None:
    objects = collect(ObjectLayout(framing=framing), [record(0, number=1), record(1, number=2)])
    data = next(iter(objects.values()))
    first = b'{"projectName":"Proj","eventId":"1","n":1}'
    second = b'{"projectName":"Proj","eventId":"2","n":2}'
    if framing == "lines":
        assert data == first + b"\n" + second + b"\n"
    else:
        assert data == first + second


def test_gzip_objects_deterministic() -> None:
    first = collect(ObjectLayout(gzip=True), [record(0), record(1)])
    second = collect(ObjectLayout(gzip=True), [record(0), record(1)])
    assert first == second
    key, data = next(iter(first.items()))
    assert key.endswith(".gz")
    assert data[:2] == b"\x1f\x8b"
    assert count_documents(data) == 2


def test_stream_sink_gzip() -> None:
    buffer = io.BytesIO()
    sink = StreamSink(buffer, ObjectLayout(gzip=True))
    sink.write(record(0))
    sink.close()
    assert gzip.decompress(buffer.getvalue()) == b'{"projectName":"Proj","eventId":"0","n":0}\n'


@pytest.mark.parametrize("spec", ["dir:", "s3://", "kinesis://", "ftp://x", "file"])
def test_open_sink_invalid_spec(spec: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        open_sink(spec, ObjectLayout())
    assert repr(spec) in str(raised.value)


def test_invalid_layout_rejected() -> None:
    with pytest.raises(ConfigurationError) as raised:
        ObjectLayout(layout="flat")
    assert "flat" in str(raised.value)


class FakeKinesis:
    """A stand-in Kinesis client that throttles the first ``throttled[i]`` entries of call i."""

    def __init__(self, throttled: list[int]) -> None:
        self.throttled = throttled
        self.calls: list[list[dict[str, Any]]] = []

    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Records)
        failing = self.throttled.pop(0) if self.throttled else 0
        results: list[dict[str, Any]] = []
        for index in range(len(Records)):
            if index < failing:
                results.append(
                    {
                        "ErrorCode": "ProvisionedThroughputExceededException",
                        "ErrorMessage": "slow down",
                    }
                )
            else:
                results.append({"SequenceNumber": str(index), "ShardId": "shardId-000000000000"})
        return {"FailedRecordCount": failing, "Records": results}


def test_kinesis_batches_of_500() -> None:
    client = FakeKinesis([])
    sink = KinesisSink("s", client, sleep=lambda _: None)  # type: ignore[arg-type]
    for number in range(1201):
        sink.write(record(0, number=number))
    summary = sink.close()
    assert [len(call) for call in client.calls] == [500, 500, 201]
    assert summary.records == 1201


def test_kinesis_batches_by_size() -> None:
    client = FakeKinesis([])
    sink = KinesisSink("s", client, sleep=lambda _: None)  # type: ignore[arg-type]
    big = OutputRecord(T0, "S", "pk", {}, raw=b"x" * (900 * 1024))
    for _ in range(7):
        sink.write(big)
    sink.close()
    assert [len(call) for call in client.calls] == [5, 2]


def test_kinesis_retries_throttled_records() -> None:
    client = FakeKinesis([3, 1])
    delays: list[float] = []
    sink = KinesisSink("s", client, sleep=delays.append)  # type: ignore[arg-type]
    for number in range(10):
        sink.write(record(0, number=number))
    sink.close()
    assert [len(call) for call in client.calls] == [10, 3, 1]
    assert client.calls[1][0]["Data"] == record(0, number=0).encode()
    assert delays == [0.1, 0.2]


def test_kinesis_gives_up_after_bound() -> None:
    client = FakeKinesis([2] * 20)
    sink = KinesisSink("s", client, sleep=lambda _: None)  # type: ignore[arg-type]
    sink.write(record(0, number=1))
    sink.write(record(0, number=2))
    with pytest.raises(RetryableError) as raised:
        sink.close()
    assert len(client.calls) == MAX_ATTEMPTS
    assert "2 records were not accepted" in str(raised.value)


def test_kinesis_rejects_oversized_record() -> None:
    sink = KinesisSink("s", FakeKinesis([]), sleep=lambda _: None)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as raised:
        sink.write(OutputRecord(T0, "S", "pk", {}, raw=b"x" * (1024 * 1024)))
    assert "at most 1048576 bytes" in str(raised.value)


def test_paced_waits_between_records() -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    items = list(paced([record(0), record(1), record(2)], 4.0, clock=lambda: now[0], sleep=sleep))
    assert len(items) == 3
    assert sleeps == [0.25, 0.25]


@pytest.mark.parametrize(("text", "rate"), [("20", 20.0), ("20/s", 20.0), ("0.5/s", 0.5)])
def test_parse_rate(text: str, rate: float) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "0", "-1/s"])
def test_parse_rate_invalid(text: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_rate(text)


class ThrottledCallKinesis(FakeKinesis):
    """A stand-in Kinesis client whose first ``failures`` calls raise a throttling error."""

    def __init__(self, failures: int, code: str = "ProvisionedThroughputExceededException"):
        super().__init__([])
        self.failures = failures
        self.code = code

    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        if self.failures:
            self.failures -= 1
            self.calls.append(Records)
            raise ClientError(
                {"Error": {"Code": self.code, "Message": "Rate exceeded"}}, "PutRecords"
            )
        return super().put_records(StreamName, Records)


def test_kinesis_retries_throttled_call() -> None:
    client = ThrottledCallKinesis(2)
    delays: list[float] = []
    sink = KinesisSink("s", client, sleep=delays.append)  # type: ignore[arg-type]
    sink.write(record(0))
    summary = sink.close()
    assert len(client.calls) == 3
    assert delays == [0.1, 0.2]
    assert summary.records == 1


def test_kinesis_missing_stream_not_retried() -> None:
    client = ThrottledCallKinesis(5, code="ResourceNotFoundException")
    sink = KinesisSink("s", client, sleep=lambda _: None)  # type: ignore[arg-type]
    sink.write(record(0))
    with pytest.raises(ConfigurationError) as raised:
        sink.close()
    assert len(client.calls) == 1
    assert "ResourceNotFoundException" in str(raised.value)


def test_kinesis_sends_old_batch() -> None:
    now = [0.0]
    client = FakeKinesis([])
    sink = KinesisSink("s", client, sleep=lambda _: None, clock=lambda: now[0])  # type: ignore[arg-type]
    sink.write(record(0, number=1))
    now[0] = 0.5
    sink.write(record(0, number=2))
    now[0] = 1.2
    sink.write(record(0, number=3))
    sink.close()
    assert [len(call) for call in client.calls] == [2, 1]


class FlushCounter(io.BytesIO):
    """A byte buffer that counts flush calls."""

    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


@pytest.mark.parametrize("use_gzip", [False, True])
def test_stream_sink_flushes_when_paced(use_gzip: bool) -> None:
    buffer = FlushCounter()
    sink = StreamSink(buffer, ObjectLayout(gzip=use_gzip), flush_each_record=True)
    sink.write(record(0, number=1))
    sink.write(record(1, number=2))
    assert buffer.flushes >= 2
    sink.close()
    data = buffer.getvalue()
    plain = gzip.decompress(data) if use_gzip else data
    assert plain.count(b"\n") == 2
