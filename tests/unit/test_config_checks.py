"""Configuration checks: credentials in URLs, bounds, sources in messages, unknown variables."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from monitron_sap.config import load_settings
from monitron_sap.config_values import MAX_ATTEMPTS_LIMIT, MAX_SAP_TIMEOUT_SECONDS
from monitron_sap.errors import ConfigurationError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_base_url_with_password_rejected() -> None:
    env = {"MONITRON_SAP_SAP_BASE_URL": "http://MONITRON:s3cret-pass@s4.example.com:44300"}
    with pytest.raises(ConfigurationError) as caught:
        load_settings(environ=env)
    message = str(caught.value)
    assert "user name or password" in message
    assert "MONITRON_SAP_SAP_BASE_URL" in message
    assert "s3cret-pass" not in message


def test_base_url_with_user_in_file_rejected(tmp_path: Path) -> None:
    config = write(tmp_path, '[sap]\nbase_url = "https://user@s4.example.com"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(config, environ={})
    assert str(config) in str(caught.value)


def test_client_error_names_environment() -> None:
    env = {"MONITRON_SAP_SAP_CLIENT": "1000"}
    with pytest.raises(ConfigurationError) as caught:
        load_settings(environ=env)
    assert "environment variable MONITRON_SAP_SAP_CLIENT" in str(caught.value)


def test_client_error_names_file(tmp_path: Path) -> None:
    config = write(tmp_path, '[sap]\nclient = "1000"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(config, environ={})
    assert f"{config}: sap.client" in str(caught.value)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf"])
def test_non_finite_timeout_rejected(text: str) -> None:
    env = {"MONITRON_SAP_SAP_TIMEOUT_SECONDS": text}
    with pytest.raises(ConfigurationError, match="finite"):
        load_settings(environ=env)


def test_nan_in_toml_rejected(tmp_path: Path) -> None:
    config = write(tmp_path, "[pipeline]\nbackoff_base_seconds = nan\n")
    with pytest.raises(ConfigurationError, match="finite"):
        load_settings(config, environ={})


def test_absurd_timeout_rejected() -> None:
    env = {"MONITRON_SAP_SAP_TIMEOUT_SECONDS": str(MAX_SAP_TIMEOUT_SECONDS * 10)}
    with pytest.raises(ConfigurationError, match="at most"):
        load_settings(environ=env)


def test_absurd_max_attempts_rejected(tmp_path: Path) -> None:
    config = write(tmp_path, f"[pipeline]\nmax_attempts = {MAX_ATTEMPTS_LIMIT + 1}\n")
    with pytest.raises(ConfigurationError, match="at most"):
        load_settings(config, environ={})


def test_file_value_checked_under_override(tmp_path: Path) -> None:
    config = write(tmp_path, '[pipeline]\nmax_attempts = "many"\n')
    env = {"MONITRON_SAP_PIPELINE_MAX_ATTEMPTS": "3"}
    with pytest.raises(ConfigurationError) as caught:
        load_settings(config, environ=env)
    assert f"{config}: pipeline.max_attempts" in str(caught.value)


def test_unknown_variable_warned(caplog: pytest.LogCaptureFixture) -> None:
    env = {"MONITRON_SAP_SAP_BASEURL": "https://s4.example.com"}
    with caplog.at_level(logging.WARNING, logger="monitron_sap.config_values"):
        load_settings(environ=env)
    assert len(caplog.records) == 1
    assert "did you mean MONITRON_SAP_SAP_BASE_URL?" in caplog.records[0].getMessage()


def test_known_variables_not_warned(caplog: pytest.LogCaptureFixture) -> None:
    env = {"MONITRON_SAP_SAP_PASSWORD": "x", "MONITRON_SAP_LEDGER_TABLE": "ledger"}
    with caplog.at_level(logging.WARNING, logger="monitron_sap.config_values"):
        load_settings(environ=env)
    assert caplog.records == []


def test_non_utf8_config_named(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'[sap]\nuser = "M\xfcller"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(config, environ={})
    assert str(config) in str(caught.value)
    assert "UTF-8" in str(caught.value)


def test_non_utf8_password_file_hidden(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_bytes(b"pa\xffss-word")
    config = write(tmp_path, f'[sap]\npassword_file = "{secret}"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(config, environ={})
    message = str(caught.value)
    assert str(secret) in message
    assert "UTF-8" in message
    assert "pa" not in message.replace(str(secret), "").replace("password_file", "")
