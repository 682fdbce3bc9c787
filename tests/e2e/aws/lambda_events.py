"""What the Lambda service does around the handlers: poll SQS and Kinesis, build events.

``deliver_from_queue`` plays the SQS event source mapping. It receives messages, invokes the
handler with an SQS event and deletes the messages that succeeded. It makes the failed ones
visible again at once instead of after the visibility timeout. SQS counts each receive and moves
a message to the dead-letter queue after ``maxReceiveCount`` receives.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient
    from mypy_boto3_sqs import SQSClient

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that the handlers and Powertools read."""

    function_name: str = "monitron-sap-test"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:monitron-sap-test"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@dataclass
class Delivery:
    message_ids: list[str]
    failed_ids: set[str]
    raised: Exception | None = None


def sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for message in messages
        ]
    }


def deliver_from_queue(
    sqs: SQSClient, queue_url: str, queue_arn: str, handler: Handler
) -> Delivery | None:
    """Receive one batch and invoke ``handler``; None when the queue is empty."""
    response = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
    )
    messages = response.get("Messages", [])
    if not messages:
        return None
    event = sqs_event(messages, queue_arn)
    ids = [message["MessageId"] for message in messages]
    raised: Exception | None = None
    try:
        result = handler(event, LambdaContext())
        failed = {failure["itemIdentifier"] for failure in result["batchItemFailures"]}
    except BatchProcessingError as error:
        # Powertools raises when every record failed; Lambda then returns the whole batch.
        raised = error
        failed = set(ids)
    for message in messages:
        if message["MessageId"] in failed:
            sqs.change_message_visibility(
                QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        else:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return Delivery(ids, failed, raised)


def queue_length(sqs: SQSClient, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def kinesis_event(kinesis: KinesisClient, stream_name: str) -> dict[str, Any]:
    """Read every record of the stream's first shard into a Lambda Kinesis event."""
    description = kinesis.describe_stream(StreamName=stream_name)["StreamDescription"]
    shard_id = description["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(
        StreamName=stream_name, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator, Limit=100)["Records"]
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": record["PartitionKey"],
                    "sequenceNumber": record["SequenceNumber"],
                    "data": base64.b64encode(record["Data"]).decode("ascii"),
                    "approximateArrivalTimestamp": record[
                        "ApproximateArrivalTimestamp"
                    ].timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{shard_id}:{record['SequenceNumber']}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/monitron-sap",
                "awsRegion": "us-east-1",
                "eventSourceARN": description["StreamARN"],
            }
            for record in records
        ]
    }
