"""Unit tests of the entity model, the configuration and the fault controller."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitron_sap.emulator.config import EmulatorConfig, FaultSettings, load_technical_objects
from monitron_sap.emulator.faults import FaultController
from monitron_sap.emulator.maintnotification import HEADER, ITEM, SCHEMA
from monitron_sap.errors import ConfigurationError


def test_header_text_is_required_and_40_long() -> None:
    prop = HEADER.property("NotificationText")

    assert prop is not None
    assert prop.max_length == 40
    assert prop.nullable is False


def test_notification_type_is_create_only() -> None:
    prop = HEADER.property("NotificationType")

    assert prop is not None
    assert prop.creatable is True
    assert prop.updatable is False


def test_every_key_is_a_property() -> None:
    for entity_type in SCHEMA.entity_types:
        for key in entity_type.keys:
            assert entity_type.property(key) is not None, (entity_type.name, key)


def test_every_navigation_resolves() -> None:
    for entity_type in SCHEMA.entity_types:
        for navigation in entity_type.navigation:
            target_set, _ = SCHEMA.navigation_target(navigation)
            assert SCHEMA.entity_type_for_set(target_set) is not None, navigation.name


def test_item_navigates_to_causes() -> None:
    navigation = ITEM.navigation_property("to_ItemCause")

    assert navigation is not None
    assert SCHEMA.navigation_target(navigation) == ("MaintNotificationItemCause", True)


def test_invalid_technical_object_kind_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="EAMS_PUMP"):
        EmulatorConfig(technical_objects={"P-1": "EAMS_PUMP"})


@pytest.mark.parametrize(
    "changes",
    [
        {"error_rate": 1.5},
        {"lost_response_rate": -0.1},
        {"error_status": 404},
        {"delay_seconds": -1},
    ],
)
def test_invalid_fault_settings_are_rejected(changes: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        FaultSettings(**changes)  # type: ignore[arg-type]


def test_technical_objects_csv_loads(tmp_path: Path) -> None:
    path = tmp_path / "objects.csv"
    path.write_text("technical_object,kind,description\n10000123,eams_equi,Pump\nfl-1,EAMS_FL,\n")

    assert load_technical_objects(path) == {"10000123": "EAMS_EQUI", "FL-1": "EAMS_FL"}


def test_technical_objects_csv_without_columns_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "objects.csv"
    path.write_text("id,type\n1,EAMS_EQUI\n")

    with pytest.raises(ConfigurationError, match="missing column"):
        load_technical_objects(path)


def test_missing_technical_objects_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_technical_objects(tmp_path / "absent.csv")


def test_fault_draws_repeat_with_seed() -> None:
    draws = []
    for _ in range(2):
        controller = FaultController(FaultSettings(error_rate=0.5, seed=3))
        draws.append([controller.draw_error() for _ in range(50)])

    assert draws[0] == draws[1]


def test_fail_next_comes_before_shares() -> None:
    controller = FaultController()
    controller.fail_next(1, status=429)

    assert controller.draw_error() == (429, 1)
    assert controller.draw_error() is None


def test_update_rejects_unknown_setting() -> None:
    with pytest.raises(ConfigurationError, match="bogus"):
        FaultController().update(bogus=1)


def test_expired_tokens_stay_expired() -> None:
    controller = FaultController()
    controller.expire_csrf_tokens()

    assert controller.token_expired(issued_at=0.0) is True
