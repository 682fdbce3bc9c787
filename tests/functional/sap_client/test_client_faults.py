"""The client against the emulator's fault injection: CSRF expiry, lost responses, throttling,
authorization and ETag errors, over real HTTP on loopback."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.errors import (
    CreateOutcomeUnknownError,
    SapAuthorizationError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.sap.errors import SapPreconditionFailedError, SapThrottledError
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.models import NotificationDraft
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.sap.profiles import profile_from_mapping
from monitron_sap.sap.session import SapSession
from monitron_sap.sap.settings import ApiKeyAuth, BasicAuth
from tests.functional.sap_client.conftest import EMULATOR_API_KEY, emulator_settings


def new_draft(reference: str | None = None, **fields: object) -> NotificationDraft:
    values: dict[str, object] = {
        "text": "Pump bearing vibration",
        "notification_type": "M2",
        "technical_object": "10000123",
        "technical_object_kind": "EAMS_EQUI",
        "external_reference": reference or f"F-{uuid.uuid4().hex[:10]}",
    }
    values.update(fields)
    return NotificationDraft(**values)  # type: ignore[arg-type]


def open_client(
    emulator: EmulatorServer, sleep: Callable[[float], None] | None = None, **overrides: object
) -> NotificationClient:
    return create_notification_client(
        emulator_settings(emulator, **overrides), sleep=sleep or (lambda seconds: None)
    )


def stored_with_reference(client: NotificationClient, reference: str) -> int:
    return len(client.find_by_external_reference(reference))


def test_token_expiring_before_post_is_refetched(emulator: EmulatorServer) -> None:
    reference = "F-EXPIRED-TOKEN"
    with open_client(emulator) as client:
        client.create(new_draft())
        emulator.faults.expire_csrf_tokens()
        emulator.reset_request_count()
        client.create(new_draft(reference))
        counts = emulator.request_count
        stored = stored_with_reference(client, reference)

    assert counts["POST MaintenanceNotification"] == 2
    assert counts["GET service-document"] == 1
    assert stored == 1


def test_token_lifetime_expiry_is_refetched(emulator: EmulatorServer) -> None:
    emulator.faults.update(csrf_token_lifetime_seconds=0.2)
    with open_client(emulator) as client:
        client.create(new_draft())
        time.sleep(0.3)
        client.create(new_draft())

    assert emulator.request_count["GET service-document"] == 2


def test_lost_response_after_create_no_duplicate(emulator: EmulatorServer) -> None:
    reference = "F-LOST-RESPONSE"
    with open_client(emulator) as client:
        client.create(new_draft())
        emulator.faults.drop_next_create_responses(1)
        created = client.create(new_draft(reference))
        stored = client.find_by_external_reference(reference)

    assert [notification.number for notification in stored] == [created.number]
    assert emulator.request_count["POST MaintenanceNotification"] == 2


def test_slow_create_found_by_lookup(emulator: EmulatorServer) -> None:
    reference = "F-SLOW-CREATE"

    def wait_for_slow_request(seconds: float) -> None:
        # The client gave up on the slow POST; the emulator still commits it, then the
        # lookup must see it.
        emulator.faults.update(delay_seconds=0.0)
        time.sleep(0.6)

    with open_client(emulator, wait_for_slow_request, read_timeout=0.2) as client:
        client.create(new_draft())
        emulator.reset_request_count()
        emulator.faults.update(delay_seconds=0.5)
        created = client.create(new_draft(reference))
        stored = client.find_by_external_reference(reference)

    assert [notification.number for notification in stored] == [created.number]
    assert emulator.request_count["POST MaintenanceNotification"] == 1


def test_lost_response_and_failed_lookup_is_unknown(emulator: EmulatorServer) -> None:
    def fail_lookups(seconds: float) -> None:
        emulator.faults.fail_next(10, 503)

    with open_client(emulator, fail_lookups, max_retries=1) as client:
        client.create(new_draft())
        emulator.faults.drop_next_create_responses(1)
        with pytest.raises(CreateOutcomeUnknownError) as caught:
            client.create(new_draft("F-UNKNOWN"))

    assert "lookup by external reference failed" in str(caught.value)
    assert emulator.request_count["POST MaintenanceNotification"] == 2


def test_503_on_create_looks_up_then_resends(emulator: EmulatorServer) -> None:
    reference = "F-RETRY-503"
    with open_client(emulator) as client:
        client.create(new_draft())
        emulator.reset_request_count()
        emulator.faults.fail_next(1, 503)
        client.create(new_draft(reference))
        counts = emulator.request_count
        stored = stored_with_reference(client, reference)

    assert counts["POST MaintenanceNotification"] == 2
    assert counts["GET MaintenanceNotification"] == 1
    assert stored == 1


def test_429_waits_retry_after_and_resends(emulator: EmulatorServer) -> None:
    sleeps: list[float] = []
    emulator.faults.update(retry_after_seconds=1)
    with open_client(emulator, sleeps.append) as client:
        client.create(new_draft())
        emulator.reset_request_count()
        emulator.faults.fail_next(1, 429)
        client.create(new_draft())

    assert sleeps == [1.0]
    assert emulator.request_count["POST MaintenanceNotification"] == 2
    assert emulator.request_count["GET MaintenanceNotification"] == 0


def test_429_beyond_max_backoff_is_raised(emulator: EmulatorServer) -> None:
    emulator.faults.update(retry_after_seconds=60)
    with open_client(emulator, max_backoff_seconds=5.0) as client:
        client.create(new_draft())
        emulator.faults.fail_next(1, 429)
        with pytest.raises(SapThrottledError) as caught:
            client.create(new_draft())

    assert caught.value.retry_after == 60.0


def test_persistent_5xx_gives_up(emulator: EmulatorServer) -> None:
    emulator.faults.update(error_rate=1.0, error_status=500)
    with open_client(emulator, max_retries=2) as client, pytest.raises(SapUnavailableError):
        client.create(new_draft())

    assert emulator.request_count["GET service-document"] == 3
    assert emulator.request_count["POST MaintenanceNotification"] == 0


def test_sap_client_mismatch_is_401(emulator: EmulatorServer) -> None:
    client = open_client(emulator, sap_client="200")
    with client, pytest.raises(SapAuthorizationError) as caught:
        client.create(new_draft())

    assert caught.value.status == 401
    assert emulator.request_count["POST MaintenanceNotification"] == 0


def test_wrong_password_is_401(emulator: EmulatorServer) -> None:
    auth = BasicAuth("MONITRON", "wrong-password")
    client = open_client(emulator, auth=auth)
    with client, pytest.raises(SapAuthorizationError) as caught:
        client.get("10000000")

    assert caught.value.status == 401
    assert "wrong-password" not in str(caught.value)


def test_403_without_csrf_challenge_not_retried(emulator: EmulatorServer) -> None:
    profile = profile_from_mapping({"service_path": "/sap/opu/odata/sap/ZNOT_ACTIVE_SRV"})
    client = open_client(emulator, profile=profile)
    with client, pytest.raises(SapAuthorizationError) as caught:
        client.create(new_draft())

    assert caught.value.status == 403
    assert caught.value.code == "/IWFND/MED/170"


def test_api_key_authentication(emulator: EmulatorServer) -> None:
    with open_client(emulator, auth=ApiKeyAuth(EMULATOR_API_KEY)) as client:
        created = client.create(new_draft())

    assert created.number


def test_head_fetch_falls_back_to_get(emulator: EmulatorServer) -> None:
    emulator.faults.update(head_not_supported=True)
    with open_client(emulator, csrf_fetch_method="HEAD") as client:
        client.create(new_draft())
        client.create(new_draft())

    assert emulator.request_count["HEAD service-document"] == 1
    assert emulator.request_count["GET service-document"] == 1
    assert emulator.request_count["POST MaintenanceNotification"] == 2


def test_unknown_technical_object_rejected(emulator: EmulatorServer) -> None:
    client = open_client(emulator)
    with client, pytest.raises(SapRejectedError) as caught:
        client.create(new_draft(technical_object="99999999"))

    assert caught.value.status == 400
    assert "99999999 does not exist" in str(caught.value)
    assert emulator.request_count["POST MaintenanceNotification"] == 1


def test_patch_without_if_match_is_428(emulator: EmulatorServer) -> None:
    settings = emulator_settings(emulator)
    with open_client(emulator) as client:
        number = client.create(new_draft()).number
    with SapSession(settings) as session, pytest.raises(SapPreconditionFailedError) as caught:
        session.send(
            "PATCH",
            f"MaintenanceNotification('{number}')",
            json_body={"MaintPriority": "1"},
        )

    assert caught.value.status == 428


def test_status_change_after_lost_response_is_checked(emulator: EmulatorServer) -> None:
    with open_client(emulator) as client:
        number = client.create(new_draft()).number
        emulator.faults.fail_next(1, 502)
        in_process = client.set_in_process(number)

    assert in_process.phase == "3"
    assert emulator.request_count["POST SetMaintNotifToInProcess"] == 2


def test_connection_refused_is_unavailable() -> None:
    with EmulatorServer() as server:
        settings = emulator_settings(server, max_retries=0)
    with create_notification_client(settings) as client, pytest.raises(SapUnavailableError):
        client.get("10000000")


def test_request_log_lines(emulator: EmulatorServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="monitron_sap.sap.session")
    with open_client(emulator) as client:
        client.create(new_draft())

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("GET /sap/opu/odata/sap/API_MAINTNOTIFICATION/ 200 ")
    assert lines[1].startswith(
        "POST /sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification 201 "
    )
    assert all("monitron-demo" not in line for line in lines)


def test_lost_response_without_reference_is_unknown(emulator: EmulatorServer) -> None:
    with open_client(emulator) as client:
        client.create(new_draft())
        emulator.faults.drop_next_create_responses(1)
        with pytest.raises(CreateOutcomeUnknownError) as caught:
            client.create(new_draft(external_reference=None))

    assert "no external reference" in str(caught.value)
    assert isinstance(caught.value.__cause__, SapUnavailableError)
    assert isinstance(caught.value.__cause__.__cause__, httpx.HTTPError)


def test_complete_sends_utc_reference_time(emulator: EmulatorServer) -> None:
    reference_time = datetime(2024, 5, 2, 1, 30, 20, tzinfo=timezone(timedelta(hours=3)))
    with open_client(emulator) as client:
        number = client.create(new_draft()).number
        completed = client.complete(number, reference_time=reference_time)

    assert completed.raw["NotificationReferenceDate"] == "/Date(1714521600000)/"
    assert completed.raw["NotificationReferenceTime"] == "PT22H30M20S"


def test_threads_share_one_token(emulator: EmulatorServer) -> None:
    with open_client(emulator) as client:
        with ThreadPoolExecutor(max_workers=4) as pool:
            created = list(pool.map(lambda index: client.create(new_draft()), range(20)))
        numbers = {notification.number for notification in created}

    assert len(numbers) == 20
    assert emulator.request_count["GET service-document"] == 1
    assert emulator.request_count["POST MaintenanceNotification"] == 20
