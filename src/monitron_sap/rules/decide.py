"""Decide what SAP must do for a Monitron event: notify, complete or nothing, with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from monitron_sap.assets.model import PositionRef
from monitron_sap.events.model import (
    ALARM,
    ASSET_STATE_TRANSITION,
    BY_USER_INPUT,
    EVENT_TYPES,
    GATEWAY_CONNECTED,
    GATEWAY_DISCONNECTED,
    HEALTHY,
    MEASUREMENT,
    NEEDS_MAINTENANCE,
    SENSOR_CONNECTED,
    SENSOR_DISCONNECTED,
    WARNING,
    MonitronEvent,
)
from monitron_sap.rules.settings import DISCONNECTED, RuleSettings

# Reason codes for records that need nothing from SAP. The ledger stores "CODE: detail".
MEASUREMENT_ONLY: Final = "measurement"
CONNECTIVITY: Final = "connectivity"
NO_STATE_CHANGE: Final = "no_state_change"
STATE_NOT_ALERTING: Final = "state_not_alerting"
SWITCHED_OFF: Final = "switched_off"
RETURNED_TO_HEALTHY: Final = "returned_to_healthy"
UNKNOWN_EVENT_TYPE: Final = "unknown_event_type"
NO_MAPPING: Final = "no_mapping"
NO_OPEN_NOTIFICATION: Final = "no_open_notification"
DISCONNECTED_TOO_LONG: Final = "disconnected"
ACKNOWLEDGED: Final = "acknowledged"
CLOSED_BY_USER: Final = "closed_by_user"

ISO_MODEL: Final = "vibrationISO"
GATEWAY_ASSET: Final = "Gateway"


class Action(StrEnum):
    NOTIFY = "notify"  # create a notification unless one is open for the position
    COMPLETE = "complete"  # complete the open notification for the position, if any
    CLOSE = "close"  # add the closure code's item to the open notification, then complete it
    SKIP = "skip"  # nothing to do in SAP


@dataclass(frozen=True, slots=True)
class Decision:
    """The action for one event. ``state`` is the Monitron state that drives the notification."""

    action: Action
    reason_code: str
    reason: str
    state: str | None = None

    @property
    def ledger_reason(self) -> str:
        return f"{self.reason_code}: {self.reason}"

    @property
    def is_acknowledgement(self) -> bool:
        """True for a Monitron user's acknowledgement: NEEDS_MAINTENANCE by user input."""
        return self.reason_code == ACKNOWLEDGED


def position_of(event: MonitronEvent) -> PositionRef:
    """Return the asset position an event belongs to."""
    return PositionRef(
        project=event.project,
        site=event.site,
        asset=event.asset,
        position=event.position,
        asset_position_id=event.asset_position_id,
        sensor_id=event.sensor_id,
    )


def decide(event: MonitronEvent, settings: RuleSettings) -> Decision:
    """Decide what SAP must do for ``event`` under ``settings``.

    The event type decides first: only a v2 ``assetStateTransition`` and a v1 record (a
    ``measurement`` with ``schema_version`` 1 that carries the asset state) are transitions. A
    v2 ``measurement`` with a non-standard ``assetState`` is still a measurement.
    """
    is_transition = event.event_type == ASSET_STATE_TRANSITION or (
        event.event_type == MEASUREMENT and event.schema_version == 1
    )
    if is_transition and event.new_state is not None:
        return _decide_transition(event, event.new_state, settings)
    if event.event_type == MEASUREMENT:
        return _decide_measurement(event, settings)
    if event.event_type in (
        SENSOR_CONNECTED,
        SENSOR_DISCONNECTED,
        GATEWAY_CONNECTED,
        GATEWAY_DISCONNECTED,
    ):
        return _skip(CONNECTIVITY, f"{event.event_type} events create no notification")
    if event.event_type == ASSET_STATE_TRANSITION:
        return _skip(NO_STATE_CHANGE, "the transition carries no new state")
    return _skip(
        UNKNOWN_EVENT_TYPE,
        f"event type {event.event_type!r} is not one of {', '.join(EVENT_TYPES)}",
    )


