"""The Lambda handlers against moto in server mode (S3, SQS, DynamoDB, Secrets Manager,
Kinesis) and the SAP emulator, with events shaped as the Lambda service sends them."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest

from monitron_sap.aws import handlers
from monitron_sap.aws.event_sources import ObjectRef
from monitron_sap.aws.lambda_runtime import LambdaRuntime, UnfinishedRecordsError
from monitron_sap.aws.settings import HandlerSettings
from monitron_sap.config import SapSettings
from monitron_sap.emulator import DEMO_PASSWORD, EmulatorServer
from monitron_sap.runtime import build_sap_clients
from monitron_sap.sap.models import PHASE_COMPLETED, Notification
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.store.dynamodb import DynamoLedgerStore
from monitron_sap.store.dynamodb_common import make_dynamodb_client
from monitron_sap.store.ports import Outcome
from tests.e2e.aws.conftest import MAX_RECEIVE_COUNT, AwsWorld
from tests.e2e.aws.lambda_events import (
    LambdaContext,
    deliver_from_queue,
    kinesis_event,
    queue_length,
    sqs_event,
)
from tests.e2e.records import v2_measurement, v2_transition
from tests.moto_server import REGION

# A Firehose object key under Monitron's dynamic partitioning, with a space, "+", "=" and ":".
FIREHOSE_KEY = (
    "project=Northwind Bottling/site=Plant Hamburg/time=2026-01-06 00:00:00/"
    "monitron+export-1-2026-01-06-05-00-33-0a1b2c3d"
)
PUMP = "10000101"
PORTO = "1020-PORTO-PROD"


def export_lines(*records: dict[str, Any]) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def two_alarms() -> bytes:
    return export_lines(
        v2_transition("t1", "ALARM"),
        v2_transition(
            "t2",
            "ALARM",
            site="Plant Porto",
            asset="Conveyor CV-401",
            position="Gearbox Input",
            sensor="a1b2c3d40401",
        ),
    )


def created(client: NotificationClient, technical_object: str) -> list[Notification]:
    return client.find_by_technical_object(technical_object, open_only=False)


def creates(emulator: EmulatorServer) -> int:
    return emulator.request_count["POST MaintenanceNotification"]


def clients(world: AwsWorld) -> tuple[Any, Any]:
    s3 = boto3.client("s3", endpoint_url=world.endpoint, region_name=REGION)
    sqs = boto3.client("sqs", endpoint_url=world.endpoint, region_name=REGION)
    return s3, sqs


def test_firehose_object_creates_notifications(
    aws_world: AwsWorld, client: NotificationClient, capfd: pytest.CaptureFixture[str]
) -> None:
    s3, sqs = clients(aws_world)
    s3.put_object(Bucket=aws_world.bucket, Key=FIREHOSE_KEY, Body=two_alarms())

    delivery = deliver_from_queue(
        sqs, aws_world.queue_url, aws_world.queue_arn, handlers.sqs_handler
    )

    assert delivery is not None
    assert delivery.failed_ids == set()
    assert len(created(client, PUMP)) == 1
    assert len(created(client, PORTO)) == 1
    assert queue_length(sqs, aws_world.queue_url) == 0
    output = capfd.readouterr().out
    assert '"NotificationsCreated"' in output
    assert '"correlation_id":"t1"' in output.replace(" ", "")
    assert DEMO_PASSWORD not in output


def test_redelivered_message_creates_nothing(
    aws_world: AwsWorld, emulator: EmulatorServer, client: NotificationClient
) -> None:
    s3, sqs = clients(aws_world)
    s3.put_object(Bucket=aws_world.bucket, Key=FIREHOSE_KEY, Body=two_alarms())
    message = sqs.receive_message(QueueUrl=aws_world.queue_url, AttributeNames=["All"])["Messages"][
        0
    ]
    event = sqs_event([message], aws_world.queue_arn)

    first = handlers.sqs_handler(event, LambdaContext())
    posts_after_first = creates(emulator)
    second = handlers.sqs_handler(event, LambdaContext())

    assert first == {"batchItemFailures": []}
    assert second == {"batchItemFailures": []}
    assert creates(emulator) == posts_after_first
    assert len(created(client, PUMP)) == 1


def test_concurrent_invocations_create_one(
    aws_world: AwsWorld, emulator: EmulatorServer, client: NotificationClient
) -> None:
    s3, _ = clients(aws_world)
    s3.put_object(
        Bucket=aws_world.bucket, Key=FIREHOSE_KEY, Body=export_lines(v2_transition("t1", "ALARM"))
    )
    workers = 4
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def invoke() -> None:
        # Each thread is its own execution environment, with its own clients and SAP session.
        import os

        runtime = LambdaRuntime(HandlerSettings.from_environment(os.environ))
        pipeline = runtime.pipeline()
        barrier.wait()
        try:
            runtime.process_object(pipeline, ObjectRef(aws_world.bucket, FIREHOSE_KEY))
            outcome = "done"
        except UnfinishedRecordsError:
            outcome = "pending"
        finally:
            runtime.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=invoke) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == workers
    assert "done" in outcomes
    assert creates(emulator) == 1
    assert len(created(client, PUMP)) == 1


def test_kinesis_poison_record_fails_alone(aws_world: AwsWorld, client: NotificationClient) -> None:
    kinesis = boto3.client("kinesis", endpoint_url=aws_world.endpoint, region_name=REGION)
    payloads = [
        json.dumps(v2_transition("k1", "ALARM")).encode(),
        b'{"eventId": "k2", "eventType": "assetStateTransition", "timestamp": ',
        json.dumps(
            v2_transition(
                "k3",
                "ALARM",
                site="Plant Porto",
                asset="Conveyor CV-401",
                position="Gearbox Input",
                sensor="a1b2c3d40401",
            )
        ).encode(),
    ]
    for payload in payloads:
        kinesis.put_record(StreamName=aws_world.stream_name, Data=payload, PartitionKey="p")
    event = kinesis_event(kinesis, aws_world.stream_name)
    poison_sequence = event["Records"][1]["kinesis"]["sequenceNumber"]

    result = handlers.kinesis_handler(event, LambdaContext())
    retried = handlers.kinesis_handler(event, LambdaContext())

    assert result == {"batchItemFailures": [{"itemIdentifier": poison_sequence}]}
    assert retried == {"batchItemFailures": [{"itemIdentifier": poison_sequence}]}
    assert len(created(client, PUMP)) == 1
    assert len(created(client, PORTO)) == 1


def test_sap_outage_dead_letters_then_replay(
    aws_world: AwsWorld, emulator: EmulatorServer, client: NotificationClient
) -> None:
    s3, sqs = clients(aws_world)
    emulator.faults.update(error_rate=1.0, error_status=503)
    s3.put_object(Bucket=aws_world.bucket, Key=FIREHOSE_KEY, Body=two_alarms())

    deliveries = []
    while (
        delivery := deliver_from_queue(
            sqs, aws_world.queue_url, aws_world.queue_arn, handlers.sqs_handler
        )
    ) is not None:
        deliveries.append(delivery)
        assert len(deliveries) <= MAX_RECEIVE_COUNT

    assert len(deliveries) == MAX_RECEIVE_COUNT
    assert all(delivery.failed_ids for delivery in deliveries)
    assert queue_length(sqs, aws_world.queue_url) == 0
    assert queue_length(sqs, aws_world.dead_letter_queue_url) == 1
    ledger = DynamoLedgerStore(
        make_dynamodb_client(endpoint_url=aws_world.endpoint, region_name=REGION),
        aws_world.ledger_table,
    )
    assert {entry.record_key for entry in ledger.dead_letters()} == {
        "assetStateTransition:t1",
        "assetStateTransition:t2",
    }

    emulator.faults.reset()
    redrive(sqs, aws_world.dead_letter_queue_url, aws_world.queue_url)
    replay = deliver_from_queue(sqs, aws_world.queue_url, aws_world.queue_arn, handlers.sqs_handler)
    redrive_again = sqs.send_message(
        QueueUrl=aws_world.queue_url,
        MessageBody=replay_body(aws_world.bucket),
    )
    second_replay = deliver_from_queue(
        sqs, aws_world.queue_url, aws_world.queue_arn, handlers.sqs_handler
    )

    assert replay is not None
    assert replay.failed_ids == set()
    assert redrive_again["MessageId"]
    assert second_replay is not None
    assert second_replay.failed_ids == set()
    assert len(created(client, PUMP)) == 1
    assert len(created(client, PORTO)) == 1
    assert ledger.dead_letters() == []
    entry = ledger.get("assetStateTransition:t1")
    assert entry is not None
    assert entry.status is Outcome.NOTIFIED


def redrive(sqs: Any, dead_letter_queue_url: str, queue_url: str) -> None:
    """Move every message back from the dead-letter queue, as an SQS redrive does."""
    while messages := sqs.receive_message(
        QueueUrl=dead_letter_queue_url, MaxNumberOfMessages=10
    ).get("Messages", []):
        for message in messages:
            sqs.send_message(QueueUrl=queue_url, MessageBody=message["Body"])
            sqs.delete_message(
                QueueUrl=dead_letter_queue_url, ReceiptHandle=message["ReceiptHandle"]
            )


def replay_body(bucket: str) -> str:
    """An S3 notification for the same object, as a second redrive would deliver it."""
    from urllib.parse import quote_plus

    return json.dumps(
        {
            "Records": [
                {
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": bucket},
                        "object": {"key": quote_plus(FIREHOSE_KEY)},
                    },
                }
            ]
        }
    )


def test_lambda_follows_notification_life(
    aws_world: AwsWorld, client: NotificationClient, sap_settings: SapSettings
) -> None:
    s3, sqs = clients(aws_world)
    closure = {"failureMode": "IMBALANCE", "failureCause": "WEAR", "actionTaken": "ADJUST"}
    body = export_lines(
        v2_measurement("m1"),
        v2_transition("t1", "WARNING"),
        v2_transition("t2", "ALARM", "WARNING", timestamp="2026-01-06 09:00:00.000"),
        v2_transition(
            "t3",
            "NEEDS_MAINTENANCE",
            "ALARM",
            timestamp="2026-01-06 10:00:00.000",
            transition_type="userInput",
        ),
        v2_transition(
            "t4",
            "HEALTHY",
            "NEEDS_MAINTENANCE",
            timestamp="2026-01-07 10:00:00.000",
            transition_type="userInput",
            closure_code=closure,
        ),
    )
    s3.put_object(Bucket=aws_world.bucket, Key=FIREHOSE_KEY, Body=body)

    delivery = deliver_from_queue(
        sqs, aws_world.queue_url, aws_world.queue_arn, handlers.sqs_handler
    )

    assert delivery is not None
    assert delivery.failed_ids == set()
    [notification] = created(client, PUMP)
    assert notification.phase == PHASE_COMPLETED
    assert notification.priority == "2"
    with build_sap_clients(sap_settings) as sap:
        [item] = sap.items.list_items(notification.number)
        attachments = sap.attachments.list_attachments(notification.number)
    assert (item.damage_code_group, item.damage_code) == ("MON-DMG", "D006")
    assert len(attachments) == 2
    ledger = DynamoLedgerStore(
        make_dynamodb_client(endpoint_url=aws_world.endpoint, region_name=REGION),
        aws_world.ledger_table,
    )
    entries = ledger.entries_for_notification(notification.number)
    assert [entry.record_key for entry in entries] == [
        "assetStateTransition:t1",
        "assetStateTransition:t2",
        "assetStateTransition:t3",
        "assetStateTransition:t4",
    ]
    assert ledger.get_measurement_history("id:pos-a1b2c3d40101") is not None
