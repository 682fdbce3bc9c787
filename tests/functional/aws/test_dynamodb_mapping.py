"""The DynamoDB mapping store against moto in server mode, over HTTP."""

from __future__ import annotations

import pytest

from monitron_sap.assets.model import MappingEntry, path_key
from monitron_sap.store.dynamodb import DynamoMappingStore
from monitron_sap.store.dynamodb_common import create_mapping_table, make_dynamodb_client
from tests.moto_server import REGION, unique_name


def make_mapping_entry(index: int, technical_object: str = "PUMP-") -> MappingEntry:
    return MappingEntry(
        technical_object=f"{technical_object}{index}",
        technical_object_kind="EAMS_EQUI",
        notification_type="M2",
        project="Plant",
        site="Site",
        asset=f"Asset {index}",
        position="Motor",
        priority_alarm="1",
    )


@pytest.fixture
def mapping(moto_endpoint: str) -> DynamoMappingStore:
    client = make_dynamodb_client(endpoint_url=moto_endpoint, region_name=REGION)
    name = unique_name("mapping")
    create_mapping_table(client, name)
    return DynamoMappingStore(client, name)


def test_upsert_and_get_many(mapping: DynamoMappingStore) -> None:
    entries = [make_mapping_entry(index) for index in range(3)]

    count = mapping.upsert(entries)
    found = mapping.get_many([entries[0].key, entries[2].key, path_key("x", "y", "z", "w")])

    assert count == 3
    assert found == {entries[0].key: entries[0], entries[2].key: entries[2]}


def test_entry_with_stable_id_round_trips(mapping: DynamoMappingStore) -> None:
    entry = MappingEntry(
        technical_object="FL-01",
        technical_object_kind="EAMS_FL",
        notification_type="M1",
        asset_position_id="ap-123",
        planning_plant="1010",
    )

    mapping.upsert([entry])

    assert mapping.get_many(["id:ap-123"]) == {"id:ap-123": entry}


def test_upsert_more_than_one_transaction(mapping: DynamoMappingStore) -> None:
    entries = [make_mapping_entry(index) for index in range(150)]

    count = mapping.upsert(entries)
    found = mapping.get_many([entry.key for entry in entries])

    assert count == 150
    assert len(found) == 150


def test_replace_all_removes_other_entries(mapping: DynamoMappingStore) -> None:
    mapping.upsert([make_mapping_entry(index) for index in range(4)])
    replacement = [make_mapping_entry(index, "MOTOR-") for index in range(2, 6)]

    count = mapping.replace_all(replacement)

    assert count == 4
    assert mapping.all() == sorted(replacement, key=lambda entry: entry.key)
