"""Fault physics: feature consistency, units and ranges."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitron_sap.simulate.physics import (
    ISO_ZONE_LIMITS,
    STANDARD_GRAVITY,
    draw_baseline,
    fault_progress,
    measure,
)
from monitron_sap.simulate.scenarios import FAULT_KINDS, OVERHEATING

FAULTS = (None, *FAULT_KINDS)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    iso_class=st.sampled_from(sorted(ISO_ZONE_LIMITS)),
    fault=st.sampled_from(FAULTS),
    progress=st.floats(0.0, 1.5),
    gravity_axis=st.sampled_from("xyz"),
)
def test_features_consistent(
    seed: int, iso_class: str, fault: str | None, progress: float, gravity_axis: str
) -> None:
    rng = random.Random(seed)
    baseline = draw_baseline(rng, iso_class, gravity_axis)
    reading = measure(rng, baseline, iso_class, 20.0, 12.0, fault, progress)

    for band in (reading.acceleration, reading.velocity):
        assert band.crest_factor == band.abs_max / band.rms
        total = math.sqrt(band.x_rms**2 + band.y_rms**2 + band.z_rms**2)
        assert abs(band.rms - total) <= 0.00005
        assert band.abs_max >= band.rms
        assert min(band.x_rms, band.y_rms, band.z_rms) > 0

    gravity_index = "xyz".index(gravity_axis)
    assert 9.0 < reading.broadband[gravity_index] < 12.0 + 10 * reading.acceleration.rms
    for axis in range(3):
        assert reading.broadband[axis] >= 0


def test_healthy_velocity_in_zone_ab() -> None:
    for iso_class, (warning, _alarm) in ISO_ZONE_LIMITS.items():
        rng = random.Random(iso_class)
        baseline = draw_baseline(rng, iso_class, "z")
        readings = [measure(rng, baseline, iso_class, 20.0, 12.0, None, 0.0) for _ in range(50)]
        highest = max(reading.velocity.rms for reading in readings)
        assert highest < warning, iso_class


@pytest.mark.parametrize("fault", ["bearing-wear", "misalignment", "looseness"])
def test_vibration_fault_passes_alarm_limit(fault: str) -> None:
    rng = random.Random(7)
    baseline = draw_baseline(rng, "CLASS2", "z")
    reading = measure(rng, baseline, "CLASS2", 20.0, 12.0, fault, 1.0)
    assert reading.velocity.rms > ISO_ZONE_LIMITS["CLASS2"][1]


def test_overheating_raises_temperature() -> None:
    rng = random.Random(3)
    baseline = draw_baseline(rng, "CLASS2", "z")
    healthy = measure(rng, baseline, "CLASS2", 20.0, 12.0, None, 0.0)
    hot = measure(rng, baseline, "CLASS2", 20.0, 12.0, OVERHEATING, 1.0)
    assert hot.temperature_c - healthy.temperature_c > 20.0


def test_healthy_values_plausible() -> None:
    rng = random.Random(11)
    baseline = draw_baseline(rng, "CLASS1", "z")
    reading = measure(rng, baseline, "CLASS1", 18.0, 3.0, None, 0.0)
    assert 25.0 < reading.temperature_c < 45.0
    assert -80 <= reading.rssi_dbm <= -40
    assert 0.01 < reading.acceleration.rms < 2.0
    assert abs(reading.broadband[2] - STANDARD_GRAVITY) < 0.5


def test_fault_progress_shapes() -> None:
    assert fault_progress("bearing-wear", 0.5) == 0.25
    assert fault_progress("misalignment", 0.5) == 0.5
    assert fault_progress("looseness", 0.01) > 0.35
    assert fault_progress("overheating", -1.0) == 0.0
    assert fault_progress("misalignment", 10.0) == 1.5
