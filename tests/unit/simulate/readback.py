"""Read simulator output back as the export reader would: any framing, gzip by magic bytes."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

V2_TOP_KEYS = ("timestamp", "eventId", "version", "accountId", "projectName", "eventType")
V1_TOP_KEYS = ("timestamp", "eventId", "version", "projectDisplayName", "measurement", "assetState")


def decode_stream(data: bytes) -> list[dict[str, Any]]:
    """Split bytes holding newline-separated or concatenated JSON documents."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    decoder = json.JSONDecoder()
    documents = []
    index = 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            return documents
        document, index = decoder.raw_decode(text, index)
        documents.append(document)


def read_files(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Decode every file in ``paths``, in the order given."""
    documents = []
    for path in paths:
        documents.extend(decode_stream(path.read_bytes()))
    return documents


def object_files(root: Path) -> list[Path]:
    """Return every file under ``root`` in key order."""
    return sorted(path for path in root.rglob("*") if path.is_file())
