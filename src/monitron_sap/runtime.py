"""Build the product's parts from validated settings: the store, the SAP client, the pipeline.

The command line and the Lambda handlers both start here, so both run the same composition.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Self

from monitron_sap.config import SapSettings, Settings
from monitron_sap.errors import ConfigurationError
from monitron_sap.pipeline import Pipeline
from monitron_sap.sap.attachments import AttachmentClient
from monitron_sap.sap.factory import create_notification_client
from monitron_sap.sap.items import NotificationItemClient
from monitron_sap.sap.models import NotificationApi
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.sap.profiles import BUILT_IN_PROFILES
from monitron_sap.sap.session import SapSession
from monitron_sap.sap.settings import (
    ApiKeyAuth,
    BasicAuth,
    OAuth2ClientCredentials,
    SapAuth,
    SapConnectionSettings,
)
from monitron_sap.store.sqlite import SqliteStore


def open_store(settings: Settings) -> SqliteStore:
    """Open (and create when missing) the SQLite database named by ``settings.database``."""
    return SqliteStore(settings.database)


def connection_settings(sap: SapSettings) -> SapConnectionSettings:
    """Translate the ``[sap]`` settings into the client's connection settings.

    The client itself does not retry (``max_retries=0``): the pipeline owns retries, so a call
    is not repeated by both layers.
    """
    if sap.base_url is None:
        raise ConfigurationError(
            "sap.base_url is not set; set it in the configuration file or in "
            "MONITRON_SAP_SAP_BASE_URL (or run 'monitron-sap demo' to use the built-in emulator)"
        )
    profile = sap.service_profile or BUILT_IN_PROFILES.get(sap.profile)
    if profile is None:
        raise ConfigurationError(
            f"sap.profile {sap.profile!r} is unknown; built-in profiles: "
            f"{', '.join(sorted(BUILT_IN_PROFILES))}"
        )
    auth = _auth(sap)
    verify: bool | str = sap.verify_tls
    if sap.verify_tls and sap.ca_bundle is not None:
        verify = str(sap.ca_bundle)
    return SapConnectionSettings(
        base_url=sap.base_url,
        auth=auth,
        profile=profile,
        sap_client=sap.client,
        verify=verify,
        read_timeout=sap.timeout_seconds,
        connect_timeout=min(sap.timeout_seconds, 10.0),
        csrf_fetch_method="HEAD" if sap.csrf_fetch_method == "HEAD" else "GET",
        max_retries=0,
    )


def _auth(sap: SapSettings) -> SapAuth | None:
    """Return the credentials that ``sap.auth`` names, or raise naming what is missing."""
    if sap.auth == "api_key":
        if sap.api_key is None:
            raise ConfigurationError(
                "sap.auth is api_key but no key is set; set MONITRON_SAP_SAP_API_KEY or "
                "sap.api_key_file"
            )
        return ApiKeyAuth(sap.api_key.reveal(), sap.api_key_header)

    if sap.auth == "oauth2":
        token_url = sap.oauth_token_url
        client_id = sap.oauth_client_id
        client_secret = sap.oauth_client_secret
        if token_url is None or client_id is None or client_secret is None:
            settings = (
                ("sap.oauth_token_url", token_url),
                ("sap.oauth_client_id", client_id),
                ("MONITRON_SAP_SAP_OAUTH_CLIENT_SECRET", client_secret),
            )
            missing = ", ".join(name for name, value in settings if value is None)
            raise ConfigurationError(f"sap.auth is oauth2 but {missing} is not set")
        return OAuth2ClientCredentials(
            token_url, client_id, client_secret.reveal(), sap.oauth_scope
        )

    if sap.user is None:
        return None
    if sap.password is None:
        raise ConfigurationError(
            f"sap.user is {sap.user!r} but no password is set; set MONITRON_SAP_SAP_PASSWORD "
            "or sap.password_file"
        )
    return BasicAuth(sap.user, sap.password.reveal())


def build_notification_client(sap: SapSettings) -> NotificationClient:
    """Return a notification client for the ``[sap]`` settings; close it when done."""
    return create_notification_client(connection_settings(sap))


@dataclass(frozen=True, slots=True)
class SapClients:
    """The clients of one SAP system: notifications, their items and their attachments.

    Each client has its own session. Closing closes all three.
    """

    notifications: NotificationClient
    items: NotificationItemClient
    attachments: AttachmentClient

    def close(self) -> None:
        self.attachments.close()
        self.items.close()
        self.notifications.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def build_sap_clients(sap: SapSettings) -> SapClients:
    """Return the notification, item and attachment clients for the ``[sap]`` settings."""
    settings = connection_settings(sap)
    notifications = create_notification_client(settings)
    items = NotificationItemClient(SapSession(settings))
    attachments = AttachmentClient.from_settings(settings)
    return SapClients(notifications, items, attachments)


def build_pipeline(
    settings: Settings,
    store: SqliteStore,
    sap: NotificationApi,
    *,
    items: NotificationItemClient | None = None,
    attachments: AttachmentClient | None = None,
) -> Pipeline:
    """Return the pipeline over ``store`` (ledger and mapping) and ``sap``.

    Without ``items`` a closure's codes reach the long text only, and without ``attachments``
    no trend chart is attached.
    """
    return Pipeline(
        ledger=store,
        mappings=store,
        sap=sap,
        rules=settings.rules,
        items=items,
        attachments=attachments,
        closure_catalog=settings.closure_catalog,
        retry=settings.retry,
        lease_seconds=settings.lease_seconds,
    )
