"""The rule settings and their defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from monitron_sap.events.model import ALARM, NEEDS_MAINTENANCE, WARNING

# The state of a notification raised because a sensor or gateway stayed disconnected. It is not
# a Monitron asset state.
DISCONNECTED: Final = "DISCONNECTED"

# SAP priority codes used when the mapping entry gives none: 1 very high ... 4 low.
DEFAULT_PRIORITIES: Final = MappingProxyType(
    {ALARM: "2", NEEDS_MAINTENANCE: "2", WARNING: "4", DISCONNECTED: "4"}
)

# Severity order for escalation: a higher number is more urgent.
SEVERITY: Final = MappingProxyType({WARNING: 1, NEEDS_MAINTENANCE: 2, ALARM: 3})


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """The switches that decide which events create, update or complete notifications.

    ``notify_on_*`` switch notifications for transitions into each state.
    ``escalate_priority`` raises the priority of the open notification when a more severe state
    arrives for the same position. ``complete_on_healthy`` completes the open notification when
    the position returns to HEALTHY. ``iso_alarm_from_measurements`` creates a notification from a
    measurement whose ``vibrationISO`` persistent output turns ALARM, for exports that lack
    state-transition events. ``disconnected_alert_minutes`` creates a notification when a sensor
    or gateway stays disconnected longer than that many minutes of Monitron time (``None`` turns
    the rule off). ``reported_by`` is sent as the notification's reporter.
    """

    notify_on_alarm: bool = True
    notify_on_needs_maintenance: bool = True
    notify_on_warning: bool = True
    escalate_priority: bool = True
    complete_on_healthy: bool = False
    iso_alarm_from_measurements: bool = False
    disconnected_alert_minutes: int | None = None
    reported_by: str | None = None
    default_priorities: MappingProxyType[str, str] = field(
        default_factory=lambda: DEFAULT_PRIORITIES
    )

    def notifies_on(self, state: str) -> bool:
        """Return whether a transition into ``state`` creates a notification."""
        switches = {
            ALARM: self.notify_on_alarm,
            NEEDS_MAINTENANCE: self.notify_on_needs_maintenance,
            WARNING: self.notify_on_warning,
        }
        return switches.get(state, False)
