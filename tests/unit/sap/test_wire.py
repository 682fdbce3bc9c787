"""OData V2 JSON wire formats: dates, times, literals, query strings and envelopes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitron_sap.sap import wire


def test_date_is_midnight_utc_milliseconds() -> None:
    assert wire.format_date(date(2024, 5, 1)) == "/Date(1714521600000)/"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_date_round_trip(value: date) -> None:
    assert wire.parse_date(wire.format_date(value)) == value


def test_parse_date_ignores_offset_suffix() -> None:
    assert wire.parse_date("/Date(1714521600000+0000)/") == date(2024, 5, 1)


@pytest.mark.parametrize("value", ["2024-05-01", "/Date(abc)/", "Date(1)", ""])
def test_parse_date_rejects_other_forms(value: str) -> None:
    with pytest.raises(ValueError, match=r"Edm\.DateTime"):
        wire.parse_date(value)


def test_time_zero_padded() -> None:
    assert wire.format_time(time(8, 5, 0)) == "PT08H05M00S"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PT16H", time(16, 0)),
        ("PT16H30M", time(16, 30)),
        ("PT45S", time(0, 0, 45)),
        ("PT11H43M53S", time(11, 43, 53)),
        ("PT00H00M00S", time(0, 0)),
        ("PT1H2M3.5S", time(1, 2, 3)),
    ],
)
def test_parse_time_accepts_partial_forms(value: str, expected: time) -> None:
    assert wire.parse_time(value) == expected


@pytest.mark.parametrize("value", ["PT", "08:30:00", "PT25H", "PT10H61M", "P1D"])
def test_parse_time_rejects_invalid(value: str) -> None:
    with pytest.raises(ValueError, match=r"Edm\.Time"):
        wire.parse_time(value)


def test_datetimeoffset_round_trip_from_other_zone() -> None:
    moment = datetime(2024, 5, 1, 10, 31, 12, tzinfo=timezone(timedelta(hours=2)))
    formatted = wire.format_datetimeoffset(moment)

    assert formatted == "/Date(1714552272000+0000)/"
    assert wire.parse_datetimeoffset(formatted) == moment
    assert wire.parse_datetimeoffset(formatted).tzinfo == UTC


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        wire.format_datetimeoffset(datetime(2024, 5, 1, 10, 0))


def test_split_utc_crosses_midnight() -> None:
    moment = datetime(2024, 5, 2, 1, 30, tzinfo=timezone(timedelta(hours=3)))

    assert wire.split_utc(moment) == ("/Date(1714521600000)/", "PT22H30M00S")


def test_string_literal_doubles_quotes() -> None:
    assert wire.string_literal("O'Brien's") == "'O''Brien''s'"


def test_function_parameter_literals() -> None:
    assert wire.datetime_literal(date(2024, 5, 2)) == "datetime'2024-05-02T00:00:00'"
    assert wire.time_literal(time(16, 0)) == "time'PT16H00M00S'"
    moment = datetime(2024, 5, 1, 10, 31, 12, 999, tzinfo=timezone(timedelta(hours=2)))
    assert wire.datetimeoffset_literal(moment) == "datetimeoffset'2024-05-01T08:31:12Z'"


def test_build_query_keeps_literals_readable() -> None:
    query = wire.build_query({"$filter": "A eq 'x&y'", "sap-client": "100"})

    assert query == "$filter=A%20eq%20'x%26y'&sap-client=100"


def test_unwrap_results_reads_next_link() -> None:
    body = {"d": {"results": [{"a": 1}], "__next": "https://x/next"}}

    assert wire.unwrap_results(body) == ([{"a": 1}], "https://x/next")


def test_unwrap_results_accepts_bare_list() -> None:
    assert wire.unwrap_results({"d": [{"a": 1}]}) == ([{"a": 1}], None)


@pytest.mark.parametrize("body", [{}, {"d": {}}, {"d": {"results": [1]}}, [], "x"])
def test_unwrap_results_rejects_other_shapes(body: object) -> None:
    with pytest.raises(ValueError, match="expected"):
        wire.unwrap_results(body)


def test_unwrap_entity_rejects_collection() -> None:
    with pytest.raises(ValueError, match="single entity"):
        wire.unwrap_entity({"d": {"results": []}})


def test_key_literal_encodes_path_characters() -> None:
    assert wire.key_literal("10000020") == "'10000020'"
    assert wire.key_literal("a/b?c#d%e f") == "'a%2Fb%3Fc%23d%25e%20f'"
    assert wire.key_literal("O'Neil") == "'O''Neil'"
