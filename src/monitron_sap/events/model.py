"""The normalized Monitron event: one shape for v1 and v2 records of every event type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

MEASUREMENT: Final = "measurement"
ASSET_STATE_TRANSITION: Final = "assetStateTransition"
SENSOR_CONNECTED: Final = "sensorConnected"
SENSOR_DISCONNECTED: Final = "sensorDisconnected"
GATEWAY_CONNECTED: Final = "gatewayConnected"
GATEWAY_DISCONNECTED: Final = "gatewayDisconnected"
EVENT_TYPES: Final = (
    MEASUREMENT,
    ASSET_STATE_TRANSITION,
    SENSOR_CONNECTED,
    SENSOR_DISCONNECTED,
    GATEWAY_CONNECTED,
    GATEWAY_DISCONNECTED,
)

# Asset states as Monitron exports them. Unknown values are kept as the raw string.
HEALTHY: Final = "HEALTHY"
WARNING: Final = "WARNING"
ALARM: Final = "ALARM"
NEEDS_MAINTENANCE: Final = "NEEDS_MAINTENANCE"
UNKNOWN: Final = "UNKNOWN"

# assetTransitionType values.
BY_MEASUREMENT: Final = "measurement"
BY_USER_INPUT: Final = "userInput"


JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SourceRef:
    """The location of a record: a file path, ``-`` for standard input, or an ``s3://`` URI.

    ``offset`` is the byte offset of the record's first byte in the decompressed stream and
    ``line`` its 1-based line number there. ``from_error_output`` is true when the record was
    unwrapped from a Firehose error-output envelope.
    """

    source: str
    offset: int
    line: int
    from_error_output: bool = False


@dataclass(frozen=True, slots=True)
class ClosureCode:
    """The codes a Monitron user chose when closing out an issue. Each field may be missing."""

    failure_mode: str | None = None
    failure_cause: str | None = None
    action_taken: str | None = None
    resolved_models: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelOutput:
    """The output of one Monitron model (``vibrationISO``, ``vibrationML``, ``temperatureML``)."""

    persistent: str | None = None
    previous_persistent: str | None = None
    pointwise: str | None = None
    iso_class: str | None = None
    muted_threshold: str | None = None


@dataclass(frozen=True, slots=True)
class VibrationBand:
    """The 10-1000 Hz aggregate (``totalVibration``, v1 ``resultantVector``) and per-axis RMS.

    Acceleration values are in m/s², velocity values in mm/s. ``crest_factor`` is recomputed as
    ``abs_max / rms`` when both are present, because Monitron's exported velocity crest factor is
    sometimes scaled by 1000; ``reported_crest_factor`` keeps the exported value.
    """

    rms: float | None = None
    abs_max: float | None = None
    abs_min: float | None = None
    crest_factor: float | None = None
    reported_crest_factor: float | None = None
    x_rms: float | None = None
    y_rms: float | None = None
    z_rms: float | None = None


@dataclass(frozen=True, slots=True)
class Features:
    """Measured features. ``broadband_*`` is the 0-6000 Hz acceleration RMS, gravity included."""

    acceleration: VibrationBand = field(default_factory=VibrationBand)
    velocity: VibrationBand = field(default_factory=VibrationBand)
    temperature_c: float | None = None
    broadband_x_rms: float | None = None
    broadband_y_rms: float | None = None
    broadband_z_rms: float | None = None


# No __slots__, because PendingEvent.finish needs an instance dictionary and the fields built on
# access are cached there.
@dataclass(frozen=True)
class MonitronEvent:
    """One Monitron export record, normalized into the v2 shape.

    A v1 record is a ``measurement`` that also carries ``new_state`` and ``previous_state``.
    ``event_id`` is always a string, ``timestamp`` is timezone-aware UTC. Every context field may
    be ``None`` because Monitron omits fields that older exports did not have. ``raw`` is the
    decoded record as read, kept so that a dead letter can be stored and parsed again.

    In an event from the reader, ``source``, ``raw``, ``features`` and ``models`` may be built on
    first access and then cached, because building them costs more than the rest of reading a
    record and not every consumer reads them. What is checked at that access depends on how the
    record was read (see ``monitron_sap.events.typed``): a check that fails raises
    ``SchemaError`` (an ``InputError``) from the attribute, and from ``==``, ``repr`` and
    ``dataclasses.replace``, which read every field. ``raw`` must not be changed before
    ``features`` and ``models`` have been read. ``check_nested`` in the reader builds all three
    and turns such an error into a ``RecordError``.
    """

    event_id: str
    event_type: str
    schema_version: int
    timestamp: datetime
    source: SourceRef
    version: str | None = None
    account_id: str | None = None
    project: str | None = None
    project_id: str | None = None
    site: str | None = None
    asset: str | None = None
    position: str | None = None
    asset_position_id: str | None = None
    asset_position_url: str | None = None
    sensor_id: str | None = None
    sensor_rssi: float | None = None
    gateway_id: str | None = None
    gateway_name: str | None = None
    company: str | None = None
    serial_number: str | None = None
    sequence_no: int | None = None
    measurement_trigger: str | None = None
    transition_type: str | None = None
    new_state: str | None = None
    previous_state: str | None = None
    closure_code: ClosureCode | None = None
    features: Features | None = None
    models: dict[str, ModelOutput] = field(default_factory=dict)
    raw: JsonObject | None = field(default=None, compare=False, repr=False)

    @property
    def record_key(self) -> str:
        """The stable key under which the ledger records this event."""
        return f"{self.event_type}:{self.event_id}"

    @property
    def is_state_change(self) -> bool:
        """True for a transition whose new state differs from the previous one."""
        return self.new_state is not None and self.new_state != self.previous_state

    def position_path(self) -> str:
        """Return ``project/site/asset/position`` with ``?`` for each missing part."""
        parts = (self.project, self.site, self.asset, self.position)
        return "/".join(part if part is not None else "?" for part in parts)


NestedNormalizer = Callable[[dict[str, Any], str], Any]
"""A function that builds ``raw``, ``features`` or ``models`` (the name it gets) of an event.

