"""Parsing of OData V2 resource paths such as ``MaintenanceNotification('1')/to_Item``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitron_sap.emulator.protocol import ODataError
from monitron_sap.emulator.wire import parse_literal

RESOURCE_NOT_FOUND = "/IWBEP/CM_MGW_RT/020"
_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_$][A-Za-z0-9_]*)(?:\((?P<key>.*)\))?$", re.DOTALL)


@dataclass(frozen=True)
class Segment:
    """One path segment: a name and, when present, its key predicate as a raw string."""

    name: str
    key: str | None = None


def not_found(segment: str) -> ODataError:
    """Build the 404 error SAP Gateway returns for an unknown path segment or key."""
    return ODataError(404, RESOURCE_NOT_FOUND, f"Resource not found for segment '{segment}'")


def parse_path(path: str) -> list[Segment]:
    """Split a resource path into segments; raise a 404 ``ODataError`` when malformed."""
    segments: list[Segment] = []
    for text in _split_outside_quotes(path.strip("/"), "/"):
        match = _SEGMENT.match(text)
        if match is None:
            raise not_found(text)
        segments.append(Segment(match.group("name"), match.group("key")))
    return segments


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for character in text:
        if character == "'":
            quoted = not quoted
        if character == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    if current or parts:
        parts.append("".join(current))
    return [part for part in parts if part]


def parse_key(segment: Segment, key_names: tuple[str, ...]) -> dict[str, str]:
    """Parse the key predicate of ``segment`` into property values.

    A single-property key may be given bare (``('10000020')``); compound keys need names.
    """
    raw = segment.key or ""
    text = f"{segment.name}({raw})"
    values: dict[str, str] = {}
    for part in _split_outside_quotes(raw, ","):
        name, equals, literal = part.partition("=")
        if not equals:
            if len(key_names) != 1 or values:
                raise not_found(text)
            name, literal = key_names[0], part
        try:
            value = parse_literal(literal)
        except ValueError:
            raise not_found(text) from None
        values[name.strip()] = str(value)
    if set(values) != set(key_names):
        raise not_found(text)
    return values
