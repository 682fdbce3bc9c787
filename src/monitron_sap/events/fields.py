"""Typed readers for fields of decoded JSON records, with messages that name the field path.

Each reader accepts ``null`` (as ``None``) and the expected JSON type, and raises
``SchemaError`` naming the path of any other value. The batch readers check several fields in
one pass, which matters at a million records.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Final

from monitron_sap.errors import InputError
from monitron_sap.events.model import JsonObject

# Monitron writes "YYYY-MM-DD HH:MM:SS.fff" in UTC without a zone. Hand-made samples use ISO-8601
# with a "T" and an offset.
# Both forms, with or without a fraction, match this pattern. Its one group is the zone.
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)
_UTC_SUFFIX: Final = "+00:00"
_match_timestamp = _TIMESTAMP.fullmatch
_from_isoformat = datetime.fromisoformat
# The excerpt of a value nested too deeply for repr() and json.dumps(), which recurse per level.
NESTED_TOO_DEEPLY: Final = "(nested too deeply to show)"
# Stands in for a missing or null object so that lookups need no None check. Never mutated.
EMPTY_OBJECT: Final[JsonObject] = {}


class SchemaError(InputError):
    """A decoded record that is not a usable Monitron event."""


def parse_timestamp(text: object, path: str = "timestamp") -> datetime:
    """Parse a Monitron or ISO-8601 timestamp into timezone-aware UTC.

    A timestamp without a zone is UTC, as Monitron documents for its export.
    """
    if text.__class__ is str:
        match = _match_timestamp(text)
        if match is not None:
            zoned = match.lastindex is not None
            # Appending the zone before parsing took about 130 ns, parsing and then calling
            # datetime.replace(tzinfo=UTC) about 960 ns (timeit, CPython 3.11.7).
            try:
                parsed = _from_isoformat(text if zoned else text + _UTC_SUFFIX)
            except ValueError as error:
                raise _invalid_date_time(text, path, match.group(1), error) from error
            if not zoned:
                return parsed
            try:
                return parsed.astimezone(UTC)
            except OverflowError as error:
                # 0001-01-01T00:00:00+01:00 is a valid local time whose UTC time is in year 0.
                raise SchemaError(
                    f"{path} {text!r} is out of range: in UTC it is before year 1 or after "
                    "year 9999"
                ) from error

    if text is None:
        raise SchemaError(f"{path} is missing")
    if type(text) is not str:
        raise SchemaError(f"{path} must be a string, found {describe_type(text)}")
    raise SchemaError(
        f"{path} {text!r} is not a timestamp; expected 'YYYY-MM-DD HH:MM:SS.fff' (UTC) "
        "or ISO-8601 with an offset"
    )


def _invalid_date_time(text: str, path: str, zone: str | None, error: ValueError) -> SchemaError:
    # Python's own message for an offset of 24 hours or more names its timedelta bounds, which
    # mean nothing to a reader of the export.
    if zone is not None and zone != "Z":
        digits = zone[1:].replace(":", "")
        if int(digits[:2]) > 23 or int(digits[2:]) > 59:
            return SchemaError(
                f"{path} {text!r} is not a valid date and time: invalid UTC offset {zone!r}"
            )
    # The message quotes the text as written, without a zone that parse_timestamp appended.
    try:
        datetime.fromisoformat(text)
    except ValueError as original:
        error = original
    return SchemaError(f"{path} {text!r} is not a valid date and time: {error}")


def read_object(parent: JsonObject, key: str, path: str) -> JsonObject:
    """Return an object field, or ``EMPTY_OBJECT`` when it is missing or null."""
    value = parent.get(key)
    if value is None:
        return EMPTY_OBJECT
    if type(value) is dict:
        return value
    raise SchemaError(f"{path}{key} must be an object, found {describe(value)}")


def read_texts(
    parent: JsonObject, keys: tuple[str, ...], path: str, name: str = ""
) -> list[str | None]:
    """Read several string fields at once; the common all-strings case costs one pass.

    ``path`` and ``name`` locate ``parent`` for error messages (``name`` is appended as a path
    element when given), and are joined only when a field is not a string.
    """
    values = list(map(parent.get, keys))
    for value in values:
        if value is not None and value.__class__ is not str:
            prefix = f"{path}{name}." if name else path
            return [read_text(parent, key, prefix) for key in keys]
    return values


def read_text(parent: JsonObject, key: str, path: str) -> str | None:
    """Return a string field; a number is turned into its text."""
    value = parent.get(key)
    kind = type(value)
    if kind is str or value is None:
        return value
    # Lenient on purpose: a name made only of digits (a site called 1017) written as a JSON
    # number by a hand-made export still reads. No real Monitron export is known to do this.
    if kind is int or kind is float:
        return str(value)
    raise SchemaError(f"{path}{key} must be a string, found {describe(value)}")


def read_numbers(parent: JsonObject, keys: tuple[str, ...], path: str) -> list[float | None]:
    """Read several number fields at once; the common all-numbers case costs one pass."""
    values = list(map(parent.get, keys))
    for value in values:
        kind = value.__class__
        if kind is not float and kind is not int and value is not None:
            return [read_number(parent, key, path) for key in keys]
    return values


def read_number(parent: JsonObject, key: str, path: str) -> float | None:
    """Return a number field; integers stay ``int`` and booleans are rejected."""
    value = parent.get(key)
    kind = type(value)
    if kind is float or kind is int or value is None:
        return value
    raise SchemaError(f"{path}{key} must be a number, found {describe(value)}")


def read_integer(parent: JsonObject, key: str, path: str) -> int | None:
    """Return an integer field; a float without a fraction is accepted."""
    value = parent.get(key)
    kind = type(value)
    if kind is int or value is None:
        return value
    if kind is float and value.is_integer():
        return int(value)
    raise SchemaError(f"{path}{key} must be an integer, found {describe(value)}")


def describe(value: object) -> str:
    """Describe a JSON value for an error message: its type and a short excerpt."""
    if value is None:
        return "null"
    return f"{describe_type(value)} {_excerpt(value)}"


def describe_type(value: object) -> str:
    """Name the JSON type of a value for an error message ("an object", "null")."""
    names: dict[type[Any], str] = {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)


def _excerpt(value: object) -> str:
    try:
        text = repr(value)
    except RecursionError:
        return NESTED_TOO_DEEPLY
    return text if len(text) <= 60 else text[:57] + "..."
