"""The pipeline: decide, map, call SAP and record each record's outcome in the ledger.

For each record that needs SAP, the pipeline claims the record's key in the ledger, calls SAP and
then records the outcome with the notification number. A record whose earlier claim expired
without an outcome, or whose earlier attempt failed, is first looked up in SAP by its external
reference. A notification found there is recorded, so no second one is created.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Final

from monitron_sap.assets.lookup import MappingReader, find_mapping
from monitron_sap.assets.model import MappingEntry, PositionRef
from monitron_sap.errors import (
    InputError,
    SapAuthorizationError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.events.model import MonitronEvent, ReadResult, RecordError
from monitron_sap.events.reader import check_nested
from monitron_sap.pipeline.disconnects import DisconnectWatch
from monitron_sap.pipeline.drafts import build_draft
from monitron_sap.pipeline.lifecycle import LifeCycle, charts_available
from monitron_sap.pipeline.reference import external_reference
from monitron_sap.pipeline.replay import record_from_entry
from monitron_sap.pipeline.results import RecordResult, RunSummary
from monitron_sap.pipeline.retry import RetryPolicy, create_with_lookup
from monitron_sap.rules.closure import ClosureCatalog, default_closure_catalog
from monitron_sap.rules.decide import (
    NO_OPEN_NOTIFICATION,
    Action,
    Decision,
    decide,
    device_position,
    disconnected_decision,
    position_of,
)
from monitron_sap.rules.measurements import snapshot_of
from monitron_sap.rules.settings import RuleSettings
from monitron_sap.sap.attachments import AttachmentClient
from monitron_sap.sap.items import NotificationItemApi
from monitron_sap.sap.models import Notification, NotificationApi
from monitron_sap.sap.phase_cache import NotificationPhaseCache
from monitron_sap.store.ports import (
    LatestMeasurement,
    LedgerEntry,
    LedgerStore,
    OpenNotification,
    Outcome,
)

logger = logging.getLogger(__name__)

# A claim older than this without an outcome belongs to a worker that stopped. It must exceed the
# longest time one record can take: every retry with its backoff and HTTP timeout.
DEFAULT_LEASE_SECONDS: Final = 300.0


def utc_now() -> datetime:
    return datetime.now(UTC)


class Pipeline(LifeCycle):
    """Process Monitron records into SAP notifications, recording each outcome in the ledger.

    ``items`` adds the item of a closure with codes; without it the codes reach the long text
    only. ``attachments`` attaches trend charts when ``rules.charts`` is on and matplotlib is
    installed. ``closure_catalog`` maps closure codes to SAP catalog codes (default: the
    built-in catalog). One instance serves one worker at a time; it is not thread-safe.
    ``clock`` and ``sleep`` exist so that tests can control time.
    """

    def __init__(
        self,
        *,
        ledger: LedgerStore,
        mappings: MappingReader,
        sap: NotificationApi,
        rules: RuleSettings | None = None,
        items: NotificationItemApi | None = None,
        attachments: AttachmentClient | None = None,
        closure_catalog: ClosureCatalog | None = None,
        retry: RetryPolicy | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ledger = ledger
        self.mappings = mappings
        self.sap = sap
        self.rules = rules or RuleSettings()
        self.items = items
        self.attachments = attachments
        self.closure_catalog = closure_catalog or default_closure_catalog()
        self._phases = NotificationPhaseCache(sap, ttl_seconds=self.rules.phase_cache_seconds)
        self._histories = OrderedDict()
        self._unsaved_histories = set()
        self._charts_enabled = self.rules.charts and attachments is not None and charts_available()
        self.retry = retry or RetryPolicy()
        self.lease_seconds = lease_seconds
        self._clock = clock
        self._sleep = sleep
        self._dead_letter_streak = 0
        self.credentials_error = None
        self._derived: list[RecordResult] = []
        self._disconnects = DisconnectWatch(self.ledger, self._raise_disconnected)

    def process(
        self,
        items: Iterable[ReadResult],
        *,
        on_result: Callable[[RecordResult], None] | None = None,
    ) -> RunSummary:
        """Process every item and return the run's summary."""
        summary = RunSummary()
        for item in items:
            result = self.process_one(item)
            summary.add(result)
            if on_result is not None:
                on_result(result)
            for derived in self.take_derived_results():
                summary.add(derived, read=False)
        self.save_histories()
        self._settle_busy(summary)
        if self.credentials_error is not None:
            summary.credentials_error = str(self.credentials_error)
        return summary

    def _settle_busy(self, summary: RunSummary) -> None:
        """Look again at the records another run held, which it may have finished by now."""
        finished = set()
        for key in summary.busy_keys:
            entry = self.ledger.get(key)
            if entry is not None and entry.status != Outcome.IN_PROGRESS:
                finished.add(key)
        summary.settle_busy(finished)

    def take_derived_results(self) -> list[RecordResult]:
        """Return and forget the results of notifications that no input record caused directly.

        These are the alerts for sensors and gateways that stayed disconnected too long; they are
        raised while later records are processed. ``process`` counts them in its summary.
        """
        derived, self._derived = self._derived, []
        return derived

    def replay_dead_letters(
        self,
        parse: Callable[[LedgerEntry], ReadResult] = record_from_entry,
        *,
        limit: int = 1000,
        on_result: Callable[[RecordResult], None] | None = None,
    ) -> RunSummary:
        """Process the stored dead letters again; ``parse`` rebuilds each record from its entry.

        A replayed record is claimed again (RETRY), so SAP is searched for its external reference
        before anything is created.
        """
        entries = self.ledger.dead_letters(limit)
        return self.process((parse(entry) for entry in entries), on_result=on_result)

    def process_one(self, item: ReadResult) -> RecordResult:
        """Process one record; raises only ``StoreUnavailableError`` (the ledger is unusable).

        A caller that processes records one by one calls ``save_histories`` at the end.
        """
        # The reader type-checks ``features`` and ``models`` on first access. The pipeline reads
        # them for every measurement, so a wrong type there makes the record invalid here.
        item = check_nested(item)
        if isinstance(item, RecordError):
            return self._record_invalid(item)

        result = self._process_event(item)
        minutes = self.rules.disconnected_alert_minutes
        if minutes is not None:
            self._derived += self._disconnects.track(item, minutes)
        return result

    def _process_event(self, event: MonitronEvent) -> RecordResult:
        position = position_of(event)
        self._remember_measurement(event, position)
        self._remember_history(event, position)
        decision = decide(event, self.rules)
        if decision.action == Action.SKIP:
            return self._record(event, position, Outcome.SKIPPED, decision.ledger_reason)
        if decision.action == Action.COMPLETE:
            return self._complete(event, position, decision)
        if decision.action == Action.CLOSE:
            return self._close(event, position, decision)

        mapping = find_mapping(position, self.mappings)
        if mapping is None:
            return self._record_unmapped(event, position)
        self._reopen_if_unmapped_before(event)
        return self._notify(event, position, decision, mapping)

    def _raise_disconnected(self, event: MonitronEvent, minutes: int) -> RecordResult:
        """Notify for a device that stayed disconnected; ``event`` is its disconnection."""
        overdue = replace(event, event_id=f"{event.event_id}+{minutes}m")
        position = device_position(event)
        mapping = find_mapping(position, self.mappings)
        if mapping is None:
            return self._record_unmapped(overdue, position)
        return self._notify(overdue, position, disconnected_decision(event, minutes), mapping)

    # Creating or correlating -------------------------------------------------------------------

    def _notify(
        self,
        event: MonitronEvent,
        position: PositionRef,
        decision: Decision,
        mapping: MappingEntry,
    ) -> RecordResult:
        reference = external_reference(event.record_key)
        held, look_up_first = self._claim(event, position, reference)
        if held is not None:
            return held
        attempts = self._attempts()
        try:
            if look_up_first:
                found = self._find_created(reference, attempts)
                if found is not None:
                    self._open(position, found, decision, event)
                    return self._finish(event, Outcome.NOTIFIED, decision.ledger_reason, found)

            known, note = self._open_for_alert(position, decision, attempts)
            if known is not None:
                handled = self._follow_up(event, position, decision, mapping, known, attempts)
                if isinstance(handled, RecordResult):
                    return handled
                note = handled

            snapshot = self._latest_snapshot(position)
            draft = build_draft(
                event,
                decision,
                mapping,
                position,
                snapshot,
                rules=self.rules,
                external_reference=reference,
            )
            created = create_with_lookup(
                self.sap, draft, reference, attempts=attempts, policy=self.retry, sleep=self._sleep
            )
            self._open(position, created, decision, event)
            logger.info(
                "created notification %s for %s (record %s, reference %s)",
                created.number,
                position.describe(),
                event.record_key,
                reference,
            )
            reason = decision.ledger_reason + (f"; {note}" if note else "")
            reason += self._attach_chart(created.number, position, event, attempts)
            return self._finish(event, Outcome.NOTIFIED, reason, created)
        except SapUnavailableError as error:
            return self._dead_letter(event, error)
        except (SapRejectedError, SapAuthorizationError, InputError) as error:
            return self._fail(event, error)

    # Completing --------------------------------------------------------------------------------

    def _complete(
        self, event: MonitronEvent, position: PositionRef, decision: Decision
    ) -> RecordResult:
        known = self.ledger.get_open_notification(position.key)
        if known is None:
            reason = f"{NO_OPEN_NOTIFICATION}: {decision.reason}; no open notification to complete"
            return self._record(event, position, Outcome.SKIPPED, reason)
        held, _ = self._claim(event, position, external_reference(event.record_key))
        if held is not None:
            return held
        attempts = self._attempts()
        number = known.notification_number
        try:
            current = self._call(
                lambda: self.sap.get(number), f"reading notification {number}", attempts
            )
            if current.is_open:
                current = self._call(
                    lambda: self.sap.complete(number, reference_time=event.timestamp),
                    f"completing notification {number}",
                    attempts,
                )
            self._phases.record(current)
            self.ledger.clear_open_notification(position.key, number)
            reason = f"{decision.ledger_reason}; notification {number} completed"
            return self._finish(event, Outcome.UPDATED, reason, current)
        except SapUnavailableError as error:
            return self._dead_letter(event, error)
        except (SapRejectedError, SapAuthorizationError, InputError) as error:
            return self._fail(event, error)

    # Helpers -----------------------------------------------------------------------------------

    def _open(
        self,
        position: PositionRef,
        notification: Notification,
        decision: Decision,
        event: MonitronEvent,
    ) -> None:
        if not notification.is_open:
            return
        self.ledger.set_open_notification(
            OpenNotification(
                position_key=position.key,
                notification_number=notification.number,
                state=decision.state or "",
                record_key=event.record_key,
                opened_at=event.timestamp,
                priority=notification.priority,
            )
        )

    def _remember_measurement(self, event: MonitronEvent, position: PositionRef) -> None:
        snapshot = snapshot_of(event)
        if snapshot is None:
            return
        self.ledger.save_latest_measurement(
            LatestMeasurement(position.key, snapshot.taken_at, snapshot.to_json())
        )

    def _find_created(self, reference: str, attempts: int) -> Notification | None:
        found = self._call(
            lambda: self.sap.find_by_external_reference(reference),
            f"looking up reference {reference}",
            attempts,
        )
        if len(found) > 1:
            numbers = ", ".join(n.number for n in found)
            logger.warning("reference %s is on several notifications: %s", reference, numbers)
        return found[0] if found else None
