"""Build the SAP notification draft for an alert from the mapping entry, the rules and the texts."""

from __future__ import annotations

from monitron_sap.assets.model import MappingEntry, PositionRef
from monitron_sap.events.model import ALARM, NEEDS_MAINTENANCE, WARNING, MonitronEvent
from monitron_sap.rules.decide import Decision
from monitron_sap.rules.measurements import MeasurementSnapshot
from monitron_sap.rules.settings import DISCONNECTED, RuleSettings
from monitron_sap.rules.texts import long_text, short_text
from monitron_sap.sap.models import (
    EQUIPMENT,
    FUNCTIONAL_LOCATION,
    NotificationDraft,
    TechnicalObjectKind,
)


def priority_for(mapping: MappingEntry, state: str, rules: RuleSettings) -> str | None:
    """Return the mapping's priority for ``state``, else the rules' default for it."""
    by_state = {
        ALARM: mapping.priority_alarm,
        NEEDS_MAINTENANCE: mapping.priority_needs_maintenance,
        WARNING: mapping.priority_warning,
        DISCONNECTED: mapping.priority_warning,
    }
    return by_state.get(state) or rules.default_priorities.get(state)


def build_draft(
    event: MonitronEvent,
    decision: Decision,
    mapping: MappingEntry,
    position: PositionRef,
    snapshot: MeasurementSnapshot | None,
    *,
    rules: RuleSettings,
    external_reference: str,
) -> NotificationDraft:
    """Return the notification to create for an alert for which ``decision`` is NOTIFY."""
    state = decision.state or ALARM
    notification_type = mapping.notification_type
    if state in (WARNING, DISCONNECTED) and mapping.warning_notification_type:
        notification_type = mapping.warning_notification_type
    return NotificationDraft(
        text=short_text(position, state),
        notification_type=notification_type,
        technical_object=mapping.technical_object,
        technical_object_kind=_kind(mapping.technical_object_kind),
        priority=priority_for(mapping, state, rules),
        planning_plant=mapping.planning_plant,
        planner_group=mapping.planner_group,
        main_work_center=mapping.main_work_center,
        main_work_center_plant=mapping.main_work_center_plant,
        reported_by=rules.reported_by,
        malfunction_start=event.timestamp,
        long_text=long_text(event, decision, snapshot, external_reference),
        external_reference=external_reference,
    )


def _kind(kind: str) -> TechnicalObjectKind | None:
    if kind == EQUIPMENT:
        return EQUIPMENT
    if kind == FUNCTIONAL_LOCATION:
        return FUNCTIONAL_LOCATION
    return None
