"""Unit tests of the OData V2 wire formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from monitron_sap.emulator.edm import boolean, date, double, string, time, timestamp
from monitron_sap.emulator.wire import (
    format_double,
    format_duration,
    format_etag,
    from_json,
    parse_duration,
    parse_literal,
    to_json,
)


def test_date_renders_milliseconds_at_midnight() -> None:
    value = datetime(2024, 5, 1, tzinfo=UTC)

    assert to_json(date("CreationDate"), value) == "/Date(1714521600000)/"


def test_timestamp_renders_offset() -> None:
    value = datetime(2024, 5, 1, 8, 31, 12, tzinfo=UTC)

    assert to_json(timestamp("LastChangeDateTime"), value) == "/Date(1714552272000+0000)/"


def test_time_renders_padded_duration() -> None:
    assert format_duration(timedelta(hours=8, minutes=3, seconds=5)) == "PT08H03M05S"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT08H30M00S", timedelta(hours=8, minutes=30)),
        ("PT16H", timedelta(hours=16)),
        ("PT0S", timedelta(0)),
        ("PT1.5S", timedelta(seconds=1.5)),
    ],
)
def test_duration_parses_lenient_forms(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["08:30:00", "PT", "P", "PTXH"])
def test_invalid_duration_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match=r"Edm\.Time"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/Date(1714521600000)/", datetime(2024, 5, 1, tzinfo=UTC)),
        ("/Date(1714528800000+0120)/", datetime(2024, 5, 1, 0, 40, tzinfo=UTC)),
        ("2024-05-01T00:00:00", datetime(2024, 5, 1, tzinfo=UTC)),
    ],
)
def test_json_dates_parse(raw: str, expected: datetime) -> None:
    assert from_json(date("D"), raw) == expected


def test_invalid_json_date_names_property() -> None:
    with pytest.raises(ValueError, match="MalfunctionStartDate"):
        from_json(date("MalfunctionStartDate"), "yesterday")


def test_string_property_rejects_number() -> None:
    with pytest.raises(ValueError, match="NotificationText"):
        from_json(string("NotificationText", 40), 42)


def test_upper_case_property_upper_cases() -> None:
    assert from_json(string("Ref", 20, upper=True), "ext-1") == "EXT-1"


def test_boolean_rejects_string() -> None:
    with pytest.raises(ValueError, match="Down"):
        from_json(boolean("Down"), "true")


def test_double_accepts_string_and_number() -> None:
    assert from_json(double("Hours"), "1.5E1") == from_json(double("Hours"), 15)


def test_double_renders_exponent_notation() -> None:
    assert format_double(172800.0) == "1.728E5"


def test_time_json_round_trip() -> None:
    prop = time("MalfunctionStartTime")

    assert to_json(prop, from_json(prop, "PT08H30M00S")) == "PT08H30M00S"


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("'10000020'", "10000020"),
        ("'it''s'", "it's"),
        ("42", 42),
        ("1.5", 1.5),
        ("1.5d", 1.5),
        ("12.50m", Decimal("12.50")),
        ("true", True),
        ("null", None),
        ("datetime'2024-05-02T00:00'", datetime(2024, 5, 2, tzinfo=UTC)),
        ("datetimeoffset'2024-05-01T08:31:12Z'", datetime(2024, 5, 1, 8, 31, 12, tzinfo=UTC)),
        ("time'PT16H00M00S'", timedelta(hours=16)),
    ],
)
def test_uri_literals_parse(literal: str, expected: object) -> None:
    assert parse_literal(literal) == expected


def test_invalid_uri_literal_is_rejected() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        parse_literal("twelve")


def test_etag_is_weak_and_url_encoded() -> None:
    etag = format_etag(datetime(2024, 5, 1, 8, 31, 12, 123456, tzinfo=UTC))

    assert etag == "W/\"datetimeoffset'2024-05-01T08%3A31%3A12.1234560Z'\""
