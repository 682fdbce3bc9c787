"""Update an open notification for a further alert: more long text, a higher priority."""

from __future__ import annotations

import logging

from monitron_sap.sap.models import Notification, NotificationApi, NotificationChanges

logger = logging.getLogger(__name__)


def update_open_notification(
    number: str,
    notifications: NotificationApi,
    *,
    long_text: str,
    priority: str | None = None,
    text: str | None = None,
    marker: str | None = None,
) -> Notification | None:
    """Append ``long_text`` to a notification, raise its priority to ``priority`` and set its
    short text to ``text`` when given.

    SAP decides whether the notification is still open: when it reports the notification
    completed or postponed, nothing changes and the function returns None, so the caller
    creates a new notification. The priority only rises: SAP's priorities are digits with
    ``1`` the most urgent, so ``priority`` is set when it is a smaller digit than the current
    one or the notification has none. Otherwise it stays. The update sends ``If-Match`` with
    the ETag of the notification as read here.

    The update is idempotent, so a retry after a lost response changes nothing twice: when
    the long text read back already has ``marker`` as a whole line (default: the last line of
    ``long_text``), the text is not appended again. When nothing is left to change, no update
    is sent and the notification as read is returned.

    NOTE: the text goes to ``MaintNotifLongTextForEdit``, which the emulator appends to the
    long text; SAP does not document whether every release appends or replaces.
    """
    current = notifications.get(number)
    if not current.is_open:
        logger.info(
            "notification %s has phase %s in SAP, so it is closed; not updated",
            number,
            current.phase,
        )
        return None

    new_priority = priority if _more_urgent(priority, current.priority) else None
    new_text = text if text is not None and text != current.text else None
    new_long_text: str | None = long_text
    if has_line(current.long_text, marker or _last_line(long_text)):
        logger.info(
            "notification %s already has this update's long text; not appended again", number
        )
        new_long_text = None
    if new_long_text is None and new_priority is None and new_text is None:
        return current

    changes = NotificationChanges(text=new_text, long_text=new_long_text, priority=new_priority)
    updated = notifications.update(number, changes, etag=current.etag)
    if new_priority is not None:
        logger.info(
            "notification %s: priority raised from %s to %s",
            number,
            current.priority or "(none)",
            new_priority,
        )
    return updated


def _more_urgent(candidate: str | None, current: str | None) -> bool:
    if candidate is None:
        return False
    if not current:
        return True
    if candidate.isdigit() and current.isdigit():
        return int(candidate) < int(current)
    # NOTE: a priority that is not a digit comes from a customized priority type whose order
    # is unknown here, so it is never changed.
    return False


def has_line(long_text: str | None, line: str) -> bool:
    """Tell whether ``long_text`` has ``line`` as one of its lines, ignoring outer spaces."""
    wanted = line.strip()
    if not long_text or not wanted:
        return False
    return any(existing.strip() == wanted for existing in long_text.splitlines())


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""
