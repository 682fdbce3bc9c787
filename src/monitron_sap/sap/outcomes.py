"""Whether SAP may have processed a request that failed, which decides how to retry it."""

from __future__ import annotations

from monitron_sap.errors import SapUnavailableError
from monitron_sap.sap.errors import SapLockedError, SapThrottledError, SapTransportError


def certainly_not_processed(error: SapUnavailableError) -> bool:
    """Return whether SAP certainly did not process the request that failed with ``error``.

    A request that may have been processed (a read timeout, a dropped connection, a 5xx) must
    not be resent before the caller has checked whether SAP stored it.
    """
    if isinstance(error, SapTransportError):
        return not error.may_have_reached_sap
    if isinstance(error, SapThrottledError | SapLockedError):
        return True
    # SAP sends a 4xx status before any change, but a 5xx may come after a commit.
    return error.status is not None and 400 <= error.status < 500
