"""The stack configuration: the original integration's ``appConfig.json`` plus optional keys.

Every original key is read: ``env.account``, ``env.region``, ``vpcId``, ``subnet``,
``stackName``, ``sapenv``, ``ddbtablename``, ``s3.bucketname``, ``s3.inferencefolder``,
``s3.equipment`` and ``lambdaTimeout`` (seconds). ``sapenv`` is passed to the Lambda as
environment variables. ``ddbtablename`` names the mapping table, ``s3.bucketname`` the existing
export bucket and ``s3.inferencefolder`` the key prefix (empty for the whole bucket).
``s3.equipment`` is not used by the stack: load the default equipment as a mapping entry.

Optional keys are listed in ``OPTIONAL_KEYS`` with their defaults and described in
``docs/deploy.md``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

TriggerKind = Literal["s3-notification", "eventbridge"]

DEFAULT_LAMBDA_TIMEOUT_SECONDS: Final = 300
LAMBDA_TIMEOUT_MAX_SECONDS: Final = 900
DEFAULT_RESERVED_CONCURRENCY: Final = 4
DEFAULT_MAX_RECEIVE_COUNT: Final = 5
DEFAULT_KINESIS_BATCH_SIZE: Final = 100
DEFAULT_KINESIS_RETRY_ATTEMPTS: Final = 3
DEFAULT_LEDGER_TTL_DAYS: Final = 90
DEFAULT_LOG_RETENTION_DAYS: Final = 90
DEFAULT_MEMORY_MB: Final = 512

OPTIONAL_KEYS: Final[dict[str, Any]] = {
    "trigger": "s3-notification",
    "kinesisStreamArn": None,
    "kinesisKmsKeyArn": None,
    "kinesisBatchSize": DEFAULT_KINESIS_BATCH_SIZE,
    "kinesisRetryAttempts": DEFAULT_KINESIS_RETRY_ATTEMPTS,
    "reservedConcurrency": DEFAULT_RESERVED_CONCURRENCY,
    "maxReceiveCount": DEFAULT_MAX_RECEIVE_COUNT,
    "ledgerTableName": None,
    "ledgerTtlDays": DEFAULT_LEDGER_TTL_DAYS,
    "logRetentionDays": DEFAULT_LOG_RETENTION_DAYS,
    "memoryMb": DEFAULT_MEMORY_MB,
    "alarmTopicArn": None,
    "sapClient": None,
}
_TRIGGERS: Final = ("s3-notification", "eventbridge")
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")
_STREAM_ARN = re.compile(r"^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/.+$")


class ConfigError(ValueError):
    """The configuration file is invalid; the message names the file and every problem."""


@dataclass(frozen=True, slots=True)
class StackConfig:
    account: str
    region: str
    stack_name: str
    bucket_name: str
    prefix: str
    secret_arn: str
    sap_environment: dict[str, str]
    mapping_table_name: str | None
    lambda_timeout_seconds: int
    vpc_id: str | None = None
    subnet_ids: tuple[str, ...] = ()
    trigger: TriggerKind = "s3-notification"
    kinesis_stream_arn: str | None = None
    kinesis_kms_key_arn: str | None = None
    kinesis_batch_size: int = DEFAULT_KINESIS_BATCH_SIZE
    kinesis_retry_attempts: int = DEFAULT_KINESIS_RETRY_ATTEMPTS
    reserved_concurrency: int = DEFAULT_RESERVED_CONCURRENCY
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    ledger_table_name: str | None = None
    ledger_ttl_days: int = DEFAULT_LEDGER_TTL_DAYS
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    memory_mb: int = DEFAULT_MEMORY_MB
    alarm_topic_arn: str | None = None
    equipment: str | None = None


def load_config(path: Path) -> StackConfig:
    """Read and validate ``path``; raise ``ConfigError`` naming the file and every problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read the stack configuration {path}: {error}") from error
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{path}:{error.lineno}: invalid JSON in the stack configuration: {error.msg}"
        ) from error
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the stack configuration must be a JSON object")
    return parse_config(data, source=str(path))


