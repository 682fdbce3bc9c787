"""SAP credentials from AWS Secrets Manager, cached for a bounded time.

The secret is a JSON object in one of three shapes, the ones the original integration used:
``{"user": ..., "password": ...}`` for Basic authentication, ``{"APIKey": ...}`` for an API key
header, or ``{"client_id": ..., "client_secret": ..., "token_url": ...}`` for OAuth 2.0 client
credentials. Secret values are never logged and never shown in ``repr``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from monitron_sap.errors import ConfigurationError, RetryableError

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

logger = logging.getLogger(__name__)

# How long a fetched secret is reused before it is read again, so that a rotated password is
# picked up within this time without a Secrets Manager call per record.
SECRET_CACHE_SECONDS: Final = 300.0

AuthKind = Literal["basic", "api_key", "oauth2_client_credentials"]

_RETRYABLE_CODES: Final = frozenset(
    {"ThrottlingException", "InternalServiceError", "InternalServiceErrorException"}
)


@dataclass(frozen=True, slots=True)
class SapCredentials:
    """Credentials for SAP read from one secret. Only the fields of ``kind`` are set."""

    kind: AuthKind
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    token_url: str | None = None


def parse_secret(secret_id: str, text: str) -> SapCredentials:
    """Parse the secret's JSON into credentials; raise ``ConfigurationError`` naming the keys.

    The message names the secret and the keys it contains, never a value.
    """
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigurationError(
            f"secret {secret_id!r} is not valid JSON (line {error.lineno}); store a JSON object "
            'with "user" and "password", "APIKey", or "client_id" and "client_secret"'
        ) from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"secret {secret_id!r} must be a JSON object")

    def text_value(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) and value else None

    if text_value("client_id") and text_value("client_secret"):
        return SapCredentials(
            kind="oauth2_client_credentials",
            client_id=text_value("client_id"),
            client_secret=text_value("client_secret"),
            token_url=text_value("token_url"),
        )
    if text_value("user") and text_value("password"):
        return SapCredentials(
            kind="basic", user=text_value("user"), password=text_value("password")
        )
    if text_value("APIKey"):
        return SapCredentials(kind="api_key", api_key=text_value("APIKey"))
    keys = ", ".join(sorted(str(key) for key in data)) or "none"
    raise ConfigurationError(
        f"secret {secret_id!r} has no usable SAP credentials (keys present: {keys}); expected "
        '"user" and "password", "APIKey", or "client_id" and "client_secret" with non-empty strings'
    )


class SecretReader:
    """Read and cache SAP credentials from Secrets Manager; safe to share between threads."""

    def __init__(
        self,
        client: SecretsManagerClient,
        *,
        cache_seconds: float = SECRET_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, SapCredentials]] = {}

    def credentials(self, secret_id: str) -> SapCredentials:
        """Return the credentials in ``secret_id`` (a name or ARN), from the cache when fresh."""
        now = self._clock()
        with self._lock:
            cached = self._cache.get(secret_id)
            if cached is not None and now - cached[0] < self._cache_seconds:
                return cached[1]
        credentials = parse_secret(secret_id, self._fetch(secret_id))
        with self._lock:
            self._cache[secret_id] = (now, credentials)
        logger.info("read SAP credentials (%s) from secret %s", credentials.kind, secret_id)
        return credentials

    def invalidate(self, secret_id: str) -> None:
        """Drop the cached value, for example after SAP rejected the credentials."""
        with self._lock:
            self._cache.pop(secret_id, None)

    def _fetch(self, secret_id: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._client.get_secret_value(SecretId=secret_id)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            message = f"reading secret {secret_id!r} from Secrets Manager failed: {code}"
            if code in _RETRYABLE_CODES:
                raise RetryableError(message) from error
            if code == "ResourceNotFoundException":
                message += "; check the secret ARN and region"
            elif code in ("AccessDeniedException", "DecryptionFailure"):
                message += "; check the IAM policy and the KMS key policy"
            raise ConfigurationError(message) from error
        except BotoCoreError as error:
            raise RetryableError(
                f"reading secret {secret_id!r} from Secrets Manager failed: {type(error).__name__}"
            ) from error
        text = response.get("SecretString")
        if text is None:
            raise ConfigurationError(
                f"secret {secret_id!r} has no SecretString; store the credentials as JSON text"
            )
        return text


def make_secrets_client(
    *, endpoint_url: str | None = None, region_name: str | None = None
) -> SecretsManagerClient:
    import boto3
    from botocore.exceptions import NoRegionError

    try:
        return boto3.client("secretsmanager", endpoint_url=endpoint_url, region_name=region_name)
    except NoRegionError as error:
        raise ConfigurationError(
            "no AWS region is set; set AWS_REGION to the region of the secret"
        ) from error