def _decide_transition(event: MonitronEvent, new_state: str, settings: RuleSettings) -> Decision:
    previous = event.previous_state or "?"
    if not event.is_state_change:
        return _skip(NO_STATE_CHANGE, f"state stays {new_state}")
    by_user = event.transition_type == BY_USER_INPUT
    if new_state == HEALTHY:
        if by_user and event.closure_code is not None and settings.complete_on_closure:
            closure = event.closure_code
            return Decision(
                Action.CLOSE,
                CLOSED_BY_USER,
                f"{previous} -> HEALTHY by user input, failure mode {closure.failure_mode or '-'}, "
                f"cause {closure.failure_cause or '-'}, action {closure.action_taken or '-'}",
                None,
            )
        if settings.complete_on_healthy:
            return Decision(Action.COMPLETE, RETURNED_TO_HEALTHY, f"{previous} -> HEALTHY", None)
        return _skip(RETURNED_TO_HEALTHY, f"{previous} -> HEALTHY; notifications stay as they are")
    if new_state not in (ALARM, NEEDS_MAINTENANCE, WARNING):
        return _skip(STATE_NOT_ALERTING, f"{previous} -> {new_state} needs no notification")
    if not settings.notifies_on(new_state):
        return _skip(SWITCHED_OFF, f"notifications for {new_state} are switched off")
    if new_state == NEEDS_MAINTENANCE and by_user:
        reason = f"{previous} -> {new_state} by user input (alarm acknowledged)"
        return Decision(Action.NOTIFY, ACKNOWLEDGED, reason, new_state)
    return Decision(Action.NOTIFY, "transition", f"{previous} -> {new_state}", new_state)


def _decide_measurement(event: MonitronEvent, settings: RuleSettings) -> Decision:
    iso = event.models.get(ISO_MODEL)
    if (
        settings.iso_alarm_from_measurements
        and iso is not None
        and iso.persistent == ALARM
        and iso.previous_persistent != ALARM
    ):
        previous = iso.previous_persistent or "?"
        return Decision(
            Action.NOTIFY, "iso_alarm", f"vibrationISO persistent {previous} -> ALARM", ALARM
        )
    return _skip(MEASUREMENT_ONLY, "measurements without a state change create no notification")


def _skip(code: str, reason: str) -> Decision:
    return Decision(Action.SKIP, code, reason)


def device_key(event: MonitronEvent) -> str | None:
    """Return ``sensor:ID`` or ``gateway:ID`` for a connectivity event, else ``None``."""
    if event.event_type in (SENSOR_CONNECTED, SENSOR_DISCONNECTED) and event.sensor_id:
        return f"sensor:{event.sensor_id}"
    if event.event_type in (GATEWAY_CONNECTED, GATEWAY_DISCONNECTED) and event.gateway_id:
        return f"gateway:{event.gateway_id}"
    return None


def disconnected_decision(event: MonitronEvent, minutes: int) -> Decision:
    """Return the NOTIFY decision for a device that stayed disconnected past ``minutes``."""
    if event.event_type == GATEWAY_DISCONNECTED:
        device = f"gateway {event.gateway_name or event.gateway_id}"
    else:
        device = f"sensor {event.sensor_id}"
    reason = (
        f"{device} disconnected at {event.timestamp:%Y-%m-%d %H:%M} UTC "
        f"and did not reconnect within {minutes} minutes"
    )
    return Decision(Action.NOTIFY, DISCONNECTED_TOO_LONG, reason, DISCONNECTED)


def device_position(event: MonitronEvent) -> PositionRef:
    """Return the position a connectivity alert belongs to.

    A gateway has no asset or position, so its alert uses the asset name ``Gateway`` and the
    gateway's name as the position. A site-level mapping entry covers it, and a row with asset
    ``Gateway`` and the gateway's name can send it elsewhere.
    """
    if event.event_type in (GATEWAY_CONNECTED, GATEWAY_DISCONNECTED):
        return PositionRef(
            project=event.project,
            site=event.site,
            asset=GATEWAY_ASSET,
            position=event.gateway_name or event.gateway_id,
        )
    return position_of(event)
