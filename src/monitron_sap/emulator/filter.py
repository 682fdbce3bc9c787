"""A parser and evaluator for OData V2 ``$filter`` expressions.

Supported: ``eq ne gt ge lt le``, ``and or not``, parentheses, string, number, boolean, null,
``datetime'…'``, ``datetimeoffset'…'`` and ``time'…'`` literals, and the functions
``substringof``, ``startswith``, ``endswith``, ``tolower``, ``toupper`` and ``length``.
Arithmetic operators (``add``, ``sub``, ...) are not supported and are rejected.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from monitron_sap.emulator.edm import (
    DATETIME,
    DATETIMEOFFSET,
    DOUBLE,
    INT32,
    STRING,
    TIME,
    EntityType,
    Property,
)
from monitron_sap.emulator.wire import Value, parse_literal

Row = Mapping[str, Value]
Predicate = Callable[[Row], bool]
_Operand = Callable[[Row], Any]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<typed>(?:datetimeoffset|datetime|time|guid)'(?:[^']|'')*')
      | (?P<string>'(?:[^']|'')*')
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_./]*)
    )""",
    re.VERBOSE,
)
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_ARITHMETIC = {"add", "sub", "mul", "div", "mod"}
_STRING_FUNCTIONS = {"substringof", "startswith", "endswith", "tolower", "toupper", "length"}


