"""OData V2 JSON wire formats: dates, times, URI literals, query strings and response envelopes.

SAP sends ``Edm.DateTime`` as ``/Date(ms)/`` (milliseconds since the epoch, midnight UTC for
date-only fields), ``Edm.Time`` as an ISO 8601 duration such as ``PT08H30M00S`` and
``Edm.DateTimeOffset`` as ``/Date(ms+0000)/``. The parsers raise ``ValueError`` on malformed
values; callers translate that into the product's errors where they know the context.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE_PATTERN = re.compile(r"^/Date\((-?\d+)(?:([+-])(\d{4}))?\)/$")
_TIME_PATTERN = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?$")
# Characters left unescaped in query strings: OData literals use quotes, parentheses, commas and
# colons, and SAP Gateway reads them unescaped. Spaces become %20, never "+".
_QUERY_SAFE = "'(),:$"


def format_date(value: date) -> str:
    """Format a date as ``/Date(ms)/`` at midnight UTC, the form of date-only ``Edm.DateTime``."""
    midnight = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return f"/Date({_milliseconds(midnight)})/"


def parse_date(value: str) -> date:
    """Parse ``/Date(ms)/`` (an offset suffix is accepted and ignored) into the UTC date."""
    match = _DATE_PATTERN.match(value)
    if match is None:
        raise ValueError(f"invalid Edm.DateTime value {value!r}, expected /Date(ms)/")
    return (_EPOCH + timedelta(milliseconds=int(match.group(1)))).date()


def format_time(value: time) -> str:
    """Format a time of day as an ``Edm.Time`` duration, for example ``PT08H30M00S``."""
    return f"PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S"


def parse_time(value: str) -> time:
    """Parse an ``Edm.Time`` duration; partial forms such as ``PT16H`` are accepted."""
    match = _TIME_PATTERN.match(value)
    if match is None or value == "PT":
        raise ValueError(f"invalid Edm.Time value {value!r}, expected a duration like PT08H30M00S")
    hours, minutes, seconds = (int(part) if part else 0 for part in match.group(1, 2, 3))
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueError(f"invalid Edm.Time value {value!r}, not a time of day")
    return time(hours, minutes, seconds)


def format_datetimeoffset(value: datetime) -> str:
    """Format an aware datetime as ``/Date(ms+0000)/`` in UTC."""
    return f"/Date({_milliseconds(_require_aware(value))}+0000)/"


def parse_datetimeoffset(value: str) -> datetime:
    """Parse ``/Date(ms+hhmm)/`` into an aware UTC datetime; a missing offset means UTC."""
    match = _DATE_PATTERN.match(value)
    if match is None:
        raise ValueError(f"invalid Edm.DateTimeOffset value {value!r}, expected /Date(ms+0000)/")
    # The milliseconds count from the epoch in UTC. The offset only names the local time the
    # value was written in, so it does not change the instant.
    return _EPOCH + timedelta(milliseconds=int(match.group(1)))


def split_utc(value: datetime) -> tuple[str, str]:
    """Split an aware instant into the UTC ``(/Date(ms)/, PTxxHxxMxxS)`` pair SAP stores."""
    utc = _require_aware(value).astimezone(UTC)
    return format_date(utc.date()), format_time(utc.time())


def string_literal(value: str) -> str:
    """Return an ``Edm.String`` URI literal: the value in single quotes, inner quotes doubled."""
    escaped = value.replace("'", "''")
    return f"'{escaped}'"


def key_literal(value: str) -> str:
    """Return an ``Edm.String`` key literal for a URL path, percent-encoded.

    Characters such as ``/``, ``?``, ``#`` and ``%`` in a key would otherwise change the path or
    cut it short, so every character but the quotes is encoded where needed.
    """
    return quote(string_literal(value), safe="'")


def datetime_literal(value: date) -> str:
    """Return an ``Edm.DateTime`` URI literal at midnight: ``datetime'2024-05-02T00:00:00'``."""
    return f"datetime'{value.isoformat()}T00:00:00'"


def time_literal(value: time) -> str:
    """Return an ``Edm.Time`` URI literal, for example ``time'PT16H00M00S'``."""
    return f"time'{format_time(value)}'"


def datetimeoffset_literal(value: datetime) -> str:
    """Return an ``Edm.DateTimeOffset`` URI literal in UTC, for example ``datetimeoffset'…Z'``."""
    utc = _require_aware(value).astimezone(UTC).replace(microsecond=0)
    return f"datetimeoffset'{utc.strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def build_query(parameters: Mapping[str, str]) -> str:
    """Encode query parameters the way SAP Gateway expects: ``%20`` for spaces, quotes kept."""
    return "&".join(
        f"{quote(name, safe=_QUERY_SAFE)}={quote(value, safe=_QUERY_SAFE)}"
        for name, value in parameters.items()
    )


def unwrap_entity(body: Any) -> dict[str, Any]:
    """Return the entity inside a V2 ``{"d": {...}}`` envelope."""
    inner = body.get("d") if isinstance(body, dict) else None
    if not isinstance(inner, dict) or "results" in inner:
        raise ValueError('expected a single entity in a {"d": {...}} envelope')
    return inner


def unwrap_results(body: Any) -> tuple[list[dict[str, Any]], str | None]:
    """Return the entities of a V2 collection and its ``__next`` link (``None`` on the last page).

    Both the V2 form ``{"d": {"results": [...]}}`` and the older ``{"d": [...]}`` are accepted.
    """
    inner = body.get("d") if isinstance(body, dict) else None
    if isinstance(inner, list):
        results: Any = inner
        next_link = None
    elif isinstance(inner, dict) and isinstance(inner.get("results"), list):
        results = inner["results"]
        next_link = inner.get("__next")
    else:
        raise ValueError('expected a collection in a {"d": {"results": [...]}} envelope')
    if not all(isinstance(entity, dict) for entity in results):
        raise ValueError("expected every entry of d.results to be an object")
    return list(results), next_link if isinstance(next_link, str) else None


def _milliseconds(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(milliseconds=1)


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"datetime {value.isoformat()} has no time zone; pass an aware datetime")
    return value
