"""The rules table: which event leads to which action, with which reason."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitron_sap.events.model import GATEWAY_DISCONNECTED, SENSOR_DISCONNECTED
from monitron_sap.rules import Action, RuleSettings, decide
from monitron_sap.rules.decide import (
    CONNECTIVITY,
    MEASUREMENT_ONLY,
    NO_STATE_CHANGE,
    RETURNED_TO_HEALTHY,
    STATE_NOT_ALERTING,
    SWITCHED_OFF,
    UNKNOWN_EVENT_TYPE,
)
from tests.builders import measurement, transition

DEFAULTS = RuleSettings()


@pytest.mark.parametrize(
    ("new_state", "previous_state", "action", "code"),
    [
        ("ALARM", "HEALTHY", Action.NOTIFY, "transition"),
        ("ALARM", "WARNING", Action.NOTIFY, "transition"),
        ("NEEDS_MAINTENANCE", "ALARM", Action.NOTIFY, "transition"),
        ("WARNING", "HEALTHY", Action.NOTIFY, "transition"),
        ("ALARM", "ALARM", Action.SKIP, NO_STATE_CHANGE),
        ("HEALTHY", "ALARM", Action.SKIP, RETURNED_TO_HEALTHY),
        ("UNKNOWN", "HEALTHY", Action.SKIP, STATE_NOT_ALERTING),
        ("WORKING", "HEALTHY", Action.SKIP, STATE_NOT_ALERTING),
    ],
)
def test_transition_defaults(
    new_state: str, previous_state: str, action: Action, code: str
) -> None:
    decision = decide(transition("1", new_state, previous_state), DEFAULTS)
    assert decision.action == action
    assert decision.reason_code == code


def test_notify_carries_new_state() -> None:
    decision = decide(transition("1", "WARNING"), DEFAULTS)
    assert decision.state == "WARNING"
    assert decision.reason == "HEALTHY -> WARNING"


def test_warning_switched_off() -> None:
    decision = decide(transition("1", "WARNING"), RuleSettings(notify_on_warning=False))
    assert decision.action == Action.SKIP
    assert decision.reason_code == SWITCHED_OFF
    assert "WARNING" in decision.reason


def test_alarm_switched_off() -> None:
    decision = decide(transition("1", "ALARM"), RuleSettings(notify_on_alarm=False))
    assert decision.action == Action.SKIP


def test_complete_on_healthy_when_enabled() -> None:
    decision = decide(transition("1", "HEALTHY", "ALARM"), RuleSettings(complete_on_healthy=True))
    assert decision.action == Action.COMPLETE


def test_measurement_skipped_by_default() -> None:
    event = measurement("1", iso="ALARM", previous_iso="WARNING")
    decision = decide(event, DEFAULTS)
    assert decision.action == Action.SKIP
    assert decision.reason_code == MEASUREMENT_ONLY


def test_iso_alarm_rule_notifies_on_change() -> None:
    settings = RuleSettings(iso_alarm_from_measurements=True)
    decision = decide(measurement("1", iso="ALARM", previous_iso="WARNING"), settings)
    assert decision.action == Action.NOTIFY
    assert decision.state == "ALARM"
    assert decision.reason_code == "iso_alarm"


def test_iso_alarm_rule_ignores_persisting_alarm() -> None:
    settings = RuleSettings(iso_alarm_from_measurements=True)
    decision = decide(measurement("1", iso="ALARM", previous_iso="ALARM"), settings)
    assert decision.action == Action.SKIP


@pytest.mark.parametrize("event_type", [SENSOR_DISCONNECTED, GATEWAY_DISCONNECTED])
def test_connectivity_skipped(event_type: str) -> None:
    event = replace(transition("1", "ALARM"), event_type=event_type, new_state=None)
    decision = decide(event, DEFAULTS)
    assert decision.reason_code == CONNECTIVITY


def test_unknown_event_type_skipped() -> None:
    event = replace(transition("1", "ALARM"), event_type="assetRenamed", new_state=None)
    decision = decide(event, DEFAULTS)
    assert decision.action == Action.SKIP
    assert decision.reason_code == UNKNOWN_EVENT_TYPE


def test_v1_record_without_change_skipped() -> None:
    event = replace(
        measurement("1"),
        schema_version=1,
        new_state="NEEDS_MAINTENANCE",
        previous_state="NEEDS_MAINTENANCE",
    )
    decision = decide(event, DEFAULTS)
    assert decision.reason_code == NO_STATE_CHANGE


def test_v1_record_with_change_notifies() -> None:
    event = replace(
        measurement("1"), schema_version=1, new_state="NEEDS_MAINTENANCE", previous_state="HEALTHY"
    )
    decision = decide(event, DEFAULTS)
    assert decision.action == Action.NOTIFY


def test_v2_measurement_with_state_skipped() -> None:
    event = replace(measurement("1"), schema_version=2, new_state="ALARM", previous_state="HEALTHY")
    decision = decide(event, DEFAULTS)
    assert decision.action == Action.SKIP
    assert decision.reason_code == MEASUREMENT_ONLY
