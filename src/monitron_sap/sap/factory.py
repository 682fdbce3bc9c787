"""Build a ready notification client from connection settings."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.sap.session import EventHooks, SapSession
from monitron_sap.sap.settings import SapConnectionSettings


def create_notification_client(
    settings: SapConnectionSettings,
    *,
    transport: httpx.BaseTransport | None = None,
    event_hooks: EventHooks | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> NotificationClient:
    """Open a session for ``settings`` and return a client over it; close it when done.

    ``transport`` and ``event_hooks`` go to httpx (tests and benchmarks use them); ``sleep``
    waits between retries.
    """
    session = SapSession(settings, transport=transport, event_hooks=event_hooks, sleep=sleep)
    return NotificationClient(session)
