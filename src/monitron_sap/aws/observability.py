"""Powertools Logger and Metrics for the Lambda handlers.

The Logger's service is ``monitron_sap``, the name of the package's top logger. So every module
logger (``logging.getLogger(__name__)``) writes through its JSON formatter and carries the
correlation id. The handlers set the correlation id to the Monitron event id of the record in
progress.
Libraries that log request or response bodies at DEBUG (botocore, httpx) are kept at WARNING,
so a secret value fetched or sent can never reach the log.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from monitron_sap.store.ports import Outcome

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

    from monitron_sap.pipeline.results import RecordResult

LOGGER_SERVICE: Final = "monitron_sap"
QUIET_LIBRARIES: Final = ("botocore", "boto3", "urllib3", "httpx", "httpcore")

# Metric names per outcome; the CDK stack alarms on RecordsDeadLettered.
OUTCOME_METRICS: Final = {
    Outcome.NOTIFIED: "NotificationsCreated",
    Outcome.UPDATED: "NotificationsUpdated",
    Outcome.CORRELATED: "RecordsCorrelated",
    Outcome.SKIPPED: "RecordsSkipped",
    Outcome.INVALID: "RecordsInvalid",
    Outcome.FAILED: "RecordsFailed",
    Outcome.DEAD_LETTER: "RecordsDeadLettered",
}
ALREADY_DONE_METRIC: Final = "RecordsAlreadyDone"
BUSY_METRIC: Final = "RecordsBusy"


def create_logger() -> Logger:
    """Create the JSON logger for the package and quiet the libraries that log bodies."""
    from aws_lambda_powertools import Logger

    for name in QUIET_LIBRARIES:
        library_logger = logging.getLogger(name)
        if library_logger.getEffectiveLevel() < logging.WARNING:
            library_logger.setLevel(logging.WARNING)
    return Logger(service=LOGGER_SERVICE)


def create_metrics(namespace: str) -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(service=LOGGER_SERVICE, namespace=namespace)


def flush_metrics(metrics: Metrics) -> None:
    """Write the invocation's metrics as one EMF log line; nothing when none were counted."""
    if metrics.metric_set:
        metrics.flush_metrics()


def record_metric(metrics: Metrics, result: RecordResult) -> None:
    """Count one record's result under its metric name."""
    from aws_lambda_powertools.metrics import MetricUnit

    if result.busy:
        name = BUSY_METRIC
    elif result.already_done:
        name = ALREADY_DONE_METRIC
    elif result.outcome is not None:
        name = OUTCOME_METRICS.get(result.outcome, "RecordsOther")
    else:
        return
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
