"""Short text, long text, measurement snapshots and the external reference."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from monitron_sap.assets.model import PositionRef
from monitron_sap.pipeline.reference import external_reference
from monitron_sap.rules import RuleSettings, decide
from monitron_sap.rules.measurements import MeasurementSnapshot, snapshot_of
from monitron_sap.rules.texts import SHORT_TEXT_MAX, STATE_LABELS, long_text, short_text
from tests.builders import measurement, transition


def test_short_text_names_asset_position_state() -> None:
    text = short_text(PositionRef(asset="Pump P-101", position="Motor DE"), "ALARM")
    assert text == "Pump P-101 Motor DE: Alarm"


def test_short_text_cut_to_forty() -> None:
    position = PositionRef(
        asset="Very long compressor name " * 3, position="Drive end bearing " * 3
    )
    text = short_text(position, "NEEDS_MAINTENANCE")
    assert len(text) <= SHORT_TEXT_MAX
    assert text.endswith(": Maintenance")
    assert text.startswith("Very long")


def test_short_text_keeps_short_asset_whole() -> None:
    position = PositionRef(asset="Fan F-201", position="Fan bearing non drive end outer ring")
    text = short_text(position, "WARNING")
    assert text.startswith("Fan F-201 ")
    assert len(text) == SHORT_TEXT_MAX


def test_snapshot_round_trip() -> None:
    snapshot = snapshot_of(measurement("7", velocity_rms=6.25))
    assert snapshot is not None
    assert MeasurementSnapshot.from_json(snapshot.to_json()) == snapshot


def test_long_text_contents() -> None:
    event = transition("42", "ALARM")
    snapshot = snapshot_of(measurement("7", velocity_rms=6.25))
    text = long_text(event, decide(event, RuleSettings()), snapshot, "MONABC")
    assert "Monitron time (UTC): 2026-03-05 08:00:00" in text
    assert "Plant Hamburg" in text
    assert "Velocity 10-1000 Hz RMS: 6.25 mm/s" in text
    assert "Acceleration 10-1000 Hz RMS: 0.52 m/s²" in text
    assert "Temperature: 45.2 °C" in text
    assert "vibrationISO: persistent HEALTHY (was HEALTHY), ISO class CLASS2" in text
    assert "https://app.monitron.aws/" in text
    assert "MONABC" in text


def test_long_text_without_measurement() -> None:
    event = transition("42", "ALARM")
    text = long_text(event, decide(event, RuleSettings()), None, "MONABC")
    assert "none received for this position yet" in text


def test_external_reference_shape() -> None:
    reference = external_reference("assetStateTransition:52011")
    assert len(reference) == 20
    assert re.fullmatch(r"MON[A-Z2-7]{17}", reference)


def test_external_reference_stable_and_distinct() -> None:
    first = external_reference("assetStateTransition:1")
    assert first == external_reference("assetStateTransition:1")
    assert first != external_reference("assetStateTransition:2")


@given(
    asset=st.text(min_size=0, max_size=80),
    position=st.text(min_size=0, max_size=80),
    state=st.sampled_from(["ALARM", "WARNING", "NEEDS_MAINTENANCE", "DISCONNECTED"]),
)
def test_short_text_always_fits(asset: str, position: str, state: str) -> None:
    text = short_text(PositionRef(asset=asset or None, position=position or None), state)
    assert len(text) <= SHORT_TEXT_MAX
    assert text.endswith(": " + STATE_LABELS[state])
