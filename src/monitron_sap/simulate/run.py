"""Open a sink from its ``--sink`` spec and feed it records, optionally paced in real time."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.records import OutputRecord
from monitron_sap.simulate.sinks import ObjectLayout, Sink, SinkSummary, StreamSink, directory_sink

logger = logging.getLogger(__name__)

SINK_FORMS = "stdout, dir:PATH, s3://BUCKET/PREFIX or kinesis://STREAM"


def open_sink(
    spec: str, layout: ObjectLayout, endpoint_url: str | None = None, *, paced: bool = False
) -> Sink:
    """Open the sink named by ``spec``: ``stdout``, ``dir:PATH``, ``s3://…`` or ``kinesis://…``.

    With ``paced`` set, standard output is flushed after every record.
    """
    if spec in ("stdout", "-"):
        return StreamSink(sys.stdout.buffer, layout, flush_each_record=paced)
    if spec.startswith("dir:") and len(spec) > 4:
        return directory_sink(Path(spec[4:]), layout)
    if spec.startswith("s3://"):
        bucket, _, prefix = spec[5:].partition("/")
        if not bucket:
            raise ConfigurationError(f"invalid sink {spec!r}: the bucket name is missing")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        from monitron_sap.simulate.aws_sinks import s3_sink

        return s3_sink(bucket, prefix, layout, endpoint_url)
    if spec.startswith("kinesis://") and len(spec) > len("kinesis://"):
        from monitron_sap.simulate.aws_sinks import kinesis_sink

        return kinesis_sink(spec[len("kinesis://") :], endpoint_url)
    raise ConfigurationError(f"invalid sink {spec!r}: expected {SINK_FORMS}")


def parse_rate(text: str) -> float:
    """Parse ``--rate`` as records per second: ``20``, ``20/s`` or ``0.5/s``."""
    number = text.strip().removesuffix("/s")
    try:
        rate = float(number)
    except ValueError as error:
        raise ConfigurationError(
            f"invalid rate {text!r}: expected records per second such as 20/s"
        ) from error
    if not rate > 0:
        raise ConfigurationError(f"invalid rate {text!r}: must be greater than zero")
    return rate


def paced(
    records: Iterable[OutputRecord],
    rate: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[OutputRecord]:
    """Yield records no faster than ``rate`` per second of wall-clock time."""
    begin = clock()
    for index, record in enumerate(records):
        delay = begin + index / rate - clock()
        if delay > 0:
            sleep(delay)
        yield record


def run(
    records: Iterable[OutputRecord],
    sink: Sink,
    *,
    count: int | None = None,
    rate: float | None = None,
) -> SinkSummary:
    """Write at most ``count`` records to ``sink`` (at ``rate`` per second if set) and close it."""
    stream: Iterable[OutputRecord] = records if count is None else islice(records, count)
    if rate is not None:
        stream = paced(stream, rate)
    for record in stream:
        sink.write(record)
    summary = sink.close()
    logger.info("wrote %d records in %d objects", summary.records, summary.objects)
    return summary
