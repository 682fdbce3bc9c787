"""The notification client's whole lifecycle over real HTTP, against the emulator or real SAP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from monitron_sap.sap.errors import SapPreconditionFailedError
from monitron_sap.sap.models import (
    LONG_TEXT_MAX_PER_REQUEST,
    NotificationChanges,
    NotificationDraft,
)
from tests.functional.sap_client.conftest import SapTarget


def unique_reference() -> str:
    return f"MSAPT-{uuid.uuid4().hex[:12]}"


def draft_for(target: SapTarget, reference: str, **fields: object) -> NotificationDraft:
    values: dict[str, object] = {
        "text": "Monitron functional test: bearing vibration above the alarm level",
        "notification_type": target.notification_type,
        "technical_object": target.technical_object,
        "technical_object_kind": target.technical_object_kind,
        "priority": "3",
        "malfunction_start": datetime(2024, 5, 1, 23, 30, 15, tzinfo=UTC),
        "long_text": "Created by the monitron-sap functional tests.",
        "external_reference": reference,
    }
    values.update(fields)
    return NotificationDraft(**values)  # type: ignore[arg-type]


def is_create(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/MaintenanceNotification")


def test_create_and_read_back(sap_target: SapTarget) -> None:
    reference = unique_reference()
    with sap_target.client() as client:
        created = client.create(draft_for(sap_target, reference))
        read = client.get(created.number)

    assert read.number == created.number
    assert read.text == "Monitron functional test: bearing"
    assert read.notification_type == sap_target.notification_type
    assert read.external_reference == reference.upper()
    assert read.technical_object == sap_target.technical_object
    assert read.phase == "1"
    assert read.raw["MalfunctionStartDate"] == "/Date(1714521600000)/"
    assert read.raw["MalfunctionStartTime"] == "PT23H30M15S"
    assert read.etag is not None


def test_steady_state_costs_one_request_each(sap_target: SapTarget) -> None:
    requests: list[httpx.Request] = []
    with sap_target.client(requests) as client:
        for _ in range(5):
            client.create(draft_for(sap_target, unique_reference()))

    fetches = [r for r in requests if r.headers.get("x-csrf-token", "").lower() == "fetch"]
    assert len(fetches) == 1
    assert sum(1 for request in requests if is_create(request)) == 5
    assert len(requests) == 6


def test_every_request_names_sap_client(sap_target: SapTarget) -> None:
    requests: list[httpx.Request] = []
    with sap_target.client(requests) as client:
        created = client.create(draft_for(sap_target, unique_reference()))
        client.get(created.number)

    expected = sap_target.settings.sap_client
    assert len(requests) == 3
    for request in requests:
        assert request.url.params.get("sap-client") == expected


def test_find_by_external_reference(sap_target: SapTarget) -> None:
    reference = unique_reference()
    with sap_target.client() as client:
        created = client.create(draft_for(sap_target, reference))
        found = client.find_by_external_reference(reference.lower())

    assert [notification.number for notification in found] == [created.number]


def test_find_open_by_technical_object(sap_target: SapTarget) -> None:
    with sap_target.client() as client:
        created = client.create(draft_for(sap_target, unique_reference()))
        open_before = client.find_by_technical_object(sap_target.technical_object)
        client.complete(created.number, reference_time=datetime.now(UTC))
        open_after = client.find_by_technical_object(sap_target.technical_object)
        every = client.find_by_technical_object(sap_target.technical_object, open_only=False)

    assert created.number in {notification.number for notification in open_before}
    assert created.number not in {notification.number for notification in open_after}
    assert created.number in {notification.number for notification in every}


def test_update_reads_etag_itself(sap_target: SapTarget) -> None:
    with sap_target.client() as client:
        created = client.create(draft_for(sap_target, unique_reference()))
        updated = client.update(created.number, NotificationChanges(priority="1", text="Escalated"))

    assert updated.priority == "1"
    assert updated.text == "Escalated"
    assert updated.etag != created.etag


def test_update_with_stale_etag_is_412(sap_target: SapTarget) -> None:
    with sap_target.client() as client:
        created = client.create(draft_for(sap_target, unique_reference()))
        client.update(created.number, NotificationChanges(priority="2"), etag=created.etag)
        with pytest.raises(SapPreconditionFailedError) as caught:
            client.update(created.number, NotificationChanges(priority="1"), etag=created.etag)
        unchanged = client.get(created.number)

    assert caught.value.status == 412
    assert unchanged.priority == "2"


def test_set_in_process_then_complete(sap_target: SapTarget) -> None:
    reference_time = datetime.now(UTC) - timedelta(hours=1)
    with sap_target.client() as client:
        created = client.create(draft_for(sap_target, unique_reference()))
        in_process = client.set_in_process(created.number)
        completed = client.complete(created.number, reference_time=reference_time)

    assert in_process.phase == "3"
    assert completed.phase == "4"
    assert completed.is_open is False


def test_long_text_over_limit_is_cut_with_marker(sap_target: SapTarget) -> None:
    long_text = "Vibration trend. " * 100
    with sap_target.client() as client:
        created = client.create(draft_for(sap_target, unique_reference(), long_text=long_text))
        read = client.get(created.number)

    assert len(long_text) > LONG_TEXT_MAX_PER_REQUEST
    assert read.long_text is not None
    assert "more characters]" in read.long_text
