"""Mapping lookup fallbacks, against the real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitron_sap.assets.lookup import candidate_keys, find_mapping
from monitron_sap.assets.model import MappingEntry, PositionRef, path_key
from monitron_sap.store.sqlite import SqliteStore

POSITION = PositionRef(
    project="Northwind Bottling",
    site="Plant Porto",
    asset="Compressor C-301",
    position="Motor DE",
    asset_position_id="pos-a1b2c3d40301",
    sensor_id="a1b2c3d40301",
)


def entry(technical_object: str, **match: str) -> MappingEntry:
    return MappingEntry(technical_object, "EAMS_EQUI", "M2", **match)


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "ledger.sqlite3")


def test_candidate_order() -> None:
    keys = candidate_keys(POSITION)
    assert keys[0] == "id:pos-a1b2c3d40301"
    assert keys[1] == "sensor:a1b2c3d40301"
    assert keys[2] == path_key("Northwind Bottling", "Plant Porto", "Compressor C-301", "Motor DE")
    assert keys[3] == path_key("*", "Plant Porto", "Compressor C-301", "Motor DE")
    assert keys[-1] == path_key("*", "Plant Porto", "*", "*")


def test_no_site_no_path_keys() -> None:
    keys = candidate_keys(PositionRef(sensor_id="abc"))
    assert keys == ["sensor:abc"]


FALLBACK_CASES = [
    ("by_id", {"asset_position_id": "pos-a1b2c3d40301"}),
    ("by_sensor", {"sensor_id": "a1b2c3d40301"}),
    ("exact", {"site": "Plant Porto", "asset": "Compressor C-301", "position": "Motor DE"}),
    ("asset_level", {"site": "Plant Porto", "asset": "Compressor C-301"}),
    ("site_level", {"site": "Plant Porto"}),
]


@pytest.mark.parametrize("winner", range(len(FALLBACK_CASES)))
def test_most_specific_entry_wins(store: SqliteStore, winner: int) -> None:
    entries = [entry(name, **match) for name, match in FALLBACK_CASES[winner:]]
    store.replace_all(entries)
    found = find_mapping(POSITION, store)
    assert found is not None
    assert found.technical_object == FALLBACK_CASES[winner][0]


def test_project_specific_beats_wildcard_project(store: SqliteStore) -> None:
    store.replace_all(
        [
            entry("any_project", site="Plant Porto"),
            entry("this_project", project="Northwind Bottling", site="Plant Porto"),
        ]
    )
    found = find_mapping(POSITION, store)
    assert found is not None
    assert found.technical_object == "this_project"


def test_other_site_not_matched(store: SqliteStore) -> None:
    store.replace_all([entry("hamburg", site="Plant Hamburg")])
    assert find_mapping(POSITION, store) is None
