"""The ledger side of the pipeline: claims, outcomes and records that need no SAP call."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from monitron_sap.assets.model import PositionRef
from monitron_sap.errors import (
    InputError,
    SapAuthorizationError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.events.model import MonitronEvent, RecordError
from monitron_sap.pipeline.entries import event_entry, invalid_entry, invalid_record_key
from monitron_sap.pipeline.results import RecordResult
from monitron_sap.rules.decide import NO_MAPPING
from monitron_sap.sap.models import Notification
from monitron_sap.store.ports import ClaimStatus, LedgerStore, Outcome

logger = logging.getLogger(__name__)


class Bookkeeping:
    """Claims and outcomes in the ledger; the pipeline's base class."""

    ledger: LedgerStore
    lease_seconds: float
    _clock: Callable[[], datetime]
    _dead_letter_streak: int
    # The first authorization error of the run. Once SAP has rejected the credentials, records
    # that need SAP are dead-lettered without a request, because every further logon attempt
    # with a wrong password counts towards SAP's user lock (profile parameter
    # login/fails_to_user_lock).
    credentials_error: SapAuthorizationError | None

    def _attempts(self) -> int:
        """Return the attempts allowed per SAP call; the pipeline defines it."""
        raise NotImplementedError

    def _claim(
        self, event: MonitronEvent, position: PositionRef, reference: str
    ) -> tuple[RecordResult | None, bool]:
        """Claim the record.

        Return a result when this worker must not act on the record, and whether SAP must be
        searched for the record's reference first because an earlier attempt may have created it.
        """
        now = self._clock()
        entry = event_entry(event, position, Outcome.IN_PROGRESS, now, reference=reference)
        claim = self.ledger.claim(entry, lease_seconds=self.lease_seconds, now=now)
        look_up_first = claim.status in (ClaimStatus.TAKEN_OVER, ClaimStatus.RETRY)
        if claim.status == ClaimStatus.DONE:
            previous = claim.previous
            return RecordResult(
                event.record_key,
                previous.status if previous else None,
                reason=previous.reason if previous else None,
                notification_number=previous.notification_number if previous else None,
                already_done=True,
            ), False
        if claim.status == ClaimStatus.BUSY:
            logger.info("record %s is claimed by another worker; skipped", event.record_key)
            return RecordResult(event.record_key, None, busy=True), False
        if self.credentials_error is not None:
            return self._hold_for_credentials(event), False
        if look_up_first:
            logger.info(
                "record %s was claimed before without a final outcome (%s); looking up %s first",
                event.record_key,
                claim.status,
                reference,
            )
        return None, look_up_first

    def _finish(
        self,
        event: MonitronEvent,
        outcome: Outcome,
        reason: str,
        notification: Notification | str | None,
    ) -> RecordResult:
        """Record a final outcome; ``notification`` is the notification or its number."""
        number = notification.number if isinstance(notification, Notification) else notification
        self.ledger.finish(
            event.record_key, outcome, now=self._clock(), reason=reason, notification_number=number
        )
        self._dead_letter_streak = 0
        return RecordResult(event.record_key, outcome, reason=reason, notification_number=number)

    def _dead_letter(self, event: MonitronEvent, error: SapUnavailableError) -> RecordResult:
        attempts = self._attempts()
        message = (
            f"SAP unavailable after {attempts} attempt{'s' if attempts != 1 else ''}: {error}; "
            "replay with 'dead-letters replay'"
        )
        logger.error("record %s dead-lettered: %s", event.record_key, error)
        self.ledger.finish(event.record_key, Outcome.DEAD_LETTER, now=self._clock(), error=message)
        self._dead_letter_streak += 1
        return RecordResult(event.record_key, Outcome.DEAD_LETTER, error=message)

    def _hold_for_credentials(self, event: MonitronEvent) -> RecordResult:
        message = (
            "not sent to SAP: SAP rejected the credentials earlier in this run; fix them, then "
            "replay with 'dead-letters replay'"
        )
        self.ledger.finish(event.record_key, Outcome.DEAD_LETTER, now=self._clock(), error=message)
        return RecordResult(event.record_key, Outcome.DEAD_LETTER, error=message)

    def _fail(
        self, event: MonitronEvent, error: SapRejectedError | SapAuthorizationError | InputError
    ) -> RecordResult:
        if isinstance(error, SapAuthorizationError):
            return self._stop_for_credentials(event, error)
        message = f"SAP rejected the request: {error}"
        if isinstance(error, InputError):
            message = f"the request cannot be sent to SAP: {error}"
        logger.error("record %s failed: %s", event.record_key, error)
        self.ledger.finish(event.record_key, Outcome.FAILED, now=self._clock(), error=message)
        return RecordResult(event.record_key, Outcome.FAILED, error=message)

    def _stop_for_credentials(
        self, event: MonitronEvent, error: SapAuthorizationError
    ) -> RecordResult:
        """Dead-letter the record and stop calling SAP for the rest of the run."""
        self.credentials_error = error
        logger.error(
            "SAP rejected the credentials (record %s): %s; no further requests are sent to SAP "
            "in this run",
            event.record_key,
            error,
        )
        message = f"SAP rejected the credentials: {error}; replay with 'dead-letters replay'"
        self.ledger.finish(event.record_key, Outcome.DEAD_LETTER, now=self._clock(), error=message)
        return RecordResult(event.record_key, Outcome.DEAD_LETTER, error=message)

    def _record(
        self, event: MonitronEvent, position: PositionRef, outcome: Outcome, reason: str
    ) -> RecordResult:
        entry = event_entry(event, position, outcome, self._clock(), reason=reason)
        written = self.ledger.record(entry)
        if not written:
            previous = self.ledger.get(event.record_key)
            return RecordResult(
                event.record_key,
                previous.status if previous else outcome,
                reason=previous.reason if previous else reason,
                notification_number=previous.notification_number if previous else None,
                already_done=True,
            )
        return RecordResult(event.record_key, outcome, reason=reason)

    def _record_unmapped(self, event: MonitronEvent, position: PositionRef) -> RecordResult:
        ids = []
        if position.asset_position_id:
            ids.append(f"assetPositionId {position.asset_position_id}")
        if position.sensor_id:
            ids.append(f"sensor {position.sensor_id}")
        reason = (
            f"{NO_MAPPING}: no mapping entry for {position.describe()}"
            + (f" ({', '.join(ids)})" if ids else "")
            + "; add one with 'monitron-sap mapping import'"
        )
        result = self._record(event, position, Outcome.SKIPPED, reason)
        if not result.already_done:
            self.ledger.note_unmapped(position, seen_at=event.timestamp)
        return result

    def _record_invalid(self, error: RecordError) -> RecordResult:
        record_key = invalid_record_key(error)
        written = self.ledger.record(invalid_entry(error, self._clock()))
        if written:
            logger.warning("invalid record: %s", error.describe())
        return RecordResult(
            record_key, Outcome.INVALID, error=error.describe(), already_done=not written
        )

    def _reopen_if_unmapped_before(self, event: MonitronEvent) -> None:
        """Mark an alert that an earlier run skipped for a missing mapping as failed.

        A failed record is claimed again, so an alert whose position has a mapping entry by now
        creates its notification when the same input is processed again.
        """
        previous = self.ledger.get(event.record_key)
        if previous is None or previous.status != Outcome.SKIPPED:
            return
        if not (previous.reason or "").startswith(f"{NO_MAPPING}:"):
            return
        logger.info("record %s has a mapping entry now; processing it again", event.record_key)
        self.ledger.finish(
            event.record_key,
            Outcome.FAILED,
            now=self._clock(),
            error="skipped earlier for a missing mapping entry; a mapping entry exists now",
        )
