"""Fixtures for the AWS end-to-end tests: moto in server mode, the SAP emulator, the handlers.

``aws_world`` creates the bucket (with an S3 notification to the queue), the queue and its
dead-letter queue, the DynamoDB tables with the demo mapping, the secret and a Kinesis stream.
It points the handlers at them through the environment variables the CDK stack sets.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import boto3
import pytest

from monitron_sap.aws import handlers
from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorServer
from monitron_sap.store.dynamodb import DynamoMappingStore
from monitron_sap.store.dynamodb_common import (
    create_ledger_table,
    create_mapping_table,
    make_dynamodb_client,
)
from tests.e2e.conftest import demo_mapping
from tests.moto_server import REGION, aws_environment, moto_server, unique_name

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

MAX_RECEIVE_COUNT = 2


@pytest.fixture(scope="session")
def aws_credentials() -> Iterator[None]:
    yield from aws_environment()


@pytest.fixture(scope="session")
def moto_endpoint(aws_credentials: None) -> Iterator[str]:
    yield from moto_server()


@dataclass(frozen=True)
class AwsWorld:
    endpoint: str
    bucket: str
    queue_url: str
    queue_arn: str
    dead_letter_queue_url: str
    ledger_table: str
    mapping_table: str
    secret_arn: str
    stream_name: str


@pytest.fixture(autouse=True)
def restore_package_logger() -> Iterator[None]:
    """Undo what Powertools' Logger does to the package logger, so other tests see no change."""
    package = logging.getLogger("monitron_sap")
    saved = (list(package.handlers), package.level, list(package.filters), dict(package.__dict__))
    root_filters = {handler: list(handler.filters) for handler in logging.root.handlers}
    yield
    handlers.reset_runtime()
    package.handlers[:] = saved[0]
    package.setLevel(saved[1])
    package.filters[:] = saved[2]
    for name in set(package.__dict__) - set(saved[3]):
        delattr(package, name)
    for handler, filters in root_filters.items():
        handler.filters[:] = filters


@pytest.fixture
def aws_world(
    moto_endpoint: str, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> AwsWorld:
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)
    sqs = boto3.client("sqs", endpoint_url=moto_endpoint, region_name=REGION)
    secrets = boto3.client("secretsmanager", endpoint_url=moto_endpoint, region_name=REGION)
    kinesis = boto3.client("kinesis", endpoint_url=moto_endpoint, region_name=REGION)
    dynamodb = make_dynamodb_client(endpoint_url=moto_endpoint, region_name=REGION)

    dead_letter_url = sqs.create_queue(QueueName=unique_name("dlq"))["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(
        QueueUrl=dead_letter_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
    queue_url = sqs.create_queue(
        QueueName=unique_name("objects"),
        Attributes={"RedrivePolicy": json.dumps(redrive), "VisibilityTimeout": "60"},
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]

    bucket = unique_name("export")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    _drain(sqs, queue_url)  # S3 sends a test event when the notification is configured

    ledger_table = unique_name("ledger")
    mapping_table = unique_name("mapping")
    create_ledger_table(dynamodb, ledger_table)
    create_mapping_table(dynamodb, mapping_table)
    DynamoMappingStore(dynamodb, mapping_table).replace_all(demo_mapping())

    secret_arn = secrets.create_secret(
        Name=unique_name("sap"),
        SecretString=json.dumps({"user": DEMO_USER, "password": DEMO_PASSWORD}),
    )["ARN"]

    stream_name = unique_name("monitron")
    kinesis.create_stream(StreamName=stream_name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream_name)

    sap_address = urlsplit(emulator.base_url)
    environment = {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "MONITRON_SAP_LEDGER_TABLE": ledger_table,
        "MONITRON_SAP_MAPPING_TABLE": mapping_table,
        "SAP_AUTH_SECRET": secret_arn,
        "SAP_HOST_NAME": sap_address.hostname or "",
        "SAP_PORT": str(sap_address.port),
        "SAP_PROTOCOL": "http",
        "MONITRON_SAP_SAP_CLIENT": "100",
        "MONITRON_SAP_PIPELINE_MAX_ATTEMPTS": "2",
        "MONITRON_SAP_PIPELINE_BACKOFF_BASE_SECONDS": "0",
        "POWERTOOLS_METRICS_NAMESPACE": "MonitronSapTest",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    handlers.reset_runtime()
    return AwsWorld(
        endpoint=moto_endpoint,
        bucket=bucket,
        queue_url=queue_url,
        queue_arn=queue_arn,
        dead_letter_queue_url=dead_letter_url,
        ledger_table=ledger_table,
        mapping_table=mapping_table,
        secret_arn=secret_arn,
        stream_name=stream_name,
    )


def _drain(sqs: SQSClient, queue_url: str) -> None:
    while True:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        messages = response.get("Messages", [])
        if not messages:
            return
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
