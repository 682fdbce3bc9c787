"""A custom ECC Gateway service works by configuration alone: a ``[sap.profile]`` table or a
profile file, through ``load_settings``, the runtime and the emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitron_sap.config import load_settings
from monitron_sap.emulator.config import DEMO_PASSWORD, DEMO_USER
from monitron_sap.emulator.custom_service import CUSTOM_SERVICE_PATH
from monitron_sap.emulator.server import EmulatorServer
from monitron_sap.errors import ConfigurationError, SapRejectedError
from monitron_sap.runtime import build_notification_client
from monitron_sap.sap.models import NotificationChanges, NotificationDraft

PROFILE_TABLE = f"""
[sap.profile]
base = "ecc-custom-gateway-example"
name = "plant-zpm"
service_path = "{CUSTOM_SERVICE_PATH}"
entity_set = "NotificationSet"
key_field = "Notification"

[sap.profile.fields]
text = "ShortText"
equipment = "Equipment"
functional_location = "FunctLoc"
long_text_for_edit = "LongText"
long_text_read = "LongText"
"""


@pytest.fixture
def sap() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


def _write_config(tmp_path: Path, base_url: str, extra: str) -> Path:
    path = tmp_path / "monitron-sap.toml"
    path.write_text(
        f'[sap]\nbase_url = "{base_url}"\nuser = "{DEMO_USER}"\nclient = "100"\n{extra}',
        encoding="utf-8",
    )
    return path


def _environment() -> dict[str, str]:
    return {"MONITRON_SAP_SAP_PASSWORD": DEMO_PASSWORD}


def test_profile_table_creates_and_reads(sap: EmulatorServer, tmp_path: Path) -> None:
    config = _write_config(tmp_path, sap.base_url, PROFILE_TABLE)
    settings = load_settings(config, _environment())
    draft = NotificationDraft(
        text="Pump 7 Motor DE: ALARM",
        notification_type="M1",
        technical_object="10000123",
        technical_object_kind="EAMS_EQUI",
        priority="1",
        long_text="Monitron alert: ALARM",
        external_reference="mon-4711",
    )

    with build_notification_client(settings.sap) as client:
        created = client.create(draft)
        client.update(created.number, NotificationChanges(long_text="Monitron event e-1"))
        read = client.get(created.number)
        by_reference = client.find_by_external_reference("MON-4711")
        by_object = client.find_by_technical_object("10000123")

    assert settings.sap.service_profile is not None
    assert settings.sap.service_profile.name == "plant-zpm"
    assert created.number.startswith("2")
    assert read.text == "Pump 7 Motor DE: ALARM"
    assert read.long_text == "Monitron alert: ALARM\nMonitron event e-1"
    assert [found.number for found in by_reference] == [created.number]
    assert [found.number for found in by_object] == [created.number]
    assert sap.request_count["POST NotificationSet"] == 1
    assert sap.request_count["MERGE NotificationSet(key)"] == 1


def test_profile_file_creates_functional_location(sap: EmulatorServer, tmp_path: Path) -> None:
    profile_file = tmp_path / "zpm-profile.toml"
    profile_file.write_text(PROFILE_TABLE, encoding="utf-8")
    config = _write_config(tmp_path, sap.base_url, f'profile_file = "{profile_file}"\n')
    settings = load_settings(config, _environment())
    draft = NotificationDraft(
        text="Line 1 pump: WARNING",
        notification_type="M2",
        technical_object="1010-PMP-LINE1",
        technical_object_kind="EAMS_FL",
    )

    with build_notification_client(settings.sap) as client:
        created = client.create(draft)
        read = client.get(created.number)

    assert read.technical_object == "1010-PMP-LINE1"
    assert read.technical_object_kind == "EAMS_FL"


def test_custom_service_rejects_unknown_object(sap: EmulatorServer, tmp_path: Path) -> None:
    settings = load_settings(_write_config(tmp_path, sap.base_url, PROFILE_TABLE), _environment())
    draft = NotificationDraft(
        text="Unknown",
        notification_type="M1",
        technical_object="99999999",
        technical_object_kind="EAMS_EQUI",
    )

    with (
        build_notification_client(settings.sap) as client,
        pytest.raises(SapRejectedError) as caught,
    ):
        client.create(draft)

    assert "99999999" in str(caught.value)


def test_profile_table_unknown_field_named(tmp_path: Path) -> None:
    extra = PROFILE_TABLE + 'equipmnt = "Equipment"\n'
    config = _write_config(tmp_path, "http://127.0.0.1:1", extra)

    with pytest.raises(ConfigurationError) as caught:
        load_settings(config, _environment())

    assert "[sap.profile].fields: unknown keys equipmnt" in str(caught.value)


def test_profile_table_and_file_rejected(tmp_path: Path) -> None:
    extra = 'profile_file = "other.toml"\n' + PROFILE_TABLE
    config = _write_config(tmp_path, "http://127.0.0.1:1", extra)

    with pytest.raises(ConfigurationError) as caught:
        load_settings(config, _environment())

    assert "keep only one" in str(caught.value)


def test_profile_name_and_table_rejected(tmp_path: Path) -> None:
    config = _write_config(tmp_path, "http://127.0.0.1:1", PROFILE_TABLE)
    environment = {**_environment(), "MONITRON_SAP_SAP_PROFILE": "s4-api-maintnotification"}

    with pytest.raises(ConfigurationError) as caught:
        load_settings(config, environment)

    assert "MONITRON_SAP_SAP_PROFILE" in str(caught.value)


def test_unknown_profile_name_rejected(tmp_path: Path) -> None:
    config = _write_config(tmp_path, "http://127.0.0.1:1", 'profile = "ecc"\n')

    with pytest.raises(ConfigurationError) as caught:
        load_settings(config, _environment())

    assert "sap.profile 'ecc'" in str(caught.value)
