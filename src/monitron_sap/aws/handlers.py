"""AWS Lambda entry points (Python 3.12, arm64).

- ``sqs_handler``: S3 ObjectCreated notifications, or EventBridge "Object Created" events,
  delivered through SQS (the default deployment). Reports failures per message.
- ``s3_handler``: S3 notifications invoking the function directly, as the original did.
- ``eventbridge_handler``: an EventBridge rule invoking the function directly.
- ``kinesis_handler``: Monitron's Kinesis stream. Reports failures per record.

A message or record fails, and comes back later, in four cases:

- it cannot be read;
- a record in it was dead-lettered because SAP stayed unavailable;
- SAP rejected a record, for example an unknown technical object or expired credentials;
- another invocation has claimed one of its records.

Records already finished are recognized in the ledger, so a redelivery creates nothing twice.
The direct S3 and EventBridge handlers raise instead, so that Lambda's asynchronous retries
apply.

This module imports only the standard library at load time; the pipeline, boto3, httpx and
Powertools are imported on the first invocation.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import (
        KinesisStreamRecord,
    )
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from monitron_sap.aws.event_sources import ObjectRef
    from monitron_sap.aws.lambda_runtime import LambdaRuntime
    from monitron_sap.pipeline import Pipeline

logger = logging.getLogger(__name__)

_runtime: LambdaRuntime | None = None
_runtime_lock = threading.Lock()


def get_runtime() -> LambdaRuntime:
    """Return the execution environment's runtime, building it from the environment once."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            from monitron_sap.aws.lambda_runtime import LambdaRuntime
            from monitron_sap.aws.settings import HandlerSettings

            _runtime = LambdaRuntime(HandlerSettings.from_environment(os.environ))
        return _runtime


def reset_runtime() -> None:
    """Drop the cached runtime, so the next invocation reads the environment again."""
    global _runtime
    with _runtime_lock:
        if _runtime is not None:
            _runtime.close()
        _runtime = None


def sqs_handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    """Process the S3 objects named by each SQS message; report failed messages."""
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    from monitron_sap.aws.event_sources import objects_from_message

    runtime = _start(context)
    pipeline = runtime.pipeline()

    def handle_message(record: SQSRecord) -> None:
        try:
            for ref in objects_from_message(record.body):
                runtime.process_object(pipeline, ref)
        except Exception as error:
            logger.error("SQS message %s failed: %s", record.message_id, error)
            raise

    processor = BatchProcessor(event_type=EventType.SQS)
    try:
        return process_partial_response(
            event=event, record_handler=handle_message, processor=processor, context=context
        )
    finally:
        runtime.flush_metrics()


def kinesis_handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    """Process Monitron records from Kinesis; report failed records by sequence number."""
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    runtime = _start(context)
    pipeline = runtime.pipeline()

    def handle_record(record: KinesisStreamRecord) -> None:
        try:
            runtime.process_kinesis_record(pipeline, record.raw_event)
        except Exception as error:
            logger.error("Kinesis record %s failed: %s", record.kinesis.sequence_number, error)
            raise

    processor = BatchProcessor(event_type=EventType.KinesisDataStreams)
    try:
        return process_partial_response(
            event=event, record_handler=handle_record, processor=processor, context=context
        )
    finally:
        runtime.flush_metrics()


def s3_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Process the objects of a direct S3 notification; raise if any of them failed."""
    from monitron_sap.aws.event_sources import objects_from_s3_event

    return _process_all(objects_from_s3_event(event), context)


def eventbridge_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Process the object of an EventBridge "Object Created" event; raise if it failed."""
    from monitron_sap.aws.event_sources import objects_from_eventbridge_event

    return _process_all(objects_from_eventbridge_event(event), context)


def _process_all(refs: list[ObjectRef], context: Any) -> dict[str, int]:
    runtime = _start(context)
    try:
        pipeline = runtime.pipeline()
        failures = _process_each(runtime, pipeline, refs)
    finally:
        runtime.flush_metrics()
    if failures:
        raise failures[0][1]
    return {"objects": len(refs)}


def _process_each(
    runtime: LambdaRuntime, pipeline: Pipeline, refs: list[ObjectRef]
) -> list[tuple[ObjectRef, Exception]]:
    """Process every object, so that one failure does not hold back the others."""
    failures: list[tuple[ObjectRef, Exception]] = []
    for ref in refs:
        try:
            runtime.process_object(pipeline, ref)
        except Exception as error:
            logger.error("object %s failed: %s", ref.uri, error)
            failures.append((ref, error))
    return failures


def _start(context: Any) -> LambdaRuntime:
    runtime = get_runtime()
    request_id = getattr(context, "aws_request_id", None)
    if isinstance(request_id, str):
        runtime.logger.append_keys(function_request_id=request_id)
    return runtime
