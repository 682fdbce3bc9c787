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

    assert settings.core.sap.base_url == "https://s4.example.com:443"
    assert settings.core.sap.verify_tls is True
    assert settings.ledger_ttl_days == 90
    assert settings.s3_prefix == ""
    assert settings.metrics_namespace == "MonitronSap"


def test_product_variables_apply() -> None:
    environ = {
        **BASE,
        "MONITRON_SAP_SAP_CLIENT": "100",
        "MONITRON_SAP_PIPELINE_LEASE_SECONDS": "120",
        "MONITRON_SAP_RULES_NOTIFY_ON_WARNING": "false",
    }

    settings = HandlerSettings.from_environment(environ)

    assert settings.core.sap.client == "100"
    assert settings.core.lease_seconds == 120
    assert settings.core.rules.notify_on_warning is False


def test_base_url_without_original_host() -> None:
    environ = {key: value for key, value in BASE.items() if not key.startswith("SAP_HOST")}
    environ["MONITRON_SAP_SAP_BASE_URL"] = "http://127.0.0.1:8080"

    settings = HandlerSettings.from_environment(environ)

    assert settings.core.sap.base_url == "http://127.0.0.1:8080"


def test_ttl_zero_turns_expiry_off() -> None:
    settings = HandlerSettings.from_environment({**BASE, "MONITRON_SAP_LEDGER_TTL_DAYS": "0"})

    assert settings.ledger_ttl_days is None


def test_every_problem_is_named() -> None:
    environ = {
        "SAP_PROTOCOL": "ftp",
        "SAP_HOST_NAME": "h",
        "SAP_PORT": "99999",
        "MONITRON_SAP_LEDGER_TTL_DAYS": "soon",
        "MONITRON_SAP_SAP_TOKEN_URL": "http://auth/token",
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
        "MONITRON_SAP_LEDGER_TTL_DAYS 'soon'",
        "MONITRON_SAP_SAP_TOKEN_URL 'http://auth/token'",
    ):
        assert expected in message


def test_missing_sap_address() -> None:
    environ = {key: value for key, value in BASE.items() if not key.startswith("SAP_HOST")}

    with pytest.raises(ConfigurationError) as raised:
        HandlerSettings.from_environment(environ)

    assert "SAP_HOST_NAME (or MONITRON_SAP_SAP_BASE_URL) is missing" in str(raised.value)


def test_invalid_product_variable_is_named() -> None:
    with pytest.raises(ConfigurationError) as raised:
        HandlerSettings.from_environment({**BASE, "MONITRON_SAP_SAP_CLIENT": "1"})

    assert "sap.client '1' is invalid" in str(raised.value)
