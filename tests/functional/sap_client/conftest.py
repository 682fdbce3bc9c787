"""Targets for the client's functional tests: the emulator over real HTTP, or a real SAP system.

The real-SAP target runs only when ``MONITRON_SAP_TEST_SAP_URL`` and credentials are set:

- ``MONITRON_SAP_TEST_SAP_URL``: base URL, scheme + host + port (``https://s4.example.com:44300``)
- ``MONITRON_SAP_TEST_USER`` + ``MONITRON_SAP_TEST_PASSWORD``, or ``MONITRON_SAP_TEST_API_KEY``
- ``MONITRON_SAP_TEST_SAP_CLIENT`` (optional), ``MONITRON_SAP_TEST_TECHNICAL_OBJECT`` (required),
  ``MONITRON_SAP_TEST_TECHNICAL_OBJECT_KIND`` (default ``EAMS_EQUI``),
  ``MONITRON_SAP_TEST_NOTIFICATION_TYPE`` (default ``M1``), ``MONITRON_SAP_TEST_CA_BUNDLE``.

These tests create, change and complete notifications in that system.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from monitron_sap.emulator.config import DEMO_PASSWORD, DEMO_USER, EmulatorConfig
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.sap.settings import ApiKeyAuth, BasicAuth, SapAuth, SapConnectionSettings

ENV_PREFIX = "MONITRON_SAP_TEST_"
EMULATOR_API_KEY = "functional-test-key"


@dataclass
class SapTarget:
    """A system the client tests run against, and the master data they may use."""

    settings: SapConnectionSettings
    technical_object: str
    technical_object_kind: str
    notification_type: str
    emulator: EmulatorServer | None = None

    def client(
        self, requests: list[httpx.Request] | None = None, **overrides: Any
    ) -> NotificationClient:
        """Open a client; every request sent is appended to ``requests`` when given."""
        hooks = {"request": [requests.append]} if requests is not None else None
        settings = dataclasses.replace(self.settings, **overrides)
        return create_notification_client(settings, event_hooks=hooks)


def emulator_settings(server: EmulatorServer, **overrides: Any) -> SapConnectionSettings:
    """Settings for the emulator's demo user, with short timeouts and backoff for fast tests."""
    values: dict[str, Any] = {
        "base_url": server.base_url,
        "auth": BasicAuth(DEMO_USER, DEMO_PASSWORD),
        "sap_client": server.config.sap_client,
        "sap_language": "EN",
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "max_retries": 2,
        "backoff_seconds": 0.01,
        "max_backoff_seconds": 2.0,
    }
    values.update(overrides)
    return SapConnectionSettings(**values)


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    config = EmulatorConfig(api_keys=frozenset({EMULATOR_API_KEY}))
    with EmulatorServer(config) as server:
        yield server


def _real_sap_target() -> SapTarget:
    url = os.environ.get(f"{ENV_PREFIX}SAP_URL")
    technical_object = os.environ.get(f"{ENV_PREFIX}TECHNICAL_OBJECT")
    user = os.environ.get(f"{ENV_PREFIX}USER")
    password = os.environ.get(f"{ENV_PREFIX}PASSWORD")
    api_key = os.environ.get(f"{ENV_PREFIX}API_KEY")
    auth: SapAuth | None = None
    if user and password:
        auth = BasicAuth(user, password)
    elif api_key:
        auth = ApiKeyAuth(api_key)
    if not url or auth is None or not technical_object:
        pytest.skip(
            f"no real SAP system configured: set {ENV_PREFIX}SAP_URL, {ENV_PREFIX}USER and "
            f"{ENV_PREFIX}PASSWORD (or {ENV_PREFIX}API_KEY) and {ENV_PREFIX}TECHNICAL_OBJECT"
        )
    settings = SapConnectionSettings(
        base_url=url,
        auth=auth,
        sap_client=os.environ.get(f"{ENV_PREFIX}SAP_CLIENT") or None,
        verify=os.environ.get(f"{ENV_PREFIX}CA_BUNDLE") or True,
    )
    return SapTarget(
        settings=settings,
        technical_object=technical_object,
        technical_object_kind=os.environ.get(f"{ENV_PREFIX}TECHNICAL_OBJECT_KIND", "EAMS_EQUI"),
        notification_type=os.environ.get(f"{ENV_PREFIX}NOTIFICATION_TYPE", "M1"),
    )


@pytest.fixture(params=["emulator", pytest.param("real_sap", marks=pytest.mark.real_sap)])
def sap_target(request: pytest.FixtureRequest) -> Iterator[SapTarget]:
    """The emulator on a free loopback port, or the real SAP system from the environment."""
    if request.param == "real_sap":
        yield _real_sap_target()
        return
    config = EmulatorConfig(api_keys=frozenset({EMULATOR_API_KEY}))
    with EmulatorServer(config) as server:
        yield SapTarget(
            settings=emulator_settings(server),
            technical_object="10000123",
            technical_object_kind="EAMS_EQUI",
            notification_type="M2",
            emulator=server,
        )
