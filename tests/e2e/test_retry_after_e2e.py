"""Retry-After from SAP (429 and 503) sets the wait before the pipeline's next attempt."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitron_sap.emulator import EmulatorServer
from monitron_sap.events.reader import read_paths
from monitron_sap.pipeline import Pipeline, RetryPolicy
from monitron_sap.pipeline.retry import MAX_RETRY_AFTER_SECONDS
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.store.sqlite import SqliteStore
from tests.e2e.records import v2_transition, write_jsonl

NO_BACKOFF = RetryPolicy(max_attempts=3, backoff_base_seconds=0.0)


def process_one_alarm(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> tuple[int, list[float]]:
    slept: list[float] = []
    pipeline = Pipeline(
        ledger=store, mappings=store, sap=client, retry=NO_BACKOFF, sleep=slept.append
    )
    export = write_jsonl(tmp_path / "export.jsonl", [v2_transition("t1", "ALARM")])
    summary = pipeline.process(read_paths([str(export)]))
    return summary.notified, slept


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_sets_wait(
    tmp_path: Path,
    emulator: EmulatorServer,
    store: SqliteStore,
    client: NotificationClient,
    status: int,
) -> None:
    emulator.faults.update(retry_after_seconds=7)
    emulator.faults.fail_next(1, status)

    notified, slept = process_one_alarm(tmp_path, store, client)

    assert notified == 1
    assert slept == [7.0]


def test_long_retry_after_capped(
    tmp_path: Path, emulator: EmulatorServer, store: SqliteStore, client: NotificationClient
) -> None:
    emulator.faults.update(retry_after_seconds=3600)
    emulator.faults.fail_next(1, 429)

    notified, slept = process_one_alarm(tmp_path, store, client)

    assert notified == 1
    assert slept == [MAX_RETRY_AFTER_SECONDS]
