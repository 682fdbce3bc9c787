"""Properties of any simulation run: allowed state transitions, ordering, model bookkeeping."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from monitron_sap.simulate.engine import SimulationConfig, simulate
from monitron_sap.simulate.plant import load_plant
from monitron_sap.simulate.scenarios import FAULT_KINDS, parse_scenario_option

ALLOWED = {
    ("HEALTHY", "WARNING", "measurement"),
    ("HEALTHY", "ALARM", "measurement"),
    ("WARNING", "ALARM", "measurement"),
    ("ALARM", "NEEDS_MAINTENANCE", "userInput"),
    ("ALARM", "HEALTHY", "userInput"),
    ("NEEDS_MAINTENANCE", "HEALTHY", "userInput"),
}
POSITIONS = ("a1b2c3d40101", "a1b2c3d40201", "a1b2c3d40301", "a1b2c3d40401")


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 1_000_000),
    sensor=st.sampled_from(POSITIONS),
    fault=st.sampled_from(FAULT_KINDS),
    start_hours=st.integers(0, 48),
    alarm_hours=st.integers(6, 96),
    acknowledge_hours=st.one_of(st.none(), st.integers(1, 24)),
    close_hours=st.one_of(st.none(), st.integers(1, 24)),
    cadence_minutes=st.sampled_from([30, 60, 120]),
)
def test_any_run_consistent(
    seed: int,
    sensor: str,
    fault: str,
    start_hours: int,
    alarm_hours: int,
    acknowledge_hours: int | None,
    close_hours: int | None,
    cadence_minutes: int,
) -> None:
    option = f"{sensor}={fault},start={start_hours}h,alarm-after={alarm_hours}h"
    if acknowledge_hours is not None:
        option += f",acknowledge-after={acknowledge_hours}h"
    if close_hours is not None:
        option += f",close-after={close_hours}h"
    plant = load_plant()
    plant = plant.with_scenarios((parse_scenario_option(option, plant.find_position),))
    config = SimulationConfig(
        seed=seed, duration=timedelta(days=4), cadence=timedelta(minutes=cadence_minutes)
    )
    records = list(simulate(plant, config))

    times = [record.time for record in records]
    assert times == sorted(times)
    ids = [record.document["eventId"] for record in records]
    assert len(set(ids)) == len(ids)

    state: dict[str, str] = {}
    persistent: dict[tuple[str, str], str] = {}
    for record in records:
        document = record.document
        payload = document["eventPayload"]
        if document["eventType"] == "assetStateTransition":
            change = payload["assetState"]
            key = (change["previousState"], change["newState"], payload["assetTransitionType"])
            assert key in ALLOWED
            assert state.get(record.partition_key, "HEALTHY") == change["previousState"]
            state[record.partition_key] = change["newState"]
            if "closureCode" in payload:
                # A closure repairs the fault and resets the position's models.
                for name in ("temperatureML", "vibrationISO", "vibrationML"):
                    persistent.pop((record.partition_key, name), None)
        if document["eventType"] == "measurement":
            for name, output in payload["models"].items():
                slot = (record.partition_key, name)
                previous = output["previousPersistentClassificationOutput"]
                assert previous == persistent.get(slot, "HEALTHY")
                persistent[slot] = output["persistentClassificationOutput"]
                velocity = payload["features"]["velocity"]["band10To1000Hz"]["totalVibration"]
                assert velocity["crestFactor"] == velocity["absMax"] / velocity["rms"]
