"""The S3 objects and Kinesis payloads named by Lambda events, taken out of the event shapes.

S3 notifications, whether delivered directly, through SQS or through SNS, carry object keys
URL-encoded with ``+`` for a space. EventBridge "Object Created" events are decoded the same way,
as Powertools 3.x does for them. Every key is decoded exactly once, here.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote_plus

from monitron_sap.errors import InputError

S3_TEST_EVENT: Final = "s3:TestEvent"
EVENTBRIDGE_OBJECT_CREATED: Final = "Object Created"
S3_OBJECT_CREATED_PREFIX: Final = "ObjectCreated:"


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """An S3 object named by an event. ``key`` is decoded, exactly as S3 stores it."""

    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def decode_object_key(encoded: str) -> str:
    """Decode a key from an S3 notification (``+`` is a space, ``%2B`` a plus sign)."""
    return unquote_plus(encoded)


def objects_from_s3_event(event: Mapping[str, Any]) -> list[ObjectRef]:
    """Return the created objects of an S3 notification (``Records[].s3``).

    Records of other event types (removals, restores) are left out, and S3's test event, sent
    when a notification is configured, names no object.
    """
    if event.get("Event") == S3_TEST_EVENT:
        return []
    records = event.get("Records")
    if not isinstance(records, list):
        raise InputError("invalid S3 notification: the Records list is missing")
    found: list[ObjectRef] = []
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise InputError(f"invalid S3 notification: Records[{index}] is not an object")
        name = str(record.get("eventName", ""))
        if not name.startswith(S3_OBJECT_CREATED_PREFIX) and not name.startswith(
            "s3:" + S3_OBJECT_CREATED_PREFIX
        ):
            continue
        try:
            bucket = record["s3"]["bucket"]["name"]
            key = record["s3"]["object"]["key"]
        except (KeyError, TypeError):
            raise InputError(
                f"invalid S3 notification: Records[{index}] has no s3.bucket.name or s3.object.key"
            ) from None
        found.append(ObjectRef(str(bucket), decode_object_key(str(key))))
    return found


def objects_from_eventbridge_event(event: Mapping[str, Any]) -> list[ObjectRef]:
    """Return the object of an EventBridge "Object Created" event from S3 (none for others)."""
    if event.get("detail-type") != EVENTBRIDGE_OBJECT_CREATED:
        return []
    detail = event.get("detail")
    try:
        bucket = detail["bucket"]["name"]  # type: ignore[index]
        key = detail["object"]["key"]  # type: ignore[index]
    except (KeyError, TypeError):
        raise InputError(
            f"invalid EventBridge event {event.get('id')!r}: detail.bucket.name or "
            "detail.object.key is missing"
        ) from None
    return [ObjectRef(str(bucket), decode_object_key(str(key)))]


def objects_from_message(body: str) -> list[ObjectRef]:
    """Return the objects named by an SQS message body.

    The body is an S3 notification, an EventBridge event (from a rule that targets the queue)
    or an SNS notification wrapping either one.
    """
    try:
        message: Any = json.loads(body)
    except json.JSONDecodeError as error:
        raise InputError(f"invalid message body: not JSON ({error.msg} at {error.pos})") from None
    if not isinstance(message, dict):
        raise InputError("invalid message body: expected a JSON object")
    if message.get("Type") == "Notification" and isinstance(message.get("Message"), str):
        return objects_from_message(message["Message"])
    if "detail-type" in message:
        return objects_from_eventbridge_event(message)
    if "Records" in message or message.get("Event") == S3_TEST_EVENT:
        return objects_from_s3_event(message)
    keys = ", ".join(sorted(message)) or "none"
    raise InputError(
        "invalid message body: not an S3 notification, EventBridge event or SNS notification "
        f"(keys: {keys})"
    )


def in_prefix(ref: ObjectRef, prefix: str) -> bool:
    return ref.key.startswith(prefix)


def kinesis_payload(record: Mapping[str, Any]) -> bytes:
    """Return the decoded data of one Lambda Kinesis record (``kinesis.data``, base64)."""
    try:
        data = record["kinesis"]["data"]
    except (KeyError, TypeError):
        raise InputError("invalid Kinesis record: kinesis.data is missing") from None
    try:
        return base64.b64decode(str(data), validate=True)
    except (binascii.Error, ValueError) as error:
        raise InputError(f"invalid Kinesis record: kinesis.data is not base64 ({error})") from None


def kinesis_source(record: Mapping[str, Any]) -> str:
    """Return ``kinesis://STREAM/SHARD/SEQUENCE`` naming one Kinesis record for the ledger."""
    source_arn = str(record.get("eventSourceARN", ""))
    stream = source_arn.rsplit("/", 1)[-1] if "/" in source_arn else (source_arn or "unknown")
    shard = str(record.get("eventID", "")).split(":", 1)[0] or "unknown-shard"
    kinesis = record.get("kinesis")
    sequence = kinesis.get("sequenceNumber", "") if isinstance(kinesis, Mapping) else ""
    return f"kinesis://{stream}/{shard}/{sequence}"
