"""Raw Monitron export records (v2) for end-to-end tests, written as JSON Lines files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PROJECT = "Northwind Bottling"


def v2_transition(
    event_id: str,
    new_state: str,
    previous_state: str = "HEALTHY",
    *,
    site: str = "Plant Hamburg",
    asset: str = "Pump P-101",
    position: str = "Motor DE",
    sensor: str = "a1b2c3d40101",
    timestamp: str = "2026-01-06 05:00:33.719",
    transition_type: str = "measurement",
    closure_code: dict[str, Any] | None = None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "timestamp": timestamp,
        "eventId": event_id,
        "version": "2.0",
        "accountId": "111122223333",
        "projectName": PROJECT,
        "projectId": "nwbottling01",
        "eventType": "assetStateTransition",
        "eventPayload": {
            "siteName": site,
            "assetName": asset,
            "positionName": position,
            "assetPositionURL": "https://app.monitron.aws/#/a/b/@assets/c/d/@details",
            "assetPositionId": f"pos-{sensor}",
            "sensor": {"physicalId": sensor},
            "assetTransitionType": transition_type,
            "assetState": {"newState": new_state, "previousState": previous_state},
        },
    }
    if closure_code is not None:
        record["eventPayload"]["closureCode"] = closure_code
    return record


def v2_measurement(
    event_id: str,
    *,
    velocity_rms: float = 3.2,
    sensor: str = "a1b2c3d40101",
    timestamp: str = "2026-01-06 05:00:31.000",
) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "eventId": event_id,
        "version": "2.0",
        "accountId": "111122223333",
        "projectName": PROJECT,
        "eventType": "measurement",
        "eventPayload": {
            "siteName": "Plant Hamburg",
            "assetName": "Pump P-101",
            "positionName": "Motor DE",
            "assetPositionId": f"pos-{sensor}",
            "sensor": {"physicalId": sensor, "rssi": -60},
            "gateway": {"physicalId": "f0e1d2c30001"},
            "sequenceNo": 7,
            "features": {
                "velocity": {
                    "band10To1000Hz": {
                        "totalVibration": {
                            "absMax": 9.1,
                            "absMin": 0,
                            "crestFactor": 2.8,
                            "rms": velocity_rms,
                        }
                    }
                },
                "temperature": 51.5,
            },
            "models": {
                "vibrationISO": {
                    "isoClass": "CLASS2",
                    "mutedThreshold": None,
                    "previousPersistentClassificationOutput": "WARNING",
                    "persistentClassificationOutput": "ALARM",
                    "pointwiseClassificationOutput": "ALARM",
                }
            },
        },
    }


def v2_sensor_event(
    event_id: str, event_type: str, timestamp: str, *, sensor: str = "a1b2c3d40101"
) -> dict[str, Any]:
    """Return a sensorConnected or sensorDisconnected record of Pump P-101's Motor DE."""
    return {
        "timestamp": timestamp,
        "eventId": event_id,
        "version": "2.0",
        "accountId": "111122223333",
        "projectName": PROJECT,
        "eventType": event_type,
        "eventPayload": {
            "siteName": "Plant Hamburg",
            "assetName": "Pump P-101",
            "positionName": "Motor DE",
            "assetPositionId": f"pos-{sensor}",
            "sensor": {"physicalId": sensor},
        },
    }


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path
