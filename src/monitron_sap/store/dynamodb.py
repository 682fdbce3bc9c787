"""DynamoDB adapters for the ledger and the asset mapping.

The ledger relies on conditional writes: a claim is a put that succeeds only when no item exists,
and a takeover of an expired claim succeeds only while the item still carries the claim time that
was read. So of two workers racing for one record, exactly one gets the claim.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from monitron_sap.errors import MonitronSapError
from monitron_sap.store.dynamodb_common import (
    LEDGER_NOTIFICATION_ATTRIBUTE,
    LEDGER_NOTIFICATION_INDEX,
    LEDGER_PARTITION_KEY,
    LEDGER_STATUS_ATTRIBUTE,
    LEDGER_STATUS_INDEX,
    LEDGER_TTL_ATTRIBUTE,
    LEDGER_UPDATED_ATTRIBUTE,
    from_iso,
    is_conditional_failure,
    number_value,
    put_optional_string,
    string_value,
    to_iso,
    translated_errors,
)
from monitron_sap.store.dynamodb_mapping import DynamoMappingStore
from monitron_sap.store.dynamodb_positions import DynamoPositionState
from monitron_sap.store.ports import (
    FINAL_OUTCOMES,
    Claim,
    ClaimStatus,
    LedgerEntry,
    Outcome,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = ["DEFAULT_TTL_DAYS", "DynamoLedgerStore", "DynamoMappingStore"]

logger = logging.getLogger(__name__)

# Finished ledger items expire after this many days. The value must exceed the longest time an
# input can be redelivered (SQS retention is at most 14 days, Kinesis retention at most 365),
# because a record whose ledger item has expired is processed again when it is redelivered.
DEFAULT_TTL_DAYS: Final = 90

_RECORD_PREFIX: Final = "record#"
_OPEN_PREFIX: Final = "open#"
# Outcomes after which a new claim takes the record over for another attempt.
_RETRY_OUTCOMES: Final = frozenset({Outcome.FAILED, Outcome.DEAD_LETTER})


class DynamoLedgerStore(DynamoPositionState):
    """The ledger in one DynamoDB table; see ``dynamodb_common`` for its layout.

    ``ttl_days`` sets the expiry of items with a final outcome (``None`` keeps them forever).
    Failed and dead-lettered items never expire, so they stay available for replay.
    """

    def __init__(
        self, client: DynamoDBClient, table_name: str, *, ttl_days: int | None = DEFAULT_TTL_DAYS
    ) -> None:
        if ttl_days is not None and ttl_days < 1:
            raise ValueError(f"ttl_days must be at least 1 or None, not {ttl_days}")
        super().__init__(client, table_name)
        self._ttl_days = ttl_days

    # Claims and outcomes

    def claim(self, entry: LedgerEntry, *, lease_seconds: float, now: datetime) -> Claim:
        """Claim ``entry.record_key`` atomically; see ``ClaimStatus`` for the results."""
        item = _entry_to_item(entry)
        item[LEDGER_STATUS_ATTRIBUTE] = {"S": Outcome.IN_PROGRESS.value}
        item["claimed_at"] = {"S": to_iso(now)}
        item[LEDGER_UPDATED_ATTRIBUTE] = {"S": to_iso(now)}
        item["attempts"] = {"N": "1"}
        try:
            with translated_errors(self._table, "PutItem"):
                self._client.put_item(
                    TableName=self._table,
                    Item=item,
                    ConditionExpression="attribute_not_exists(#pk)",
                    ExpressionAttributeNames={"#pk": LEDGER_PARTITION_KEY},
                )
            return Claim(ClaimStatus.CLAIMED)
        except Exception as error:
            if not is_conditional_failure(error):
                raise

        previous = self.get(entry.record_key)
        if previous is None:
            # The item was deleted between the put and the read, by TTL or by hand.
            return self.claim(entry, lease_seconds=lease_seconds, now=now)
        if previous.status in FINAL_OUTCOMES:
            return Claim(ClaimStatus.DONE, previous)
        if previous.status in _RETRY_OUTCOMES:
            return self._take_over(previous, ClaimStatus.RETRY, now, entry.payload)
        lease_end = previous.claimed_at + timedelta(seconds=lease_seconds)
        if lease_end > now:
            return Claim(ClaimStatus.BUSY, previous)
        return self._take_over(previous, ClaimStatus.TAKEN_OVER, now, entry.payload)

    def _take_over(
        self, previous: LedgerEntry, status: ClaimStatus, now: datetime, payload: str | None
    ) -> Claim:
        """Claim an existing item, on condition that it is unchanged since it was read.

        A new ``payload`` replaces the stored one, so a replay stores the record it ran.
        """
        assignments = "#status = :in_progress, claimed_at = :now, #updated = :now"
        values: dict[str, Any] = {}
        if payload is not None:
            assignments += ", payload = :payload"
            values[":payload"] = {"S": payload}
        try:
            with translated_errors(self._table, "UpdateItem"):
                self._client.update_item(
                    TableName=self._table,
                    Key=_record_key(previous.record_key),
                    UpdateExpression=f"SET {assignments} ADD attempts :one REMOVE #expires",
                    ConditionExpression="#status = :old_status AND claimed_at = :old_claimed",
                    ExpressionAttributeNames={
                        "#status": LEDGER_STATUS_ATTRIBUTE,
                        "#updated": LEDGER_UPDATED_ATTRIBUTE,
                        "#expires": LEDGER_TTL_ATTRIBUTE,
                    },
                    ExpressionAttributeValues={
                        ":in_progress": {"S": Outcome.IN_PROGRESS.value},
                        ":now": {"S": to_iso(now)},
                        ":one": {"N": "1"},
                        ":old_status": {"S": previous.status.value},
                        ":old_claimed": {"S": to_iso(previous.claimed_at)},
                        **values,
                    },
                )
        except Exception as error:
            if not is_conditional_failure(error):
                raise
            # Another worker changed the item first, so it has the claim now or has finished.
            current = self.get(previous.record_key)
            if current is not None and current.status in FINAL_OUTCOMES:
                return Claim(ClaimStatus.DONE, current)
            return Claim(ClaimStatus.BUSY, current)
        if status is ClaimStatus.TAKEN_OVER:
            logger.info(
                "took over the expired claim on %s from %s",
                previous.record_key,
                to_iso(previous.claimed_at),
            )
        return Claim(status, previous)

    def finish(
        self,
        record_key: str,
        status: Outcome,
        *,
        now: datetime,
        reason: str | None = None,
        notification_number: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record the outcome of a claimed record; raise if the record was never claimed."""
        names = {"#status": LEDGER_STATUS_ATTRIBUTE, "#updated": LEDGER_UPDATED_ATTRIBUTE}
        values: dict[str, Any] = {":status": {"S": status.value}, ":now": {"S": to_iso(now)}}
        assignments = ["#status = :status", "#updated = :now"]
        removals: list[str] = []

        # ``reason`` and ``error`` describe this outcome only, so a None removes the old value;
        # a notification number, once known, is kept. Every name gets a placeholder because
        # ``error`` is a DynamoDB reserved word.
        for attribute, value in (
            ("reason", reason),
            ("notification_number", notification_number),
            ("error", error),
        ):
            names[f"#{attribute}"] = attribute
            if value is not None:
                assignments.append(f"#{attribute} = :{attribute}")
                values[f":{attribute}"] = {"S": value}
            elif attribute != "notification_number":
                removals.append(f"#{attribute}")
            else:
                del names[f"#{attribute}"]

        names["#expires"] = LEDGER_TTL_ATTRIBUTE
        expiry = self._expiry(status, now)
        if expiry is None:
            removals.append("#expires")
        else:
            assignments.append("#expires = :expires")
            values[":expires"] = {"N": str(expiry)}

        expression = "SET " + ", ".join(assignments)
        if removals:
            expression += " REMOVE " + ", ".join(removals)
        try:
            with translated_errors(self._table, "UpdateItem"):
                self._client.update_item(
                    TableName=self._table,
                    Key=_record_key(record_key),
                    UpdateExpression=expression,
                    ConditionExpression="attribute_exists(#pk)",
                    ExpressionAttributeNames={**names, "#pk": LEDGER_PARTITION_KEY},
                    ExpressionAttributeValues=values,
                )
        except Exception as failure:
            if not is_conditional_failure(failure):
                raise
            raise MonitronSapError(
                f"cannot record outcome {status.value!r} for {record_key!r}: "
                "the ledger has no claim for it"
            ) from failure

    def record(self, entry: LedgerEntry) -> bool:
        """Write an entry that needed no SAP call (invalid, skipped); return whether it was new.

        An existing entry under the same key is kept unchanged, so that a record whose key
        repeats never hides an earlier outcome.
        """
        item = _entry_to_item(entry)
        item["attempts"] = {"N": "0"}
        expiry = self._expiry(entry.status, entry.updated_at)
        if expiry is not None:
            item[LEDGER_TTL_ATTRIBUTE] = {"N": str(expiry)}
        try:
            with translated_errors(self._table, "PutItem"):
                self._client.put_item(
                    TableName=self._table,
                    Item=item,
                    ConditionExpression="attribute_not_exists(#pk)",
                    ExpressionAttributeNames={"#pk": LEDGER_PARTITION_KEY},
                )
        except Exception as error:
            if not is_conditional_failure(error):
                raise
            return False
        return True

    def _expiry(self, status: Outcome, now: datetime) -> int | None:
        if self._ttl_days is None or status not in FINAL_OUTCOMES:
            return None
        return int((now + timedelta(days=self._ttl_days)).timestamp())

    # Reads

    def get(self, record_key: str) -> LedgerEntry | None:
        with translated_errors(self._table, "GetItem"):
            response = self._client.get_item(
                TableName=self._table, Key=_record_key(record_key), ConsistentRead=True
            )
        item = response.get("Item")
        return _item_to_entry(item) if item else None

    def dead_letters(self, limit: int = 100) -> list[LedgerEntry]:
        """Return dead-lettered entries, oldest first."""
        return list(self._query_status(Outcome.DEAD_LETTER, limit=limit, newest_first=False))

    def counts(self) -> dict[Outcome, int]:
        """Count entries per outcome through the status index (eventually consistent)."""
        counts: dict[Outcome, int] = {}
        for status in Outcome:
            total = 0
            start_key: dict[str, Any] | None = None
            while True:
                arguments = self._status_query_arguments(status, newest_first=False)
                if start_key is not None:
                    arguments["ExclusiveStartKey"] = start_key
                with translated_errors(self._table, "Query"):
                    response = self._client.query(Select="COUNT", **arguments)
                total += response.get("Count", 0)
                start_key = response.get("LastEvaluatedKey")
                if not start_key:
                    break
            if total:
                counts[status] = total
        return counts

    def recent(
        self, limit: int = 20, statuses: Collection[Outcome] | None = None
    ) -> list[LedgerEntry]:
        """Return the most recently updated entries, newest first; only ``statuses`` if given."""
        entries: list[LedgerEntry] = []
        for status in statuses if statuses is not None else Outcome:
            entries.extend(self._query_status(status, limit=limit, newest_first=True))
        entries.sort(key=lambda entry: entry.updated_at, reverse=True)
        return entries[:limit]

    def entries_for_notification(self, number: str, limit: int = 1000) -> list[LedgerEntry]:
        """Return the entries that name notification ``number``, oldest first (eventually
        consistent, through the notification index)."""
        entries: list[LedgerEntry] = []
        start_key: dict[str, Any] | None = None
        while len(entries) < limit:
            arguments: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": LEDGER_NOTIFICATION_INDEX,
                "KeyConditionExpression": "#number = :number",
                "ExpressionAttributeNames": {"#number": LEDGER_NOTIFICATION_ATTRIBUTE},
                "ExpressionAttributeValues": {":number": {"S": number}},
                "ScanIndexForward": True,
                "Limit": limit - len(entries),
            }
            if start_key is not None:
                arguments["ExclusiveStartKey"] = start_key
            with translated_errors(self._table, "Query"):
                response = self._client.query(**arguments)
            entries += [_item_to_entry(item) for item in response.get("Items", [])]
            start_key = response.get("LastEvaluatedKey")
            if not start_key:
                break
        return entries

    def _status_query_arguments(self, status: Outcome, *, newest_first: bool) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "IndexName": LEDGER_STATUS_INDEX,
            "KeyConditionExpression": "#status = :status",
            "ExpressionAttributeNames": {"#status": LEDGER_STATUS_ATTRIBUTE},
            "ExpressionAttributeValues": {":status": {"S": status.value}},
            "ScanIndexForward": not newest_first,
        }

    def _query_status(
        self, status: Outcome, *, limit: int, newest_first: bool
    ) -> Iterator[LedgerEntry]:
        returned = 0
        start_key: dict[str, Any] | None = None
        while returned < limit:
            arguments = self._status_query_arguments(status, newest_first=newest_first)
            arguments["Limit"] = limit - returned
            if start_key is not None:
                arguments["ExclusiveStartKey"] = start_key
            with translated_errors(self._table, "Query"):
                response = self._client.query(**arguments)
            for item in response.get("Items", []):
                returned += 1
                yield _item_to_entry(item)
            start_key = response.get("LastEvaluatedKey")
            if not start_key:
                return


