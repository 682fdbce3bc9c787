"""Tests of the ISO zone limits per Monitron machine class."""

from __future__ import annotations

import pytest

from monitron_sap.charts.zones import ISO_CLASS_LIMITS, VelocityZoneLimits, zone_limits_for_class

EXPECTED_LIMITS = {
    "CLASS1": (0.71, 1.8, 4.5),
    "CLASS2": (1.12, 2.8, 7.1),
    "CLASS3": (1.8, 4.5, 11.2),
    "CLASS4": (2.8, 7.1, 18.0),
}


@pytest.mark.parametrize(("iso_class", "expected"), EXPECTED_LIMITS.items())
def test_class_limits(iso_class: str, expected: tuple[float, float, float]) -> None:
    limits = zone_limits_for_class(iso_class)

    assert limits is not None
    assert (limits.a_b, limits.b_c, limits.c_d) == expected


def test_every_documented_class_has_limits() -> None:
    assert set(ISO_CLASS_LIMITS) == set(EXPECTED_LIMITS)


def test_class_lookup_ignores_case_and_spaces() -> None:
    assert zone_limits_for_class(" class3 ") is ISO_CLASS_LIMITS["CLASS3"]


@pytest.mark.parametrize("iso_class", [None, "FAN_BV2", "CLASS5", ""])
def test_unknown_class_has_no_limits(iso_class: str | None) -> None:
    assert zone_limits_for_class(iso_class) is None


def test_limits_must_increase() -> None:
    with pytest.raises(ValueError, match="increasing"):
        VelocityZoneLimits("bad", 2.0, 1.0, 3.0)


def test_boundaries_lowest_first() -> None:
    limits = VelocityZoneLimits("plant", 1.0, 2.0, 3.0)

    assert limits.boundaries() == (("A/B", 1.0), ("B/C", 2.0), ("C/D", 3.0))
