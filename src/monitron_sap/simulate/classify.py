"""The three Monitron models as the simulator plays them, and the asset state of a position.

Each model gives a pointwise output per measurement. The persistent output moves up to a level
only when the last ``PERSISTENCE_COUNT`` pointwise outputs are all at that level or above, and
moves down only when they are all below the current level. The asset state follows the highest
persistent output upwards (HEALTHY -> WARNING -> ALARM). It never drops by itself: only a user's
closure returns it to HEALTHY. NOTE: whether Monitron ever lowers a state without a user action
is not documented; this simulator assumes it does not.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Final

from monitron_sap.simulate.physics import ISO_ZONE_LIMITS, Reading

HEALTHY: Final = "HEALTHY"
WARNING: Final = "WARNING"
ALARM: Final = "ALARM"
INITIALIZING: Final = "INITIALIZING"
NEEDS_MAINTENANCE: Final = "NEEDS_MAINTENANCE"
MODEL_NAMES: Final = ("temperatureML", "vibrationISO", "vibrationML")
_RANK: Final = {HEALTHY: 0, INITIALIZING: 0, WARNING: 1, ALARM: 2}
_LEVELS: Final = (HEALTHY, WARNING, ALARM)

PERSISTENCE_COUNT: Final = 3
# The ML models report INITIALIZING for this many measurements after the sensor starts or after
# a closure. NOTE: this is shorter than the learning period of the real service, so that a few
# days of simulated data still show ML outputs.
ML_INITIALIZING_COUNT: Final = 12
# vibrationML: 10-1000 Hz acceleration RMS over the healthy baseline (WARNING, ALARM).
VIBRATION_ML_RATIOS: Final = (3.0, 8.0)
# temperatureML: °C above the healthy mean temperature of the position (WARNING, ALARM).
TEMPERATURE_ML_RISE_C: Final = (10.0, 20.0)


@dataclass(frozen=True, slots=True)
class ModelResult:
    """One model's outputs for one measurement, named as in the export."""

    previous_persistent: str
    persistent: str
    pointwise: str


def _level(value: float, limits: tuple[float, float]) -> str:
    if value >= limits[1]:
        return ALARM
    if value >= limits[0]:
        return WARNING
    return HEALTHY


class _PersistentModel:
    def __init__(self) -> None:
        self.history: deque[str] = deque(maxlen=PERSISTENCE_COUNT)
        self.persistent = HEALTHY

    def update(self, pointwise: str) -> ModelResult:
        previous = self.persistent
        self.history.append(pointwise)
        if len(self.history) == PERSISTENCE_COUNT:
            ranks = [_RANK[value] for value in self.history]
            if min(ranks) > _RANK[self.persistent]:
                self.persistent = _LEVELS[min(ranks)]
            elif max(ranks) < _RANK[self.persistent]:
                self.persistent = _LEVELS[max(ranks)]
        return ModelResult(previous, self.persistent, pointwise)


class PositionModels:
    """The model state of one position: pointwise history and persistent outputs."""

    def __init__(self, iso_class: str, acceleration_baseline: float, temperature_baseline: float):
        self.iso_class = iso_class
        self.acceleration_baseline = acceleration_baseline
        self.temperature_baseline = temperature_baseline
        self.reset()

    def reset(self) -> None:
        """Forget the history and outputs; the simulator does this when an issue is closed."""
        self.models = {name: _PersistentModel() for name in MODEL_NAMES}
        self.measurements_since_reset = 0

    def classify(self, reading: Reading) -> dict[str, ModelResult]:
        """Classify one reading and return the outputs of each model, in export order."""
        initializing = self.measurements_since_reset < ML_INITIALIZING_COUNT
        self.measurements_since_reset += 1

        iso = _level(reading.velocity.rms, ISO_ZONE_LIMITS[self.iso_class])
        vibration_ratio = reading.acceleration.rms / self.acceleration_baseline
        vibration_ml = (
            INITIALIZING if initializing else _level(vibration_ratio, VIBRATION_ML_RATIOS)
        )
        rise = reading.temperature_c - self.temperature_baseline
        temperature_ml = INITIALIZING if initializing else _level(rise, TEMPERATURE_ML_RISE_C)
        return {
            "temperatureML": self.models["temperatureML"].update(temperature_ml),
            "vibrationISO": self.models["vibrationISO"].update(iso),
            "vibrationML": self.models["vibrationML"].update(vibration_ml),
        }


def highest_level(results: dict[str, ModelResult]) -> str:
    """Return the most severe persistent output among the models."""
    return max((result.persistent for result in results.values()), key=lambda level: _RANK[level])


def raises_state(state: str, level: str) -> bool:
    """Return True when ``level`` should move an asset in ``state`` up to ``level``.

    A position under maintenance (acknowledged) keeps its state until a user closes the issue.
    """
    if state == NEEDS_MAINTENANCE:
        return False
    return _RANK.get(level, 0) > _RANK.get(state, 0)
