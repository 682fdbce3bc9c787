"""Whether a notification is still open, as SAP reports it, kept for a short time.

A planner may complete or postpone a notification in SAP at any time. Before a further alert
updates a notification, the caller asks ``NotificationPhaseCache.is_open``: it reads the
notification's processing phase from SAP and keeps the answer for ``ttl_seconds``, so a batch
of records for one position costs one read (two threads that ask at the same moment may both
read). A notification that SAP no longer returns (404) counts as closed, so the next alert
creates a new one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from monitron_sap.sap.errors import SapNotFoundError
from monitron_sap.sap.models import Notification, NotificationApi

logger = logging.getLogger(__name__)

# A change made in SAP shows within this time; one read per position and minute is cheap.
DEFAULT_TTL_SECONDS: Final = 60.0
DEFAULT_MAX_ENTRIES: Final = 10_000


@dataclass(frozen=True, slots=True)
class PhaseReading:
    """A notification's processing phase as read from SAP; ``phase`` is None when SAP has no
    such notification. ``read_at`` is the cache clock's time of the read."""

    number: str
    phase: str | None
    is_open: bool
    read_at: float


class NotificationPhaseCache:
    """Processing phases of notifications, read through a ``NotificationApi``.

    Thread-safe. Keeps at most ``max_entries`` readings and drops the oldest beyond that.
    ``clock`` returns seconds and defaults to ``time.monotonic``.
    """

    def __init__(
        self,
        api: NotificationApi,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds < 0:
            raise ValueError(f"ttl_seconds must be 0 or more, got {ttl_seconds}")
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self._api = api
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._readings: OrderedDict[str, PhaseReading] = OrderedDict()

    def is_open(self, number: str) -> bool:
        """Return whether SAP reports the notification neither completed nor postponed."""
        return self.reading(number).is_open

    def reading(self, number: str) -> PhaseReading:
        """Return the cached reading of a notification, reading SAP when it is older than the
        time to live. Errors other than 404 propagate (``SapUnavailableError`` and others)."""
        now = self._clock()
        with self._lock:
            cached = self._readings.get(number)
        if cached is not None and now - cached.read_at <= self._ttl:
            return cached

        try:
            notification = self._api.get(number)
        except SapNotFoundError:
            logger.info("notification %s not found in SAP; treating it as closed", number)
            reading = PhaseReading(number, None, False, now)
        else:
            # Keyed by the number as asked, which may differ in zero padding from SAP's.
            reading = _reading_of(notification, now, number)
        self._store(reading)
        return reading

    def record(self, notification: Notification) -> None:
        """Keep the phase of a notification that SAP just returned, for example after a change."""
        self._store(_reading_of(notification, self._clock(), notification.number))

    def forget(self, number: str) -> None:
        """Drop the reading of a notification, so the next question reads SAP again."""
        with self._lock:
            self._readings.pop(number, None)

    def _store(self, reading: PhaseReading) -> None:
        with self._lock:
            self._readings[reading.number] = reading
            self._readings.move_to_end(reading.number)
            while len(self._readings) > self._max_entries:
                self._readings.popitem(last=False)


def _reading_of(notification: Notification, now: float, number: str) -> PhaseReading:
    return PhaseReading(number, notification.phase, notification.is_open, now)
