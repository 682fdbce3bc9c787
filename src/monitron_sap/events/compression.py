"""Read a binary stream in chunks, decompressing gzip recognized by its magic bytes.

Compression is detected from the first two bytes (1F 8B), never from a file name, because the
file extension of a Firehose object is configurable and need not match its content. Several gzip
members in a row (as ``cat a.gz b.gz`` produces) are decompressed one after another.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO, Final

from monitron_sap.errors import InputError

CHUNK_BYTES: Final = 1 << 20
GZIP_MAGIC: Final = b"\x1f\x8b"
# Compressed bytes per call when decompressing again up to a damaged byte.
_SALVAGE_STEP: Final = 4096


def iter_chunks(stream: BinaryIO, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Yield the stream's content in chunks, decompressed when it starts with the gzip magic.

    Raises ``InputError`` when reading fails or the gzip data is corrupt or truncated.
    """
    try:
        head = stream.read(chunk_bytes)
        while 0 < len(head) < len(GZIP_MAGIC):
            more = stream.read(chunk_bytes)
            if not more:
                break
            head += more
    except OSError as error:
        raise InputError(f"reading failed: {error}") from error

    if head.startswith(GZIP_MAGIC):
        yield from _gunzip(head, stream, chunk_bytes)
        return
    if head:
        yield head
    yield from _read_rest(stream, chunk_bytes)


def _read_rest(stream: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    while True:
        try:
            chunk = stream.read(chunk_bytes)
        except OSError as error:
            raise InputError(f"reading failed: {error}") from error
        if not chunk:
            return
        yield chunk


def _gunzip(head: bytes, stream: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    # wbits=31 selects the gzip container. Each member ends with its own trailer, and joined files
    # (`cat a.gz b.gz`) hold several members, so a new decompressor starts after each one.
    decompressor = zlib.decompressobj(wbits=31)
    compressed = _chain(head, _read_rest(stream, chunk_bytes))
    for data in compressed:
        while data:
            # A failed call returns none of its output, which may be a whole chunk of records
            # before the damaged byte. The copy lets _salvage decompress that part again.
            before = decompressor.copy()
            try:
                output = decompressor.decompress(data, chunk_bytes)
            except zlib.error as error:
                yield from _salvage(before, data, chunk_bytes)
                raise InputError(f"invalid gzip data: {error}") from error
            if output:
                yield output
            data = decompressor.unconsumed_tail
            if decompressor.eof:
                data = decompressor.unused_data + data
                if not data:
                    break
                if not data.startswith(GZIP_MAGIC[:1]):
                    raise InputError(
                        f"{len(data)} bytes after the end of the gzip data are not gzip"
                    )
                decompressor = zlib.decompressobj(wbits=31)
    if not decompressor.eof:
        raise InputError("the gzip data is truncated")


def _salvage(decompressor: zlib._Decompress, data: bytes, chunk_bytes: int) -> Iterator[bytes]:
    """Yield what ``decompressor`` outputs from ``data`` before the byte that fails.

    Feeding a few compressed bytes at a time bounds what a failing call takes with it. The
    step shrinks to one byte where a step fails, so only output that depends on the damaged
    byte is lost.
    """
    pending = b""
    step = _SALVAGE_STEP
    pos = 0
    while pos < len(data) and not decompressor.eof:
        piece = data[pos : pos + step]
        saved = decompressor.copy()
        try:
            output = decompressor.decompress(piece)
        except zlib.error:
            if step == 1:
                break
            decompressor = saved
            step = 1
            continue
        pending += output
        pos += len(piece)
        if len(pending) >= chunk_bytes:
            yield pending
            pending = b""
    if pending:
        yield pending


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
