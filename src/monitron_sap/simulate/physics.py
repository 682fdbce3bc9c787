"""Fault physics: how vibration and temperature of a sensor position follow a fault's progress.

Units follow Monitron's export: acceleration in m/s², velocity in mm/s, temperature in °C. The
10-1000 Hz totals obey ``rms = sqrt(x² + y² + z²)`` of the rounded axis values (rounded again to
4 decimals), ``absMin`` is 0 as in every observed record, and ``crestFactor`` is exactly
``absMax / rms`` of the values written. The 0-6000 Hz band adds static gravity on the sensor's
mounting axis, as real records show about 9-10 m/s² on one axis.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

from monitron_sap.simulate.scenarios import BEARING_WEAR, LOOSENESS, MISALIGNMENT, OVERHEATING

STANDARD_GRAVITY: Final = 9.80665  # m/s²

# Velocity RMS zone boundaries in mm/s per machine class: (B/C = WARNING, C/D = ALARM). Source: the
# class I-IV boundaries of ISO 10816-1:1995 Annex B as commonly reproduced in vibration
# handbooks; ISO 20816-1 keeps this classification.
# NOTE: neither the standard's text nor Monitron's own vibrationISO thresholds were checked.
ISO_ZONE_LIMITS: Final = {
    "CLASS1": (1.8, 4.5),
    "CLASS2": (2.8, 7.1),
    "CLASS3": (4.5, 11.2),
    "CLASS4": (7.1, 18.0),
}

# A fault at full progress (1.0) drives velocity RMS this far above the class's alarm limit.
_ALARM_OVERSHOOT: Final = 1.2
# Temperature rise in °C at full progress for an overheating fault and for bearing wear.
_OVERHEATING_RISE_C: Final = 26.0
_BEARING_WEAR_RISE_C: Final = 8.0


@dataclass(frozen=True, slots=True)
class Baseline:
    """The healthy signature of one position, drawn once from its seeded random generator."""

    velocity_rms: float  # mm/s, 10-1000 Hz total
    frequency_hz: float  # dominant vibration frequency, sets acceleration from velocity
    axis_weights: tuple[float, float, float]  # unit vector splitting the total over x, y, z
    gravity: tuple[float, float, float]  # static gravity per axis in m/s²
    temperature_rise_c: float  # above site ambient
    rssi_dbm: int

    @property
    def acceleration_rms(self) -> float:
        """Healthy 10-1000 Hz acceleration RMS in m/s²."""
        return 2 * math.pi * self.frequency_hz * self.velocity_rms / 1000


def draw_baseline(rng: random.Random, iso_class: str, gravity_axis: str) -> Baseline:
    """Draw a healthy signature in ISO zone A/B: 20-40 % of the class's WARNING limit."""
    warning, _alarm = ISO_ZONE_LIMITS[iso_class]
    raw = [rng.uniform(0.5, 1.0) for _ in range(3)]
    norm = math.sqrt(sum(weight * weight for weight in raw))
    tilt = rng.uniform(0.02, 0.09)  # radians between the mounting axis and vertical
    lateral = STANDARD_GRAVITY * math.sin(tilt)
    gravity = [lateral * 0.3, lateral, lateral]
    index = "xyz".index(gravity_axis)
    gravity[index] = STANDARD_GRAVITY * math.cos(tilt)
    return Baseline(
        velocity_rms=warning * rng.uniform(0.2, 0.4),
        frequency_hz=rng.uniform(45.0, 75.0),
        axis_weights=(raw[0] / norm, raw[1] / norm, raw[2] / norm),
        gravity=(gravity[0], gravity[1], gravity[2]),
        temperature_rise_c=rng.uniform(12.0, 22.0),
        rssi_dbm=rng.randint(-68, -48),
    )


@dataclass(frozen=True, slots=True)
class Band:
    """One 10-1000 Hz block as written: axis RMS values and the total's RMS, absMax, crest."""

    x_rms: float
    y_rms: float
    z_rms: float
    rms: float
    abs_max: float
    crest_factor: float


@dataclass(frozen=True, slots=True)
class Reading:
    """One measurement's features, rounded as they are written to the export."""

    acceleration: Band
    velocity: Band
    broadband: tuple[float, float, float]  # 0-6000 Hz acceleration RMS per axis, gravity included
    temperature_c: float
    rssi_dbm: int