def parse_config(data: dict[str, Any], *, source: str = "appConfig.json") -> StackConfig:
    problems: list[str] = []
    reader = _Reader(data, problems)

    account = reader.text("env.account", pattern=re.compile(r"^\d{12}$"))
    region = reader.text("env.region", pattern=re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$"))
    stack_name = reader.text("stackName", pattern=re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$"))
    bucket = reader.text("s3.bucketname")
    prefix = reader.optional_text("s3.inferencefolder") or ""
    sap_environment = reader.string_map("sapenv")
    secret_arn = sap_environment.get("SAP_AUTH_SECRET", "")
    if not _SECRET_ARN.match(secret_arn):
        problems.append(
            "sapenv.SAP_AUTH_SECRET must be the ARN of the Secrets Manager secret "
            "(arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)"
        )
    base_url = sap_environment.get("MONITRON_SAP_SAP_BASE_URL")
    if not sap_environment.get("SAP_HOST_NAME") and not base_url:
        problems.append("sapenv.SAP_HOST_NAME (or sapenv.MONITRON_SAP_SAP_BASE_URL) is missing")

    timeout = reader.integer(
        "lambdaTimeout", DEFAULT_LAMBDA_TIMEOUT_SECONDS, 1, LAMBDA_TIMEOUT_MAX_SECONDS
    )
    vpc_id = reader.optional_text("vpcId")
    subnets = reader.text_list("subnet")
    if vpc_id and not subnets:
        problems.append("subnet is missing: a Lambda in vpcId needs at least one subnet id")
    if subnets and not vpc_id:
        problems.append("vpcId is missing: subnet is set without the VPC it belongs to")

    trigger = reader.optional_text("trigger") or "s3-notification"
    if trigger not in _TRIGGERS:
        problems.append(f"trigger {trigger!r} must be one of {', '.join(_TRIGGERS)}")
    stream_arn = reader.optional_text("kinesisStreamArn")
    if stream_arn and not _STREAM_ARN.match(stream_arn):
        problems.append(f"kinesisStreamArn {stream_arn!r} is not a Kinesis stream ARN")

    config = StackConfig(
        account=account,
        region=region,
        stack_name=stack_name,
        bucket_name=bucket,
        prefix=prefix,
        secret_arn=secret_arn,
        sap_environment=sap_environment,
        mapping_table_name=reader.optional_text("ddbtablename"),
        lambda_timeout_seconds=timeout,
        vpc_id=vpc_id,
        subnet_ids=tuple(subnets),
        trigger=trigger if trigger in _TRIGGERS else "s3-notification",  # type: ignore[arg-type]
        kinesis_stream_arn=stream_arn,
        kinesis_kms_key_arn=reader.optional_text("kinesisKmsKeyArn"),
        kinesis_batch_size=reader.integer("kinesisBatchSize", DEFAULT_KINESIS_BATCH_SIZE, 1, 10000),
        kinesis_retry_attempts=reader.integer(
            "kinesisRetryAttempts", DEFAULT_KINESIS_RETRY_ATTEMPTS, 0, 10000
        ),
        reserved_concurrency=reader.integer(
            "reservedConcurrency", DEFAULT_RESERVED_CONCURRENCY, 2, 1000
        ),
        max_receive_count=reader.integer("maxReceiveCount", DEFAULT_MAX_RECEIVE_COUNT, 1, 1000),
        ledger_table_name=reader.optional_text("ledgerTableName"),
        ledger_ttl_days=reader.integer("ledgerTtlDays", DEFAULT_LEDGER_TTL_DAYS, 0, 3650),
        log_retention_days=reader.integer("logRetentionDays", DEFAULT_LOG_RETENTION_DAYS, 1, 3653),
        memory_mb=reader.integer("memoryMb", DEFAULT_MEMORY_MB, 128, 10240),
        alarm_topic_arn=reader.optional_text("alarmTopicArn"),
        equipment=reader.optional_text("s3.equipment"),
    )
    if reader.optional_text("sapClient"):
        config.sap_environment.setdefault(
            "MONITRON_SAP_SAP_CLIENT", reader.optional_text("sapClient") or ""
        )
    if problems:
        raise ConfigError(f"{source}: invalid stack configuration: " + "; ".join(problems))
    return config


class _Reader:
    """Typed access to dotted keys, collecting problems instead of stopping at the first."""

    def __init__(self, data: dict[str, Any], problems: list[str]) -> None:
        self._data = data
        self._problems = problems

    def _get(self, dotted: str) -> Any:
        value: Any = self._data
        for part in dotted.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value

    def text(self, dotted: str, *, pattern: re.Pattern[str] | None = None) -> str:
        value = self._get(dotted)
        if not isinstance(value, str) or not value.strip():
            self._problems.append(f"{dotted} is missing or not a string")
            return ""
        if pattern is not None and not pattern.match(value):
            self._problems.append(f"{dotted} {value!r} is invalid")
        return value.strip()

    def optional_text(self, dotted: str) -> str | None:
        value = self._get(dotted)
        if value is None:
            return None
        if not isinstance(value, str):
            self._problems.append(f"{dotted} must be a string")
            return None
        return value.strip() or None

    def text_list(self, dotted: str) -> list[str]:
        value = self._get(dotted)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [value.strip()]
        if isinstance(value, list) and all(isinstance(item, str) and item for item in value):
            return [item.strip() for item in value]
        self._problems.append(f"{dotted} must be a subnet id or a list of subnet ids")
        return []

    def string_map(self, dotted: str) -> dict[str, str]:
        value = self._get(dotted)
        if not isinstance(value, dict):
            self._problems.append(f"{dotted} is missing or not an object")
            return {}
        result: dict[str, str] = {}
        for key, item in value.items():
            if isinstance(item, (str, int)) and not isinstance(item, bool):
                result[str(key)] = str(item)
            else:
                self._problems.append(f"{dotted}.{key} must be a string")
        return result

    def integer(self, dotted: str, default: int, minimum: int, maximum: int) -> int:
        value = self._get(dotted)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self._problems.append(f"{dotted} must be a whole number")
            return default
        if not minimum <= value <= maximum:
            self._problems.append(f"{dotted} {value} must be between {minimum} and {maximum}")
            return default
        return value