It gets the event's instance dictionary, with ``raw`` or the decoded record in ``_nested``, and
the arguments of ``SourceRef`` in ``_where``.
"""


class _BuiltOnAccess:
    """The class attribute behind ``source``, ``raw``, ``features`` and ``models``: built on access.

    This is a non-data descriptor, so a value in the instance dictionary takes precedence. The
    generated ``__init__`` always stores one there. An event from ``PendingEvent`` has none, and
    this descriptor builds the value on first access and stores it in the instance dictionary.
    """

    def __init__(self, name: str, build: Callable[[dict[str, Any], str], Any]) -> None:
        self._name = name
        self._build = build

    def __get__(self, event: MonitronEvent | None, owner: type[MonitronEvent]) -> Any:
        if event is None:
            return self
        value = self._build(event.__dict__, self._name)
        object.__setattr__(event, self._name, value)
        return value


def _build_source(state: dict[str, Any], name: str) -> SourceRef:
    return SourceRef(*state["_where"])


def _build_nested(state: dict[str, Any], name: str) -> Any:
    return state["_normalize"](state, name)


# Installed after @dataclass has read the class defaults, so the generated __init__ keeps them.
for _name, _build in (
    ("source", _build_source),
    ("raw", _build_nested),
    ("features", _build_nested),
    ("models", _build_nested),
):
    setattr(MonitronEvent, _name, _BuiltOnAccess(_name, _build))
del _name, _build


class PendingEvent:
    """A ``MonitronEvent`` under construction, with ordinary attribute assignment.

    The reader fills one and calls ``finish``. The generated ``__init__`` sets each of the 29
    fields of the frozen dataclass with a call to ``object.__setattr__``, and took about 3.9 µs
    per event, against about 0.35 µs for this (timeit, CPython 3.11.7), because CPython
    specializes plain attribute stores.
    ``PendingEvent`` has the same memory layout as ``MonitronEvent`` (an instance dictionary and
    no slots), so ``finish`` can turn the object into a ``MonitronEvent`` in place by assigning
    ``__class__``.

    Every field except ``source``, ``raw``, ``features`` and ``models`` must be set before
    ``finish``, with ``_where`` (the arguments of ``SourceRef``) and ``_normalize``. ``source``
    is built on first access from ``_where``. ``raw`` may be set; the other two, and ``raw``
    when it is not set, are built on first access by ``_normalize``, which may read ``_nested``.
    """

    event_id: str
    event_type: str
    schema_version: int
    timestamp: datetime
    version: str | None
    account_id: str | None
    project: str | None
    project_id: str | None
    site: str | None
    asset: str | None
    position: str | None
    asset_position_id: str | None
    asset_position_url: str | None
    sensor_id: str | None
    sensor_rssi: float | None
    gateway_id: str | None
    gateway_name: str | None
    company: str | None
    serial_number: str | None
    sequence_no: int | None
    measurement_trigger: str | None
    transition_type: str | None
    new_state: str | None
    previous_state: str | None
    closure_code: ClosureCode | None
    raw: JsonObject
    _where: tuple[str, int, int, bool]
    _nested: Any
    _normalize: NestedNormalizer

    def finish(self) -> MonitronEvent:
        """Turn this object into the finished, frozen ``MonitronEvent`` and return it."""
        self.__class__ = MonitronEvent  # type: ignore[assignment]
        return self  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class RecordError:
    """A record that could not be used, with where it was and what was wrong.

    ``excerpt`` contains at most the first 200 characters of the record as text, for the report.
    """

    source: SourceRef
    message: str
    excerpt: str = ""

    def describe(self) -> str:
        """Return ``SOURCE:LINE (byte OFFSET): MESSAGE`` for messages to the user."""
        where = f"{self.source.source}:{self.source.line} (byte {self.source.offset})"
        if self.source.from_error_output:
            where += " [from Firehose error output]"
        return f"{where}: {self.message}"


ReadResult = MonitronEvent | RecordError
