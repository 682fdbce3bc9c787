"""The shared sample files and every JSON example of the export format reference parse."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from monitron_sap.events import MonitronEvent, RecordError, read_bytes, read_paths
from tests.support import shared_path

RECORD_SAMPLES = [
    "samples/seed/payload.json",
    "samples/seed/kinesissample.txt",
    "samples/monitron-v2-measurement-observed.json",
]


def read_one(relative: str) -> MonitronEvent:
    results = list(read_paths([str(shared_path(relative))]))
    assert len(results) == 1
    event = results[0]
    assert isinstance(event, MonitronEvent), event
    return event


@pytest.mark.parametrize("relative", RECORD_SAMPLES)
def test_sample_record_parses(relative: str) -> None:
    event = read_one(relative)
    assert event.event_type == "measurement"


def test_seed_payload_is_v1_without_state_change() -> None:
    event = read_one("samples/seed/payload.json")
    assert event.schema_version == 1
    assert event.event_id == "409623"
    assert event.new_state == "NEEDS_MAINTENANCE"
    assert not event.is_state_change
    assert event.timestamp.isoformat() == "2022-11-21T06:44:17+00:00"


def test_kinesis_sample_matches_payload() -> None:
    flat = read_one("samples/seed/kinesissample.txt")
    pretty = read_one("samples/seed/payload.json")
    assert replace(flat, source=pretty.source) == pretty


def test_observed_v2_measurement() -> None:
    event = read_one("samples/monitron-v2-measurement-observed.json")
    assert event.schema_version == 2
    assert event.position == "Pumpe Süd"
    assert event.measurement_trigger == "periodic"
    assert event.features is not None
    assert event.features.velocity.reported_crest_factor == 2138.0899
    assert event.features.velocity.crest_factor == pytest.approx(0.2994 / 0.14)
    assert event.models["vibrationISO"].muted_threshold is None


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("samples/seed/appConfig.json", "unknown record structure"),
        ("samples/seed/s3-test-event.json", "unknown record structure"),
        ("samples/seed/kinesisdatatemplate.json", "invalid JSON: line break inside a string"),
    ],
)
def test_non_record_sample_reported(relative: str, message: str) -> None:
    results = list(read_paths([str(shared_path(relative))]))
    assert len(results) == 1
    assert isinstance(results[0], RecordError)
    assert results[0].message.startswith(message)


def reference_examples() -> list[str]:
    text = shared_path("reference/monitron-export.md").read_text(encoding="utf-8")
    return re.findall(r"```json\n(.*?)```", text, flags=re.DOTALL)


def test_reference_has_examples() -> None:
    assert len(reference_examples()) >= 6


def test_reference_examples_parse() -> None:
    examples = reference_examples()
    events = []
    for example in examples:
        results = list(read_bytes(example.encode("utf-8"), "reference"))
        assert len(results) == 1
        assert isinstance(results[0], MonitronEvent), results[0]
        events.append(results[0])
    types = {event.event_type for event in events}
    assert {"measurement", "sensorDisconnected", "gatewayConnected"} <= types
    assert "assetStateTransition" in types
    assert any(event.schema_version == 1 for event in events)


def test_reference_examples_concatenated() -> None:
    examples = reference_examples()
    data = "".join(example.strip() for example in examples).encode("utf-8")
    results = list(read_bytes(data, "reference"))
    assert all(isinstance(result, MonitronEvent) for result in results)
    assert len(results) == len(examples)