class FilterError(ValueError):
    """The ``$filter`` expression is malformed or names an unknown property."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


@dataclass(frozen=True)
class _Term:
    """A compiled operand: how to compute it and, for a property, its model entry."""

    evaluate: _Operand
    prop: Property | None = None
    literal: Value = None
    is_literal: bool = False


def tokenize(text: str) -> list[_Token]:
    """Split a ``$filter`` expression into tokens; raise ``FilterError`` on unknown characters."""
    tokens: list[_Token] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None or match.end() == position:
            raise FilterError(f"invalid $filter near position {position}: {text[position:]!r}")
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


def compile_filter(text: str, entity_type: EntityType) -> Predicate:
    """Compile ``text`` into a predicate over rows of ``entity_type``."""
    parser = _Parser(tokenize(text), entity_type)
    term = parser.parse_or()
    if parser.position != len(parser.tokens):
        raise FilterError(f"unexpected {parser.tokens[parser.position].text!r} in $filter")

    def predicate(row: Row) -> bool:
        return bool(term.evaluate(row))

    return predicate


def _coerce(value: Value, prop: Property) -> Value:
    """Convert a literal to the type of the property it is compared with."""
    if value is None:
        return None
    edm_type = prop.edm_type
    if edm_type == STRING and isinstance(value, str):
        return value
    if edm_type in (DATETIME, DATETIMEOFFSET) and isinstance(value, datetime):
        return value
    if edm_type == TIME and isinstance(value, timedelta):
        return value
    if edm_type == DOUBLE and isinstance(value, int | float | Decimal):
        return float(value)
    if edm_type == INT32 and isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, bool) and edm_type == "Edm.Boolean":
        return value
    raise FilterError(f"literal {value!r} cannot be compared with {prop.name} ({edm_type})")


def _compare(name: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        if name == "eq":
            return left is right
        if name == "ne":
            return left is not right
        return False
    try:
        return _COMPARISONS[name](left, right)
    except TypeError:
        return False


class _Parser:
    """Recursive-descent parser: or > and > not > comparison > primary."""

    def __init__(self, tokens: list[_Token], entity_type: EntityType) -> None:
        self.tokens = tokens
        self.position = 0
        self.entity_type = entity_type

    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _next(self) -> _Token:
        token = self._peek()
        if token is None:
            raise FilterError("$filter ends unexpectedly")
        self.position += 1
        return token

    def _expect(self, text: str) -> None:
        token = self._next()
        if token.text != text:
            raise FilterError(f"expected {text!r} in $filter, found {token.text!r}")

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == "word" and token.text == word:
            self.position += 1
            return True
        return False

    def parse_or(self) -> _Term:
        left = self.parse_and()
        while self._keyword("or"):
            right = self.parse_and()
            left = _Term(_either(left, right))
        return left

    def parse_and(self) -> _Term:
        left = self.parse_not()
        while self._keyword("and"):
            right = self.parse_not()
            left = _Term(_both(left, right))
        return left

    def parse_not(self) -> _Term:
        if self._keyword("not"):
            inner = self.parse_not()
            return _Term(lambda row: not inner.evaluate(row))
        return self.parse_comparison()

    def parse_comparison(self) -> _Term:
        left = self.parse_primary()
        token = self._peek()
        if token is None or token.kind != "word":
            return left
        if token.text in _ARITHMETIC:
            raise FilterError(f"arithmetic operator {token.text!r} is not supported in $filter")
        if token.text not in _COMPARISONS:
            return left
        self.position += 1
        right = self.parse_primary()
        left, right = self._align(left, right)
        name = token.text
        return _Term(lambda row: _compare(name, left.evaluate(row), right.evaluate(row)))

    def _align(self, left: _Term, right: _Term) -> tuple[_Term, _Term]:
        """Convert a literal on one side to the type of the property on the other side."""
        if left.prop is not None and right.is_literal:
            value = _coerce(right.literal, left.prop)
            right = _Term(lambda row: value, literal=value, is_literal=True)
        elif right.prop is not None and left.is_literal:
            value = _coerce(left.literal, right.prop)
            left = _Term(lambda row: value, literal=value, is_literal=True)
        return left, right

    def parse_primary(self) -> _Term:
        token = self._next()
        if token.text == "(" and token.kind == "punct":
            inner = self.parse_or()
            self._expect(")")
            return inner
        if token.kind in ("string", "typed", "number"):
            return self._literal(token.text)
        if token.kind == "word" and token.text in ("true", "false", "null"):
            return self._literal(token.text)
        if token.kind == "word" and token.text in _STRING_FUNCTIONS:
            return self._function(token.text)
        if token.kind == "word":
            return self._property(token.text)
        raise FilterError(f"unexpected {token.text!r} in $filter")

    def _literal(self, text: str) -> _Term:
        try:
            value = parse_literal(text)
        except ValueError as error:
            raise FilterError(str(error)) from None
        return _Term(lambda row: value, literal=value, is_literal=True)

    def _property(self, name: str) -> _Term:
        prop = self.entity_type.property(name)
        if prop is None:
            raise FilterError(f"property {name!r} not found in type {self.entity_type.name}")
        if name in self.entity_type.non_filterable:
            raise FilterError(f"property {name!r} of {self.entity_type.name} is not filterable")
        return _Term(lambda row: row.get(name), prop=prop)

    def _function(self, name: str) -> _Term:
        self._expect("(")
        arguments = [self.parse_or()]
        while self._peek() is not None and self._peek() == _Token("punct", ","):
            self.position += 1
            arguments.append(self.parse_or())
        self._expect(")")
        expected = 2 if name in ("substringof", "startswith", "endswith") else 1
        if len(arguments) != expected:
            raise FilterError(f"{name} takes {expected} argument(s), got {len(arguments)}")
        return _Term(_string_function(name, arguments))


def _either(left: _Term, right: _Term) -> _Operand:
    return lambda row: bool(left.evaluate(row)) or bool(right.evaluate(row))


def _both(left: _Term, right: _Term) -> _Operand:
    return lambda row: bool(left.evaluate(row)) and bool(right.evaluate(row))


def _text(term: _Term, row: Row) -> str:
    value = term.evaluate(row)
    return value if isinstance(value, str) else ""


def _string_function(name: str, arguments: list[_Term]) -> _Operand:
    first = arguments[0]
    if name == "substringof":
        return lambda row: _text(first, row) in _text(arguments[1], row)
    if name == "startswith":
        return lambda row: _text(first, row).startswith(_text(arguments[1], row))
    if name == "endswith":
        return lambda row: _text(first, row).endswith(_text(arguments[1], row))
    if name == "tolower":
        return lambda row: _text(first, row).lower()
    if name == "toupper":
        return lambda row: _text(first, row).upper()
    return lambda row: len(_text(first, row))
