"""The SQLite adapter of the ledger and mapping ports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from monitron_sap.errors import StoreUnavailableError
from monitron_sap.store.ports import LatestMeasurement, Outcome
from monitron_sap.store.sqlite import SqliteStore
from tests.store_contract import NOW, StoreContract, entry


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "ledger.sqlite3") as store:
        yield store


class TestSqliteStore(StoreContract):
    """The SQLite adapter against the storage contract."""


def test_ledger_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with SqliteStore(path) as store:
        store.record(entry("k", Outcome.SKIPPED))
    with SqliteStore(path) as reopened:
        assert reopened.get("k") is not None


def test_unusable_path_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreUnavailableError) as caught:
        SqliteStore(blocker / "ledger.sqlite3")
    assert "ledger.sqlite3" in str(caught.value)


def test_naive_timestamp_rejected(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="time zone"):
        store.save_latest_measurement(LatestMeasurement("p", datetime(2026, 1, 1), "x"))


def test_batched_write_lost_without_commit(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    store = SqliteStore(path)
    store.record(entry("skipped", Outcome.SKIPPED))
    store.close(commit=False)
    with SqliteStore(path) as reopened:
        assert reopened.get("skipped") is None


def test_claim_commits_batched_writes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    store = SqliteStore(path)
    store.record(entry("skipped", Outcome.SKIPPED))
    store.claim(entry("claimed"), lease_seconds=60, now=NOW)
    store.close(commit=False)
    with SqliteStore(path) as reopened:
        assert reopened.get("skipped") is not None
        assert reopened.get("claimed") is not None


def test_second_connection_sees_flushed_writes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with SqliteStore(path) as writer:
        writer.record(entry("skipped", Outcome.SKIPPED))
        writer.flush()
        with SqliteStore(path) as reader:
            assert reader.get("skipped") is not None
