"""Unit tests of the $filter parser and evaluator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitron_sap.emulator.filter import FilterError, compile_filter, tokenize
from monitron_sap.emulator.maintnotification import HEADER

ROW = {
    "NotificationText": "Pump P-101 bearing noise",
    "NotificationType": "M2",
    "MaintPriority": "2",
    "MaintObjectDowntimeDuration": 1.5,
    "MaintenanceObjectIsDown": True,
    "CreationDate": datetime(2024, 5, 1, tzinfo=UTC),
    "CreationTime": timedelta(hours=8, minutes=30),
    "LastChangeDateTime": datetime(2024, 5, 1, 8, 31, 12, tzinfo=UTC),
    "MaintNotifExtReferenceNumber": "O'BRIEN",
    "MaintenancePlanningPlant": None,
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("NotificationType eq 'M2'", True),
        ("NotificationType eq 'M1'", False),
        ("NotificationType ne 'M1'", True),
        ("MaintPriority gt '1'", True),
        ("MaintPriority lt '2'", False),
        ("MaintPriority ge '2' and MaintPriority le '2'", True),
        ("NotificationType eq 'M1' or MaintPriority eq '2'", True),
        ("not (NotificationType eq 'M2')", False),
        ("(NotificationType eq 'M1' or NotificationType eq 'M2') and MaintPriority eq '3'", False),
        ("MaintObjectDowntimeDuration gt 1", True),
        ("MaintObjectDowntimeDuration eq 1.5d", True),
        ("MaintenanceObjectIsDown eq true", True),
        ("CreationDate eq datetime'2024-05-01T00:00:00'", True),
        ("CreationDate gt datetime'2024-05-01T00:00'", False),
        ("LastChangeDateTime ge datetimeoffset'2024-05-01T08:31:12Z'", True),
        ("LastChangeDateTime lt datetimeoffset'2024-05-01T10:31:12+02:00'", False),
        ("CreationTime eq time'PT08H30M00S'", True),
        ("CreationTime lt time'PT8H'", False),
        ("MaintNotifExtReferenceNumber eq 'O''BRIEN'", True),
        ("MaintenancePlanningPlant eq null", True),
        ("MaintenancePlanningPlant gt 'A'", False),
        ("substringof('bearing', NotificationText)", True),
        ("startswith(NotificationText, 'Pump')", True),
        ("endswith(NotificationText, 'pump')", False),
        ("tolower(NotificationText) eq 'pump p-101 bearing noise'", True),
        ("length(NotificationType) eq 2", True),
    ],
)
def test_expression_evaluates(expression: str, expected: bool) -> None:
    predicate = compile_filter(expression, HEADER)

    assert predicate(ROW) is expected


def test_and_binds_tighter_than_or() -> None:
    predicate = compile_filter(
        "NotificationType eq 'M1' and MaintPriority eq '9' or MaintPriority eq '2'", HEADER
    )

    assert predicate(ROW) is True


@pytest.mark.parametrize(
    "expression",
    [
        "NoSuchProperty eq 'x'",
        "NotificationType eq",
        "(NotificationType eq 'M2'",
        "NotificationType eq 'M2')",
        "NotificationType eq 'M2' junk",
        "MaintPriority add 1 eq 3",
        "CreationDate eq 'yesterday'",
        "startswith(NotificationText)",
        "NotificationType eq 'unterminated",
        "NotificationType eq #",
    ],
)
def test_invalid_expression_is_rejected(expression: str) -> None:
    with pytest.raises(FilterError):
        compile_filter(expression, HEADER)


def test_tokenize_keeps_doubled_quotes() -> None:
    tokens = tokenize("Text eq 'it''s'")

    assert [token.text for token in tokens] == ["Text", "eq", "'it''s'"]


@pytest.mark.parametrize("name", ["ConcatenatedActiveSystStsName", "MaintNotificationLongText"])
def test_restricted_property_is_not_filterable(name: str) -> None:
    with pytest.raises(FilterError, match="not filterable"):
        compile_filter(f"{name} eq 'OSNO'", HEADER)
