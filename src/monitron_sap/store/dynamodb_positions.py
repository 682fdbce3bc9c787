"""Per-position state in the ledger table: open notifications, latest measurements,
measurement histories, positions seen without a mapping entry and devices disconnected without
a reconnection yet.

Each kind has its own key prefix in the table's partition key. Unmapped positions and pending
disconnections carry a ``status`` value that is not an ``Outcome`` (``unmapped``,
``disconnect``), so that the status index lists them by time.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from monitron_sap.assets.model import PositionRef
from monitron_sap.store.dynamodb_common import (
    LEDGER_PARTITION_KEY,
    LEDGER_STATUS_ATTRIBUTE,
    LEDGER_STATUS_INDEX,
    LEDGER_UPDATED_ATTRIBUTE,
    from_iso,
    is_conditional_failure,
    number_value,
    put_optional_string,
    string_value,
    to_iso,
    translated_errors,
)
from monitron_sap.store.ports import (
    LatestMeasurement,
    OpenNotification,
    PendingDisconnect,
    StoredHistory,
    UnmappedPosition,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_OPEN_PREFIX: Final = "open#"
_LATEST_PREFIX: Final = "latest#"
_HISTORY_PREFIX: Final = "history#"
_UNMAPPED_PREFIX: Final = "unmapped#"
_DISCONNECT_PREFIX: Final = "disconnect#"
UNMAPPED_STATUS: Final = "unmapped"
DISCONNECT_STATUS: Final = "disconnect"
_POSITION_FIELDS: Final = ("project", "site", "asset", "position", "asset_position_id", "sensor_id")


class DynamoPositionState:
    """The per-position part of ``DynamoLedgerStore``."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def get_open_notification(self, position_key: str) -> OpenNotification | None:
        with translated_errors(self._table, "GetItem"):
            response = self._client.get_item(
                TableName=self._table, Key=_open_key(position_key), ConsistentRead=True
            )
        item = response.get("Item")
        if not item:
            return None
        opened_at = string_value(item, "opened_at")
        return OpenNotification(
            position_key=position_key,
            notification_number=string_value(item, "notification_number") or "",
            state=string_value(item, "state") or "",
            record_key=string_value(item, "record_key") or "",
            opened_at=from_iso(opened_at) if opened_at else datetime.min,
            priority=string_value(item, "priority"),
        )

    def set_open_notification(self, item: OpenNotification) -> None:
        attributes: dict[str, Any] = {
            **_open_key(item.position_key),
            "notification_number": {"S": item.notification_number},
            "state": {"S": item.state},
            "record_key": {"S": item.record_key},
            "opened_at": {"S": to_iso(item.opened_at)},
        }
        put_optional_string(attributes, "priority", item.priority)
        with translated_errors(self._table, "PutItem"):
            self._client.put_item(TableName=self._table, Item=attributes)

    def clear_open_notification(self, position_key: str, notification_number: str) -> None:
        """Forget the open notification, unless another notification has replaced it."""
        try:
            with translated_errors(self._table, "DeleteItem"):
                self._client.delete_item(
                    TableName=self._table,
                    Key=_open_key(position_key),
                    ConditionExpression="notification_number = :number",
                    ExpressionAttributeValues={":number": {"S": notification_number}},
                )
        except Exception as error:
            if not is_conditional_failure(error):
                raise

    def save_latest_measurement(self, item: LatestMeasurement) -> None:
        """Store ``item`` unless the position already has a measurement taken later."""
        try:
            with translated_errors(self._table, "PutItem"):
                self._client.put_item(
                    TableName=self._table,
                    Item={
                        **_key(_LATEST_PREFIX, item.position_key),
                        "position_key": {"S": item.position_key},
                        "taken_at": {"S": to_iso(item.taken_at)},
                        "snapshot": {"S": item.snapshot},
                    },
                    ConditionExpression="attribute_not_exists(#pk) OR taken_at < :taken_at",
                    ExpressionAttributeNames={"#pk": LEDGER_PARTITION_KEY},
                    ExpressionAttributeValues={":taken_at": {"S": to_iso(item.taken_at)}},
                )
        except Exception as error:
            if not is_conditional_failure(error):
                raise

    def get_latest_measurement(self, position_key: str) -> LatestMeasurement | None:
        with translated_errors(self._table, "GetItem"):
            response = self._client.get_item(
                TableName=self._table, Key=_key(_LATEST_PREFIX, position_key), ConsistentRead=True
            )
        item = response.get("Item")
        if not item:
            return None
        return LatestMeasurement(
            position_key=position_key,
            taken_at=from_iso(string_value(item, "taken_at") or ""),
            snapshot=string_value(item, "snapshot") or "",
        )

    def save_measurement_history(self, item: StoredHistory) -> None:
        """Store the position's history; it stays under 400 KB, DynamoDB's item limit, because
        a history keeps at most 1,000 samples (about 80 KB of JSON)."""
        with translated_errors(self._table, "PutItem"):
            self._client.put_item(
                TableName=self._table,
                Item={
                    **_key(_HISTORY_PREFIX, item.position_key),
                    "position_key": {"S": item.position_key},
                    "history_updated_at": {"S": to_iso(item.updated_at)},
                    "history": {"S": item.history},
                },
            )

    def get_measurement_history(self, position_key: str) -> StoredHistory | None:
        with translated_errors(self._table, "GetItem"):
            response = self._client.get_item(
                TableName=self._table, Key=_key(_HISTORY_PREFIX, position_key), ConsistentRead=True
            )
        item = response.get("Item")
        if not item:
            return None
        return StoredHistory(
            position_key=position_key,
            updated_at=from_iso(string_value(item, "history_updated_at") or ""),
            history=string_value(item, "history") or "",
        )

    def note_unmapped(self, position: PositionRef, *, seen_at: datetime) -> None:
        """Count one more alert for a position without a mapping entry.

        The count is an atomic ADD. ``first_seen`` and ``last_seen`` widen with conditional
        updates, so records that arrive out of order never narrow the range.
        """
        key = _key(_UNMAPPED_PREFIX, position.key)
        seen = {"S": to_iso(seen_at)}
        names = {f"#{name}": name for name in _POSITION_FIELDS}
        values: dict[str, Any] = {
            ":one": {"N": "1"},
            ":seen": seen,
            ":unmapped": {"S": UNMAPPED_STATUS},
        }
        assignments = [
            "first_seen = if_not_exists(first_seen, :seen)",
            "#status = :unmapped",
        ]
        for name in _POSITION_FIELDS:
            value = getattr(position, name)
            if value is not None:
                assignments.append(f"#{name} = :{name}")
                values[f":{name}"] = {"S": value}
            else:
                del names[f"#{name}"]
        with translated_errors(self._table, "UpdateItem"):
            self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression="SET " + ", ".join(assignments) + " ADD records :one",
                ExpressionAttributeNames={**names, "#status": LEDGER_STATUS_ATTRIBUTE},
                ExpressionAttributeValues=values,
            )
        self._widen(key, "#updated", LEDGER_UPDATED_ATTRIBUTE, "<", seen)
        self._widen(key, "#first", "first_seen", ">", seen)

    def _widen(
        self, key: dict[str, Any], placeholder: str, name: str, comparison: str, seen: Any
    ) -> None:
        """Set ``name`` to ``seen`` when it is missing or ``seen`` lies beyond it."""
        try:
            with translated_errors(self._table, "UpdateItem"):
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression=f"SET {placeholder} = :seen",
                    ConditionExpression=(
                        f"attribute_not_exists({placeholder}) OR {placeholder} {comparison} :seen"
                    ),
                    ExpressionAttributeNames={placeholder: name},
                    ExpressionAttributeValues={":seen": seen},
                )
        except Exception as error:
            if not is_conditional_failure(error):
                raise

    def unmapped_positions(self, limit: int = 100) -> list[UnmappedPosition]:
        """Return unmapped positions, most recently seen first."""
        with translated_errors(self._table, "Query"):
            response = self._client.query(
                TableName=self._table,
                IndexName=LEDGER_STATUS_INDEX,
                KeyConditionExpression="#status = :unmapped",
                ExpressionAttributeNames={"#status": LEDGER_STATUS_ATTRIBUTE},
                ExpressionAttributeValues={":unmapped": {"S": UNMAPPED_STATUS}},
                ScanIndexForward=False,
                Limit=limit,
            )
        positions: list[UnmappedPosition] = []
        for item in response.get("Items", []):
            fields = {name: string_value(item, name) for name in _POSITION_FIELDS}
            positions.append(
                UnmappedPosition(
                    position=PositionRef(**fields),
                    first_seen=from_iso(string_value(item, "first_seen") or ""),
                    last_seen=from_iso(string_value(item, LEDGER_UPDATED_ATTRIBUTE) or ""),
                    records=number_value(item, "records") or 0,
                )
            )
        return positions

    # Pending disconnections per device

    def save_disconnect(self, item: PendingDisconnect) -> None:
        """Store ``item`` unless the device has a later disconnection stored."""
        moment = {"S": to_iso(item.disconnected_at)}
        try:
            with translated_errors(self._table, "PutItem"):
                self._client.put_item(
                    TableName=self._table,
                    Item={
                        **_key(_DISCONNECT_PREFIX, item.device_key),
                        "device_key": {"S": item.device_key},
                        "record_key": {"S": item.record_key},
                        "payload": {"S": item.payload},
                        LEDGER_STATUS_ATTRIBUTE: {"S": DISCONNECT_STATUS},
                        LEDGER_UPDATED_ATTRIBUTE: moment,
                    },
                    ConditionExpression="attribute_not_exists(#pk) OR #updated < :moment",
                    ExpressionAttributeNames={
                        "#pk": LEDGER_PARTITION_KEY,
                        "#updated": LEDGER_UPDATED_ATTRIBUTE,
                    },
                    ExpressionAttributeValues={":moment": moment},
                )
        except Exception as error:
            if not is_conditional_failure(error):
                raise

    def clear_disconnect(self, device_key: str, *, until: datetime) -> None:
        """Forget the device's disconnection if it happened at or before ``until``."""
        try:
            with translated_errors(self._table, "DeleteItem"):
                self._client.delete_item(
                    TableName=self._table,
                    Key=_key(_DISCONNECT_PREFIX, device_key),
                    ConditionExpression="#updated <= :until",
                    ExpressionAttributeNames={"#updated": LEDGER_UPDATED_ATTRIBUTE},
                    ExpressionAttributeValues={":until": {"S": to_iso(until)}},
                )
        except Exception as error:
            if not is_conditional_failure(error):
                raise

    def due_disconnects(self, cutoff: datetime, limit: int = 100) -> list[PendingDisconnect]:
        """Return disconnections that happened at or before ``cutoff``, oldest first."""
        with translated_errors(self._table, "Query"):
            response = self._client.query(
                TableName=self._table,
                IndexName=LEDGER_STATUS_INDEX,
                KeyConditionExpression="#status = :disconnect AND #updated <= :cutoff",
                ExpressionAttributeNames={
                    "#status": LEDGER_STATUS_ATTRIBUTE,
                    "#updated": LEDGER_UPDATED_ATTRIBUTE,
                },
                ExpressionAttributeValues={
                    ":disconnect": {"S": DISCONNECT_STATUS},
                    ":cutoff": {"S": to_iso(cutoff)},
                },
                ScanIndexForward=True,
                Limit=limit,
            )
        return [
            PendingDisconnect(
                device_key=string_value(item, "device_key") or "",
                disconnected_at=from_iso(string_value(item, LEDGER_UPDATED_ATTRIBUTE) or ""),
                record_key=string_value(item, "record_key") or "",
                payload=string_value(item, "payload") or "",
            )
            for item in response.get("Items", [])
        ]


def _key(prefix: str, position_key: str) -> dict[str, Any]:
    return {LEDGER_PARTITION_KEY: {"S": prefix + position_key}}


def _open_key(position_key: str) -> dict[str, Any]:
    return _key(_OPEN_PREFIX, position_key)
