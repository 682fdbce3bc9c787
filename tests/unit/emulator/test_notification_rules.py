"""Unit tests of the notification rules with a fixed clock and an in-memory store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitron_sap.emulator.config import EmulatorConfig
from monitron_sap.emulator.maintnotification import HEADER
from monitron_sap.emulator.notifications import NotificationRules
from monitron_sap.emulator.protocol import ODataError
from monitron_sap.emulator.state import EntityStore
from monitron_sap.emulator.wire import format_etag

FIXED = datetime(2024, 5, 1, 8, 31, 12, tzinfo=UTC)


@pytest.fixture
def rules() -> NotificationRules:
    return NotificationRules(EmulatorConfig(), EntityStore(), clock=lambda: FIXED)


def test_changes_in_same_instant_get_new_etags(rules: NotificationRules) -> None:
    row = rules.create_notification({"NotificationText": "First"}, "MONITRON")
    first = format_etag(row["LastChangeDateTime"])  # type: ignore[arg-type]

    updated = rules.update(HEADER, dict(row), {"MaintPriority": "1"}, "MONITRON")

    assert format_etag(updated["LastChangeDateTime"]) != first  # type: ignore[arg-type]


def test_creation_date_is_midnight_utc(rules: NotificationRules) -> None:
    row = rules.create_notification({"NotificationText": "First"}, "MONITRON")

    assert row["CreationDate"] == datetime(2024, 5, 1, tzinfo=UTC)


def test_default_type_is_first_configured(rules: NotificationRules) -> None:
    row = rules.create_notification({"NotificationText": "First"}, "MONITRON")

    assert row["NotificationType"] == "M1"


def test_complete_defaults_reference_to_now(rules: NotificationRules) -> None:
    row = rules.create_notification({"NotificationText": "First"}, "MONITRON")

    completed = rules.complete(row, "MONITRON", None, None, None)

    assert completed["NotificationCompletionDate"] == datetime(2024, 5, 1, tzinfo=UTC)
    assert completed["NotifProcessingPhase"] == "4"


def test_complete_twice_is_rejected(rules: NotificationRules) -> None:
    row = rules.create_notification({"NotificationText": "First"}, "MONITRON")
    rules.complete(row, "MONITRON", None, None, None)

    with pytest.raises(ODataError) as raised:
        rules.complete(row, "MONITRON", None, None, None)

    assert raised.value.status == 400


def test_strict_complete_needs_in_process() -> None:
    config = EmulatorConfig(complete_requires_in_process=True)
    rules = NotificationRules(config, EntityStore(), clock=lambda: FIXED)
    row = rules.create_notification({"NotificationText": "First"}, "MONITRON")

    with pytest.raises(ODataError) as raised:
        rules.complete(row, "MONITRON", None, None, None)

    assert "outstanding" in raised.value.message


def test_strict_complete_after_in_process() -> None:
    strict = NotificationRules(
        EmulatorConfig(complete_requires_in_process=True), EntityStore(), clock=lambda: FIXED
    )
    row = strict.create_notification({"NotificationText": "First"}, "MONITRON")
    strict.set_in_process(row, "MONITRON")

    completed = strict.complete(row, "MONITRON", None, None, None)

    assert completed["NotifProcessingPhase"] == "4"
