"""The storage ports' contract, run against the DynamoDB adapters in moto server mode."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import pytest

from monitron_sap.assets.model import MappingEntry
from monitron_sap.store.dynamodb import DynamoLedgerStore, DynamoMappingStore
from monitron_sap.store.dynamodb_common import (
    create_ledger_table,
    create_mapping_table,
    make_dynamodb_client,
)
from tests.moto_server import REGION, unique_name
from tests.store_contract import StoreContract

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoStores(DynamoLedgerStore):
    """Both DynamoDB adapters behind one object, as the contract expects one store."""

    def __init__(self, client: DynamoDBClient, ledger_table: str, mapping_table: str) -> None:
        super().__init__(client, ledger_table)
        self._mapping = DynamoMappingStore(client, mapping_table)

    def replace_all(self, entries: Sequence[MappingEntry]) -> int:
        return self._mapping.replace_all(entries)

    def upsert(self, entries: Sequence[MappingEntry]) -> int:
        return self._mapping.upsert(entries)

    def get_many(self, keys: Sequence[str]) -> dict[str, MappingEntry]:
        return self._mapping.get_many(keys)

    def all(self) -> list[MappingEntry]:
        return self._mapping.all()


@pytest.fixture
def store(moto_endpoint: str) -> Iterator[DynamoStores]:
    client = make_dynamodb_client(endpoint_url=moto_endpoint, region_name=REGION)
    ledger_table = unique_name("contract-ledger")
    mapping_table = unique_name("contract-mapping")
    create_ledger_table(client, ledger_table)
    create_mapping_table(client, mapping_table)
    yield DynamoStores(client, ledger_table, mapping_table)


class TestDynamoStores(StoreContract):
    pass
