"""Items of a maintenance notification, with their causes and activities.

An item records what was damaged (object part and damage codes); its causes and activities
record why and what was done. Each is coded from the plant's catalogs (a code group of at most
8 characters and a code of at most 4) and has a text of at most 40 characters.

``NotificationItemClient.add_item`` posts an item with its causes and activities in one deep
insert to ``MaintenanceNotification('…')/to_Item``. The client chooses the item number (the
highest existing number plus one), because SAP's API expects the keys of children in the body.
This works with S/4HANA's ``API_MAINTNOTIFICATION`` only; custom ECC services have no items.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import httpx

from monitron_sap.errors import InputError, SapError, SapRejectedError, SapUnavailableError
from monitron_sap.sap.outcomes import certainly_not_processed
from monitron_sap.sap.session import SapSession, SessionClient
from monitron_sap.sap.wire import key_literal, unwrap_entity, unwrap_results

logger = logging.getLogger(__name__)

ITEM_NAVIGATION: Final = "to_Item"
CAUSE_NAVIGATION: Final = "to_ItemCause"
ACTIVITY_NAVIGATION: Final = "to_ItemActivity"
TEXT_MAX: Final = 40
CODE_GROUP_MAX: Final = 8
CODE_MAX: Final = 4
# Item, cause and activity numbers are numeric strings of at most 4 digits.
NUMBER_MAX: Final = 9999


@dataclass(frozen=True, slots=True)
class CodedEntry:
    """A text with an optional catalog code, as a cause or an activity of an item.

    ``code_group`` and ``code`` are both set or both ``None``.
    """

    text: str
    code_group: str | None = None
    code: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.text)
        _check_code(self.code_group, self.code)


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """An item to add to a notification, with its causes and activities."""

    text: str
    object_part_code_group: str | None = None
    object_part_code: str | None = None
    damage_code_group: str | None = None
    damage_code: str | None = None
    causes: tuple[CodedEntry, ...] = ()
    activities: tuple[CodedEntry, ...] = ()

    def __post_init__(self) -> None:
        _check_text(self.text)
        _check_code(self.object_part_code_group, self.object_part_code)
        _check_code(self.damage_code_group, self.damage_code)


@dataclass(frozen=True, slots=True)
class NotificationItem:
    """An item as read from SAP, with the causes and activities SAP returned for it."""

    notification: str
    number: str
    text: str
    damage_code_group: str | None
    damage_code: str | None
    causes: tuple[CodedEntry, ...] = ()
    activities: tuple[CodedEntry, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class NotificationItemApi(Protocol):
    """What the life-cycle steps need of notification items; ``NotificationItemClient``
    implements it."""

    def list_items(self, notification: str) -> list[NotificationItem]: ...

    def add_item(self, notification: str, draft: ItemDraft) -> NotificationItem: ...


class NotificationItemClient(SessionClient):
    """Read and add notification items over a ``SapSession`` bound to ``API_MAINTNOTIFICATION``.

    Closing the client closes the session. Every method raises ``SapUnavailableError`` (retry
    later), ``SapRejectedError`` or ``SapAuthorizationError`` (permanent).
    """

    def __init__(self, session: SapSession) -> None:
        self._session = session
        self._entity_set = session.settings.profile.entity_set

    def list_items(self, notification: str) -> list[NotificationItem]:
        """Return the items of a notification with their causes and activities."""
        action = f"read items of notification {notification}"
        response = self._session.read(
            self._items_path(notification),
            params={"$expand": f"{CAUSE_NAVIGATION},{ACTIVITY_NAVIGATION}"},
            action=action,
        )
        try:
            entities, _next_link = unwrap_results(response.json())
            return [_item_from_entity(entity) for entity in entities]
        except (KeyError, TypeError, ValueError) as error:
            raise SapRejectedError(
                f"{action}: unexpected response from SAP: {error}", status=response.status_code
            ) from error

    def add_item(self, notification: str, draft: ItemDraft) -> NotificationItem:
        """Add an item with its causes and activities to a notification in one request.

        An item with the same text and damage code already on the notification is returned
        instead, so a repeated closure does not add a second item. A failure that SAP may have
        processed is not blindly resent: the client reads the items again and returns the
        item when SAP stored it. Other failures are retried up to the session's
        ``max_retries``.
        """
        existing = self.list_items(notification)
        stored = _matching_item(existing, draft)
        if stored is not None:
            logger.info(
                "notification %s already has item %s %r", notification, stored.number, draft.text
            )
            return stored

        number = _next_number(existing)
        body = _item_body(number, draft)
        action = f"add item {number} to notification {notification}"
        self._session.ensure_csrf_token()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._session.send(
                    "POST", self._items_path(notification), json_body=body, action=action
                )
            except SapUnavailableError as error:
                delay = self._session.retry_delay(attempt, error)
                if not certainly_not_processed(error):
                    # Waiting first lets a slow request commit before the lookup.
                    if delay is not None:
                        self._session.sleep(delay)
                    stored = self._find_after_failure(notification, draft, error)
                    if stored is not None:
                        return stored
                    if delay is None:
                        raise
                    logger.warning("%s; SAP has no such item, sending it again", error)
                    continue
                if delay is None:
                    raise
                logger.warning("%s; retry %d in %.1f s", error, attempt, delay)
                self._session.sleep(delay)
                continue

            logger.info(
                "added item %s with %d causes and %d activities to notification %s",
                number,
                len(draft.causes),
                len(draft.activities),
                notification,
            )
            return _item_from_response(response, action, draft)

    def _items_path(self, notification: str) -> str:
        return f"{self._entity_set}({key_literal(notification)})/{ITEM_NAVIGATION}"

    def _find_after_failure(
        self, notification: str, draft: ItemDraft, error: SapError
    ) -> NotificationItem | None:
        try:
            items = self.list_items(notification)
        except SapError as lookup_error:
            logger.warning(
                "%s; reading the items of notification %s failed too: %s",
                error,
                notification,
                lookup_error,
            )
            raise error from lookup_error
        stored = _matching_item(items, draft)
        if stored is not None:
            logger.info("%s, but SAP has the item as %s", error, stored.number)
        return stored


def _matching_item(items: list[NotificationItem], draft: ItemDraft) -> NotificationItem | None:
    for item in items:
        same_damage = (item.damage_code_group, item.damage_code) == (
            draft.damage_code_group,
            draft.damage_code,
        )
        if item.text == draft.text and same_damage:
            return item
    return None


def _check_text(text: str) -> None:
    if not text.strip() or len(text) > TEXT_MAX:
        raise InputError(f"item text {text!r} must have 1 to {TEXT_MAX} characters")


def _check_code(group: str | None, code: str | None) -> None:
    if (group is None) != (code is None):
        raise InputError(f"code group {group!r} and code {code!r} must both be set or both empty")
    if group is not None and not 0 < len(group) <= CODE_GROUP_MAX:
        raise InputError(f"code group {group!r} must have 1 to {CODE_GROUP_MAX} characters")
    if code is not None and not 0 < len(code) <= CODE_MAX:
        raise InputError(f"code {code!r} must have 1 to {CODE_MAX} characters")


def _next_number(items: list[NotificationItem]) -> str:
    numbers = [int(item.number) for item in items if item.number.isdigit()]
    number = max(numbers, default=0) + 1
    if number > NUMBER_MAX:
        raise InputError(f"the notification already has item {number - 1}, the highest number")
    return str(number)


def _item_body(number: str, draft: ItemDraft) -> dict[str, Any]:
    body: dict[str, Any] = {"MaintenanceNotificationItem": number, "MaintNotifItemText": draft.text}
    if draft.object_part_code_group is not None:
        body["MaintNotifObjPrtCodeGroup"] = draft.object_part_code_group
        body["MaintNotifObjPrtCode"] = draft.object_part_code
    if draft.damage_code_group is not None:
        body["MaintNotifDamageCodeGroup"] = draft.damage_code_group
        body["MaintNotificationDamageCode"] = draft.damage_code
    causes = []
    for index, cause in enumerate(draft.causes, start=1):
        entry = {
            "MaintenanceNotificationItem": number,
            "MaintenanceNotificationCause": str(index),
            "MaintNotifCauseText": cause.text,
        }
        if cause.code_group is not None:
            entry["MaintNotifCauseCodeGroup"] = cause.code_group
            entry["MaintNotificationCauseCode"] = str(cause.code)
        causes.append(entry)
    activities = []
    for index, activity in enumerate(draft.activities, start=1):
        entry = {
            "MaintenanceNotificationItem": number,
            "MaintNotificationActivity": str(index),
            "MaintNotifActivitySortNumber": str(index),
            "MaintNotifActyTxt": activity.text,
        }
        if activity.code_group is not None:
            entry["MaintNotifActivityCodeGroup"] = activity.code_group
            entry["MaintNotificationActivityCode"] = str(activity.code)
        activities.append(entry)
    if causes:
        body[CAUSE_NAVIGATION] = {"results": causes}
    if activities:
        body[ACTIVITY_NAVIGATION] = {"results": activities}
    return body


def _item_from_response(
    response: httpx.Response, action: str, draft: ItemDraft
) -> NotificationItem:
    try:
        entity = unwrap_entity(response.json())
        item = _item_from_entity(entity)
    except (KeyError, TypeError, ValueError) as error:
        raise SapRejectedError(
            f"{action}: unexpected response from SAP: {error}", status=response.status_code
        ) from error
    # A create response may leave out the children, which SAP stored with the item.
    if not item.causes and not item.activities:
        item = NotificationItem(
            item.notification,
            item.number,
            item.text,
            item.damage_code_group,
            item.damage_code,
            draft.causes,
            draft.activities,
            item.raw,
        )
    return item


def _item_from_entity(entity: dict[str, Any]) -> NotificationItem:
    causes = tuple(
        CodedEntry(
            str(cause.get("MaintNotifCauseText") or "-"),
            cause.get("MaintNotifCauseCodeGroup") or None,
            cause.get("MaintNotificationCauseCode") or None,
        )
        for cause in _expanded(entity, CAUSE_NAVIGATION)
    )
    activities = tuple(
        CodedEntry(
            str(activity.get("MaintNotifActyTxt") or "-"),
            activity.get("MaintNotifActivityCodeGroup") or None,
            activity.get("MaintNotificationActivityCode") or None,
        )
        for activity in _expanded(entity, ACTIVITY_NAVIGATION)
    )
    return NotificationItem(
        notification=str(entity["MaintenanceNotification"]),
        number=str(entity["MaintenanceNotificationItem"]),
        text=str(entity.get("MaintNotifItemText") or ""),
        damage_code_group=entity.get("MaintNotifDamageCodeGroup") or None,
        damage_code=entity.get("MaintNotificationDamageCode") or None,
        causes=causes,
        activities=activities,
        raw=entity,
    )


def _expanded(entity: dict[str, Any], navigation: str) -> list[dict[str, Any]]:
    value = entity.get(navigation)
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        return [child for child in value["results"] if isinstance(child, dict)]
    return []
