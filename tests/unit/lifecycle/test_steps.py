"""Unit tests of the life-cycle steps with in-memory fakes of the SAP APIs."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from monitron_sap.events.model import ClosureCode
from monitron_sap.lifecycle import (
    acknowledge_notification,
    close_notification,
    item_draft_from_plan,
    update_open_notification,
)
from monitron_sap.rules.closure import (
    CatalogCode,
    ClosureCatalog,
    default_closure_catalog,
    plan_closure,
)
from monitron_sap.sap.items import CodedEntry, ItemDraft, NotificationItem
from monitron_sap.sap.models import (
    PHASE_COMPLETED,
    PHASE_IN_PROCESS,
    PHASE_OUTSTANDING,
    PHASE_POSTPONED,
    Notification,
    NotificationChanges,
    NotificationDraft,
)

CLOSED_AT = datetime(2024, 3, 8, 10, 15, 2, tzinfo=UTC)
CLOSURE = ClosureCode("MISALIGNMENT", "MAINTENANCE", "ADJUST")


class FakeNotifications:
    """One notification in a given phase; records the calls that change it."""

    def __init__(self, phase: str, priority: str | None = None) -> None:
        self.notification = Notification("10000441", "Pump 7", "M1", phase=phase, priority=priority)
        self.calls: list[str] = []

    def get(self, number: str) -> Notification:
        return self.notification

    def update(
        self, number: str, changes: NotificationChanges, *, etag: str | None = None
    ) -> Notification:
        self.calls.append(f"update long_text={changes.long_text}")
        if changes.priority is not None:
            self.calls.append(f"priority={changes.priority}")
        return self.notification

    def set_in_process(self, number: str) -> Notification:
        self.calls.append("set_in_process")
        self.notification = dataclasses.replace(self.notification, phase=PHASE_IN_PROCESS)
        return self.notification

    def complete(self, number: str, *, reference_time: datetime) -> Notification:
        self.calls.append(f"complete {reference_time.isoformat()}")
        self.notification = dataclasses.replace(self.notification, phase=PHASE_COMPLETED)
        return self.notification

    def create(self, draft: NotificationDraft) -> Notification:
        raise NotImplementedError

    def find_by_external_reference(self, reference: str) -> list[Notification]:
        raise NotImplementedError

    def find_by_technical_object(
        self, technical_object: str, *, open_only: bool = True
    ) -> list[Notification]:
        raise NotImplementedError


class FakeItems:
    def __init__(self) -> None:
        self.added: list[ItemDraft] = []

    def list_items(self, notification: str) -> list[NotificationItem]:
        return []

    def add_item(self, notification: str, draft: ItemDraft) -> NotificationItem:
        self.added.append(draft)
        return NotificationItem(notification, "1", draft.text, None, None)


def close(phase: str) -> tuple[FakeNotifications, FakeItems, bool]:
    notifications, items = FakeNotifications(phase), FakeItems()
    result = close_notification(
        "10000441",
        CLOSURE,
        catalog=default_closure_catalog(),
        closed_at=CLOSED_AT,
        notifications=notifications,
        items=items,
    )
    return notifications, items, result.completed


def test_in_process_notification_closed_in_order() -> None:
    notifications, items, completed = close(PHASE_IN_PROCESS)

    assert completed is True
    assert [draft.text for draft in items.added] == ["Misalignment"]
    assert notifications.calls[0].startswith("update long_text=Closed in Monitron: failure mode")
    assert notifications.calls[1:] == ["complete 2024-03-08T10:15:02+00:00"]


def test_outstanding_notification_put_in_process_first() -> None:
    notifications, _items, completed = close(PHASE_OUTSTANDING)

    assert completed is True
    assert notifications.calls[1:] == ["set_in_process", "complete 2024-03-08T10:15:02+00:00"]


def test_completed_notification_left_alone() -> None:
    notifications, items, completed = close(PHASE_COMPLETED)

    assert completed is False
    assert items.added == []
    assert notifications.calls == []


def test_postponed_notification_not_completed() -> None:
    notifications, items, completed = close(PHASE_POSTPONED)

    assert completed is False
    assert len(items.added) == 1
    assert not any(call.startswith("complete") for call in notifications.calls)


def test_draft_from_mapped_plan() -> None:
    catalog = dataclasses.replace(
        default_closure_catalog(), object_part=CatalogCode("MON-OBJ", "P001")
    )

    draft = item_draft_from_plan(plan_closure(CLOSURE, catalog))

    assert draft == ItemDraft(
        text="Misalignment",
        object_part_code_group="MON-OBJ",
        object_part_code="P001",
        damage_code_group="MON-DMG",
        damage_code="D008",
        causes=(CodedEntry("Maintenance", "MON-CAU", "C004"),),
        activities=(CodedEntry("Adjust", "MON-ACT", "A001"),),
    )


def test_draft_from_unmapped_plan_keeps_texts() -> None:
    draft = item_draft_from_plan(plan_closure(CLOSURE, ClosureCatalog()))

    assert draft == ItemDraft(
        text="Misalignment",
        causes=(CodedEntry("Maintenance"),),
        activities=(CodedEntry("Adjust"),),
    )


def test_draft_without_cause_or_action() -> None:
    draft = item_draft_from_plan(plan_closure(ClosureCode("IMBALANCE"), ClosureCatalog()))

    assert draft.causes == ()
    assert draft.activities == ()


def test_acknowledgement_puts_outstanding_in_process() -> None:
    notifications = FakeNotifications(PHASE_OUTSTANDING)

    result = acknowledge_notification("10000441", notifications)

    assert notifications.calls == ["set_in_process"]
    assert result.phase == PHASE_IN_PROCESS


@pytest.mark.parametrize("phase", [PHASE_IN_PROCESS, PHASE_POSTPONED, PHASE_COMPLETED])
def test_acknowledgement_leaves_other_phases(phase: str) -> None:
    notifications = FakeNotifications(phase)

    result = acknowledge_notification("10000441", notifications)

    assert notifications.calls == []
    assert result.phase == phase


@pytest.mark.parametrize(
    ("current", "requested", "expected"),
    [
        ("3", "1", "1"),
        ("2", "1", "1"),
        (None, "2", "2"),
        ("1", "3", None),
        ("2", "2", None),
        ("2", None, None),
        ("A", "1", None),
    ],
)
def test_update_only_raises_priority(
    current: str | None, requested: str | None, expected: str | None
) -> None:
    notifications = FakeNotifications(PHASE_OUTSTANDING, priority=current)

    update_open_notification("10000441", notifications, long_text="ALARM", priority=requested)

    priorities = [call for call in notifications.calls if call.startswith("priority=")]
    assert priorities == ([f"priority={expected}"] if expected else [])
    assert notifications.calls[0] == "update long_text=ALARM"


@pytest.mark.parametrize("phase", [PHASE_POSTPONED, PHASE_COMPLETED])
def test_update_of_closed_notification_skipped(phase: str) -> None:
    notifications = FakeNotifications(phase)

    result = update_open_notification("10000441", notifications, long_text="ALARM", priority="1")

    assert result is None
    assert notifications.calls == []
