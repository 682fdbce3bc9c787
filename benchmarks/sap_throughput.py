"""Measure SAP client throughput against the emulator: connection reuse vs a new connection
and CSRF token per notification, and HTTP requests per notification.

Run from the repository root:

    PYTHONPATH=src .venv/bin/python benchmarks/sap_throughput.py [--count N]

The emulator runs in the same process on a free loopback port, so client and server share one
Python interpreter. The figures compare the two client modes, not SAP's own speed.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from monitron_sap.emulator.config import DEMO_PASSWORD, DEMO_USER
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.models import NotificationDraft
from monitron_sap.sap.settings import BasicAuth, SapConnectionSettings

DEFAULT_COUNT = 100
WARM_UP_COUNT = 5
# The target for steady-state creation: the token fetch is shared by many creates.
TARGET_REQUESTS_PER_NOTIFICATION = 1.02


@dataclass(frozen=True)
class Result:
    """Figures of one mode: notifications per second and requests per notification."""

    mode: str
    notifications: int
    seconds: float
    client_requests: int
    server_requests: int
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.notifications / self.seconds

    @property
    def requests_per_notification(self) -> float:
        return self.client_requests / self.notifications


def draft(index: int, mode: str) -> NotificationDraft:
    return NotificationDraft(
        text=f"Benchmark notification {index}",
        notification_type="M2",
        technical_object="10000123",
        technical_object_kind="EAMS_EQUI",
        priority="3",
        malfunction_start=datetime.now(UTC),
        external_reference=f"B{mode[0].upper()}{index:08d}",
    )


def run_reuse(emulator: EmulatorServer, settings: SapConnectionSettings, count: int) -> Result:
    """Create ``count`` notifications through one client that is already warm.

    The client first creates ``WARM_UP_COUNT`` notifications, which fetch the CSRF token and
    open the connection. Only the creates after that are measured, so the figures show the
    steady state.
    """
    requests: list[httpx.Request] = []
    hooks: dict[str, list[Callable[..., object]]] = {"request": [requests.append]}
    latencies: list[float] = []
    with create_notification_client(settings, event_hooks=hooks) as client:
        for index in range(WARM_UP_COUNT):
            client.create(draft(count + index, "warm"))
        requests.clear()
        emulator.reset_request_count()
        started = time.perf_counter()
        for index in range(count):
            begin = time.perf_counter()
            client.create(draft(index, "reuse"))
            latencies.append((time.perf_counter() - begin) * 1000)
        seconds = time.perf_counter() - started
    total = emulator.request_count.total()
    return Result("reuse", count, seconds, len(requests), total, latencies)


def run_fresh(emulator: EmulatorServer, settings: SapConnectionSettings, count: int) -> Result:
    """Create ``count`` notifications, each with a new client: new connection and new token."""
    requests: list[httpx.Request] = []
    hooks: dict[str, list[Callable[..., object]]] = {"request": [requests.append]}
    latencies: list[float] = []
    emulator.reset_request_count()
    started = time.perf_counter()
    for index in range(count):
        begin = time.perf_counter()
        with create_notification_client(settings, event_hooks=hooks) as client:
            client.create(draft(index, "fresh"))
        latencies.append((time.perf_counter() - begin) * 1000)
    seconds = time.perf_counter() - started
    total = emulator.request_count.total()
    return Result("fresh", count, seconds, len(requests), total, latencies)


def describe(result: Result) -> str:
    p50 = statistics.median(result.latencies_ms)
    p95 = statistics.quantiles(result.latencies_ms, n=20)[-1]
    return (
        f"{result.mode:<6} {result.notifications:>6} {result.per_second:>12.1f} "
        f"{result.requests_per_notification:>10.3f} {result.server_requests:>9} "
        f"{p50:>8.2f} {p95:>8.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--count",
        type=int,
        default=DEFAULT_COUNT,
        help=f"notifications per mode (default {DEFAULT_COUNT})",
    )
    arguments = parser.parse_args()
    if arguments.count < 20:
        parser.error("--count must be at least 20 for stable figures")

    with EmulatorServer() as emulator:
        settings = SapConnectionSettings(
            base_url=emulator.base_url,
            auth=BasicAuth(DEMO_USER, DEMO_PASSWORD),
            sap_client=emulator.config.sap_client,
        )
        reuse = run_reuse(emulator, settings, arguments.count)
        fresh = run_fresh(emulator, settings, arguments.count)

    print(f"date:    {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'unknown CPU'}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print("mode    count  notif./s  req./notif.  server req.  p50 ms   p95 ms")
    print(describe(reuse))
    print(describe(fresh))
    print(f"speed-up with connection reuse: {reuse.per_second / fresh.per_second:.2f}x")
    verdict = (
        "met" if reuse.requests_per_notification <= TARGET_REQUESTS_PER_NOTIFICATION else "MISSED"
    )
    print(
        "steady-state requests per notification with reuse: "
        f"{reuse.requests_per_notification:.3f} "
        f"(target <= {TARGET_REQUESTS_PER_NOTIFICATION}: {verdict})"
    )


if __name__ == "__main__":
    main()
