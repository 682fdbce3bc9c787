"""Request bodies from drafts and changes, and notifications from entities."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitron_sap.errors import ConfigurationError, InputError
from monitron_sap.sap.models import (
    LONG_TEXT_MAX_PER_REQUEST,
    SHORT_TEXT_MAX,
    NotificationChanges,
    NotificationDraft,
)
from monitron_sap.sap.payloads import (
    create_body,
    fit_long_text,
    normalize_external_reference,
    notification_from_entity,
    shorten_text,
    update_body,
)
from monitron_sap.sap.profiles import (
    ECC_CUSTOM_GATEWAY_EXAMPLE,
    S4_API_MAINTNOTIFICATION,
    profile_from_mapping,
)


def test_short_text_cut_on_word_boundary() -> None:
    text = "Pump P-101 drive end bearing shows ISO warning vibration"

    assert shorten_text(text) == "Pump P-101 drive end bearing shows ISO"


def test_short_text_without_spaces_cut_hard() -> None:
    assert shorten_text("X" * 50) == "X" * 40


def test_short_text_keeps_fitting_text_and_collapses_whitespace() -> None:
    assert shorten_text("  Pump\n noise\t high ") == "Pump noise high"


def test_short_text_avoids_tiny_word_cut() -> None:
    text = "A " + "B" * 60

    assert shorten_text(text) == ("A " + "B" * 60)[:40]


@given(st.text(min_size=1, max_size=200))
def test_short_text_never_exceeds_limit(text: str) -> None:
    assert len(shorten_text(text)) <= SHORT_TEXT_MAX


def test_long_text_at_limit_unchanged() -> None:
    text = "x" * LONG_TEXT_MAX_PER_REQUEST

    fitted = fit_long_text(text)

    assert fitted.text == text
    assert fitted.cut_characters == 0


@pytest.mark.parametrize("length", [1334, 1400, 2000, 20000])
def test_long_text_over_limit_says_what_was_cut(length: int) -> None:
    fitted = fit_long_text("y" * length)

    assert len(fitted.text) == LONG_TEXT_MAX_PER_REQUEST
    assert fitted.text.endswith(f"\n[cut: {fitted.cut_characters} more characters]")
    assert fitted.cut_characters == length - fitted.text.index("\n")


def test_external_reference_upper_case() -> None:
    assert normalize_external_reference(" mon-7f3a ") == "MON-7F3A"


@pytest.mark.parametrize("reference", ["", "   ", "R" * 21])
def test_external_reference_rejected(reference: str) -> None:
    with pytest.raises(InputError):
        normalize_external_reference(reference)


def test_create_body_leaves_out_unset_fields() -> None:
    body = create_body(
        NotificationDraft(text="Noise", notification_type="M1"), S4_API_MAINTNOTIFICATION
    )

    assert body == {"NotificationText": "Noise", "NotificationType": "M1"}


def test_create_body_empty_text_rejected() -> None:
    with pytest.raises(InputError, match="text is empty"):
        create_body(NotificationDraft(text=" \n", notification_type="M1"), S4_API_MAINTNOTIFICATION)


def test_create_body_object_without_kind_rejected() -> None:
    draft = NotificationDraft(text="x", notification_type="M1", technical_object="10000123")

    with pytest.raises(InputError, match="expected EAMS_EQUI or EAMS_FL"):
        create_body(draft, S4_API_MAINTNOTIFICATION)


def test_ecc_equipment_goes_to_equipment_field() -> None:
    draft = NotificationDraft(
        text="x", notification_type="M1", technical_object="10000123",
        technical_object_kind="EAMS_EQUI",
    )  # fmt: skip

    body = create_body(draft, ECC_CUSTOM_GATEWAY_EXAMPLE)

    assert body["Equipment"] == "10000123"
    assert "FunctLoc" not in body


def test_value_without_profile_field_is_configuration_error() -> None:
    profile = profile_from_mapping({"fields": {"planner_group": ""}})
    draft = NotificationDraft(text="x", notification_type="M1", planner_group="I01")

    with pytest.raises(ConfigurationError, match="no field for planner_group"):
        create_body(draft, profile)


def test_update_body_uses_edit_field_for_long_text() -> None:
    changes = NotificationChanges(text="New text", priority="1", long_text="More")

    assert update_body(changes, S4_API_MAINTNOTIFICATION) == {
        "NotificationText": "New text",
        "MaintPriority": "1",
        "MaintNotifLongTextForEdit": "More",
    }


def test_update_body_empty_when_nothing_changes() -> None:
    assert update_body(NotificationChanges(), S4_API_MAINTNOTIFICATION) == {}


def test_entity_prefers_label_and_metadata_etag() -> None:
    entity = {
        "__metadata": {"etag": "W/\"datetimeoffset'2024'\""},
        "MaintenanceNotification": "10000441",
        "NotificationText": "Pump",
        "NotificationType": "M2",
        "NotifProcessingPhase": "1",
        "MaintPriority": "",
        "TechnicalObject": "000000000210100094",
        "TechnicalObjectLabel": "210100094",
        "TechObjIsEquipOrFuncnlLoc": "EAMS_EQUI",
        "MaintNotificationLongText": "Long",
    }

    notification = notification_from_entity(entity, S4_API_MAINTNOTIFICATION, etag="header")

    assert notification.technical_object == "210100094"
    assert notification.etag == "W/\"datetimeoffset'2024'\""
    assert notification.priority is None
    assert notification.long_text == "Long"
    assert notification.is_open is True


def test_entity_etag_falls_back_to_header() -> None:
    entity = {"MaintenanceNotification": "1", "NotificationText": "x"}

    assert notification_from_entity(entity, S4_API_MAINTNOTIFICATION, etag="E1").etag == "E1"


@pytest.mark.parametrize("entity", [{"NotificationText": "x"}, {"MaintenanceNotification": "1"}])
def test_entity_without_key_or_text_rejected(entity: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        notification_from_entity(entity, S4_API_MAINTNOTIFICATION)
