"""The result of each record in a run, and the run's summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from monitron_sap.store.ports import Outcome

# A summary keeps the messages of this many problems; the counts cover all of them.
MAX_PROBLEMS_KEPT: Final = 1000


@dataclass(frozen=True, slots=True)
class RecordResult:
    """The result of one record.

    ``outcome`` is ``None`` when another worker has claimed the record (``busy``).
    ``already_done`` is true when an earlier run had recorded the outcome, so this run changed
    nothing.
    """

    record_key: str
    outcome: Outcome | None
    reason: str | None = None
    notification_number: str | None = None
    error: str | None = None
    already_done: bool = False
    busy: bool = False

    @property
    def reason_code(self) -> str | None:
        """The reason's code: the text before the first colon."""
        if self.reason is None:
            return None
        return self.reason.split(":", 1)[0]


@dataclass(slots=True)
class RunSummary:
    """Counts over the records of one run. ``skipped`` counts skipped records by reason code.

    ``already_done`` counts records an earlier run had finished, ``repeated`` the records that
    appeared a second time in this run's input. ``busy`` counts records another run held;
    ``finished_elsewhere`` those of them that the other run had finished when this run ended.
    ``credentials_error`` is the message of the authorization error after which the run stopped
    calling SAP, or ``None``.
    """

    read: int = 0
    notified: int = 0
    updated: int = 0
    correlated: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    invalid: int = 0
    failed: int = 0
    dead_lettered: int = 0
    already_done: int = 0
    busy: int = 0
    notification_numbers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    credentials_error: str | None = None
    repeated: int = 0
    finished_elsewhere: int = 0
    busy_keys: list[str] = field(default_factory=list)
    # NOTE: one key per record of the run, so a backfill of millions of records keeps that many
    # keys in memory: about 130 MB per million 40-character keys, measured with tracemalloc on
    # CPython 3.11.
    _seen: set[str] = field(default_factory=set, repr=False)

    def add(self, result: RecordResult, *, read: bool = True) -> None:
        """Count ``result`` in the summary; ``read`` is false for alerts no record caused."""
        if read:
            self.read += 1
        seen_before = result.record_key in self._seen
        self._seen.add(result.record_key)
        if result.busy:
            self.busy += 1
            self.busy_keys.append(result.record_key)
            return
        # An invalid record stays invalid on every run, so it counts as invalid again.
        if result.already_done and result.outcome != Outcome.INVALID:
            if seen_before:
                self.repeated += 1
            else:
                self.already_done += 1
            return
        match result.outcome:
            case Outcome.NOTIFIED:
                self.notified += 1
                if result.notification_number:
                    self.notification_numbers.append(result.notification_number)
            case Outcome.UPDATED:
                self.updated += 1
            case Outcome.CORRELATED:
                self.correlated += 1
            case Outcome.SKIPPED:
                self.skipped[result.reason_code or "unknown"] += 1
            case Outcome.INVALID:
                self.invalid += 1
                self._note_problem(result)
            case Outcome.FAILED:
                self.failed += 1
                self._note_problem(result)
            case Outcome.DEAD_LETTER:
                self.dead_lettered += 1
                self._note_problem(result)

    def settle_busy(self, finished: set[str]) -> None:
        """Count the busy records in ``finished`` as done by the other run, not as problems."""
        settled = [key for key in self.busy_keys if key in finished]
        self.busy -= len(settled)
        self.finished_elsewhere += len(settled)
        self.busy_keys = [key for key in self.busy_keys if key not in finished]

    def _note_problem(self, result: RecordResult) -> None:
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(f"{result.record_key}: {result.error}")

    @property
    def ok(self) -> bool:
        """True when no record was invalid, failed, dead-lettered or held by another worker."""
        return not (self.invalid or self.failed or self.dead_lettered or self.busy)
