"""Shared parts of the DynamoDB adapters: the boto3 client, error translation, table layouts.

The table layouts here are the contract with the CDK stack in ``infra/``, which creates the same
key schema, index and TTL attribute.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from monitron_sap.errors import ConfigurationError, StoreUnavailableError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger(__name__)

# Ledger table: one item per record (``record#KEY``) and one per open notification
# (``open#POSITION``). Only record items carry ``status``, so the status index is sparse.
LEDGER_PARTITION_KEY: Final = "pk"
LEDGER_STATUS_INDEX: Final = "status-index"
LEDGER_STATUS_ATTRIBUTE: Final = "status"
LEDGER_UPDATED_ATTRIBUTE: Final = "updated_at"
LEDGER_TTL_ATTRIBUTE: Final = "expires_at"
# Lists a notification's ledger entries by time. Only entries have both key attributes, so the
# per-position items (which may carry a notification number) stay out of the index.
LEDGER_NOTIFICATION_INDEX: Final = "notification-index"
LEDGER_NOTIFICATION_ATTRIBUTE: Final = "notification_number"

NO_REGION_MESSAGE: Final = (
    "no AWS region is set; set AWS_REGION (or a region in the AWS profile) to the region of "
    "the stack"
)

# Mapping table: one item per ``MappingEntry.key``.
MAPPING_PARTITION_KEY: Final = "key"

# Error codes after which the same request may succeed later.
RETRYABLE_ERROR_CODES: Final = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
        "LimitExceededException",
    }
)
CONDITIONAL_CHECK_FAILED: Final = "ConditionalCheckFailedException"


def make_dynamodb_client(
    *, endpoint_url: str | None = None, region_name: str | None = None
) -> DynamoDBClient:
    """Create a DynamoDB client with standard retry mode (3 attempts, backoff on throttling)."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import NoRegionError

    config = Config(retries={"mode": "standard", "max_attempts": 3})
    try:
        return boto3.client(
            "dynamodb", endpoint_url=endpoint_url, region_name=region_name, config=config
        )
    except NoRegionError as error:
        raise ConfigurationError(NO_REGION_MESSAGE) from error


def error_code(error: Exception) -> str | None:
    """Return the AWS error code of a botocore ``ClientError``, else None."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return None
    code = response.get("Error", {}).get("Code")
    return code if isinstance(code, str) else None


@contextmanager
def translated_errors(table: str, action: str) -> Iterator[None]:
    """Translate botocore errors raised inside the block into ``monitron_sap.errors``.

    A conditional check failure is not translated: callers catch it where the condition is set.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        code = error_code(error)
        if code == CONDITIONAL_CHECK_FAILED:
            raise
        detail = error.response.get("Error", {}).get("Message", "")
        message = f"DynamoDB {action} on table {table!r} failed: {code} {detail}".rstrip()
        if code in RETRYABLE_ERROR_CODES:
            logger.warning("%s; the request can be retried", message)
            raise StoreUnavailableError(message) from error
        if code == "ResourceNotFoundException":
            raise ConfigurationError(
                f"DynamoDB table {table!r} was not found; check the table name and region"
            ) from error
        if code in ("AccessDeniedException", "UnrecognizedClientException"):
            raise ConfigurationError(
                f"{message}; check the credentials and the IAM policy for the table"
            ) from error
        raise ConfigurationError(message) from error
    except BotoCoreError as error:
        # Connection failures, timeouts and missing credentials all surface here.
        message = f"DynamoDB {action} on table {table!r} failed: {error}"
        if type(error).__name__ in ("NoCredentialsError", "NoRegionError"):
            raise ConfigurationError(message) from error
        raise StoreUnavailableError(message) from error


def is_conditional_failure(error: Exception) -> bool:
    return error_code(error) == CONDITIONAL_CHECK_FAILED


def to_iso(moment: datetime) -> str:
    """Format a timezone-aware time as UTC ISO 8601, so that strings sort in time order."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}; pass a timezone-aware time")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def string_value(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    if value is None:
        return None
    text = value.get("S")
    return text if isinstance(text, str) else None


def number_value(item: dict[str, Any], name: str) -> int | None:
    value = item.get(name)
    if value is None or "N" not in value:
        return None
    return int(value["N"])


def put_optional_string(item: dict[str, Any], name: str, value: str | None) -> None:
    if value is not None:
        item[name] = {"S": value}


def create_ledger_table(client: DynamoDBClient, name: str) -> None:
    """Create the ledger table with its status and notification indexes and TTL, as the CDK
    stack does.

    For local runs and tests; on AWS the stack owns the table.
    """
    with translated_errors(name, "CreateTable"):
        client.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": LEDGER_PARTITION_KEY, "AttributeType": "S"},
                {"AttributeName": LEDGER_STATUS_ATTRIBUTE, "AttributeType": "S"},
                {"AttributeName": LEDGER_UPDATED_ATTRIBUTE, "AttributeType": "S"},
                {"AttributeName": LEDGER_NOTIFICATION_ATTRIBUTE, "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": LEDGER_PARTITION_KEY, "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": LEDGER_STATUS_INDEX,
                    "KeySchema": [
                        {"AttributeName": LEDGER_STATUS_ATTRIBUTE, "KeyType": "HASH"},
                        {"AttributeName": LEDGER_UPDATED_ATTRIBUTE, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": LEDGER_NOTIFICATION_INDEX,
                    "KeySchema": [
                        {"AttributeName": LEDGER_NOTIFICATION_ATTRIBUTE, "KeyType": "HASH"},
                        {"AttributeName": LEDGER_UPDATED_ATTRIBUTE, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
            ],
        )
        client.get_waiter("table_exists").wait(TableName=name)
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": LEDGER_TTL_ATTRIBUTE},
        )


def create_mapping_table(client: DynamoDBClient, name: str) -> None:
    """Create the mapping table, as the CDK stack does. For local runs and tests."""
    with translated_errors(name, "CreateTable"):
        client.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": MAPPING_PARTITION_KEY, "AttributeType": "S"}],
            KeySchema=[{"AttributeName": MAPPING_PARTITION_KEY, "KeyType": "HASH"}],
        )
        client.get_waiter("table_exists").wait(TableName=name)
