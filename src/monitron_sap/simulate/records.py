"""Turn simulated events into Monitron export documents (schema v2, or v1 on request).

Key order follows Monitron's documented format blocks, and documents are serialized compactly
with ``ensure_ascii=False``, so the same events always give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from monitron_sap.simulate.classify import ModelResult
from monitron_sap.simulate.physics import Band, Reading
from monitron_sap.simulate.plant import Gateway, Plant, Position
from monitron_sap.simulate.timefmt import format_timestamp

SCHEMA_V1: Final = "v1"
SCHEMA_V2: Final = "v2"
APP_URL: Final = "https://app.monitron.aws/#"

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SimEvent:
    """Something that happened in the simulated plant, before it is given an id and a shape.

    ``state_before`` and ``state_after`` are the asset state around a measurement, which the
    v1 schema carries on every measurement.
    """

    time: datetime
    event_type: str
    site: str
    position: Position | None = None
    gateway: Gateway | None = None
    reading: Reading | None = None
    models: dict[str, ModelResult] | None = None
    sequence_no: int | None = None
    state_before: str | None = None
    state_after: str | None = None
    transition_type: str | None = None
    closure: tuple[str, str, str] | None = None
    resolved_models: tuple[str, ...] = field(default=())

    @property
    def partition_key(self) -> str:
        """The Kinesis partition key: the sensor id, or the gateway id for gateway events."""
        if self.position is not None:
            return self.position.sensor_id
        assert self.gateway is not None
        return self.gateway.physical_id


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """One export document with what the sinks need to place it.

    ``raw`` contains the exact bytes of a record rendered from a template. When it is set,
    sinks write it in place of the serialized ``document``.
    """

    time: datetime
    site: str
    partition_key: str
    document: JsonObject
    raw: bytes | None = None

    def encode(self) -> bytes:
        """Return the record's bytes: ``raw``, or the document as compact single-line JSON."""
        if self.raw is not None:
            return self.raw
        return encode_document(self.document)


