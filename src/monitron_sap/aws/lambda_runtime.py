"""The parts one Lambda execution environment keeps between invocations, and the work on one
S3 object or one Kinesis record.

The runtime is built on the first invocation and reused: boto3 clients, the DynamoDB stores, the
secret cache and the SAP client, which is rebuilt only when the credentials in the secret change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from monitron_sap.aws.event_sources import ObjectRef, in_prefix, kinesis_payload, kinesis_source
from monitron_sap.aws.observability import (
    create_logger,
    create_metrics,
    flush_metrics,
    record_metric,
)
from monitron_sap.aws.secrets import SapCredentials, SecretReader, make_secrets_client
from monitron_sap.aws.settings import HandlerSettings
from monitron_sap.errors import ConfigurationError, InputError, RetryableError
from monitron_sap.events.model import MonitronEvent, ReadResult
from monitron_sap.events.reader import read_bytes, read_stream
from monitron_sap.pipeline import Pipeline, RecordResult, RunSummary
from monitron_sap.runtime import connection_settings
from monitron_sap.sap.attachments import AttachmentClient
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.items import NotificationItemClient
from monitron_sap.sap.session import SapSession
from monitron_sap.sap.settings import (
    ApiKeyAuth,
    BasicAuth,
    OAuth2ClientCredentials,
    SapAuth,
    SapConnectionSettings,
)
from monitron_sap.sources.s3 import S3Location, S3Object, S3Source, make_s3_client
from monitron_sap.store.dynamodb import DynamoLedgerStore, DynamoMappingStore
from monitron_sap.store.dynamodb_common import make_dynamodb_client
from monitron_sap.store.ports import Outcome

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from monitron_sap.sap.notifications import NotificationClient

logger = logging.getLogger(__name__)

ClientFactory = Callable[[SapConnectionSettings], "NotificationClient"]


class UnfinishedRecordsError(RetryableError):
    """Records of a message were dead-lettered, rejected by SAP or held by another worker.

    The message must be delivered again: the ledger lets the next delivery skip the finished
    records and retry the others. A rejection that persists takes the message to the dead-letter
    queue after the queue's maximum receive count.
    """


class LambdaRuntime:
    """Clients, stores and the SAP client of one execution environment."""

    def __init__(
        self,
        settings: HandlerSettings,
        *,
        dynamodb: DynamoDBClient | None = None,
        s3: S3Client | None = None,
        secrets: SecretsManagerClient | None = None,
        client_factory: ClientFactory = create_notification_client,
    ) -> None:
        self.settings = settings
        self.logger: Logger = create_logger()
        self.metrics: Metrics = create_metrics(settings.metrics_namespace)
        dynamodb_client = dynamodb or make_dynamodb_client()
        self.ledger = DynamoLedgerStore(
            dynamodb_client, settings.ledger_table, ttl_days=settings.ledger_ttl_days
        )
        self.mapping = DynamoMappingStore(dynamodb_client, settings.mapping_table)
        self.s3 = s3 or make_s3_client()
        self.secrets = SecretReader(secrets or make_secrets_client())
        self._client_factory = client_factory
        self._client: NotificationClient | None = None
        self._items: NotificationItemClient | None = None
        self._attachments: AttachmentClient | None = None
        self._client_credentials: SapCredentials | None = None

    def pipeline(self) -> Pipeline:
        """Return a pipeline over the current SAP credentials (read through the secret cache)."""
        credentials = self.secrets.credentials(self.settings.sap_secret_id)
        if self._client is None or credentials != self._client_credentials:
            if self._client is not None:
                logger.info("SAP credentials changed in the secret; opening a new SAP session")
                self.close()
            connection = connection_settings(self.settings.core.sap)
            auth = _auth(credentials, self.settings.sap_token_url, self.settings.sap_secret_id)
            with_auth = _with_auth(connection, auth)
            self._client = self._client_factory(with_auth)
            # A session opens no connection before its first request, so records that need
            # no item or chart cost nothing here.
            self._items = NotificationItemClient(SapSession(with_auth))
            self._attachments = AttachmentClient.from_settings(with_auth)
            self._client_credentials = credentials
        core = self.settings.core
        return Pipeline(
            ledger=self.ledger,
            mappings=self.mapping,
            sap=self._client,
            rules=core.rules,
            items=self._items,
            attachments=self._attachments,
            closure_catalog=core.closure_catalog,
            retry=core.retry,
            lease_seconds=core.lease_seconds,
        )

    def flush_metrics(self) -> None:
        """Write the invocation's metrics; call once at the end of every invocation."""
        flush_metrics(self.metrics)

    def close(self) -> None:
        for client in (self._attachments, self._items, self._client):
            if client is not None:
                client.close()
        self._client = None
        self._items = None
        self._attachments = None

    def process_object(self, pipeline: Pipeline, ref: ObjectRef) -> RunSummary | None:
        """Process every record of one S3 object; None when the object is outside the prefix.

        Raises ``UnfinishedRecordsError`` when a record was dead-lettered, rejected by SAP or is
        held by another invocation, so that the caller reports the message as failed.
        """
        prefix = self.settings.s3_prefix
        if not in_prefix(ref, prefix):
            logger.info("skipped %s: the key is outside the prefix %r", ref.uri, prefix)
            return None
        source = S3Source(self.s3, S3Location(ref.bucket, ""))
        with source.open(S3Object(ref.bucket, ref.key, 0)) as body:
            items = read_stream(cast(BinaryIO, body), ref.uri)
            summary = pipeline.process(self._correlated(items), on_result=self._observe)
        self._log_summary(ref.uri, summary)
        self._after_failures(summary)
        _require_finished(ref.uri, summary)
        return summary

    def process_kinesis_record(self, pipeline: Pipeline, record: Mapping[str, Any]) -> RunSummary:
        """Process one Kinesis record; raise when it is invalid or must be delivered again.

        An invalid record raises on every delivery, also after the ledger has recorded it, so
        that once the retries are spent its sequence number reaches the failure destination.
        """
        source = kinesis_source(record)
        try:
            data = kinesis_payload(record)
        except InputError as error:
            raise InputError(f"{source}: {error}") from error
        invalid: list[str] = []

        def observe(result: RecordResult) -> None:
            self._observe(result)
            if result.outcome is Outcome.INVALID:
                invalid.append(result.error or result.record_key)

        summary = pipeline.process(self._correlated(read_bytes(data, source)), on_result=observe)
        self._log_summary(source, summary)
        self._after_failures(summary)
        if invalid:
            raise InputError(f"{source}: invalid record: {'; '.join(invalid)}")
        _require_finished(source, summary)
        return summary

    def _correlated(self, items: Iterable[ReadResult]) -> Iterator[ReadResult]:
        """Yield ``items``, setting the log correlation id to each record's event id."""
        try:
            for item in items:
                event_id = item.event_id if isinstance(item, MonitronEvent) else None
                self.logger.set_correlation_id(event_id)
                yield item
        finally:
            self.logger.set_correlation_id(None)

    def _after_failures(self, summary: RunSummary) -> None:
        """Read the secret again on the next invocation after SAP rejected a request.

        A rejection may come from credentials rotated in the secret but still cached here.
        """
        if summary.failed or summary.credentials_error is not None:
            self.secrets.invalidate(self.settings.sap_secret_id)

    def _observe(self, result: RecordResult) -> None:
        record_metric(self.metrics, result)

    def _log_summary(self, source: str, summary: RunSummary) -> None:
        logger.info(
            "processed %s: %d records, %d notified, %d updated, %d correlated, %d skipped, "
            "%d invalid, %d failed, %d dead-lettered, %d already done, %d busy",
            source,
            summary.read,
            summary.notified,
            summary.updated,
            summary.correlated,
            sum(summary.skipped.values()),
            summary.invalid,
            summary.failed,
            summary.dead_lettered,
            summary.already_done,
            summary.busy,
        )
        for problem in summary.problems:
            logger.warning("problem in %s: %s", source, problem)


