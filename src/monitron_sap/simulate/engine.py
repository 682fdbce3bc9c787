"""Run the plant through simulated time and yield export records in time order.

Each position and each outage is an independent, time-ordered stream driven by its own seeded
random generator (``random.Random`` seeded with a string, which is stable across Python runs
and independent of ``PYTHONHASHSEED``). The streams are merged by time, ties broken by plant
order, and numbered afterwards, so the same seed, start and plant always give the same records
and a longer duration only appends records.
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate import classify
from monitron_sap.simulate.classify import MODEL_NAMES, PositionModels, highest_level, raises_state
from monitron_sap.simulate.physics import (
    draw_baseline,
    fault_progress,
    measure,
    temperature_baseline,
)
from monitron_sap.simulate.plant import Plant, Position
from monitron_sap.simulate.records import (
    SCHEMA_V1,
    SCHEMA_V2,
    DocumentBuilder,
    OutputRecord,
    SimEvent,
)
from monitron_sap.simulate.scenarios import Outage, Scenario
from monitron_sap.simulate.timefmt import DEFAULT_START

DEFAULT_DURATION: Final = timedelta(days=7)
DEFAULT_CADENCE: Final = timedelta(hours=1)
# A measurement-driven transition is stamped this long after its measurement. Monitron does not
# document the real delay.
_TRANSITION_DELAY: Final = timedelta(seconds=2)
_MIN_GAP: Final = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """Simulation settings: seed, simulated time span, measurement cadence and schema."""

    seed: int = 0
    start: datetime = DEFAULT_START
    duration: timedelta = DEFAULT_DURATION
    cadence: timedelta = DEFAULT_CADENCE
    schema: str = SCHEMA_V2

    def __post_init__(self) -> None:
        if self.schema not in (SCHEMA_V1, SCHEMA_V2):
            raise ConfigurationError(f"invalid schema {self.schema!r}: expected v1 or v2")
        if self.cadence < timedelta(minutes=1):
            raise ConfigurationError(f"invalid cadence {self.cadence}: must be at least 1 minute")
        try:
            # The engine steps up to one cadence past the end; the day covers the rest of the
            # time arithmetic, such as Firehose buffer intervals.
            self.start + self.duration + self.cadence + timedelta(days=1)
        except OverflowError as error:
            raise ConfigurationError(
                f"invalid start and duration: {self.duration} from {self.start.isoformat()} "
                "ends too close to the end of year 9999, the last date Python can represent"
            ) from error

    @property
    def end(self) -> datetime:
        """The first instant after the simulated span."""
        return self.start + self.duration


def simulate(plant: Plant, config: SimulationConfig) -> Iterator[OutputRecord]:
    """Yield every export record of the simulated span in time order."""
    scenarios: dict[str, Scenario] = {}
    for scenario in plant.scenarios:
        sensor_id = scenario.position.sensor_id
        if sensor_id in scenarios:
            raise ConfigurationError(
                f"position {scenario.position.path} has more than one scenario; keep one"
            )
        scenarios[sensor_id] = scenario

    streams: list[Iterator[SimEvent]] = [
        _PositionRun(plant, position, scenarios.get(position.sensor_id), config).events()
        for position in plant.positions()
    ]
    if config.schema == SCHEMA_V2:
        streams += [
            _outage_events(plant, outage, index, config)
            for index, outage in enumerate(plant.outages)
        ]

    builder = DocumentBuilder(plant, config.schema)
    id_source = random.Random(
        f"event-ids:{config.seed}:{config.start.isoformat()}:{plant.project_id}"
    )
    for event in heapq.merge(*streams, key=lambda item: item.time):
        if config.schema == SCHEMA_V1 and event.event_type != "measurement":
            continue  # v1 has measurements only; their assetState carries the state
        event_id = str(uuid.UUID(int=id_source.getrandbits(128), version=4))
        yield builder.build(event, event_id)


def _outage_times(
    outage: Outage, index: int, config: SimulationConfig
) -> tuple[datetime, datetime]:
    """Return the disconnect and reconnect times of an outage, with seeded milliseconds."""
    rng = random.Random(f"outage:{config.seed}:{index}:{outage.physical_id}")
    start = config.start + outage.start + timedelta(milliseconds=rng.randint(0, 999))
    end = (
        config.start + outage.start + outage.duration + timedelta(milliseconds=rng.randint(0, 999))
    )
    return start, end


def _outage_windows(
    plant: Plant, position: Position, config: SimulationConfig
) -> list[tuple[datetime, datetime]]:
    windows = []
    for index, outage in enumerate(plant.outages):
        if outage.physical_id in (position.sensor_id, position.gateway_id):
            windows.append(_outage_times(outage, index, config))
    return windows


def _outage_events(
    plant: Plant, outage: Outage, index: int, config: SimulationConfig
) -> Iterator[SimEvent]:
    times = _outage_times(outage, index, config)
    if outage.kind == "gateway":
        gateway = next(g for g in plant.gateways() if g.physical_id == outage.physical_id)
        names = ("gatewayDisconnected", "gatewayConnected")
        for time, name in zip(times, names, strict=True):
            if time < config.end:
                yield SimEvent(time=time, event_type=name, site=gateway.site, gateway=gateway)
        return
    position = next(p for p in plant.positions() if p.sensor_id == outage.physical_id)
    for time, name in zip(times, ("sensorDisconnected", "sensorConnected"), strict=True):
        if time < config.end:
            yield SimEvent(time=time, event_type=name, site=position.site, position=position)


class _PositionRun:
    """The life of one position: measurements, model outputs, state and user actions."""

    def __init__(
        self, plant: Plant, position: Position, scenario: Scenario | None, config: SimulationConfig
    ) -> None:
        self.position = position
        self.scenario = scenario
        self.config = config
        self.rng = random.Random(f"position:{config.seed}:{position.sensor_id}")
        self.ambient_c = plant.site(position.site).ambient_c
        self.baseline = draw_baseline(self.rng, position.iso_class, position.gravity_axis)
        self.models = PositionModels(
            position.iso_class,
            self.baseline.acceleration_rms,
            temperature_baseline(self.baseline, self.ambient_c),
        )
        self.outages = _outage_windows(plant, position, config)
        self.sequence_no = self.rng.randint(100, 5000)
        self.state = classify.HEALTHY
        self.repaired = False
        self.flagged_models: set[str] = set()
        self.actions: list[tuple[datetime, str]] = []
        self.last_time = config.start

    def events(self) -> Iterator[SimEvent]:
        config = self.config
        offset = config.cadence * self.rng.uniform(0.05, 0.9)
        # Up to ±20 s, and at most 2 % of the cadence so that short cadences stay in order.
        max_jitter_ms = min(20_000, int(config.cadence.total_seconds() * 20))
        step = 0
        while True:
            jitter = timedelta(milliseconds=self.rng.randint(-max_jitter_ms, max_jitter_ms))
            time = config.start + offset + config.cadence * step + jitter
            step += 1
            if time >= config.end:
                break
            yield from self._due_actions(time)
            if self._disconnected(time):
                continue
            yield from self._measure(time)
        yield from self._due_actions(config.end)

    def _disconnected(self, time: datetime) -> bool:
        return any(start <= time < end for start, end in self.outages)

    def _progress(self, time: datetime) -> float:
        scenario = self.scenario
        if scenario is None or self.repaired:
            return 0.0
        elapsed = time - self.config.start - scenario.start
        return fault_progress(scenario.fault, elapsed / scenario.alarm_after)

    def _measure(self, time: datetime) -> Iterator[SimEvent]:
        fault = self.scenario.fault if self.scenario is not None and not self.repaired else None
        hour = time.hour + time.minute / 60
        reading = measure(
            self.rng, self.baseline, self.position.iso_class, self.ambient_c, hour, fault,
            self._progress(time),
        )  # fmt: skip
        results = self.models.classify(reading)
        self.sequence_no += 1
        for name, result in results.items():
            if result.persistent != classify.HEALTHY:
                self.flagged_models.add(name)

        before = self.state
        level = highest_level(results)
        if raises_state(self.state, level):
            self.state = level
        yield SimEvent(
            time=time,
            event_type="measurement",
            site=self.position.site,
            position=self.position,
            reading=reading,
            models=results,
            sequence_no=self.sequence_no,
            state_before=before,
            state_after=self.state,
        )
        self.last_time = time
        if self.state != before:
            yield self._transition(time + _TRANSITION_DELAY, before, "measurement")
            if self.state == classify.ALARM:
                self._schedule_user_actions(time)

    def _transition(
        self, time: datetime, before: str, kind: str, closure: tuple[str, str, str] | None = None
    ) -> SimEvent:
        self.last_time = time
        resolved = tuple(name for name in MODEL_NAMES if name in self.flagged_models)
        return SimEvent(
            time=time,
            event_type="assetStateTransition",
            site=self.position.site,
            position=self.position,
            state_before=before,
            state_after=self.state,
            transition_type=kind,
            closure=closure,
            resolved_models=resolved if closure is not None else (),
        )

    def _schedule_user_actions(self, alarm_time: datetime) -> None:
        scenario = self.scenario
        if scenario is None or self.repaired or self.actions:
            return
        basis = alarm_time
        if scenario.acknowledge_after is not None:
            basis = alarm_time + scenario.acknowledge_after
            self.actions.append((basis, "acknowledge"))
        if scenario.close_after is not None:
            self.actions.append((basis + scenario.close_after, "close"))

    def _due_actions(self, until: datetime) -> Iterator[SimEvent]:
        while self.actions and self.actions[0][0] < until:
            planned, action = self.actions.pop(0)
            time = max(planned, self.last_time + _MIN_GAP)
            before = self.state
            if action == "acknowledge":
                self.state = classify.NEEDS_MAINTENANCE
                yield self._transition(time, before, "userInput")
                continue
            assert self.scenario is not None
            self.state = classify.HEALTHY
            closure = (
                self.scenario.failure_mode,
                self.scenario.failure_cause,
                self.scenario.action_taken,
            )
            yield self._transition(time, before, "userInput", closure)
            # Closing the issue means the fault was repaired and the models start over.
            self.repaired = True
            self.flagged_models.clear()
            self.models.reset()