def fault_progress(fault: str, elapsed_fraction: float) -> float:
    """Return a fault's progress (0 healthy, 1 at the alarm level) ``elapsed_fraction`` in.

    ``elapsed_fraction`` is the time since the fault began over its ``alarm_after``. Bearing
    wear accelerates, misalignment grows linearly, looseness appears as a step and then grows,
    overheating grows linearly. Progress keeps growing past 1 up to 1.5.
    """
    if elapsed_fraction <= 0:
        return 0.0
    if fault == BEARING_WEAR:
        progress = elapsed_fraction**2
    elif fault == LOOSENESS:
        progress = 0.35 + 0.65 * elapsed_fraction
    else:
        progress = elapsed_fraction
    return min(progress, 1.5)


def measure(
    rng: random.Random,
    baseline: Baseline,
    iso_class: str,
    ambient_c: float,
    hour_of_day: float,
    fault: str | None,
    progress: float,
) -> Reading:
    """Compute one measurement for a position with ``fault`` at ``progress`` (0 when healthy)."""
    _warning, alarm = ISO_ZONE_LIMITS[iso_class]
    velocity_target = alarm * _ALARM_OVERSHOOT
    vibrating = fault in (BEARING_WEAR, MISALIGNMENT, LOOSENESS)

    velocity = baseline.velocity_rms
    frequency = baseline.frequency_hz
    acceleration_crest = rng.gauss(2.9, 0.12)
    velocity_crest = rng.gauss(2.3, 0.1)
    temperature_rise = 0.0
    if vibrating:
        velocity += progress * (velocity_target - baseline.velocity_rms)
    if fault == BEARING_WEAR:
        # Bearing defects add impacts at high frequency: more acceleration, higher crest factor.
        frequency += 150.0 * progress
        acceleration_crest += 3.2 * min(progress, 1.0)
        temperature_rise = _BEARING_WEAR_RISE_C * progress * progress
    elif fault == MISALIGNMENT:
        frequency += 40.0 * progress  # energy moves to twice the running speed
    elif fault == LOOSENESS:
        frequency += 90.0 * progress  # many running-speed harmonics
        acceleration_crest += 1.4 * min(progress, 1.0)
        velocity_crest += 0.6 * min(progress, 1.0)
    elif fault == OVERHEATING:
        velocity *= 1.0 + 0.25 * progress
        temperature_rise = _OVERHEATING_RISE_C * progress

    velocity *= max(0.5, rng.gauss(1.0, 0.05))
    acceleration = 2 * math.pi * frequency * velocity / 1000
    velocity_band = _band(velocity, velocity_crest, baseline.axis_weights, rng)
    acceleration_band = _band(acceleration, acceleration_crest, baseline.axis_weights, rng)

    # Energy above 1000 Hz grows with bearing wear, so the 0-6000 Hz band exceeds the 10-1000 Hz.
    broadband_factor = 1.4 + (2.5 * progress if fault == BEARING_WEAR else 0.0)
    axes = (acceleration_band.x_rms, acceleration_band.y_rms, acceleration_band.z_rms)
    broadband = tuple(
        round(math.sqrt(g * g + (broadband_factor * a) ** 2), 4)
        for g, a in zip(baseline.gravity, axes, strict=True)
    )

    daily = 1.5 * math.sin(2 * math.pi * (hour_of_day - 9.0) / 24.0)
    temperature = ambient_c + baseline.temperature_rise_c + daily + temperature_rise
    temperature += rng.gauss(0.0, 0.3)
    return Reading(
        acceleration=acceleration_band,
        velocity=velocity_band,
        broadband=(broadband[0], broadband[1], broadband[2]),
        temperature_c=round(temperature, 2),
        rssi_dbm=baseline.rssi_dbm + rng.randint(-3, 3),
    )


def _band(
    total: float, crest: float, weights: tuple[float, float, float], rng: random.Random
) -> Band:
    jitter = [weight * max(0.3, rng.gauss(1.0, 0.04)) for weight in weights]
    norm = math.sqrt(sum(value * value for value in jitter))
    x, y, z = (round(max(total * value / norm, 0.0001), 4) for value in jitter)
    rms = round(math.sqrt(x * x + y * y + z * z), 4)
    abs_max = round(rms * max(crest, 1.5), 4)
    return Band(x_rms=x, y_rms=y, z_rms=z, rms=rms, abs_max=abs_max, crest_factor=abs_max / rms)


def temperature_baseline(baseline: Baseline, ambient_c: float) -> float:
    """Return the healthy mean temperature of a position in °C."""
    return ambient_c + baseline.temperature_rise_c
