"""Measure the SAP emulator's capacity, so that client benchmarks know when it is the limit.

Runs the emulator in this process on 127.0.0.1 and prints, per wall second:

- ``create``: POST of a notification over HTTP with one kept-alive connection;
- ``lookup``: GET with ``$filter`` on ``MaintNotifExtReferenceNumber`` after the creates, so
  each lookup scans every stored notification;
- ``create (in process)``: the service's request handling without HTTP.

Client and server share this process's interpreter, so the HTTP figures include the client's
cost too. Usage::

    python benchmarks/emulator_throughput.py [--notifications 2000]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))

import httpx  # noqa: E402

from monitron_sap.emulator import (  # noqa: E402
    DEMO_PASSWORD,
    DEMO_USER,
    EmulatorConfig,
    EmulatorServer,
    ServiceRequest,
)
from monitron_sap.emulator.service import MaintNotificationService  # noqa: E402
from monitron_sap.emulator.state import EntityStore  # noqa: E402


def _payload(index: int) -> dict[str, str]:
    return {
        "NotificationText": "Pump P-101 bearing noise",
        "NotificationType": "M2",
        "TechnicalObject": "10000123",
        "TechObjIsEquipOrFuncnlLoc": "EAMS_EQUI",
        "MaintNotifExtReferenceNumber": f"BENCH-{index}",
    }


def _report(label: str, count: int, seconds: float) -> None:
    print(f"{label:<22} {count:>7} requests  {count / seconds:>8.0f} per second")


def measure_http(count: int) -> None:
    """Create ``count`` notifications over HTTP, then look some of them up."""
    with (
        EmulatorServer(EmulatorConfig()) as server,
        httpx.Client(
            base_url=server.service_url,
            auth=(DEMO_USER, DEMO_PASSWORD),
            headers={"Accept": "application/json"},
        ) as http,
    ):
        token = http.get("", headers={"X-CSRF-Token": "Fetch"}).headers["x-csrf-token"]
        started = time.perf_counter()
        for index in range(count):
            response = http.post(
                "MaintenanceNotification", json=_payload(index), headers={"X-CSRF-Token": token}
            )
            response.raise_for_status()
        _report("create", count, time.perf_counter() - started)

        lookups = min(count, 500)
        started = time.perf_counter()
        for index in range(lookups):
            expression = f"MaintNotifExtReferenceNumber eq 'BENCH-{index}'"
            http.get("MaintenanceNotification", params={"$filter": expression}).raise_for_status()
        _report(f"lookup ({count} stored)", lookups, time.perf_counter() - started)


def measure_in_process(count: int) -> None:
    """Create ``count`` notifications through the service object, without HTTP."""
    service = MaintNotificationService(EmulatorConfig(), EntityStore())
    started = time.perf_counter()
    for index in range(count):
        request = ServiceRequest(
            "POST",
            "MaintenanceNotification",
            {},
            {"accept": "application/json"},
            json.dumps(_payload(index)).encode(),
            DEMO_USER,
            "http://127.0.0.1/sap/opu/odata/sap/API_MAINTNOTIFICATION",
        )
        if service.handle(request).status != 201:
            raise RuntimeError("the emulator rejected a benchmark notification")
    _report("create (in process)", count, time.perf_counter() - started)


def main() -> int:
    """Parse the arguments, run both measurements and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=2000, help="creates per run")
    arguments = parser.parse_args()
    logging.disable(logging.INFO)
    measure_http(arguments.notifications)
    measure_in_process(arguments.notifications)
    return 0


if __name__ == "__main__":
    sys.exit(main())
