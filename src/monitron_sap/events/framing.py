"""Split a byte stream into decoded JSON records, in constant memory.

The framer accepts, in any mix within one stream: JSON Lines, records concatenated with no
separator (Firehose's default), pretty-printed records spanning many lines, CRLF line ends,
trailing whitespace and a missing final newline. A UTF-8 byte order mark at the start of the
stream is skipped. Decompression happens before framing, in ``monitron_sap.events.compression``.

Framing rules:

1. Between records, spaces, tabs, CR and LF are skipped.
2. A record starts at ``{`` and ends at the matching ``}``, counting braces outside JSON strings.
   A line that holds one complete JSON value of another type (an array, a number) is passed on
   as that value, so that the schema step can reject it by type.
3. Any other bytes between records are stray. They are reported as one error and skipped up to
   the next ``{``.
4. A record is invalid when it does not decode (bad JSON or invalid UTF-8), when a string holds a
   raw line break (JSON forbids it, so the string was cut off), when the stream ends before its
   closing brace, or when it grows past ``MAX_RECORD_BYTES``.

Resynchronization after an invalid record: the framer reports the error at the record's first
byte and resumes at the first *record start* after that byte. A record start is a ``{`` in the
first column of a line, or a ``{`` that follows a ``}`` with only blanks between (``}{`` is how
Firehose joins records). Valid JSON never has ``}`` followed by ``{`` outside a string, and
pretty-printers with an indent above zero indent nested objects. So a broken record costs only
itself, and the records that follow it are read.

NOTE: a record cut off mid-line is lost together with the next record when that record starts
on the same line without a ``}`` right before it; the error names the position. An indented
``{`` at the start of a line is not a record start, so a broken record followed by indented
records loses those records up to the next record start.

Offsets and line numbers refer to the decompressed stream: ``offset`` is the 0-based byte offset
of the record's first byte and ``line`` its 1-based line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any, Final, NamedTuple

import orjson

from monitron_sap.errors import InputError
from monitron_sap.events.candidates import (
    BROKEN_STRING,
    COMPLETE,
    CUT_OFF,
    INCOMPLETE,
    InvalidJsonError,
    decode_candidate,
    match_braces,
)

# Monitron records are a few kilobytes. The bound keeps memory constant on input without any
# record boundary, such as a binary file or one endless line.
MAX_RECORD_BYTES: Final = 1 << 20
EXCERPT_CHARS: Final = 200
UTF8_BOM: Final = b"\xef\xbb\xbf"

_BLANKS = re.compile(rb"[ \t\r\n]*")
_RECORD_START = re.compile(rb"\n(\{)|\}[ \t\r\n]*(\{)")
_VALUE_START = frozenset(b'["-0123456789tfn')


class DecodedRecord(NamedTuple):
    """One decoded JSON value and where its first byte was."""

    value: Any
    offset: int
    line: int


class FramingError(NamedTuple):
    """Bytes that are not a usable record: where they start, what was wrong, and an excerpt."""

    offset: int
    line: int
    message: str
    excerpt: str


Frame = DecodedRecord | FramingError


Decode = Callable[[bytes | memoryview], Any]
"""Decodes the bytes of one record, raising ``orjson.JSONDecodeError`` if they are not JSON."""


def split_records(
    chunks: Iterable[bytes],
    max_record_bytes: int = MAX_RECORD_BYTES,
    decode: Decode = orjson.loads,
) -> Iterator[Frame]:
    """Split a stream of byte chunks into decoded records and framing errors, in stream order.

    ``decode`` decodes records on the fast paths, where the framer tries whether some bytes are
    exactly one record: a line, or the bytes up to a ``}{``. Like ``orjson.loads``, it must
    raise ``orjson.JSONDecodeError`` for bytes that are not exactly one JSON value; it may return
    another value than orjson's, such as a typed record. Records on the general path
    (pretty-printed, or after an invalid record) are decoded with orjson. An ``InputError``
    raised by ``chunks`` ends the stream and is reported as a framing error at the offset
    reached.
    """
    return _Framer(iter(chunks), max_record_bytes, decode).frames()


class _Framer:
    """The framing state: a window ``buffer`` onto the stream and the scan position in it."""

    def __init__(self, chunks: Iterator[bytes], max_record_bytes: int, decode: Decode) -> None:
        self._chunks = chunks
        self._max = max_record_bytes
        self._decode = decode
        self._buffer = b""
        self._base = 0  # stream offset of self._buffer[0]
        self._pos = 0  # scan position in self._buffer
        self._line = 1  # line number at self._pos
        self._eof = False
        self._read_error: str | None = None
        # Stream offsets before which a costly search is known to fail: the rest of a line that
        # did not decode as one object is not decoded again for each record on it, and a
        # region without "}{" is not searched again.
        self._line_failed_before = -1
        self._no_pair_before = -1

    def frames(self) -> Iterator[Frame]:
        self._skip_bom()
        while self._skip_blanks():
            byte = self._buffer[self._pos]
            if byte == 0x7B:  # "{"
                if not (yield from self._read_lines()) and not (yield from self._read_joined()):
                    yield self._read_object()
                continue
            value_line = self._read_value_line() if byte in _VALUE_START else None
            yield value_line if value_line is not None else self._skip_stray()

        if self._read_error is not None:
            yield FramingError(self._base + self._pos, self._line, self._read_error, "")

    def _fill(self) -> bool:
        """Append the next chunk to the buffer, dropping consumed bytes. False at the end."""
        while not self._eof:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._eof = True
            except InputError as error:
                self._read_error = str(error)
                self._eof = True
            else:
                if chunk:
                    self._buffer = self._buffer[self._pos :] + chunk
                    self._base += self._pos
                    self._pos = 0
                    return True
        return False

    def _advance(self, end: int) -> None:
        self._line += self._buffer.count(b"\n", self._pos, end)
        self._pos = end

    def _skip_bom(self) -> None:
        while len(self._buffer) < len(UTF8_BOM) and self._fill():
            pass
        if self._buffer.startswith(UTF8_BOM):
            self._pos = len(UTF8_BOM)

    def _skip_blanks(self) -> bool:
        """Move past blanks to the next byte; False when the stream has no more bytes."""
        while True:
            blanks = _BLANKS.match(self._buffer, self._pos)
            end = blanks.end() if blanks is not None else self._pos
            self._advance(end)
            if end < len(self._buffer):
                return True
            if not self._fill():
                return False

    def _line_end(self) -> int:
        """Find the end of the current line: its LF, or the end of the data at the end of input.

        Returns -1 when the line is longer than the record size bound.
        """
        search_from = self._pos
        while True:
            newline = self._buffer.find(b"\n", search_from)
            if newline >= 0:
                return newline if newline - self._pos <= self._max else -1
            searched = len(self._buffer) - self._pos
            if searched > self._max:
                return -1
            if not self._fill():
                return len(self._buffer) if len(self._buffer) - self._pos <= self._max else -1
            search_from = self._pos + searched

    def _read_lines(self) -> Generator[DecodedRecord, None, bool]:
        """Decode the complete lines in the buffer from the scan position, while each is one object.

        This is the JSON Lines fast path and gives the same records as ``_read_object`` would,
        one line at a time. It skips blank lines and stops, with the scan position at the start
        of that line, at the first line that does not start with ``{``, is longer than the
        record size bound or does not decode. The general path then reads from there. Records
        are yielded one at a time, because a decoded record still in the CPU cache is cheap to
        free. Returns whether any line was read.
        """
        start = self._pos
        base = self._base
        if base + start < self._line_failed_before:
            return False
        buffer = self._buffer
        end = buffer.rfind(b"\n", start)
        if end < 0:
            return False

        loads = self._decode
        # tuple.__new__ skips the Python-level __new__ that NamedTuple generates.
        new_tuple = tuple.__new__
        view = memoryview(buffer)
        max_bytes = self._max
        line = self._line
        pos = start
        while pos < end:
            line_end = buffer.find(b"\n", pos)
            if buffer[pos] == 0x7B and line_end - pos <= max_bytes:  # "{"
                try:
                    value = loads(view[pos:line_end])
                except orjson.JSONDecodeError:
                    self._line_failed_before = base + line_end
                    break
                yield new_tuple(DecodedRecord, (value, base + pos, line))
            elif buffer[pos:line_end].strip(b" \t\r"):
                break
            pos = line_end + 1
            line += 1

        self._pos = pos
        self._line = line
        return pos > start

    def _read_joined(self) -> Generator[DecodedRecord, None, bool]:
        """Decode records joined by ``}{`` in the buffer, as Firehose writes them by default.

        This gives the same records as ``_read_object`` would, one record at a time, while the
        rest of the current line is known not to be one object. It stops, with the scan position
        at the start of that record, at a record after which no ``}{`` follows within the record
        size bound or whose text up to the next ``}{`` does not decode. Returns whether any
        record was read.
        """
        start = self._pos
        base = self._base
        line_failed_before = self._line_failed_before - base
        if start >= line_failed_before:
            return False

        buffer = self._buffer
        find = buffer.find
        count = buffer.count
        loads = self._decode
        new_tuple = tuple.__new__
        length = len(buffer)
        max_bytes = self._max
        line = self._line
        pos = start
        while pos < line_failed_before:
            pair = find(b"}{", pos, min(length, pos + max_bytes))
            if pair < 0:
                break
            try:
                value = loads(buffer[pos : pair + 1])
            except orjson.JSONDecodeError:
                break
            yield new_tuple(DecodedRecord, (value, base + pos, line))
            line += count(b"\n", pos, pair + 1)
            pos = pair + 1

        self._pos = pos
        self._line = line
        return pos > start

    def _read_object(self) -> Frame:
        # Fast path for JSON Lines: the rest of the line is exactly one object.
        if self._base + self._pos >= self._line_failed_before:
            line_end = self._line_end()
            if line_end >= 0:
                try:
                    value = self._decode(self._buffer[self._pos : line_end])
                except orjson.JSONDecodeError:
                    self._line_failed_before = self._base + line_end
                else:
                    record = DecodedRecord(value, self._base + self._pos, self._line)
                    self._advance(line_end)
                    return record
            else:
                self._line_failed_before = self._base + len(self._buffer)

        # Fast path for concatenated records: "}{" never occurs outside strings within a record.
        start = self._pos
        limit = min(len(self._buffer), start + self._max)
        if self._base + start >= self._no_pair_before:
            pair = self._buffer.find(b"}{", start, limit)
            if pair < 0:
                self._no_pair_before = self._base + limit - 1
            else:
                try:
                    value = self._decode(self._buffer[start : pair + 1])
                except orjson.JSONDecodeError:
                    pass
                else:
                    record = DecodedRecord(value, self._base + start, self._line)
                    self._advance(pair + 1)
                    return record

        return self._read_object_slowly()

    def _read_object_slowly(self) -> Frame:
        start = self._pos
        while True:
            limit = min(len(self._buffer), start + self._max)
            status, end = match_braces(self._buffer, start, limit)
            if status != INCOMPLETE or end - start >= self._max or not self._fill():
                break
            start = self._pos

        if status == COMPLETE:
            data = self._buffer[start:end]
            try:
                value = decode_candidate(data, self._base + start)
            except InvalidJsonError as error:
                return self._reject(start, end, str(error))
            record = DecodedRecord(value, self._base + start, self._line)
            self._advance(end)
            return record

        if status == CUT_OFF:
            return self._reject(start, end + 1, "truncated record", unclosed=True)
        if status == BROKEN_STRING:
            where = self._base + end
            return self._reject(
                start, end, f"invalid JSON: line break inside a string at byte {where}"
            )
        if end - start >= self._max:
            message = f"record is larger than {self._max} bytes"
        else:
            message = "truncated record: the input ends before its closing '}'"
        return self._reject(start, end, message, unclosed=True)

    def _reject(
        self, start: int, end: int, message: str, *, unclosed: bool = False
    ) -> FramingError:
        """Report the record at ``start`` and resume at the next record start after it.

        ``unclosed`` means that no closing brace was found up to ``end``. A record start before
        ``end`` then shows that the record was cut off, and the message reports that instead,
        with an excerpt that ends before that record start.
        """
        excerpt_end = end
        found = _RECORD_START.search(self._buffer, start + 1, end)
        if found is not None:
            line = self._line + self._buffer.count(b"\n", start, _brace_of(found))
            if unclosed:
                message = (
                    f"truncated record: a new record starts at line {line} before this one closed"
                )
                excerpt_end = _brace_of(found)
            else:
                message = f"{message} (a new record starts at line {line})"
        excerpt = bytes_excerpt(self._buffer[start:excerpt_end])
        error = FramingError(self._base + start, self._line, message, excerpt)
        self._resume_at_record_start(start + 1)
        return error

    def _resume_at_record_start(self, search_from: int) -> None:
        while True:
            found = _RECORD_START.search(self._buffer, search_from)
            if found is not None:
                self._advance(_brace_of(found))
                return
            # Keep only a tail that the next chunk may complete into a record start: the last
            # LF or "}" when nothing but blanks follows it.
            tail = max(
                self._buffer.rfind(b"\n", search_from), self._buffer.rfind(b"}", search_from)
            )
            if tail < 0 or self._buffer[tail + 1 :].strip(b" \t\r\n"):
                tail = len(self._buffer)
            self._advance(tail)
            if not self._fill():
                self._advance(len(self._buffer))
                return
            search_from = self._pos

    def _read_value_line(self) -> DecodedRecord | None:
        """Decode a line that holds one JSON value other than an object, such as an array."""
        line_end = self._line_end()
        if line_end < 0:
            return None
        try:
            value = orjson.loads(self._buffer[self._pos : line_end])
        except orjson.JSONDecodeError:
            return None
        record = DecodedRecord(value, self._base + self._pos, self._line)
        self._advance(line_end)
        return record

    def _skip_stray(self) -> FramingError:
        start_offset = self._base + self._pos
        start_line = self._line
        excerpt = b""
        skipped = 0
        while True:
            brace = self._buffer.find(b"{", self._pos)
            end = brace if brace >= 0 else len(self._buffer)
            if len(excerpt) < EXCERPT_CHARS:
                excerpt += self._buffer[self._pos : min(end, self._pos + EXCERPT_CHARS)]
            skipped += end - self._pos
            self._advance(end)
            if brace >= 0 or not self._fill():
                break
        message = f"{skipped} unexpected bytes between records, skipped up to the next '{{'"
        return FramingError(start_offset, start_line, message, bytes_excerpt(excerpt))


def _brace_of(found: re.Match[bytes]) -> int:
    return found.start(1) if found.group(1) is not None else found.start(2)


def bytes_excerpt(data: bytes) -> str:
    """Return the start of some bytes as text for an error report, at most ``EXCERPT_CHARS``."""
    return data[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace")[:EXCERPT_CHARS]
