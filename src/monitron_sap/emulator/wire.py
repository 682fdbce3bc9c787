"""OData V2 wire formats: JSON values, URI literals and the timestamp ETag.

Values inside the emulator are typed Python objects: ``str``, ``bool``, ``int``, ``float``,
``Decimal``, timezone-aware ``datetime`` (UTC) for ``Edm.DateTime`` and ``Edm.DateTimeOffset``,
and ``timedelta`` for ``Edm.Time``. ``None`` is null. The functions here convert between those
and the JSON and URI forms that SAP Gateway uses.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from monitron_sap.emulator.edm import (
    BOOLEAN,
    DATETIME,
    DATETIMEOFFSET,
    DECIMAL,
    DOUBLE,
    INT32,
    STRING,
    TIME,
    Property,
)

Value = str | bool | int | float | Decimal | datetime | timedelta | None

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_JSON_DATE = re.compile(r"^/Date\((-?\d+)(?:([+-])(\d{4}))?\)/$")
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_TYPED_LITERAL = re.compile(r"^(datetimeoffset|datetime|time|guid|X|binary)'(.*)'$", re.DOTALL)


def _milliseconds(value: datetime) -> int:
    return (value - EPOCH) // timedelta(milliseconds=1)


def format_duration(value: timedelta) -> str:
    """Format ``value`` as ``PThhHmmMssS`` the way SAP writes ``Edm.Time``."""
    total = int(value.total_seconds())
    hours, remainder = divmod(total, 3600)
    minutes, seconds = divmod(remainder, 60)
    return f"PT{hours:02d}H{minutes:02d}M{seconds:02d}S"


def parse_duration(text: str) -> timedelta:
    """Parse an ISO 8601 duration such as ``PT08H30M00S`` or ``PT16H``; raise ``ValueError``."""
    match = _DURATION.match(text)
    if match is None or text in ("P", "PT"):
        raise ValueError(f"invalid Edm.Time value {text!r}; expected a duration like PT08H30M00S")
    days, hours, minutes, seconds = match.groups()
    return timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=float(seconds or 0),
    )


def format_double(value: float) -> str:
    """Format a double in exponent notation as SAP Gateway does, for example ``1.728E5``."""
    if value == 0:
        return "0.0E0"
    mantissa, exponent = f"{value:.15E}".split("E")
    mantissa = mantissa.rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{mantissa}E{int(exponent)}"


def parse_iso_datetime(text: str) -> datetime:
    """Parse ``2024-05-01T08:31:12``, with optional seconds, fraction and offset, as UTC."""
    candidate = text.strip()
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    parsed = datetime.fromisoformat(candidate)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def to_json(prop: Property, value: Value) -> Any:
    """Convert a typed value of ``prop`` into its OData V2 JSON form."""
    if value is None:
        return None
    if prop.edm_type == DATETIME and isinstance(value, datetime):
        return f"/Date({_milliseconds(value)})/"
    if prop.edm_type == DATETIMEOFFSET and isinstance(value, datetime):
        return f"/Date({_milliseconds(value)}+0000)/"
    if prop.edm_type == TIME and isinstance(value, timedelta):
        return format_duration(value)
    if prop.edm_type == DOUBLE and isinstance(value, float | int):
        return format_double(float(value))
    if prop.edm_type == DECIMAL:
        return str(value)
    return value


def _parse_json_date(prop: Property, raw: str) -> datetime:
    match = _JSON_DATE.match(raw)
    if match is not None:
        milliseconds, sign, offset = match.groups()
        value = EPOCH + timedelta(milliseconds=int(milliseconds))
        if offset is not None:
            minutes = int(offset[:2]) * 60 + int(offset[2:])
            value -= timedelta(minutes=minutes if sign == "+" else -minutes)
        return value
    try:
        return parse_iso_datetime(raw)
    except ValueError:
        raise ValueError(
            f"invalid {prop.edm_type} value {raw!r} for {prop.name}; expected /Date(ms)/"
        ) from None


def from_json(prop: Property, raw: Any) -> Value:
    """Convert a JSON request value for ``prop`` into a typed value; raise ``ValueError``."""
    if raw is None:
        return None
    edm_type = prop.edm_type
    if edm_type == STRING and isinstance(raw, str):
        return raw.upper() if prop.upper else raw
    if edm_type == BOOLEAN and isinstance(raw, bool):
        return raw
    if edm_type == INT32 and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if edm_type == DOUBLE and isinstance(raw, int | float | str) and not isinstance(raw, bool):
        try:
            return float(raw)
        except ValueError:
            pass
    if edm_type == DECIMAL and isinstance(raw, int | float | str) and not isinstance(raw, bool):
        try:
            return Decimal(str(raw))
        except InvalidOperation:
            pass
    if edm_type in (DATETIME, DATETIMEOFFSET) and isinstance(raw, str):
        return _parse_json_date(prop, raw)
    if edm_type == TIME and isinstance(raw, str):
        return parse_duration(raw)
    raise ValueError(f"invalid value {raw!r} for property {prop.name} of type {edm_type}")


def parse_literal(text: str) -> Value:
    """Parse an OData V2 URI literal (``'text'``, ``42``, ``datetime'…'``, ``true``, ``null``)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return text[1:-1].replace("''", "'")
    typed = _TYPED_LITERAL.match(text)
    if typed is not None:
        kind, body = typed.groups()
        if kind in ("datetime", "datetimeoffset"):
            return parse_iso_datetime(body)
        if kind == "time":
            return parse_duration(body)
        return body
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    return _parse_number(text)


def _parse_number(text: str) -> int | float | Decimal:
    suffix = text[-1:].lower()
    body = text[:-1] if suffix in ("m", "d", "f", "l") else text
    try:
        if suffix == "m":
            return Decimal(body)
        if suffix in ("d", "f") or any(mark in body for mark in ".eE"):
            return float(body)
        return int(body)
    except (ValueError, InvalidOperation):
        raise ValueError(f"invalid literal {text!r}") from None


def format_literal(value: Value) -> str:
    """Format a key value as a URI literal (keys of this service are strings)."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_etag(changed_at: datetime) -> str:
    """Build the weak ETag that SAP Gateway derives from a ``LastChangeDateTime`` value."""
    stamp = changed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    return "W/\"datetimeoffset'" + quote(stamp, safe="-.TZ") + "'\""
