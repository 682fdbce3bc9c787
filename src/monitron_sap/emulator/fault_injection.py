"""Faults applied to one service request: the delay, injected errors and lost responses."""

from __future__ import annotations

import logging
import time

from monitron_sap.emulator.faults import FaultController
from monitron_sap.emulator.protocol import TEXT_TYPE, ServiceResponse

logger = logging.getLogger(__name__)


def injected_response(faults: FaultController, method: str, path: str) -> ServiceResponse | None:
    """Apply the delay and return an injected error response, if one is due."""
    settings = faults.settings
    if settings.delay_seconds > 0:
        time.sleep(settings.delay_seconds)
    if method == "HEAD" and settings.head_not_supported:
        return ServiceResponse(405, b"HEAD is not supported", TEXT_TYPE, {"allow": "GET"})
    injected = faults.draw_error()
    if injected is None:
        return None
    status, retry_after = injected
    logger.info("Injecting HTTP %d for %s %s", status, method, path)
    return ServiceResponse(
        status,
        f"Injected fault: HTTP {status}".encode(),
        TEXT_TYPE,
        {"retry-after": str(retry_after)},
    )


def response_lost(
    faults: FaultController, *, modifying: bool, relative_path: str, response: ServiceResponse
) -> bool:
    """Decide whether to drop the response of a successful create, update or function import.

    A ``$batch`` response carries several changes, so it is never dropped as an update.
    """
    if response.created:
        return faults.draw_lost_response()
    is_change = modifying and relative_path != "$batch" and 200 <= response.status < 300
    return is_change and faults.draw_lost_update_response()
