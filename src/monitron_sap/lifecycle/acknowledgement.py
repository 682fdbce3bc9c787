"""Put a notification in process when a Monitron user acknowledges the alarm."""

from __future__ import annotations

import logging

from monitron_sap.sap.models import PHASE_OUTSTANDING, Notification, NotificationApi

logger = logging.getLogger(__name__)


def acknowledge_notification(number: str, notifications: NotificationApi) -> Notification:
    """Put an outstanding notification in process (``SetMaintNotifToInProcess``).

    Only an outstanding notification changes: one in process needs no change, and a postponed
    or completed one was set so in SAP by a planner, whose decision wins. So a repeated
    acknowledgement changes nothing. Returns the notification as SAP returned it last.
    """
    current = notifications.get(number)
    if current.phase != PHASE_OUTSTANDING:
        logger.info(
            "notification %s has phase %s in SAP; acknowledgement leaves it unchanged",
            number,
            current.phase,
        )
        return current

    changed = notifications.set_in_process(number)
    logger.info("notification %s put in process after acknowledgement in Monitron", number)
    return changed
