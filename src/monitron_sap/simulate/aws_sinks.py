"""S3 and Kinesis sinks for the simulator; boto3 is imported only when one is opened.

Both work against AWS and against any endpoint given as ``endpoint_url`` (for example a local
moto server). botocore errors are translated here into ``monitron_sap.errors``: a missing bucket,
stream, region or credentials is a ``ConfigurationError``, and everything else that may pass
with time (throttling after the retries, connection failures) is a ``RetryableError``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from monitron_sap.errors import ConfigurationError, MonitronSapError, RetryableError
from monitron_sap.simulate.records import OutputRecord
from monitron_sap.simulate.sinks import ObjectLayout, ObjectSink, SinkSummary

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient
    from mypy_boto3_kinesis.type_defs import PutRecordsRequestEntryTypeDef

logger = logging.getLogger(__name__)

# Kinesis PutRecords limits: 500 records and 5 MiB (data plus partition keys) per call.
MAX_RECORDS_PER_CALL: Final = 500
MAX_BYTES_PER_CALL: Final = 5 * 1024 * 1024
MAX_RECORD_BYTES: Final = 1024 * 1024
# Throttled records are retried this many times with exponential backoff, then the sink fails.
MAX_ATTEMPTS: Final = 6
BACKOFF_FIRST_SECONDS: Final = 0.1
BACKOFF_MAX_SECONDS: Final = 5.0
# A batch older than this (wall-clock time) is sent before the next record joins it, so that
# records paced with --rate reach the stream within about a second instead of waiting for 500.
MAX_BATCH_AGE_SECONDS: Final = 1.0
_RETRYABLE_CODES: Final = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "LimitExceededException",
        "ThrottlingException",
        "InternalFailure",
        "ServiceUnavailable",
        "KMSThrottlingException",
    }
)
_CONFIGURATION_CODES: Final = frozenset(
    {"ResourceNotFoundException", "NoSuchBucket", "AccessDenied", "AccessDeniedException"}
)


def _client(service: str, endpoint_url: str | None) -> Any:
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.session.Session().client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]
    except BotoCoreError as error:
        raise ConfigurationError(
            f"cannot create the {service} client: {error}; set AWS_REGION and credentials"
        ) from error


def _translate(error: Exception, action: str) -> MonitronSapError:
    from botocore.exceptions import ClientError, NoCredentialsError, NoRegionError

    if isinstance(error, NoCredentialsError | NoRegionError):
        return ConfigurationError(f"{action} failed: {error}; set AWS credentials and AWS_REGION")
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code in _CONFIGURATION_CODES:
            return ConfigurationError(f"{action} failed: {code}: {message}")
        return RetryableError(f"{action} failed: {code}: {message}")
    return RetryableError(f"{action} failed: {error}")


def s3_sink(bucket: str, prefix: str, layout: ObjectLayout, endpoint_url: str | None) -> ObjectSink:
    """Return a sink that puts each Firehose-style object into ``s3://bucket/prefix``."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = _client("s3", endpoint_url)

    def put_object(key: str, data: bytes) -> None:
        full_key = f"{prefix}{key}"
        try:
            client.put_object(Bucket=bucket, Key=full_key, Body=data)
        except (BotoCoreError, ClientError) as error:
            raise _translate(error, f"put_object s3://{bucket}/{full_key}") from error
        logger.info("put s3://%s/%s (%d bytes)", bucket, full_key, len(data))

    return ObjectSink(layout, put_object)


class KinesisSink:
    """Send records to a Kinesis data stream with batched ``PutRecords`` calls.

    Each batch contains at most 500 records and 5 MiB, and is sent once it is older than
    ``MAX_BATCH_AGE_SECONDS`` when the next record arrives. Records that come back throttled are
    sent again with exponential backoff, at most ``MAX_ATTEMPTS`` times. After that,
    ``RetryableError`` reports how many records were not delivered.
    """

    def __init__(
        self,
        stream_name: str,
        client: KinesisClient,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream_name = stream_name
        self.client = client
        self.sleep = sleep
        self.clock = clock
        self.batch: list[PutRecordsRequestEntryTypeDef] = []
        self.batch_bytes = 0
        self.batch_started = 0.0
        self.summary = SinkSummary()

    def write(self, record: OutputRecord) -> None:
        data = record.encode()
        size = len(data) + len(record.partition_key.encode("utf-8"))
        if size > MAX_RECORD_BYTES:
            raise ConfigurationError(
                f"record at {record.time.isoformat()} is {size} bytes; Kinesis accepts at most "
                f"{MAX_RECORD_BYTES} bytes per record"
            )
        full = (
            len(self.batch) >= MAX_RECORDS_PER_CALL or self.batch_bytes + size > MAX_BYTES_PER_CALL
        )
        old = bool(self.batch) and self.clock() - self.batch_started >= MAX_BATCH_AGE_SECONDS
        if full or old:
            self._send_batch()
        if not self.batch:
            self.batch_started = self.clock()
        self.batch.append({"Data": data, "PartitionKey": record.partition_key})
        self.batch_bytes += size
        self.summary.records += 1
        self.summary.bytes += len(data)

    def close(self) -> SinkSummary:
        if self.batch:
            self._send_batch()
        return self.summary

    def _send_batch(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        pending = self.batch
        self.batch, self.batch_bytes = [], 0
        delay = BACKOFF_FIRST_SECONDS
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self.client.put_records(StreamName=self.stream_name, Records=pending)
            except (BotoCoreError, ClientError) as error:
                translated = _translate(error, f"put_records to stream {self.stream_name}")
                if not isinstance(translated, RetryableError) or attempt == MAX_ATTEMPTS:
                    raise translated from error
                logger.warning("put_records attempt %d failed, retrying: %s", attempt, translated)
            else:
                self.summary.objects += 1
                failed = [
                    entry
                    for entry, result in zip(pending, response["Records"], strict=True)
                    if "ErrorCode" in result
                ]
                logger.info(
                    "put_records to %s: %d records, %d failed",
                    self.stream_name, len(pending), len(failed),
                )  # fmt: skip
                if not failed:
                    return
                codes = sorted({r["ErrorCode"] for r in response["Records"] if "ErrorCode" in r})
                logger.warning(
                    "put_records attempt %d: %d of %d records failed (%s), retrying them",
                    attempt, len(failed), len(pending), ", ".join(codes),
                )  # fmt: skip
                pending = failed
            if attempt < MAX_ATTEMPTS:
                self.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX_SECONDS)
        raise RetryableError(
            f"{len(pending)} records were not accepted by stream {self.stream_name} after "
            f"{MAX_ATTEMPTS} attempts; the stream is throttling, raise its capacity or lower --rate"
        )


def kinesis_sink(stream_name: str, endpoint_url: str | None) -> KinesisSink:
    """Return a sink that puts records into the Kinesis stream ``stream_name``."""
    return KinesisSink(stream_name, _client("kinesis", endpoint_url))
