"""Listing and streaming S3 objects from moto in server mode, over HTTP."""

from __future__ import annotations

import pytest

from monitron_sap.errors import ConfigurationError, InputError
from monitron_sap.sources.s3 import S3Location, S3Source, make_s3_client, open_object, parse_s3_uri
from tests.moto_server import REGION, unique_name

KEYS = [
    "project=Plant A/site=Main/time=2024-03-05 00:00:00/stream-1-2024-03-05-10-00-00-b",
    "project=Plant A/site=Main/time=2024-03-05 00:00:00/stream-1-2024-03-05-09-00-00-a",
    "project=Plant A/site=Main/",
    "other/file.json",
]


@pytest.fixture
def bucket(moto_endpoint: str) -> str:
    client = make_s3_client(endpoint_url=moto_endpoint, region_name=REGION)
    name = unique_name("export")
    client.create_bucket(Bucket=name)
    for key in KEYS:
        client.put_object(Bucket=name, Key=key, Body=f'{{"key": "{key}"}}\n'.encode())
    return name


def test_objects_in_key_order(moto_endpoint: str, bucket: str) -> None:
    client = make_s3_client(endpoint_url=moto_endpoint, region_name=REGION)
    source = S3Source(client, S3Location(bucket, "project=Plant A/"))

    keys = [obj.key for obj in source.objects()]

    assert keys == sorted(KEYS[:2])


def test_open_streams_body(moto_endpoint: str, bucket: str) -> None:
    client = make_s3_client(endpoint_url=moto_endpoint, region_name=REGION)
    source = S3Source(client, S3Location(bucket, "other/"))
    [obj] = list(source.objects())

    with source.open(obj) as stream:
        first = stream.read(3)
        rest = stream.read()

    assert first == b'{"k'
    assert rest == b'ey": "other/file.json"}\n'
    assert obj.uri == f"s3://{bucket}/other/file.json"


def test_missing_bucket_is_configuration_error(moto_endpoint: str) -> None:
    client = make_s3_client(endpoint_url=moto_endpoint, region_name=REGION)
    source = S3Source(client, S3Location("no-such-bucket-x1"))

    with pytest.raises(ConfigurationError) as raised:
        list(source.objects())

    assert "s3://no-such-bucket-x1/" in str(raised.value)


def test_missing_object_is_input_error(moto_endpoint: str, bucket: str) -> None:
    client = make_s3_client(endpoint_url=moto_endpoint, region_name=REGION)

    with pytest.raises(InputError) as raised:
        open_object(client, bucket, "gone.json")

    assert "gone.json" in str(raised.value)


@pytest.mark.parametrize(
    ("uri", "bucket", "prefix"),
    [("s3://b", "b", ""), ("s3://b/", "b", ""), ("s3://b/p/q=1 2", "b", "p/q=1 2")],
)
def test_parse_s3_uri(uri: str, bucket: str, prefix: str) -> None:
    location = parse_s3_uri(uri)

    assert location.bucket == bucket
    assert location.prefix == prefix


@pytest.mark.parametrize("uri", ["s3:///prefix", "/tmp/file", "S3://b"])
def test_parse_invalid_s3_uri(uri: str) -> None:
    with pytest.raises(InputError):
        parse_s3_uri(uri)
