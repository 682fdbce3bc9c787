"""OAuth 2.0 client credentials against the emulator's token endpoint over real HTTP: from the
configuration file through the runtime to the notification client."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

import httpx
import pytest

from monitron_sap.config import Settings, load_settings
from monitron_sap.emulator.config import EmulatorConfig
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.errors import SapAuthorizationError
from monitron_sap.runtime import build_notification_client
from monitron_sap.sap.auth import TOKEN_EXPIRY_MARGIN_SECONDS
from monitron_sap.sap.models import NotificationDraft

CLIENT_ID = "monitron-bridge"
CLIENT_SECRET = "s3cret-client-value"
DRAFT = NotificationDraft(
    text="Pump 7 Motor DE: ALARM",
    notification_type="M1",
    technical_object="10000123",
    technical_object_kind="EAMS_EQUI",
)


def _emulator(lifetime: float = 3600.0) -> EmulatorServer:
    config = EmulatorConfig(
        oauth_clients=MappingProxyType({CLIENT_ID: CLIENT_SECRET}),
        oauth_token_lifetime_seconds=lifetime,
    )
    return EmulatorServer(config)


@pytest.fixture
def sap() -> Iterator[EmulatorServer]:
    with _emulator() as server:
        yield server


def _settings(sap: EmulatorServer, tmp_path: Path, secret: str = CLIENT_SECRET) -> Settings:
    path = tmp_path / "monitron-sap.toml"
    path.write_text(
        f'[sap]\nbase_url = "{sap.base_url}"\nauth = "oauth2"\n'
        f'oauth_token_url = "{sap.base_url}/oauth/token"\noauth_client_id = "{CLIENT_ID}"\n',
        encoding="utf-8",
    )
    return load_settings(path, {"MONITRON_SAP_SAP_OAUTH_CLIENT_SECRET": secret})


def test_token_fetched_once_and_reused(sap: EmulatorServer, tmp_path: Path) -> None:
    with build_notification_client(_settings(sap, tmp_path).sap) as client:
        created = client.create(DRAFT)
        client.get(created.number)
        client.find_by_technical_object("10000123")

    assert sap.oauth.issued_count == 1
    assert sap.request_count["POST MaintenanceNotification"] == 1


def test_token_refetched_after_revocation(sap: EmulatorServer, tmp_path: Path) -> None:
    with build_notification_client(_settings(sap, tmp_path).sap) as client:
        created = client.create(DRAFT)
        sap.oauth.expire_tokens()
        read = client.get(created.number)

    assert read.number == created.number
    assert sap.oauth.issued_count == 2
    # The read is sent twice: once with the revoked token (401), once with the new one.
    assert sap.request_count["GET MaintenanceNotification(key)"] == 2


def test_token_refetched_after_expiry(tmp_path: Path) -> None:
    # The client renews a token TOKEN_EXPIRY_MARGIN_SECONDS before its stated expiry, so this
    # token counts as valid for half a second.
    with _emulator(lifetime=TOKEN_EXPIRY_MARGIN_SECONDS + 0.5) as sap:
        with build_notification_client(_settings(sap, tmp_path).sap) as client:
            created = client.create(DRAFT)
            issued_before_expiry = sap.oauth.issued_count
            time.sleep(0.6)
            client.get(created.number)

        assert sap.oauth.issued_count == issued_before_expiry + 1


def test_wrong_secret_raises_without_leaking(
    sap: EmulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wrong_secret = "wrong-secret-value"
    caplog.set_level(logging.DEBUG)

    with (
        build_notification_client(_settings(sap, tmp_path, wrong_secret).sap) as client,
        pytest.raises(SapAuthorizationError) as caught,
    ):
        client.create(DRAFT)

    assert caught.value.status == 401
    assert wrong_secret not in str(caught.value)
    assert wrong_secret not in caplog.text
    assert CLIENT_SECRET not in caplog.text
    assert sap.oauth.issued_count == 0
    assert sap.request_count["POST MaintenanceNotification"] == 0


def test_token_endpoint_rejects_other_grant(sap: EmulatorServer) -> None:
    response = httpx.post(
        f"{sap.base_url}/oauth/token",
        data={"grant_type": "password"},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_service_rejects_unknown_bearer(sap: EmulatorServer) -> None:
    response = httpx.get(sap.service_url, headers={"Authorization": "Bearer not-issued"})

    assert response.status_code == 401
