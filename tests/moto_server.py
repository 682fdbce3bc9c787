"""A moto server on 127.0.0.1 for the AWS tests, with dummy credentials.

Each test tier's conftest exposes ``moto_endpoint`` from here. The server keeps state for the
whole session, so tests create resources under unique names (``unique_name``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

REGION = "us-east-1"
DUMMY_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
# Variables that could point boto3 at a real account or another endpoint.
REMOVED_ENVIRONMENT = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


def aws_environment() -> Iterator[None]:
    """Set dummy credentials and the region for the session; remove every other AWS setting."""
    with pytest.MonkeyPatch.context() as patch:
        for name in REMOVED_ENVIRONMENT:
            patch.delenv(name, raising=False)
        patch.setenv("AWS_CONFIG_FILE", "/dev/null")
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        for name, value in DUMMY_ENVIRONMENT.items():
            patch.setenv(name, value)
        yield


def moto_server() -> Iterator[str]:
    """Start moto in server mode on a free loopback port; yield its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
