"""The exception tree of monitron-sap.

Every error the product raises derives from ``MonitronSapError``. The first split is by what the
caller must do::

    MonitronSapError
    ├── ConfigurationError        fix the configuration or the mapping, then run again
    ├── InputError                the input record is unusable; it is reported and skipped
    ├── RetryableError            try again later (SAP or a store is unavailable, throttled, locked)
    │   ├── SapUnavailableError   timeouts, dropped connections, 429, 5xx, lock conflicts
    │   ├── CreateOutcomeUnknownError  a create may have reached SAP; look it up before any retry
    │   └── StoreUnavailableError SQLite busy, DynamoDB throttled or unreachable
    └── PermanentError            retrying will not help; the record is dead-lettered
        ├── SapRejectedError      SAP rejected the request (validation, unknown technical object)
        └── SapAuthorizationError 401 or 403 without a CSRF challenge

Foreign exceptions (httpx, botocore, sqlite3) are translated into these at the adapter that
calls the foreign library, with ``raise ... from``.
"""

from __future__ import annotations


class MonitronSapError(Exception):
    """Base class of every error raised by monitron-sap."""


class ConfigurationError(MonitronSapError):
    """A setting, the mapping or a secret is missing or invalid."""


class InputError(MonitronSapError):
    """An input record or file cannot be used."""


class RetryableError(MonitronSapError):
    """A temporary failure: the same request may succeed later."""


class PermanentError(MonitronSapError):
    """A failure that repeating the same request will not fix."""


class SapError(MonitronSapError):
    """Base class for errors reported by or about the SAP system.

    ``status`` is the HTTP status (``None`` when no response arrived), ``code`` the SAP message
    code from ``error.code`` and ``details`` the messages of ``innererror.errordetails``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.details = details


class SapUnavailableError(SapError, RetryableError):
    """SAP timed out, dropped the connection, throttled the request (429) or failed (5xx)."""


class CreateOutcomeUnknownError(SapUnavailableError):
    """A create request may have reached SAP but its response was lost.

    The caller must look the notification up by its external reference before any retry.
    """


class SapRejectedError(SapError, PermanentError):
    """SAP rejected the request as invalid (4xx other than authorization and throttling)."""


class SapAuthorizationError(SapError, PermanentError):
    """SAP rejected the credentials (401) or the user lacks authorization (403)."""


class StoreUnavailableError(RetryableError):
    """The mapping or ledger store is temporarily unavailable."""
