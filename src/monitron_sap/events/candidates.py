"""Find where a record candidate ends, and decode it with an error message that names the fault.

The framer uses these on its general path, for records that are not one per line or joined by
``}{``: pretty-printed records, a record cut off by a line break, invalid JSON.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

import orjson

# orjson 3.x rejects input nested 1024 levels deep or more. Records that orjson rejects for
# another reason are decoded again by the standard library, which recurses once per level and
# would overflow the Python stack, so the fallback checks the depth first and uses this limit.
# NOTE: a valid event may still carry an unknown field nested up to 1023 levels, which
# json.dumps() cannot encode near Python's default recursion limit of 1000.
MAX_NESTING_DEPTH: Final = 1024

COMPLETE: Final = 0
INCOMPLETE: Final = 1
BROKEN_STRING: Final = 2
CUT_OFF: Final = 3

_MIN_INT: Final = -(2**63)
_MAX_INT_EXCLUSIVE: Final = 2**64
# JSON integers have no leading zeros, so one of 310 digits is at least 1e309, above any double.
_INFINITE_INT_DIGITS: Final = 310
_TOKEN = re.compile(rb'[{}"]')
_BLANK_BYTES: Final = frozenset(b" \t\r\n")
_MAY_PRECEDE_OBJECT: Final = frozenset(b"[,:")
_NESTING_TOKEN = re.compile(rb'[{}\[\]"]')
# The rest of a JSON string after its opening quote, up to the closing quote, a raw line break
# or the end of the data, whichever comes first.
_STRING_REST = re.compile(rb'[^"\\\n]*(?:\\[^\n][^"\\\n]*)*')


def match_braces(buffer: bytes, start: int, limit: int) -> tuple[int, int]:
    """Find the ``}`` that closes the ``{`` at ``start``, looking no further than ``limit``.

    Returns ``(COMPLETE, end)`` with ``end`` just past the brace, ``(INCOMPLETE, limit)`` when
    more data is needed, ``(BROKEN_STRING, index)`` at a raw line break inside a string, or
    ``(CUT_OFF, index)`` at a record start inside the object that valid JSON cannot have there.

    A record start is a ``{`` in the first column of a line, or after a ``}`` and blanks. In
    valid JSON only ``[``, ``,`` or ``:`` precede a ``{``, blanks aside, so a record start after
    anything else shows that the object at ``start`` was cut off before it. Stopping there
    saves scanning the records that follow up to ``limit``, which they would never close.
    """
    depth = 0
    pos = start
    search = _TOKEN.search
    string_rest = _STRING_REST.match
    while True:
        token = search(buffer, pos, limit)
        if token is None:
            return INCOMPLETE, limit
        index = token.start()
        byte = buffer[index]
        if byte == 0x22:  # '"'
            end = string_rest(buffer, index + 1, limit).end()  # type: ignore[union-attr]
            if end >= limit:
                return INCOMPLETE, limit
            closing = buffer[end]
            if closing == 0x22:
                pos = end + 1
            elif closing == 0x5C and end + 1 >= limit:  # a backslash at the end of the data
                return INCOMPLETE, limit
            else:
                return BROKEN_STRING, end
        elif byte == 0x7B:  # "{"
            if depth and buffer[index - 1] != 0x3A and _cuts_off(buffer, index, start):  # ":"
                return CUT_OFF, index
            depth += 1
            pos = index + 1
        else:
            depth -= 1
            pos = index + 1
            if depth == 0:
                return COMPLETE, pos


def _cuts_off(buffer: bytes, index: int, start: int) -> bool:
    """Tell whether the ``{`` at ``index`` starts a record where valid JSON cannot have one."""
    before = index - 1
    while before > start and buffer[before] in _BLANK_BYTES:
        before -= 1
    previous = buffer[before]
    if previous == 0x7D:  # "}"
        return True
    return buffer[index - 1] == 0x0A and previous not in _MAY_PRECEDE_OBJECT


class InvalidJsonError(ValueError):
    """A record candidate that is not valid JSON; its message gives the cause and the offset."""


def decode_candidate(data: bytes, offset: int) -> Any:
    """Decode one record candidate, falling back to the standard library for the message.

    JSON's syntax allows an escaped lone UTF-16 surrogate (``"\\ud800"``), which orjson rejects
    and the standard library decodes. Such a string is not valid Unicode: it cannot be written to
    the ledger or sent to SAP as UTF-8, so the record is rejected here with a message that names
    the string. ``offset`` is the stream offset of ``data`` and goes into the message.
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    too_deep_at = find_excess_nesting(data, MAX_NESTING_DEPTH)
    if too_deep_at >= 0:
        raise InvalidJsonError(
            f"invalid JSON: nesting deeper than {MAX_NESTING_DEPTH} levels at byte "
            f"{offset + too_deep_at}"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidJsonError(
            f"invalid UTF-8 at byte {offset + error.start}: {error.reason}"
        ) from error
    try:
        value = json.loads(text, parse_int=_parse_int, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        where = offset + len(text[: error.pos].encode("utf-8"))
        raise InvalidJsonError(f"invalid JSON: {error.msg} at byte {where}") from error
    except RecursionError as error:
        # The stack already in use leaves the decoder fewer levels than MAX_NESTING_DEPTH.
        raise InvalidJsonError("invalid JSON: nesting too deep to decode") from error
    except ValueError as error:
        raise InvalidJsonError(f"invalid JSON: {error}") from error

    surrogate = _find_lone_surrogate(value)
    if surrogate is not None:
        raise InvalidJsonError(
            f"invalid JSON: the string {surrogate!r} contains an escaped lone UTF-16 surrogate, "
            "which is not valid Unicode"
        )
    return value


_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _find_lone_surrogate(value: Any) -> str | None:
    """Return the first string (key or value) in ``value`` holding a lone surrogate, if any.

    The walk uses a stack instead of recursion because records may be nested 1024 levels deep.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                return item[:60]
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def find_excess_nesting(data: bytes, max_depth: int) -> int:
    """Return the index of the first ``{`` or ``[`` nested deeper than ``max_depth``, or -1.

    Brackets inside strings do not count. A string that does not close ends the scan.
    """
    depth = 0
    pos = 0
    search = _NESTING_TOKEN.search
    string_rest = _STRING_REST.match
    end = len(data)
    while True:
        token = search(data, pos)
        if token is None:
            return -1
        index = token.start()
        byte = data[index]
        if byte == 0x22:  # '"'
            pos = string_rest(data, index + 1).end() + 1  # type: ignore[union-attr]
            if pos > end:
                return -1
        elif byte == 0x7B or byte == 0x5B:  # "{" or "["
            depth += 1
            if depth > max_depth:
                return index
            pos = index + 1
        else:
            depth -= 1
            pos = index + 1


def _parse_int(text: str) -> int | float:
    # orjson 3.x decodes an integer outside [-2**63, 2**64) as a float. The fallback does the
    # same, so a record decodes to the same values on every path, and orjson can encode them.
    # An integer beyond any double becomes infinity, as the standard library decodes 1e400.
    # One of 310 digits or more is not converted to int, which Python limits to 4300 digits.
    negative = text.startswith("-")
    infinity = -math.inf if negative else math.inf
    if len(text) - negative >= _INFINITE_INT_DIGITS:
        return infinity
    value = int(text)
    if _MIN_INT <= value < _MAX_INT_EXCLUSIVE:
        return value
    try:
        return float(value)
    except OverflowError:
        return infinity


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")
