"""The asset mapping in a DynamoDB table, one item per ``MappingEntry.key``."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Final

from monitron_sap.assets.model import MappingEntry
from monitron_sap.errors import StoreUnavailableError
from monitron_sap.store.dynamodb_common import (
    MAPPING_PARTITION_KEY,
    put_optional_string,
    string_value,
    translated_errors,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger(__name__)

# DynamoDB limits: TransactWriteItems takes at most 100 actions, BatchGetItem at most 100 keys.
_TRANSACTION_MAX_ITEMS: Final = 100
_BATCH_GET_MAX_KEYS: Final = 100
_UNPROCESSED_RETRIES: Final = 5
_FIELD_NAMES: Final = tuple(field.name for field in fields(MappingEntry))


class DynamoMappingStore:
    """The asset mapping in one DynamoDB table with the partition key ``key``."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def replace_all(self, entries: Sequence[MappingEntry]) -> int:
        """Write ``entries`` and then delete every other item; return the count written.

        NOTE: DynamoDB transactions hold at most 100 items, so a larger mapping is written in
        several transactions. Lookups during the replacement may see old and new entries mixed.
        """
        new_keys = {entry.key for entry in entries}
        stale = [key for key in self._all_keys() if key not in new_keys]
        count = self.upsert(entries)
        deletes: list[dict[str, Any]] = [
            {"Delete": {"TableName": self._table, "Key": {MAPPING_PARTITION_KEY: {"S": key}}}}
            for key in stale
        ]
        self._transact(deletes)
        logger.info(
            "replaced the mapping in %s: %d entries, %d removed", self._table, count, len(stale)
        )
        return count

    def upsert(self, entries: Sequence[MappingEntry]) -> int:
        """Insert or replace ``entries`` by key; return the count.

        Up to 100 entries are written all or nothing. NOTE: a larger upsert is split into
        transactions of 100, and a failure leaves the earlier transactions applied.
        """
        by_key = {entry.key: entry for entry in entries}  # the last entry for a key wins
        puts: list[dict[str, Any]] = [
            {"Put": {"TableName": self._table, "Item": _entry_to_item(entry)}}
            for entry in by_key.values()
        ]
        self._transact(puts)
        return len(by_key)

    def get_many(self, keys: Sequence[str]) -> dict[str, MappingEntry]:
        """Return the entries stored under any of ``keys``, read with strong consistency."""
        unique = list(dict.fromkeys(keys))
        found: dict[str, MappingEntry] = {}
        for start in range(0, len(unique), _BATCH_GET_MAX_KEYS):
            chunk = unique[start : start + _BATCH_GET_MAX_KEYS]
            request: dict[str, Any] = {
                self._table: {
                    "Keys": [{MAPPING_PARTITION_KEY: {"S": key}} for key in chunk],
                    "ConsistentRead": True,
                }
            }
            for attempt in range(_UNPROCESSED_RETRIES + 1):
                with translated_errors(self._table, "BatchGetItem"):
                    response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    entry = _item_to_entry(item)
                    found[entry.key] = entry
                unprocessed = response.get("UnprocessedKeys") or {}
                if not unprocessed:
                    break
                if attempt == _UNPROCESSED_RETRIES:
                    raise StoreUnavailableError(
                        f"DynamoDB BatchGetItem on table {self._table!r} left keys unprocessed "
                        f"after {_UNPROCESSED_RETRIES} retries"
                    )
                request = dict(unprocessed)
                time.sleep(0.05 * 2**attempt)
        return found

    def all(self) -> list[MappingEntry]:
        entries: list[MappingEntry] = []
        start_key: dict[str, Any] | None = None
        while True:
            arguments: dict[str, Any] = {"TableName": self._table, "ConsistentRead": True}
            if start_key is not None:
                arguments["ExclusiveStartKey"] = start_key
            with translated_errors(self._table, "Scan"):
                response = self._client.scan(**arguments)
            entries.extend(_item_to_entry(item) for item in response.get("Items", []))
            start_key = response.get("LastEvaluatedKey")
            if not start_key:
                break
        entries.sort(key=lambda entry: entry.key)
        return entries

    def _all_keys(self) -> list[str]:
        return [entry.key for entry in self.all()]

    def _transact(self, actions: list[dict[str, Any]]) -> None:
        for start in range(0, len(actions), _TRANSACTION_MAX_ITEMS):
            chunk = actions[start : start + _TRANSACTION_MAX_ITEMS]
            with translated_errors(self._table, "TransactWriteItems"):
                self._client.transact_write_items(TransactItems=chunk)  # type: ignore[arg-type]


def _entry_to_item(entry: MappingEntry) -> dict[str, Any]:
    item: dict[str, Any] = {MAPPING_PARTITION_KEY: {"S": entry.key}}
    for name in _FIELD_NAMES:
        put_optional_string(item, name, getattr(entry, name))
    return item


def _item_to_entry(item: dict[str, Any]) -> MappingEntry:
    values = {name: string_value(item, name) for name in _FIELD_NAMES}
    present = {name: value for name, value in values.items() if value is not None}
    return MappingEntry(**present)
