"""Builders of Monitron export records for the reader tests, in the documented v1 and v2 shapes."""

from __future__ import annotations

import base64
import json
from typing import Any

CONTEXT: dict[str, Any] = {
    "siteName": "Site A",
    "assetName": "Pump 7",
    "positionName": "Motor DE",
    "assetPositionURL": "https://app.monitron.aws/#/a/b/@assets/c/d/@details",
    "assetPositionId": "pos-0001",
    "companyName": "Example Corp",
    "sensor": {"physicalId": "0a1b2c3d4e5f"},
}


def features(total_key: str = "totalVibration") -> dict[str, Any]:
    """Return a measurement's ``features`` block with the 10-1000 Hz aggregate under total_key."""
    return {
        "acceleration": {
            "band0To6000Hz": {"xAxis": {"rms": 0.31}, "yAxis": {"rms": 0.77}, "zAxis": {"rms": 9}},
            "band10To1000Hz": {
                total_key: {"absMax": 0.19, "absMin": 0, "crestFactor": 2.88, "rms": 0.066},
                "xAxis": {"rms": 0.04},
                "yAxis": {"rms": 0.03},
                "zAxis": {"rms": 0.04},
            },
        },
        "velocity": {
            "band10To1000Hz": {
                total_key: {"absMax": 0.3, "absMin": 0.0, "crestFactor": 2000.0, "rms": 0.15},
                "xAxis": {"rms": 0.08},
                "yAxis": {"rms": 0.05},
                "zAxis": {"rms": 0.11},
            }
        },
        "temperature": 41,
    }


MODELS: dict[str, Any] = {
    "temperatureML": {
        "previousPersistentClassificationOutput": "HEALTHY",
        "persistentClassificationOutput": "HEALTHY",
        "pointwiseClassificationOutput": "INITIALIZING",
    },
    "vibrationISO": {
        "isoClass": "CLASS2",
        "mutedThreshold": None,
        "persistentClassificationOutput": "WARNING",
        "pointwiseClassificationOutput": "MUTED_WARNING",
    },
}


def v2(event_type: str = "measurement", event_id: Any = "100", **payload: Any) -> dict[str, Any]:
    """Return a v2 record of the given type; payload keys are added to or replace the context."""
    body: dict[str, Any] = dict(CONTEXT)
    if event_type == "measurement":
        body.update(
            sensor={"physicalId": "0a1b2c3d4e5f", "rssi": -61},
            gateway={"physicalId": "f5e4d3c2b1a0"},
            sequenceNo=4711,
            features=features(),
            models=MODELS,
        )
    elif event_type == "assetStateTransition":
        body.update(
            assetTransitionType="measurement",
            assetState={"newState": "WARNING", "previousState": "HEALTHY"},
        )
    elif event_type.startswith("gateway"):
        body = {
            "siteName": "Site A",
            "gatewayName": "Hall 2 gateway",
            "gateway": {"physicalId": "f5e4d3c2b1a0"},
        }
    body.update(payload)
    return {
        "timestamp": "2024-03-05 14:07:31.512",
        "eventId": event_id,
        "version": "2.0",
        "accountId": "111122223333",
        "projectName": "Example Plant",
        "projectId": "exampleproj01",
        "eventType": event_type,
        "eventPayload": body,
    }


def v1(event_id: Any = "900001", **fields: Any) -> dict[str, Any]:
    """Return a v1 measurement record; keyword arguments are added to or replace its fields."""
    record: dict[str, Any] = {
        "timestamp": "2022-06-01 08:00:12.345",
        "eventId": event_id,
        "version": "1.0",
        "projectDisplayName": "Example Plant",
        "siteDisplayName": "Site A",
        "assetDisplayName": "Pump 7",
        "sensorPositionDisplayName": "Motor DE",
        "sensor": {"physicalId": "0a1b2c3d4e5f", "rssi": -61},
        "gateway": {"physicalId": "f5e4d3c2b1a0"},
        "measurement": {"features": features("resultantVector"), "sequenceNo": 12},
        "models": {"vibrationML": {"persistentClassificationOutput": "ALARM"}},
        "assetState": {"newState": "ALARM", "previousState": "WARNING"},
    }
    record.update(fields)
    return record


def line(record: Any) -> bytes:
    """Return the record as one compact JSON line without the line end."""
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def error_envelope(raw: bytes | str) -> dict[str, Any]:
    """Return a Firehose error-output envelope around raw record bytes (or a ready rawData)."""
    data = raw if isinstance(raw, str) else base64.b64encode(raw).decode("ascii")
    return {
        "attemptsMade": 1,
        "arrivalTimestamp": 1709647651512,
        "errorCode": "DynamicPartitioning.MetadataExtractionFailed",
        "errorMessage": "Non JSON record provided",
        "attemptEndingTimestamp": 1709647712000,
        "rawData": data,
    }
