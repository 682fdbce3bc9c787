"""The emulator's admin endpoint: fault switches and request counts, for loopback clients.

``GET /emulator/faults`` returns the fault settings, ``POST /emulator/faults`` with a JSON
object changes them (see :meth:`FaultController.apply`), and ``GET /emulator/requests``
returns the request counts by kind.
"""

from __future__ import annotations

import json
import logging
from collections import Counter

from monitron_sap.emulator.faults import FaultController
from monitron_sap.emulator.protocol import TEXT_TYPE, ServiceResponse
from monitron_sap.errors import ConfigurationError

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/emulator/"
_LOOPBACK_PREFIXES = ("127.", "::1", "::ffff:127.")


def handle_admin(
    faults: FaultController,
    request_count: Counter[str],
    client_host: str,
    method: str,
    path: str,
    body: bytes,
) -> ServiceResponse:
    """Serve one admin request; clients other than loopback get 403."""
    if not client_host.startswith(_LOOPBACK_PREFIXES):
        logger.warning("Rejected an admin request from %s", client_host)
        return ServiceResponse(403, b"The admin endpoint accepts loopback clients only", TEXT_TYPE)

    if path.rstrip("/") == "/emulator/faults":
        if method == "POST":
            try:
                payload = json.loads(body or b"{}")
                if not isinstance(payload, dict):
                    raise ConfigurationError("the body must be a JSON object")
                faults.apply(payload)
            except (json.JSONDecodeError, ConfigurationError, TypeError, ValueError) as error:
                logger.info("Rejected a fault request: %s", error)
                return ServiceResponse(400, f"Invalid fault request: {error}".encode(), TEXT_TYPE)
            logger.info("Fault settings changed: %s", faults.snapshot())
        elif method != "GET":
            return ServiceResponse(405, b"Use GET or POST", TEXT_TYPE, {"allow": "GET, POST"})
        return ServiceResponse.json(200, faults.snapshot())

    if path.rstrip("/") == "/emulator/requests" and method == "GET":
        return ServiceResponse.json(
            200, {"total": request_count.total(), "by_kind": dict(request_count)}
        )
    return ServiceResponse(404, b"Unknown admin path", TEXT_TYPE)
