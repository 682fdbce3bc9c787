"""The directory sink on a real file system: every form read back by the export reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.engine import SimulationConfig, simulate
from monitron_sap.simulate.plant import load_plant, parse_plant
from monitron_sap.simulate.records import OutputRecord
from monitron_sap.simulate.run import run
from monitron_sap.simulate.sinks import ObjectLayout, directory_sink
from tests.unit.simulate.readback import object_files, read_events
from tests.unit.simulate.test_plant import MINIMAL

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def record(minutes: float) -> OutputRecord:
    return OutputRecord(T0 + timedelta(minutes=minutes), "Site A", "pk", {"projectName": "Proj"})


def demo_records(days: int) -> list[OutputRecord]:
    return list(simulate(load_plant(), SimulationConfig(duration=timedelta(days=days))))


@pytest.mark.parametrize("layout", ["firehose", "partitioned"])
@pytest.mark.parametrize("framing", ["lines", "concatenated"])
@pytest.mark.parametrize("use_gzip", [False, True])
def test_directory_readback_every_form(
    tmp_path: Path, layout: str, framing: str, use_gzip: bool
) -> None:
    records = demo_records(days=4)
    sink = directory_sink(tmp_path, ObjectLayout(layout=layout, framing=framing, gzip=use_gzip))
    summary = run(iter(records), sink)
    events = read_events(object_files(tmp_path))

    assert summary.records == len(records)
    expected = sorted((r.document["eventId"], r.document["eventType"]) for r in records)
    assert sorted((e.event_id, e.event_type) for e in events) == expected
    closures = [e.closure_code for e in events if e.closure_code is not None]
    assert closures[0].failure_mode == "LUBRICATION"
    for event in events:
        if event.features is not None:
            velocity = event.features.velocity
            assert velocity.crest_factor == velocity.reported_crest_factor, event.event_id
    assert {e.new_state for e in events if e.new_state} == {
        "WARNING",
        "ALARM",
        "NEEDS_MAINTENANCE",
        "HEALTHY",
    }


def test_directory_sink_unwritable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    sink = directory_sink(blocker, ObjectLayout())
    sink.write(record(0))
    with pytest.raises(ConfigurationError) as raised:
        sink.close()
    assert str(blocker) in str(raised.value)


def test_non_ascii_names_round_trip(tmp_path: Path) -> None:
    text = MINIMAL.replace('name = "S"', 'name = "Werk Süd"').replace("Motor DE", "Pumpe Süd")
    plant = parse_plant(text, source="mini.toml")
    sink = directory_sink(tmp_path, ObjectLayout(layout="partitioned"))
    for record in simulate(plant, SimulationConfig(duration=timedelta(hours=6))):
        sink.write(record)
    sink.close()

    events = read_events(object_files(tmp_path))
    assert {event.position for event in events} == {"Pumpe Süd"}
    assert (tmp_path / "project=P" / "site=Werk Süd").is_dir()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('name = "S"', 'name = "S"\nambient = 20'), "sites[0].ambient: unknown key"),
        (('iso_class = "CLASS2"', 'iso_class = "CLASS2"\nmaker = "X"'), "sites[0].assets[0].maker"),
        (
            ('sensor_id = "a1b2c3d40999"', 'sensor_id = "a1b2c3d40999"\naxis = "x"'),
            "positions[0].axis",
        ),
        (
            ('account_id = "111122223333"', 'account_id = "111122223333"\nregion = "x"'),
            "project.region",
        ),
    ],
)
def test_unknown_key_rejected(change: tuple[str, str], expected: str) -> None:
    text = MINIMAL.replace(change[0], change[1], 1)
    with pytest.raises(ConfigurationError) as raised:
        parse_plant(text, source="mini.toml")
    assert expected in str(raised.value)
