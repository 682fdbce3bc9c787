"""Fixtures for end-to-end tests: the SAP emulator on loopback, the real client, SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitron_sap.assets.csv_io import read_mapping_csv
from monitron_sap.assets.model import MappingEntry
from monitron_sap.config import SapSettings, Secret
from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorConfig, EmulatorServer
from monitron_sap.runtime import connection_settings
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.store.sqlite import SqliteStore

DEMO_MAPPING = Path(__file__).resolve().parents[2] / "src/monitron_sap/data/demo/mapping.csv"


def demo_mapping() -> list[MappingEntry]:
    with DEMO_MAPPING.open(encoding="utf-8", newline="") as stream:
        return read_mapping_csv(stream, str(DEMO_MAPPING))


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    objects = {entry.technical_object: entry.technical_object_kind for entry in demo_mapping()}
    with EmulatorServer(EmulatorConfig(technical_objects=objects)) as server:
        yield server


@pytest.fixture
def sap_settings(emulator: EmulatorServer) -> SapSettings:
    return SapSettings(
        base_url=emulator.base_url,
        user=DEMO_USER,
        password=Secret(DEMO_PASSWORD),
        client="100",
    )


def open_client(settings: SapSettings) -> NotificationClient:
    return create_notification_client(connection_settings(settings))


@pytest.fixture
def client(sap_settings: SapSettings) -> Iterator[NotificationClient]:
    with open_client(sap_settings) as client:
        yield client


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    with SqliteStore(path) as store:
        store.replace_all(demo_mapping())
    return path


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(db_path) as store:
        yield store
