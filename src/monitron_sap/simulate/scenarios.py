"""Fault scenarios and connectivity outages: what happens to the plant, and when.

Times are offsets from the simulation start, so one plant file works for any ``--start``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.timefmt import parse_duration

if TYPE_CHECKING:
    from monitron_sap.simulate.plant import Position

BEARING_WEAR: Final = "bearing-wear"
MISALIGNMENT: Final = "misalignment"
LOOSENESS: Final = "looseness"
OVERHEATING: Final = "overheating"
FAULT_KINDS: Final = (BEARING_WEAR, MISALIGNMENT, LOOSENESS, OVERHEATING)

# Closure codes a user would pick after repairing each fault, in Monitron's enumerations.
DEFAULT_CLOSURE: Final[Mapping[str, tuple[str, str, str]]] = {
    BEARING_WEAR: ("LUBRICATION", "WEAR", "REPLACE"),
    MISALIGNMENT: ("MISALIGNMENT", "MAINTENANCE", "ADJUST"),
    LOOSENESS: ("STRUCTURAL_LOOSENESS", "MAINTENANCE", "ADJUST"),
    OVERHEATING: ("LUBRICATION", "OPERATION", "LUBRICATE"),
}
FAILURE_MODES: Final = (
    "NO_ISSUE", "BLOCKAGE", "CAVITATION", "CORROSION", "DEPOSIT", "IMBALANCE", "LUBRICATION",
    "MISALIGNMENT", "OTHER", "RESONANCE", "ROTATING_LOOSENESS", "STRUCTURAL_LOOSENESS",
    "TRANSMITTED_FAULT", "UNDETERMINED",
)  # fmt: skip
FAILURE_CAUSES: Final = (
    "ADMINISTRATION", "DESIGN", "FABRICATION", "MAINTENANCE", "OPERATION", "OTHER", "QUALITY",
    "UNDETERMINED", "WEAR",
)  # fmt: skip
ACTIONS_TAKEN: Final = (
    "ADJUST", "CLEAN", "LUBRICATE", "MODIFY", "NO_ACTION", "OTHER", "OVERHAUL", "REPLACE",
)  # fmt: skip

DEFAULT_SCENARIO_START: Final = timedelta(days=1)
DEFAULT_ALARM_AFTER: Final = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A fault growing on one position.

    The fault begins ``start`` after the simulation start and reaches the ISO alarm level
    ``alarm_after`` later. A user acknowledges the alarm ``acknowledge_after`` after the position
    entered ALARM. The user closes the issue ``close_after`` after the acknowledgement, or after
    the alarm when there is no acknowledgement, and closing repairs the fault.
    """

    position: Position
    fault: str
    start: timedelta = DEFAULT_SCENARIO_START
    alarm_after: timedelta = DEFAULT_ALARM_AFTER
    acknowledge_after: timedelta | None = None
    close_after: timedelta | None = None
    failure_mode: str = ""
    failure_cause: str = ""
    action_taken: str = ""


@dataclass(frozen=True, slots=True)
class Outage:
    """A sensor or gateway that is disconnected for ``duration`` from ``start`` on."""

    kind: str  # "sensor" or "gateway"
    physical_id: str
    start: timedelta
    duration: timedelta


_SCENARIO_KEYS: Final = {
    "position", "fault", "start", "alarm_after", "acknowledge_after", "close_after",
    "failure_mode", "failure_cause", "action_taken",
}  # fmt: skip


