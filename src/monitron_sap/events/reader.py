"""Read Monitron export records from streams, bytes and paths into events and record errors.

Every record of every source comes out either as a ``MonitronEvent`` or as a ``RecordError``, in
source order, so a caller can count and report what it could not use. Firehose error-output
envelopes (an object with a base64 ``rawData`` and no ``eventId``) are unwrapped: the records in
``rawData`` are read with the envelope's position and ``from_error_output=True``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import io
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO

from monitron_sap.errors import InputError
from monitron_sap.events.candidates import InvalidJsonError, decode_candidate
from monitron_sap.events.compression import iter_chunks
from monitron_sap.events.fields import NESTED_TOO_DEEPLY
from monitron_sap.events.framing import (
    EXCERPT_CHARS,
    DecodedRecord,
    FramingError,
    bytes_excerpt,
    split_records,
)
from monitron_sap.events.model import MonitronEvent, ReadResult, RecordError, SourceRef
from monitron_sap.events.schema import parse_at
from monitron_sap.events.typed import TypedRecord, decode_record, typed_event

logger = logging.getLogger(__name__)

STDIN_PATH = "-"


def read_stream(stream: BinaryIO, source: str) -> Iterator[ReadResult]:
    """Read every record of a binary stream, gzip or plain; ``source`` names it in results.

    Nothing is read before the first result is requested.
    """
    # Returned rather than delegated to with "yield from", which would add a generator frame
    # to every result.
    frames = split_records(iter_chunks(stream), decode=decode_record)
    return _read_frames(frames, source, from_error_output=False)


def read_bytes(data: bytes, source: str) -> Iterator[ReadResult]:
    """Read every record of one in-memory object, such as a Kinesis record or an S3 object."""
    return read_stream(io.BytesIO(data), source)


def read_paths(paths: Sequence[str], stdin: BinaryIO | None = None) -> Iterator[ReadResult]:
    """Read files, directories (recursively, in sorted order) and ``-`` for standard input.

    A missing or unreadable path becomes a ``RecordError`` with line 0 and the next path is read.
    """
    for path in paths:
        if path == STDIN_PATH:
            yield from read_stream(stdin if stdin is not None else sys.stdin.buffer, STDIN_PATH)
        elif os.path.isdir(path):
            yield from _read_directory(path)
        else:
            yield from _read_file(path)


def check_nested(result: ReadResult) -> ReadResult:
    """Normalize an event's ``features`` and ``models`` now, turning a type error into a result.

    The reader may defer building ``raw``, ``features`` and ``models``, and with them some
    checks, to their first access. This returns an event whose three fields are then built, or,
    when a check fails (a value of the wrong type inside ``features``, say), a ``RecordError``
    at the event's position with the message that the access would raise. A ``RecordError`` is
    returned unchanged.
    """
    if isinstance(result, RecordError):
        return result
    try:
        result.raw  # noqa: B018 - the access builds and caches the field
        result.features  # noqa: B018
        result.models  # noqa: B018
    except InputError as error:
        # Inline rather than in a helper, so that the excerpt of a deeply nested record is
        # written at the same stack depth as on the general path.
        try:
            excerpt = _excerpt(result.raw)
        except InputError:
            excerpt = bytes_excerpt(result.__dict__["_nested"].data)
        return RecordError(result.source, str(error), excerpt)
    return result


def event_to_json(event: MonitronEvent) -> dict[str, Any]:
    """Return the event as a JSON-ready object: the output of ``monitron-sap events``.

    Raises ``InputError`` when ``features`` or ``models`` has a value of the wrong type, unless
    ``check_nested`` has passed the event.

    ``timestamp`` is ISO-8601 UTC with milliseconds and a ``Z`` suffix. ``closure_code``,
    ``features`` and ``models`` appear only when the record has them.
    """
    output: dict[str, Any] = {
        "event_id": event.event_id,
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "timestamp": event.timestamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "project": event.project,
        "project_id": event.project_id,
        "site": event.site,
        "asset": event.asset,
        "position": event.position,
        "asset_position_id": event.asset_position_id,
        "sensor_id": event.sensor_id,
        "gateway_id": event.gateway_id,
        "transition_type": event.transition_type,
        "new_state": event.new_state,
        "previous_state": event.previous_state,
        "source": event.source.source,
        "line": event.source.line,
        "offset": event.source.offset,
        "from_error_output": event.source.from_error_output,
    }
    if event.closure_code is not None:
        closure = asdict(event.closure_code)
        closure["resolved_models"] = list(event.closure_code.resolved_models)
        output["closure_code"] = closure
    if event.features is not None:
        output["features"] = asdict(event.features)
    if event.models:
        output["models"] = {name: asdict(model) for name, model in event.models.items()}
    return output


def _read_directory(directory: str) -> Iterator[ReadResult]:
    """Read every regular file under a directory, sorted by path components (a, b/c, d).

    Symbolic links to directories are followed. A directory reached a second time, through a
    link cycle or a second link to it, is reported and not read again, so no file is read twice.
    A subdirectory that cannot be listed, a broken link and any other entry that is not a
    regular file (a FIFO, a socket) are reported as errors instead of being skipped silently.
    """
    listing_errors: list[OSError] = []
    files: list[str] = []
    skipped: list[tuple[str, str]] = []
    seen_directories: dict[tuple[int, int], str] = {}
    walk = os.walk(directory, onerror=listing_errors.append, followlinks=True)
    for root, directories, names in walk:
        if not seen_directories:
            seen_directories[_directory_key(root)] = root
        # Sorted so that the first of two paths to one directory is always the same one.
        directories.sort()
        for name in list(directories):
            path = os.path.join(root, name)
            try:
                key = _directory_key(path)
            except OSError:
                continue  # os.walk reports the directory when it fails to list it
            first_path = seen_directories.setdefault(key, path)
            if first_path != path:
                directories.remove(name)
                first = display_path(first_path)
                skipped.append(
                    (path, f"directory already read as {first}, so it was not read again")
                )
        for name in names:
            path = os.path.join(root, name)
            if os.path.isfile(path):
                files.append(path)
            else:
                skipped.append((path, _not_read_reason(path)))

    for path in sorted(files, key=lambda path: Path(path).relative_to(directory).parts):
        yield from _read_file(path)
    for path, reason in sorted(skipped):
        yield RecordError(SourceRef(display_path(path), 0, 0), reason)
    for error in listing_errors:
        where = SourceRef(display_path(str(error.filename or directory)), 0, 0)
        yield RecordError(where, f"cannot list the directory: {error.strerror or error}")


def _directory_key(path: str) -> tuple[int, int]:
    """Return the device and inode numbers that identify a directory behind any link."""
    status = os.stat(path)
    return status.st_dev, status.st_ino


def _not_read_reason(path: str) -> str:
    """Explain why a directory entry that is not a regular file was not read."""
    if os.path.islink(path) and not os.path.exists(path):
        return _broken_link_reason(path)
    return "not a regular file, so it was not read"


def _broken_link_reason(path: str) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        return "broken symbolic link, so it was not read"
    return f"broken symbolic link to {display_path(target)}, so it was not read"


def _read_file(path: str) -> Iterator[ReadResult]:
    source = display_path(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed by the with block below
    except FileNotFoundError:
        reason = _broken_link_reason(path) if os.path.islink(path) else "file not found"
        yield RecordError(SourceRef(source, 0, 0), reason)
        return
    except OSError as error:
        reason = error.strerror or str(error)
        yield RecordError(SourceRef(source, 0, 0), f"cannot open the file: {reason}")
        return
    with stream:
        yield from read_stream(stream, source)


def display_path(path: str) -> str:
    """Return a path as valid UTF-8 text for ``SourceRef.source``, escaping undecodable bytes.

    Python decodes a file name byte that is not UTF-8 to a lone surrogate, which UTF-8 encoders
    (SQLite, orjson, a terminal) reject. Such a byte is written as ``\\xNN`` instead, so
    ``caf\\xff.json`` names the file whose name has the byte FF after ``caf``.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return path
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:
        # A lone surrogate that was not decoded from a file name byte.
        return path.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _read_frames(
    frames: Iterator[DecodedRecord | FramingError], source: str, *, from_error_output: bool
) -> Iterator[ReadResult]:
    for frame in frames:
        if isinstance(frame, DecodedRecord):
            value, offset, line = frame
            where = (source, offset, line, from_error_output)
            if value.__class__ is TypedRecord:
                event = typed_event(value, where)
                if event is not None:
                    yield event
                    continue
                # A check that the typed structures cannot express failed: the general path
                # gives the record's result and message.
                try:
                    value = decode_candidate(value.data, offset)
                except InvalidJsonError as error:
                    yield RecordError(SourceRef(*where), str(error), bytes_excerpt(value.data))
                    continue
            try:
                event = parse_at(value, where)
            except InputError as error:
                message = str(error)
            else:
                yield event
                continue
            # An error-output envelope has no eventId, so it always fails to parse as a record,
            # and the common case pays nothing for this check.
            if value.__class__ is dict and "rawData" in value and "eventId" not in value:
                yield from _unwrap_error_output(value, SourceRef(*where))
            else:
                yield RecordError(SourceRef(*where), message, _excerpt(value))
        else:
            error_at = SourceRef(source, frame.offset, frame.line, from_error_output)
            yield RecordError(error_at, frame.message, frame.excerpt)


