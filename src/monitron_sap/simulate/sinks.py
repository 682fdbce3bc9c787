"""Sinks for simulated records: objects laid out as Firehose writes them, or a byte stream.

Records are grouped into objects the way a Firehose delivery stream buffers them: one buffer per
key prefix, closed when its first record is ``buffer_interval`` old in simulated time or when
the next record would pass ``buffer_bytes``. Object names use the time of the buffer's first
record and a UUID from a seeded generator, so the layout is as deterministic as the records.
"""

from __future__ import annotations

import gzip
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Final, Protocol

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.records import OutputRecord

logger = logging.getLogger(__name__)

LAYOUT_FIREHOSE: Final = "firehose"
LAYOUT_PARTITIONED: Final = "partitioned"
FRAMING_LINES: Final = "lines"
FRAMING_CONCATENATED: Final = "concatenated"
DEFAULT_STREAM_NAME: Final = "monitron-export"
# Firehose's largest buffering interval; the default buffer size of an S3 destination.
DEFAULT_BUFFER_INTERVAL: Final = timedelta(seconds=900)
DEFAULT_BUFFER_BYTES: Final = 5 * 1024 * 1024
# Suffix of gzip-compressed objects. NOTE: the extension Firehose itself adds for GZIP was not
# checked against its documentation.
GZIP_EXTENSION: Final = ".gz"


@dataclass(frozen=True, slots=True)
class ObjectLayout:
    """Framing, compression, buffering and naming of the objects a sink writes."""

    layout: str = LAYOUT_FIREHOSE
    framing: str = FRAMING_LINES
    gzip: bool = False
    stream_name: str = DEFAULT_STREAM_NAME
    buffer_interval: timedelta = DEFAULT_BUFFER_INTERVAL
    buffer_bytes: int = DEFAULT_BUFFER_BYTES
    seed: int = 0

    def __post_init__(self) -> None:
        if self.layout not in (LAYOUT_FIREHOSE, LAYOUT_PARTITIONED):
            raise ConfigurationError(
                f"invalid layout {self.layout!r}: expected firehose or partitioned"
            )
        if self.framing not in (FRAMING_LINES, FRAMING_CONCATENATED):
            raise ConfigurationError(
                f"invalid framing {self.framing!r}: expected lines or concatenated"
            )

    def frame(self, record: OutputRecord) -> bytes:
        """Return the record's bytes with the delimiter this framing adds."""
        data = record.encode()
        return data + b"\n" if self.framing == FRAMING_LINES else data


@dataclass(slots=True)
class SinkSummary:
    """Counts of what a sink wrote: records, objects (``PutRecords`` calls for Kinesis), bytes.

    ``bytes`` counts what was written after compression.
    """

    records: int = 0
    objects: int = 0
    bytes: int = 0
    keys: list[str] = field(default_factory=list)


class Sink(Protocol):
    """A destination for records, written in time order."""

    def write(self, record: OutputRecord) -> None: ...

    def close(self) -> SinkSummary: ...


@dataclass(slots=True)
class _Buffer:
    prefix: str
    opened: datetime
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0


class ObjectSink:
    """Buffer records into Firehose-style objects and hand each object to ``put_object``."""

    def __init__(self, layout: ObjectLayout, put_object: Callable[[str, bytes], None]) -> None:
        self.layout = layout
        self.put_object = put_object
        self.buffers: dict[str, _Buffer] = {}
        self.names = random.Random(f"object-names:{layout.seed}")
        self.summary = SinkSummary()

    def write(self, record: OutputRecord) -> None:
        """Add a record, first closing every buffer that is older than the buffering interval."""
        for prefix in [
            p
            for p, b in self.buffers.items()
            if record.time - b.opened >= self.layout.buffer_interval
        ]:
            self._close_buffer(prefix)

        data = self.layout.frame(record)
        prefix = self._prefix(record)
        buffer = self.buffers.get(prefix)
        if buffer is not None and buffer.size + len(data) > self.layout.buffer_bytes:
            self._close_buffer(prefix)
            buffer = None
        if buffer is None:
            buffer = self.buffers[prefix] = _Buffer(prefix, record.time)
        buffer.chunks.append(data)
        buffer.size += len(data)
        self.summary.records += 1

    def close(self) -> SinkSummary:
        """Write every open buffer and return what was written."""
        for prefix in list(self.buffers):
            self._close_buffer(prefix)
        return self.summary

    def _prefix(self, record: OutputRecord) -> str:
        if self.layout.layout == LAYOUT_FIREHOSE:
            return record.time.strftime("%Y/%m/%d/%H/")
        project = record.document.get("projectName", record.document.get("projectDisplayName"))
        day = record.time.strftime("%Y-%m-%d")
        return f"project={project}/site={record.site}/time={day} 00:00:00/"

    def _close_buffer(self, prefix: str) -> None:
        buffer = self.buffers.pop(prefix)
        data = b"".join(buffer.chunks)
        if self.layout.gzip:
            data = gzip.compress(data, mtime=0)  # mtime=0 keeps the bytes reproducible
        name = "-".join(
            (
                self.layout.stream_name,
                "1",
                buffer.opened.strftime("%Y-%m-%d-%H-%M-%S"),
                str(uuid.UUID(int=self.names.getrandbits(128), version=4)),
            )
        )
        key = f"{buffer.prefix}{name}{GZIP_EXTENSION if self.layout.gzip else ''}"
        self.put_object(key, data)
        self.summary.objects += 1
        self.summary.bytes += len(data)
        self.summary.keys.append(key)


def directory_sink(root: Path, layout: ObjectLayout) -> ObjectSink:
    """Return a sink that writes objects as files under ``root``, keys as relative paths."""

    def put_object(key: str, data: bytes) -> None:
        path = root / key
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as error:
            raise ConfigurationError(f"cannot write {path}: {error.strerror}") from error
        logger.debug("wrote %s (%d bytes)", path, len(data))

    return ObjectSink(layout, put_object)


class _CountingWriter:
    """Pass writes through to a binary stream and count the bytes."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.count = 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()


class StreamSink:
    """Write framed records to a binary stream such as standard output, gzipped on request."""

    def __init__(
        self, stream: BinaryIO, layout: ObjectLayout, *, flush_each_record: bool = False
    ) -> None:
        self.layout = layout
        self.flush_each_record = flush_each_record
        self.raw = _CountingWriter(stream)
        self.gzip = gzip.GzipFile(fileobj=self.raw, mode="wb", mtime=0) if layout.gzip else None
        self.summary = SinkSummary(objects=1)

    def write(self, record: OutputRecord) -> None:
        data = self.layout.frame(record)
        if self.gzip is not None:
            self.gzip.write(data)
        else:
            self.raw.write(data)
        if self.flush_each_record:
            # NOTE: a gzip flush ends a deflate block, so paced gzip output has other bytes
            # (but decompresses to the same records) than unpaced output.
            if self.gzip is not None:
                self.gzip.flush()
            self.raw.flush()
        self.summary.records += 1

    def close(self) -> SinkSummary:
        if self.gzip is not None:
            self.gzip.close()
        self.raw.flush()
        self.summary.bytes = self.raw.count
        return self.summary
