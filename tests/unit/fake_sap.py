"""An in-memory ``NotificationApi`` for unit tests, with scripted failures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from monitron_sap.errors import SapRejectedError, SapUnavailableError
from monitron_sap.sap.errors import SapNotFoundError
from monitron_sap.sap.models import (
    PHASE_COMPLETED,
    PHASE_OUTSTANDING,
    Notification,
    NotificationChanges,
    NotificationDraft,
)


class FakeSap:
    """Stores notifications in a dict. ``fail_next`` lists errors to raise on the next calls."""

    def __init__(self) -> None:
        self.notifications: dict[str, Notification] = {}
        self.drafts: dict[str, NotificationDraft] = {}
        self.fail_next: list[Exception] = []
        self.down = False
        self.reject_creates = False
        self.lose_create_responses = 0
        self.calls: list[str] = []

    def _enter(self, name: str) -> None:
        self.calls.append(name)
        if self.down:
            raise SapUnavailableError("SAP returned 503 Service Unavailable", status=503)
        if self.fail_next:
            raise self.fail_next.pop(0)

    def create(self, draft: NotificationDraft) -> Notification:
        self._enter("create")
        if self.reject_creates:
            raise SapRejectedError("technical object does not exist", status=400, code="IW/123")
        number = str(10000000 + len(self.notifications) + 1)
        notification = Notification(
            number=number,
            text=draft.text,
            notification_type=draft.notification_type,
            phase=PHASE_OUTSTANDING,
            priority=draft.priority,
            technical_object=draft.technical_object,
            technical_object_kind=draft.technical_object_kind,
            external_reference=draft.external_reference,
            long_text=draft.long_text,
            etag=f'W/"{number}-1"',
        )
        self.notifications[number] = notification
        self.drafts[number] = draft
        if self.lose_create_responses:
            self.lose_create_responses -= 1
            raise SapUnavailableError("connection reset after the request was sent")
        return notification

    def get(self, number: str) -> Notification:
        self._enter("get")
        if number not in self.notifications:
            raise SapNotFoundError(f"notification {number} not found", status=404)
        return self.notifications[number]

    def find_by_external_reference(self, reference: str) -> list[Notification]:
        self._enter("find_by_external_reference")
        return [n for n in self.notifications.values() if n.external_reference == reference]

    def find_by_technical_object(
        self, technical_object: str, *, open_only: bool = True
    ) -> list[Notification]:
        self._enter("find_by_technical_object")
        return [
            n
            for n in self.notifications.values()
            if n.technical_object == technical_object and (n.is_open or not open_only)
        ]

    def update(
        self, number: str, changes: NotificationChanges, *, etag: str | None = None
    ) -> Notification:
        self._enter("update")
        current = self.notifications[number]
        updated = replace(
            current,
            text=changes.text or current.text,
            priority=changes.priority or current.priority,
            long_text=changes.long_text or current.long_text,
        )
        self.notifications[number] = updated
        return updated

    def set_in_process(self, number: str) -> Notification:
        self._enter("set_in_process")
        updated = replace(self.notifications[number], phase="3")
        self.notifications[number] = updated
        return updated

    def complete(self, number: str, *, reference_time: datetime) -> Notification:
        self._enter("complete")
        updated = replace(self.notifications[number], phase=PHASE_COMPLETED)
        self.notifications[number] = updated
        return updated
