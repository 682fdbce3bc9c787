"""Translation of botocore errors by the DynamoDB adapters, with botocore's own Stubber."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.stub import Stubber

from monitron_sap.errors import ConfigurationError, StoreUnavailableError
from monitron_sap.store.dynamodb import DynamoLedgerStore
from monitron_sap.store.dynamodb_common import make_dynamodb_client
from monitron_sap.store.ports import LedgerEntry, Outcome

NOW = datetime(2026, 3, 5, tzinfo=UTC)


@pytest.fixture
def stubbed() -> tuple[DynamoLedgerStore, Stubber]:
    client = make_dynamodb_client(endpoint_url="http://127.0.0.1:9", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.activate()
    return DynamoLedgerStore(client, "ledger"), stubber


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError"]
)
def test_throttling_is_store_unavailable(
    stubbed: tuple[DynamoLedgerStore, Stubber], code: str
) -> None:
    ledger, stubber = stubbed
    stubber.add_client_error("put_item", service_error_code=code, http_status_code=400)
    entry = LedgerEntry("k", "s", 0, Outcome.IN_PROGRESS, NOW, NOW)

    with pytest.raises(StoreUnavailableError) as raised:
        ledger.claim(entry, lease_seconds=60, now=NOW)

    assert code in str(raised.value)


def test_access_denied_is_configuration_error(stubbed: tuple[DynamoLedgerStore, Stubber]) -> None:
    ledger, stubber = stubbed
    stubber.add_client_error("get_item", service_error_code="AccessDeniedException")

    with pytest.raises(ConfigurationError) as raised:
        ledger.get("k")

    assert "IAM policy" in str(raised.value)


def test_unreachable_endpoint_is_store_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    # Port 9 (discard) on loopback is closed on test machines, so the connection is refused.
    client = make_dynamodb_client(endpoint_url="http://127.0.0.1:9", region_name="us-east-1")
    ledger = DynamoLedgerStore(client, "ledger")

    with pytest.raises(StoreUnavailableError) as raised:
        ledger.get("k")

    assert "ledger" in str(raised.value)


def test_naive_time_is_rejected(stubbed: tuple[DynamoLedgerStore, Stubber]) -> None:
    ledger, _ = stubbed
    naive = datetime(2026, 3, 5)
    entry = LedgerEntry("k", "s", 0, Outcome.IN_PROGRESS, naive, naive)

    with pytest.raises(ValueError, match="naive datetime"):
        ledger.claim(entry, lease_seconds=60, now=naive)


def test_missing_region_is_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")

    with pytest.raises(ConfigurationError) as raised:
        make_dynamodb_client()

    assert "AWS_REGION" in str(raised.value)
