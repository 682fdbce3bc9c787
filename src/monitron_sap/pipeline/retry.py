"""Bounded retries with exponential backoff for SAP calls that may succeed later."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar

from monitron_sap.errors import SapUnavailableError
from monitron_sap.sap.errors import SapServiceUnavailableError, SapThrottledError
from monitron_sap.sap.models import Notification, NotificationApi, NotificationDraft

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS: Final = 4
DEFAULT_BACKOFF_BASE_SECONDS: Final = 0.5
DEFAULT_BACKOFF_MAX_SECONDS: Final = 8.0
# After this many records in a row end as dead letters, SAP is treated as down: later records get
# one attempt each until one succeeds, so a long batch does not wait out every backoff.
DEFAULT_FAIL_FAST_AFTER: Final = 3
# The maximum wait a Retry-After header (429 or 503) can set before one retry. A longer hint is
# cut to this, so a misconfigured gateway cannot stall a run for hours.
# NOTE: with the default four attempts, three such waits and four 30 s timeouts add up to the
# default claim lease of 300 s. Raise pipeline.lease_seconds when SAP sends long Retry-After values.
MAX_RETRY_AFTER_SECONDS: Final = 60.0

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently the pipeline repeats a call that raised ``SapUnavailableError``.

    The delay before retry ``n`` (1-based) is ``base * 2 ** (n - 1)``, capped at ``max``, with up
    to 25 % random jitter added.
    """

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff_base_seconds: float = DEFAULT_BACKOFF_BASE_SECONDS
    backoff_max_seconds: float = DEFAULT_BACKOFF_MAX_SECONDS
    fail_fast_after: int = DEFAULT_FAIL_FAST_AFTER

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")
        if self.backoff_base_seconds < 0 or self.backoff_max_seconds < 0:
            raise ValueError("backoff seconds must not be negative")

    def delay(self, retry: int) -> float:
        """Return the seconds to wait before retry number ``retry`` (1-based)."""
        base = min(self.backoff_base_seconds * 2.0 ** (retry - 1), self.backoff_max_seconds)
        return base * (1 + 0.25 * random.random())

    def wait_after(self, error: SapUnavailableError, retry: int) -> float:
        """Return the seconds to wait before retry ``retry`` after ``error``.

        The wait is the backoff delay, or the error's ``Retry-After`` when that is longer, capped
        at ``MAX_RETRY_AFTER_SECONDS``.
        """
        delay = self.delay(retry)
        if isinstance(error, SapThrottledError | SapServiceUnavailableError):
            hint = error.retry_after
            if hint is not None:
                if hint > MAX_RETRY_AFTER_SECONDS:
                    logger.warning(
                        "SAP asked to wait %.0f s before retrying; waiting the maximum of %.0f s",
                        hint,
                        MAX_RETRY_AFTER_SECONDS,
                    )
                delay = max(delay, min(hint, MAX_RETRY_AFTER_SECONDS))
        return delay


def call_with_retry(
    call: Callable[[], T],
    *,
    what: str,
    attempts: int,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> T:
    """Run ``call`` up to ``attempts`` times while it raises ``SapUnavailableError``.

    Use it only for calls that are safe to repeat, such as reads, lookups and updates with an
    ETag. A create goes through ``create_with_lookup`` instead.
    The last error is raised when every attempt failed.
    """
    attempt = 1
    while True:
        try:
            return call()
        except SapUnavailableError as error:
            if attempt >= attempts:
                raise
            delay = policy.wait_after(error, attempt)
            logger.warning(
                "%s failed (attempt %d of %d), retrying in %.1f s: %s",
                what,
                attempt,
                attempts,
                delay,
                error,
            )
            sleep(delay)
            attempt += 1


def create_with_lookup(
    sap: NotificationApi,
    draft: NotificationDraft,
    reference: str,
    *,
    attempts: int,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> Notification:
    """Create the notification, looking it up by ``reference`` before every repeat.

    A failed create may have reached SAP, so a repeat first searches SAP for a notification
    carrying ``reference`` and returns that one when it exists. The last error is raised after
    ``attempts`` tries.
    """
    attempt = 1
    look_up_first = False
    while True:
        try:
            if look_up_first:
                found = sap.find_by_external_reference(reference)
                if found:
                    return found[0]
            return sap.create(draft)
        except SapUnavailableError as error:
            if attempt >= attempts:
                raise
            delay = policy.wait_after(error, attempt)
            logger.warning(
                "creating the notification with reference %s failed (attempt %d of %d), "
                "looking it up and retrying in %.1f s: %s",
                reference,
                attempt,
                attempts,
                delay,
                error,
            )
            sleep(delay)
            look_up_first = True
            attempt += 1