def _unwrap_error_output(envelope: dict[str, Any], where: SourceRef) -> Iterator[ReadResult]:
    """Read the records inside a Firehose error-output envelope at the envelope's position."""
    outer = SourceRef(where.source, where.offset, where.line, from_error_output=True)
    raw = envelope["rawData"]
    if type(raw) is not str or not raw:
        yield RecordError(outer, "Firehose error output: rawData must be a non-empty base64 string")
        return
    try:
        data = base64.b64decode(raw, validate=True)
    except binascii.Error as error:
        message = f"Firehose error output: rawData is not valid base64 ({error})"
        yield RecordError(outer, message, raw[:EXCERPT_CHARS])
        return

    error_code = envelope.get("errorCode") or envelope.get("lastErrorCode")
    logger.debug("unwrapping Firehose error output at %s (error code %s)", outer, error_code)
    frames = split_records(iter_chunks(io.BytesIO(data)), decode=decode_record)
    for result in _read_frames(frames, where.source, from_error_output=True):
        # Positions inside rawData mean nothing to the reader of the file, so every record
        # takes the envelope's position.
        if isinstance(result, RecordError):
            yield RecordError(outer, result.message, result.excerpt)
        else:
            yield _with_source(result, outer)


def _with_source(event: MonitronEvent, source: SourceRef) -> MonitronEvent:
    # A copy rather than dataclasses.replace, which would read, and so normalize, every field.
    moved = copy.copy(event)
    object.__setattr__(moved, "source", source)
    return moved


def _excerpt(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)[:EXCERPT_CHARS]
    except RecursionError:
        return NESTED_TOO_DEEPLY
