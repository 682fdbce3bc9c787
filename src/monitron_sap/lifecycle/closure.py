"""Close a notification the way its Monitron user closed the issue: an item with damage, cause
and activity codes, a line of long text, then completion with Monitron's time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from monitron_sap.events.model import ClosureCode
from monitron_sap.lifecycle.update import has_line
from monitron_sap.rules.closure import ClosureCatalog, ClosurePlan, plan_closure
from monitron_sap.sap.items import CodedEntry, ItemDraft, NotificationItem, NotificationItemApi
from monitron_sap.sap.models import (
    PHASE_COMPLETED,
    PHASE_OUTSTANDING,
    PHASE_POSTPONED,
    Notification,
    NotificationApi,
    NotificationChanges,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ClosureResult:
    """The outcome of ``close_notification``: the plan, the item (``None`` when the
    notification was already completed or no item API was given) and the notification as SAP
    returned it last."""

    plan: ClosurePlan
    item: NotificationItem | None
    notification: Notification
    completed: bool


def item_draft_from_plan(plan: ClosurePlan) -> ItemDraft:
    """Turn a closure plan into an SAP item with at most one cause and one activity."""
    causes: tuple[CodedEntry, ...] = ()
    if plan.cause_text is not None:
        cause_group = plan.cause.group if plan.cause else None
        cause_code = plan.cause.code if plan.cause else None
        causes = (CodedEntry(plan.cause_text, cause_group, cause_code),)

    activities: tuple[CodedEntry, ...] = ()
    if plan.activity_text is not None:
        activity_group = plan.activity.group if plan.activity else None
        activity_code = plan.activity.code if plan.activity else None
        activities = (CodedEntry(plan.activity_text, activity_group, activity_code),)

    return ItemDraft(
        text=plan.item_text,
        object_part_code_group=plan.object_part.group if plan.object_part else None,
        object_part_code=plan.object_part.code if plan.object_part else None,
        damage_code_group=plan.damage.group if plan.damage else None,
        damage_code=plan.damage.code if plan.damage else None,
        causes=causes,
        activities=activities,
    )


def close_notification(
    number: str,
    closure: ClosureCode,
    *,
    catalog: ClosureCatalog,
    closed_at: datetime,
    notifications: NotificationApi,
    items: NotificationItemApi | None,
) -> ClosureResult:
    """Add the closure's item, append its summary to the long text and complete the notification.

    A notification that SAP reports completed is left unchanged, so a repeated closure does
    nothing. A postponed one gets the item and the text but is not completed, because a
    planner put it aside in SAP. An outstanding notification is put in process before it is
    completed, because SAP does not document whether it completes one directly.
    ``closed_at`` (timezone-aware) becomes the completion's reference date and time. Errors of
    the SAP clients propagate. Without ``items`` (a service without notification items) the
    codes reach the long text only.
    """
    plan = plan_closure(closure, catalog)
    current = notifications.get(number)
    if current.phase == PHASE_COMPLETED:
        logger.info("notification %s is already completed; closure not applied again", number)
        return ClosureResult(plan, None, current, completed=False)

    item = items.add_item(number, item_draft_from_plan(plan)) if items is not None else None
    if plan.unmapped:
        logger.info(
            "notification %s: no catalog code for %s; kept as text",
            number,
            ", ".join(plan.unmapped),
        )
    # A retry after a lost response finds the summary already there, so it is not appended
    # twice. The item client finds its item the same way.
    if has_line(current.long_text, plan.summary):
        logger.info("notification %s already has the closure text; not appended again", number)
        updated = current
    else:
        updated = notifications.update(number, NotificationChanges(long_text=plan.summary))

    if current.phase == PHASE_POSTPONED:
        logger.info("notification %s is postponed in SAP; item added, not completed", number)
        return ClosureResult(plan, item, updated, completed=False)

    if current.phase == PHASE_OUTSTANDING:
        notifications.set_in_process(number)
    completed = notifications.complete(number, reference_time=closed_at)
    logger.info("notification %s completed with item %s", number, item.number if item else "(none)")
    return ClosureResult(plan, item, completed, completed=True)