def _record_key(record_key: str) -> dict[str, Any]:
    return {LEDGER_PARTITION_KEY: {"S": _RECORD_PREFIX + record_key}}


def _entry_to_item(entry: LedgerEntry) -> dict[str, Any]:
    item: dict[str, Any] = {
        **_record_key(entry.record_key),
        "record_key": {"S": entry.record_key},
        "source": {"S": entry.source},
        "offset": {"N": str(entry.offset)},
        LEDGER_STATUS_ATTRIBUTE: {"S": entry.status.value},
        "claimed_at": {"S": to_iso(entry.claimed_at)},
        LEDGER_UPDATED_ATTRIBUTE: {"S": to_iso(entry.updated_at)},
        "attempts": {"N": str(entry.attempts)},
    }
    for name in (
        "event_id",
        "event_type",
        "position_key",
        "reason",
        "notification_number",
        "external_reference",
        "error",
        "payload",
    ):
        put_optional_string(item, name, getattr(entry, name))
    return item


def _item_to_entry(item: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        record_key=string_value(item, "record_key") or "",
        source=string_value(item, "source") or "",
        offset=number_value(item, "offset") or 0,
        status=Outcome(string_value(item, LEDGER_STATUS_ATTRIBUTE) or ""),
        claimed_at=from_iso(string_value(item, "claimed_at") or ""),
        updated_at=from_iso(string_value(item, LEDGER_UPDATED_ATTRIBUTE) or ""),
        event_id=string_value(item, "event_id"),
        event_type=string_value(item, "event_type"),
        position_key=string_value(item, "position_key"),
        reason=string_value(item, "reason"),
        notification_number=string_value(item, "notification_number"),
        external_reference=string_value(item, "external_reference"),
        error=string_value(item, "error"),
        attempts=number_value(item, "attempts") or 0,
        payload=string_value(item, "payload"),
    )
