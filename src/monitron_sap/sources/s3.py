"""Objects under ``s3://BUCKET/PREFIX``, listed in key order, with streamed bodies.

Used by ``monitron-sap process s3://...`` for backfills and by the Lambda handlers for the one
object an event names. botocore errors are translated here into ``monitron_sap.errors``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, BinaryIO, Final, cast

from monitron_sap.errors import ConfigurationError, InputError, RetryableError
from monitron_sap.events.model import ReadResult

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger(__name__)

S3_SCHEME: Final = "s3://"
_RETRYABLE_CODES: Final = frozenset(
    {
        "SlowDown",
        "InternalError",
        "ServiceUnavailable",
        "RequestTimeout",
        "Throttling",
        "503",
        "500",
    }
)


@dataclass(frozen=True, slots=True)
class S3Location:
    """A bucket and a key prefix (empty for the whole bucket)."""

    bucket: str
    prefix: str = ""

    @property
    def uri(self) -> str:
        return f"{S3_SCHEME}{self.bucket}/{self.prefix}"


@dataclass(frozen=True, slots=True)
class S3Object:
    """One listed object. ``key`` is the decoded key, exactly as S3 stores it."""

    bucket: str
    key: str
    size: int

    @property
    def uri(self) -> str:
        return f"{S3_SCHEME}{self.bucket}/{self.key}"


def is_s3_uri(text: str) -> bool:
    return text.startswith(S3_SCHEME)


def parse_s3_uri(uri: str) -> S3Location:
    """Split ``s3://BUCKET/PREFIX`` into bucket and prefix; raise ``InputError`` when invalid."""
    if not is_s3_uri(uri):
        raise InputError(f"invalid S3 URI {uri!r}: expected s3://BUCKET/PREFIX")
    bucket, _, prefix = uri[len(S3_SCHEME) :].partition("/")
    if not bucket:
        raise InputError(f"invalid S3 URI {uri!r}: the bucket name is missing")
    return S3Location(bucket, prefix)


def make_s3_client(*, endpoint_url: str | None = None, region_name: str | None = None) -> S3Client:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region_name)


class S3Source:
    """List and open the objects under one S3 location."""

    def __init__(self, client: S3Client, location: S3Location) -> None:
        self._client = client
        self._location = location

    @property
    def location(self) -> S3Location:
        return self._location

    def objects(self) -> Iterator[S3Object]:
        """Yield the objects under the prefix in key order (UTF-8 binary order, as S3 lists).

        Keys ending in ``/`` are folder markers created by the console and are left out.
        """
        paginator = self._client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self._location.bucket, Prefix=self._location.prefix)
        with _translated_errors(f"listing {self._location.uri}"):
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"]
                    if key.endswith("/"):
                        continue
                    yield S3Object(self._location.bucket, key, item.get("Size", 0))

    @contextmanager
    def open(self, obj: S3Object) -> Iterator[IO[bytes]]:
        """Open the object's body as a stream; it is read as it is consumed, never whole."""
        with _translated_errors(f"reading {obj.uri}"):
            response = self._client.get_object(Bucket=obj.bucket, Key=obj.key)
        body = response["Body"]
        try:
            yield body  # type: ignore[misc]
        finally:
            body.close()


def open_object(client: S3Client, bucket: str, key: str) -> S3Object:
    """Return the object at ``bucket``/``key`` after checking it exists (a HEAD request)."""
    uri = f"{S3_SCHEME}{bucket}/{key}"
    with _translated_errors(f"reading {uri}"):
        response = client.head_object(Bucket=bucket, Key=key)
    return S3Object(bucket, key, response.get("ContentLength", 0))


@contextmanager
def _translated_errors(action: str) -> Iterator[None]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = f"{action} failed: {code} {error.response.get('Error', {}).get('Message', '')}"
        message = message.rstrip()
        if code in _RETRYABLE_CODES:
            raise RetryableError(message) from error
        if code in ("NoSuchKey", "404"):
            raise InputError(f"{action} failed: the object does not exist") from error
        if code == "NoSuchBucket":
            raise ConfigurationError(f"{action} failed: the bucket does not exist") from error
        if code in ("AccessDenied", "403"):
            raise ConfigurationError(f"{message}; check the IAM policy for the bucket") from error
        raise ConfigurationError(message) from error
    except BotoCoreError as error:
        raise RetryableError(f"{action} failed: {error}") from error


def read_s3(
    uri: str,
    client: S3Client | None = None,
    *,
    on_object: Callable[[S3Object], None] | None = None,
) -> Iterator[ReadResult]:
    """Read the records of every object under ``uri`` (``s3://BUCKET/PREFIX``) in key order.

    ``on_object`` is called before each object is read, for progress output. Each object is
    streamed, so memory use does not grow with its size.
    """
    from monitron_sap.events.reader import read_stream

    source = S3Source(client or make_s3_client(), parse_s3_uri(uri))
    for obj in source.objects():
        if on_object is not None:
            on_object(obj)
        with source.open(obj) as body:
            yield from read_stream(cast(BinaryIO, body), obj.uri)
