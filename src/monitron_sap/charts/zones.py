"""ISO vibration severity zone limits for velocity RMS, by Monitron machine class.

ISO 10816-1:1995 Annex B splits broadband velocity RMS
(10-1000 Hz, mm/s) into zones: A (new machines), B (unrestricted long-term operation),
C (restricted operation) and D (damage likely). It gives example boundaries for four machine
classes, the same values as ISO 2372 and VDI 2056:

=========  ===================================================  =====  =====  =====
Class      Machines                                              A/B    B/C    C/D
=========  ===================================================  =====  =====  =====
Class I    small machines, motors up to 15 kW                    0.71   1.8    4.5
Class II   medium machines, 15-75 kW, or up to 300 kW on
           special foundations                                   1.12   2.8    7.1
Class III  large machines on rigid, heavy foundations           1.8    4.5    11.2
Class IV   large machines on soft foundations                   2.8    7.1    18.0
=========  ===================================================  =====  =====  =====

Monitron's ``vibrationISO.isoClass`` values CLASS1..CLASS4 map to Class I..IV.

NOTE: Monitron documents isoClass only as "the ISO 20816 machine class" and does not publish
its own boundaries, so Monitron's WARNING and ALARM limits may differ from these lines. The
ISO 10816-3 groups (group 2 rigid 1.4/2.8/4.5, group 1 flexible 3.5/7.1/11.0, ...) are a
different scheme. Pass explicit ``VelocityZoneLimits`` to the renderer when a plant uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class VelocityZoneLimits:
    """Velocity RMS boundaries in mm/s between zones A/B, B/C and C/D, with a display name."""

    name: str
    a_b: float
    b_c: float
    c_d: float

    def __post_init__(self) -> None:
        if not 0 < self.a_b < self.b_c < self.c_d:
            raise ValueError(
                f"zone limits of {self.name} must be positive and increasing, got "
                f"A/B={self.a_b}, B/C={self.b_c}, C/D={self.c_d}"
            )

    def boundaries(self) -> tuple[tuple[str, float], ...]:
        """Return ``(label, mm/s)`` for each boundary, lowest first."""
        return (("A/B", self.a_b), ("B/C", self.b_c), ("C/D", self.c_d))


ISO_CLASS_LIMITS: Final = MappingProxyType(
    {
        "CLASS1": VelocityZoneLimits("ISO class I", 0.71, 1.8, 4.5),
        "CLASS2": VelocityZoneLimits("ISO class II", 1.12, 2.8, 7.1),
        "CLASS3": VelocityZoneLimits("ISO class III", 1.8, 4.5, 11.2),
        "CLASS4": VelocityZoneLimits("ISO class IV", 2.8, 7.1, 18.0),
    }
)


def zone_limits_for_class(iso_class: str | None) -> VelocityZoneLimits | None:
    """Return the limits for a Monitron isoClass, or None for a missing or unknown class.

    Unknown classes include ``FAN_BV2`` of the v1 export, whose fan limits (ISO 14694) are
    not modelled, so its chart has no zone lines.
    """
    if iso_class is None:
        return None
    return ISO_CLASS_LIMITS.get(iso_class.strip().upper())
