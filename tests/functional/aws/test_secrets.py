"""Reading SAP credentials from Secrets Manager in moto server mode, over HTTP."""

from __future__ import annotations

import json
import logging

import pytest

from monitron_sap.aws.secrets import SECRET_CACHE_SECONDS, SecretReader, make_secrets_client
from monitron_sap.errors import ConfigurationError
from tests.moto_server import REGION, unique_name


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def secret_arn(moto_endpoint: str) -> str:
    client = make_secrets_client(endpoint_url=moto_endpoint, region_name=REGION)
    response = client.create_secret(
        Name=unique_name("sap"), SecretString=json.dumps({"user": "U", "password": "first-pw"})
    )
    return response["ARN"]


def test_reads_and_caches_credentials(
    moto_endpoint: str, secret_arn: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_secrets_client(endpoint_url=moto_endpoint, region_name=REGION)
    clock = ManualClock()
    reader = SecretReader(client, clock=clock)
    # botocore itself logs response bodies at DEBUG; the handlers keep it at WARNING.
    caplog.set_level(logging.DEBUG, logger="monitron_sap")

    first = reader.credentials(secret_arn)
    client.put_secret_value(
        SecretId=secret_arn, SecretString=json.dumps({"user": "U", "password": "second-pw"})
    )
    clock.now += SECRET_CACHE_SECONDS - 1
    cached = reader.credentials(secret_arn)
    clock.now += 2
    refreshed = reader.credentials(secret_arn)

    assert first.password == "first-pw"
    assert cached.password == "first-pw"
    assert refreshed.password == "second-pw"
    assert "first-pw" not in caplog.text
    assert "second-pw" not in caplog.text


def test_missing_secret_is_configuration_error(moto_endpoint: str) -> None:
    reader = SecretReader(make_secrets_client(endpoint_url=moto_endpoint, region_name=REGION))

    with pytest.raises(ConfigurationError) as raised:
        reader.credentials("no-such-secret")

    assert "no-such-secret" in str(raised.value)
