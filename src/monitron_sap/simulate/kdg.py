"""Render Amazon Kinesis Data Generator (KDG) record templates offline.

A KDG template is text with ``{{helper}}`` or ``{{helper(arguments)}}`` placeholders, where the
arguments are JSON values and may span several lines. Supported helpers, with faker.js
semantics unless noted:

- ``date.now`` and ``date.now("FORMAT")``: the record's time. Without a format the output is
  moment.js's default ``YYYY-MM-DDTHH:mm:ssZ``, for example ``2026-01-05T08:00:00+00:00``.
  FORMAT may use the moment.js tokens YYYY, YY, MM, M, DD, D, HH, H, hh, h, mm, m, ss, s, SSS,
  A, a, Z, ZZ, X and x. Times are UTC and come from a simulated clock (``start`` plus
  ``interval_seconds`` per record), never from the wall clock.
- ``random.number(MAX)`` and ``random.number({"min": A, "max": B, "precision": P})``: a number
  from A (default 0) to B (default 99999) inclusive, in steps of P (default 1).
- ``random.arrayElement([...])``: one element of the array.
- ``random.uuid``, ``random.boolean``, ``random.alphaNumeric(N)``.

Any other helper raises ``ConfigurationError`` naming it with its line and column.
"""

from __future__ import annotations

import json
import math
import random
import re
import string
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.records import OutputRecord

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_MOMENT_TOKENS = re.compile(r"\[[^\]]*\]|YYYY|YY|SSS|MM|M|DD|D|HH|H|hh|h|mm|m|ss|s|A|a|ZZ|Z|X|x")
DEFAULT_MOMENT_FORMAT: Final = "YYYY-MM-DDTHH:mm:ssZ"


@dataclass(frozen=True, slots=True)
class _Placeholder:
    helper: str
    arguments: tuple[Any, ...]
    where: str  # "FILE:LINE:COLUMN"


_Part = str | _Placeholder


def _format_moment(value: datetime, pattern: str) -> str:
    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        hour12 = value.hour % 12 or 12
        replacements = {
            "YYYY": f"{value.year:04d}",
            "YY": f"{value.year % 100:02d}",
            "MM": f"{value.month:02d}",
            "M": str(value.month),
            "DD": f"{value.day:02d}",
            "D": str(value.day),
            "HH": f"{value.hour:02d}",
            "H": str(value.hour),
            "hh": f"{hour12:02d}",
            "h": str(hour12),
            "mm": f"{value.minute:02d}",
            "m": str(value.minute),
            "ss": f"{value.second:02d}",
            "s": str(value.second),
            "SSS": f"{value.microsecond // 1000:03d}",
            "A": "AM" if value.hour < 12 else "PM",
            "a": "am" if value.hour < 12 else "pm",
            "Z": "+00:00",
            "ZZ": "+0000",
            "X": str(int(value.timestamp())),
            "x": str(int(value.timestamp() * 1000)),
        }
        if text.startswith("["):
            return text[1:-1]
        return replacements[text]

    return _MOMENT_TOKENS.sub(token, pattern)


