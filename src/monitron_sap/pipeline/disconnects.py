"""Track sensor and gateway disconnections and raise an alert when one lasts too long.

Time is Monitron time: a disconnection is overdue when a later record carries a timestamp more
than the set minutes after it and no reconnection of the same device came in between.

NOTE: records are taken in the order they are read. A reconnection that is read after a record
with a later timestamp comes too late to stop the alert.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from monitron_sap.events.model import (
    GATEWAY_DISCONNECTED,
    SENSOR_DISCONNECTED,
    MonitronEvent,
    RecordError,
    SourceRef,
)
from monitron_sap.pipeline.entries import record_json
from monitron_sap.pipeline.replay import record_from_json
from monitron_sap.pipeline.results import RecordResult
from monitron_sap.rules.decide import device_key
from monitron_sap.store.ports import LedgerStore, Outcome, PendingDisconnect

logger = logging.getLogger(__name__)

# The ledger is searched for overdue disconnections at most once per this much Monitron time.
CHECK_INTERVAL: Final = timedelta(minutes=1)


class DisconnectWatch:
    """Store disconnections, clear them on reconnection and raise the overdue ones."""

    def __init__(
        self, ledger: LedgerStore, raise_alert: Callable[[MonitronEvent, int], RecordResult]
    ) -> None:
        self._ledger = ledger
        self._raise_alert = raise_alert
        self._next_check: datetime | None = None

    def track(self, event: MonitronEvent, minutes: int) -> list[RecordResult]:
        """Note ``event`` if it is a (re)connection event, then raise overdue disconnections."""
        key = device_key(event)
        if key is not None and event.event_type in (SENSOR_DISCONNECTED, GATEWAY_DISCONNECTED):
            # A record too deep to serialize is stored as {}; its alert is then reported invalid.
            payload = record_json(event.raw or {}) or "{}"
            self._ledger.save_disconnect(
                PendingDisconnect(key, event.timestamp, event.record_key, payload)
            )
        elif key is not None:
            self._ledger.clear_disconnect(key, until=event.timestamp)

        if self._next_check is not None and event.timestamp < self._next_check:
            return []
        self._next_check = event.timestamp + CHECK_INTERVAL
        cutoff = event.timestamp - timedelta(minutes=minutes)
        return [self._raise(pending, minutes) for pending in self._ledger.due_disconnects(cutoff)]

    def _raise(self, pending: PendingDisconnect, minutes: int) -> RecordResult:
        where = SourceRef(f"disconnection {pending.record_key}", 0, 0)
        item = record_from_json(pending.payload, where)
        if isinstance(item, RecordError):
            logger.warning("cannot raise the alert for %s: %s", pending.device_key, item.message)
            self._ledger.clear_disconnect(pending.device_key, until=pending.disconnected_at)
            return RecordResult(pending.record_key, Outcome.INVALID, error=item.describe())

        result = self._raise_alert(item, minutes)
        # A dead letter or a record held by another worker is tried again at the next check.
        if not result.busy and result.outcome != Outcome.DEAD_LETTER:
            self._ledger.clear_disconnect(pending.device_key, until=pending.disconnected_at)
        return result
