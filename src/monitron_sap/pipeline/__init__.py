"""The pipeline: events in, rules, mapping, SAP calls and the exactly-once ledger bookkeeping."""

from monitron_sap.pipeline.core import DEFAULT_LEASE_SECONDS, Pipeline
from monitron_sap.pipeline.reference import external_reference
from monitron_sap.pipeline.results import RecordResult, RunSummary
from monitron_sap.pipeline.retry import RetryPolicy

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "Pipeline",
    "RecordResult",
    "RetryPolicy",
    "RunSummary",
    "external_reference",
]
