"""Unit tests of the notification phase cache with a fake NotificationApi and clock."""

from __future__ import annotations

from datetime import datetime

import pytest

from monitron_sap.errors import SapUnavailableError
from monitron_sap.sap.errors import SapNotFoundError
from monitron_sap.sap.models import (
    PHASE_COMPLETED,
    PHASE_IN_PROCESS,
    PHASE_OUTSTANDING,
    PHASE_POSTPONED,
    Notification,
    NotificationChanges,
    NotificationDraft,
)
from monitron_sap.sap.phase_cache import NotificationPhaseCache


class FakeApi:
    """Returns notifications from ``phases``; counts reads; raises ``failure`` when set."""

    def __init__(self, phases: dict[str, str]) -> None:
        self.phases = phases
        self.reads = 0
        self.failure: Exception | None = None

    def get(self, number: str) -> Notification:
        self.reads += 1
        if self.failure is not None:
            raise self.failure
        if number not in self.phases:
            raise SapNotFoundError(f"notification {number} not found", status=404)
        return Notification(
            number=number, text="t", notification_type="M1", phase=self.phases[number]
        )

    def create(self, draft: NotificationDraft) -> Notification:
        raise NotImplementedError

    def find_by_external_reference(self, reference: str) -> list[Notification]:
        raise NotImplementedError

    def find_by_technical_object(
        self, technical_object: str, *, open_only: bool = True
    ) -> list[Notification]:
        raise NotImplementedError

    def update(
        self, number: str, changes: NotificationChanges, *, etag: str | None = None
    ) -> Notification:
        raise NotImplementedError

    def set_in_process(self, number: str) -> Notification:
        raise NotImplementedError

    def complete(self, number: str, *, reference_time: datetime) -> Notification:
        raise NotImplementedError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        (PHASE_OUTSTANDING, True),
        (PHASE_IN_PROCESS, True),
        (PHASE_POSTPONED, False),
        (PHASE_COMPLETED, False),
    ],
)
def test_open_follows_phase(phase: str, expected: bool) -> None:
    cache = NotificationPhaseCache(FakeApi({"1": phase}))

    assert cache.is_open("1") is expected


def test_reading_cached_within_ttl() -> None:
    api, clock = FakeApi({"1": PHASE_OUTSTANDING}), Clock()
    cache = NotificationPhaseCache(api, ttl_seconds=60, clock=clock)

    cache.is_open("1")
    api.phases["1"] = PHASE_COMPLETED
    clock.now += 60

    assert cache.is_open("1") is True
    assert api.reads == 1


def test_reading_refreshed_after_ttl() -> None:
    api, clock = FakeApi({"1": PHASE_OUTSTANDING}), Clock()
    cache = NotificationPhaseCache(api, ttl_seconds=60, clock=clock)

    cache.is_open("1")
    api.phases["1"] = PHASE_COMPLETED
    clock.now += 61

    assert cache.is_open("1") is False
    assert api.reads == 2


def test_unknown_notification_counts_as_closed() -> None:
    cache = NotificationPhaseCache(FakeApi({}))

    reading = cache.reading("404")

    assert reading.is_open is False
    assert reading.phase is None


def test_unavailable_sap_propagates() -> None:
    api = FakeApi({"1": PHASE_OUTSTANDING})
    api.failure = SapUnavailableError("SAP is down", status=503)
    cache = NotificationPhaseCache(api)

    with pytest.raises(SapUnavailableError):
        cache.is_open("1")


def test_forget_reads_again() -> None:
    api = FakeApi({"1": PHASE_OUTSTANDING})
    cache = NotificationPhaseCache(api)

    cache.is_open("1")
    cache.forget("1")
    cache.is_open("1")

    assert api.reads == 2


def test_record_replaces_reading() -> None:
    api = FakeApi({"1": PHASE_OUTSTANDING})
    cache = NotificationPhaseCache(api)

    cache.is_open("1")
    cache.record(Notification("1", "t", "M1", phase=PHASE_COMPLETED))

    assert cache.is_open("1") is False
    assert api.reads == 1


def test_entries_are_bounded() -> None:
    api = FakeApi({str(number): PHASE_OUTSTANDING for number in range(5)})
    cache = NotificationPhaseCache(api, max_entries=2)

    for number in range(5):
        cache.is_open(str(number))
    cache.is_open("0")

    assert api.reads == 6
