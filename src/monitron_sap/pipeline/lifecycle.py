"""The pipeline's part of a notification's life after its creation.

A further alert for a position whose notification SAP reports open updates that notification:
its state, time and readings are appended to the long text, and an escalation raises the
priority and attaches a trend chart. A Monitron user's acknowledgement puts it in process, and
a closure with a closure code adds an item with catalog codes and completes it. SAP decides
whether a notification is open: a completed or postponed one is replaced by a new one.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Final, TypeVar

from monitron_sap.assets.model import MappingEntry, PositionRef
from monitron_sap.charts.history import MeasurementHistory, sample_from_event
from monitron_sap.charts.render import ChartOptions
from monitron_sap.errors import (
    ConfigurationError,
    InputError,
    SapAuthorizationError,
    SapError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.events.model import MonitronEvent
from monitron_sap.lifecycle import (
    acknowledge_notification,
    attach_trend_chart,
    close_notification,
    update_open_notification,
)
from monitron_sap.pipeline.bookkeeping import Bookkeeping
from monitron_sap.pipeline.drafts import priority_for
from monitron_sap.pipeline.reference import external_reference
from monitron_sap.pipeline.results import RecordResult
from monitron_sap.pipeline.retry import RetryPolicy, call_with_retry
from monitron_sap.rules.closure import ClosureCatalog
from monitron_sap.rules.decide import ACKNOWLEDGED, ISO_MODEL, NO_OPEN_NOTIFICATION, Decision
from monitron_sap.rules.measurements import MeasurementSnapshot
from monitron_sap.rules.settings import DISCONNECTED, SEVERITY, RuleSettings
from monitron_sap.rules.texts import short_text, update_text
from monitron_sap.sap.attachments import AttachmentClient
from monitron_sap.sap.items import NotificationItemApi
from monitron_sap.sap.models import (
    PHASE_COMPLETED,
    PHASE_IN_PROCESS,
    PHASE_OUTSTANDING,
    PHASE_POSTPONED,
    Notification,
    NotificationApi,
)
from monitron_sap.sap.phase_cache import NotificationPhaseCache
from monitron_sap.store.ports import OpenNotification, Outcome, StoredHistory

logger = logging.getLogger(__name__)

PHASE_NAMES: Final = {
    PHASE_OUTSTANDING: "outstanding",
    PHASE_POSTPONED: "postponed",
    PHASE_IN_PROCESS: "in process",
    PHASE_COMPLETED: "completed",
}
# Reason codes of updates, in the ledger's "CODE: detail" form.
REPEAT: Final = "repeat"
ESCALATION: Final = "escalation"
CORRELATED: Final = "correlated"
# Key of the ISO class in a stored measurement history, next to the history's own keys.
ISO_CLASS_KEY: Final = "iso_class"
# Histories kept in memory between records, so that a run with many measurements per position
# neither parses nor writes the stored history for every one of them.
HISTORY_CACHE_POSITIONS: Final = 1000

T = TypeVar("T")

_matplotlib_warning_logged = False


def charts_available() -> bool:
    """Return whether matplotlib can be imported, without importing it.

    The first time it is missing, it logs a warning that names the extra to install and the
    setting that turns charts off.
    """
    global _matplotlib_warning_logged
    if importlib.util.find_spec("matplotlib") is not None:
        return True
    if not _matplotlib_warning_logged:
        _matplotlib_warning_logged = True
        logger.warning(
            "trend charts are off because matplotlib is not installed; install "
            "'monitron-sap[charts]' or set lifecycle.charts = false to silence this warning"
        )
    return False


def _acknowledgement_detail(number: str, phase: str | None) -> str:
    if phase == PHASE_IN_PROCESS:
        return f"notification {number} put in process"
    return f"notification {number} left {phase_name(phase)} as SAP has it"


def phase_name(phase: str | None) -> str:
    """Return the name of an SAP processing phase, for messages and the ledger."""
    if phase is None:
        return "not found"
    return PHASE_NAMES.get(phase, f"phase {phase}")


class LifeCycle(Bookkeeping):
    """Updates, acknowledgement, closure and trend charts; a base class of the pipeline."""

    sap: NotificationApi
    items: NotificationItemApi | None
    attachments: AttachmentClient | None
    closure_catalog: ClosureCatalog
    rules: RuleSettings
    retry: RetryPolicy
    _sleep: Callable[[float], None]
    _phases: NotificationPhaseCache
    _charts_enabled: bool
    _histories: OrderedDict[str, tuple[MeasurementHistory, str | None]]
    _unsaved_histories: set[str]

    # An open notification for a further alert ---------------------------------------------------

    def _open_for_alert(
        self, position: PositionRef, decision: Decision, attempts: int
    ) -> tuple[OpenNotification | None, str | None]:
        """Return the position's notification that SAP reports open, else a note on why none.

        A notification that SAP reports completed, postponed or not found is cleared from the
        ledger. The note then names it and its phase, for the ledger reason of the new one.
        """
        known = self.ledger.get_open_notification(position.key)
        if known is None:
            return None, None
        # A notification about a lost connection does not cover a machine-health alert, which
        # gets its own notification (and becomes the position's open one).
        if known.state == DISCONNECTED and decision.state != DISCONNECTED:
            return None, None

        number = known.notification_number
        reading = self._call(
            lambda: self._phases.reading(number),
            f"reading the processing phase of notification {number}",
            attempts,
        )
        if reading.is_open:
            return known, None
        return None, self._closed_in_sap(position, number, reading.phase)

    def _closed_in_sap(self, position: PositionRef, number: str, phase: str | None) -> str:
        self.ledger.clear_open_notification(position.key, number)
        logger.info(
            "notification %s of %s is %s in SAP; a new one will be created",
            number,
            position.describe(),
            phase_name(phase),
        )
        return f"notification {number} is {phase_name(phase)} in SAP, so a new one was created"

    def _follow_up(
        self,
        event: MonitronEvent,
        position: PositionRef,
        decision: Decision,
        mapping: MappingEntry,
        known: OpenNotification,
        attempts: int,
    ) -> RecordResult | str:
        """Update the open notification for a further alert and record the outcome.

        Return the record's result, or a note when SAP reports the notification closed after
        all, so the caller creates a new one.
        """
        number = known.notification_number
        acknowledges = decision.is_acknowledgement and self.rules.in_process_on_acknowledgement
        state = decision.state or known.state
        escalates = self.rules.escalate_priority and SEVERITY.get(state, 0) > SEVERITY.get(
            known.state, 0
        )
        if not escalates and not self.rules.update_on_repeat:
            if acknowledges:
                changed = self._acknowledge(number, attempts)
                detail = _acknowledgement_detail(number, changed.phase)
                return self._finish(
                    event, Outcome.UPDATED, f"{decision.ledger_reason}; {detail}", changed
                )
            reason = (
                f"{CORRELATED}: {decision.reason}; notification {number} "
                "is still open for this position"
            )
            return self._finish(event, Outcome.CORRELATED, reason, number)

        # NOTE: when the process stops between this update and the ledger outcome, the retry
        # appends the text a second time; the priority and phase changes are not repeated.
        text = update_text(event, decision, self._latest_snapshot(position))
        priority = priority_for(mapping, state, self.rules) if escalates else None
        # The short text names the state, so it follows the escalation too.
        new_short_text = short_text(position, state) if escalates else None
        updated = self._call(
            lambda: update_open_notification(
                number, self.sap, long_text=text, priority=priority, text=new_short_text
            ),
            f"updating notification {number}",
            attempts,
        )
        if updated is None:
            # A planner closed it in SAP after the phase was read.
            self._phases.forget(number)
            phase = self._call(
                lambda: self._phases.reading(number).phase,
                f"reading the processing phase of notification {number}",
                attempts,
            )
            return self._closed_in_sap(position, number, phase)
        self._phases.record(updated)

        parts = [f"state, time and readings appended to notification {number}"]
        code = REPEAT
        if escalates:
            self.ledger.set_open_notification(
                OpenNotification(
                    position_key=position.key,
                    notification_number=number,
                    state=state,
                    record_key=known.record_key,
                    opened_at=known.opened_at,
                    priority=updated.priority,
                )
            )
            code = ESCALATION
            parts = [
                f"notification {number} raised from {known.state} to {state} "
                f"(priority {updated.priority or '-'})"
            ]
        if acknowledges:
            updated = self._acknowledge(number, attempts)
            code = ACKNOWLEDGED
            parts.append(_acknowledgement_detail(number, updated.phase))
        reason = f"{code}: {decision.reason}; {'; '.join(parts)}"
        if escalates:
            reason += self._attach_chart(number, position, event, attempts)
        return self._finish(event, Outcome.UPDATED, reason, updated)

    def _acknowledge(self, number: str, attempts: int) -> Notification:
        changed = self._call(
            lambda: acknowledge_notification(number, self.sap),
            f"putting notification {number} in process",
            attempts,
        )
        self._phases.record(changed)
        return changed

    # Closure with codes -------------------------------------------------------------------------

    def _close(
        self, event: MonitronEvent, position: PositionRef, decision: Decision
    ) -> RecordResult:
        """Close the position's open notification with the event's closure code."""
        known = self.ledger.get_open_notification(position.key)
        if known is None:
            reason = f"{NO_OPEN_NOTIFICATION}: {decision.reason}; no open notification to close"
            return self._record(event, position, Outcome.SKIPPED, reason)
        held, _ = self._claim(event, position, external_reference(event.record_key))
        if held is not None:
            return held

        closure = event.closure_code
        if closure is None:
            raise ValueError(f"record {event.record_key}: a closure decision needs a closure code")
        number = known.notification_number
        attempts = self._attempts()
        try:
            result = self._call(
                lambda: close_notification(
                    number,
                    closure,
                    catalog=self.closure_catalog,
                    closed_at=event.timestamp,
                    notifications=self.sap,
                    items=self.items,
                ),
                f"closing notification {number}",
                attempts,
            )
        except SapUnavailableError as error:
            return self._dead_letter(event, error)
        except (SapRejectedError, SapAuthorizationError, InputError) as error:
            return self._fail(event, error)

        self._phases.record(result.notification)
        self.ledger.clear_open_notification(position.key, number)
        if result.item is not None:
            detail = f"item {result.item.number} added: {result.plan.summary}"
        elif self.items is None:
            detail = f"no item API, so the codes went to the long text only: {result.plan.summary}"
        else:
            detail = "no item added because SAP reports it completed already"
        if result.completed:
            status = f"notification {number} completed"
        else:
            status = f"notification {number} stays {phase_name(result.notification.phase)}"
        reason = f"{decision.ledger_reason}; {status}; {detail}"
        return self._finish(event, Outcome.UPDATED, reason, result.notification)

    # Measurement history and trend charts -------------------------------------------------------

    def _remember_history(self, event: MonitronEvent, position: PositionRef) -> None:
        """Add a measurement to the position's bounded history when charts are on."""
        if not self._charts_enabled:
            return
        sample = sample_from_event(event)
        if sample is None:
            return
        history, iso_class = self._stored_history(position)
        history.add(sample)
        model = event.models.get(ISO_MODEL)
        if model is not None and model.iso_class:
            iso_class = model.iso_class
        self._histories[position.key] = (history, iso_class)
        self._histories.move_to_end(position.key)
        self._unsaved_histories.add(position.key)
        while len(self._histories) > HISTORY_CACHE_POSITIONS:
            oldest = next(iter(self._histories))
            self._save_history(oldest)
            del self._histories[oldest]

    def save_histories(self) -> None:
        """Write the measurement histories changed since the last call to the ledger.

        ``process`` calls it at its end. NOTE: a crash before then loses the samples added
        since, which only thins the next charts.
        """
        for position_key in list(self._unsaved_histories):
            self._save_history(position_key)

    def _save_history(self, position_key: str) -> None:
        if position_key not in self._unsaved_histories:
            return
        history, iso_class = self._histories[position_key]
        newest = history.newest
        if newest is None:
            return
        document: dict[str, Any] = history.to_json()
        document[ISO_CLASS_KEY] = iso_class
        self.ledger.save_measurement_history(
            StoredHistory(position_key, newest.timestamp, json.dumps(document))
        )
        self._unsaved_histories.discard(position_key)

    def _stored_history(self, position: PositionRef) -> tuple[MeasurementHistory, str | None]:
        cached = self._histories.get(position.key)
        if cached is not None:
            return cached
        stored = self.ledger.get_measurement_history(position.key)
        if stored is None:
            return MeasurementHistory(), None
        source = f"measurement history of {position.describe()}"
        try:
            document = json.loads(stored.history)
            iso_class = document.get(ISO_CLASS_KEY)
            return MeasurementHistory.from_json(document, source=source), iso_class
        except (ValueError, AttributeError, InputError) as error:
            logger.warning("%s is invalid, so a new history starts: %s", source, error)
            return MeasurementHistory(), None

    def _attach_chart(
        self, number: str, position: PositionRef, event: MonitronEvent, attempts: int
    ) -> str:
        """Attach the position's trend chart to a notification; return a note for the ledger.

        A chart that cannot be attached does not fail the record, because the notification
        exists. The note and a logged warning contain the error.
        """
        if not self._charts_enabled or self.attachments is None:
            return ""
        history, iso_class = self._stored_history(position)
        if not history.window(self.rules.chart_days, end=event.timestamp):
            return "; no trend chart: no measurements of this position before the alert"

        attachments = self.attachments
        label = f"{position.asset or '?'} {position.position or '?'}"
        try:
            attachment = self._call(
                lambda: attach_trend_chart(
                    attachments,
                    number,
                    history,
                    label=label,
                    iso_class=iso_class,
                    event_time=event.timestamp,
                    options=ChartOptions(days=self.rules.chart_days),
                ),
                f"attaching a trend chart to notification {number}",
                attempts,
            )
        except (SapError, InputError, ConfigurationError) as error:
            logger.warning("trend chart not attached to notification %s: %s", number, error)
            return f"; trend chart not attached: {error}"
        return f"; trend chart {attachment.file_name} attached"

    # Helpers ------------------------------------------------------------------------------------

    def _latest_snapshot(self, position: PositionRef) -> MeasurementSnapshot | None:
        latest = self.ledger.get_latest_measurement(position.key)
        if latest is None:
            return None
        return MeasurementSnapshot.from_json(latest.snapshot)

    def _attempts(self) -> int:
        """Return the attempts allowed per SAP call: one while SAP looks down."""
        if self._dead_letter_streak >= self.retry.fail_fast_after:
            return 1
        return self.retry.max_attempts

    def _call(self, call: Callable[[], T], what: str, attempts: int) -> T:
        return call_with_retry(
            call, what=what, attempts=attempts, policy=self.retry, sleep=self._sleep
        )
