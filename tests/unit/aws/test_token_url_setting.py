"""The Lambda reads the OAuth token URL from the same variable as the command line."""

from __future__ import annotations

import logging

import pytest

from monitron_sap.aws.settings import HandlerSettings

BASE = {
    "MONITRON_SAP_LEDGER_TABLE": "ledger",
    "MONITRON_SAP_MAPPING_TABLE": "mapping",
    "SAP_AUTH_SECRET": "sap-secret",
    "MONITRON_SAP_SAP_BASE_URL": "https://s4.example.com:44300",
}
TOKEN_URL = "https://auth.example.com/oauth/token"
OLD_TOKEN_URL = "https://old.example.com/oauth/token"


def test_oauth_token_url_shared_name(caplog: pytest.LogCaptureFixture) -> None:
    settings = HandlerSettings.from_environment(
        {**BASE, "MONITRON_SAP_SAP_OAUTH_TOKEN_URL": TOKEN_URL}
    )

    assert settings.sap_token_url == TOKEN_URL
    assert settings.core.sap.oauth_token_url == TOKEN_URL
    assert "deprecated" not in caplog.text


def test_deprecated_token_url_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        settings = HandlerSettings.from_environment(
            {**BASE, "MONITRON_SAP_SAP_TOKEN_URL": OLD_TOKEN_URL}
        )

    assert settings.sap_token_url == OLD_TOKEN_URL
    assert "MONITRON_SAP_SAP_TOKEN_URL is deprecated" in caplog.text


def test_new_token_url_wins_over_deprecated(caplog: pytest.LogCaptureFixture) -> None:
    environment = {
        **BASE,
        "MONITRON_SAP_SAP_OAUTH_TOKEN_URL": TOKEN_URL,
        "MONITRON_SAP_SAP_TOKEN_URL": OLD_TOKEN_URL,
    }
    with caplog.at_level(logging.WARNING):
        settings = HandlerSettings.from_environment(environment)

    assert settings.sap_token_url == TOKEN_URL
    assert "ignored" in caplog.text
