"""The direct S3 and EventBridge handlers, the prefix filter and Firehose error output, against
moto in server mode and the SAP emulator."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest

from monitron_sap.aws import handlers
from monitron_sap.aws.lambda_runtime import UnfinishedRecordsError
from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorServer
from monitron_sap.errors import InputError
from monitron_sap.sap.notifications import NotificationClient
from tests.e2e.aws.conftest import AwsWorld
from tests.e2e.aws.lambda_events import LambdaContext, deliver_from_queue
from tests.e2e.records import v2_transition
from tests.moto_server import REGION

DATA = Path(__file__).resolve().parents[2] / "data" / "aws"
KEY = "project=Northwind Bottling/site=Plant Hamburg/time=2026-01-06 00:00:00/monitron-1-a+b"
PUMP = "10000101"


def alarm_object() -> bytes:
    return (json.dumps(v2_transition("v1", "ALARM")) + "\n").encode()


def put_without_notification(world: AwsWorld, key: str, body: bytes) -> None:
    """Write an object and drop the queue message S3 sends for it, for the direct handlers."""
    s3 = boto3.client("s3", endpoint_url=world.endpoint, region_name=REGION)
    sqs = boto3.client("sqs", endpoint_url=world.endpoint, region_name=REGION)
    s3.put_object(Bucket=world.bucket, Key=key, Body=body)
    for message in sqs.receive_message(QueueUrl=world.queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        sqs.delete_message(QueueUrl=world.queue_url, ReceiptHandle=message["ReceiptHandle"])


def created_count(client: NotificationClient) -> int:
    return len(client.find_by_technical_object(PUMP, open_only=False))


def s3_notification(bucket: str, key: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((DATA / "s3-notification.json").read_text())
    event["Records"][0]["s3"]["bucket"]["name"] = bucket
    event["Records"][0]["s3"]["object"]["key"] = quote_plus(key)
    return event


def test_direct_s3_notification(aws_world: AwsWorld, client: NotificationClient) -> None:
    put_without_notification(aws_world, KEY, alarm_object())

    result = handlers.s3_handler(s3_notification(aws_world.bucket, KEY), LambdaContext())

    assert result == {"objects": 1}
    assert created_count(client) == 1


def test_eventbridge_object_created(aws_world: AwsWorld, client: NotificationClient) -> None:
    put_without_notification(aws_world, KEY, alarm_object())
    event: dict[str, Any] = json.loads((DATA / "eventbridge-object-created.json").read_text())
    event["detail"]["bucket"]["name"] = aws_world.bucket
    event["detail"]["object"]["key"] = quote_plus(KEY)

    result = handlers.eventbridge_handler(event, LambdaContext())

    assert result == {"objects": 1}
    assert created_count(client) == 1


def test_direct_handler_raises_on_missing_object(
    aws_world: AwsWorld, emulator: EmulatorServer
) -> None:
    event = s3_notification(aws_world.bucket, "project=X/missing")

    with pytest.raises(InputError, match="does not exist"):
        handlers.s3_handler(event, LambdaContext())

    assert emulator.request_count["POST MaintenanceNotification"] == 0


def test_firehose_error_output_unwrapped(aws_world: AwsWorld, client: NotificationClient) -> None:
    envelope = {
        "attemptsMade": 1,
        "arrivalTimestamp": 1767675633719,
        "errorCode": "DynamicPartitioning.MetadataExtractionFailed",
        "errorMessage": "Non JSON record provided",
        "attemptEndingTimestamp": 1767675634000,
        "rawData": base64.b64encode(alarm_object()).decode("ascii"),
    }
    key = "error/DynamicPartitioning.MetadataExtractionFailed/dt=2026-01-06/h=05/monitron-1-x"
    s3 = boto3.client("s3", endpoint_url=aws_world.endpoint, region_name=REGION)
    sqs = boto3.client("sqs", endpoint_url=aws_world.endpoint, region_name=REGION)
    s3.put_object(Bucket=aws_world.bucket, Key=key, Body=(json.dumps(envelope) + "\n").encode())

    delivery = deliver_from_queue(
        sqs, aws_world.queue_url, aws_world.queue_arn, handlers.sqs_handler
    )

    assert delivery is not None
    assert delivery.failed_ids == set()
    assert created_count(client) == 1


def test_prefix_filter_skips_other_keys(
    aws_world: AwsWorld,
    emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MONITRON_SAP_S3_PREFIX", "project=Other Plant/")
    handlers.reset_runtime()
    s3 = boto3.client("s3", endpoint_url=aws_world.endpoint, region_name=REGION)
    sqs = boto3.client("sqs", endpoint_url=aws_world.endpoint, region_name=REGION)
    s3.put_object(Bucket=aws_world.bucket, Key=KEY, Body=alarm_object())

    delivery = deliver_from_queue(
        sqs, aws_world.queue_url, aws_world.queue_arn, handlers.sqs_handler
    )

    assert delivery is not None
    assert delivery.failed_ids == set()
    assert emulator.request_count["POST MaintenanceNotification"] == 0


def test_rotated_password_read_after_rejection(
    aws_world: AwsWorld, client: NotificationClient
) -> None:
    secrets = boto3.client("secretsmanager", endpoint_url=aws_world.endpoint, region_name=REGION)
    secrets.put_secret_value(
        SecretId=aws_world.secret_arn,
        SecretString=json.dumps({"user": DEMO_USER, "password": "outdated-password"}),
    )
    put_without_notification(aws_world, KEY, alarm_object())
    event = s3_notification(aws_world.bucket, KEY)

    with pytest.raises(UnfinishedRecordsError, match="SAP rejected the credentials"):
        handlers.s3_handler(event, LambdaContext())
    secrets.put_secret_value(
        SecretId=aws_world.secret_arn,
        SecretString=json.dumps({"user": DEMO_USER, "password": DEMO_PASSWORD}),
    )
    redelivered = handlers.s3_handler(event, LambdaContext())

    assert redelivered == {"objects": 1}
    assert created_count(client) == 1
