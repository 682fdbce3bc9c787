"""Build Monitron events and mapping entries for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from monitron_sap.assets.model import MappingEntry
from monitron_sap.events.model import (
    ASSET_STATE_TRANSITION,
    MEASUREMENT,
    Features,
    ModelOutput,
    MonitronEvent,
    SourceRef,
    VibrationBand,
)

START = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
PROJECT = "Northwind Bottling"
SITE = "Plant Hamburg"
ASSET = "Pump P-101"
POSITION = "Motor DE"


def transition(
    event_id: str,
    new_state: str,
    previous_state: str = "HEALTHY",
    *,
    minutes: int = 0,
    site: str = SITE,
    asset: str = ASSET,
    position: str = POSITION,
    position_id: str | None = "pos-a1b2c3d40101",
    sensor_id: str | None = "a1b2c3d40101",
    source: str = "export.jsonl",
    offset: int = 0,
) -> MonitronEvent:
    """Return a v2 assetStateTransition event."""
    raw: dict[str, Any] = {
        "eventId": event_id,
        "eventType": ASSET_STATE_TRANSITION,
        "eventPayload": {"assetState": {"newState": new_state, "previousState": previous_state}},
    }
    return MonitronEvent(
        event_id=event_id,
        event_type=ASSET_STATE_TRANSITION,
        schema_version=2,
        timestamp=START + timedelta(minutes=minutes),
        source=SourceRef(source, offset, offset + 1),
        version="2.0",
        project=PROJECT,
        site=site,
        asset=asset,
        position=position,
        asset_position_id=position_id,
        asset_position_url="https://app.monitron.aws/#/p/s/@assets/a/p/@details",
        sensor_id=sensor_id,
        transition_type="measurement",
        new_state=new_state,
        previous_state=previous_state,
        raw=raw,
    )


def measurement(
    event_id: str,
    *,
    minutes: int = 0,
    velocity_rms: float = 4.5,
    iso: str = "HEALTHY",
    previous_iso: str = "HEALTHY",
    position_id: str | None = "pos-a1b2c3d40101",
    site: str = SITE,
    asset: str = ASSET,
    position: str = POSITION,
) -> MonitronEvent:
    """Return a v2 measurement event with velocity, acceleration, temperature and models."""
    return MonitronEvent(
        event_id=event_id,
        event_type=MEASUREMENT,
        schema_version=2,
        timestamp=START + timedelta(minutes=minutes),
        source=SourceRef("export.jsonl", 100, 2),
        version="2.0",
        project=PROJECT,
        site=site,
        asset=asset,
        position=position,
        asset_position_id=position_id,
        sensor_id="a1b2c3d40101",
        gateway_id="f0e1d2c30001",
        features=Features(
            acceleration=VibrationBand(rms=0.52, abs_max=1.4, crest_factor=2.7),
            velocity=VibrationBand(rms=velocity_rms, abs_max=9.8, x_rms=2.1),
            temperature_c=45.2,
        ),
        models={
            "vibrationISO": ModelOutput(
                persistent=iso, previous_persistent=previous_iso, iso_class="CLASS2"
            ),
            "temperatureML": ModelOutput(persistent="HEALTHY", pointwise="HEALTHY"),
        },
        raw={"eventId": event_id, "eventType": MEASUREMENT},
    )


def pump_mapping(**overrides: Any) -> MappingEntry:
    """Return the asset-level entry for Pump P-101 in Plant Hamburg."""
    values: dict[str, Any] = {
        "technical_object": "10000101",
        "technical_object_kind": "EAMS_EQUI",
        "notification_type": "M2",
        "warning_notification_type": "M1",
        "project": PROJECT,
        "site": SITE,
        "asset": ASSET,
        "position": "*",
        "planning_plant": "1010",
        "planner_group": "100",
        "main_work_center": "MECH-HH",
        "main_work_center_plant": "1010",
    }
    values.update(overrides)
    return MappingEntry(**values)
