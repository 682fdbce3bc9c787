"""Metric names per record result."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aws_lambda_powertools import Metrics

from monitron_sap.aws.observability import create_metrics, record_metric
from monitron_sap.pipeline import RecordResult
from monitron_sap.store.ports import Outcome


@pytest.fixture
def metrics() -> Iterator[Metrics]:
    metrics = create_metrics("MonitronSapUnitTest")
    metrics.clear_metrics()
    yield metrics
    metrics.clear_metrics()


@pytest.mark.parametrize(
    ("result", "name"),
    [
        (RecordResult("k", Outcome.NOTIFIED, notification_number="1"), "NotificationsCreated"),
        (RecordResult("k", Outcome.CORRELATED), "RecordsCorrelated"),
        (RecordResult("k", Outcome.SKIPPED, reason="measurement"), "RecordsSkipped"),
        (RecordResult("k", Outcome.FAILED, error="400"), "RecordsFailed"),
        (RecordResult("k", Outcome.DEAD_LETTER, error="503"), "RecordsDeadLettered"),
        (RecordResult("k", Outcome.INVALID, error="bad"), "RecordsInvalid"),
        (RecordResult("k", Outcome.NOTIFIED, already_done=True), "RecordsAlreadyDone"),
        (RecordResult("k", None, busy=True), "RecordsBusy"),
    ],
)
def test_metric_name_per_result(metrics: Metrics, result: RecordResult, name: str) -> None:
    record_metric(metrics, result)
    record_metric(metrics, result)

    assert list(metrics.metric_set) == [name]
    assert metrics.metric_set[name]["Value"] == [1.0, 1.0]