def _require_finished(source: str, summary: RunSummary) -> None:
    if summary.dead_lettered or summary.failed or summary.busy:
        stopped = ""
        if summary.credentials_error is not None:
            stopped = (
                "SAP rejected the credentials, so no further request was sent to SAP in this "
                "invocation (check the user and password in the SAP secret); "
            )
        raise UnfinishedRecordsError(
            f"{source}: {stopped}{summary.dead_lettered} records dead-lettered, "
            f"{summary.failed} rejected by SAP and {summary.busy} held by another invocation; "
            "the message is delivered again"
        )


def _auth(credentials: SapCredentials, token_url: str | None, secret_id: str) -> SapAuth:
    if credentials.kind == "basic" and credentials.user and credentials.password:
        return BasicAuth(credentials.user, credentials.password)
    if credentials.kind == "api_key" and credentials.api_key:
        return ApiKeyAuth(credentials.api_key)
    if credentials.client_id and credentials.client_secret:
        url = credentials.token_url or token_url
        if url is None:
            raise ConfigurationError(
                f"secret {secret_id!r} contains OAuth client credentials without token_url; add "
                "token_url to the secret or set MONITRON_SAP_SAP_OAUTH_TOKEN_URL"
            )
        return OAuth2ClientCredentials(url, credentials.client_id, credentials.client_secret)
    raise ConfigurationError(f"secret {secret_id!r} has no usable SAP credentials")


def _with_auth(connection: SapConnectionSettings, auth: SapAuth) -> SapConnectionSettings:
    import dataclasses

    return dataclasses.replace(connection, auth=auth)
