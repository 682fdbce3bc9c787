"""Taking S3 objects and Kinesis payloads out of Lambda event shapes."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from monitron_sap.aws.event_sources import (
    ObjectRef,
    kinesis_payload,
    kinesis_source,
    objects_from_eventbridge_event,
    objects_from_message,
    objects_from_s3_event,
)
from monitron_sap.errors import InputError
from tests.support import shared_path

DATA = Path(__file__).resolve().parents[2] / "data" / "aws"
DECODED_KEY = (
    "project=Plant A+/site=Main/time=2024-03-05 00:00:00/monitron-1-2024-03-05-10-00-00-0a1b"
)
EXPECTED = [ObjectRef("example-monitron-export", DECODED_KEY)]


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / name).read_text())
    return loaded


def test_s3_notification_key_decoded_once() -> None:
    assert objects_from_s3_event(load("s3-notification.json")) == EXPECTED


def test_percent_sequence_in_key_not_decoded_twice() -> None:
    event = load("s3-notification.json")
    # A key that literally contains "%41" arrives as "%2541" and must decode to "%41", not "A".
    event["Records"][0]["s3"]["object"]["key"] = "dir/file%2541.json"

    [ref] = objects_from_s3_event(event)

    assert ref.key == "dir/file%41.json"


def test_original_test_event_names_its_object() -> None:
    event = json.loads(shared_path("samples/seed/s3-test-event.json").read_text())

    assert objects_from_s3_event(event) == [ObjectRef("awspihe2ab", "kinesissample.txt")]


def test_removal_records_are_left_out() -> None:
    event = load("s3-notification.json")
    event["Records"][0]["eventName"] = "ObjectRemoved:Delete"

    assert objects_from_s3_event(event) == []


def test_s3_test_event_names_no_object() -> None:
    body = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"})

    assert objects_from_message(body) == []


def test_eventbridge_key_decoded_once() -> None:
    assert objects_from_eventbridge_event(load("eventbridge-object-created.json")) == EXPECTED


@pytest.mark.parametrize("name", ["s3-notification.json", "eventbridge-object-created.json"])
def test_message_body_shapes(name: str) -> None:
    body = (DATA / name).read_text()
    wrapped = json.dumps({"Type": "Notification", "Message": body})

    assert objects_from_message(body) == EXPECTED
    assert objects_from_message(wrapped) == EXPECTED


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "not JSON"),
        ("[1]", "expected a JSON object"),
        ('{"hello": 1}', "keys: hello"),
        ('{"Records": [{"eventName": "ObjectCreated:Put"}]}', "Records[0]"),
    ],
)
def test_invalid_message_body(body: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        objects_from_message(body)

    assert message in str(raised.value)


def test_kinesis_payload_and_source() -> None:
    record = {
        "eventID": "shardId-000000000001:49590338271490256608559692538361571095921575989136588898",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:111122223333:stream/monitron-export",
        "kinesis": {
            "data": base64.b64encode('{"eventId": "é"}'.encode()).decode(),
            "sequenceNumber": "4959",
        },
    }

    assert kinesis_payload(record) == '{"eventId": "é"}'.encode()
    assert kinesis_source(record) == "kinesis://monitron-export/shardId-000000000001/4959"


def test_kinesis_payload_not_base64() -> None:
    with pytest.raises(InputError) as raised:
        kinesis_payload({"kinesis": {"data": "%%%"}})

    assert "not base64" in str(raised.value)
