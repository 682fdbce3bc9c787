"""Parsing SAP credentials out of a secret's JSON."""

from __future__ import annotations

import json

import pytest

from monitron_sap.aws.secrets import parse_secret
from monitron_sap.errors import ConfigurationError


def test_basic_credentials() -> None:
    credentials = parse_secret("s", json.dumps({"user": "MONITRON", "password": "pw-123"}))

    assert credentials.kind == "basic"
    assert credentials.user == "MONITRON"
    assert credentials.password == "pw-123"


def test_api_key() -> None:
    credentials = parse_secret("s", json.dumps({"APIKey": "key-123"}))

    assert credentials.kind == "api_key"
    assert credentials.api_key == "key-123"


def test_oauth_client_credentials() -> None:
    text = json.dumps(
        {"client_id": "sb-1", "client_secret": "cs-1", "token_url": "https://auth/oauth/token"}
    )

    credentials = parse_secret("s", text)

    assert credentials.kind == "oauth2_client_credentials"
    assert credentials.client_id == "sb-1"
    assert credentials.client_secret == "cs-1"
    assert credentials.token_url == "https://auth/oauth/token"


def test_repr_hides_secret_values() -> None:
    for text in ('{"user": "u", "password": "pw-123"}', '{"APIKey": "pw-123"}'):
        assert "pw-123" not in repr(parse_secret("s", text))


@pytest.mark.parametrize(
    "text",
    ['{"user": "u"}', '{"password": "pw-123"}', '{"APIKey": ""}', "{}", '["pw-123"]'],
)
def test_unusable_secret_is_rejected(text: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_secret("arn:secret:sap", text)

    assert "arn:secret:sap" in str(raised.value)
    assert "pw-123" not in str(raised.value)


def test_invalid_json_message_hides_content() -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_secret("sap", '{"password": "pw-123"')

    assert "not valid JSON" in str(raised.value)
    assert "pw-123" not in str(raised.value)
