"""Read simulator output back with the product's export reader, failing on any record error."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from monitron_sap.events.model import MonitronEvent, RecordError
from monitron_sap.events.reader import read_bytes, read_paths


def _events(results: Iterable[MonitronEvent | RecordError]) -> list[MonitronEvent]:
    events: list[MonitronEvent] = []
    errors: list[str] = []
    for result in results:
        if isinstance(result, RecordError):
            errors.append(result.describe())
        else:
            events.append(result)
    assert errors == [], errors[:5]
    return events


def read_events(paths: Iterable[Path]) -> list[MonitronEvent]:
    """Read every file in ``paths`` in the order given; any record error fails the test."""
    return _events(read_paths([str(path) for path in paths]))


def decode_stream(data: bytes) -> list[dict[str, Any]]:
    """Return the raw documents of one object (any framing, gzip or plain)."""
    return [_raw(event) for event in _events(read_bytes(data, "object"))]


def read_files(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Return the raw documents of every file in ``paths``, in the order given."""
    return [_raw(event) for event in read_events(paths)]


def object_files(root: Path) -> list[Path]:
    """Return every file under ``root`` in key order."""
    return sorted(path for path in root.rglob("*") if path.is_file())


def _raw(event: MonitronEvent) -> dict[str, Any]:
    assert event.raw is not None
    return event.raw
