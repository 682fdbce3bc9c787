"""NotificationClient behaviour against the scripted fake: payloads, duplicates, ETags, status."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from monitron_sap.errors import (
    ConfigurationError,
    CreateOutcomeUnknownError,
    InputError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.sap.errors import SapPreconditionFailedError
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.models import NotificationChanges, NotificationDraft
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.sap.profiles import ECC_CUSTOM_GATEWAY_EXAMPLE
from tests.unit.sap.fake_sap import FakeSap, Fault, is_create, is_fetch, is_lookup

DRAFT = NotificationDraft(
    text="Pump P-101 drive end bearing shows ISO warning vibration",
    notification_type="M2",
    technical_object="10000123",
    technical_object_kind="EAMS_EQUI",
    priority="2",
    planning_plant="1010",
    planner_group="I01",
    main_work_center="RES-0100",
    main_work_center_plant="1010",
    reported_by="MONITRON",
    malfunction_start=datetime(2024, 5, 1, 10, 30, 5, tzinfo=timezone(timedelta(hours=2))),
    long_text="Vibration 7.1 mm/s at the drive end.",
    external_reference="mon-abc123",
)


def open_client(
    fake: FakeSap, sleeps: list[float] | None = None, **settings: object
) -> NotificationClient:
    recorded = sleeps if sleeps is not None else []
    return create_notification_client(
        fake.settings(**settings), transport=fake.transport(), sleep=recorded.append
    )


def posted_bodies(fake: FakeSap) -> list[dict[str, object]]:
    return [json.loads(request.content) for request in fake.requests if is_create(request)]


def test_create_sends_sap_fields() -> None:
    fake = FakeSap()
    with open_client(fake) as client:
        client.create(DRAFT)

    body = posted_bodies(fake)[0]
    assert body == {
        "NotificationText": "Pump P-101 drive end bearing shows ISO",
        "NotificationType": "M2",
        "MaintPriority": "2",
        "MaintenancePlanningPlant": "1010",
        "MaintenancePlannerGroup": "I01",
        "MainWorkCenter": "RES-0100",
        "MainWorkCenterPlant": "1010",
        "ReportedByUser": "MONITRON",
        "TechnicalObject": "10000123",
        "TechObjIsEquipOrFuncnlLoc": "EAMS_EQUI",
        "MalfunctionStartDate": "/Date(1714521600000)/",
        "MalfunctionStartTime": "PT08H30M05S",
        "MaintNotifLongTextForEdit": "Vibration 7.1 mm/s at the drive end.",
        "MaintNotifExtReferenceNumber": "MON-ABC123",
    }


def test_create_returns_stored_notification() -> None:
    fake = FakeSap()
    with open_client(fake) as client:
        created = client.create(DRAFT)

    assert created.number == "10000001"
    assert created.external_reference == "MON-ABC123"
    assert created.technical_object == "10000123"
    assert created.phase == "1"
    assert created.etag is not None


def test_lost_response_after_commit_returns_existing() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(is_create, raise_error=httpx.ReadTimeout, process_first=True))
    with open_client(fake) as client:
        created = client.create(DRAFT)

    assert len(fake.notifications) == 1
    assert fake.count(is_create) == 1
    assert fake.count(is_lookup) == 1
    assert created.number == "10000001"


def test_lost_response_before_commit_resends_after_lookup() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(is_create, raise_error=httpx.RemoteProtocolError))
    with open_client(fake) as client:
        client.create(DRAFT)

    assert len(fake.notifications) == 1
    assert fake.count(is_create) == 2
    assert fake.count(is_lookup) == 1


def test_502_after_commit_is_not_resent() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(is_create, status=502, process_first=True))
    with open_client(fake) as client:
        client.create(DRAFT)

    assert len(fake.notifications) == 1
    assert fake.count(is_create) == 1


def test_failed_lookup_raises_outcome_unknown() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(is_create, raise_error=httpx.ReadTimeout))
    for _ in range(10):
        fake.faults.append(Fault(is_lookup, raise_error=httpx.ConnectError))
    with open_client(fake) as client, pytest.raises(CreateOutcomeUnknownError) as caught:
        client.create(DRAFT)

    assert "lookup by external reference failed" in str(caught.value)
    assert fake.count(is_create) == 1


def test_lost_response_without_reference_is_unknown() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(is_create, raise_error=httpx.ReadTimeout))
    draft = NotificationDraft(text="Pump noise", notification_type="M2")
    with open_client(fake) as client, pytest.raises(CreateOutcomeUnknownError):
        client.create(draft)

    assert fake.count(is_create) == 1
    assert fake.count(is_lookup) == 0


def test_connect_error_resent_without_lookup() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(is_create, raise_error=httpx.ConnectError))
    with open_client(fake) as client:
        client.create(DRAFT)

    assert fake.count(is_create) == 2
    assert fake.count(is_lookup) == 0
    assert len(fake.notifications) == 1


def test_lock_conflict_retried_without_lookup() -> None:
    fake = FakeSap()
    locked = {"error": {"code": "MC/601", "message": {"value": "Object is locked by BATCH"}}}
    fake.faults.append(Fault(is_create, status=400, body=locked))
    with open_client(fake) as client:
        client.create(DRAFT)

    assert fake.count(is_create) == 2
    assert fake.count(is_lookup) == 0


def test_create_retries_are_bounded() -> None:
    fake = FakeSap()
    for _ in range(10):
        fake.faults.append(Fault(is_create, status=503))
    sleeps: list[float] = []
    with open_client(fake, sleeps, max_retries=2) as client, pytest.raises(SapUnavailableError):
        client.create(DRAFT)

    assert fake.count(is_create) == 3
    assert fake.count(is_lookup) == 3
    assert len(fake.notifications) == 0


def test_validation_error_is_not_retried() -> None:
    fake = FakeSap()
    rejected = {
        "error": {
            "code": "IM/999",
            "message": {"value": "Equipment 10000123 does not exist"},
            "innererror": {"errordetails": [{"code": "IM/999", "message": "Equipment 10000123"}]},
        }
    }
    fake.faults.append(Fault(is_create, status=400, body=rejected))
    with open_client(fake) as client, pytest.raises(SapRejectedError) as caught:
        client.create(DRAFT)

    assert caught.value.code == "IM/999"
    assert "does not exist" in str(caught.value)
    assert fake.count(is_create) == 1


def test_token_fetch_failure_creates_nothing() -> None:
    fake = FakeSap()
    for _ in range(10):
        fake.faults.append(Fault(is_fetch, status=503))
    with open_client(fake, max_retries=1) as client, pytest.raises(SapUnavailableError):
        client.create(DRAFT)

    assert fake.count(is_create) == 0
    assert fake.count(is_lookup) == 0


def test_naive_malfunction_start_is_input_error() -> None:
    draft = NotificationDraft(
        text="x", notification_type="M2", malfunction_start=datetime(2024, 5, 1, 10, 0)
    )
    fake = FakeSap()
    with open_client(fake) as client, pytest.raises(InputError):
        client.create(draft)

    assert fake.requests == []


def test_long_external_reference_is_input_error() -> None:
    draft = NotificationDraft(text="x", notification_type="M2", external_reference="A" * 21)
    with open_client(FakeSap()) as client, pytest.raises(InputError) as caught:
        client.create(draft)

    assert "at most 20" in str(caught.value)


def test_find_by_external_reference_uppercases() -> None:
    fake = FakeSap()
    fake.add(MaintNotifExtReferenceNumber="MON-1", NotificationText="a")
    fake.add(MaintNotifExtReferenceNumber="MON-2", NotificationText="b")
    with open_client(fake) as client:
        found = client.find_by_external_reference("mon-2")

    assert [notification.text for notification in found] == ["b"]
    assert fake.requests[0].url.params["$filter"] == "MaintNotifExtReferenceNumber eq 'MON-2'"


def test_find_by_reference_quotes_literal() -> None:
    fake = FakeSap()
    with open_client(fake) as client:
        client.find_by_external_reference("O'BRIEN")

    assert fake.requests[0].url.params["$filter"] == "MaintNotifExtReferenceNumber eq 'O''BRIEN'"


def test_find_by_technical_object_open_only() -> None:
    fake = FakeSap()
    fake.add(TechnicalObject="000000000010000123", TechnicalObjectLabel="10000123",
             NotificationText="open")  # fmt: skip
    fake.add(TechnicalObjectLabel="10000123", NotificationText="done", NotifProcessingPhase="4")
    fake.add(TechnicalObjectLabel="20000000", NotificationText="other")
    with open_client(fake) as client:
        open_ones = client.find_by_technical_object("10000123")
        every = client.find_by_technical_object("10000123", open_only=False)

    assert [notification.text for notification in open_ones] == ["open"]
    assert open_ones[0].technical_object == "10000123"
    assert sorted(notification.text for notification in every) == ["done", "open"]
    assert fake.requests[0].url.params["$filter"] == (
        "TechnicalObjectLabel eq '10000123' and NotifProcessingPhase ne '4'"
        " and NotifProcessingPhase ne '2'"
    )


def test_search_follows_next_links() -> None:
    fake = FakeSap()
    fake.page_size = 2
    for index in range(5):
        fake.add(TechnicalObjectLabel="10000123", NotificationText=f"n{index}")
    with open_client(fake) as client:
        found = client.find_by_technical_object("10000123")

    assert len(found) == 5
    assert len(fake.requests) == 3


def test_update_reads_etag_and_sends_if_match() -> None:
    fake = FakeSap()
    entity = fake.add(NotificationText="old", MaintPriority="3")
    with open_client(fake) as client:
        updated = client.update(
            entity["MaintenanceNotification"], NotificationChanges(priority="1")
        )

    patch = next(request for request in fake.requests if request.method == "PATCH")
    assert patch.headers["if-match"] == "W/\"datetimeoffset'change-1'\""
    assert json.loads(patch.content) == {"MaintPriority": "1"}
    assert updated.priority == "1"


def test_update_retries_once_after_412_on_own_etag() -> None:
    fake = FakeSap()
    entity = fake.add(NotificationText="old")
    is_patch = lambda request: request.method == "PATCH"  # noqa: E731
    fake.faults.append(Fault(is_patch, status=412, body={"error": {"code": "412"}}))
    with open_client(fake) as client:
        client.update(entity["MaintenanceNotification"], NotificationChanges(text="new"))

    assert fake.count(is_patch) == 2
    assert entity["NotificationText"] == "new"


def test_update_with_stale_caller_etag_raises() -> None:
    fake = FakeSap()
    entity = fake.add(NotificationText="old")
    with open_client(fake) as client, pytest.raises(SapPreconditionFailedError) as caught:
        client.update(
            entity["MaintenanceNotification"], NotificationChanges(text="new"), etag="W/x"
        )

    assert caught.value.status == 412
    assert entity["NotificationText"] == "old"


def test_set_in_process_calls_function_import() -> None:
    fake = FakeSap()
    entity = fake.add(NotificationText="x")
    with open_client(fake) as client:
        result = client.set_in_process(entity["MaintenanceNotification"])

    request = fake.requests[-1]
    assert request.method == "POST"
    assert request.url.path.endswith("/SetMaintNotifToInProcess")
    assert request.url.params["MaintenanceNotification"] == "'10000001'"
    assert result.phase == "3"


def test_complete_sends_utc_reference_literals() -> None:
    fake = FakeSap()
    entity = fake.add(NotificationText="x")
    when = datetime(2024, 5, 2, 1, 30, tzinfo=timezone(timedelta(hours=3)))
    with open_client(fake) as client:
        result = client.complete(entity["MaintenanceNotification"], reference_time=when)

    params = fake.requests[-1].url.params
    assert params["NotificationReferenceDate"] == "datetime'2024-05-01T00:00:00'"
    assert params["NotificationReferenceTime"] == "time'PT22H30M00S'"
    assert result.phase == "4"
    assert result.is_open is False


def test_complete_after_lost_response_returns_completed() -> None:
    fake = FakeSap()
    entity = fake.add(NotificationText="x")
    is_complete = lambda request: request.url.path.endswith("/CompleteMaintNotification")  # noqa: E731
    fake.faults.append(Fault(is_complete, raise_error=httpx.ReadTimeout, process_first=True))
    with open_client(fake) as client:
        result = client.complete(
            entity["MaintenanceNotification"], reference_time=datetime.now(UTC)
        )

    assert fake.count(is_complete) == 1
    assert result.phase == "4"


def test_get_missing_notification_is_rejected() -> None:
    with open_client(FakeSap()) as client, pytest.raises(SapRejectedError) as caught:
        client.get("99999999")

    assert caught.value.status == 404


def test_ecc_profile_maps_equipment_field() -> None:
    body_seen: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = json.loads(request.content)
            body_seen.append(body)
            return httpx.Response(201, json={"d": {"Notification": "4711", **body}})
        return httpx.Response(200, headers={"x-csrf-token": "t"}, json={"d": {}})

    settings = FakeSap().settings(profile=ECC_CUSTOM_GATEWAY_EXAMPLE)
    client = create_notification_client(settings, transport=httpx.MockTransport(handle))
    draft = NotificationDraft(
        text="Fan imbalance",
        notification_type="M2",
        technical_object="1000-FAN-01",
        technical_object_kind="EAMS_FL",
        long_text="Long",
        external_reference="ref-1",
    )
    with client:
        created = client.create(draft)

    assert body_seen[0] == {
        "ShortText": "Fan imbalance",
        "NotifType": "M2",
        "FunctLoc": "1000-FAN-01",
        "LongText": "Long",
        "ExternalRef": "REF-1",
    }
    assert created.number == "4711"
    assert created.technical_object == "1000-FAN-01"
    assert created.technical_object_kind == "EAMS_FL"


def test_ecc_profile_without_status_functions() -> None:
    settings = FakeSap().settings(profile=ECC_CUSTOM_GATEWAY_EXAMPLE)
    client = create_notification_client(settings, transport=FakeSap().transport())
    with client, pytest.raises(ConfigurationError) as caught:
        client.set_in_process("4711")

    assert "no function import" in str(caught.value)


def test_create_without_body_reads_location() -> None:
    fake = FakeSap()
    location = {"location": "https://sap.test:44300/x/MaintenanceNotification('10000001')"}
    fake.faults.append(Fault(is_create, status=201, headers=location, process_first=True))
    with open_client(fake) as client:
        created = client.create(DRAFT)

    assert created.number == "10000001"
    assert created.text == "Pump P-101 drive end bearing shows ISO"


def test_unreadable_create_body_found_by_lookup() -> None:
    fake = FakeSap()
    fake.faults.append(Fault(is_create, status=201, body={"unexpected": True}, process_first=True))
    with open_client(fake) as client:
        created = client.create(DRAFT)

    assert created.number == "10000001"
    assert fake.count(is_create) == 1
    assert fake.count(is_lookup) == 1