class _Helpers:
    """The helper implementations, drawing from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = datetime.min

    def date_now(self, pattern: Any = DEFAULT_MOMENT_FORMAT) -> str:
        if not isinstance(pattern, str):
            raise TypeError("the format must be a string")
        return _format_moment(self.now, pattern)

    def random_number(self, options: Any = None) -> str:
        low, high, precision = 0.0, 99999.0, 1.0
        if isinstance(options, int | float) and not isinstance(options, bool):
            high = float(options)
        elif isinstance(options, dict):
            low = float(options.get("min", low))
            high = float(options.get("max", high))
            precision = float(options.get("precision", precision))
        elif options is not None:
            raise TypeError("expected a maximum or an object with min, max and precision")
        if high < low or precision <= 0:
            raise ValueError("max must not be below min, and precision must be positive")
        steps = math.floor(high / precision) - math.ceil(low / precision)
        value = (math.ceil(low / precision) + self.rng.randint(0, max(steps, 0))) * precision
        # Print as JavaScript prints a number: integers without a fraction, others shortest.
        decimals = max(0, -math.floor(math.log10(precision)) + 1)
        value = round(value, decimals)
        if float(value).is_integer():
            return str(int(value))
        return repr(value)

    def random_array_element(self, items: Any = None) -> str:
        if not isinstance(items, list) or not items:
            raise TypeError("expected a non-empty array")
        item = self.rng.choice(items)
        return item if isinstance(item, str) else json.dumps(item)

    def random_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def random_boolean(self) -> str:
        return "true" if self.rng.random() < 0.5 else "false"

    def random_alpha_numeric(self, count: Any = 1) -> str:
        if not isinstance(count, int) or count < 0:
            raise TypeError("expected a non-negative integer count")
        alphabet = string.ascii_lowercase + string.digits
        return "".join(self.rng.choice(alphabet) for _ in range(count))

    def lookup(self, name: str) -> Callable[..., str] | None:
        return {
            "date.now": self.date_now,
            "random.number": self.random_number,
            "random.arrayElement": self.random_array_element,
            "random.uuid": self.random_uuid,
            "random.boolean": self.random_boolean,
            "random.alphaNumeric": self.random_alpha_numeric,
        }.get(name)


SUPPORTED_HELPERS: Final = (
    "date.now",
    "random.number",
    "random.arrayElement",
    "random.uuid",
    "random.boolean",
    "random.alphaNumeric",
)


def _location(text: str, index: int, source: str) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{source}:{line}:{column}"


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def parse_template(text: str, source: str = "<template>") -> list[_Part]:
    """Split a template into literal text and placeholders, checking every helper name."""
    parts: list[_Part] = []
    decoder = json.JSONDecoder()
    position = 0
    while True:
        opening = text.find("{{", position)
        if opening < 0:
            parts.append(text[position:])
            return parts
        parts.append(text[position:opening])
        where = _location(text, opening, source)
        index = _skip_space(text, opening + 2)
        match = _NAME.match(text, index)
        if match is None:
            raise ConfigurationError(f"{where}: expected a helper name after '{{{{'")
        helper = match.group(0)
        if helper not in SUPPORTED_HELPERS:
            raise ConfigurationError(
                f"{where}: unsupported helper {helper!r}; supported: {', '.join(SUPPORTED_HELPERS)}"
            )
        index = _skip_space(text, match.end())
        arguments: list[Any] = []
        if text.startswith("(", index):
            index = _skip_space(text, index + 1)
            while not text.startswith(")", index):
                try:
                    value, index = decoder.raw_decode(text, index)
                except json.JSONDecodeError as error:
                    raise ConfigurationError(
                        f"{where}: invalid argument of {helper} at "
                        f"{_location(text, error.pos, source)}: {error.msg}"
                    ) from error
                arguments.append(value)
                index = _skip_space(text, index)
                if text.startswith(",", index):
                    index = _skip_space(text, index + 1)
                elif not text.startswith(")", index):
                    raise ConfigurationError(
                        f"{where}: expected ',' or ')' in the arguments of {helper}"
                    )
            index = _skip_space(text, index + 1)
        if not text.startswith("}}", index):
            raise ConfigurationError(f"{where}: placeholder {helper} is not closed with '}}}}'")
        parts.append(_Placeholder(helper, tuple(arguments), where))
        position = index + 2


def render_template(
    text: str,
    *,
    count: int,
    seed: int = 0,
    start: datetime,
    interval_seconds: float = 1.0,
    source: str = "<template>",
) -> Iterator[OutputRecord]:
    """Render ``count`` records from template text; a helper misuse names its position."""
    parts = parse_template(text, source)
    helpers = _Helpers(random.Random(f"kdg:{seed}"))
    for number in range(count):
        helpers.now = start + timedelta(seconds=interval_seconds * number)
        chunks = []
        for part in parts:
            if isinstance(part, str):
                chunks.append(part)
                continue
            function = helpers.lookup(part.helper)
            assert function is not None  # parse_template accepted only supported helpers
            try:
                chunks.append(function(*part.arguments))
            except (TypeError, ValueError) as error:
                raise ConfigurationError(
                    f"{part.where}: invalid arguments for {part.helper}: {error}"
                ) from error
        yield _record("".join(chunks), helpers.now)


def render_template_file(
    path: Path, *, count: int, seed: int, start: datetime, interval_seconds: float
) -> Iterator[OutputRecord]:
    """Render ``count`` records from the template in ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read template {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ConfigurationError(f"template {path} is not valid UTF-8: {error}") from error
    parse_template(text, str(path))  # report template errors before anything is written
    return render_template(
        text,
        count=count,
        seed=seed,
        start=start,
        interval_seconds=interval_seconds,
        source=str(path),
    )


def _record(text: str, time: datetime) -> OutputRecord:
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        return OutputRecord(time, "unknown", "kdg", {}, raw=text.encode("utf-8"))
    payload = document.get("eventPayload")
    if not isinstance(payload, dict):
        payload = {}
    site = payload.get("siteName") or document.get("siteDisplayName") or "unknown"
    sensor = payload.get("sensor") or document.get("sensor") or {}
    partition_key = sensor.get("physicalId") if isinstance(sensor, dict) else None
    return OutputRecord(
        time, str(site), str(partition_key or "kdg"), document, raw=text.encode("utf-8")
    )
