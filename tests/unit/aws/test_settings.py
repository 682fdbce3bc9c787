"""Reading the Lambda handlers' settings from the environment."""

from __future__ import annotations

import pytest

from monitron_sap.aws.settings import HandlerSettings
from monitron_sap.errors import ConfigurationError

BASE = {
    "MONITRON_SAP_LEDGER_TABLE": "ledger",
    "MONITRON_SAP_MAPPING_TABLE": "mapping",
    "SAP_AUTH_SECRET": "arn:aws:secretsmanager:us-east-1:111122223333:secret:sap-AbCdEf",
    "SAP_HOST_NAME": "s4.example.com",
    "SAP_PORT": "443",
    "SAP_PROTOCOL": "https",
}


def test_original_sap_variables() -> None:
    settings = HandlerSettings.from_environment(BASE)

    assert settings.sap_base_url == "https://s4.example.com:443"
    assert settings.sap_verify_tls is True
    assert settings.ledger_ttl_days == 90
    assert settings.s3_prefix == ""


def test_base_url_overrides_host() -> None:
    settings = HandlerSettings.from_environment({**BASE, "SAP_BASE_URL": "http://127.0.0.1:8080/"})

    assert settings.sap_base_url == "http://127.0.0.1:8080"


def test_tls_verification_turned_off_explicitly() -> None:
    settings = HandlerSettings.from_environment({**BASE, "SAP_VERIFY_TLS": "false"})

    assert settings.sap_verify_tls is False


def test_ca_bundle_used_for_verification() -> None:
    settings = HandlerSettings.from_environment({**BASE, "SAP_CA_BUNDLE": "/opt/ca.pem"})

    assert settings.sap_verify_tls == "/opt/ca.pem"


def test_ttl_zero_turns_expiry_off() -> None:
    settings = HandlerSettings.from_environment({**BASE, "MONITRON_SAP_LEDGER_TTL_DAYS": "0"})

    assert settings.ledger_ttl_days is None


def test_every_problem_is_named() -> None:
    environ = {
        "SAP_PROTOCOL": "ftp",
        "SAP_HOST_NAME": "h",
        "SAP_PORT": "99999",
        "MONITRON_SAP_LEASE_SECONDS": "-1",
        "SAP_VERIFY_TLS": "maybe",
    }

    with pytest.raises(ConfigurationError) as raised:
        HandlerSettings.from_environment(environ)

    message = str(raised.value)
    for expected in (
        "MONITRON_SAP_LEDGER_TABLE is missing",
        "MONITRON_SAP_MAPPING_TABLE is missing",
        "SAP_AUTH_SECRET is missing",
        "SAP_PROTOCOL 'ftp'",
        "SAP_PORT '99999'",
        "MONITRON_SAP_LEASE_SECONDS '-1'",
        "SAP_VERIFY_TLS 'maybe'",
    ):
        assert expected in message
