"""The short and long texts of a notification, built from the event and the latest measurement."""

from __future__ import annotations

from typing import Final

from monitron_sap.assets.model import PositionRef
from monitron_sap.events.model import ALARM, NEEDS_MAINTENANCE, WARNING, MonitronEvent
from monitron_sap.rules.decide import Decision
from monitron_sap.rules.measurements import MeasurementSnapshot, describe_model
from monitron_sap.rules.settings import DISCONNECTED

SHORT_TEXT_MAX: Final = 40  # SAP's MaintenanceNotification.NotificationText length
STATE_LABELS: Final = {
    ALARM: "Alarm",
    WARNING: "Warning",
    NEEDS_MAINTENANCE: "Maintenance",
    DISCONNECTED: "Disconnected",
}
ELLIPSIS: Final = "…"


def short_text(position: PositionRef, state: str) -> str:
    """Return ``ASSET POSITION: State`` cut to 40 characters, asset first, then position."""
    suffix = f": {STATE_LABELS.get(state, state.title())}"
    asset = position.asset or "?"
    name = position.position or "?"
    budget = SHORT_TEXT_MAX - len(suffix) - 1  # one space between asset and position
    if len(asset) + len(name) > budget:
        name_budget = max(budget // 2, budget - len(asset))
        name = _cut(name, name_budget)
        asset = _cut(asset, budget - len(name))
    return f"{asset} {name}{suffix}"[:SHORT_TEXT_MAX]


def long_text(
    event: MonitronEvent,
    decision: Decision,
    snapshot: MeasurementSnapshot | None,
    external_reference: str,
) -> str:
    """Return the long text: time, place, model outputs, latest readings with units and link."""
    position = event.position_path().replace("/", " / ")
    lines = [
        f"Monitron alert: {decision.reason}",
        f"Monitron time (UTC): {event.timestamp:%Y-%m-%d %H:%M:%S}",
        f"Project / site / asset / position: {position}",
    ]
    if event.sensor_id:
        lines.append(f"Sensor: {event.sensor_id}")
    if event.transition_type:
        lines.append(f"Transition caused by: {event.transition_type}")

    models = snapshot.models if snapshot is not None else ()
    if event.models:
        models = tuple(
            (name, describe_model(output)) for name, output in sorted(event.models.items())
        )
    if models:
        lines.append("Model outputs:")
        lines += [f"  {name}: {summary}" for name, summary in models]
    if snapshot is not None and snapshot.readings:
        lines.append(f"Latest measurement ({snapshot.taken_at:%Y-%m-%d %H:%M:%S} UTC):")
        lines += [f"  {reading.describe()}" for reading in snapshot.readings]
    else:
        lines.append("Latest measurement: none received for this position yet.")

    if event.asset_position_url:
        lines.append(f"Monitron app: {event.asset_position_url}")
    lines.append(f"Monitron event {event.event_id}, reference {external_reference}")
    return "\n".join(lines)


def update_text(
    event: MonitronEvent, decision: Decision, snapshot: MeasurementSnapshot | None
) -> str:
    """Return the lines appended to an open notification's long text for a further alert."""
    lines = [
        f"Monitron update ({event.timestamp:%Y-%m-%d %H:%M:%S} UTC): {decision.reason}",
    ]
    if event.transition_type:
        lines.append(f"Transition caused by: {event.transition_type}")
    if event.models:
        lines += [
            f"  {name}: {describe_model(output)}" for name, output in sorted(event.models.items())
        ]
    if snapshot is not None and snapshot.readings:
        lines.append(f"Latest measurement ({snapshot.taken_at:%Y-%m-%d %H:%M:%S} UTC):")
        lines += [f"  {reading.describe()}" for reading in snapshot.readings]
    lines.append(f"Monitron event {event.event_id}")
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[: max(limit, 0)]
    return text[: limit - 1] + ELLIPSIS
