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
            try:
                output = decompressor.decompress(data, chunk_bytes)
            except zlib.error as error:
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


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
