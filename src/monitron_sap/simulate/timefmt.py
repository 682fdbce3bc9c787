"""Durations, start times and Monitron's timestamp format for the simulator."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

from monitron_sap.errors import ConfigurationError

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")
_UNIT_SECONDS: Final = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}

# A fixed default start keeps the output identical between runs; it is a Monday, 00:00 UTC.
DEFAULT_START: Final = datetime(2026, 1, 5, tzinfo=UTC)


def parse_duration(text: str, *, what: str = "duration", allow_zero: bool = False) -> timedelta:
    """Parse ``7d``, ``1h``, ``90m``, ``1d6h`` or ``30s`` into a positive timedelta.

    Raises ``ConfigurationError`` naming ``what`` when the text is not such a duration, or when
    it is zero and ``allow_zero`` is false.
    """
    compact = text.strip().lower()
    position = 0
    total = 0.0
    for match in _DURATION_PART.finditer(compact):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if not compact or position != len(compact):
        raise ConfigurationError(
            f"invalid {what} {text!r}: expected a number with a unit d, h, m or s, "
            "for example 7d, 1h, 90m or 1d6h"
        )
    if total < 0 or (total == 0 and not allow_zero):
        raise ConfigurationError(f"invalid {what} {text!r}: must be greater than zero")
    try:
        return timedelta(seconds=total)
    except OverflowError as error:
        raise ConfigurationError(
            f"invalid {what} {text!r}: too long, the longest is {timedelta.max.days} days"
        ) from error


def parse_start(text: str) -> datetime:
    """Parse an ISO-8601 date or date-time; a value without a zone is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise ConfigurationError(
            f"invalid start {text!r}: expected an ISO-8601 date or date-time such as "
            "2026-01-05 or 2026-01-05T08:00:00Z"
        ) from error
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ConfigurationError(
            f"invalid start {text!r}: in UTC it is before year 1 or after year 9999"
        ) from error


def format_timestamp(value: datetime) -> str:
    """Format a UTC time as Monitron does: ``YYYY-MM-DD HH:MM:SS.fff``, no zone suffix."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}"
