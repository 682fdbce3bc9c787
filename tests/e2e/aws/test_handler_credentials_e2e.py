"""A wrong SAP password in the Lambda path: one logon attempt per invocation, not per record."""

from __future__ import annotations

import json

import boto3

from monitron_sap.aws import handlers
from monitron_sap.emulator import DEMO_USER, EmulatorServer
from monitron_sap.store.dynamodb import DynamoLedgerStore
from monitron_sap.store.dynamodb_common import make_dynamodb_client
from tests.e2e.aws.conftest import AwsWorld
from tests.e2e.aws.lambda_events import deliver_from_queue
from tests.e2e.aws.test_handlers_e2e import FIREHOSE_KEY, clients, export_lines
from tests.e2e.records import v2_transition
from tests.moto_server import REGION

ALERT_COUNT = 6


def test_wrong_password_one_logon_per_invocation(
    aws_world: AwsWorld, emulator: EmulatorServer
) -> None:
    secrets = boto3.client("secretsmanager", endpoint_url=aws_world.endpoint, region_name=REGION)
    secrets.put_secret_value(
        SecretId=aws_world.secret_arn,
        SecretString=json.dumps({"user": DEMO_USER, "password": "wrong-password"}),
    )
    handlers.reset_runtime()
    s3, sqs = clients(aws_world)
    alerts = [
        v2_transition(
            f"t{index}", "ALARM", position=f"Bearing {index}", sensor=f"c0ffee{index:06d}"
        )
        for index in range(ALERT_COUNT)
    ]
    s3.put_object(Bucket=aws_world.bucket, Key=FIREHOSE_KEY, Body=export_lines(*alerts))
    emulator.reset_request_count()

    delivery = deliver_from_queue(
        sqs, aws_world.queue_url, aws_world.queue_arn, handlers.sqs_handler
    )

    assert delivery is not None
    assert delivery.failed_ids
    assert emulator.request_count.total() == 1
    ledger = DynamoLedgerStore(
        make_dynamodb_client(endpoint_url=aws_world.endpoint, region_name=REGION),
        aws_world.ledger_table,
    )
    assert len(ledger.dead_letters()) == ALERT_COUNT