def parse_scenario(
    table: Mapping[str, Any], where: str, find_position: Callable[[str], Position]
) -> Scenario:
    """Build a scenario from a ``[[scenarios]]`` table or a parsed ``--scenario`` option.

    ``where`` prefixes every error message, for example ``plant.toml: scenarios[2]``.
    """
    unknown = sorted(set(table) - _SCENARIO_KEYS)
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown key {unknown[0]!r}; known keys: {', '.join(sorted(_SCENARIO_KEYS))}"
        )

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise ConfigurationError(f"{where}.{key}: expected a non-empty string, got {value!r}")
        return value

    def duration(key: str) -> timedelta | None:
        value = text(key)
        if value is None:
            return None
        if key == "start" and value.strip() == "0":
            return timedelta(0)
        return parse_duration(value, what=f"{where}.{key}", allow_zero=key == "start")

    reference = text("position")
    if reference is None:
        raise ConfigurationError(f"{where}.position: missing required string")
    try:
        position = find_position(reference)
    except ConfigurationError as error:
        raise ConfigurationError(f"{where}.position: {error}") from error

    fault = text("fault")
    if fault not in FAULT_KINDS:
        raise ConfigurationError(f"{where}.fault: expected one of {FAULT_KINDS}, got {fault!r}")
    mode, cause, action = DEFAULT_CLOSURE[fault]
    closure = (
        _enum(text("failure_mode") or mode, FAILURE_MODES, f"{where}.failure_mode"),
        _enum(text("failure_cause") or cause, FAILURE_CAUSES, f"{where}.failure_cause"),
        _enum(text("action_taken") or action, ACTIONS_TAKEN, f"{where}.action_taken"),
    )
    start = duration("start")
    alarm_after = duration("alarm_after")
    return Scenario(
        position=position,
        fault=fault,
        start=DEFAULT_SCENARIO_START if start is None else start,
        alarm_after=DEFAULT_ALARM_AFTER if alarm_after is None else alarm_after,
        acknowledge_after=duration("acknowledge_after"),
        close_after=duration("close_after"),
        failure_mode=closure[0],
        failure_cause=closure[1],
        action_taken=closure[2],
    )


def parse_scenario_option(option: str, find_position: Callable[[str], Position]) -> Scenario:
    """Parse ``POSITION=FAULT[,start=1d][,alarm-after=3d][,acknowledge-after=4h][,close-after=8h]``.

    Closure codes may be set the same way (``failure-mode=MISALIGNMENT`` and so on).
    """
    where = f"--scenario {option!r}"
    reference, separator, rest = option.partition("=")
    if not separator or not reference or not rest:
        raise ConfigurationError(
            f"{where}: expected POSITION=FAULT, for example 'Motor DE=looseness'"
        )
    fault, *settings = rest.split(",")
    table: dict[str, Any] = {"position": reference, "fault": fault.strip()}
    for setting in settings:
        key, separator, value = setting.partition("=")
        if not separator:
            raise ConfigurationError(f"{where}: expected KEY=VALUE, got {setting!r}")
        table[key.strip().replace("-", "_")] = value.strip()
    return parse_scenario(table, where, find_position)


def parse_outage(table: Mapping[str, Any], where: str, known_ids: Mapping[str, str]) -> Outage:
    """Build an outage from an ``[[outages]]`` table with ``sensor`` or ``gateway``."""
    unknown = sorted(set(table) - {"sensor", "gateway", "start", "duration"})
    if unknown:
        raise ConfigurationError(f"{where}: unknown key {unknown[0]!r}")
    kinds = [kind for kind in ("sensor", "gateway") if kind in table]
    if len(kinds) != 1:
        raise ConfigurationError(f"{where}: set exactly one of 'sensor' or 'gateway'")
    kind = kinds[0]
    physical_id = table[kind]
    owner = known_ids.get(physical_id) if isinstance(physical_id, str) else None
    if owner is None or not owner.startswith(kind):
        raise ConfigurationError(f"{where}.{kind}: no {kind} {physical_id!r} in the plant")

    values: dict[str, timedelta] = {}
    for key in ("start", "duration"):
        value = table.get(key)
        if not isinstance(value, str):
            raise ConfigurationError(f"{where}.{key}: expected a duration string such as '1d6h'")
        values[key] = parse_duration(value, what=f"{where}.{key}")
    return Outage(
        kind=kind, physical_id=physical_id, start=values["start"], duration=values["duration"]
    )


def _enum(value: str, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise ConfigurationError(f"{where}: expected one of {', '.join(allowed)}, got {value!r}")
    return value
