"""Service profiles and connection settings: defaults, loading from TOML, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitron_sap.errors import ConfigurationError
from monitron_sap.sap.profiles import (
    ECC_CUSTOM_GATEWAY_EXAMPLE,
    S4_API_MAINTNOTIFICATION,
    load_profile,
    profile_from_mapping,
)
from monitron_sap.sap.settings import (
    ApiKeyAuth,
    BasicAuth,
    OAuth2ClientCredentials,
    SapConnectionSettings,
)


def test_default_profile_is_api_maintnotification() -> None:
    settings = SapConnectionSettings(base_url="https://s4.example.com:44300")

    assert settings.profile is S4_API_MAINTNOTIFICATION
    assert settings.service_root == (
        "https://s4.example.com:44300/sap/opu/odata/sap/API_MAINTNOTIFICATION/"
    )
    assert settings.verify is True


def test_profile_from_mapping_overrides_base() -> None:
    profile = profile_from_mapping(
        {
            "base": "ecc-custom-gateway-example",
            "name": "plant-7",
            "entity_set": "PmNotifSet",
            "fields": {"text": "Kurztext", "external_reference": ""},
        }
    )

    assert profile.entity_set == "PmNotifSet"
    assert profile.fields.text == "Kurztext"
    assert profile.fields.external_reference is None
    assert profile.fields.equipment == "Equipment"
    assert profile.service_path == ECC_CUSTOM_GATEWAY_EXAMPLE.service_path


def test_profile_from_mapping_defaults_to_s4() -> None:
    profile = profile_from_mapping({"service_path": "/sap/opu/odata/sap/ZAPI_NOTIF"})

    assert profile.entity_set == "MaintenanceNotification"
    assert profile.service_path == "/sap/opu/odata/sap/ZAPI_NOTIF"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"entity": "X"}, "unknown keys entity"),
        ({"fields": {"shorttext": "X"}}, "unknown keys shorttext"),
        ({"base": "ecc"}, "unknown base profile"),
        ({"service_path": "sap/x"}, "must start with '/'"),
        ({"entity_set": ""}, "entity_set must not be empty"),
        ({"update_method": "PUT"}, "update_method"),
        ({"fields": {"equipment": "EQUNR"}}, "only one style"),
        ({"max": 3}, "unknown keys max"),
        ({"entity_set": 3}, "must be a string"),
    ],
)
def test_profile_from_mapping_rejects_bad_values(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        profile_from_mapping(data)


def test_load_profile_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "sap.toml"
    path.write_text(
        '[sap.profile]\nbase = "ecc-custom-gateway-example"\nentity_set = "ZNotifSet"\n'
        '[sap.profile.fields]\nequipment = "EQUNR"\n'
    )

    profile = load_profile(path)

    assert profile.entity_set == "ZNotifSet"
    assert profile.fields.equipment == "EQUNR"


def test_load_profile_names_missing_table(tmp_path: Path) -> None:
    path = tmp_path / "sap.toml"
    path.write_text("[other]\n")

    with pytest.raises(ConfigurationError, match=r"has no \[sap.profile\] table"):
        load_profile(path)


def test_load_profile_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "sap.toml"
    path.write_text("[sap.profile\n")

    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_profile(path)


def test_secrets_hidden_from_repr() -> None:
    settings = SapConnectionSettings(
        base_url="https://s4.example.com", auth=BasicAuth("MONITRON", "pw-basic")
    )
    texts = [
        repr(settings),
        repr(ApiKeyAuth("key-123")),
        repr(OAuth2ClientCredentials("https://t/oauth/token", "client", "secret-456")),
    ]

    assert "MONITRON" in texts[0]
    for text, secret in zip(texts, ["pw-basic", "key-123", "secret-456"], strict=True):
        assert secret not in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"base_url": "s4.example.com"}, "base URL"),
        ({"base_url": "ftp://s4.example.com"}, "base URL"),
        ({"base_url": "https://s4.example.com/sap/opu"}, "must not contain a path"),
        ({"sap_client": "10"}, "three digits"),
        ({"verify": "/no/such/ca.pem"}, "CA bundle"),
        ({"csrf_fetch_method": "POST"}, "GET or HEAD"),
        ({"read_timeout": 0}, "read_timeout must be positive"),
        ({"max_retries": -1}, "max_retries"),
        ({"backoff_seconds": 10.0, "max_backoff_seconds": 1.0}, "backoff_seconds"),
    ],
)
def test_settings_reject_invalid_values(overrides: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"base_url": "https://s4.example.com", **overrides}

    with pytest.raises(ConfigurationError, match=message):
        SapConnectionSettings(**values)  # type: ignore[arg-type]


def test_api_key_header_defaults_to_apikey() -> None:
    assert ApiKeyAuth("k").header == "APIKey"
