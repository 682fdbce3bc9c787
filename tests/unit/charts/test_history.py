"""Tests of the bounded measurement history."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from monitron_sap.charts.history import (
    MeasurementHistory,
    MeasurementSample,
    sample_from_event,
)
from monitron_sap.errors import InputError
from monitron_sap.events.model import (
    ASSET_STATE_TRANSITION,
    MEASUREMENT,
    Features,
    MonitronEvent,
    SourceRef,
    VibrationBand,
)

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def sample_at(hours: float, velocity: float | None = 1.0) -> MeasurementSample:
    return MeasurementSample(
        timestamp=T0 + timedelta(hours=hours),
        velocity_rms=velocity,
        acceleration_rms=0.2,
        temperature_c=40.0,
    )


def event(event_type: str, features: Features | None) -> MonitronEvent:
    return MonitronEvent(
        event_id="1",
        event_type=event_type,
        schema_version=2,
        timestamp=T0,
        source=SourceRef("test.jsonl", 0, 1),
        features=features,
    )


def test_add_keeps_time_order() -> None:
    history = MeasurementHistory([sample_at(3), sample_at(1), sample_at(2)])

    hours = [(s.timestamp - T0) / timedelta(hours=1) for s in history]

    assert hours == [1, 2, 3]


def test_add_same_timestamp_replaces_sample() -> None:
    history = MeasurementHistory([sample_at(1, velocity=1.0)])

    history.add(sample_at(1, velocity=2.5))

    assert len(history) == 1
    assert history.samples[0].velocity_rms == 2.5


def test_max_samples_drops_oldest() -> None:
    history = MeasurementHistory(max_samples=3)

    for hour in range(5):
        history.add(sample_at(hour))

    assert len(history) == 3
    assert history.samples[0].timestamp == T0 + timedelta(hours=2)


def test_max_age_drops_old_samples() -> None:
    history = MeasurementHistory(max_age=timedelta(days=1))

    history.add(sample_at(0))
    history.add(sample_at(12))
    history.add(sample_at(30))

    assert [s.timestamp for s in history] == [T0 + timedelta(hours=12), T0 + timedelta(hours=30)]


def test_late_sample_older_than_max_age_is_dropped() -> None:
    history = MeasurementHistory([sample_at(100)], max_age=timedelta(days=1))

    history.add(sample_at(10))

    assert len(history) == 1


def test_window_selects_days_before_end() -> None:
    history = MeasurementHistory(sample_at(hour) for hour in range(0, 72, 6))

    selected = history.window(1, end=T0 + timedelta(hours=48))

    assert selected[0].timestamp == T0 + timedelta(hours=24)
    assert selected[-1].timestamp == T0 + timedelta(hours=48)
    assert len(selected) == 5


def test_window_of_empty_history_is_empty() -> None:
    assert MeasurementHistory().window(7) == []


def test_json_round_trip_keeps_samples_and_bounds() -> None:
    history = MeasurementHistory(
        [sample_at(1), sample_at(2, velocity=None)], max_age=timedelta(days=3), max_samples=50
    )

    restored = MeasurementHistory.from_json(history.to_json())

    assert restored.samples == history.samples
    assert restored.max_age == timedelta(days=3)
    assert restored.max_samples == 50


@pytest.mark.parametrize(
    "data",
    [
        {"format": 99, "max_age_s": 1, "max_samples": 1, "samples": []},
        {"format": 1, "max_samples": 1, "samples": []},
        {"format": 1, "max_age_s": 60, "max_samples": 5, "samples": [[1, 2]]},
        {"format": 1, "max_age_s": 60, "max_samples": 5, "samples": [[1, "x", None, None]]},
        {"format": 1, "max_age_s": 60, "max_samples": 0, "samples": []},
        [1, 2, 3],
    ],
)
def test_from_json_invalid_names_source(data: object) -> None:
    with pytest.raises(InputError) as caught:
        MeasurementHistory.from_json(data, source="position pos-1")  # type: ignore[arg-type]

    assert "position pos-1" in str(caught.value)


def test_sample_rejects_naive_timestamp() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        MeasurementSample(timestamp=datetime(2024, 3, 1))


def test_sample_rejects_nan() -> None:
    with pytest.raises(ValueError, match="not finite"):
        MeasurementSample(timestamp=T0, velocity_rms=math.nan)


def test_invalid_bounds_rejected() -> None:
    with pytest.raises(ValueError, match="max_samples"):
        MeasurementHistory(max_samples=0)


def test_sample_from_measurement_event() -> None:
    features = Features(
        acceleration=VibrationBand(rms=0.066),
        velocity=VibrationBand(rms=0.15),
        temperature_c=41.3,
    )

    sample = sample_from_event(event(MEASUREMENT, features))

    assert sample == MeasurementSample(
        T0, velocity_rms=0.15, acceleration_rms=0.066, temperature_c=41.3
    )


def test_sample_from_transition_event_is_none() -> None:
    assert sample_from_event(event(ASSET_STATE_TRANSITION, None)) is None


def test_sample_from_measurement_without_values_is_none() -> None:
    assert sample_from_event(event(MEASUREMENT, Features())) is None
