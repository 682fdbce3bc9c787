"""Scenario options, durations and start times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.engine import SimulationConfig
from monitron_sap.simulate.plant import load_plant
from monitron_sap.simulate.scenarios import parse_scenario_option
from monitron_sap.simulate.timefmt import format_timestamp, parse_duration, parse_start


def test_scenario_option_with_settings() -> None:
    plant = load_plant()
    scenario = parse_scenario_option(
        "Fan F-201/Motor DE=misalignment,start=0,alarm-after=1d12h,close-after=2h,"
        "failure-mode=IMBALANCE",
        plant.find_position,
    )
    assert scenario.position.sensor_id == "a1b2c3d40201"
    assert scenario.fault == "misalignment"
    assert scenario.start == timedelta(0)
    assert scenario.alarm_after == timedelta(hours=36)
    assert scenario.close_after == timedelta(hours=2)
    assert scenario.acknowledge_after is None
    assert scenario.failure_mode == "IMBALANCE"
    assert scenario.failure_cause == "MAINTENANCE"


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("a1b2c3d40101", "expected POSITION=FAULT"),
        ("a1b2c3d40101=melting", "fault"),
        ("a1b2c3d40101=looseness,start", "expected KEY=VALUE"),
        ("a1b2c3d40101=looseness,speed=3", "unknown key 'speed'"),
        ("a1b2c3d40101=looseness,start=soon", "start"),
        ("a1b2c3d40101=looseness,failure-mode=BROKEN", "failure_mode"),
    ],
)
def test_scenario_option_errors(option: str, expected: str) -> None:
    plant = load_plant()
    with pytest.raises(ConfigurationError) as raised:
        parse_scenario_option(option, plant.find_position)
    assert expected in str(raised.value)
    assert "--scenario" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("7d", 604800), ("1h", 3600), ("90m", 5400), ("1d6h", 108000), ("30s", 30), ("1.5h", 5400)],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "7", "h", "1w", "-1h", "0h", "1h 2m", "1hh"])
def test_parse_duration_invalid(text: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_duration(text, what="--duration")
    assert "--duration" in str(raised.value)


def test_parse_start_zone_handling() -> None:
    assert parse_start("2026-01-05") == datetime(2026, 1, 5, tzinfo=UTC)
    assert parse_start("2026-01-05T02:00:00+02:00") == datetime(2026, 1, 5, tzinfo=UTC)
    assert parse_start("2026-01-05T08:00:00Z") == datetime(2026, 1, 5, 8, tzinfo=UTC)


def test_parse_start_invalid() -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_start("yesterday")
    assert "yesterday" in str(raised.value)


def test_parse_duration_too_long() -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_duration("99999999999d", what="--duration")
    assert str(raised.value) == (
        "invalid --duration '99999999999d': too long, the longest is 999999999 days"
    )


def test_parse_start_beyond_utc_range() -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_start("0001-01-01T00:00+01:00")
    assert "before year 1 or after year 9999" in str(raised.value)


def test_span_ending_after_year_9999_rejected() -> None:
    start = datetime(9999, 12, 31, 23, tzinfo=UTC)
    with pytest.raises(ConfigurationError) as raised:
        SimulationConfig(start=start, duration=timedelta(days=2))
    assert "ends too close to the end of year 9999" in str(raised.value)


def test_span_ending_in_year_9999_accepted() -> None:
    start = datetime(9999, 12, 29, tzinfo=UTC)
    config = SimulationConfig(start=start, duration=timedelta(hours=12))
    assert config.end == datetime(9999, 12, 29, 12, tzinfo=UTC)


def test_format_timestamp_monitron_form() -> None:
    value = datetime(2026, 1, 5, 14, 7, 31, 512999, tzinfo=UTC)
    assert format_timestamp(value) == "2026-01-05 14:07:31.512"
