"""A bounded history of one position's measurements, the data behind a trend chart."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from monitron_sap.errors import InputError
from monitron_sap.events.model import MEASUREMENT, MonitronEvent

# NOTE: sized for an estimated one measurement per position per hour (about 336 samples in
# 14 days); Monitron does not document its rate in the export. DEFAULT_MAX_SAMPLES leaves room
# for faster rates and keeps a stored history under about 80 KB of JSON, inside the 400 KB
# limit of a DynamoDB item.
DEFAULT_MAX_AGE: Final = timedelta(days=14)
DEFAULT_MAX_SAMPLES: Final = 1000

# Version of the JSON form written by ``MeasurementHistory.to_json``.
HISTORY_FORMAT: Final = 1


@dataclass(frozen=True, slots=True)
class MeasurementSample:
    """One measurement of a position, each value ``None`` when the record did not carry it.

    ``timestamp`` is timezone-aware. Velocity RMS is in mm/s and acceleration RMS in m/s², both
    over Monitron's 10-1000 Hz band; temperature is in °C.
    """

    timestamp: datetime
    velocity_rms: float | None = None
    acceleration_rms: float | None = None
    temperature_c: float | None = None

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None:
            raise ValueError(f"measurement timestamp {self.timestamp} has no time zone")
        for name in ("velocity_rms", "acceleration_rms", "temperature_c"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise ValueError(f"measurement {name} at {self.timestamp} is not finite: {value}")


def sample_from_event(event: MonitronEvent) -> MeasurementSample | None:
    """Build a sample from a ``measurement`` event; return None for other events or no values."""
    if event.event_type != MEASUREMENT or event.features is None:
        return None

    features = event.features
    values = (features.velocity.rms, features.acceleration.rms, features.temperature_c)
    if all(value is None for value in values):
        return None

    return MeasurementSample(
        timestamp=event.timestamp,
        velocity_rms=features.velocity.rms,
        acceleration_rms=features.acceleration.rms,
        temperature_c=features.temperature_c,
    )


class MeasurementHistory:
    """The latest samples of one position, ordered by time and bounded by age and count.

    A sample older than ``max_age`` before the newest sample is dropped, and so is the oldest
    sample once there are more than ``max_samples``. A sample with the timestamp of a stored
    sample replaces it, so a redelivered record is not counted twice.
    """

    def __init__(
        self,
        samples: Iterable[MeasurementSample] = (),
        *,
        max_age: timedelta = DEFAULT_MAX_AGE,
        max_samples: int = DEFAULT_MAX_SAMPLES,
    ) -> None:
        if max_age <= timedelta(0):
            raise ValueError(f"max_age must be positive, got {max_age}")
        if max_samples < 1:
            raise ValueError(f"max_samples must be at least 1, got {max_samples}")

        self.max_age = max_age
        self.max_samples = max_samples
        self._samples: list[MeasurementSample] = []
        self._timestamps: list[datetime] = []
        for sample in samples:
            self.add(sample)

    def __len__(self) -> int:
        return len(self._samples)

    def __iter__(self) -> Iterator[MeasurementSample]:
        return iter(self._samples)

    @property
    def samples(self) -> tuple[MeasurementSample, ...]:
        """The stored samples, oldest first."""
        return tuple(self._samples)

    @property
    def newest(self) -> MeasurementSample | None:
        """The most recent sample, or None when the history is empty."""
        return self._samples[-1] if self._samples else None

    def add(self, sample: MeasurementSample) -> None:
        """Insert a sample in time order, then drop what falls outside the bounds."""
        index = bisect.bisect_left(self._timestamps, sample.timestamp)
        if index < len(self._timestamps) and self._timestamps[index] == sample.timestamp:
            self._samples[index] = sample
        else:
            self._samples.insert(index, sample)
            self._timestamps.insert(index, sample.timestamp)
        self._trim()

    def window(self, days: float, *, end: datetime | None = None) -> list[MeasurementSample]:
        """Return the samples of the ``days`` before ``end`` (default: the newest sample)."""
        if days <= 0:
            raise ValueError(f"days must be positive, got {days}")
        if not self._samples:
            return []

        end_time = end if end is not None else self._samples[-1].timestamp
        start_time = end_time - timedelta(days=days)
        first = bisect.bisect_left(self._timestamps, start_time)
        last = bisect.bisect_right(self._timestamps, end_time)
        return self._samples[first:last]

    def to_json(self) -> dict[str, Any]:
        """Return a compact JSON-ready form: one ``[epoch_ms, velocity, acceleration, temp]`` row
        per sample, with ``null`` for a missing value."""
        rows = [
            [
                round(sample.timestamp.timestamp() * 1000),
                sample.velocity_rms,
                sample.acceleration_rms,
                sample.temperature_c,
            ]
            for sample in self._samples
        ]
        return {
            "format": HISTORY_FORMAT,
            "max_age_s": self.max_age.total_seconds(),
            "max_samples": self.max_samples,
            "samples": rows,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, source: str = "history") -> MeasurementHistory:
        """Rebuild a history written by ``to_json``; raise ``InputError`` naming ``source``."""
        if not isinstance(data, Mapping):
            raise InputError(f"{source}: measurement history must be a JSON object")
        if data.get("format") != HISTORY_FORMAT:
            raise InputError(
                f"{source}: unsupported measurement history format {data.get('format')!r}, "
                f"expected {HISTORY_FORMAT}"
            )
        try:
            max_age = timedelta(seconds=float(data["max_age_s"]))
            max_samples = int(data["max_samples"])
            samples = [_sample_from_row(row) for row in data["samples"]]
            return cls(samples, max_age=max_age, max_samples=max_samples)
        except (KeyError, TypeError, ValueError, OverflowError) as error:
            raise InputError(f"{source}: invalid measurement history: {error}") from error

    def _trim(self) -> None:
        oldest_allowed = self._samples[-1].timestamp - self.max_age
        first_kept = bisect.bisect_left(self._timestamps, oldest_allowed)
        first_kept = max(first_kept, len(self._samples) - self.max_samples)
        if first_kept > 0:
            del self._samples[:first_kept]
            del self._timestamps[:first_kept]


def _sample_from_row(row: Any) -> MeasurementSample:
    epoch_ms, velocity, acceleration, temperature = row
    return MeasurementSample(
        timestamp=datetime.fromtimestamp(epoch_ms / 1000, tz=UTC),
        velocity_rms=_optional_float(velocity),
        acceleration_rms=_optional_float(acceleration),
        temperature_c=_optional_float(temperature),
    )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
