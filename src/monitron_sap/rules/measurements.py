"""The latest measurement of a position, reduced to the values a notification's long text shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitron_sap.events.model import ModelOutput, MonitronEvent, VibrationBand

MM_PER_S = "mm/s"
M_PER_S2 = "m/s²"
CELSIUS = "°C"


@dataclass(frozen=True, slots=True)
class Reading:
    """One measured value with its unit (an empty unit for ratios such as the crest factor)."""

    label: str
    value: float
    unit: str

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.label}: {self.value:.4g}{unit}"


@dataclass(frozen=True, slots=True)
class MeasurementSnapshot:
    """The readings and model outputs of one measurement. ``models`` pairs name and summary."""

    taken_at: datetime
    event_id: str
    readings: tuple[Reading, ...]
    models: tuple[tuple[str, str], ...]

    def to_json(self) -> str:
        document = {
            "taken_at": self.taken_at.isoformat(),
            "event_id": self.event_id,
            "readings": [[r.label, r.value, r.unit] for r in self.readings],
            "models": [list(pair) for pair in self.models],
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> MeasurementSnapshot:
        document: dict[str, Any] = json.loads(text)
        return cls(
            taken_at=datetime.fromisoformat(document["taken_at"]),
            event_id=str(document["event_id"]),
            readings=tuple(
                Reading(str(label), float(value), str(unit))
                for label, value, unit in document["readings"]
            ),
            models=tuple((str(name), str(summary)) for name, summary in document["models"]),
        )


def snapshot_of(event: MonitronEvent) -> MeasurementSnapshot | None:
    """Return the snapshot of a measurement event, or ``None`` when it carries no features."""
    if event.features is None and not event.models:
        return None
    readings: list[Reading] = []
    if event.features is not None:
        velocity = event.features.velocity
        acceleration = event.features.acceleration
        readings += _band_readings("Velocity 10-1000 Hz", velocity, MM_PER_S, axes=True)
        readings += _band_readings("Acceleration 10-1000 Hz", acceleration, M_PER_S2, axes=False)
        if event.features.temperature_c is not None:
            readings.append(Reading("Temperature", event.features.temperature_c, CELSIUS))
    models = tuple((name, describe_model(output)) for name, output in sorted(event.models.items()))
    return MeasurementSnapshot(event.timestamp, event.event_id, tuple(readings), models)


def describe_model(output: ModelOutput) -> str:
    """Return a one-line summary of a model's output, e.g. ``persistent ALARM (was HEALTHY)``."""
    parts: list[str] = []
    if output.persistent is not None:
        was = f" (was {output.previous_persistent})" if output.previous_persistent else ""
        parts.append(f"persistent {output.persistent}{was}")
    if output.pointwise is not None:
        parts.append(f"pointwise {output.pointwise}")
    if output.iso_class is not None:
        parts.append(f"ISO class {output.iso_class}")
    if output.muted_threshold is not None:
        parts.append(f"muted at {output.muted_threshold}")
    return ", ".join(parts) or "no output"


def _band_readings(label: str, band: VibrationBand, unit: str, *, axes: bool) -> list[Reading]:
    readings: list[Reading] = []
    if band.rms is not None:
        readings.append(Reading(f"{label} RMS", band.rms, unit))
    if band.abs_max is not None:
        readings.append(Reading(f"{label} peak", band.abs_max, unit))
    if band.crest_factor is not None:
        readings.append(Reading(f"{label} crest factor", band.crest_factor, ""))
    if not axes:
        return readings
    for axis, value in (("X", band.x_rms), ("Y", band.y_rms), ("Z", band.z_rms)):
        if value is not None:
            readings.append(Reading(f"{label} {axis} RMS", value, unit))
    return readings
