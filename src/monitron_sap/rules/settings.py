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

# Days of measurements a trend chart shows, ending at the alert.
DEFAULT_CHART_DAYS: Final = 7.0
# A phase change made by a planner in SAP is seen by the pipeline within this many seconds.
DEFAULT_PHASE_CACHE_SECONDS: Final = 60.0

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

    The life-cycle switches: ``update_on_repeat`` appends a further alert's state, time and
    readings to the open notification's long text (off: the alert is only correlated).
    ``in_process_on_acknowledgement`` puts the open notification in process when a Monitron
    user acknowledges the alarm. ``complete_on_closure`` adds an item with the closure code's
    catalog codes to the open notification and completes it when a Monitron user closes the
    issue. ``charts`` attaches a trend chart of the last ``chart_days`` days when a
    notification is created or escalated. ``phase_cache_seconds`` is how long a notification's
    processing phase read from SAP is reused.
    """

    notify_on_alarm: bool = True
    notify_on_needs_maintenance: bool = True
    notify_on_warning: bool = True
    escalate_priority: bool = True
    complete_on_healthy: bool = False
    iso_alarm_from_measurements: bool = False
    disconnected_alert_minutes: int | None = None
    reported_by: str | None = None
    update_on_repeat: bool = True
    in_process_on_acknowledgement: bool = True
    complete_on_closure: bool = True
    charts: bool = True
    chart_days: float = DEFAULT_CHART_DAYS
    phase_cache_seconds: float = DEFAULT_PHASE_CACHE_SECONDS
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