def encode_document(document: JsonObject) -> bytes:
    """Serialize a document as compact single-line UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _short_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode("utf-8")).hexdigest()[:10]


class DocumentBuilder:
    """Build export documents for one plant in schema v2 or v1."""

    def __init__(self, plant: Plant, schema: str = SCHEMA_V2) -> None:
        self.plant = plant
        self.schema = schema
        self.project_key = _short_id(plant.account_id, plant.project_id)

    def build(self, event: SimEvent, event_id: str) -> OutputRecord:
        """Return the export record of ``event`` under ``event_id``."""
        document = (
            self._v1(event, event_id) if self.schema == SCHEMA_V1 else self._v2(event, event_id)
        )
        return OutputRecord(event.time, event.site, event.partition_key, document)

    def _v2(self, event: SimEvent, event_id: str) -> JsonObject:
        payload: JsonObject = {"siteName": event.site}
        site = self.plant.site(event.site)
        if event.position is not None:
            payload |= self._asset_context(event.position)
        elif event.gateway is not None:
            site_key = _short_id(self.project_key, event.site)
            payload["gatewayName"] = event.gateway.name
            payload["gatewayListURL"] = f"{APP_URL}/{self.project_key}/{site_key}/@gateways"
        if self.plant.company is not None:
            payload["companyName"] = self.plant.company
        if site.latitude is not None and site.longitude is not None:
            payload["geoLocation"] = {"latitude": site.latitude, "longitude": site.longitude}
        if site.address is not None:
            payload["address"] = site.address
        if event.position is not None:
            payload |= self._asset_metadata(event.position)
        payload |= self._event_body(event)
        if event.position is not None:
            payload["assetPositionId"] = event.position.position_id
        return {
            "timestamp": format_timestamp(event.time),
            "eventId": event_id,
            "version": "2.0",
            "accountId": self.plant.account_id,
            "projectName": self.plant.project_name,
            "projectId": self.plant.project_id,
            "eventType": event.event_type,
            "eventPayload": payload,
        }

    def _asset_context(self, position: Position) -> JsonObject:
        site_key = _short_id(self.project_key, position.site)
        asset_key = _short_id(site_key, position.asset)
        position_key = _short_id(asset_key, position.name)
        return {
            "assetName": position.asset,
            "positionName": position.name,
            "assetPositionURL": (
                f"{APP_URL}/{self.project_key}/{site_key}/@assets/{asset_key}/{position_key}/@details"
            ),
        }

    def _asset_metadata(self, position: Position) -> JsonObject:
        asset = self.plant.asset(position.site, position.asset)
        metadata: JsonObject = {}
        for key, value in (
            ("serialNumber", asset.serial_number),
            ("make", asset.make),
            ("model", asset.model),
        ):
            if value is not None:
                metadata[key] = value
        return metadata

    def _event_body(self, event: SimEvent) -> JsonObject:
        if event.event_type == "measurement":
            assert event.position is not None
            assert event.reading is not None
            assert event.models is not None
            return {
                "sensor": {"physicalId": event.position.sensor_id, "rssi": event.reading.rssi_dbm},
                "gateway": {"physicalId": event.position.gateway_id},
                "measurementTrigger": "periodic",
                "sequenceNo": event.sequence_no,
                "features": _features(event.reading, "totalVibration"),
                "models": _models(event.models, event.position.iso_class, with_previous=True),
            }
        if event.gateway is not None:
            return {"gateway": {"physicalId": event.gateway.physical_id}}
        assert event.position is not None
        body: JsonObject = {"sensor": {"physicalId": event.position.sensor_id}}
        if event.event_type == "assetStateTransition":
            body["assetTransitionType"] = event.transition_type
            body["assetState"] = {
                "newState": event.state_after,
                "previousState": event.state_before,
            }
            if event.closure is not None:
                body["closureCode"] = {
                    "failureMode": event.closure[0],
                    "failureCause": event.closure[1],
                    "actionTaken": event.closure[2],
                    "resolvedModels": list(event.resolved_models),
                }
        return body

    def _v1(self, event: SimEvent, event_id: str) -> JsonObject:
        position = event.position
        assert position is not None
        assert event.reading is not None
        assert event.models is not None
        return {
            "timestamp": format_timestamp(event.time),
            "eventId": event_id,
            "version": "1.0",
            "projectDisplayName": self.plant.project_name,
            "siteDisplayName": position.site,
            "assetDisplayName": position.asset,
            "sensorPositionDisplayName": position.name,
            "sensor": {"physicalId": position.sensor_id, "rssi": event.reading.rssi_dbm},
            "gateway": {"physicalId": position.gateway_id},
            "measurement": {
                "features": _features(event.reading, "resultantVector"),
                "sequenceNo": event.sequence_no,
            },
            "models": _models(event.models, position.iso_class, with_previous=False),
            "assetState": {"newState": event.state_after, "previousState": event.state_before},
        }


def _band(band: Band, total_key: str) -> JsonObject:
    return {
        total_key: {
            "absMax": band.abs_max,
            "absMin": 0,
            "crestFactor": band.crest_factor,
            "rms": band.rms,
        },
        "xAxis": {"rms": band.x_rms},
        "yAxis": {"rms": band.y_rms},
        "zAxis": {"rms": band.z_rms},
    }


def _features(reading: Reading, total_key: str) -> JsonObject:
    x, y, z = reading.broadband
    return {
        "acceleration": {
            "band0To6000Hz": {"xAxis": {"rms": x}, "yAxis": {"rms": y}, "zAxis": {"rms": z}},
            "band10To1000Hz": _band(reading.acceleration, total_key),
        },
        "velocity": {"band10To1000Hz": _band(reading.velocity, total_key)},
        "temperature": reading.temperature_c,
    }


def _models(results: dict[str, ModelResult], iso_class: str, *, with_previous: bool) -> JsonObject:
    models: JsonObject = {}
    for name, result in results.items():
        output: JsonObject = {}
        if name == "vibrationISO":
            output["isoClass"] = iso_class
            output["mutedThreshold"] = None
        if with_previous:
            output["previousPersistentClassificationOutput"] = result.previous_persistent
        output["persistentClassificationOutput"] = result.persistent
        output["pointwiseClassificationOutput"] = result.pointwise
        models[name] = output
    return models
