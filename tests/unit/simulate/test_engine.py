"""The simulation run: transitions, model outputs, outages, ids and determinism."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.engine import SimulationConfig, simulate
from monitron_sap.simulate.plant import Plant, load_plant
from monitron_sap.simulate.records import OutputRecord
from monitron_sap.simulate.scenarios import FAULT_KINDS, parse_scenario_option

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$")
POSITION = "Pump P-101/Motor NDE"
SENSOR = "a1b2c3d40102"


def run(plant: Plant, **config: Any) -> list[OutputRecord]:
    return list(simulate(plant, SimulationConfig(**config)))


def with_scenario(option: str) -> Plant:
    plant = load_plant()
    return plant.with_scenarios((parse_scenario_option(option, plant.find_position),))


def transitions(records: list[OutputRecord], sensor: str) -> list[tuple[str, str, str]]:
    found = []
    for record in records:
        payload = record.document["eventPayload"]
        if (
            record.document["eventType"] == "assetStateTransition"
            and payload["sensor"]["physicalId"] == sensor
        ):
            state = payload["assetState"]
            found.append(
                (state["previousState"], state["newState"], payload["assetTransitionType"])
            )
    return found


def measurements(records: list[OutputRecord], sensor: str) -> list[dict[str, Any]]:
    return [
        record.document["eventPayload"]
        for record in records
        if record.document["eventType"] == "measurement"
        and record.document["eventPayload"]["sensor"]["physicalId"] == sensor
    ]


@pytest.mark.parametrize("fault", FAULT_KINDS)
def test_fault_moves_healthy_warning_alarm(fault: str) -> None:
    plant = with_scenario(f"{POSITION}={fault},start=1d,alarm-after=3d")
    records = run(plant, duration=timedelta(days=6))
    assert transitions(records, SENSOR) == [
        ("HEALTHY", "WARNING", "measurement"),
        ("WARNING", "ALARM", "measurement"),
    ]


def test_acknowledge_and_close_repair_fault() -> None:
    plant = with_scenario(
        f"{POSITION}=misalignment,start=12h,alarm-after=2d,acknowledge-after=3h,close-after=5h"
    )
    records = run(plant, duration=timedelta(days=6))

    assert transitions(records, SENSOR) == [
        ("HEALTHY", "WARNING", "measurement"),
        ("WARNING", "ALARM", "measurement"),
        ("ALARM", "NEEDS_MAINTENANCE", "userInput"),
        ("NEEDS_MAINTENANCE", "HEALTHY", "userInput"),
    ]
    closing = [
        r.document["eventPayload"]
        for r in records
        if r.document["eventType"] == "assetStateTransition"
        and r.document["eventPayload"]["assetState"]["newState"] == "HEALTHY"
    ]
    assert closing[0]["closureCode"] == {
        "failureMode": "MISALIGNMENT",
        "failureCause": "MAINTENANCE",
        "actionTaken": "ADJUST",
        "resolvedModels": ["vibrationISO", "vibrationML"],
    }
    last = measurements(records, SENSOR)[-1]
    assert last["models"]["vibrationISO"]["pointwiseClassificationOutput"] == "HEALTHY"
    assert last["models"]["vibrationISO"]["persistentClassificationOutput"] == "HEALTHY"


def test_acknowledgement_times() -> None:
    plant = with_scenario(f"{POSITION}=overheating,start=6h,alarm-after=2d,acknowledge-after=4h")
    records = run(plant, duration=timedelta(days=5))
    times = {
        r.document["eventPayload"]["assetState"]["newState"]: r.time
        for r in records
        if r.document["eventType"] == "assetStateTransition"
        and r.document["eventPayload"]["sensor"]["physicalId"] == SENSOR
    }
    gap = times["NEEDS_MAINTENANCE"] - times["ALARM"]
    assert timedelta(hours=3, minutes=59) < gap < timedelta(hours=4, minutes=1)


def test_persistent_follows_pointwise() -> None:
    plant = with_scenario(f"{POSITION}=misalignment,start=1d,alarm-after=3d")
    payloads = measurements(run(plant, duration=timedelta(days=6)), SENSOR)
    previous = "HEALTHY"
    for index, payload in enumerate(payloads):
        iso = payload["models"]["vibrationISO"]
        assert iso["previousPersistentClassificationOutput"] == previous
        if (
            iso["persistentClassificationOutput"] != previous
            and iso["persistentClassificationOutput"] != "HEALTHY"
        ):
            recent = [
                p["models"]["vibrationISO"]["pointwiseClassificationOutput"]
                for p in payloads[index - 2 : index + 1]
            ]
            assert all(level in ("WARNING", "ALARM") for level in recent), recent
        previous = iso["persistentClassificationOutput"]


def test_ml_models_initialize_first() -> None:
    payloads = measurements(run(load_plant(), duration=timedelta(days=1)), SENSOR)
    assert payloads[0]["models"]["vibrationML"]["pointwiseClassificationOutput"] == "INITIALIZING"
    assert payloads[0]["models"]["temperatureML"]["pointwiseClassificationOutput"] == "INITIALIZING"
    assert payloads[-1]["models"]["vibrationML"]["pointwiseClassificationOutput"] == "HEALTHY"


def test_demo_plant_has_all_event_types() -> None:
    records = run(load_plant(), duration=timedelta(days=4), cadence=timedelta(hours=2))
    counts = Counter(r.document["eventType"] for r in records)
    assert set(counts) == {
        "measurement",
        "assetStateTransition",
        "sensorConnected",
        "sensorDisconnected",
        "gatewayConnected",
        "gatewayDisconnected",
    }


def test_records_time_ordered_unique_ids() -> None:
    records = run(load_plant(), duration=timedelta(days=3))
    ids = [r.document["eventId"] for r in records]
    assert len(ids) == len(set(ids))
    assert all(isinstance(event_id, str) for event_id in ids)
    times = [r.time for r in records]
    assert times == sorted(times)
    for record in records:
        assert TIMESTAMP.match(record.document["timestamp"]), record.document["timestamp"]


def test_sensor_outage_stops_measurements() -> None:
    records = run(load_plant(), duration=timedelta(days=2))
    events = {
        r.document["eventType"]: r.time
        for r in records
        if r.document["eventType"] in ("sensorDisconnected", "sensorConnected")
    }
    during = [
        r
        for r in records
        if r.document["eventType"] == "measurement"
        and r.partition_key == "a1b2c3d40202"
        and events["sensorDisconnected"] <= r.time < events["sensorConnected"]
    ]
    assert events["sensorConnected"] - events["sensorDisconnected"] > timedelta(hours=4)
    assert during == []


def test_gateway_outage_stops_site_measurements() -> None:
    records = run(load_plant(), duration=timedelta(days=4))
    events = {
        r.document["eventType"]: r.time
        for r in records
        if r.document["eventType"] in ("gatewayDisconnected", "gatewayConnected")
    }
    porto = [
        r
        for r in records
        if r.document["eventType"] == "measurement"
        and r.site == "Plant Porto"
        and events["gatewayDisconnected"] <= r.time < events["gatewayConnected"]
    ]
    assert porto == []
    gateway_event = next(r for r in records if r.document["eventType"] == "gatewayDisconnected")
    assert gateway_event.document["eventPayload"]["gatewayName"] == "Line 2 gateway"


def test_same_seed_same_records() -> None:
    first = [r.encode() for r in run(load_plant(), seed=5, duration=timedelta(days=2))]
    second = [r.encode() for r in run(load_plant(), seed=5, duration=timedelta(days=2))]
    assert first == second


def test_other_seed_other_records() -> None:
    first = [r.encode() for r in run(load_plant(), seed=5, duration=timedelta(days=1))]
    second = [r.encode() for r in run(load_plant(), seed=6, duration=timedelta(days=1))]
    assert first != second


def test_longer_run_extends_shorter() -> None:
    short = [r.encode() for r in run(load_plant(), duration=timedelta(days=2))]
    long = [r.encode() for r in run(load_plant(), duration=timedelta(days=3))]
    assert long[: len(short)] == short
    assert len(long) > len(short)


def test_v1_measurements_only() -> None:
    records = run(load_plant(), duration=timedelta(days=4), schema="v1")
    documents = [r.document for r in records]
    assert all("eventType" not in d for d in documents)
    assert all(d["version"] == "1.0" for d in documents)
    band = documents[0]["measurement"]["features"]["velocity"]["band10To1000Hz"]
    assert "resultantVector" in band
    assert "previousPersistentClassificationOutput" not in documents[0]["models"]["vibrationISO"]
    states = {d["assetState"]["newState"] for d in documents}
    assert "ALARM" in states
    assert "NEEDS_MAINTENANCE" in states


def test_two_scenarios_one_position_rejected() -> None:
    plant = load_plant()
    scenario = parse_scenario_option(f"{POSITION}=looseness", plant.find_position)
    with pytest.raises(ConfigurationError) as raised:
        run(plant.with_scenarios((scenario, scenario)), duration=timedelta(days=1))
    assert "more than one scenario" in str(raised.value)


def test_invalid_schema_rejected() -> None:
    with pytest.raises(ConfigurationError) as raised:
        SimulationConfig(schema="v3")
    assert "v3" in str(raised.value)


def test_short_cadence_stays_in_span() -> None:
    config = SimulationConfig(duration=timedelta(hours=1), cadence=timedelta(minutes=1))
    records = list(simulate(load_plant(), config))
    assert min(r.time for r in records) >= config.start
    assert max(r.time for r in records) < config.end
    assert len(records) >= 8 * 59
