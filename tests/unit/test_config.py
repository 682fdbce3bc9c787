"""Settings from TOML and the environment, validated with messages that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitron_sap.config import PASSWORD_ENV, load_settings
from monitron_sap.errors import ConfigurationError
from monitron_sap.runtime import connection_settings
from monitron_sap.sap.settings import ApiKeyAuth, BasicAuth, OAuth2ClientCredentials


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file() -> None:
    settings = load_settings(environ={})
    assert settings.data_dir == Path("~/.local/share/monitron-sap").expanduser()
    assert settings.database == settings.data_dir / "monitron-sap.sqlite3"
    assert settings.sap.verify_tls is True
    assert settings.rules.notify_on_warning is True
    assert settings.retry.max_attempts == 4


def test_file_values_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[sap]\nbase_url = "https://s4.example.com:44300"\n'
        'client = "100"\n[rules]\nnotify_on_warning = false\n[pipeline]\nmax_attempts = 2\n',
    )
    settings = load_settings(path, environ={})
    assert settings.sap.client == "100"
    assert settings.rules.notify_on_warning is False
    assert settings.retry.max_attempts == 2


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[rules]\nnotify_on_warning = false\n")
    environ = {
        "MONITRON_SAP_RULES_NOTIFY_ON_WARNING": "yes",
        "MONITRON_SAP_DATA_DIR": "/tmp/x",
        "MONITRON_SAP_RULES_DISCONNECTED_ALERT_MINUTES": "45",
    }
    settings = load_settings(path, environ=environ)
    assert settings.rules.notify_on_warning is True
    assert settings.rules.disconnected_alert_minutes == 45
    assert settings.data_dir == Path("/tmp/x")


def test_config_file_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[pipeline]\nlease_seconds = 30\n")
    settings = load_settings(environ={"MONITRON_SAP_CONFIG": str(path)})
    assert settings.lease_seconds == 30


def test_password_from_environment_hidden() -> None:
    settings = load_settings(environ={PASSWORD_ENV: "s3cret-Pa55"})
    assert settings.sap.password is not None
    assert settings.sap.password.reveal() == "s3cret-Pa55"
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in f"{settings.sap.password}"


def test_password_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("from-file\n", encoding="utf-8")
    path = write(tmp_path, f'[sap]\npassword_file = "{secret}"\n')
    settings = load_settings(path, environ={})
    assert settings.sap.password is not None
    assert settings.sap.password.reveal() == "from-file"


def test_password_in_file_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, '[sap]\npassword = "plain"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={})
    assert PASSWORD_ENV in str(caught.value)
    assert "plain" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[sap]\nverify_tls = 'no'\n", "sap.verify_tls is 'no'; expected true or false"),
        ("[pipeline]\nmax_attempts = 0\n", "pipeline.max_attempts is 0; it must be at least 1"),
        ("[rules]\nnotify_on_alarms = true\n", "unknown key rules.notify_on_alarms"),
        ("colour = 'blue'\n", "unknown key colour"),
        ("[sap]\nbase_url = 'ftp://host'\n", "sap.base_url 'ftp://host' is invalid"),
        ("[sap]\nbase_url = 'https://h/sap/opu'\n", "expected scheme, host and port only"),
        ("[sap]\nclient = '10'\n", "sap.client '10' is invalid"),
        ("[sap\n", "is not valid TOML"),
    ],
)
def test_invalid_file_named(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={})
    assert expected in str(caught.value)


def test_invalid_environment_named() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(environ={"MONITRON_SAP_PIPELINE_LEASE_SECONDS": "soon"})
    assert "environment variable MONITRON_SAP_PIPELINE_LEASE_SECONDS is 'soon'" in str(caught.value)


def test_missing_file_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(tmp_path / "absent.toml", environ={})
    assert "absent.toml not found" in str(caught.value)


def test_missing_password_file_named(tmp_path: Path) -> None:
    path = write(tmp_path, f'[sap]\npassword_file = "{tmp_path / "nope"}"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={})
    assert "sap.password_file" in str(caught.value)


def test_api_key_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[sap]\nbase_url = "https://h:443"\nauth = "api_key"\n')
    settings = load_settings(path, environ={"MONITRON_SAP_SAP_API_KEY": "k3y-value"})
    auth = connection_settings(settings.sap).auth
    assert isinstance(auth, ApiKeyAuth)
    assert auth.key == "k3y-value"
    assert auth.header == "APIKey"
    assert "k3y-value" not in repr(settings)


def test_oauth_secret_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "client-secret"
    secret.write_text("oauth-s3cret\n", encoding="utf-8")
    path = write(
        tmp_path,
        '[sap]\nbase_url = "https://h:443"\nauth = "oauth2"\n'
        'oauth_token_url = "https://login.example.com/oauth/token"\n'
        'oauth_client_id = "monitron"\n'
        f'oauth_client_secret_file = "{secret}"\n',
    )
    auth = connection_settings(load_settings(path, environ={}).sap).auth
    assert isinstance(auth, OAuth2ClientCredentials)
    assert auth.client_secret == "oauth-s3cret"
    assert auth.client_id == "monitron"


def test_oauth_missing_parts_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[sap]\nbase_url = "https://h:443"\nauth = "oauth2"\n')
    with pytest.raises(ConfigurationError) as caught:
        connection_settings(load_settings(path, environ={}).sap)
    assert "sap.oauth_token_url" in str(caught.value)
    assert "MONITRON_SAP_SAP_OAUTH_CLIENT_SECRET" in str(caught.value)


def test_user_without_password_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[sap]\nbase_url = "https://h:443"\nuser = "MONITRON"\n')
    with pytest.raises(ConfigurationError) as caught:
        connection_settings(load_settings(path, environ={}).sap)
    assert "MONITRON_SAP_SAP_PASSWORD" in str(caught.value)


def test_basic_auth_and_no_client_retries(tmp_path: Path) -> None:
    path = write(tmp_path, '[sap]\nbase_url = "https://h:443"\nuser = "MONITRON"\n')
    connection = connection_settings(load_settings(path, environ={PASSWORD_ENV: "pw"}).sap)
    assert isinstance(connection.auth, BasicAuth)
    assert connection.max_retries == 0
    assert connection.verify is True


def test_missing_base_url_named() -> None:
    with pytest.raises(ConfigurationError) as caught:
        connection_settings(load_settings(environ={}).sap)
    assert "MONITRON_SAP_SAP_BASE_URL" in str(caught.value)


@pytest.mark.parametrize("secret_key", ["api_key", "oauth_client_secret"])
def test_other_secrets_in_file_rejected(tmp_path: Path, secret_key: str) -> None:
    path = write(tmp_path, f'[sap]\n{secret_key} = "plain"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={})
    assert f"sap.{secret_key}_file" in str(caught.value)


def test_unknown_auth_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, '[sap]\nauth = "kerberos"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={})
    assert "sap.auth 'kerberos' is invalid" in str(caught.value)


def test_lifecycle_defaults() -> None:
    rules = load_settings(environ={}).rules
    assert rules.update_on_repeat is True
    assert rules.in_process_on_acknowledgement is True
    assert rules.complete_on_closure is True
    assert rules.charts is True
    assert rules.chart_days == 7.0
    assert rules.phase_cache_seconds == 60.0


def test_lifecycle_table_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[lifecycle]\nupdate_on_repeat = false\ncharts = false\nchart_days = 3\n",
    )
    rules = load_settings(path, environ={"MONITRON_SAP_LIFECYCLE_CHARTS": "true"}).rules
    assert rules.update_on_repeat is False
    assert rules.charts is True
    assert rules.chart_days == 3.0


def test_closure_table_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[closure]\ndamage_code_group = "YB-PMME1"\n'
        '[closure.failure_mode]\nMISALIGNMENT = "ME01"\n',
    )
    catalog = load_settings(path, environ={}).closure_catalog
    code = catalog.damage["MISALIGNMENT"]
    assert (code.group, code.code) == ("YB-PMME1", "ME01")
    assert "IMBALANCE" not in catalog.damage


def test_closure_table_error_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[closure.failure_mode]\nMISSALIGNMENT = "ME01"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={})
    assert f"{path} [closure]" in str(caught.value)


def test_default_closure_catalog_without_table() -> None:
    catalog = load_settings(environ={}).closure_catalog
    assert catalog.damage["MISALIGNMENT"].code == "D008"
